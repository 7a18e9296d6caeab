"""Latent units, KL and rate-distortion: which dimensions a VAE uses and what it pays for them.

Active units follow Burda, Grosse & Salakhutdinov (2016): dimension i is active when
Var_x(E_q[z_i | x]) exceeds ``vae.losses.ACTIVE_UNIT_THRESHOLD``; the per-dimension KL
(``mean_kl_per_dim``) says the same in nats. Also the beta equivalent of a loss weighting, the
knee of a loss curve, and the per-image "unused" dimensions of one posterior.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from vae.losses import ACTIVE_UNIT_THRESHOLD, active_units, kl_per_dim

PIXELS = 28 * 28
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")  # dim_name
UNUSED_SIGMA = (
    0.9  # a posterior sigma at least this close to the prior's 1: the dimension is unused
)


def dim_name(j: int) -> str:
    """The app's one name for latent dimension j (0-based): z₁ … z_d, as every axis, table and
    sentence writes it."""
    return f"z{str(int(j) + 1).translate(_SUBSCRIPT)}"


def equivalent_beta(weight: float, pixels: int = PIXELS, latent_dims: int = 2) -> float:
    """The beta of ``recon_sum + beta * KL_sum`` equivalent to ``weight`` in a loss whose terms
    are *averaged*: ``mean_pixels(BCE) + weight * mean_dims(KL)``.

    Multiplying the averaged loss by ``pixels`` (which does not move its minimum) gives
    ``BCE_sum + weight * pixels / latent_dims * KL_sum``, so beta = weight * pixels / latent_dims.
    """
    if pixels < 1 or latent_dims < 1:
        raise ValueError("pixels and latent_dims must be at least 1")
    if not math.isfinite(weight) or weight < 0:
        raise ValueError("the weight must be a finite number >= 0")
    return float(weight) * pixels / latent_dims


def mean_kl_per_dim(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Mean over images of KL(q(z_i|x) || N(0, 1)) for each dimension i. (N, d) x2 -> (d,) nats"""
    m, lv = np.asarray(mu, dtype=np.float32), np.asarray(logvar, dtype=np.float32)
    return kl_per_dim(m, lv).mean(axis=0, dtype=np.float64)  # (d,)


def unit_activity(mu: np.ndarray) -> tuple[int, np.ndarray]:
    """Active units (``losses.active_units``, Burda et al. 2016) of posterior means (N, d) as NumPy:
    (count, Var(mu_i) (d,)); a unit is active when Var(mu_i) > ``losses.ACTIVE_UNIT_THRESHOLD``."""
    count, var = active_units(np.asarray(mu, dtype=np.float32))
    return count, var.astype(np.float64)


def kl_dims_frame(mu: np.ndarray, logvar: np.ndarray, beta: float) -> pd.DataFrame:
    """One row per latent dimension: mean KL, Var(mu) and whether the unit is active."""
    kl = mean_kl_per_dim(mu, logvar)
    _, var = unit_activity(mu)
    return pd.DataFrame(
        {
            "dimension": np.arange(1, len(kl) + 1),
            "KL": kl,
            "var_mu": var,
            "active": np.where(var > ACTIVE_UNIT_THRESHOLD, "active", "inactive"),
            "beta": f"{beta:g}",
        }
    )


def plateau(sizes: Sequence[int], losses: Sequence[float], tol: float = 2.0) -> tuple[int, int]:
    """(smallest size whose loss is within ``tol`` of the best, size of the best loss)."""
    sizes, losses = list(sizes), [float(v) for v in losses]
    if not sizes or len(sizes) != len(losses):
        raise ValueError("need as many losses as sizes, at least one")
    best = min(range(len(sizes)), key=lambda i: losses[i])
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    knee = next(i for i in order if losses[i] <= losses[best] + tol)
    return sizes[knee], sizes[best]


def activity(mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Variance of mu over the images per dimension, and which dimensions are active, by the one
    definition (``unit_activity`` / ``vae.losses.active_units``). -> (d,), (d,)"""
    _, var = unit_activity(mu)
    return var, var > ACTIVE_UNIT_THRESHOLD


def activation_table(
    mu: np.ndarray, logvar: np.ndarray | None, labels: np.ndarray, digit: int | None = None
) -> pd.DataFrame:
    """pandas ``describe()`` of mu per latent dimension (one row per dimension), restricted to
    one digit or over all images, plus the mean posterior sd (VAE) of the same images."""
    sel = np.ones(len(mu), bool) if digit is None else labels == digit
    d = mu.shape[1]
    cols = [dim_name(j) for j in range(d)]  # the app's numbering, z₁ … z_d
    table = pd.DataFrame(mu[sel].astype(np.float64), columns=cols).describe().T  # (d, 8)
    table["count"] = table["count"].astype(int)
    if logvar is not None:
        table["mean σ"] = np.exp(0.5 * logvar[sel].astype(np.float64)).mean(axis=0)
    table.insert(0, "dimension", cols)
    return table.reset_index(drop=True)


def variance_budget(mu: np.ndarray, logvar: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per dimension, the variance of the posterior means over the images and the mean posterior
    variance: (Var(mu_j) (d,), E[sigma_j^2] (d,)). Their sum is the variance of the aggregate
    posterior in that dimension, which the KL term pulls toward the prior's 1 (Hoffman & Johnson
    2016); an autoencoder (``logvar`` None) has no sigma, so E[sigma^2] is 0."""
    m = np.asarray(mu, dtype=np.float64)
    s2 = (
        np.zeros(m.shape[1])
        if logvar is None
        else np.exp(np.asarray(logvar, dtype=np.float64)).mean(axis=0)
    )
    return m.var(axis=0), s2


def keep_top(mu: np.ndarray, order: Sequence[int], k: int) -> np.ndarray:
    """Codes with only their first k dimensions of ``order`` kept and every other dimension set to
    the prior's mean 0: what the decoder makes of a code cut down to its k most used dimensions.
    (N, d) -> (N, d)"""
    z = np.zeros_like(np.asarray(mu, dtype=np.float32))
    keep = list(order)[: max(int(k), 0)]
    z[:, keep] = np.asarray(mu, dtype=np.float32)[:, keep]
    return z


def count_above(kl: np.ndarray, threshold: float) -> int:
    """Dimensions whose mean KL (nats) is above ``threshold``: the ones the code uses at that
    bar."""
    return int((np.asarray(kl) > threshold).sum())


def unused_dims(sigma: np.ndarray, threshold: float = UNUSED_SIGMA) -> list[int]:
    """Indices (0-based) of dimensions whose posterior sigma is at least ``threshold``: the
    encoder leaves them at the prior, so they carry no information about the image."""
    return [int(i) for i in np.flatnonzero(np.asarray(sigma) >= threshold)]
