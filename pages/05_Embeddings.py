"""Embeddings (being written)."""
from ui import common as ui

ui.setup_page("Embeddings", "🗺️", "How do PCA, t-SNE and UMAP flatten a 10-D latent space, and what do they distort?")
