"""Posterior spread (pages/09_Posterior_spread.py): ``pairs`` (candidate pairs, once per server)
and ``claims`` (its sentences).
"""
