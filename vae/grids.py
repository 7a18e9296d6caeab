"""Small pure helpers for the "AE vs VAE" and "Grid vs ppf sampling" lessons.

Prior contours, nearest-code distances, tables of grid points, parsing of the pages' link
parameters and the wording of comparisons in "What to notice". numpy / scipy / pandas only
(no streamlit, no torch), so that they can be unit-tested on their own.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from vae import neighbours
from vae.latent import grid_2d



# --- distances to the data ---------------------------------------------------------------------

def nearest_label_shares(points: np.ndarray, codes: np.ndarray, labels: np.ndarray,
                         n_classes: int = 10) -> np.ndarray:
    """Share of the points whose nearest code has each label: which digits a set of draws lands
    among (a proxy for what the decoder draws there). -> (n_classes,), sums to 1."""
    _, idx = neighbours.nearest_one(codes, points)
    return np.bincount(np.asarray(labels)[idx], minlength=n_classes)[:n_classes] / len(idx)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance between two discrete distributions: half the L1 distance, in [0, 1]."""
    return float(0.5 * np.abs(np.asarray(p, float) - np.asarray(q, float)).sum())


# --- grids -------------------------------------------------------------------------------------

def grid_points_frame(grids: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The sampling points of several grids in mosaic order (row 0 = top row, y up):
    scheme, row, col, z1, z2."""
    frames = []
    for scheme, (xs, ys) in grids.items():
        pts = grid_2d(np.asarray(xs, float), np.asarray(ys, float))  # (ny * nx, 2)
        rows, cols = np.divmod(np.arange(len(pts)), len(xs))
        frames.append(pd.DataFrame({"scheme": scheme, "row": rows, "col": cols,
                                    "z1": pts[:, 0], "z2": pts[:, 1]}))
    return pd.concat(frames, ignore_index=True)


def axis_steps(xs: np.ndarray) -> tuple[float, float]:
    """Smallest and largest step between neighbouring values of a sorted axis."""
    d = np.diff(np.asarray(xs, float))
    if len(d) == 0:
        return 0.0, 0.0
    return float(d.min()), float(d.max())


# --- link parameters (same contract as ui.params: (value, ok)) ---------------------------------

# --- wording -----------------------------------------------------------------------------------

