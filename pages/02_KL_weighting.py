"""KL weighting (being written)."""
from ui import common as ui

ui.setup_page("KL weighting", "⚖️", "What does beta trade: sharp reconstructions or a tidy latent space?")
