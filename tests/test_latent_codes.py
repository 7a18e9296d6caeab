"""Unit tests of vae.latent prototypes, vae.units activity tables, ui.draw.chart_tables and
vae.paths embedding lines."""

from __future__ import annotations

import numpy as np
import pytest

from ui.draw import chart_tables
from ui.page import link_values
from vae import latent, paths, units


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 200)  # (2000,)
    mu = rng.standard_normal((2000, 4)) + labels[:, None] * np.array([1.0, 0.0, 0.0, 0.0])
    mu[:, 3] = 0.001 * rng.standard_normal(2000)  # an inactive dimension
    logvar = np.full((2000, 4), np.log(0.25))  # sigma = 0.5
    return mu, logvar, labels


def test_standard_error_formula(toy):
    mu, logvar, labels = toy
    se = latent.prototype_standard_error(logvar, labels)
    assert se.shape == (10, 4)
    np.testing.assert_allclose(se, 0.5 / np.sqrt(200))


def test_sampled_prototypes_differ_by_noise(toy):
    mu, logvar, labels = toy
    se = latent.prototype_standard_error(logvar, labels)
    p_mu = latent.prototypes(mu, labels)
    z = np.mean(
        [
            np.abs(latent.prototypes(latent.sampled_codes(mu, logvar, s), labels) - p_mu) / se
            for s in range(20)
        ],
        axis=0,
    )
    assert 0.6 < z.mean() < 1.0  # E|N(0,1)| = 0.80


def test_activity(toy):
    mu, _, _ = toy
    var, active = units.activity(mu)
    assert active.tolist() == [True, True, True, False]
    assert var[0] > var[1]


def test_activation_table(toy):
    mu, logvar, labels = toy
    t = units.activation_table(mu, logvar, labels)
    assert list(t["dimension"]) == ["z₁", "z₂", "z₃", "z₄"]
    assert {"count", "mean", "std", "min", "25%", "50%", "75%", "max", "mean σ"} <= set(t.columns)
    assert (t["count"] == 2000).all()
    np.testing.assert_allclose(t["mean σ"], 0.5)
    t3 = units.activation_table(mu, None, labels, digit=3)
    assert (t3["count"] == 200).all() and "mean σ" not in t3
    np.testing.assert_allclose(t3["mean"], mu[labels == 3].mean(axis=0))


def test_histogram_counts(toy):
    mu, _, labels = toy
    h = chart_tables.histogram_counts(mu[:, 0], labels, bins=30)
    assert len(h) == 300 and h["count"].sum() == 2000
    assert set(h["digit"]) == {str(k) for k in range(10)}
    assert h.groupby("digit")["count"].sum().eq(200).all()
    flat = chart_tables.histogram_counts(
        np.zeros(2000), labels, bins=5
    )  # constant values: no crash
    assert flat["count"].sum() == 2000


def test_heatmap_frame():
    m = np.arange(6.0).reshape(2, 3)
    f = chart_tables.heatmap_frame(m, ["a", "b"], ["x", "y", "z"], "digit", "dimension")
    assert list(f.columns) == ["digit", "dimension", "value"]
    assert f[(f.digit == "b") & (f.dimension == "y")]["value"].item() == 4.0
    with pytest.raises(ValueError):
        chart_tables.heatmap_frame(m, ["a"], ["x", "y", "z"])


def test_traversal_order(toy):
    mu, _, _ = toy
    assert latent.traversal_order(mu, False) == [0, 1, 2, 3]
    order = latent.traversal_order(mu, True)
    assert order[0] == 0 and order[-1] == 3 and sorted(order) == [0, 1, 2, 3]


def test_line_samples():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [10.0, 10.0]])
    s = paths.line_samples(coords, (0, 0.3), (2, 0.3), 3)
    assert s["points"].shape == (3, 2)
    assert s["index"].tolist() == [0, 1, 2]
    np.testing.assert_allclose(s["dist"], [0.3, 0.3, 0.3])
    s = paths.line_samples(coords, (0, 0), (2, 0), 9)
    assert paths.distinct_in_order(s["index"]) == 3
    far = paths.line_samples(coords, (5, 5), (5, 5), 3)  # a degenerate line: one point, repeated
    assert paths.distinct_in_order(far["index"]) == 1


def test_code_jumps():
    codes = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(paths.code_jumps(codes, np.array([0, 0, 1])), [0.0, 5.0])


def test_push_click():
    c = link_values.push_click([], (1, 2))
    assert c == [(1.0, 2.0)]
    c = link_values.push_click(c, (3, 4))
    assert c == [(1.0, 2.0), (3.0, 4.0)]
    assert link_values.push_click(c, (3, 4)) == c  # same point again: ignored
    assert link_values.push_click(c, (5, 6)) == [(3.0, 4.0), (5.0, 6.0)]


def test_default_line():
    coords = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [7.0, 7.0]])
    labels = np.array([0, 0, 1, 1])
    assert paths.default_line(coords, labels) == [0.5, 0.5, 6.0, 6.0]


@pytest.mark.parametrize(
    "raw, expected, ok",
    [
        (None, (0, 1), True),
        ("2,5", (2, 5), True),
        (" 3 , 3 ", (3, 3), True),
        ("2", (0, 1), False),
        ("1,2,3", (0, 1), False),
        ("a,b", (0, 1), False),
        ("0,10", (0, 1), False),
        ("-1,2", (0, 1), False),
        ("", (0, 1), False),
    ],
)
def test_parse_dim_pair(raw, expected, ok):
    assert link_values.parse_dim_pair(raw, 10, (0, 1)) == (expected, ok)
