"""Turn an uploaded picture of a digit into an MNIST-like 28x28 input.

Follows the recipe used to make MNIST (LeCun, Bottou, Bengio & Haffner, 1998, and the MNIST
page by LeCun, Cortes & Burges): the digit is size-normalised to fit a 20x20 box while
preserving its aspect ratio, anti-aliased by the resampling, then placed in a 28x28 field so
that its centre of mass lies at the centre. MNIST's digits look shifted by whole pixels: over
the test set the centre of mass is at (14.0, 14.0) (row, column) with a spread of 0.29 px,
that of rounding, so :func:`to_mnist` does the same. Ink is white (1.0) on black (0.0), as in MNIST.

Pure functions on bytes, PIL images and numpy arrays; no streamlit import::

    from vae import preprocess
    x = preprocess.preprocess(uploaded_file.getvalue())    # float32 (28, 28) in [0, 1]
    thumb, x, size = preprocess.read_picture(data)          # + a PNG thumbnail, the picture's size

The bundled example pictures (``assets/examples``, made by ``scripts/make_examples.py``) are
listed by :func:`example_paths`; :func:`example_source` reads which test image each was made from.

Anything that is not a usable picture raises :class:`PreprocessError` (a ``ValueError``)
whose message can be shown to the user as it is.

Steps beyond the bare recipe, each needed for real uploads (photos, scans, drawings):

* uploads are checked before decoding (:data:`MAX_BYTES`, :data:`MAX_PIXELS`, Pillow's
  decompression-bomb guard) and only common raster formats are opened;
* the first frame of an animation is used; the EXIF orientation of phone photos is applied;
* transparency is composited onto white or black so that ink stays ink;
* large pictures are shrunk early (JPEG draft mode, then ``thumbnail``) to at most
  :data:`WORK_SIDE` pixels, so a 20-megapixel photo takes a fraction of a second;
* the paper level is a quadratic surface fitted robustly to the whole picture, from its median
  (paper is most of any picture of a digit, even a tight crop), so a photo lit from one side or
  vignetted (dark corners) keeps a clean background, and a crop framed by a dark edge is not
  taken for dark paper;
* pixels within :data:`INK_THRESHOLD` of the background are set to background (paper texture,
  shading, JPEG noise); a frame, a shadow or the paper's edge along the crop's edges is dropped
  (:func:`_drop_frame`), and so are specks much smaller than the digit, before the bounding box
  is taken;
* strokes that would end up thinner than ``min_stroke`` pixels in the 20x20 box (a thin pen in
  a large photo) are thickened, since MNIST strokes are about 2-3 px wide there;
* the result is rescaled so its brightest pixel is 1.0 (true of every MNIST digit), and the
  centring shift is limited so that the digit is never cut off by the 28x28 edge.
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

__all__ = [
    "PreprocessError",
    "MAX_BYTES",
    "MAX_PIXELS",
    "WORK_SIDE",
    "load_image",
    "to_mnist",
    "preprocess",
    "read_picture",
    "EXAMPLES_DIR",
    "example_paths",
    "example_source",
    "make_example_png",
    "clean_strokes",
]

MAX_BYTES = 20 * 1024 * 1024
"""Largest upload accepted (bytes); checked before anything is decoded."""
MAX_PIXELS = 40_000_000
"""Largest JPEG accepted (width x height), read from the file header before decoding; a JPEG is
decoded at 1/2, 1/4 or 1/8 scale (``draft``), so a 40-megapixel photo costs a few MB."""
MAX_PIXELS_FULL = 9_000_000
"""Largest picture of the other formats, which are decoded at full size: a 16-bit PNG of this size
still costs about 50 MB while it is decoded (at 40 megapixels it was 150-230 MB)."""
MAX_DECODES = 2
"""Pictures decoded at once in one server process; more uploads wait (memory stays bounded)."""
WORK_SIDE = 1024
"""Pictures are shrunk so that their longer side is at most this many pixels."""
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
"""Formats Pillow may try: exactly those the upload widget names (JPEG includes MPO, the
multi-picture JPEGs of phone cameras). Others are refused: no external program ever sees an
upload (EPS, PDF), and a TIFF of 190,000 one-pixel pages cannot cost minutes of CPU."""
_DECODING = threading.BoundedSemaphore(MAX_DECODES)

FIELD = 28  # MNIST field (pixels)
BOX = 20  # the digit's longer side after size normalisation
CENTRE = 14.0  # where MNIST puts the centre of mass (row, column)
INK_THRESHOLD = 0.1  # fraction of the ink contrast below which a pixel is background
MIN_CONTRAST = 16.0  # grey levels (of 255) between background and ink, else "blank"
SPECK_FRACTION = 0.02  # ink blobs with less mass than this fraction of the largest go

PEN = 0.1  # drawn strokes: pen width as a share of the drawing's longer side
# (about 2 px once the drawing is scaled into the 20 px box, like MNIST's strokes)
PAD_SIDE = 280  # drawings are rendered on this square before the MNIST recipe
MAX_STROKES = 200  # a drawing with more strokes (or points) is refused, not slowly drawn
# A digit drawn across the whole pad is a few hundred points (one per 1.5 px of pen travel), so
# 5,000 is many digits' worth; kept checked in a session it is under 1 MB of Python lists.
MAX_POINTS = 5_000
STROKE_DECIMALS = 4  # pad coordinates kept to 1e-4 of its side: 0.03 px on the pad
_MSG_NO_STROKES = "Nothing drawn yet."
_MSG_UNREADABLE = "The drawing could not be read; clear the pad and draw again."
_MSG_EMPTY = "The file is empty."
_MSG_NOT_IMAGE = "This file is not an image Pillow can read (PNG or JPEG expected)."
_MSG_DAMAGED = "The image file is damaged or incomplete, so it could not be read."
_MSG_BLANK = "No digit found: the image looks blank."
_MSG_MODE = "This image uses a colour format that is not supported; please save it as PNG or JPEG."

_ORIENTATION = {  # EXIF tag 0x0112 -> the transpose that shows the picture upright
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PreprocessError(ValueError):
    """The upload cannot be turned into a digit; ``str(err)`` is a message for the user."""


def _too_large_pixels(
    width: int | None = None, height: int | None = None, limit: int = MAX_PIXELS
) -> PreprocessError:
    size = f" ({width} x {height} pixels)" if width and height else ""
    return PreprocessError(
        f"This image is too large{size}: the limit is {limit / 1e6:g} megapixels"
        f"{'' if limit == MAX_PIXELS else f' ({MAX_PIXELS / 1e6:g} for a JPEG photo)'}. "
        "Please upload a smaller picture."
    )


# --------------------------------------------------------------------------- loading


def load_image(data: bytes) -> Image.Image:
    """Decode an upload into a grayscale ('L') image, shrunk to at most WORK_SIDE pixels.

    Checks the size of the upload and (from the header) of the picture before decoding, uses
    the first frame of an animation, applies the EXIF orientation, and flattens any colour
    mode (palette, 1-bit, 16/32-bit, CMYK, ...) and transparency to 8-bit gray. Raises
    :class:`PreprocessError` for empty, oversized, unreadable or damaged files.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"load_image expects bytes, not {type(data).__name__}")
    n_bytes = len(data)
    if n_bytes == 0:
        raise PreprocessError(_MSG_EMPTY)
    if n_bytes > MAX_BYTES:
        raise PreprocessError(
            f"The file is too large ({n_bytes / 2**20:.1f} MB): the limit is "
            f"{MAX_BYTES / 2**20:g} MB."
        )

    # Not thread-safe (warning filters are global), but harmless: a bomb that slips through as
    # a mere warning is still refused by the MAX_PIXELS check below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on damaged TIFF tags etc.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(bytes(data)), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_large_pixels() from None
        except UnidentifiedImageError:
            raise PreprocessError(_MSG_NOT_IMAGE) from None
        except Exception as exc:  # malformed headers raise all sorts (SyntaxError, struct.error)
            raise PreprocessError(_MSG_DAMAGED) from exc

        width, height = im.size
        if width < 1 or height < 1:
            raise PreprocessError(_MSG_DAMAGED)
        jpeg = im.format in ("JPEG", "MPO")
        limit = MAX_PIXELS if jpeg else MAX_PIXELS_FULL
        if width * height > limit:
            raise _too_large_pixels(width, height, limit)

        # An opened image is at its first frame (animated GIF / APNG / WebP): never ask for
        # n_frames, which walks through every frame of the file.
        with _DECODING:
            try:
                orientation = _orientation(im)
                if jpeg:
                    im.draft("L", (WORK_SIDE, WORK_SIDE))  # decode at 1/2, 1/4 or 1/8 scale
                im.load()
                im = _standard_mode(im)
                _shrink(im)
            except PreprocessError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_large_pixels(width, height, limit) from None
            except Exception as exc:  # truncated data (OSError), bad chunks, codec errors
                raise PreprocessError(_MSG_DAMAGED) from exc

    if orientation in _ORIENTATION:
        im = im.transpose(_ORIENTATION[orientation])
    return _flatten(im)


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation (1..8), or 1 when absent or unreadable."""
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # broken EXIF must not stop an otherwise good picture
        return 1


def _standard_mode(im: Image.Image) -> Image.Image:
    """Convert to 'L', 'LA', 'RGB', 'RGBA' or 'F' (16- and 32-bit data, for _flatten)."""
    mode = im.mode
    has_trns = im.info.get("transparency") is not None
    if mode in ("LA", "RGBA") or (mode in ("L", "RGB") and not has_trns):
        return im
    if mode in ("1", "L", "La"):
        return im.convert("LA" if has_trns or mode == "La" else "L")
    if mode in ("P", "PA", "RGB", "RGBa"):
        return im.convert("RGBA" if has_trns or mode != "P" else "L")
    if mode.startswith("I") or mode == "F":  # 'I;16', 'I;16B', 'I', 'F': stretched by _flatten
        try:
            return im.convert("F")
        except Exception:
            raise PreprocessError(_MSG_MODE) from None
    if mode == "LAB":
        return im.getchannel(0)  # L* is lightness
    try:
        return im.convert("RGB")  # CMYK, YCbCr, HSV
    except Exception:
        raise PreprocessError(_MSG_MODE) from None


def _shrink(im: Image.Image) -> None:
    """Shrink in place so the longer side is at most WORK_SIDE: a fast integer reduce(), then
    Lanczos (Pillow's default ``reducing_gap`` for thumbnails; the digit ends up 20 px anyway)."""
    if max(im.size) > WORK_SIDE:
        im.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)


