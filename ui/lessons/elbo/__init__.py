"""The ELBO is a bound (pages/14_ELBO_bound.py): ``computed`` (per-image numbers, shared), ``view``
(its pictures and charts) and ``claims`` (its sentences).
"""
