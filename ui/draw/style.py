"""Visual conventions shared by every page: digit colours, image colormap, sizes, ranges.

One place, so that "digit 3" is the same teal on every chart and every 2-D latent plot uses
the same axes. The ten digit colours were chosen for colour-blind readers: under simulated
deuteranopia and protanopia (Machado et al. 2009, severity 1) as in normal vision, every two of
them differ by CIEDE2000 ΔE >= 13 (``tests/test_palette.py`` checks >= 10), and each has a contrast
of at least 3:1 against both the light and the dark page (WCAG 1.4.11). Ten hues cannot all stay
apart for every kind of colour blindness, so no chart relies on colour alone (``ui.draw.render``).
"""

from __future__ import annotations

DIGITS = tuple(range(10))
DIGIT_COLORS = (
    "#004bff",
    "#ff4b00",
    "#c30f00",
    "#00a5a5",
    "#3ca55a",
    "#b40096",
    "#3c96ff",
    "#f04b96",
    "#c3005a",
    "#0f7869",
)  # digit 0..9, colour-blind-safe (above)
IMAGE_CMAP = "gray"  # MNIST's own look: white ink on black
ERROR_CMAP = "magma"  # per-pixel spread / error maps
DIVERGING_CMAP = "RdBu_r"  # signed values (codes, loadings)
TILE_PX = 28  # MNIST side
LATENT_RANGE = (-4.0, 4.0)  # axes of every 2-D latent scatter of a VAE (the prior lives in -3..3)
SLIDER_RANGE = (-3.0, 3.0)  # latent sliders and default sweep range
SLIDER_STEP = 0.1
GRID_N_RANGE = (5, 30)  # grid sizes for mosaics
GRID_N_DEFAULT = 15
GRID_RANGE_DEFAULT = (-3.0, 3.0)  # the linear grid's default z range (both axes)
PPF_P_DEFAULT = 0.005  # ppf grid covers probabilities p .. 1 - p
PPF_P_OPTIONS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.2,
)  # the p values the Grid page offers
SCATTER_POINTS = 3000  # test codes drawn in interactive scatters (a fixed, stratified subset)
POINT_SIZE = 18
CHART_HEIGHT = 380
LANDING_PX = 400  # side of the square chart of where a new digit lands (Your own digit), CSS pixels
NEIGHBOUR_COLOR = (
    "#8a8a8a"  # rings on a new digit's nearest test codes: mid grey, seen on white and on dark
)
INK = {"light": "#1f2430", "dark": "#fafafa"}  # text and line colour per Streamlit theme type
CHANGED_COLOR = (
    "#e8590c"  # a reconstruction that turned into another digit: a frame seen on white and on dark
)
# what the student picked or points at (the chosen β, their digit, the tile under the pointer)
HIGHLIGHT = "#d62728"
# One colour per latent size (the Latent size lesson's curves): each with 3:1 or more against both
# pages, like the digit colours; every size has its own point shape too (SIZE_SHAPES).
SIZE_COLORS = ("#1f77b4", "#d45500", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
SIZE_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
SIZE_DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (4, 4), (1, 3))  # the curves' dash patterns
PAPER = {"light": "#ffffff", "dark": "#0e1117"}  # page background per theme type (text halos)
FIGURE_DPI = 150  # PNG resolution of Matplotlib figures (shown and downloaded alike)
FIGURE_MAX_PX = 1460  # widest PNG: st.image re-samples (blurs) and re-encodes anything wider
# A figure is drawn for the column it is shown in (stretched to its width), on the desktop the pages
# are laid out for: a 1400 x 1000 window, the sidebar open. It is at most the column's width over
# SHOWN_PX_PER_INCH inches wide and its text at least MIN_TEXT_PT, so every text reads at
# MIN_TEXT_PT * SHOWN_PX_PER_INCH / 72 = 13.9 CSS px or more as shown, over 10 pt (13.3 px;
# tests/test_e2e_text.py), whatever its pixels per inch. Presenter mode's columns are wider (no
# sidebar, about 1.37 x) and its text 1.35 x larger: larger still.
SHOWN_PX_PER_INCH = 100
MIN_TEXT_PT = 10
PAGE_PX = 940  # the page's main column at that window, CSS px
EXPANDER_PX = 906  # inside an expander (its border and padding)
GAP_PX = {"small": 16, "medium": 32, "large": 64}  # st.columns' gaps


def column_px(share: float = 1.0, n: int = 1, of: float = PAGE_PX, gap: str = "small") -> float:
    """The width in CSS px of a column that takes ``share`` of a row of ``n`` columns (Streamlit
    takes the gaps from each in equal parts) in a container ``of`` px wide, at that window."""
    return share * of - GAP_PX[gap] * (n - 1) / n


def fit_inches(px: float) -> float:
    """The most inches a figure shown ``px`` CSS px wide may take (``SHOWN_PX_PER_INCH``)."""
    return px / SHOWN_PX_PER_INCH


