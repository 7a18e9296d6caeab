"""Interpolation (being written)."""
from ui import common as ui

ui.setup_page("Interpolation", "🌈", "Why does walking in latent space beat blending pixels?")
