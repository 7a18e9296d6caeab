"""Latent explorer (pages/07_Latent_explorer.py): ``claims`` (words per model kind, the pad's box)
and ``codepad`` (a code set by hand).
"""
