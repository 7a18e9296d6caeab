"""Your own digit (being written)."""
from ui import common as ui

ui.setup_page("Your own digit", "✍️", "What does the model make of a digit it has never seen?")
