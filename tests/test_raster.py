"""ui.draw.raster: rows of digits with captions drawn with Pillow, as render.png shows them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ui.draw import png_figures, raster, render
from ui.draw.style import CHANGED_COLOR, FIGURE_DPI, FIGURE_MAX_PX, INK


def _imgs(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 28, 28)).astype(np.float32)


def _png(r: raster.Raster) -> Image.Image:
    return Image.open(io.BytesIO(render.to_png(r)))


def test_rows_put_each_image_crisp_and_transparent_around():
    x = np.zeros((2, 28, 28), dtype=np.float32)
    x[1] = 1.0  # a white image beside a black one
    r = raster.rows([x], None, None, 1.0, "gray", 1.0, INK["light"])
    a = r.rgba
    assert a.dtype == np.uint8 and a.shape[2] == 4
    assert a[0, 0, 3] == 0  # transparent margin: reads on light and dark pages
    opaque = a[..., 3] == 255
    assert (a[opaque][:, :3] == 0).all(axis=1).any() and (a[opaque][:, :3] == 255).all(axis=1).any()
    # two images of 1 inch each at FIGURE_DPI: about 2 x 150 px of pixels across
    cols = np.flatnonzero(opaque.any(axis=0))
    assert abs((cols[-1] - cols[0] + 1) - 2 * FIGURE_DPI) < FIGURE_DPI * 0.1


def test_captions_are_recorded_at_their_size_in_points():
    r = raster.rows(
        [_imgs(3)], ["row"], [["a", "b", "c"]], 1.0, "gray", 1.0, INK["light"], fontsize=10
    )
    assert r.min_text_px == round(10 * FIGURE_DPI / 72)
    im = _png(r)
    assert (
        float(im.text[render.MIN_TEXT_KEY]) == r.min_text_px
    )  # read back by the presenter-mode test
    big = raster.rows(
        [_imgs(3)],
        ["row"],
        [["a", "b", "c"]],
        1.0,
        "gray",
        1.0,
        INK["light"],
        fontsize=10,
        text_scale=1.35,
    )
    assert big.min_text_px > r.min_text_px  # presenter mode: larger text, same pixels per image


def test_a_picture_is_never_wider_than_streamlit_shows_unresampled():
    r = raster.rows(
        [_imgs(30)],
        ["a long row name"],
        [[str(k) for k in range(30)]],
        1.5,
        "gray",
        1.0,
        INK["dark"],
    )
    assert r.rgba.shape[1] <= FIGURE_MAX_PX


def test_marked_images_are_framed_and_their_captions_coloured():
    rgb = tuple(int(CHANGED_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    plain = raster.rows([_imgs(3)], None, [["x", "y", "z"]], 1.0, "gray", 1.0, INK["light"])
    marked = raster.rows(
        [_imgs(3)],
        None,
        [["x", "y", "z"]],
        1.0,
        "gray",
        1.0,
        INK["light"],
        marks=[[False, True, False]],
        mark_colour=CHANGED_COLOR,
    )

    def orange(a: np.ndarray) -> int:
        return int((np.abs(a[..., :3].astype(int) - rgb).sum(-1) < 40)[a[..., 3] > 200].sum())

    assert orange(plain.rgba) == 0 and orange(marked.rgba) > 100


def test_rows_without_captions_leave_no_caption_space():
    tight = raster.rows([_imgs(2), _imgs(2)], None, None, 1.0, "gray", 1.0, INK["light"])
    spaced = raster.rows(
        [_imgs(2), _imgs(2)], None, [["a", "b"], ["c", "d"]], 1.0, "gray", 1.0, INK["light"]
    )
    assert spaced.rgba.shape[0] > tight.rgba.shape[0]


@pytest.mark.parametrize("kind", ["light", "dark"])
def test_heat_map_has_its_scale_and_the_themes_ink(kind, monkeypatch):
    monkeypatch.setattr(render, "theme", lambda: kind)
    r = png_figures.std_figure(np.full((28, 28), 0.25, dtype=np.float32))
    rgb = tuple(int(INK[kind][i : i + 2], 16) for i in (1, 3, 5))
    a = r.rgba
    ink = (np.abs(a[..., :3].astype(int) - rgb).sum(-1) < 30) & (a[..., 3] > 200)
    assert ink.sum() > 200  # title, tick labels and the bar's outline in the theme's ink
    assert r.min_text_px == round(10 * FIGURE_DPI / 72)


def test_strip_through_charts_png_is_cached_and_a_png():
    a = render.png(png_figures.image_strip, _imgs(4), ["1", "2", "3", "4"])
    assert (
        a.startswith(b"\x89PNG")
        and render.png(png_figures.image_strip, _imgs(4), ["1", "2", "3", "4"]) == a
    )


def test_encode_writes_the_same_pixels_and_the_text_size():
    r = raster.rows(
        [_imgs(3)], ["row"], [["a", "b", "c"]], 1.0, "gray", 1.0, INK["dark"], fontsize=10
    )
    im = Image.open(io.BytesIO(raster.encode(r, render.MIN_TEXT_KEY)))
    assert im.mode == "RGBA" and (np.asarray(im) == r.rgba).all()
    assert float(im.text[render.MIN_TEXT_KEY]) == r.min_text_px
    bare = raster.Raster(r.rgba, 0.0)  # no text: no text chunk
    assert (
        render.MIN_TEXT_KEY
        not in Image.open(io.BytesIO(raster.encode(bare, render.MIN_TEXT_KEY))).text
    )


def test_a_heat_maps_title_wider_than_the_map_is_not_cut_off():
    r = raster.heatmap(
        np.zeros((28, 28)),
        "magma",
        0.5,
        INK["light"],
        "a rather long title over a small map",
        [(0.0, "0"), (0.5, "0.5")],
        size=0.5,
    )
    top = r.rgba[: round(r.min_text_px * 1.8)]
    cols = np.flatnonzero((top[..., 3] > 0).any(axis=0))
    assert cols[0] > 0  # the title's first letter starts inside the picture


def test_overlapping_texts_are_counted():
    """Boxes that overlap count once per pair; boxes that only touch, or lie apart, do not."""
    assert raster.count_overlaps([(0, 0, 10, 10), (5, 5, 15, 15), (20, 0, 30, 10)]) == 1
    assert raster.count_overlaps([(0, 0, 10, 10), (10, 0, 20, 10)]) == 0  # touching
    assert raster.count_overlaps([(0, 0, 10, 10), (2, 2, 8, 8), (4, 4, 6, 6)]) == 3


def test_captions_that_run_into_each_other_are_recorded_in_the_png():
    """Captions wider than their tiles run into their neighbours ("test #8567test #6356"): the
    picture says so (``raster.OVERLAPS_KEY``), and a strip whose captions fit says 0."""
    long = raster.rows(
        [_imgs(4)],
        None,
        [[f"test #{k}856{k}" for k in range(4)]],
        0.4,
        "gray",
        1.0,
        INK["light"],
        fontsize=12,
    )
    short = raster.rows([_imgs(4)], None, [["1", "2", "3", "4"]], 1.0, "gray", 1.0, INK["light"])
    assert long.overlaps >= 3 and short.overlaps == 0
    for r in (long, short):
        assert Image.open(io.BytesIO(render.to_png(r))).text[raster.OVERLAPS_KEY] == str(r.overlaps)


def test_a_matplotlib_figure_records_its_overlapping_texts():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "one label", fontsize=12)
    ax.text(0.52, 0.52, "another label", fontsize=12)  # drawn over the first
    ax.set_axis_off()
    assert int(Image.open(io.BytesIO(render.to_png(fig))).text[raster.OVERLAPS_KEY]) == 1
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.text(0.1, 0.1, "one label", fontsize=12)
    ax.text(0.1, 0.8, "another label", fontsize=12)
    ax.set_axis_off()
    assert Image.open(io.BytesIO(render.to_png(fig))).text[raster.OVERLAPS_KEY] == "0"


def test_tick_labels_an_axis_does_not_draw_are_not_counted():
    """An axis keeps tick labels for its ticks outside the view, laid out where they would be,
    and draws none of them: two of those at the corner where the axes meet ran into each other
    in a figure that shows neither (the ELBO page's posterior map). Only drawn texts count."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    def figure() -> Figure:
        fig = Figure(figsize=(3, 3))
        ax = fig.add_subplot()
        ax.set_xticks([-0.04, 0.5, 1.0])  # -0.04: outside the view, at the bottom-left corner
        ax.set_yticks([-0.04, 0.5, 1.0])
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=14)
        return fig

    fig = figure()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    every = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [tuple(t.get_window_extent(canvas.get_renderer()).extents) for t in every]
    assert raster.count_overlaps(boxes) == 1  # the premise: the two undrawn labels meet
    assert Image.open(io.BytesIO(render.to_png(figure()))).text[raster.OVERLAPS_KEY] == "0"


