"""vae.prior, the one home of the prior's radii, circles and seeded samples, against scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vae import prior


def test_radius_matches_chi2_and_closed_form():
    for q in (0.5, 0.9, 0.99):
        r = prior.radius(q)
        assert r == pytest.approx(np.sqrt(stats.chi2.ppf(q, 2)), rel=1e-12)
        assert r == pytest.approx(
            np.sqrt(-2 * np.log(1 - q))
        )  # 2-D: P(|z| <= r) = 1 - exp(-r^2 / 2)
    for d in (1, 3, 10, 32):
        assert prior.radius(0.99, d) == pytest.approx(np.sqrt(stats.chi2.ppf(0.99, d)), rel=1e-12)
    with pytest.raises(ValueError):
        prior.radius(1.0)


def test_radius_holds_its_share_of_samples():
    z = np.random.default_rng(0).standard_normal((200_000, 2))
    for q in prior.CONTOUR_QS:
        assert prior.share_inside(z, q) == pytest.approx(q, abs=0.005)
    z10 = np.random.default_rng(1).standard_normal((100_000, 10))
    assert prior.share_inside(z10, 0.9) == pytest.approx(0.9, abs=0.005)


def test_circle_closed_with_right_radius():
    c = prior.circle(2.5, 50)
    assert c.shape == (50, 2)
    assert np.allclose(np.linalg.norm(c, axis=1), 2.5)
    assert np.allclose(c[0], c[-1])


def test_contours_frame():
    df = prior.contours(n=40)
    assert list(df["label"].unique()) == ["50 %", "90 %", "99 %"]
    assert len(df) == 3 * 40
    for q, g in df.groupby("q"):
        assert np.allclose(np.hypot(g["x"], g["y"]), prior.radius(q))
        assert list(g["order"]) == list(range(40))


def test_share_inside_and_by_class():
    codes = np.array([[0.0, 0.0], [1.0, 1.0], [10.0, 0.0], [0.0, -20.0]])
    assert prior.share_inside(codes, 0.99) == 0.5
    codes = np.array([[0.0, 0.0], [10.0, 0.0], [0.5, 0.5], [0.0, 9.0]])
    out = prior.share_inside_by_class(codes, np.array([0, 0, 1, 1]), 0.99, n_classes=3)
    assert out[:2].tolist() == [0.5, 0.5] and np.isnan(out[2])


def test_samples_and_typical_norm():
    z = prior.samples(4000, 10, seed=0)
    assert z.shape == (4000, 10)
    assert np.array_equal(z, prior.samples(4000, 10, seed=0))
    assert np.linalg.norm(z, axis=1).mean() == pytest.approx(prior.typical_norm(10), rel=0.02)
    assert prior.typical_norm(1) == pytest.approx(np.sqrt(2 / np.pi))
    for d in (1, 2, 3, 10, 32, 64):
        assert prior.typical_norm(d) == pytest.approx(stats.chi(d).mean(), rel=1e-12)


def test_samples_take_a_sequence_seed_as_numpy_does():
    """The lessons' prior draws seed with [seed, 1] (``ui.page.model_calls.prior_draws``): the same
    numbers as numpy's generator seeded so, and other numbers than the plain seed."""
    z = prior.samples(5, 2, [3, 1])
    np.testing.assert_array_equal(z, np.random.default_rng([3, 1]).standard_normal((5, 2)))
    assert not np.array_equal(z, prior.samples(5, 2, 3))
