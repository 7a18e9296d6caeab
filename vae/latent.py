"""Sampling and grids in latent space, and statistics of sets of codes.

The grids the lessons decode (linear, and the ppf grid of the Keras VAE example / Kingma &
Welling 2014 fig. 4: points at equal steps of *probability* under the prior,
``scipy.stats.norm.ppf(np.linspace(p, 1 - p, n))``), how well a grid serves the data, prototypes
(mean codes per digit) and medoids, traversals and 2-D slices through a code, posterior samples
and ellipses, and the random picks of test images the pages show. Pure numpy / scipy / pandas;
``scipy.special`` instead of ``scipy.stats`` (33 MB of server memory for a few formulas).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special
from scipy.spatial import cKDTree

from vae import neighbours, prior, units


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


def to_unit(z: np.ndarray) -> np.ndarray:
    """The prior's CDF per coordinate, u = Phi(z): the warp that maps N(0, 1) to the uniform
    distribution on (0, 1), where a ppf grid is evenly spaced. Same shape as z."""
    return special.ndtr(np.asarray(z, dtype=np.float64))  # = scipy.stats.norm.cdf


def grid_2d(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Mosaic order codes: row r, column c is (xs[c], ys[-1 - r]), so y points up.

    -> (len(ys) * len(xs), 2), row-major from the top-left tile.
    """
    gx, gy = np.meshgrid(xs, ys[::-1])  # (ny, nx) each
    return np.stack([gx.ravel(), gy.ravel()], axis=1)  # (ny * nx, 2)


def bounding_box_axes(
    codes: np.ndarray, n: int, quantile: float = 0.005
) -> tuple[np.ndarray, np.ndarray]:
    """Axes spanning the codes' bounding box (robust: between quantiles q and 1 - q)."""
    lo = np.quantile(codes, quantile, axis=0)  # (2,)
    hi = np.quantile(codes, 1 - quantile, axis=0)  # (2,)
    return np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)


def quantile_axes(codes: np.ndarray, n: int, p: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The ppf grid's analogue for codes that are not N(0, I) (an autoencoder's): along each axis,
    the
    codes' own empirical quantiles at probabilities p ... 1 - p in n equal steps, so that between
    neighbouring columns lies the same share of the codes. (N, 2) -> (n,), (n,)"""
    probs = p + (1 - 2 * p) * np.linspace(0.0, 1.0, n)  # (n,)
    q = np.quantile(np.asarray(codes, dtype=np.float64), probs, axis=0)  # (n, 2)
    return q[:, 0], q[:, 1]


def grid_stats(points: np.ndarray, codes: np.ndarray) -> dict[str, float | np.ndarray]:
    """How a set of 2-D grid points (M, 2) serves the codes (N, 2), each code assigned to its
    nearest
    grid point (the tile that depicts it):

    - ``outside_99``: share of grid points outside the disc that holds 99 % of the prior mass
      (decoding there shows what the decoder never learned);
    - ``empty``: share of grid points that are the nearest grid point of no code;
    - ``counts`` (M,): codes per grid point; ``busiest``: the share of the codes the busiest grid
    point
      holds; ``top10``: the share held by the busiest 10 % of grid points (at least one). A balanced
      grid spends its tiles where the codes are: ``top10`` near 10 %, few empty points.
    """
    r2 = (points**2).sum(axis=1)  # (M,)
    _, nearest = cKDTree(points).query(codes)  # (N,)
    counts = np.bincount(nearest, minlength=len(points))  # (M,)
    top = np.sort(counts)[::-1][: max(1, int(round(0.1 * len(points))))]
    return {
        "outside_99": float((r2 > prior.radius(0.99) ** 2).mean()),
        "empty": float((counts == 0).mean()),
        "counts": counts,
        "busiest": float(counts.max() / len(codes)),
        "top10": float(top.sum() / len(codes)),
    }


def prototypes(codes: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Mean code per digit. (N, d), (N,) -> (n_classes, d)"""
    return np.stack([codes[labels == k].mean(axis=0) for k in range(n_classes)])


def sampled_codes(mu: np.ndarray, logvar: np.ndarray, seed: int = 0) -> np.ndarray:
    """One posterior sample z = mu + sigma * eps per image (the original notebook's codes), eps
    seeded prior draws (``prior.samples``). (N, d), (N, d) -> (N, d)"""
    eps = prior.samples(*np.shape(mu), seed)  # (N, d)
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


