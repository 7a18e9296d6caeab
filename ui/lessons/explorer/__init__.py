"""Latent explorer (pages/07_Latent_explorer.py): ``claims`` (words per model kind, the pad's box,
the notices on the code), ``codepad`` (a code set by hand) and ``view`` (its sections drawn).
"""
