"""Chart builders with the shared look: Altair for interactive scatters and curves (hover shows
digit, test index and code; clicks can be read back), Matplotlib for image mosaics and the one
static pair plot.

Both kinds are built once per distinct input and theme, through ``st.cache_data`` (keyed by the
builder and the values of its arguments, LRU-bounded) and shared by every session:

- ``png(build, *args)`` renders the Matplotlib figure ``build(*args)`` to PNG bytes; the same bytes
  are shown and offered for download. Drawing a mosaic costs about 0.1 s, decoding it as much again.
- ``spec(build, *args)`` converts the Altair chart ``build(*args)`` to the Vega-Lite spec Streamlit
  sends, and ``draw`` sends it. Building and converting a chart costs 10-60 ms per chart and run.
  What moves on every run (the marker at the current code) is a small spec given new rows
  (``with_data``) and layered on (``overlay``).

Figures use the theme's ink on a transparent background, so they read in light and dark mode;
charts draw on a canvas.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import altair as alt
import matplotlib
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402 - Figure() without the global figure manager (Matplotlib server guidance)

from ui import compat
from ui.draw import raster, style
from ui.draw.style import (
    CHART_CACHE_ENTRIES,
    FIGURE_CACHE_ENTRIES,
    FIGURE_DPI,  # noqa: E402
    FIGURE_MAX_PX,
    INK,
    PAPER,
)


def _skip_schema_validation() -> None:
    """Streamlit serialises every Altair chart with ``to_dict()``, which by default validates the
    whole spec against the Vega-Lite JSON schema: 0.05-0.1 s per chart on every run (and Altair's
    debug mode validates parts again as they are built). The specs are fixed by this code and the
    test suite validates them (``LATENT_LAB_VALIDATE_CHARTS=1``, set in ``tests/conftest.py``), so
    the running app turns that default off (``compat.skip_altair_schema_validation``)."""
    if os.environ.get("LATENT_LAB_VALIDATE_CHARTS") != "1":
        compat.skip_altair_schema_validation()


_skip_schema_validation()


PRESENT_FONT_PX = 17  # chart text in presenter mode: >= 16 px on a 1920 x 1080 projector
PRESENT_TEXT_SCALE = (
    1.35  # figure text in presenter mode, relative to the normal page (as the page's CSS)
)
# Chart text outside presenter mode is at least MIN_FONT_PX as drawn, above 10 pt (13.3 CSS px),
# on a desktop and on a phone (a window under PHONE_WINDOW_PX wide: Streamlit stacks columns below
# 640 px) alike; a chart scaled down to fit its column a little (FIT_JS) stays above 10 pt.
PHONE_WINDOW_PX = 640
MIN_FONT_PX = 14
ON_PHONE = f"windowSize()[0] < {PHONE_WINDOW_PX}"


# A column in presenter mode, at the desktop window the pages are laid out for, is this much wider
# than in the normal view (the sidebar folded: 1292 px of page for 940): a figure drawn for its
# column keeps its proportions there, its text PRESENT_TEXT_SCALE x larger.
PRESENT_COLUMN_SCALE = 1.37


def fit_inches(column_px: float) -> float:
    """The most inches a figure may take that is shown in a column ``column_px`` CSS px wide in the
    normal view (``style.fit_inches``), in the mode it is drawn for (presenter mode's columns are
    wider)."""
    return style.fit_inches(column_px) * (PRESENT_COLUMN_SCALE if presenting() else 1.0)


def column_inches(inches: float) -> float:
    """A figure's size in inches (an image in a row, say) drawn for the normal view, in the mode it
    is drawn for: as much larger in presenter mode as its column, so that the figure keeps its
    proportions there and its text alone grows (``PRESENT_TEXT_SCALE``)."""
    return inches * (PRESENT_COLUMN_SCALE if presenting() else 1.0)


def fs(px: float) -> float:
    """A chart's explicit text size (a label on a point, an axis of tiles) for the current mode:
    ``PRESENT_TEXT_SCALE`` times larger in presenter mode, like the rest of the page, and never
    under 16 px there (what reads on a 1920 x 1080 projector); otherwise ``px``, and at least
    MIN_FONT_PX."""
    if presenting():
        return max(round(px * PRESENT_TEXT_SCALE, 1), PRESENT_FONT_PX - 1)
    return max(px, MIN_FONT_PX)


def present_config() -> dict[str, Any]:
    """Vega-Lite config of presenter mode: axis, legend, header and title text in large type."""
    f = PRESENT_FONT_PX
    return {
        "axis": {"labelFontSize": f, "titleFontSize": f + 1},
        "legend": {"labelFontSize": f, "titleFontSize": f + 1, "symbolSize": 160},
        "header": {"labelFontSize": f, "titleFontSize": f + 1},
        "title": {"fontSize": f + 3},
        "text": {"fontSize": f},
    }


def text_config() -> dict[str, Any]:
    """Vega-Lite config of chart text outside presenter mode: at least MIN_FONT_PX. Only what
    Streamlit's chart theme draws smaller changes (axis and header labels, 12 px; text marks,
    Vega's 11 px); its axis and legend titles (14 px) and chart titles (16 px) are large enough."""
    return {
        "axis": {"labelFontSize": MIN_FONT_PX},
        "header": {"labelFontSize": MIN_FONT_PX},
        "legend": {"labelFontSize": MIN_FONT_PX, "titleFontSize": MIN_FONT_PX},
        "text": {"fontSize": MIN_FONT_PX},
    }


