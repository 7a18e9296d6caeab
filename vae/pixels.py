"""Pixel statistics of (decoded) images: grey shares of the ink, slant, spread over samples, how
much of a blend an image is, nearest training images in pixel space, animated GIFs of frames, and
the Bernoulli pixel model the decoders define (samples, per-pixel entropy, a temperature).
"""

from __future__ import annotations

import io

import numpy as np

GREY_BAND = (0.1, 0.9)  # a pixel value strictly inside counts as "grey" (neither ink nor paper)
EDGE_BAND = (0.2, 0.8)  # an inked pixel below band[1] counts as grey (``grey_ink_share``)


def binarize(images: np.ndarray, threshold: float) -> np.ndarray:
    """1 where a pixel is at least the threshold, else 0 (float32, same shape)."""
    return (np.asarray(images) >= threshold).astype(np.float32)


def pixel_spread(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel mean and standard deviation over decoded samples. (S, 28, 28) -> 2 x (28, 28)"""
    a = np.asarray(images, dtype=np.float64)
    return a.mean(axis=0), a.std(axis=0)


def mix_r2(image: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """How much of an image is a superposition of two others: R^2 of the least-squares fit
    image ~ alpha a + beta b (1 for any pixel blend of a and b; low for a new drawing).
    (H, W) x 3 -> float"""
    y = np.asarray(image, dtype=np.float64).ravel()
    x = np.stack(
        [np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()], axis=1
    )
    ss = ((y - y.mean()) ** 2).sum()
    if ss <= 0:
        return 1.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return float(1 - ((y - x @ coef) ** 2).sum() / ss)


def half_tone_share(
    image: np.ndarray, ink_threshold: float = 0.2, lo: float = 0.3, hi: float = 0.7
) -> float:
    """Share of an image's ink pixels (> ink_threshold) that are at half strength (lo..hi). (H, W)
    -> float"""
    im = np.asarray(image)
    ink = im > ink_threshold
    return float(((im > lo) & (im < hi)).sum() / max(int(ink.sum()), 1))


def grey_ink_share(
    images: np.ndarray, ink_threshold: float = 0.2, band: tuple[float, float] = EDGE_BAND
) -> np.ndarray:
    """Share of each image's inked pixels (> ink_threshold) that are grey (below band[1]): a blur
    measure that ignores the paper. A clean MNIST digit scores about 0.35, a pixel average 0.98.
    (M, H, W) -> (M,)"""
    a = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    inked = a > max(ink_threshold, band[0])
    return ((a < band[1]) & inked).sum(axis=1) / np.maximum(inked.sum(axis=1), 1)


def sweep_change(rows: np.ndarray) -> np.ndarray:
    """How much each row of a sweep changes the picture: mean |difference| per pixel between
    neighbouring steps, summed over the steps. (R, S, H, W) -> (R,)"""
    a = np.asarray(rows, dtype=np.float64)
    return np.abs(np.diff(a, axis=1)).mean(axis=(2, 3)).sum(axis=1)


def gif_bytes(
    frames: np.ndarray, scale: int = 4, duration_ms: int = 120, pingpong: bool = True
) -> bytes:
    """Animated GIF of grayscale frames in [0, 1] that loops forever.

    Each frame is enlarged ``scale`` times with nearest-neighbour (crisp pixels); ``pingpong``
    plays the frames forward then backward (a, ..., b, ..., a) without repeating the ends.
    (T, H, W) -> GIF bytes
    """
    from PIL import Image

    frames = np.asarray(frames, dtype=np.float32)
    if frames.ndim != 3 or len(frames) == 0:
        raise ValueError("need frames of shape (T, H, W) with T >= 1")
    if scale < 1 or duration_ms < 1:
        raise ValueError("need scale >= 1 and duration_ms >= 1")
    order = list(range(len(frames)))
    if pingpong and len(frames) > 2:
        order += order[-2:0:-1]
    big = np.kron(np.clip(frames, 0, 1), np.ones((scale, scale), dtype=np.float32))  # (T, H*s, W*s)
    u8 = np.round(big * 255).astype(np.uint8)
    images = [Image.fromarray(u8[i], mode="L") for i in order]
    buf = io.BytesIO()
    images[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=duration_ms,
        loop=0,
        optimize=False,
        disposal=1,
    )
    return buf.getvalue()


def slant(images: np.ndarray) -> np.ndarray:
    """Shear of each digit from its second image moments: mu11 / mu02 with x to the right and y
    up, i.e. how far the ink moves right per row upwards (positive = leaning right, like /).
    (M, H, W) -> (M,)"""
    images = np.clip(np.asarray(images, dtype=np.float64), 0, None)
    _, h, w = images.shape
    ys, xs = np.mgrid[0:h, 0:w]
    ys = (h - 1) - ys  # y up
    mass = images.sum(axis=(1, 2)) + 1e-12  # (M,)
    cx = (images * xs).sum(axis=(1, 2)) / mass
    cy = (images * ys).sum(axis=(1, 2)) / mass
    dx = xs[None] - cx[:, None, None]
    dy = ys[None] - cy[:, None, None]
    mu11 = (images * dx * dy).sum(axis=(1, 2)) / mass
    mu02 = (images * dy * dy).sum(axis=(1, 2)) / mass
    return mu11 / (mu02 + 1e-12)


def width(images: np.ndarray) -> np.ndarray:
    """Width of each digit in pixels, with its slant taken out: 4 x the ink's horizontal standard
    deviation after the shear x - slant * y (from the second image moments: mu20 - mu11^2 / mu02),
    so that leaning over does not count as being wide. (M, H, W) -> (M,)"""
    images = np.clip(np.asarray(images, dtype=np.float64), 0, None)
    _, h, w = images.shape
    ys, xs = np.mgrid[0:h, 0:w]
    ys = (h - 1) - ys  # y up
    mass = images.sum(axis=(1, 2)) + 1e-12  # (M,)
    dx = xs[None] - ((images * xs).sum(axis=(1, 2)) / mass)[:, None, None]
    dy = ys[None] - ((images * ys).sum(axis=(1, 2)) / mass)[:, None, None]
    mu20 = (images * dx * dx).sum(axis=(1, 2)) / mass
    mu11 = (images * dx * dy).sum(axis=(1, 2)) / mass
    mu02 = (images * dy * dy).sum(axis=(1, 2)) / mass
    return 4.0 * np.sqrt(np.clip(mu20 - mu11**2 / (mu02 + 1e-12), 0, None))


def ink(images: np.ndarray) -> np.ndarray:
    """Mean intensity of each image: how much of it is stroke, so thicker strokes and bigger (wider,
    taller) digits both raise it. (M, H, W) -> (M,)"""
    images = np.asarray(images, dtype=np.float64)
    return images.reshape(len(images), -1).mean(axis=1)


def row_share(values: np.ndarray) -> tuple[float, float]:
    """Two-way split of the variance of a (rows, cols) table: the shares explained by the row
    means and by the column means (main effects of a balanced design). (R, C) -> (row, col)"""
    v = np.asarray(values, dtype=np.float64)
    total = ((v - v.mean()) ** 2).sum()
    if total <= 0:
        return 0.0, 0.0
    rows = v.shape[1] * ((v.mean(axis=1) - v.mean()) ** 2).sum()
    cols = v.shape[0] * ((v.mean(axis=0) - v.mean()) ** 2).sum()
    return float(rows / total), float(cols / total)


def axis_correlations(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Pearson correlation of a per-image statistic with each latent coordinate (0 where either
    is constant). (M,), (M, d) -> (d,)"""
    v = np.asarray(values, dtype=np.float64)
    c = np.asarray(codes, dtype=np.float64)
    vc = v - v.mean()
    cc = c - c.mean(axis=0)
    den = np.sqrt((vc**2).sum() * (cc**2).sum(axis=0))  # (d,)
    num = vc @ cc  # (d,)
    return np.where(den > 1e-12, num / np.where(den > 1e-12, den, 1.0), 0.0)


def bernoulli_samples(p: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n images drawn pixel by pixel from the Bernoulli model with means p (..., 28, 28): what the
    decoder's p(x|z) says an image is. -> (n, ..., 28, 28) float32 of 0s and 1s."""
    p = np.asarray(p, dtype=np.float64)
    return (np.random.default_rng(seed).random((n, *p.shape)) < p).astype(np.float32)


def pixel_entropy(p: np.ndarray) -> np.ndarray:
    """Entropy in nats of each pixel's Bernoulli(p): 0 for p = 0 or 1, at most log 2 at p = 0.5.
    Summed over an image it is the cross-entropy (BCE) of a perfect copy of p. Same shape as p."""
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
    h = np.zeros_like(p)  # 0 at p = 0 or 1 (and for a NaN)
    inner = (p > 0.0) & (p < 1.0)  # only these pay for the logarithms: a digit is mostly paper
    q = p[inner]
    h[inner] = -(q * np.log(q) + (1 - q) * np.log1p(-q))
    return h if h.ndim else h[()]


def image_entropy(images: np.ndarray) -> np.ndarray:
    """Sum of the pixel entropies of each image (M, 28, 28) -> (M,) nats: the lowest BCE any
    reconstruction of that image can reach (the image itself reaches it)."""
    return pixel_entropy(images).reshape(len(images), -1).sum(axis=1)


def with_temperature(p: np.ndarray, temperature: float) -> np.ndarray:
    """Pixel means with the decoder's logits divided by ``temperature``: below 1 every pixel is
    pushed towards 0 or 1 (sharper), above 1 towards 0.5 (blurrier); 1 leaves p as it is."""
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    logits = np.log(p) - np.log1p(-p)
    return 1.0 / (1.0 + np.exp(-logits / temperature))
