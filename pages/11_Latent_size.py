"""Latent size (being written)."""
from ui import common as ui

ui.setup_page("Latent size", "📏", "How many latent dimensions does MNIST need?")