@alt.theme.register("latent_lab", enable=True)
def _canvas() -> dict[str, Any]:
    """Every chart draws on a canvas. Streamlit picks SVG unless a chart has over 2,000 rows, and a
    scatter of 1,500 codes then makes 1,500 DOM nodes per chart: slow to lay out and repaint.
    In presenter mode the chart's text is large (``present_config``), otherwise at least 10 pt
    (``text_config``): Altair applies the theme
    when the chart is converted, in the script run (or in ``spec``, keyed by the mode)."""
    out: dict[str, Any] = {"usermeta": {"embedOptions": {"renderer": "canvas"}}}
    out["config"] = present_config() if presenting() else text_config()
    return out


_drawing = threading.local()  # .kind: the theme a cached figure or spec is being built for


def theme() -> str:
    """The browser's theme type, "light" or "dark" (light until the browser has told the server).
    While ``png`` or ``spec`` builds a figure, the theme it is built (and keyed) for."""
    kind = getattr(_drawing, "kind", None)
    if kind is None:
        try:
            kind = st.context.theme.type
        except Exception:  # outside a session (a notebook, a bare test, a prefetch thread)
            kind = None
    return kind if kind in INK else "light"


def presenting() -> bool:
    """Whether figures and charts are drawn for presenter mode: while ``png`` or ``spec`` builds
    one, the mode it is built (and keyed) for; in a script run, the session's mode."""
    present = getattr(_drawing, "present", None)
    if present is None:
        try:
            present = bool(st.session_state.get("_present", False))
        except Exception:  # outside a session
            present = False
    return bool(present)


@contextmanager
def _drawing_with(name: str, value: Any) -> Iterator[None]:
    """Set one attribute of this thread's drawing state while the block runs."""
    before = getattr(_drawing, name, None)
    setattr(_drawing, name, value)
    try:
        yield
    finally:
        setattr(_drawing, name, before)


def as_present(present: bool):
    """Builders (and the Altair theme) see ``presenting() == present`` in this thread while they
    run."""
    return _drawing_with("present", present)


def as_theme(kind: str):
    """Builders that ask ``theme()`` / ``ink()`` get ``kind``, in this thread, while they run."""
    return _drawing_with("kind", kind)


def ink() -> str:
    """Text and line colour that reads on the current theme's background."""
    return INK[theme()]


def paper() -> str:
    """The current theme's page background (for halos under text drawn over points)."""
    return PAPER[theme()]


def _rc(kind: str) -> dict[str, Any]:
    """Matplotlib settings for a theme: transparent background, text and axes in the theme's ink."""
    c = INK[kind]
    return {
        "text.color": c,
        "axes.labelcolor": c,
        "xtick.color": c,
        "ytick.color": c,
        "axes.edgecolor": c,
        "figure.facecolor": (0, 0, 0, 0),
        "axes.facecolor": (0, 0, 0, 0),
        "savefig.transparent": True,
    }


MIN_TEXT_KEY = (
    "latent-lab:min-text-px"  # PNG text chunk: the figure's smallest text, in its own pixels
)


