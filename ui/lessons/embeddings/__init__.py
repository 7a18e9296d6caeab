"""Embeddings (pages/05_Embeddings.py): ``claims``, its notices as pure functions of its numbers;
``computed``, the KD-trees, map points and scores it computes once per server; ``views``, the parts
of the page it draws (the maps, PCA's spectrum, the walk along a map line, the pair plot)."""
