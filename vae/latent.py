"""Latent-space computations the lessons show: sampling grids, prototypes, medoids, traversals,
interpolation, posterior samples, and sampling along a line in an embedding.

Pure numpy/scipy (tensor-free) so that pages, tests and notebooks share them. The ppf grid
follows the Keras VAE example / Kingma & Welling (2014) fig. 4: points at equal steps of
*probability* under the prior, ``scipy.stats.norm.ppf(np.linspace(p, 1 - p, n))``.

The distribution functions come from ``scipy.special`` (``ndtri`` is what ``norm.ppf`` computes,
``chdtri`` the inverse chi-square tail): importing ``scipy.stats`` would add about 33 MB to the
server's memory and half a second to its start for four one-line formulas.
"""
from __future__ import annotations

import numpy as np
from scipy import special
from scipy.spatial import cKDTree

from vae import prior


# --- sampling grids ------------------------------------------------------------------------

def linear_axis(n: int, lo: float = -3.0, hi: float = 3.0) -> np.ndarray:
    """n evenly spaced latent values from lo to hi. -> (n,)"""
    if n < 1 or not lo < hi:
        raise ValueError("need n >= 1 and lo < hi")
    return np.linspace(lo, hi, n)


def ppf_axis(n: int, p: float = 0.005) -> np.ndarray:
    """n latent values at evenly spaced prior probabilities p .. 1 - p. -> (n,)"""
    if n < 1 or not 0 < p < 0.5:
        raise ValueError("need n >= 1 and 0 < p < 0.5")
    return special.ndtri(np.linspace(p, 1 - p, n))  # = scipy.stats.norm.ppf


def grid_2d(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Mosaic order codes: row r, column c is (xs[c], ys[-1 - r]), so y points up.

    -> (len(ys) * len(xs), 2), row-major from the top-left tile.
    """
    gx, gy = np.meshgrid(xs, ys[::-1])  # (ny, nx) each
    return np.stack([gx.ravel(), gy.ravel()], axis=1)  # (ny * nx, 2)


def bounding_box_axes(codes: np.ndarray, n: int, quantile: float = 0.005) -> tuple[np.ndarray, np.ndarray]:
    """Axes spanning the codes' bounding box (robust: between quantiles q and 1 - q)."""
    lo = np.quantile(codes, quantile, axis=0)  # (2,)
    hi = np.quantile(codes, 1 - quantile, axis=0)  # (2,)
    return np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)


def grid_stats(points: np.ndarray, codes: np.ndarray) -> dict[str, float]:
    """How well a set of 2-D grid points serves the data and the prior.

    - ``outside_99``: share of grid points outside the disc that holds 99 % of the prior mass
      (decoding there shows what the decoder never learned);
    - ``empty``: share of grid points that are the nearest grid point of no test code;
    - ``codes_covered``: share of test codes whose nearest grid point is closer than half the
      median grid spacing (codes that some tile depicts).
    """
    r2 = (points ** 2).sum(axis=1)  # (M,)
    tree = cKDTree(points)
    dist, nearest = tree.query(codes)  # (N,), (N,)
    counts = np.bincount(nearest, minlength=len(points))  # (M,)
    spacing = np.median(tree.query(points, k=2)[0][:, 1])
    return {"outside_99": float((r2 > prior.radius(0.99) ** 2).mean()),
            "empty": float((counts == 0).mean()),
            "codes_covered": float((dist < spacing / 2).mean())}


# --- prototypes ----------------------------------------------------------------------------

def prototypes(codes: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Mean code per digit. (N, d), (N,) -> (n_classes, d)"""
    return np.stack([codes[labels == k].mean(axis=0) for k in range(n_classes)])


def sampled_codes(mu: np.ndarray, logvar: np.ndarray, seed: int = 0) -> np.ndarray:
    """One posterior sample z = mu + sigma * eps per image (the original notebook's codes)."""
    eps = np.random.default_rng(seed).standard_normal(mu.shape)
    return mu + np.exp(0.5 * logvar) * eps  # (N, d)


def medoids(codes: np.ndarray, labels: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """Index of the test image of each digit whose code is nearest its digit's prototype. -> (K,)"""
    out = []
    for k, p in enumerate(protos):
        idx = np.flatnonzero(labels == k)
        out.append(idx[np.argmin(((codes[idx] - p) ** 2).sum(axis=1))])
    return np.array(out)


def random_members(labels: np.ndarray, seed: int, n_classes: int = 10) -> np.ndarray:
    """One random test index per digit, reproducible by seed. -> (n_classes,)"""
    rng = np.random.default_rng(seed)
    return np.array([rng.choice(np.flatnonzero(labels == k)) for k in range(n_classes)])


# --- traversals and manifolds ----------------------------------------------------------------

def traversal(base: np.ndarray, values: np.ndarray, dims: list[int] | None = None) -> np.ndarray:
    """Sweep each dimension over ``values`` with the others fixed at ``base``.

    (d,), (S,) -> (len(dims) * S, d), one row of the mosaic per dimension.
    """
    dims = list(range(len(base))) if dims is None else dims
    out = np.repeat(base[None, :], len(dims) * len(values), axis=0)  # (D * S, d)
    for r, dim in enumerate(dims):
        out[r * len(values):(r + 1) * len(values), dim] = values
    return out


def manifold(base: np.ndarray, dim_x: int, dim_y: int, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Codes for an n x n mosaic over two dimensions, others fixed at base (y up). -> (ny*nx, d)"""
    if dim_x == dim_y:
        raise ValueError("choose two different dimensions")
    xy = grid_2d(xs, ys)  # (ny * nx, 2)
    out = np.repeat(base[None, :], len(xy), axis=0)
    out[:, dim_x], out[:, dim_y] = xy[:, 0], xy[:, 1]
    return out


# --- interpolation ---------------------------------------------------------------------------

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


# --- posterior --------------------------------------------------------------------------------

def posterior_samples(mu: np.ndarray, logvar: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n draws z ~ q(z|x) = N(mu, diag(exp(logvar))) for one image. (d,), (d,) -> (n, d)"""
    eps = np.random.default_rng(seed).standard_normal((n, len(mu)))
    return mu[None, :] + np.exp(0.5 * logvar)[None, :] * eps


def ellipse(mu: np.ndarray, logvar: np.ndarray, k: float = 2.0, n: int = 100) -> np.ndarray:
    """k-sigma ellipse of a diagonal 2-D Gaussian (axis-aligned). -> (n, 2)"""
    th = np.linspace(0, 2 * np.pi, n)
    sd = np.exp(0.5 * logvar)
    return np.stack([mu[0] + k * sd[0] * np.cos(th), mu[1] + k * sd[1] * np.sin(th)], axis=1)


# --- embeddings ---------------------------------------------------------------------------------

def line(start: np.ndarray, end: np.ndarray, n: int) -> np.ndarray:
    """n evenly spaced points from start to end (inclusive). -> (n, 2)"""
    return lerp(np.asarray(start, float), np.asarray(end, float), np.linspace(0, 1, n))
