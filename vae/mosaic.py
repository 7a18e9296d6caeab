"""Image mosaics: decoded images tiled into one array, and that array as an 8-bit grayscale PNG.

A mosaic is the decoder's images at an n x n grid of codes (``vae.latent.grid_2d`` order), tiled
row-major with a 1-pixel grey gap (Kingma & Welling 2014, fig. 4; the Keras VAE example's
``plot_latent_space``). ``mosaic_png`` is what the Grid page sends to the browser, which draws the
axes around it (``ui.draw.altair_charts.mosaic_spec``): a few milliseconds, against about 0.1 s to
draw the
same mosaic with Matplotlib axes and write that figure's RGBA PNG. ``png_images`` reads the tiles
back (for the figure a download draws).
"""

from __future__ import annotations

import io

import numpy as np

TILE_PX = 28  # MNIST side: one tile per image, no resampling
PAD_VALUE = 0.35  # grey of the 1-pixel gap between tiles (0 = black ink background, 1 = white)


def tile(images: np.ndarray, ncols: int, pad: int = 1, pad_value: float = PAD_VALUE) -> np.ndarray:
    """Images (M, h, w) -> one mosaic array (rows * (h + pad) - pad, ncols * (w + pad) - pad),
    row-major from the top left, in the images' dtype; missing tiles of the last row and the gaps
    are ``pad_value`` (in [0, 1]; scaled to 255 for uint8 images)."""
    m = len(images)
    nrows = -(-m // ncols)
    h, w = images.shape[-2:]
    fill = round(pad_value * 255) if images.dtype == np.uint8 else pad_value
    out = np.full(
        (nrows * (h + pad) - pad, ncols * (w + pad) - pad),
        fill,
        dtype=images.dtype if images.dtype == np.uint8 else np.float32,
    )
    for i, im in enumerate(images):
        r, c = divmod(i, ncols)
        out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = im
    return out


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Pixel means in [0, 1] (any shape) -> uint8 0..255, rounded."""
    return np.round(np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0) * 255).astype(np.uint8)


def mosaic_png(images: np.ndarray, ncols: int) -> bytes:
    """Images (M, 28, 28) in [0, 1] -> PNG bytes of their mosaic, 8-bit grayscale (``IMAGE_CMAP``
    is "gray": white ink on black), zlib level 6."""
    from PIL import Image

    big = tile(to_uint8(images), ncols)  # (rows * 29 - 1, ncols * 29 - 1) uint8
    buf = io.BytesIO()
    Image.fromarray(big, mode="L").save(buf, format="png", compress_level=6)
    return buf.getvalue()


def png_images(png: bytes, nrows: int, ncols: int, pad: int = 1) -> np.ndarray:
    """The inverse of ``mosaic_png``: PNG bytes -> images (nrows * ncols, 28, 28) float32 in [0,
    1]."""
    from PIL import Image

    big = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32) / 255  # (H, W)
    s = TILE_PX + pad
    return np.stack(
        [
            big[r * s : r * s + TILE_PX, c * s : c * s + TILE_PX]
            for r in range(nrows)
            for c in range(ncols)
        ]
    )  # (nrows * ncols, 28, 28)
