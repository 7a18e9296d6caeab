"""The ELBO is a bound (pages/14_ELBO_bound.py): ``computed`` (per-image numbers, shared) and
``claims`` (its sentences).
"""
