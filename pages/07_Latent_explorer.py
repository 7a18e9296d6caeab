"""Latent explorer (being written)."""
from ui import common as ui

ui.setup_page("Latent explorer", "🎛️", "What digit lives at this point of the latent space?")