def _undrawn_tick_labels(fig: Figure) -> set[int]:
    """The ids of the tick labels of ``fig`` that its axes do not draw: an axis keeps a tick (and
    its labels, visible and laid out where they would be) for a location outside its view (a
    tick at 0.80 below a view from 0.81), and draws only those inside it. Left out of the count of
    overlapping texts: two such labels at the corner where two axes meet "overlapped" in a figure
    that shows neither (the ELBO page's posterior map)."""
    out: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-10 * max(hi - lo, 1e-300)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - eps <= tick.get_loc() <= hi + eps:
                    out.update((id(tick.label1), id(tick.label2)))
    return out


def to_png(fig: Figure | raster.Raster, text_scale: float = 1.0) -> bytes:
    """PNG bytes of a figure (a ``ui.draw.raster.Raster`` is drawn already, its text scaled),
    cropped to what was drawn and at most FIGURE_MAX_PX wide; the figure
    is freed.

    One Agg draw, then the transparent border is cut off with numpy: ``savefig(bbox_inches=
    "tight")`` draws the figure twice (images resampled twice, every text laid out again) to find
    that box, which cost as much as the drawing itself. zlib level 1 takes a third of the default
    level's time and gives files about as small for these mostly flat images.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    pad = 0.1  # inches of margin kept around the drawn content, as bbox_inches="tight" does
    if isinstance(fig, raster.Raster):
        return raster.encode(fig, MIN_TEXT_KEY)
    try:
        if (
            text_scale != 1.0
        ):  # same pixels, fewer inches: every text (in points) is text_scale x larger
            w, h = fig.get_size_inches()
            fig.set_size_inches(w / text_scale, h / text_scale)
        fig.set_dpi(min(FIGURE_DPI * text_scale, FIGURE_MAX_PX / fig.get_figwidth()))
        canvas = FigureCanvasAgg(fig)  # a Figure() comes with a plain canvas: draw with Agg
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())  # (H, W, 4) uint8, straight alpha
        dpi = fig.dpi
        undrawn = _undrawn_tick_labels(fig)
        texts = [
            t
            for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in undrawn
        ]
        sizes = [t.get_fontsize() for t in texts]
        renderer = canvas.get_renderer()
        overlaps = raster.count_overlaps(
            [tuple(t.get_window_extent(renderer).extents) for t in texts]
        )
        min_text_px = (
            min(sizes) * dpi / 72 if sizes else 0.0
        )  # the smallest text, in the PNG's pixels
    finally:
        fig.clear()  # free the artists now (no global figure manager holds it)
    drawn = rgba[..., 3] > 0  # (H, W)
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if len(rows):  # crop to the content plus the margin (an opaque figure keeps its full size)
        m = int(round(pad * dpi))
        rgba = rgba[max(rows[0] - m, 0) : rows[-1] + m + 1, max(cols[0] - m, 0) : cols[-1] + m + 1]
    return _encode(rgba, min_text_px if sizes else 0.0, overlaps)


def _encode(rgba: np.ndarray, min_text_px: float, overlaps: int = 0) -> bytes:
    """RGBA pixels -> PNG bytes (zlib level 1), with the smallest text's size in pixels and the
    pairs of overlapping texts recorded (``MIN_TEXT_KEY``, ``raster.OVERLAPS_KEY``; none for a
    picture without text, a bare mosaic)."""
    from PIL import Image, PngImagePlugin

    buf = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if min_text_px > 0:
        info.add_text(MIN_TEXT_KEY, f"{min_text_px:.1f}")  # read back by the presenter-mode test
        info.add_text(raster.OVERLAPS_KEY, str(overlaps))  # and by tests/test_e2e_text.py
    Image.fromarray(np.ascontiguousarray(rgba), mode="RGBA").save(
        buf, format="png", compress_level=1, pnginfo=info
    )
    return buf.getvalue()


_MPL_LOCK = (
    threading.Lock()
)  # rcParams are process-global: one figure is styled and drawn at a time


class Lazy:
    """An argument of a figure builder that is computed only on a cache miss, and *outside* the
    drawing lock: decoding a grid of codes, say, so that a session decoding does not hold up every
    other session's figures. Identified in cache keys by its function and arguments (``lazy``)."""

    __slots__ = ("fn", "args")

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        self.fn, self.args = fn, args

    def value(self) -> Any:
        return self.fn(*self.args)


