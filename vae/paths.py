"""Paths through latent space and along embeddings: lerp and slerp between two codes (Shoemake
1985; White 2016 for slerp in generative models), the pixel blend they are compared with, and
sampling along a line drawn in a 2-D embedding.
"""

from __future__ import annotations

import numpy as np

from vae import neighbours


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Straight line from a to b. (d,), (d,), (T,) -> (T, d)"""
    return (1 - t)[:, None] * a[None, :] + t[:, None] * b[None, :]


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation (Shoemake 1985; White 2016 for generative models).

    Moves along the great circle between the directions of a and b while the norm changes
    linearly from |a| to |b|, so paths stay in the prior's typical shell instead of cutting
    through its low-norm centre. Falls back to lerp for (anti)parallel vectors. -> (T, d)
    """
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-8 or nb < 1e-8:
        return lerp(a, b, t)
    ua, ub = a / na, b / nb
    omega = np.arccos(np.clip(ua @ ub, -1.0, 1.0))
    if omega < 1e-6 or np.pi - omega < 1e-6:
        return lerp(a, b, t)
    dirs = (np.sin((1 - t) * omega)[:, None] * ua + np.sin(t * omega)[:, None] * ub) / np.sin(omega)
    norms = (1 - t) * na + t * nb  # (T,)
    return dirs * norms[:, None]  # (T, d)


def line(start: np.ndarray, end: np.ndarray, n: int) -> np.ndarray:
    """n evenly spaced points from start to end (inclusive). -> (n, 2)"""
    return lerp(np.asarray(start, float), np.asarray(end, float), np.linspace(0, 1, n))


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


def line_samples(
    coords: np.ndarray, start: tuple[float, float], end: tuple[float, float], n: int
) -> dict[str, np.ndarray]:
    """n points evenly spaced on a segment of a 2-D embedding and the real code nearest each.

    -> points (n, 2), index (n,) of the nearest test code, dist (n,) from each point to it.
    """
    pts = line(np.asarray(start, float), np.asarray(end, float), n)  # (n, 2)
    _, idx = neighbours.nearest_one(coords, pts)  # (n,)
    dist = np.linalg.norm(np.asarray(coords, np.float64)[idx] - pts, axis=1)  # (n,)
    return {"points": pts, "index": np.asarray(idx, int), "dist": dist}


def distinct_in_order(idx: np.ndarray) -> int:
    """How many different codes a sequence of nearest indices visits."""
    return len(np.unique(idx))


def code_jumps(codes: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Latent distance between consecutive chosen codes. (N, d), (n,) -> (n - 1,)"""
    z = np.asarray(codes, np.float64)[idx]
    return np.linalg.norm(np.diff(z, axis=0), axis=1)


def default_line(coords: np.ndarray, labels: np.ndarray, a: int = 0, b: int = 1) -> list[float]:
    """From the median point of digit a's codes to that of digit b in an embedding, rounded."""
    pa = np.median(coords[labels == a], axis=0)
    pb = np.median(coords[labels == b], axis=0)
    return [round(float(v), 2) for v in (*pa, *pb)]