def _shown_px(r: raster.Raster, shown: float) -> float:
    """A picture's smallest text as shown ``shown`` CSS px wide (stretched to its column)."""
    return r.min_text_px * shown / r.rgba.shape[1]


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("column_px", [167, 255, 445, 940])
def test_a_figure_drawn_for_its_column_reads_at_10_pt_or_more_there(column_px, present):
    """Every picture is drawn for the column it is stretched to at the desktop the pages are
    laid out for (``column_px``; tests/test_e2e_text.py measures them at 1400 px): however many
    images, however long its row names or wide its mosaic, its smallest text as shown is 10 pt
    (13.3 CSS px) or more, in presenter mode too (its column 1.37 x wider, its text larger), and
    no two of its texts overlap."""
    shown = column_px * (render.PRESENT_COLUMN_SCALE if present else 1.0)
    axis = np.linspace(-2.6, 2.6, 15)
    n = 10 if column_px >= 445 else 3
    with render.as_present(present):
        pictures = {
            "rows": png_figures.image_rows(  # ten images in the wide columns, three narrow
                {"original": _imgs(n), "VAE (from μ)": _imgs(n)},
                size=1.2,
                fontsize=9,
                column_px=column_px,
            ),
            "strip": png_figures.image_strip(_imgs(3), ["a", "b", "c"], column_px=column_px),
            "mosaic": png_figures.mosaic_figure(
                _imgs(16), 2, 8, title="samples", size=5.0, column_px=column_px
            ),
            "axes mosaic": png_figures.mosaic_figure(
                _imgs(225),
                15,
                15,
                axis,
                axis,
                "z₁",
                "z₂",
                "A VAE's decoder on a grid of codes over its prior",
                size=4.6,
                column_px=column_px,
            ),
            "heat map": png_figures.std_figure(
                np.full((28, 28), 0.25, dtype=np.float32), column_px=column_px
            ),
        }
    if column_px < 255:  # no room for a 15 x 15 mosaic's axes (its tiles at least 8 px)
        del pictures["axes mosaic"]
    for what, r in pictures.items():
        assert _shown_px(r, shown) >= 13.3, what
        assert r.overlaps == 0, what
    assert pictures["rows"].rgba.shape[1] <= FIGURE_MAX_PX


