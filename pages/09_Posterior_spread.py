"""Posterior spread (being written)."""
from ui import common as ui

ui.setup_page("Posterior spread", "☁️", "What does sigma mean for a single image?")
