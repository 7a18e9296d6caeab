"""KL weighting (pages/02_KL_weighting.py): ``converter``, a KL weight of an averaged loss as β."""
