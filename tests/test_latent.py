"""vae.latent's sampling grids against scipy.stats (the module itself uses scipy.special)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vae import latent


@pytest.mark.parametrize("n,p", [(1, 0.25), (2, 0.005), (15, 0.005), (30, 0.05), (25, 0.2)])
def test_ppf_axis_equals_scipy_norm_ppf(n, p):
    np.testing.assert_allclose(latent.ppf_axis(n, p), stats.norm.ppf(np.linspace(p, 1 - p, n)), rtol=0, atol=1e-12)


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
    np.testing.assert_allclose(np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d), 1.5 ** 2, rtol=1e-6)
