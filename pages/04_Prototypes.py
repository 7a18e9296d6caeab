"""Digit prototypes (being written)."""
from ui import common as ui

ui.setup_page("Digit prototypes", "🧬", "What does the 'average 3' look like, and what does each latent dimension do?")
