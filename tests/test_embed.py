"""vae.embed: PCA in plain NumPy against scikit-learn's PCA, the placement of a new code and of its
posterior in the PCA map (``pca_project``, ``pca_project_cov``), and PC1's turns under resampling
(``pc_angles_cov`` against its reference ``pc_angles``)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from vae import embed, latent


def test_principal_axes_match_scikit_learns_pca():
    rng = np.random.default_rng(1)
    codes = rng.normal(size=(800, 6)) * np.array([3.0, 2.0, 1.5, 1.0, 0.5, 0.1]) + 4.0
    mean, comps, ratio = embed.principal_axes(codes)
    ref = PCA(n_components=6).fit(codes)
    np.testing.assert_allclose(mean, ref.mean_, atol=1e-10)
    np.testing.assert_allclose(ratio, ref.explained_variance_ratio_, rtol=1e-8)
    np.testing.assert_allclose(
        np.abs(np.sum(comps * ref.components_, axis=1)), 1.0, atol=1e-8
    )  # up to sign
    out = embed.pca(codes)
    np.testing.assert_allclose(np.abs(out["pca"]), np.abs(ref.transform(codes)[:, :2]), atol=1e-4)
    angles = embed.pc_angles(codes, n_boot=5)
    assert angles.shape == (5,) and (angles < 10).all()  # a clear PC1 barely turns under resampling


def test_pc_angles_cov_gives_the_reference_angles():
    """The covariance shortcut the pages use: the same resamples as the SVD of each resampled set
    (``pc_angles``), so the same angles up to rounding, on a clear PC1 and on an unclear one."""
    rng = np.random.default_rng(4)
    for scale in ([3.0, 1.0, 0.5], [1.0, 0.97, 0.5]):
        codes = rng.normal(size=(600, 3)) * np.array(scale)
        np.testing.assert_allclose(
            embed.pc_angles_cov(codes, n_boot=8, seed=2),
            embed.pc_angles(codes, n_boot=8, seed=2),
            atol=1e-5,
        )


def test_pca_project_matches_sklearn():
    rng = np.random.default_rng(1)
    codes = rng.normal(size=(300, 10)) * np.linspace(3, 0.3, 10)
    p = PCA(n_components=10, random_state=0).fit(codes)
    new = rng.normal(size=10)
    np.testing.assert_allclose(
        embed.pca_project(codes, p.components_, new),
        p.transform(new[None])[0, :2],
        rtol=1e-6,
        atol=1e-9,
    )


def test_pca_projected_posterior_ellipse_holds_its_share_of_samples():
    """The posterior N(mu, diag sigma^2) mapped by sklearn's PCA transform: the projected samples'
    covariance is pca_project_cov, and the 2-sigma ellipse around pca_project holds 1 - e^-2 of
    them."""
    from matplotlib.path import Path as MplPath

    rng = np.random.default_rng(2)
    codes = rng.normal(size=(400, 10)) * np.linspace(3, 0.3, 10)
    p = PCA(n_components=10, random_state=0).fit(codes)
    mu, logvar = rng.normal(size=10), rng.uniform(-3, 0, size=10)
    z = mu + np.exp(0.5 * logvar) * rng.normal(size=(20_000, 10))  # (S, 10) posterior samples
    proj = p.transform(z)[:, :2]  # (S, 2)
    cov = embed.pca_project_cov(p.components_, logvar)
    np.testing.assert_allclose(cov, np.cov(proj.T), rtol=0.05, atol=0.01)  # sampling error ~ 0.003
    ring = latent.gaussian_ellipse(embed.pca_project(codes, p.components_, mu), cov, k=2.0, n=400)
    inside = MplPath(ring).contains_points(proj).mean()
    assert abs(inside - (1 - np.exp(-2))) < 0.01, inside


@pytest.mark.parametrize("d", [2, 10])
def test_pca_project_of_the_codes_is_the_stored_map(d):
    """A test code placed by pca_project lands where the build's PCA map put it."""
    rng = np.random.default_rng(d)
    codes = rng.normal(size=(200, d)) * np.linspace(2, 0.5, d)
    out = embed.pca(codes)
    for i in (0, 57, 199):
        np.testing.assert_allclose(
            embed.pca_project(codes, out["pca_components"], codes[i]), out["pca"][i], atol=1e-4
        )
