"""Conditional VAE (being written)."""
from ui import common as ui

ui.setup_page("Conditional VAE", "🏷️", "What is left for z to encode once the decoder knows the digit?")
