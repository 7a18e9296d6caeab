"""Rows of images with their captions drawn straight into pixels with Pillow.

A strip of decoded digits with a caption under each is the picture a seed or a click changes on
most pages, so it is drawn for nearly every control move. Matplotlib took 0.05-0.15 s of server
CPU per strip (a figure, its texts laid out, an Agg draw); the same picture drawn here costs a few
milliseconds: the images are tiled at MNIST's own resolution, enlarged with nearest-neighbour
sampling (crisp pixels, as ``imshow(interpolation="nearest")``), and the texts are drawn with
Pillow in DejaVu Sans, the font Matplotlib ships and uses, at the size in points a figure would
give them at ``FIGURE_DPI``. ``charts.to_png`` turns a :class:`Raster` into the PNG it shows.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ui.draw.style import (
    FIGURE_DPI,
    FIGURE_MAX_PX,
    MIN_TEXT_PT,
    MOSAIC_TILE,
    PAGE_PX,
    TILE_PX,
    fit_inches,
)


@dataclass(frozen=True)
class Raster:
    """A finished picture: RGBA pixels on a transparent background, and its smallest text in pixels
    (0 when it has none), which ``charts.to_png`` records in the PNG like a figure's."""

    rgba: np.ndarray  # (H, W, 4) uint8
    min_text_px: float  # the smallest text drawn, in the picture's own pixels
    overlaps: int = 0  # pairs of texts whose boxes overlap ("test #8567test #6356"): should be 0


def count_overlaps(boxes: list[tuple[float, float, float, float]], slack: float = 0.5) -> int:
    """How many pairs of text boxes (x0, y0, x1, y1) overlap by more than ``slack`` pixels both
    ways (boxes that only touch do not count): text that runs into other text."""
    n = 0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            n += w > slack and h > slack
    return n


@lru_cache(maxsize=32)
def _font(px: int, bold: bool = False):
    """DejaVu Sans at ``px`` pixels, from Matplotlib's own fonts (no system font needed)."""
    import matplotlib
    from PIL import ImageFont

    ttf = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / ttf), px)


@lru_cache(maxsize=8)
def _lut(cmap: str, vmax_key: float) -> np.ndarray:
    """A colour map as a (256, 4) uint8 table over 0 .. 1 (values are scaled by vmax first)."""
    import matplotlib

    return np.round(matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, 256)) * 255).astype(np.uint8)


def _rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor

    return ImageColor.getrgb(colour)[:3]


