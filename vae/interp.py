"""Computations of the Interpolation and Conditional VAE lessons: picking the endpoints,
pixel blending, what a path crosses, animated GIFs, a k-NN test of how well 2-D codes separate
the digits, and simple stroke statistics (slant, ink) to measure "style".

Pure numpy/scipy/Pillow (no streamlit, no torch), unit-tested in ``tests/test_interp.py``.
"""
from __future__ import annotations

import io

import numpy as np

from vae import neighbours

# --- endpoints and paths -------------------------------------------------------------------------


def pick_pair(labels: np.ndarray, a: int, b: int, seed: int) -> tuple[int, int]:
    """A random test index of digit ``a`` and one of digit ``b``, reproducible by seed.

    For ``a == b`` the two indices differ (when the digit has at least two members).
    """
    rng = np.random.default_rng(seed)
    pool_a, pool_b = np.flatnonzero(labels == a), np.flatnonzero(labels == b)
    if len(pool_a) == 0 or len(pool_b) == 0:
        raise ValueError(f"no test image of digit {a if len(pool_a) == 0 else b}")
    ia = int(rng.choice(pool_a))
    if a == b and len(pool_b) > 1:
        pool_b = pool_b[pool_b != ia]
    return ia, int(rng.choice(pool_b))


def pixel_blend(xa: np.ndarray, xb: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cross-fade of two images, (1 - t) x_a + t x_b. (H, W), (H, W), (T,) -> (T, H, W)"""
    t = np.asarray(t, dtype=np.float64)[:, None, None]
    return ((1 - t) * xa[None] + t * xb[None]).astype(np.float32)


def norms(z: np.ndarray) -> np.ndarray:
    """Euclidean norm of each code. (T, d) -> (T,)"""
    return np.linalg.norm(np.asarray(z, dtype=np.float64), axis=1)


def regions_along(path: np.ndarray, codes: np.ndarray, labels: np.ndarray, k: int = 1,
                  min_run: int = 1) -> list[int]:
    """The digits a path passes through, in order.

    At each point of the path the ``k`` nearest codes vote for a digit (``neighbours.vote``); runs shorter than ``min_run`` points are dropped as noise (except
    at either end) and consecutive repeats collapsed. (T, d), (N, d), (N,) -> [digit, ...]
    """
    seq = [int(v) for v in neighbours.vote(codes, labels, path, k)[0]]
    runs: list[list[int]] = []  # [digit, length]
    for v in seq:
        if runs and runs[-1][0] == v:
            runs[-1][1] += 1
        else:
            runs.append([v, 1])
    kept = [r for i, r in enumerate(runs) if r[1] >= min_run or i in (0, len(runs) - 1)]
    return [r[0] for i, r in enumerate(kept) if i == 0 or r[0] != kept[i - 1][0]]


def mix_r2(image: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """How much of an image is a superposition of two others: R^2 of the least-squares fit
    image ~ alpha a + beta b (1 for any pixel blend of a and b; low for a new drawing).
    (H, W) x 3 -> float"""
    y = np.asarray(image, dtype=np.float64).ravel()
    x = np.stack([np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()], axis=1)
    ss = ((y - y.mean()) ** 2).sum()
    if ss <= 0:
        return 1.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return float(1 - ((y - x @ coef) ** 2).sum() / ss)


def half_tone_share(image: np.ndarray, ink_threshold: float = 0.2, lo: float = 0.3, hi: float = 0.7) -> float:
    """Share of an image's ink pixels (> ink_threshold) that are at half strength (lo..hi). (H, W) -> float"""
    im = np.asarray(image)
    ink = im > ink_threshold
    return float(((im > lo) & (im < hi)).sum() / max(int(ink.sum()), 1))


def ink_share(images: np.ndarray, threshold: float = 0.2) -> np.ndarray:
    """Share of the pixels of each image brighter than ``threshold``. (M, H, W) -> (M,)"""
    images = np.asarray(images)
    return (images > threshold).reshape(len(images), -1).mean(axis=1)


# --- animation -----------------------------------------------------------------------------------


def gif_bytes(frames: np.ndarray, scale: int = 4, duration_ms: int = 120, pingpong: bool = True) -> bytes:
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
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms,
                   loop=0, optimize=False, disposal=1)
    return buf.getvalue()


# --- do 2-D codes separate the digits? ------------------------------------------------------------


def pixel_nn_labels(queries: np.ndarray, refs: np.ndarray, ref_labels: np.ndarray,
                    chunk: int = 512) -> np.ndarray:
    """Label of the nearest reference image in pixel space (squared Euclidean distance): a plain
    1-NN classifier that says which digit a decoded image looks like. (M, H, W), (N, H, W), (N,) -> (M,)"""
    q = np.asarray(queries, dtype=np.float32).reshape(len(queries), -1)  # (M, P)
    r = np.asarray(refs, dtype=np.float32).reshape(len(refs), -1)  # (N, P)
    r2 = (r * r).sum(axis=1)  # (N,)
    out = np.empty(len(q), dtype=np.int64)
    for i in range(0, len(q), chunk):
        block = q[i:i + chunk]
        d2 = r2[None, :] - 2.0 * block @ r.T  # (B, N); |q|^2 is the same for a whole row
        out[i:i + chunk] = np.asarray(ref_labels)[np.argmin(d2, axis=1)]
    return out


# --- style: stroke statistics --------------------------------------------------------------------


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


def ink(images: np.ndarray) -> np.ndarray:
    """Mean intensity of each image: a stroke-thickness measure for digits of one size. (M, H, W) -> (M,)"""
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
    den = np.sqrt((vc ** 2).sum() * (cc ** 2).sum(axis=0))  # (d,)
    num = vc @ cc  # (d,)
    return np.where(den > 1e-12, num / np.where(den > 1e-12, den, 1.0), 0.0)
