"""Posterior spread (pages/09_Posterior_spread.py): ``pairs`` (candidate pairs, once per server),
``claims`` (its sentences), ``computed`` (one image's posterior, the table) and ``view`` (an
image's column, the map of both posteriors).
"""
