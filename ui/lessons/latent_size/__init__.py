"""Latent size (pages/11_Latent_size.py): ``claims`` (its notices and caveat as pure functions),
``computed`` (the ladder's table and KL per dimension from cache/) and ``view`` (what each section
draws).
"""
