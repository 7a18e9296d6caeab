"""AE vs VAE (being written)."""
from ui import common as ui

ui.setup_page("AE vs VAE", "🔀", "Why can a VAE generate new digits when a plain autoencoder can't?")