def rows(
    blocks: list[np.ndarray],
    row_names: list[str] | None,
    captions: list[list[str]] | None,
    size: float,
    cmap: str,
    vmax: float,
    ink: str,
    title: str = "",
    fontsize: float | None = None,
    marks: list[list[bool]] | None = None,
    mark_colour: str = "#e8590c",
    text_scale: float = 1.0,
    fit: float | None = None,
) -> Raster:
    """Rows of images (each (n_i, 28, 28) in [0, vmax]), every image ``size`` inches wide at
    ``FIGURE_DPI`` (less when the picture would pass ``FIGURE_MAX_PX``), a caption under each,
    the row names on the left, an optional title; ``marks`` frames flagged images (and colours
    their captions) in ``mark_colour``. Text sizes are in points (``fontsize``, or 10: never under
    MIN_TEXT_PT), times ``text_scale`` (presenter mode). The whole is at most ``fit`` inches wide
    (the images narrower if need be; by default the page's column, ``style.fit_inches``), so that
    its text reads at its size in points where it is shown."""
    from PIL import Image, ImageDraw

    n = max(len(b) for b in blocks)
    cap_h = 10  # native pixels of caption space under a captioned row (as the figure had), or more
    name_pt = cap_pt = max(fontsize or MIN_TEXT_PT, MIN_TEXT_PT)
    # the row names' room: their widest line as drawn (in inches, whatever the pixels per inch)
    f_ref = _font(round(name_pt * text_scale * FIGURE_DPI / 72))
    longest = max(
        (f_ref.getlength(ln) for nm in row_names or [] for ln in nm.split("\n")), default=0
    )
    # and the gap between a name and its row (4 native pixels), at most as wide as at ``size``
    left_in = longest / FIGURE_DPI + 0.1 + 4 / MOSAIC_TILE * size if row_names else 0.1
    title_in = 0.35 * text_scale if title else 0.0
    fit = fit_inches(PAGE_PX) if fit is None else fit
    # fits its column, so its text reads at its points as shown (a tenth of an inch at least)
    size = max(0.1, min(size, (fit - left_in - 0.1) / n))
    width_in = size * n + left_in + 0.1  # and the right margin
    # pixels per inch: no wider than FIGURE_MAX_PX, which Streamlit would resample and re-encode
    ppi = min(float(FIGURE_DPI), (FIGURE_MAX_PX - 2) / width_in)
    scale = size * ppi / MOSAIC_TILE  # output pixels per native pixel (a tile and its gap: 29 px)
    if captions:  # a caption wider than its image, less half a space each side, in lines
        f_cap = _font(max(1, round(cap_pt * text_scale * ppi / 72)))
        room = size * ppi - 0.3 * f_cap.size - 1
        captions = [
            ["\n".join(w for ln in c.split("\n") for w in _wrap(ln, f_cap, room)) for c in row]
            for row in captions
        ]
    if captions:  # room for the longest caption's lines (as text laid out at this size would take)
        lines = max((len(c.split("\n")) for row in captions for c in row), default=1)
        cap_h = max(cap_h, int(np.ceil(lines * cap_pt * text_scale * 1.2 * ppi / 72 / scale)) + 1)
    left_px, top_px = (
        round(left_in * ppi),
        round((title_in + 0.03) * ppi),
    )  # room for a mark's frame
    has_cap = [bool(captions and i < len(captions) and captions[i]) for i in range(len(blocks))]
    tops = np.cumsum(
        [0] + [TILE_PX + (cap_h if c else 0) + 1 for c in has_cap]
    )  # native y of each row
    lut = _lut(cmap, vmax)
    native = np.zeros((int(tops[-1]), n * MOSAIC_TILE - 1, 4), dtype=np.uint8)  # transparent
    for i, b in enumerate(blocks):
        for c, im in enumerate(np.asarray(b, dtype=np.float32)):
            v = np.clip(np.nan_to_num(im, nan=0.0) / vmax, 0.0, 1.0)
            native[tops[i] : tops[i] + TILE_PX, c * MOSAIC_TILE : c * MOSAIC_TILE + TILE_PX] = lut[
                np.round(v * 255).astype(np.uint8)
            ]
    body = Image.fromarray(native, "RGBA").resize(
        (round(native.shape[1] * scale), round(native.shape[0] * scale)), Image.Resampling.NEAREST
    )
    canvas = Image.new(
        "RGBA", (left_px + body.width + round(0.1 * ppi), top_px + body.height), (0, 0, 0, 0)
    )
    canvas.paste(body, (left_px, top_px))
    draw = ImageDraw.Draw(canvas)
    px = lambda pt: max(1, round(pt * text_scale * ppi / 72))  # noqa: E731 - points -> pixels
    sizes: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []  # every line of text drawn, for overlaps
    ink_rgb, mark_rgb = _rgb(ink), _rgb(mark_colour)

    def text(
        x: float, y: float, s: str, pt: float, anchor: str, fill: tuple[int, int, int]
    ) -> None:
        if not s.strip():
            return
        lines = s.split("\n")
        f = _font(px(pt))
        step = px(pt) * 1.2
        y0 = y - step * (len(lines) - 1) / 2 if anchor[1] == "m" else y
        for k, line in enumerate(lines):
            draw.text((x, y0 + k * step), line, font=f, fill=fill + (255,), anchor=anchor)
            if line.strip():  # its ink's box, and half a space of room each side: texts that
                # only touch ("the imagedecoder(μ)") read as one
                x0, y_0, x1, y_1 = draw.textbbox((x, y0 + k * step), line, font=f, anchor=anchor)
                room = 0.15 * px(pt)
                boxes.append((x0 - room, y_0, x1 + room, y_1))
        sizes.append(px(pt))

    for i in range(len(blocks)):
        y_img = top_px + tops[i] * scale
        if row_names:
            text(left_px - 4 * scale, y_img + 14 * scale, row_names[i], name_pt, "rm", ink_rgb)
        flagged = marks[i] if marks and i < len(marks) else []
        for c, flag in enumerate(flagged):
            if flag:
                x0 = left_px + c * MOSAIC_TILE * scale
                draw.rectangle(
                    (x0 - scale / 2, y_img - scale / 2, x0 + 28.5 * scale, y_img + 28.5 * scale),
                    outline=mark_rgb + (255,),
                    width=max(2, round(2.5 * ppi / 72)),
                )
        if has_cap[i]:
            for c, s in enumerate(captions[i]):
                colour = mark_rgb if c < len(flagged) and flagged[c] else ink_rgb
                text(
                    left_px + (c * MOSAIC_TILE + 14) * scale,
                    y_img + (28 + cap_h / 2 + 0.5) * scale,
                    s,
                    cap_pt,
                    "mm",
                    colour,
                )
    if title:
        text(canvas.width / 2, top_px / 2, title, 10, "mm", ink_rgb)
    return Raster(np.asarray(canvas), float(min(sizes)) if sizes else 0.0, count_overlaps(boxes))


