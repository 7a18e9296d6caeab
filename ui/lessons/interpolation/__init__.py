"""Interpolation (pages/08_Interpolation.py): ``claims`` (the lerp vs slerp verdict and the
notices), ``computed`` (endpoints, emptiness along the paths) and ``view`` (its sections drawn)."""
