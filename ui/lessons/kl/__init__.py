"""KL weighting (pages/02_KL_weighting.py): ``claims`` (its notices), ``views`` (its charts and
decoded rows) and ``converter`` (a KL weight of an averaged loss as β).
"""
