"""vae.latent's sampling grids against scipy.stats (the module itself uses scipy.special)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vae import latent


@pytest.mark.parametrize("n,p", [(1, 0.25), (2, 0.005), (15, 0.005), (30, 0.05), (25, 0.2)])
def test_ppf_axis_equals_scipy_norm_ppf(n, p):
    np.testing.assert_allclose(
        latent.ppf_axis(n, p), stats.norm.ppf(np.linspace(p, 1 - p, n)), rtol=0, atol=1e-12
    )


def test_ppf_axis_is_symmetric_and_increasing():
    xs = latent.ppf_axis(20, 0.01)
    np.testing.assert_allclose(xs, -xs[::-1], atol=1e-12)
    assert np.all(np.diff(xs) > 0)


@pytest.mark.parametrize("bad", [(0, 0.1), (5, 0.0), (5, 0.5), (5, -0.1)])
def test_ppf_axis_refuses_impossible_parameters(bad):
    with pytest.raises(ValueError):
        latent.ppf_axis(*bad)


def test_linear_axis_and_grid_order():
    xs = latent.linear_axis(3, -1.0, 1.0)
    np.testing.assert_allclose(xs, [-1.0, 0.0, 1.0])
    g = latent.grid_2d(xs, np.array([10.0, 20.0]))  # (6, 2): top row first, y pointing up
    assert g.shape == (6, 2)
    np.testing.assert_allclose(g[0], [-1.0, 20.0])
    np.testing.assert_allclose(g[-1], [1.0, 10.0])


def test_ellipse_is_the_axis_aligned_k_sigma_ellipse():
    mu, logvar = np.array([0.5, -1.0]), np.log(np.array([0.09, 0.25]))
    th = np.linspace(0, 2 * np.pi, 50)
    want = np.stack([0.5 + 2 * 0.3 * np.cos(th), -1.0 + 2 * 0.5 * np.sin(th)], axis=1)
    np.testing.assert_allclose(latent.ellipse(mu, logvar, k=2.0, n=50), want, atol=1e-9)


def test_gaussian_ellipse_points_are_at_mahalanobis_distance_k():
    cov = np.array([[2.0, 0.8], [0.8, 0.5]])
    ring = latent.gaussian_ellipse(np.array([1.0, 2.0]), cov, k=1.5, n=64)
    d = ring - [1.0, 2.0]
    np.testing.assert_allclose(
        np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d), 1.5**2, rtol=1e-6
    )


def test_prior_draws_vs_codes_against_scikit_learn():
    """The digit mix, distances in typical gaps and the far share, recomputed with
    sklearn.neighbors.NearestNeighbors; codes drawn like the prior leave almost no draw far away."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(0)
    codes, labels = rng.standard_normal((3000, 2)), rng.integers(0, 10, 3000)
    draws = rng.standard_normal((500, 2))
    got = latent.prior_draws_vs_codes(codes, labels, draws, far=3.0)
    nn = NearestNeighbors(n_neighbors=1).fit(codes)
    dist, idx = nn.kneighbors(draws)
    gap = np.median(NearestNeighbors(n_neighbors=2).fit(codes).kneighbors(codes)[0][:, 1])
    np.testing.assert_allclose(got["mix"], np.bincount(labels[idx[:, 0]], minlength=10) / 500)
    np.testing.assert_allclose(got["gaps"], dist[:, 0] / gap)
    assert got["far"] == float((dist[:, 0] / gap > 3.0).mean())
    # codes spread like the prior still leave some draws far (sparse tails): the matched baseline
    assert (
        abs(got["far"] - latent.matched_far_share(3000, 500)) < 0.04
        and 0.02 < latent.matched_far_share(10_000, 2000) < 0.12
    )
    assert got["tv"] == latent.total_variation(got["mix"], np.bincount(labels, minlength=10) / 3000)
    shifted = latent.prior_draws_vs_codes(
        codes + 3.0, labels, draws
    )  # codes off the prior: draws land far
    assert shifted["far"] > 0.5


def test_grid_stats_against_a_brute_force_assignment():
    """Each code counted at its nearest grid point (scikit-learn's NearestNeighbors as the
    reference);
    on codes drawn from the prior, the ppf grid is the balanced one and the wide linear grid is
    not."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(1)
    codes = rng.standard_normal((5000, 2))
    lin = latent.grid_2d(latent.linear_axis(12, -4, 4), latent.linear_axis(12, -4, 4))
    ppf = latent.grid_2d(latent.ppf_axis(12, 0.05), latent.ppf_axis(12, 0.05))
    for pts in (lin, ppf):
        s = latent.grid_stats(pts, codes)
        idx = NearestNeighbors(n_neighbors=1).fit(pts).kneighbors(codes)[1][:, 0]
        counts = np.bincount(idx, minlength=len(pts))
        np.testing.assert_array_equal(s["counts"], counts)
        assert s["empty"] == (counts == 0).mean() and s["busiest"] == counts.max() / 5000
        assert s["top10"] == np.sort(counts)[::-1][:14].sum() / 5000  # 10 % of 144 points
    s_lin, s_ppf = latent.grid_stats(lin, codes), latent.grid_stats(ppf, codes)
    assert s_ppf["top10"] < s_lin["top10"] and s_ppf["empty"] < s_lin["empty"]


def test_quantile_axes_are_the_codes_own_ppf():
    """For codes drawn from N(0, I) the empirical-quantile axes approach scipy's ppf axis; for any
    codes, each band between neighbouring columns holds the same share of them."""
    rng = np.random.default_rng(2)
    xs, ys = latent.quantile_axes(rng.standard_normal((200_000, 2)), 9, 0.05)
    np.testing.assert_allclose(xs, latent.ppf_axis(9, 0.05), atol=0.02)
    np.testing.assert_allclose(ys, stats.norm.ppf(0.05 + 0.9 * np.linspace(0, 1, 9)), atol=0.02)
    skewed = rng.exponential(size=(10_000, 2))
    qx, _ = latent.quantile_axes(skewed, 11, 0.0)
    shares = np.histogram(skewed[:, 0], bins=qx)[0] / len(skewed)
    np.testing.assert_allclose(shares, 0.1, atol=0.002)


def test_outside_box():
    xy = np.array([[0.0, 0.0], [4.0, -4.0], [4.01, 0.0], [0.0, -5.0], [-9.0, 9.0]])
    assert latent.outside_box(xy, -4.0, 4.0).tolist() == [False, False, True, True, True]