def lazy(fn: Callable[..., Any], *args: Any) -> Lazy:
    """``fn(*args)``, evaluated when (and only when) the figure it feeds has to be drawn."""
    return Lazy(fn, args)


def _resolve(value: Any) -> Any:
    return value.value() if isinstance(value, Lazy) else value


def fingerprint(value: Any) -> Any:
    """An exact, small, hashable stand-in for a builder's argument: arrays become (shape, dtype,
    BLAKE2 digest of their bytes); a DataFrame, its columns' names, dtypes and values so; containers
    and dataclass instances are walked; other values are kept as they are.
    (Streamlit's own hashing samples arrays of 500,000 elements or more; this does not.)"""
    if isinstance(value, np.ndarray):
        a = np.ascontiguousarray(value)
        return (
            "ndarray",
            a.shape,
            a.dtype.str,
            hashlib.blake2b(a.tobytes(), digest_size=16).hexdigest(),
        )
    if isinstance(
        value, pd.DataFrame
    ):  # by its columns' values: 3x faster than Streamlit's own hashing
        return (
            "DataFrame",
            tuple(map(str, value.columns)),
            tuple(map(str, value.dtypes)),
            tuple(fingerprint(_column_values(value[c])) for c in value.columns),
        )
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, fingerprint(v)) for k, v in value.items()))
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, Lazy):
        return ("lazy", builder_id(value.fn), fingerprint(value.args))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # a frozen dataclass of what is drawn (say png_figures.PosteriorDrawn): by its fields
        fields = tuple(getattr(value, f.name) for f in dataclasses.fields(value))
        return (type(value).__qualname__, fingerprint(fields))
    return value


def _column_values(col: pd.Series) -> np.ndarray:
    """A column's values as a plain NumPy array (text as fixed-width unicode), for
    ``fingerprint``."""
    if col.dtype.kind in "biufcmM":
        return np.ascontiguousarray(col.to_numpy())
    return np.asarray(col.to_numpy(dtype=object), dtype="U")


def builder_id(fn: Callable[..., Any]) -> str:
    """A function's identity in cache keys: its file and qualified name, the same on every run of a
    page (a page's functions are new objects on each run)."""
    code = getattr(fn, "__code__", None)  # a builtin (a bound method of a list, say) has none
    where = code.co_filename if code is not None else getattr(fn, "__module__", None) or "builtin"
    return f"{where}:{getattr(fn, '__qualname__', repr(fn))}"


@dataclasses.dataclass(frozen=True, eq=False)
class _Drawing:
    """One call of a pure builder, in the theme and mode of this run, as the figure and chart caches
    take it: keyed by ``key()``, the call itself passed to them unhashed."""

    build: Callable[..., Any]
    args: tuple
    kwargs: dict[str, Any]
    kind: str  # the theme it is drawn in, "light" or "dark" (``theme``)
    present: bool  # drawn for presenter mode (``presenting``)

    def key(self) -> tuple[str, str, bool, Any]:
        """The builder by its file and name, the theme, the mode, the arguments by value."""
        args = fingerprint((self.args, self.kwargs))
        return builder_id(self.build), self.kind, self.present, args


@st.cache_data(max_entries=FIGURE_CACHE_ENTRIES, show_spinner=False)
def _cached_png(key: tuple[str, str, bool, Any], _d: _Drawing) -> bytes:
    args = tuple(_resolve(a) for a in _d.args)  # decoding and other heavy inputs: outside the lock
    kwargs = {k: _resolve(v) for k, v in _d.kwargs.items()}
    with _MPL_LOCK, matplotlib.rc_context(_rc(_d.kind)), as_theme(_d.kind), as_present(_d.present):
        return to_png(_d.build(*args, **kwargs), PRESENT_TEXT_SCALE if _d.present else 1.0)


def png(build: Callable[..., Figure], *args: Any, **kwargs: Any) -> bytes:
    """PNG of ``build(*args, **kwargs)`` in the current theme, drawn once per distinct input.

    ``build`` must be a pure function of its arguments: it is identified by its file and name,
    its arguments by value (``fingerprint``). Expensive inputs (decoding a grid, say) are passed
    as ``lazy(fn, *args)``: computed only on a cache miss, and outside the drawing lock.
    """
    d = _Drawing(build, args, kwargs, theme(), presenting())
    return _cached_png(d.key(), d)