def _flatten(im: Image.Image) -> Image.Image:
    """A standard-mode image (see _standard_mode) as 'L', compositing any transparency."""
    if im.mode == "L":
        return im
    if im.mode == "RGB":
        return im.convert("L")
    if im.mode == "F":  # 16/32-bit: kept as is if within 0..255, else min..max -> 0..255
        arr = np.nan_to_num(np.asarray(im, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = float(arr.min()), float(arr.max())
        if lo < 0.0 or hi > 255.0:
            arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), mode="L")
    la = np.asarray(im.convert("LA"), dtype=np.float32)  # LA or RGBA
    gray, alpha = la[..., 0], la[..., 1] / 255.0
    if alpha.min() >= 1.0:
        return Image.fromarray(la[..., 0].astype(np.uint8), mode="L")
    background = _matte(gray, alpha)
    out = gray * alpha + background * (1.0 - alpha)
    return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), mode="L")


def _matte(gray: np.ndarray, alpha: np.ndarray) -> float:
    """The gray level to put behind transparent pixels so that ink stays ink.

    If the visible part covers most of the picture's border it carries its own background
    (a photo with a transparent corner): use that level. Otherwise the transparent area is the
    background and the visible pixels are the ink: white behind dark ink, black behind light.
    """
    ring = _border(alpha > 0.5)
    if ring.mean() >= 0.5:
        return float(np.median(_border(gray)[ring]))
    weight = float(alpha.sum())
    if weight <= 0.0:
        return 255.0  # nothing visible: blank either way
    return 255.0 if float((gray * alpha).sum()) / weight < 128.0 else 0.0


