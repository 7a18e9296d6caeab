"""Embeddings (pages/05_Embeddings.py): ``claims``, its notices as pure functions of its numbers."""