def opaque(png_data: bytes, background: str = "#ffffff") -> bytes:
    """A PNG with its transparent background filled (a download must read on a white slide too)."""
    from PIL import Image, ImageColor

    im = Image.open(io.BytesIO(png_data)).convert("RGBA")
    flat = Image.new("RGBA", im.size, ImageColor.getrgb(background) + (255,))
    flat.alpha_composite(im)
    buf = io.BytesIO()
    flat.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def phone_box(png_data: bytes, alt: str, parent: Any) -> Any:
    """Where ``show`` puts a figure: for a figure with text, a container keyed
    ``figw<W>-<digest>`` inside ``parent``, so that on a phone the page's CSS keeps it W px wide
    (its smallest text at 10 pt) and lets it scroll sideways in its own box
    (``style.phone_figure_width``, ``style.PHONE_FIGURE_CSS``); else ``parent`` itself. The digest
    of the picture and its text alternative makes the key unique on a page; the very same figure
    shown twice on one page goes without the box the second time."""
    try:
        natural, text_px = raster.png_text_facts(png_data, MIN_TEXT_KEY)
    except ValueError:
        return parent
    width = style.phone_figure_width(natural, text_px)
    if width is None:
        return parent
    digest = hashlib.blake2b(png_data + alt.encode(), digest_size=8).hexdigest()
    try:
        return parent.container(key=f"figw{width}-{digest}")
    except st.errors.StreamlitDuplicateElementKey:
        return parent


def show(
    png_data: bytes,
    st_container=None,
    caption: str | None = None,
    natural: bool = False,
    *,
    alt: str,
) -> None:
    """Show a figure's PNG (from ``png``) at the container's width, or with ``natural`` at its own
    size (one PNG pixel per CSS pixel, so its text is as large as its points say) when narrower.
    ``alt``: its text alternative, what it shows in this setting (``ui.draw.alt_text``; WCAG
    1.1.1)."""
    where = phone_box(png_data, alt, st_container or st)
    # output_format="PNG": with "auto", Streamlit opens the PNG, calls one without an alpha channel
    # (an 8-bit mosaic) a JPEG and re-encodes it, on every run (10-50 ms each, and blurred)
    where.image(
        png_data,
        width="content" if natural else "stretch",
        caption=caption,
        output_format="PNG",
        alt=alt,
    )


# --- Altair charts, converted to Vega-Lite once per distinct input
# ------------------------------------
#
# Building an Altair chart (every encoding resolved against the Vega-Lite schema) and converting it
# with ``to_dict`` cost 10-60 ms of CPU per chart on every run, more than anything else on most
# pages.
# ``spec(build, *args)`` does both once per distinct input and theme and keeps the result: the dict
# ``st.altair_chart`` itself would send, datasets already serialised to Arrow by Streamlit's own
# converter. ``draw`` sends it with ``st.vega_lite_chart``, which is what ``st.altair_chart`` calls
# after converting. Overlays that move on every run (a marker at the current code) are small specs
# built once and given their rows with ``with_data``, then layered on with ``overlay``.


def _to_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec ``st.altair_chart`` sends for ``chart`` (datasets as Arrow bytes)."""
    return compat.altair_to_vega_lite(chart)


@st.cache_data(max_entries=CHART_CACHE_ENTRIES, show_spinner=False)
def _cached_spec(key: tuple[str, str, bool, Any], _d: _Drawing) -> dict[str, Any]:
    args = tuple(_resolve(a) for a in _d.args)  # a ``lazy`` input (a model's codes frame, say)
    kwargs = {k: _resolve(v) for k, v in _d.kwargs.items()}
    with as_theme(_d.kind), as_present(_d.present):
        return _to_spec(_d.build(*args, **kwargs))


def spec(build: Callable[..., alt.TopLevelMixin], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The Vega-Lite spec of the Altair chart ``build(*args, **kwargs)`` in the current theme, built
    once per distinct input (same rules as ``png``: a pure builder, arguments keyed by value, a
    ``lazy`` one by its function and arguments). Each call returns a fresh copy, so it may be
    changed."""
    d = _Drawing(build, args, kwargs, theme(), presenting())
    return _cached_spec(d.key(), d)


