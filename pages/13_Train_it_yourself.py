"""Train it yourself (being written)."""
from ui import common as ui

ui.setup_page("Train it yourself", "🏋️", "What happens while a VAE learns, epoch by epoch?")
