"""Reconstructions (being written)."""
from ui import common as ui

ui.setup_page("Reconstructions", "🔍", "What survives the trip through the bottleneck?")
