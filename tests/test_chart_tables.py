"""ui.draw.chart_tables: long tables for charts (here, which side of its point a label goes)."""

from __future__ import annotations

import numpy as np

from ui.draw import chart_tables


def test_label_sides_moves_crowded_labels_left():
    # beta = 1 at (6.3, 138.3) has beta = 0.5 just to its right: its label goes left
    x = np.array([52.8, 10.8, 7.2, 6.3, 5.4, 4.0, 2.5])
    y = np.array([135.6, 136.8, 138.4, 138.3, 141.2, 147.4, 161.2])
    assert chart_tables.label_sides(x, y).tolist() == [
        "right",
        "right",
        "right",
        "left",
        "right",
        "right",
        "right",
    ]
    assert chart_tables.label_sides(np.array([1.0]), np.array([2.0])).tolist() == ["right"]
    # the 2-D ladder on a log rate axis: beta = 0.5 has neighbours on both sides, so its label goes
    # below
    x = np.log([137.68, 10.85, 7.74, 6.85, 5.88, 4.41, 2.85])
    y = np.array([133.3, 134.6, 135.1, 134.5, 136.7, 141.8, 155.4])
    assert chart_tables.label_sides(x, y).tolist() == [
        "right",
        "right",
        "below",
        "left",
        "right",
        "right",
        "right",
    ]
