"""Computations for the two "ladder" lessons: the beta ladder (KL weighting) and the latent-size
ladder. Pure numpy / pandas (torch only through :mod:`vae.losses`), no streamlit.

Conventions as in :mod:`vae.losses`: every loss is in nats *per image*, the reconstruction term
is binary cross-entropy summed over the 784 pixels, KL is summed over the latent dimensions.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from vae.losses import ACTIVE_UNIT_THRESHOLD, active_units, kl_per_dim

PIXELS = 28 * 28
TERM_NAMES = {"recon": "reconstruction", "kl": "KL"}
_EPS = 1e-6


# --- shareable values ---------------------------------------------------------------------

# --- weight conventions ---------------------------------------------------------------------

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


# --- latent codes -----------------------------------------------------------------------------

def outside_box(xy: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Which 2-D points lie outside the square [lo, hi]^2 (either coordinate). (N, 2) -> (N,) bool"""
    xy = np.asarray(xy)
    return ((xy < lo) | (xy > hi)).any(axis=1)


def mean_kl_per_dim(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Mean over images of KL(q(z_i|x) || N(0, 1)) for each dimension i. (N, d) x2 -> (d,) nats"""
    m = torch.from_numpy(np.array(mu, dtype=np.float32))  # copy: inputs may be read-only
    lv = torch.from_numpy(np.array(logvar, dtype=np.float32))
    return kl_per_dim(m, lv).double().mean(dim=0).numpy()  # (d,)


def unit_activity(mu: np.ndarray) -> tuple[int, np.ndarray]:
    """Active units (``losses.active_units``, Burda et al. 2016) of posterior means (N, d) as NumPy:
    (count, Var(mu_i) (d,)); a unit is active when Var(mu_i) > ``losses.ACTIVE_UNIT_THRESHOLD``."""
    count, var = active_units(torch.from_numpy(np.array(mu, dtype=np.float32)))
    return count, var.numpy().astype(np.float64)


def kl_dims_frame(mu: np.ndarray, logvar: np.ndarray, beta: float) -> pd.DataFrame:
    """One row per latent dimension: mean KL, Var(mu) and whether the unit is active."""
    kl = mean_kl_per_dim(mu, logvar)
    _, var = unit_activity(mu)
    return pd.DataFrame({"dimension": np.arange(1, len(kl) + 1), "KL": kl, "var_mu": var,
                         "active": np.where(var > ACTIVE_UNIT_THRESHOLD, "active", "inactive"),
                         "beta": f"{beta:g}"})


# --- words for "what to notice" -----------------------------------------------------------------

# --- chart layout -------------------------------------------------------------------------------

def label_sides(x: np.ndarray, y: np.ndarray, near: float = 0.12) -> np.ndarray:
    """'left' for a point whose label, written to its right, would run into a neighbour there
    (within ``near`` of the x range to the right and near / 2 of the y range), else 'right'."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xs = (x - x.min()) / (np.ptp(x) or 1.0)
    ys = (y - y.min()) / (np.ptp(y) or 1.0)
    dx = xs[None, :] - xs[:, None]  # (i, j): how far j lies to the right of i
    dy = np.abs(ys[None, :] - ys[:, None])
    crowded = ((dx > 0) & (dx < near) & (dy < near / 2)).any(axis=1)
    return np.where(crowded, "left", "right")


# --- words for "what to notice" -----------------------------------------------------------------

def plateau(sizes: Sequence[int], losses: Sequence[float], tol: float = 2.0) -> tuple[int, int]:
    """(smallest size whose loss is within ``tol`` of the best, size of the best loss)."""
    sizes, losses = list(sizes), [float(v) for v in losses]
    if not sizes or len(sizes) != len(losses):
        raise ValueError("need as many losses as sizes, at least one")
    best = min(range(len(sizes)), key=lambda i: losses[i])
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    knee = next(i for i in order if losses[i] <= losses[best] + tol)
    return sizes[knee], sizes[best]
