"""Long tables for charts: histogram counts by digit, heatmap cells, label placement (no
streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def histogram_counts(
    values: np.ndarray,
    labels: np.ndarray,
    bins: int = 40,
    lo: float | None = None,
    hi: float | None = None,
) -> pd.DataFrame:
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
        rows.append(
            pd.DataFrame({"start": edges[:-1], "end": edges[1:], "digit": str(k), "count": counts})
        )
    return pd.concat(rows, ignore_index=True)


def heatmap_frame(
    matrix: np.ndarray,
    row_labels: list[str],
    col_labels: list[str],
    row_name: str = "row",
    col_name: str = "column",
) -> pd.DataFrame:
    """Long form of a matrix for an Altair heatmap: columns row_name, col_name, value."""
    matrix = np.asarray(matrix, np.float64)
    if matrix.shape != (len(row_labels), len(col_labels)):
        raise ValueError(
            f"matrix {matrix.shape} does not match {len(row_labels)} x {len(col_labels)} labels"
        )
    r, c = np.meshgrid(np.arange(len(row_labels)), np.arange(len(col_labels)), indexing="ij")
    return pd.DataFrame(
        {
            row_name: np.asarray(row_labels, object)[r.ravel()],
            col_name: np.asarray(col_labels, object)[c.ravel()],
            "value": matrix.ravel(),
        }
    )


def label_sides(x: np.ndarray, y: np.ndarray, near: float = 0.12) -> np.ndarray:
    """Where to write each point's label: 'right', else 'left' for a point whose label, written to
    its right, would run into a neighbour there (within ``near`` of the x range to the right and
    near / 2 of the y range), else 'below' when a neighbour crowds its left side too (a label
    written left must not run into a neighbour or its label either)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xs = (x - x.min()) / (np.ptp(x) or 1.0)
    ys = (y - y.min()) / (np.ptp(y) or 1.0)
    dx = xs[None, :] - xs[:, None]  # (i, j): how far j lies to the right of i
    dy = np.abs(ys[None, :] - ys[:, None])
    close = dy < near / 2
    right = ((dx > 0) & (dx < near) & close).any(axis=1)
    left = ((dx < 0) & (dx > -near) & close).any(axis=1)
    return np.where(~right, "right", np.where(~left, "left", "below"))
