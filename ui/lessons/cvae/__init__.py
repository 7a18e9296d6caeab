"""Conditional VAE (pages/10_Conditional_VAE.py): ``computed`` (its images and numbers, once per
server), ``view`` (what each section draws) and ``claims`` (its notices and axis names).
"""
