"""Pure helpers for the "Digit prototypes" and "Embeddings" lessons: tables and numbers the pages
show about latent codes (no streamlit, no torch; built on :mod:`vae.latent`).

- prototype noise: how far the mean of *sampled* codes z = mu + sigma * eps may stray from the
  mean of the posterior means mu (a standard error per digit and dimension);
- dimension activity (the app's one definition of active units, ``vae.losses.active_units``);
- the per-dimension activation table, histogram counts by digit, long frames for heatmaps;
- sampling along a line drawn in a 2-D embedding (nearest real code, distances, jumps);
- parsing of a "two dimensions" link value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from vae import latent, neighbours
from vae.ladder import unit_activity
from vae.losses import ACTIVE_UNIT_THRESHOLD


# --- prototypes ----------------------------------------------------------------------------------

def prototype_standard_error(logvar: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
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


def activity(mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Variance of mu over the images per dimension, and which dimensions are active, by the one
    definition (``vae.ladder.unit_activity`` / ``vae.losses.active_units``). -> (d,), (d,)"""
    _, var = unit_activity(mu)
    return var, var > ACTIVE_UNIT_THRESHOLD


def activation_table(mu: np.ndarray, logvar: np.ndarray | None, labels: np.ndarray,
                     digit: int | None = None) -> pd.DataFrame:
    """pandas ``describe()`` of mu per latent dimension (one row per dimension), restricted to
    one digit or over all images, plus the mean posterior sd (VAE) of the same images."""
    sel = np.ones(len(mu), bool) if digit is None else labels == digit
    d = mu.shape[1]
    cols = [f"z{j}" for j in range(d)]
    table = pd.DataFrame(mu[sel].astype(np.float64), columns=cols).describe().T  # (d, 8)
    table["count"] = table["count"].astype(int)
    if logvar is not None:
        table["mean σ"] = np.exp(0.5 * logvar[sel].astype(np.float64)).mean(axis=0)
    table.insert(0, "dimension", cols)
    return table.reset_index(drop=True)


def histogram_counts(values: np.ndarray, labels: np.ndarray, bins: int = 40,
                     lo: float | None = None, hi: float | None = None) -> pd.DataFrame:
    """Counts of ``values`` per digit in shared bins: columns start, end, digit (text), count."""
    values = np.asarray(values, np.float64)
    lo = float(values.min()) if lo is None else lo
    hi = float(values.max()) if hi is None else hi
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    rows = []
    for k in range(10):
        counts, _ = np.histogram(values[labels == k], bins=edges)
        rows.append(pd.DataFrame({"start": edges[:-1], "end": edges[1:], "digit": str(k), "count": counts}))
    return pd.concat(rows, ignore_index=True)


def heatmap_frame(matrix: np.ndarray, row_labels: list[str], col_labels: list[str],
                  row_name: str = "row", col_name: str = "column") -> pd.DataFrame:
    """Long form of a matrix for an Altair heatmap: columns row_name, col_name, value."""
    matrix = np.asarray(matrix, np.float64)
    if matrix.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"matrix {matrix.shape} does not match {len(row_labels)} x {len(col_labels)} labels")
    r, c = np.meshgrid(np.arange(len(row_labels)), np.arange(len(col_labels)), indexing="ij")
    return pd.DataFrame({row_name: np.asarray(row_labels, object)[r.ravel()],
                         col_name: np.asarray(col_labels, object)[c.ravel()],
                         "value": matrix.ravel()})


def traversal_order(mu: np.ndarray, by_activity: bool) -> list[int]:
    """Dimensions in index order, or by decreasing variance of mu (most used first)."""
    d = mu.shape[1]
    if not by_activity:
        return list(range(d))
    return [int(j) for j in np.argsort(-activity(mu)[0], kind="stable")]


# --- embeddings ----------------------------------------------------------------------------------

def line_samples(coords: np.ndarray, start: tuple[float, float], end: tuple[float, float], n: int
                 ) -> dict[str, np.ndarray]:
    """n points evenly spaced on a segment of a 2-D embedding and the real code nearest each.

    -> points (n, 2), index (n,) of the nearest test code, dist (n,) from each point to it.
    """
    pts = latent.line(np.asarray(start, float), np.asarray(end, float), n)  # (n, 2)
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


def push_click(clicks: list[tuple[float, float]], point: tuple[float, float]) -> list[tuple[float, float]]:
    """Remember the last two clicked points (a new list; a repeated click on the same point is ignored)."""
    p = (float(point[0]), float(point[1]))
    if clicks and clicks[-1] == p:
        return list(clicks)
    return (list(clicks) + [p])[-2:]


def default_line(coords: np.ndarray, labels: np.ndarray, a: int = 0, b: int = 1) -> list[float]:
    """From the median point of digit a's codes to that of digit b in an embedding, rounded."""
    pa = np.median(coords[labels == a], axis=0)
    pb = np.median(coords[labels == b], axis=0)
    return [round(float(v), 2) for v in (*pa, *pb)]


# --- link values -----------------------------------------------------------------------------------

