"""Small pure computations behind the Reconstructions, Latent explorer and Posterior spread pages.

Numpy/scipy only (no streamlit, no torch), so that they are unit-tested on their own: choosing
test images, binarizing, turning a click or a code into slider values, how unusual a code is
under the prior, and how the decoded samples of one posterior spread over the pixels.
"""
from __future__ import annotations

import numpy as np

from vae import neighbours

GREY_BAND = (0.1, 0.9)  # a pixel value strictly inside counts as "grey" (neither ink nor paper)
EDGE_BAND = (0.2, 0.8)  # a mean-image pixel inside counts as a stroke edge
UNUSED_SIGMA = 0.9  # a posterior sigma at least this close to the prior's 1: the dimension is unused


# --- choosing test images ----------------------------------------------------------------------

def pick_random(n_items: int, n: int, seed: int) -> np.ndarray:
    """n distinct random indices in [0, n_items), reproducible by seed. -> (n,)"""
    return np.random.default_rng(seed).choice(n_items, size=min(n, n_items), replace=False)


def pick_digit(labels: np.ndarray, digit: int, n: int, seed: int) -> np.ndarray:
    """n distinct random indices of images of one digit, reproducible by seed. -> (<= n,)"""
    pool = np.flatnonzero(labels == digit)
    if len(pool) == 0:
        return pool
    return np.random.default_rng(seed).choice(pool, size=min(n, len(pool)), replace=False)


# --- pixels ------------------------------------------------------------------------------------

def binarize(images: np.ndarray, threshold: float) -> np.ndarray:
    """1 where a pixel is at least the threshold, else 0 (float32, same shape)."""
    return (np.asarray(images) >= threshold).astype(np.float32)


def grey_fraction(images: np.ndarray, band: tuple[float, float] = GREY_BAND) -> float:
    """Share of pixels strictly between band[0] and band[1] (blurry, undecided pixels)."""
    a = np.asarray(images)
    return float(((a > band[0]) & (a < band[1])).mean())


# --- latent codes and sliders --------------------------------------------------------------------

def to_slider(z: np.ndarray, lo: float = -3.0, hi: float = 3.0, step: float = 0.1) -> list[float]:
    """Codes as slider values: clipped to [lo, hi] and rounded to the slider step."""
    z = np.clip(np.asarray(z, dtype=np.float64), lo, hi)
    return [float(round(round(v / step) * step, 6)) for v in z]


def pad_grid(n: int = 41, lo: float = -4.0, hi: float = 4.0) -> np.ndarray:
    """A regular n x n grid of 2-D points covering [lo, hi]^2 (the clickable latent pad). -> (n*n, 2)"""
    if n < 2 or not lo < hi:
        raise ValueError("need n >= 2 and lo < hi")
    ax = np.linspace(lo, hi, n)
    gx, gy = np.meshgrid(ax, ax)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


# --- posterior spread ----------------------------------------------------------------------------

def pixel_spread(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel mean and standard deviation over decoded samples. (S, 28, 28) -> 2 x (28, 28)"""
    a = np.asarray(images, dtype=np.float64)
    return a.mean(axis=0), a.std(axis=0)


def edge_share(mean_img: np.ndarray, std_img: np.ndarray,
               band: tuple[float, float] = EDGE_BAND) -> tuple[float, float]:
    """(share of pixels that are stroke edges, i.e. mean strictly inside the band; share of the
    total per-pixel std those pixels carry)."""
    edge = (mean_img > band[0]) & (mean_img < band[1])
    total = float(std_img.sum())
    return float(edge.mean()), (float(std_img[edge].sum()) / total if total > 0 else 0.0)


def unused_dims(sigma: np.ndarray, threshold: float = UNUSED_SIGMA) -> list[int]:
    """Indices (0-based) of dimensions whose posterior sigma is at least ``threshold``: the
    encoder leaves them at the prior, so they carry no information about the image."""
    return [int(i) for i in np.flatnonzero(np.asarray(sigma) >= threshold)]


def neighbourhood(codes: np.ndarray, labels: np.ndarray, z: np.ndarray, k: int = 50) -> tuple[int, float]:
    """Most common digit among the k codes nearest to z, and its share among them."""
    top, share = neighbours.vote(codes, labels, z, k)
    return int(top[0]), float(share[0])


