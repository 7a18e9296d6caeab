"""Small pure helpers for the "AE vs VAE" and "Grid vs ppf sampling" lessons.

Prior contours, nearest-code distances, tables of grid points, parsing of the pages' link
parameters and the wording of comparisons in "What to notice". numpy / scipy / pandas only
(no streamlit, no torch), so that they can be unit-tested on their own.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from vae import neighbours
from vae.latent import grid_2d

PPF_P_OPTIONS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2)


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

def parse_option(raw: str | None, options: Sequence[float], default: float) -> tuple[float, bool]:
    """A number equal (to 1e-9 relative) to one of ``options``, else the default."""
    if raw is None:
        return default, True
    try:
        v = float(str(raw).strip())
    except ValueError:
        return default, False
    for o in options:
        if math.isfinite(v) and math.isclose(v, o, rel_tol=1e-9, abs_tol=1e-12):
            return o, True
    return default, False


def parse_range(raw_lo: str | None, raw_hi: str | None, limits: tuple[float, float],
                default: tuple[float, float], step: float | None = None
                ) -> tuple[tuple[float, float], bool]:
    """(lo, hi) with limits[0] <= lo < hi <= limits[1]; a missing end keeps its default.

    With ``step`` the values are rounded to multiples of it (a slider's grid) before checking.
    Anything unusable gives the default range and ok=False.
    """
    vals = []
    for raw, d in ((raw_lo, default[0]), (raw_hi, default[1])):
        if raw is None:
            vals.append(float(d))
            continue
        try:
            v = float(str(raw).strip())
        except ValueError:
            return tuple(default), False  # type: ignore[return-value]
        if not (math.isfinite(v) and limits[0] - abs(step or 0) <= v <= limits[1] + abs(step or 0)):
            return tuple(default), False  # type: ignore[return-value]  # (1e308 / step would overflow)
        if step:
            v = round(round(v / step) * step, 10)
        if not (math.isfinite(v) and limits[0] <= v <= limits[1]):
            return tuple(default), False  # type: ignore[return-value]
        vals.append(v)
    if not vals[0] < vals[1]:
        return tuple(default), False  # type: ignore[return-value]
    return (vals[0], vals[1]), True


# --- wording -----------------------------------------------------------------------------------

def pct(x: float) -> str:
    """A share as a percentage for prose: 0.1234 -> '12 %', tiny non-zero shares -> '<1 %'."""
    if x <= 0:
        return "0 %"
    if x < 0.005:
        return "<1 %"
    if x > 0.995 and x < 1:
        return ">99 %"
    return f"{x * 100:.0f} %"


def compare(a: float, b: float, tol: float = 0.005, more: str = "more", fewer: str = "fewer",
            same: str = "about as many") -> str:
    """Word for a compared with b: ``more`` if a > b + tol, ``fewer`` if a < b - tol, else ``same``."""
    if a > b + tol:
        return more
    if a < b - tol:
        return fewer
    return same