def _border(arr: np.ndarray, as_mask: bool = False) -> np.ndarray:
    """The outer frame (about 2% of the shorter side, at least 1 px wide): its pixels, or a
    boolean mask of it (of ``arr``'s shape) with ``as_mask``."""
    h, w = arr.shape
    k = max(1, min(h, w) // 50)
    mask = np.ones((h, w), dtype=bool)
    if 2 * k < min(h, w):
        mask[k:-k, k:-k] = False
    return mask if as_mask else arr[mask]


# --------------------------------------------------------------------------- MNIST-ifying


def to_mnist(img: Image.Image, *, min_stroke: float = 2.0, frame: bool = True) -> np.ndarray:
    """An MNIST-like float32 (28, 28) array in [0, 1], white ink on black, from a picture.

    Estimates the paper from the picture (its median, a slope for a
    photo lit from one side, a bowl for a vignetted one), inverts a light background (decided by
    whether the strongest ink is
    darker or lighter than the paper), subtracts the background and stretches the ink to 1,
    crops to the ink's bounding box, resizes it (Lanczos) so its longer side is 20 px, pastes
    it into a 28x28 field and shifts it by whole pixels so its centre of mass is at (14, 14),
    like MNIST. Strokes thinner than ``min_stroke`` px in the 20 px box are thickened first
    (0 disables). ``frame``: drop a frame or shadow along the picture's edges (``_drop_frame``;
    off for a drawing, which has none, so a stroke drawn along the pad's edge stays).
    Raises :class:`PreprocessError` if no ink is found.
    """
    std = _standard_mode(img)
    if max(std.size) > WORK_SIDE:
        if std is img:
            std = std.copy()  # never shrink the caller's image in place
        _shrink(std)
    gray = np.asarray(_flatten(std), dtype=np.float32)

    ink = _ink(gray)
    mask = ink > 0.0
    if not mask.any():
        raise PreprocessError(_MSG_BLANK)
    if frame:
        ink, mask = _drop_frame(ink, mask)
    if not mask.any():
        raise PreprocessError(_MSG_BLANK)
    ink, mask = _drop_specks(ink, mask)

    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    scale = BOX / max(bottom - top, right - left)

    if min_stroke > 0:
        grow = _thickening(mask[top:bottom, left:right], scale, min_stroke)
        if grow:
            h, w = ink.shape
            top, left = max(0, top - grow), max(0, left - grow)
            bottom, right = min(h, bottom + grow), min(w, right + grow)
            ink = ndimage.maximum_filter(ink[top:bottom, left:right], size=2 * grow + 1)
            top, bottom, left, right = 0, ink.shape[0], 0, ink.shape[1]
            scale = BOX / max(bottom - top, right - left)

    crop = np.ascontiguousarray(ink[top:bottom, left:right], dtype=np.float32)
    ch, cw = crop.shape
    size = (max(1, min(BOX, round(cw * scale))), max(1, min(BOX, round(ch * scale))))
    small = np.asarray(
        Image.fromarray(crop, mode="F").resize(size, Image.Resampling.LANCZOS), dtype=np.float32
    )

    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    y0, x0 = (FIELD - size[1]) // 2, (FIELD - size[0]) // 2
    field[y0 : y0 + size[1], x0 : x0 + size[0]] = np.clip(small, 0.0, None)
    peak = float(field.max())
    if not np.isfinite(peak) or peak <= 0.0:
        raise PreprocessError(_MSG_BLANK)
    field /= peak
    return np.clip(_centre(field), 0.0, 1.0).astype(np.float32)


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink strength in [0, 1] per pixel (0 = background), white ink on black."""
    resid = gray - _background(gray)
    smooth = (
        ndimage.uniform_filter(resid, size=3, mode="nearest") if min(gray.shape) >= 3 else resid
    )  # extremes of the 3x3 mean: single noisy pixels do not count as ink
    if -float(smooth.min()) > float(smooth.max()):  # the strongest ink is darker than the paper
        resid, smooth = -resid, -smooth
    contrast = float(smooth.max())
    if contrast < MIN_CONTRAST:
        return np.zeros_like(gray)
    ink = resid / contrast
    # within INK_THRESHOLD of the background counts as background; the rest is re-stretched
    return np.clip((ink - INK_THRESHOLD) / (1.0 - INK_THRESHOLD), 0.0, 1.0).astype(np.float32)


def _background(gray: np.ndarray) -> np.ndarray | float:
    """The paper's gray level: a quadratic surface fitted robustly to the whole picture, starting
    from its median.

    The paper is most of any picture of one digit, so the median is paper even in a tight crop
    whose border is mostly ink, or one framed by a dark crop edge or shadow (the border alone was
    taken for paper once: a framed crop came out inverted, its paper drawn as ink). A photo lit
    from one side gets a slope, a vignetted one (bright middle, dark corners) a bowl, so neither
    the darker side nor the corners are taken for ink. The fit is robust: pixels far from it (the
    strokes, a frame, a shadow) are left out and it is refitted.
    """
    h, w = gray.shape
    step = max(1, min(h, w) // 128)  # at most ~128 rows of samples: the fit costs milliseconds
    ys, xs = (a.ravel() for a in np.mgrid[0:h:step, 0:w:step])
    values = gray[ys, xs].astype(np.float64)
    level = float(np.median(values))
    if min(h, w) < 8:
        return level
    coef = np.zeros(6)
    coef[0] = level
    coef = _robust_fit(_surface_terms(xs, ys, w, h), values, coef, rounds=5)
    if not np.all(np.isfinite(coef)):
        return level
    u = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]  # (1, w): broadcast, not (h, w, 6)
    v = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]  # (h, 1)
    c = coef.astype(np.float32)
    return c[0] + c[1] * u + c[2] * v + c[3] * u * v + c[4] * u * u + c[5] * v * v


def _surface_terms(xs: np.ndarray, ys: np.ndarray, w: int, h: int) -> np.ndarray:
    """The quadratic surface's terms 1, u, v, uv, u^2, v^2 at pixel columns xs and rows ys, with
    u and v the position scaled to [-1, 1]: shape (*xs.shape, 6)."""
    u, v = xs / (w - 1) * 2.0 - 1.0, ys / (h - 1) * 2.0 - 1.0
    return np.stack([np.ones_like(u), u, v, u * v, u * u, v * v], axis=-1)


def _robust_fit(
    design: np.ndarray, values: np.ndarray, coef: np.ndarray, rounds: int = 3
) -> np.ndarray:
    """Least squares of values on design (n, p), starting from coef: first on the half of the
    points closest to it, then refitted ``rounds`` times on the points within 3 robust standard
    deviations of the fit, the spread measured on the points kept (the median absolute deviation
    of all points would count a bold digit's strokes, up to 40 % of a tight crop, as spread)."""
    resid = values - design @ coef
    inliers = np.abs(resid) <= np.median(np.abs(resid))
    for _ in range(rounds + 1):
        if inliers.sum() < 2 * design.shape[1]:
            break
        coef = np.linalg.lstsq(design[inliers], values[inliers], rcond=None)[0]
        resid = values - design @ coef
        spread = 1.4826 * float(np.median(np.abs(resid[inliers])))
        inliers = np.abs(resid) <= max(3.0 * spread, 2.0)
    return coef


FRAME_COVER = 0.9  # a line along an edge at least this much ink is part of a frame
FRAME_DEPTH = 0.15  # a frame is at most this share of the picture deep (else: strokes)
FRAME_FAINT = 0.6  # a one-sided band fainter than this share of the strokes: a shadow


def _drop_frame(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove what a crop's edge adds to the ink: the paper's border, a scanner's frame or a
    shadow, drawn as a band along the picture's edges, and pieces of them left at the edge.

    A band is the run of lines from an edge inwards that are each at least FRAME_COVER ink, at
    most FRAME_DEPTH of the picture deep. Bands on two or more sides are a frame and go; a band
    on one side only goes if it is thinner than half the strokes (a line) or fainter than
    FRAME_FAINT of them (a shadow): a tightly cropped 7's bar is neither. Then any blob that
    hugs an edge (it touches it along half its length, three times as long as deep) and is not
    the digit's largest blob goes too. MNIST's digits never touch their box's edge like that."""
    h, w = mask.shape
    sides = {"top": mask, "bottom": mask[::-1], "left": mask.T, "right": mask.T[::-1]}
    depth = {}
    for side, m in sides.items():
        cover = m.mean(axis=1)  # (lines,) from the edge inwards
        d = int(np.argmin(cover >= FRAME_COVER)) if not (cover >= FRAME_COVER).all() else len(cover)
        depth[side] = d if 0 < d <= FRAME_DEPTH * len(cover) else 0
    bands = {k: d for k, d in depth.items() if d}
    if len(bands) == 1:
        ((side, d),) = bands.items()
        band = np.zeros_like(mask)
        _edge_view(band, side)[:d] = True
        rest = mask & ~band
        if rest.any():
            stroke = 2.0 * rest.sum() / max(1, (rest & ~ndimage.binary_erosion(rest)).sum())
            faint = ink[band & mask].mean() < FRAME_FAINT * ink[rest].mean()
            if not (d < 0.5 * stroke or faint):
                bands = {}
        else:
            bands = {}
    if bands:
        mask = mask.copy()
        for side, d in bands.items():
            _edge_view(mask, side)[:d] = False
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n > 1:  # vectorised over blobs: a noisy photo has tens of thousands
        mass = ndimage.sum_labels(ink, labels, index=np.arange(1, n + 1))
        boxes = np.array(
            [(r.start, r.stop, c.start, c.stop) for r, c in ndimage.find_objects(labels)]
        )
        top, bottom, left, right = boxes.T  # (n,) each: rows top..bottom-1, columns left..right-1
        extent = {
            "top": (right - left, bottom),
            "bottom": (right - left, h - top),
            "left": (bottom - top, right),
            "right": (bottom - top, w - left),
        }  # (along, deep)
        drop = np.zeros(n + 1, dtype=bool)
        for side in sides:
            strip = _edge_view(labels, side)[: bands.get(side, 0) + 1]  # the lines a blob may touch
            along_ids, pos = np.nonzero(strip.T)  # each (position along the edge, line) with ink
            pairs = np.unique(np.stack([strip.T[along_ids, pos], along_ids]), axis=1)  # label, pos
            touch = np.bincount(pairs[0], minlength=n + 1)[1:]  # (n,) positions each blob touches
            along, deep = extent[side]
            drop[1:] |= (touch > 0) & (touch >= 0.5 * along) & (along >= 3 * deep)
        drop[int(np.argmax(mass)) + 1] = False  # the digit's largest blob always stays
        mask = mask & ~drop[labels]
    return np.where(mask, ink, 0.0).astype(np.float32), mask


def _edge_view(arr: np.ndarray, side: str) -> np.ndarray:
    """A view of ``arr`` whose rows run from the ``side`` edge inwards."""
    return {"top": arr, "bottom": arr[::-1], "left": arr.T, "right": arr.T[::-1]}[side]


def _drop_specks(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove connected blobs of ink much lighter than the largest one (dust, noise)."""
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n <= 1:
        return ink, mask
    mass = ndimage.sum_labels(ink, labels, index=np.arange(1, n + 1))
    keep = np.concatenate([[False], mass >= SPECK_FRACTION * mass.max()])
    mask = keep[labels]
    return np.where(mask, ink, 0.0).astype(np.float32), mask


def _thickening(mask: np.ndarray, scale: float, min_stroke: float) -> int:
    """Pixels to dilate by (each side) so strokes are >= min_stroke px after scaling."""
    area = int(mask.sum())
    edge = int((mask & ~ndimage.binary_erosion(mask)).sum())
    if area == 0 or edge == 0:
        return 0
    width = 2.0 * area / edge  # a stroke of width w and length L: area wL, edge ~2L
    wanted = min_stroke / scale  # in working pixels
    if width >= wanted:
        return 0
    return int(np.ceil((wanted - width) / 2.0))


def _centre(field: np.ndarray) -> np.ndarray:
    """Shift by whole pixels so the centre of mass is at (CENTRE, CENTRE), keeping all ink."""
    cy, cx = ndimage.center_of_mass(field)
    rows = np.flatnonzero(field.any(axis=1))
    cols = np.flatnonzero(field.any(axis=0))
    dy = int(np.clip(round(CENTRE - cy), -rows[0], FIELD - 1 - rows[-1]))
    dx = int(np.clip(round(CENTRE - cx), -cols[0], FIELD - 1 - cols[-1]))
    out = np.zeros_like(field)
    src = field[max(0, -dy) : FIELD - max(0, dy), max(0, -dx) : FIELD - max(0, dx)]
    out[max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]] = src
    return out


def preprocess(data: bytes) -> np.ndarray:
    """Uploaded bytes -> MNIST-like float32 (28, 28) in [0, 1]: load_image, then to_mnist."""
    return to_mnist(load_image(data))


def read_picture(data: bytes, thumb: int = 224) -> tuple[bytes, np.ndarray, tuple[int, int]]:
    """An upload's bytes -> (PNG thumbnail of the picture as grayscale, MNIST-like input, picture
    size).

    The input is :func:`preprocess`'s, float32 (28, 28) in [0, 1]; the size is the (width,
    height) the preprocessing worked on. Raises :class:`PreprocessError`, whose message is meant
    for the user, when the bytes are not a usable picture of a digit.
    """
    gray = load_image(data)
    x = to_mnist(gray)
    small = gray.copy()
    small.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="PNG")
    return buf.getvalue(), x, gray.size


# --------------------------------------------------------------------------- examples

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "examples"
"""The bundled example pictures (``scripts/make_examples.py``)."""


def example_paths(folder: Path = EXAMPLES_DIR) -> dict[str, Path]:
    """The bundled example pictures, by file stem, in name order."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.png"))}