def test_captions_of_a_strip_in_the_page_read_at_10_pt_as_shown():
    """Ten images with captions across the page's column (940 px): the captions 10 pt as shown
    however large each image was asked to be, and still apart (the AE vs VAE draws' captions)."""
    caps = [[f"(-0.{k}, -1.{k})\nd = 0.{k}21" for k in range(10)]]
    r = png_figures.image_rows({"AE decoder": _imgs(10)}, caps, size=1.2, fontsize=10)
    assert _shown_px(r, 940) >= 13.3 and r.overlaps == 0


def test_a_pair_plot_drawn_for_its_column_reads_at_10_pt_or_more_there():
    """The Matplotlib pair plot (Embeddings, 536 px): sized to its column, every text 10 pt."""
    rng = np.random.default_rng(0)
    fig = png_figures.pair_figure(
        rng.normal(size=(300, 3)), rng.integers(0, 10, 300), [0, 1, 2], (-4.0, 4.0), 536
    )
    im = Image.open(io.BytesIO(render.to_png(fig)))
    assert float(im.text[render.MIN_TEXT_KEY]) * 536 / im.width >= 13.3
    assert im.text[raster.OVERLAPS_KEY] == "0"


def test_a_caption_wider_than_its_image_breaks_into_lines():
    """Captions "148.2 nats" under ten images too narrow for them on one line break at their
    space (two lines, none running into the next: the picture is taller); under wide enough
    images they stay on one line; a group in parentheses stays whole."""

    def picture(size: float, caption: str) -> raster.Raster:
        caps = [[caption.format(k) for k in range(10)]]
        return raster.rows([_imgs(10)], None, caps, size, "gray", 1.0, INK["light"], fontsize=10)

    narrow, narrow_one = picture(0.6, "1{}8.2 nats"), picture(0.6, "{}")
    assert narrow.overlaps == 0 and narrow.rgba.shape[0] > narrow_one.rgba.shape[0]
    wide, wide_one = picture(0.9, "1{}8.2 nats"), picture(0.9, "{}")
    assert wide.overlaps == 0 and wide.rgba.shape[0] == wide_one.rgba.shape[0]
    f = raster._font(21)
    assert raster._wrap("per-pixel std (mean 0.008)", f, 200) == ["per-pixel std", "(mean 0.008)"]
    assert raster._wrap("decoder(μ)", f, 60) == ["decoder", "(μ)"]
    assert raster._wrap("decoder(μ)", f, 600) == ["decoder(μ)"]


