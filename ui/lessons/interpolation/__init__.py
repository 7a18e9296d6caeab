"""Interpolation (pages/08_Interpolation.py): ``claims``, the lerp vs slerp verdict."""