def mosaic(
    images: np.ndarray,
    nrows: int,
    ncols: int,
    size: float,
    cmap: str,
    ink: str,
    title: str = "",
    text_scale: float = 1.0,
    fit: float | None = None,
) -> Raster:
    """An image mosaic without axes (row-major, top row first), ``size`` inches wide (at most
    ``fit``, as ``rows``), with an optional title (10 pt times ``text_scale``)."""
    imgs = np.asarray(images, dtype=np.float32)
    blocks = [imgs[r * ncols : (r + 1) * ncols] for r in range(nrows)]
    return rows(
        [b for b in blocks if len(b)],
        None,
        None,
        size / ncols,
        cmap,
        1.0,
        ink,
        title,
        text_scale=text_scale,
        fit=fit,
    )


def _wrap(text: str, font, width: float) -> list[str]:
    """``text`` in lines at most ``width`` pixels wide in ``font``, broken at its spaces or before
    a group in parentheses, which stays whole ("per-pixel std" / "(mean 0.008)", "decoder" /
    "(μ)"); a word or group wider than that stays whole too."""
    import re

    lines: list[str] = []
    for m in re.finditer(r"(\s*)(\([^)]*\)\S*|[^\s(]+|\()", text):
        space, word = m.groups()
        joined = f"{lines[-1]}{' ' if space else ''}{word}" if lines else word
        if lines and font.getlength(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


def heatmap(
    img: np.ndarray,
    cmap: str,
    vmax: float,
    ink: str,
    title: str,
    ticks: list[tuple[float, str]],
    bar_label: str = "",
    text_scale: float = 1.0,
    size: float = 1.8,
    fit: float | None = None,
) -> Raster:
    """One (28, 28) map on the fixed scale 0 .. ``vmax`` in ``cmap``, ``size`` inches wide, with
    its title above and a colour bar on the right labelled at ``ticks`` ((value, text) pairs) and
    ``bar_label``; all text 10 pt times ``text_scale``. Two maps drawn with one ``vmax`` compare.
    The whole is at most ``fit`` inches wide (as ``rows``): the map narrower, the title in lines."""
    from PIL import Image, ImageDraw

    ppi = float(FIGURE_DPI)
    pt = MIN_TEXT_PT * text_scale
    f = _font(max(1, round(pt * ppi / 72)))
    fpx = f.size
    bar_w, gap = round(0.12 * ppi), round(0.1 * ppi)
    label_w = max(round(f.getlength(t)) for _, t in ticks) + gap
    extra = (round(1.3 * fpx) + gap) if bar_label else 0
    room = round((fit_inches(PAGE_PX) if fit is None else fit) * ppi)  # the most pixels across
    side = max(
        round(0.5 * ppi), min(round(size * ppi), room - (gap + bar_w + gap + label_w + extra))
    )
    lines = _wrap(title, f, max(room - 4, side + gap + bar_w + gap + label_w + extra))
    step = round(fpx * 1.2)
    top = round(fpx * 1.8) + step * (len(lines) - 1)
    lut = _lut(cmap, vmax)
    v = np.clip(np.nan_to_num(np.asarray(img, dtype=np.float32), nan=0.0) / vmax, 0.0, 1.0)
    body = Image.fromarray(lut[np.round(v * 255).astype(np.uint8)], "RGBA").resize(
        (side, side), Image.Resampling.NEAREST
    )
    width = max(
        side + gap + bar_w + gap + label_w + extra, max(round(f.getlength(t)) for t in lines) + 4
    )
    canvas = Image.new("RGBA", (width, top + side + fpx // 2 + 2), (0, 0, 0, 0))
    canvas.paste(body, (0, top))
    ramp = lut[np.linspace(255, 0, side).round().astype(np.uint8)][
        :, None, :
    ]  # (side, 1, 4), top = vmax
    canvas.paste(Image.fromarray(np.repeat(ramp, bar_w, axis=1), "RGBA"), (side + gap, top))
    draw = ImageDraw.Draw(canvas)
    fill = _rgb(ink) + (255,)
    draw.rectangle((side + gap, top, side + gap + bar_w - 1, top + side - 1), outline=fill, width=1)
    # over the map, unless a line is wider: then from the left edge, never cut off
    for k, line in enumerate(lines):
        y = round(fpx * 0.9) + k * step
        draw.text(
            (max(side / 2, f.getlength(line) / 2 + 2), y), line, font=f, fill=fill, anchor="mm"
        )
    x_tick = side + gap + bar_w
    for value, label in ticks:
        y = top + (1 - value / vmax) * (side - 1)
        draw.line((x_tick, y, x_tick + gap // 2, y), fill=fill, width=1)
        draw.text((x_tick + gap, y), label, font=f, fill=fill, anchor="lm")
    if bar_label:
        lab = Image.new("RGBA", (round(f.getlength(bar_label)) + 4, round(fpx * 1.3)), (0, 0, 0, 0))
        ImageDraw.Draw(lab).text((2, 0), bar_label, font=f, fill=fill, anchor="la")
        rot = lab.rotate(90, expand=True)
        canvas.alpha_composite(rot, (x_tick + label_w + gap // 2, top + (side - rot.height) // 2))
    return Raster(np.asarray(canvas), float(fpx))


OVERLAPS_KEY = "latent-lab:text-overlaps"  # PNG text chunk: pairs of texts that overlap


def encode(picture: Raster, text_key: str) -> bytes:
    """The PNG of a picture (RGBA, 8 bits), its smallest text recorded under ``text_key`` (none for
    a
    picture without text). Every row is "Up"-filtered with numpy and the whole compressed once at
    zlib level 1: about 60 % of the CPU of Pillow's encoder (which picks a filter row by row) for a
    file about as small, the same pixels."""
    rgba = np.ascontiguousarray(picture.rgba, dtype=np.uint8)  # (H, W, 4)
    h, w = rgba.shape[:2]
    flat = rgba.reshape(h, w * 4)
    body = np.empty((h, w * 4 + 1), dtype=np.uint8)
    body[:, 0] = (
        2  # filter type Up: each byte minus the one above it (the first row: above it, zeros)
    )
    body[0, 1:] = flat[0]
    np.subtract(flat[1:], flat[:-1], out=body[1:, 1:])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    text = (
        chunk(b"tEXt", text_key.encode("latin-1") + b"\0" + f"{picture.min_text_px:.1f}".encode())
        + chunk(b"tEXt", OVERLAPS_KEY.encode("latin-1") + b"\0" + str(picture.overlaps).encode())
        if picture.min_text_px > 0
        else b""
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + text
        + chunk(b"IDAT", zlib.compress(body.data, 1))
        + chunk(b"IEND", b"")
    )


def png_text_facts(png: bytes, text_key: str) -> tuple[int, float]:
    """(width in pixels, smallest text in pixels) of a PNG that ``encode`` or ``render.to_png``
    wrote: read from its header and its text chunks, which come before the image data (no
    decoding; a few microseconds). The text is 0.0 for a picture without text or a PNG from
    elsewhere; ``ValueError`` for bytes that are not a PNG."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width = struct.unpack(">I", png[16:20])[0]
    at, key = 8, text_key.encode("latin-1") + b"\0"
    while at + 8 <= len(png):
        size, kind = struct.unpack(">I", png[at : at + 4])[0], png[at + 4 : at + 8]
        if kind == b"IDAT":
            break
        data = png[at + 8 : at + 8 + size]
        if kind == b"tEXt" and data.startswith(key):
            try:
                return width, float(data[len(key) :].decode("latin-1"))
            except ValueError:
                break
        at += 12 + size
    return width, 0.0