def test_a_pngs_width_and_smallest_text_are_read_without_decoding_it():
    """``png_text_facts`` reads what both writers record (Pillow rows, a Matplotlib figure), gives
    0.0 for a PNG without text (a bare picture, another program's), and refuses bytes that are not
    a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    r = raster.rows(
        [_imgs(3)], ["row"], [["a", "b", "c"]], 1.0, "gray", 1.0, INK["dark"], fontsize=10
    )
    assert raster.png_text_facts(raster.encode(r, render.MIN_TEXT_KEY), render.MIN_TEXT_KEY) == (
        r.rgba.shape[1],
        round(r.min_text_px, 1),
    )
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().set_title("a title", fontsize=9)
    png = render.to_png(fig)
    im = Image.open(io.BytesIO(png))
    assert raster.png_text_facts(png, render.MIN_TEXT_KEY) == (
        im.width,
        float(im.text[render.MIN_TEXT_KEY]),
    )
    bare = raster.encode(raster.Raster(r.rgba, 0.0), render.MIN_TEXT_KEY)
    assert raster.png_text_facts(bare, render.MIN_TEXT_KEY) == (r.rgba.shape[1], 0.0)
    buf = io.BytesIO()
    Image.new("RGB", (7, 5)).save(buf, format="png")
    assert raster.png_text_facts(buf.getvalue(), render.MIN_TEXT_KEY) == (7, 0.0)
    with pytest.raises(ValueError):
        raster.png_text_facts(b"GIF89a....", render.MIN_TEXT_KEY)


@pytest.mark.parametrize("natural,text_px", [(1406, 20.8), (668, 21.0), (251, 12.0), (2000, 9.0)])
def test_on_a_phone_a_figure_keeps_the_width_where_its_text_reads_at_10_pt(natural, text_px):
    """The width a phone keeps a figure at (``style.phone_figure_width``): a step of the page's CSS,
    at which its smallest text is 10 pt (13.3 CSS px) or more, and within one step of the least
    such width, up to the widest the CSS has. A figure without text keeps none."""
    from ui.draw import style

    w = style.phone_figure_width(natural, text_px)
    assert w in style.PHONE_FIGURE_WIDTHS
    need = 13.3 * natural / text_px
    if need <= style.PHONE_FIGURE_WIDTHS[-1]:
        assert need <= w < need + style.PHONE_FIGURE_STEP
        assert text_px * w / natural >= 13.3
    else:
        assert w == style.PHONE_FIGURE_WIDTHS[-1]
    assert f'st-key-figw{w}-"] img {{ min-width: {w}px;' in style.PAGE_CSS
    assert style.phone_figure_width(natural, 0.0) is None


def test_show_boxes_a_figure_with_text_for_the_phone():
    """``render.show`` puts a figure with text in a container keyed ``figw<W>-<digest>`` (the
    phone's CSS finds it by that key), a figure without text straight in its parent, and the same
    figure shown twice on a page in its parent the second time (keys are unique on a page)."""
    import streamlit as st

    class Parent:
        def __init__(self):
            self.keys: list[str] = []

        def container(self, key: str):
            if key in self.keys:
                raise st.errors.StreamlitDuplicateElementKey(key)
            self.keys.append(key)
            return ("box", key)

    r = raster.rows(
        [_imgs(3)], ["row"], [["a", "b", "c"]], 1.0, "gray", 1.0, INK["dark"], fontsize=10
    )
    png = raster.encode(r, render.MIN_TEXT_KEY)
    parent = Parent()
    box = render.phone_box(png, "three digits", parent)
    from ui.draw import style

    w = style.phone_figure_width(r.rgba.shape[1], round(r.min_text_px, 1))
    assert box[0] == "box" and box[1].startswith(f"figw{w}-")
    assert render.phone_box(png, "three digits", parent) is parent
    assert render.phone_box(png, "the same digits, another text", parent)[0] == "box"
    bare = raster.encode(raster.Raster(r.rgba, 0.0), render.MIN_TEXT_KEY)
    assert render.phone_box(bare, "a bare mosaic", parent) is parent