def traversal(base: np.ndarray, values: np.ndarray, dims: list[int] | None = None) -> np.ndarray:
    """Sweep each dimension over ``values`` with the others fixed at ``base``.

    (d,), (S,) -> (len(dims) * S, d), one row of the mosaic per dimension.
    """
    dims = list(range(len(base))) if dims is None else dims
    out = np.repeat(base[None, :], len(dims) * len(values), axis=0)  # (D * S, d)
    for r, dim in enumerate(dims):
        out[r * len(values) : (r + 1) * len(values), dim] = values
    return out


def manifold(
    base: np.ndarray, dim_x: int, dim_y: int, xs: np.ndarray, ys: np.ndarray
) -> np.ndarray:
    """Codes for an n x n mosaic over two dimensions, others fixed at base (y up). -> (ny*nx, d)"""
    if dim_x == dim_y:
        raise ValueError("choose two different dimensions")
    xy = grid_2d(xs, ys)  # (ny * nx, 2)
    out = np.repeat(base[None, :], len(xy), axis=0)
    out[:, dim_x], out[:, dim_y] = xy[:, 0], xy[:, 1]
    return out


def posterior_samples(mu: np.ndarray, logvar: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n draws z ~ q(z|x) = N(mu, diag(exp(logvar))) for one image, z = mu + sigma * eps with eps
    seeded prior draws (``prior.samples``). (d,), (d,) -> (n, d)"""
    eps = prior.samples(n, len(mu), seed)  # (n, d)
    return mu[None, :] + np.exp(0.5 * logvar)[None, :] * eps


def ellipse(mu: np.ndarray, logvar: np.ndarray, k: float = 2.0, n: int = 100) -> np.ndarray:
    """k-sigma ellipse of a diagonal 2-D Gaussian (axis-aligned). -> (n, 2)"""
    return gaussian_ellipse(mu, np.diag(np.exp(np.asarray(logvar, dtype=np.float64))), k, n)


def gaussian_ellipse(
    centre: np.ndarray, cov: np.ndarray, k: float = 2.0, n: int = 100
) -> np.ndarray:
    """k-sigma contour of a 2-D Gaussian N(centre, cov): centre + k L (cos t, sin t) with L L^T =
    cov
    (the points at Mahalanobis distance k; at k = 2 it holds 1 - e^-2 = 86 % of the mass). -> (n,
    2)"""
    th = np.linspace(0, 2 * np.pi, n)
    chol = np.linalg.cholesky(np.asarray(cov, dtype=np.float64) + 1e-12 * np.eye(2))  # (2, 2)
    circle = np.stack([np.cos(th), np.sin(th)])  # (2, n)
    return np.asarray(centre, dtype=np.float64)[None, :] + k * (chol @ circle).T


def nearest_label_shares(
    points: np.ndarray, codes: np.ndarray, labels: np.ndarray, n_classes: int = 10
) -> np.ndarray:
    """Share of the points whose nearest code has each label: which digits a set of draws lands
    among (a proxy for what the decoder draws there). -> (n_classes,), sums to 1."""
    _, idx = neighbours.nearest_one(codes, points)
    return _label_shares(np.asarray(labels)[idx], n_classes)


def _label_shares(labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Share of each label among ``labels`` (M,). -> (n_classes,), sums to 1."""
    return np.bincount(labels, minlength=n_classes)[:n_classes] / len(labels)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance between two discrete distributions: half the L1 distance, in [0,
    1]."""
    return float(0.5 * np.abs(np.asarray(p, float) - np.asarray(q, float)).sum())


def prior_draws_vs_codes(
    codes: np.ndarray, labels: np.ndarray, draws: np.ndarray, far: float = 3.0
) -> dict[str, np.ndarray | float]:
    """How draws z ~ N(0, I) (M, d) sit among a model's test codes (N, d) with their labels (N,):
    ``mix`` (10,), the share of draws whose nearest code is each digit (roughly what the decoder
    draws
    there); ``tv``, its total-variation distance from the labels' own mix; ``gaps`` (M,), each
    draw's
    distance to the nearest code in typical gaps (``neighbours.spacing``: the median distance
    between a
    code and its nearest neighbour); ``far``, the share of draws more than ``far`` gaps from every
    code
    (not 0 even for codes spread exactly like the prior, whose tails are sparse: see
    ``matched_far_share``)."""
    labels = np.asarray(labels)
    dist, idx = neighbours.nearest_one(
        codes, draws
    )  # (M,), (M,): one search for the mix and the gaps
    mix = _label_shares(labels[idx])  # (10,), as nearest_label_shares
    gaps = dist / max(neighbours.spacing(codes), 1e-12)
    return {
        "mix": mix,
        "tv": total_variation(mix, _label_shares(labels)),
        "gaps": gaps,
        "far": float((gaps > far).mean()),
    }


@lru_cache(maxsize=16)  # a seeded simulation: the same arguments, the same share
def matched_far_share(
    n_codes: int, n_draws: int, d: int = 2, far: float = 3.0, seed: int = 0
) -> float:
    """``prior_draws_vs_codes``'s ``far`` share when the codes themselves are ``n_codes`` draws from
    the
    prior N(0, I): what a perfect fit leaves (about 7 % for 10,000 codes, 2,000 draws and 3 gaps in
    2-D,
    because the tails are sparse), the baseline a model's share is read against. Seeded. -> float"""
    z = prior.samples(n_codes + n_draws, d, [seed, n_codes, n_draws, d])  # codes, then draws
    codes = z[:n_codes]
    return float(
        prior_draws_vs_codes(codes, np.zeros(n_codes, dtype=np.int64), z[n_codes:], far)["far"]
    )


def grid_points_frame(grids: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The sampling points of several grids in mosaic order (row 0 = top row, y up):
    scheme, row, col, z1, z2."""
    frames = []
    for scheme, (xs, ys) in grids.items():
        pts = grid_2d(np.asarray(xs, float), np.asarray(ys, float))  # (ny * nx, 2)
        rows, cols = np.divmod(np.arange(len(pts)), len(xs))
        frames.append(
            pd.DataFrame(
                {"scheme": scheme, "row": rows, "col": cols, "z1": pts[:, 0], "z2": pts[:, 1]}
            )
        )
    return pd.concat(frames, ignore_index=True)


def axis_steps(xs: np.ndarray) -> tuple[float, float]:
    """Smallest and largest step between neighbouring values of a sorted axis."""
    d = np.diff(np.asarray(xs, float))
    if len(d) == 0:
        return 0.0, 0.0
    return float(d.min()), float(d.max())


def pick_random(n_items: int, n: int, seed: int) -> np.ndarray:
    """n distinct random indices in [0, n_items), reproducible by seed. -> (n,)"""
    return np.random.default_rng(seed).choice(n_items, size=min(n, n_items), replace=False)


def pick_digit(labels: np.ndarray, digit: int, n: int, seed: int) -> np.ndarray:
    """n distinct random indices of images of one digit, reproducible by seed. -> (<= n,)"""
    pool = np.flatnonzero(labels == digit)
    if len(pool) == 0:
        return pool
    return np.random.default_rng(seed).choice(pool, size=min(n, len(pool)), replace=False)


def pad_grid(n: int = 41, lo: float = -4.0, hi: float = 4.0) -> np.ndarray:
    """A regular n x n grid of 2-D points covering [lo, hi]^2 (the clickable latent pad). -> (n*n,
    2)"""
    if n < 2 or not lo < hi:
        raise ValueError("need n >= 2 and lo < hi")
    ax = np.linspace(lo, hi, n)
    gx, gy = np.meshgrid(ax, ax)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def outside_box(xy: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Which 2-D points lie outside the square [lo, hi]^2 (either coordinate). (N, 2) -> (N,)
    bool"""
    xy = np.asarray(xy)
    return ((xy < lo) | (xy > hi)).any(axis=1)


def prototype_standard_error(
    logvar: np.ndarray, labels: np.ndarray, n_classes: int = 10
) -> np.ndarray:
    """Standard error of the per-digit mean of one-sample codes around the mean of mu.

    z_i = mu_i + sigma_i * eps_i, so mean_k(z) - mean_k(mu) = mean_k(sigma * eps) has standard
    deviation sqrt(mean_k(sigma^2) / n_k). (N, d), (N,) -> (n_classes, d)
    """
    var = np.exp(logvar.astype(np.float64))  # (N, d)
    out = []
    for k in range(n_classes):
        sel = labels == k
        out.append(np.sqrt(var[sel].mean(axis=0) / max(int(sel.sum()), 1)))
    return np.stack(out)


def traversal_order(mu: np.ndarray, by_activity: bool) -> list[int]:
    """Dimensions in index order, or by decreasing variance of mu (most used first)."""
    d = mu.shape[1]
    if not by_activity:
        return list(range(d))
    return [int(j) for j in np.argsort(-units.activity(mu)[0], kind="stable")]
