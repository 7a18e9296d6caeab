"""Unit tests of vae.latent (grid points, grid tables) and of the link parsers and words the grid
pages use."""

from __future__ import annotations

import numpy as np
import pytest

from ui.draw.style import PPF_P_OPTIONS
from ui.lessons import words
from ui.page import link_values
from vae import latent


def test_grid_points_frame_follows_mosaic_order():
    xs, ys = np.array([-1.0, 0.0, 1.0]), np.array([-2.0, 2.0])
    df = latent.grid_points_frame({"a": (xs, ys), "b": (xs, xs)})
    a = df[df["scheme"] == "a"]
    assert len(a) == 6 and len(df) == 6 + 9
    pts = latent.grid_2d(xs, ys)
    assert np.allclose(a[["z1", "z2"]].to_numpy(), pts)
    top_left = a[(a["row"] == 0) & (a["col"] == 0)].iloc[0]
    assert (top_left["z1"], top_left["z2"]) == (
        -1.0,
        2.0,
    )  # y points up: the top row has the largest z2
    assert a["row"].max() == 1 and a["col"].max() == 2


def test_axis_steps_of_ppf_axis_grow_outwards():
    lo, hi = latent.axis_steps(latent.ppf_axis(15, 0.005))
    assert 0 < lo < hi
    assert latent.axis_steps(np.linspace(-3, 3, 7)) == pytest.approx((1.0, 1.0))
    assert latent.axis_steps(np.array([1.0])) == (0.0, 0.0)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, (0.005, True)),
        ("0.005", (0.005, True)),
        ("5e-3", (0.005, True)),
        (" 0.2 ", (0.2, True)),
        ("0.0005", (0.0005, True)),
        ("0.003", (0.005, False)),
        ("abc", (0.005, False)),
        ("nan", (0.005, False)),
        ("inf", (0.005, False)),
        ("", (0.005, False)),
    ],
)
def test_parse_option(raw, expected):
    assert link_values.parse_option(raw, PPF_P_OPTIONS, 0.005) == expected


@pytest.mark.parametrize(
    "lo, hi, expected",
    [
        (None, None, ((-3.0, 3.0), True)),
        ("-2", "4", ((-2.0, 4.0), True)),
        ("-2.04", None, ((-2.0, 3.0), True)),
        ("1", "1", ((-3.0, 3.0), False)),
        ("2", "-2", ((-3.0, 3.0), False)),
        ("-9", "2", ((-3.0, 3.0), False)),
        ("x", "2", ((-3.0, 3.0), False)),
        ("-1", "nan", ((-3.0, 3.0), False)),
        ("4", None, ((-3.0, 3.0), False)),  # lo above the default hi
    ],
)
def test_parse_range(lo, hi, expected):
    assert link_values.parse_range(lo, hi, (-5.0, 5.0), (-3.0, 3.0), step=0.1) == expected


def test_parse_range_rounds_to_step():
    (lo, hi), ok = link_values.parse_range("-1.26", "2.349", (-5.0, 5.0), (-3.0, 3.0), step=0.1)
    assert ok and lo == -1.3 and hi == 2.3


def test_pct_and_compare():
    assert words.pct(0.0) == "0 %"
    assert words.pct(0.001) == "<1 %"
    assert words.pct(0.1234) == "12 %"
    assert words.pct(0.999) == ">99 %"
    assert words.pct(1.0) == "100 %"
    assert words.compare(0.5, 0.2) == "more"
    assert words.compare(0.2, 0.5) == "fewer"
    assert words.compare(0.5, 0.502) == "about as many"
    assert words.compare(1, 0, more="up") == "up"


def test_nearest_label_shares_and_total_variation():
    codes = np.array([[0.0, 0.0], [10.0, 0.0]])
    labels = np.array([3, 7])
    pts = np.array([[1.0, 0.0], [2.0, 0.0], [9.0, 0.0], [-1.0, 0.0]])
    h = latent.nearest_label_shares(pts, codes, labels)
    assert h.shape == (10,) and h.sum() == pytest.approx(1.0)
    assert h[3] == 0.75 and h[7] == 0.25
    assert latent.total_variation(h, h) == 0.0
    assert latent.total_variation([1, 0], [0, 1]) == 1.0
    assert latent.total_variation([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.25)