# Rendered figures and chart specs kept per server (LRU), shared by every session. A class makes
# many of its own (every student's seed draws new ones): with 192 figures and 256 specs, 30
# students evicted the shared ones (a page's maps, the warm-up's figures) within minutes, and the
# next visitor rebuilt them (0.5-0.9 s of CPU on Embeddings). Measured over one walk through every
# page: figures 68 kB on average (225 kB at most), specs 27 kB (185 kB): about 35 + 28 MB when full.
FIGURE_CACHE_ENTRIES = 512
# Grid vs ppf's decoded mosaics kept per server (LRU): its warm-up decodes 494 (every grid size at
# every p, the linear grid at its default range), 8-bit PNGs of 5 to 310 kB, 57 MB in all; the
# rest is room for the ranges students pick (at most 560 x 310 kB = 174 MB).
GRID_CACHE_ENTRIES = 560
CHART_CACHE_ENTRIES = 1024  # Vega-Lite specs of Altair charts (see FIGURE_CACHE_ENTRIES)
# a mosaic's image row as sent (its PNG as a data URL, 0.1-0.4 MB): cheap to rebuild, costly to keep
MOSAIC_ROWS_CACHE_ENTRIES = 192
MODEL_CACHE_ENTRIES = (
    64  # per-model values and small per-input results kept per server (LRU): the zoo has 17 models,
)
# and no cache keyed by a visitor's input may grow without bound (a seed in the URL, say)
ALTAIR_DIGIT_SCALE = {"domain": [str(d) for d in DIGITS], "range": list(DIGIT_COLORS)}
GRID_LIN, GRID_PPF = (
    "linear grid",
    "ppf grid",
)  # the two sampling schemes of the Grid lesson, as charts name them
PPF_COLOR = "#d4007f"  # the ppf grid's points; the linear grid's are in the theme's text colour
SCHEME_SHAPES = {GRID_LIN: "square", GRID_PPF: "diamond"}
CONTOUR_COLOR = (
    "#8a8a8a"  # the prior's circles on the grid chart: mid grey, seen on white and on dark
)
DENSITY_CMAP = "Blues"  # a density over the latent plane (the true posterior p(z|x))
Q_COLOR = (
    "#000000"  # the encoder's q(z|x) on a density map (no digit's colour, dark on the light map)
)
BEST_Q_COLOR = "#d4007f"  # the Gaussian refined for one image (magenta: no digit's colour either)
PAD_N = 41  # the Latent explorer's clickable pad: a PAD_N x PAD_N grid of cells over LATENT_RANGE
MOSAIC_TILE = 29  # pixels per mosaic tile including the 1-pixel gap (vae.mosaic.tile)
FOCUS_COLOR = (
    "#4e79a7"  # keyboard focus ring: 4.2:1 or more on both themes' backgrounds (WCAG asks 3:1)
)

# On a phone a figure drawn for the desktop's column would shrink to the screen and its text with
# it (a row of ten digits with their captions: 5 px). So a figure with text keeps, on a screen
# under 640 px, the width at which its smallest text reads at 10 pt (``ui.draw.render.show`` puts
# it in a container keyed ``figw<W>-...`` with W that width rounded up to PHONE_FIGURE_STEP px),
# and scrolls sideways inside its own box: the page itself never does (WCAG 1.4.10 lets a picture
# that needs its two dimensions scroll). Chromium and Firefox let the keyboard scroll such a box.
PHONE_TEXT_PX = 13.3  # 10 pt as shown
PHONE_FIGURE_STEP = 50
PHONE_FIGURE_WIDTHS = range(PHONE_FIGURE_STEP, FIGURE_MAX_PX + PHONE_FIGURE_STEP, PHONE_FIGURE_STEP)


def phone_figure_width(natural_px: int, min_text_px: float) -> int | None:
    """The width (CSS px, a multiple of PHONE_FIGURE_STEP) at which a PNG ``natural_px`` wide whose
    smallest text is ``min_text_px`` of its pixels shows that text at 10 pt; None without text."""
    if min_text_px <= 0 or natural_px <= 0:
        return None
    need = PHONE_TEXT_PX * natural_px / min_text_px
    step = PHONE_FIGURE_STEP
    return min(int(-(-need // step)) * step, PHONE_FIGURE_WIDTHS[-1])


PHONE_FIGURE_CSS = "\n".join(
    f'  .stApp [class*="st-key-figw{w}-"] img {{ min-width: {w}px; max-width: none !important; }}'
    for w in PHONE_FIGURE_WIDTHS
) + (
    '\n  .stApp [class*="st-key-figw"] [data-testid="stImageContainer"] '
    "{ overflow-x: auto; justify-content: flex-start; }"
)

# The app's own CSS, on every page (ui.page.frame.setup_page), for WCAG 2.1 AA (issue 31;
# tests/test_e2e_a11y.py):
# - Streamlit fades captions (opacity 0.6: 4.1:1 on white, under AA's 4.5:1) and the label of a
# disabled
# control further; at 0.8 they read at 7.6:1 or more on both themes' backgrounds, still quieter than
#   body text (the same rule for both themes, so it never waits for the browser to name its theme);
# - a slider's value is drawn in the text colour, not the primary colour (the dark theme's primary
# is dark
#   enough for white text on a primary button or a multiselect's chips, .streamlit/config.toml);
# - every control and link the keyboard reaches shows a ring outside it;
# - the element that carries this CSS takes no room (no gap above the title);
# - on a phone the page keeps Streamlit's 1 rem side margins in presenter mode too (its wide margins
# are
#   for a projector), so a chart sized for the phone's width fits there (ui.draw.render.phone_size).
PAGE_CSS = f"""
<style data-latent-lab>
.stApp [data-testid="stCaptionContainer"] {{ opacity: 0.8; }}
.stApp label[data-testid="stWidgetLabel"][disabled],
.stApp label[data-testid="stWidgetLabel"][disabled] * {{ color: inherit; }}
.stApp label[data-testid="stWidgetLabel"][disabled] {{ opacity: 0.8; }}
.stApp [data-testid="stSliderThumbValue"] {{ color: inherit; }}
.stApp :focus-visible {{ outline: 2px solid {FOCUS_COLOR} !important; outline-offset: 2px; }}
.stApp [data-testid="stElementContainer"]:has(style[data-latent-lab]) {{ display: none; }}
@media (max-width: 639px) {{
  .stApp .block-container {{ padding-left: 1rem !important; padding-right: 1rem !important; }}
{PHONE_FIGURE_CSS}
}}
</style>
"""