# the legend-bound selection of a digit scatter (``altair_charts.scatter``): browser-side only
DIGIT_PICK = "digit_pick"
_TOP_ONLY = (
    "$schema",
    "config",
    "usermeta",
    "datasets",
    "width",
    "height",
    "title",
    "autosize",
    "padding",
    "background",
)


def _layers(part: dict[str, Any]) -> list[dict[str, Any]]:
    """The layers of a unit or layer spec, each with its own data reference."""
    if "layer" in part:
        return [
            ({"data": part["data"], **layer} if "data" in part and "data" not in layer else layer)
            for layer in part["layer"]
        ]
    return [{k: v for k, v in part.items() if k not in _TOP_ONLY}]


def overlay(base: dict[str, Any], *parts: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the layers of ``parts`` drawn on top (as Altair's ``+`` would), datasets
    merged."""
    top = [k for k in base if k in _TOP_ONLY or ("layer" in base and k not in ("layer", "data"))]
    out = {k: base[k] for k in top}
    out["layer"] = _layers(base) + [layer for part in parts for layer in _layers(part)]
    out["datasets"] = {**base.get("datasets", {})}
    for part in parts:
        out["datasets"].update(part.get("datasets", {}))
    return out


def with_data(part: dict[str, Any], rows: pd.DataFrame | bytes) -> dict[str, Any]:
    """A spec with one dataset (a small overlay built from a template frame) given other rows of the
    same columns; Streamlit serialises a DataFrame dataset itself, and sends Arrow bytes as they
    are."""
    (name,) = part["datasets"]
    return {**part, "datasets": {name: rows}}


def slot(name: str) -> alt.Data:
    """A chart's data that changes from run to run (a seed's samples, a clicked point), named, so
    that the chart's spec is built once per distinct fixed input (``spec``) and ``fill`` gives it
    this run's rows. A layer over ``slot`` data types its encodings itself (``"x:Q"``)."""
    return alt.Data(name=f"slot-{name}")


def fill(chart_spec: dict[str, Any], **rows: pd.DataFrame) -> dict[str, Any]:
    """A spec from ``spec`` whose ``slot`` datasets are given these rows (by slot name); Streamlit
    serialises a DataFrame dataset itself."""
    return {
        **chart_spec,
        "datasets": {**chart_spec.get("datasets", {}), **{f"slot-{k}": v for k, v in rows.items()}},
    }


def _selections(part: dict[str, Any]) -> list[str]:
    """The names of the selection parameters anywhere in a spec (top level, layers,
    concatenations)."""
    names = [p["name"] for p in part.get("params", []) if "select" in p]
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in part.get(key, []):
            names += _selections(sub)
    return names


PHONE_MARGIN_PX = 32  # the page's padding on a phone, both sides together (Streamlit's 1 rem each)
PHONE_AXES_PX = 90  # room a chart's y axis (labels and title) takes beside its plot, phone fonts


def _legend_px(part: dict[str, Any]) -> float:
    """Room a spec's legends (any layer's) take beside the plot with phone fonts: the symbol and
    the longest of the title and the scale's labels (7.6 px a character at 14 px); 0 without one."""
    widest = 0.0
    for key in ("color", "fill", "shape"):
        enc = part.get("encoding", {}).get(key)
        if isinstance(enc, dict) and "field" in enc and enc.get("legend", {}) is not None:
            words = [
                str(enc.get("title") or enc["field"]),
                *map(str, enc.get("scale", {}).get("domain", [])),
            ]
            widest = max(widest, 32 + 7.6 * max(len(w) for w in words))
    return max([widest, *(_legend_px(sub) for sub in part.get("layer", []))])


PHONE_TITLE_CHARS = (
    44  # a chart title's line on a phone: 16 px bold text (about 8 px a character) across 358 px
)


def _phone_title(title: Any) -> Any:
    """A chart's title that wraps on a phone (a canvas title does not wrap, and a long one widens
    the
    chart past the screen): its text, as a Vega expression, lines of at most PHONE_TITLE_CHARS
    there."""
    import json
    import textwrap

    params = dict(title) if isinstance(title, dict) else {"text": title}
    text = params.get("text")
    if not isinstance(text, str) or len(text) <= PHONE_TITLE_CHARS:
        return title
    lines = textwrap.wrap(text, PHONE_TITLE_CHARS)
    return {
        **params,
        "text": {
            "expr": f"{ON_PHONE} ? {json.dumps(lines, ensure_ascii=False)} : "
            f"{json.dumps(text, ensure_ascii=False)}"
        },
    }  # the desktop text as written


def phone_size(chart_spec: dict[str, Any], present: bool = False) -> dict[str, Any]:
    """A chart of fixed width (a square map, a mosaic) as wide as a phone's screen allows, where the
    page's script would otherwise scale it down and its text with it (``ui.page.frame.FIT_JS``): its
    plot's width (and height, in proportion) becomes a Vega expression of the window's width,
    unchanged on a wider window (Vega merges a spec's ``width`` / ``height`` signal with its own).
    A long title wraps there (``_phone_title``). In presenter mode (``present``) the page's margin
    and the chart's text are larger (``PRESENT_TEXT_SCALE``, ``PRESENT_FONT_PX``), and so is the
    room
    left for them."""
    if "title" in chart_spec:
        chart_spec = {**chart_spec, "title": _phone_title(chart_spec["title"])}
    if any(
        "title" in layer for layer in chart_spec.get("layer", [])
    ):  # an overlay keeps a layer's title
        chart_spec = {
            **chart_spec,
            "layer": [
                {**layer, "title": _phone_title(layer["title"])} if "title" in layer else layer
                for layer in chart_spec["layer"]
            ],
        }
    w, h = chart_spec.get("width"), chart_spec.get("height")
    if not isinstance(w, (int, float)) or isinstance(w, bool):
        return chart_spec
    size = chart_spec.get("autosize")
    margin, text = (
        (PHONE_MARGIN_PX * PRESENT_TEXT_SCALE, PRESENT_FONT_PX / MIN_FONT_PX)
        if present
        else (PHONE_MARGIN_PX, 1.0)
    )
    if (
        isinstance(size, dict) and size.get("type") == "pad"
    ):  # ``width``: the plot's, axes and legend around it
        room = round(margin + text * (PHONE_AXES_PX + _legend_px(chart_spec)))
    else:  # Streamlit's "fit": ``width`` holds axes and legend too
        room = round(margin)
    sized = [
        {
            "name": "width",
            "expr": f"{ON_PHONE} ? min({w:g}, max(160, windowSize()[0] - {room})) : {w:g}",
        }
    ]
    if isinstance(h, (int, float)):
        sized.append({"name": "height", "expr": f"round(width * {h / w:.6g})"})
    return {**chart_spec, "params": [*chart_spec.get("params", []), *sized]}


def draw(
    chart_spec: dict[str, Any], where: Any = None, *, alt: str | None = None, **kwargs: Any
) -> Any:
    """Show a spec from ``spec`` / ``overlay`` (``kwargs`` as for ``st.altair_chart``: key, width,
    on_select, selection_mode, ...). ``alt``: what the chart shows in this setting, in words from
    the
    same numbers (``ui.draw.alt_text``), the chart's accessible name (Streamlit sets it as the Vega
    view's
    description, which Vega gives the chart's element as its ``aria-label``, role graphics-document;
    WCAG 1.1.1); without it, the spec's own top-level ``description`` is that name. One of the two
    is
    required. A chart of fixed width fits a phone (``phone_size``). A chart that reports selections
    reports the page's own, not the legend's digit pick (``DIGIT_PICK``), which stays in the browser
    and costs no rerun."""
    if not (alt or "").strip() and not str(chart_spec.get("description") or "").strip():
        raise ValueError("a chart needs a description: alt=..., or the spec's own description")
    if kwargs.get("on_select", "ignore") != "ignore" and "selection_mode" not in kwargs:
        own = [n for n in dict.fromkeys(_selections(chart_spec)) if n != DIGIT_PICK]
        if own and len(own) < len(dict.fromkeys(_selections(chart_spec))):
            kwargs["selection_mode"] = own
    if (
        alt is not None
    ):  # it replaces the spec's own description (Streamlit warns when both are there)
        kwargs["alt"] = alt
        chart_spec = {k: v for k, v in chart_spec.items() if k != "description"}
    return (where or st).vega_lite_chart(spec=phone_size(chart_spec, presenting()), **kwargs)