def example_source(path: Path) -> int | None:
    """The MNIST test index a bundled example was made from (its PNG text chunk), else None."""
    try:
        with Image.open(path) as im:
            raw = getattr(im, "text", {}).get("mnist_test_index")
        return int(raw) if raw is not None else None
    except (OSError, ValueError):
        return None


def make_example_png(digit_image: np.ndarray, invert: bool = True, scale: int = 8) -> bytes:
    """Render a (28, 28) image in [0, 1] as a PNG of (28 * scale) pixels a side.

    ``invert=True`` gives dark ink on white paper (what a user would upload); ``False`` keeps
    MNIST's white on black. Upscaled with bicubic resampling, so it looks like a scan.
    """
    arr = np.asarray(digit_image, dtype=np.float64)
    if arr.shape != (FIELD, FIELD):
        raise ValueError(f"expected a (28, 28) image, got shape {arr.shape}")
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    pixels = np.rint(np.clip(np.nan_to_num(arr), 0.0, 1.0) * 255.0).astype(np.uint8)
    im = Image.fromarray(pixels, mode="L")
    if invert:
        im = ImageOps.invert(im)
    if scale > 1:
        im = im.resize((FIELD * int(scale), FIELD * int(scale)), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def clean_strokes(strokes: object) -> list[list[list[float]]]:
    """The drawing pad's value (JSON from the browser, so anything) as checked, rounded strokes:
    lists of [x, y] clipped to [0, 1] and rounded to :data:`STROKE_DECIMALS`, points with a
    non-finite coordinate and empty strokes left out ([] for an empty pad).

    Sizes are checked before any point is converted: the strokes and their points are counted
    (``len``, whatever they hold), so a forged value of millions of points or a string of many MB
    is refused at once, and a refused value leaves no converted copy behind. Raises
    :class:`PreprocessError` (with a message for the learner) for more than :data:`MAX_STROKES`
    strokes or :data:`MAX_POINTS` points, or anything that is not a list of lists of [x, y] numbers.
    """
    if not isinstance(strokes, (list, tuple)):
        raise PreprocessError(_MSG_UNREADABLE)
    if len(strokes) > MAX_STROKES:
        raise PreprocessError(
            f"Too many strokes ({len(strokes)}); clear the pad and draw one digit."
        )
    if not all(isinstance(s, (list, tuple)) for s in strokes):
        raise PreprocessError(_MSG_UNREADABLE)
    if sum(len(s) for s in strokes) > MAX_POINTS:
        raise PreprocessError("The drawing has too many points; clear the pad and draw one digit.")
    out = []
    for stroke in strokes:
        pts = []
        for p in stroke:
            if not (isinstance(p, (list, tuple)) and len(p) == 2 and all(map(_number, p))):
                raise PreprocessError(_MSG_UNREADABLE)
            try:
                x, y = float(p[0]), float(p[1])
            except OverflowError:  # an int beyond float's range: no pad sends one
                raise PreprocessError(_MSG_UNREADABLE) from None
            if math.isfinite(x) and math.isfinite(y):
                pts.append(
                    [
                        round(min(max(x, 0.0), 1.0), STROKE_DECIMALS),
                        round(min(max(y, 0.0), 1.0), STROKE_DECIMALS),
                    ]
                )
        if pts:
            out.append(pts)
    return out


def _as_strokes(strokes: object) -> list[np.ndarray]:
    """Checked strokes (:func:`clean_strokes`) as (n, 2) arrays; an empty drawing is refused."""
    if strokes is None:
        raise PreprocessError(_MSG_NO_STROKES)
    out = [np.asarray(s, dtype=np.float64) for s in clean_strokes(strokes)]
    if not out:
        raise PreprocessError(_MSG_NO_STROKES)
    return out


def arc(
    cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24
) -> list[list[float]]:
    """A stroke along an elliptical arc (pad coordinates in [0, 1], y down), angles in radians."""
    t = np.linspace(start, end, n)
    return np.round(np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1), 4).tolist()


def render_strokes(strokes: object, side: int = PAD_SIDE) -> Image.Image:
    """Strokes from the drawing pad (lists of (x, y) points in [0, 1], y pointing down) drawn
    white on black (mode "L", side x side) with a round pen ``PEN`` times the drawing's longer
    side wide, so that a small and a large drawing end up equally thick after the MNIST recipe.
    Raises :class:`PreprocessError` for an empty or unreadable drawing."""
    from PIL import ImageDraw

    pts = _as_strokes(strokes)
    every = np.concatenate(pts) * (side - 1)  # (P, 2) in pixels
    extent = float(np.ptp(every, axis=0).max())
    width = int(np.clip(round(PEN * extent), 3, side // 6))
    img = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(img)
    r = width / 2
    for stroke in pts:
        xy = [tuple(p) for p in stroke * (side - 1)]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]) if len(xy) > 1 else xy:  # round caps (and a tap is a dot)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return img


def strokes_to_mnist(strokes: object) -> np.ndarray:
    """A drawing's strokes -> MNIST-like float32 (28, 28) by :func:`render_strokes` and
    :func:`to_mnist` (the same recipe as an upload)."""
    return to_mnist(render_strokes(strokes), frame=False)  # a drawing has no crop edge
