"""Latent size (pages/11_Latent_size.py): ``claims``, its notices as pure functions."""
