"""Unit tests of vae.units (KL per dimension, active units, beta equivalents, loss knees) and
ui.draw.chart_tables."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ui.draw import chart_tables
from ui.lessons import words
from ui.page import link_values
from vae import latent, units, zoo
from vae.losses import kl_divergence


def test_equivalent_beta_example_from_the_lesson():
    # 0.01 with BCE averaged over 784 pixels and KL averaged over 2 dims = 3.92 on the summed scale
    assert units.equivalent_beta(0.01, 784, 2) == pytest.approx(3.92)
    assert units.equivalent_beta(2 / 784, 784, 2) == pytest.approx(1.0)
    assert units.equivalent_beta(0.0, 784, 10) == 0.0


def test_equivalent_beta_matches_rescaled_loss():
    rng = np.random.default_rng(0)
    bce, kl = rng.uniform(0, 1, 784), rng.uniform(0, 3, 5)
    w = 0.3
    averaged = bce.mean() + w * kl.mean()
    summed = bce.sum() + units.equivalent_beta(w, 784, 5) * kl.sum()
    assert summed == pytest.approx(784 * averaged)


@pytest.mark.parametrize(
    "args", [(0.01, 0, 2), (0.01, 784, 0), (-1.0, 784, 2), (math.nan, 784, 2), (math.inf, 784, 2)]
)
def test_equivalent_beta_rejects_impossible_values(args):
    with pytest.raises(ValueError):
        units.equivalent_beta(*args)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, (1.0, True)),
        ("1", (1.0, True)),
        ("1.0", (1.0, True)),
        (" 0.1 ", (0.1, True)),
        ("0", (0.0, True)),
        ("1e1", (10.0, True)),
        ("3", (1.0, False)),
        ("banana", (1.0, False)),
        ("nan", (1.0, False)),
        ("inf", (1.0, False)),
        ("", (1.0, False)),
    ],
)
def test_parse_ladder_value(raw, expected):
    assert link_values.parse_ladder_value(raw, zoo.BETAS_2D, 1.0) == expected


def test_parse_ladder_value_round_trips_the_shared_form():
    for b in zoo.BETAS_2D:  # links.state_to_url writes floats with :g
        assert link_values.parse_ladder_value(f"{b:g}", zoo.BETAS_2D, 1.0) == (b, True)


def test_outside_box():
    xy = np.array([[0.0, 0.0], [4.0, -4.0], [4.01, 0.0], [0.0, -5.0], [-9.0, 9.0]])
    assert latent.outside_box(xy, -4.0, 4.0).tolist() == [False, False, True, True, True]


def test_mean_kl_per_dim_matches_losses_and_leaves_input_alone():
    rng = np.random.default_rng(1)
    mu = rng.normal(size=(50, 4)).astype(np.float32)
    lv = rng.normal(scale=0.5, size=(50, 4)).astype(np.float32)
    mu.setflags(write=False)  # cached arrays are read-only
    per_dim = units.mean_kl_per_dim(mu, lv)
    assert per_dim.shape == (4,)
    total = kl_divergence(torch.from_numpy(mu.copy()), torch.from_numpy(lv)).mean().item()
    assert per_dim.sum() == pytest.approx(total, rel=1e-5)
    # the prior itself costs nothing
    assert units.mean_kl_per_dim(np.zeros((3, 2)), np.zeros((3, 2))) == pytest.approx([0.0, 0.0])


def test_unit_activity_and_dims_frame():
    rng = np.random.default_rng(2)
    mu = np.stack(
        [rng.normal(size=1000), 0.01 * rng.normal(size=1000), rng.normal(scale=0.5, size=1000)], 1
    )
    count, var = units.unit_activity(mu)
    assert count == 2 and var.shape == (3,)
    f = units.kl_dims_frame(mu, np.zeros_like(mu), 4.0)
    assert f["dimension"].tolist() == [1, 2, 3]
    assert f["active"].tolist() == ["active", "inactive", "active"]
    assert set(f["beta"]) == {"4"}


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (150.0, 140.0, "improves by 10.0 nats"),
        (100.0, 100.04, "does not change"),
        (100.0, 100.5, "worsens by 0.5 nats"),
    ],
)
def test_change_words(before, after, expected):
    assert words.change_words(before, after) == expected
    assert (
        words.change_words(1, 3, unit="units", lower_is_better=False, digits=0)
        == "improves by 2 units"
    )


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


def test_plateau():
    sizes = [2, 3, 5, 10, 20, 32]
    elbo = [144.6, 137.5, 118.8, 98.1, 96.8, 105.7]
    assert units.plateau(sizes, elbo, tol=2.0) == (10, 20)
    assert units.plateau(sizes, elbo, tol=0.5) == (20, 20)
    assert units.plateau([5], [1.0]) == (5, 5)
    assert units.plateau([10, 2], [1.0, 5.0], tol=10) == (2, 10)  # sizes in any order
    with pytest.raises(ValueError):
        units.plateau([2, 3], [1.0])
