"""Grid vs ppf sampling (being written)."""
from ui import common as ui

ui.setup_page("Grid vs ppf sampling", "🧭", "Where should you sample a 2-D latent to see what the decoder learned?")
