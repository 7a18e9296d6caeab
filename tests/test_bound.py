"""vae.bound against references: the grid's log p(x) against an importance-sampling estimate and
against a Gaussian model with a closed-form evidence, the identity log p(x) = ELBO + gap, the
quadrature ELBO against Monte Carlo, and the refinement that never lowers the ELBO."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from vae import bound
from vae.config import ModelConfig
from vae.likelihood import iwae_curve, log_weights
from vae.losses import kl_divergence, recon_bce
from vae.models import build_model

ROOT = Path(__file__).resolve().parent.parent


def _model(seed: int = 0):
    torch.manual_seed(seed)
    return build_model(ModelConfig(kind="vae", latent_dim=2, channels=(8, 16), hidden=32)).eval()


def _images(n: int = 3, seed: int = 1) -> np.ndarray:
    g = np.random.default_rng(seed)
    return ((g.random((n, 28, 28)) > 0.8) * 0.9).astype(np.float32)  # (n, 28, 28)


def _encode(model, x):
    with torch.no_grad():
        mu, lv = model.encode(torch.as_tensor(x)[:, None])
    return mu.double().numpy(), lv.double().numpy()


@pytest.fixture(scope="module")
def setup():
    model, x = _model(), _images()
    mu, lv = _encode(model, x)
    coarse = bound.decode_grid(
        model, bound.coarse_grid(np.random.default_rng(0).standard_normal((500, 2)))
    )
    return model, x, mu, lv, coarse


def test_grid_points_are_row_major_and_cover_the_box():
    g = bound.grid_over(np.array([-1.0, 0.0]), np.array([1.0, 4.0]), 4, 2)
    np.testing.assert_allclose(g.xs, [-0.75, -0.25, 0.25, 0.75])
    np.testing.assert_allclose(g.ys, [1.0, 3.0])
    assert g.shape == (2, 4) and g.area == pytest.approx(1.0)
    np.testing.assert_allclose(
        g.points()[:5], [[-0.75, 1], [-0.25, 1], [0.25, 1], [0.75, 1], [-0.75, 3]]
    )


def test_log_likelihood_on_the_grid_is_the_models_bce(setup):
    model, x, *_ = setup
    g = bound.grid_over(np.array([-2.0, -2.0]), np.array([2.0, 2.0]), 6, 5)
    dg = bound.decode_grid(model, g)
    with torch.no_grad():
        logits = model.decode_logits(torch.as_tensor(g.points(), dtype=torch.float32))
        ref = -recon_bce(logits, torch.as_tensor(x[0]).expand_as(logits).contiguous())
    np.testing.assert_allclose(dg.log_likelihood(x[0]), ref.double().numpy(), rtol=1e-5, atol=1e-3)


def test_quadrature_is_exact_for_a_gaussian_integrand():
    """p(x, z) = N(z; m, s^2 I) times a constant C: log p(x) = log C, the posterior is that
    Gaussian,
    and the ELBO of q = that Gaussian is log C too (no gap)."""
    m, s, log_c = np.array([0.3, -0.2]), 0.1, -50.0
    g = bound.grid_over(m - 14 * s, m + 14 * s, 112, 112)  # holds the wider q below to 7 sd
    pts = g.points()
    lj = log_c - 0.5 * (
        2 * math.log(2 * math.pi) + 2 * math.log(s**2) + ((pts - m) ** 2).sum(1) / s**2
    )
    assert bound.log_evidence(lj, g.area) == pytest.approx(log_c, abs=1e-6)
    mean, sd = bound.moments(pts, bound.posterior(lj))
    np.testing.assert_allclose(mean, m, atol=1e-6)
    np.testing.assert_allclose(sd, [s, s], rtol=1e-3)
    assert bound.elbo(lj, g, m, np.log([s**2, s**2])) == pytest.approx(log_c, abs=1e-4)
    wider = bound.elbo(lj, g, m, np.log([(2 * s) ** 2] * 2))
    assert wider < log_c - 0.5  # any other q falls short: the gap is the KL to the posterior
    # KL(N(m, 4 s^2) || N(m, s^2)) per dimension = 0.5 (4 - 1 - log 4)
    assert log_c - wider == pytest.approx(2 * 0.5 * (4 - 1 - math.log(4)), abs=1e-3)


def test_log_px_matches_importance_sampling(setup):
    """The grid's log p(x) against log mean p(x, z) / q(z) over 20,000 draws from q (an unbiased
    estimate of p(x), whose log is a bound that the grid must sit just above)."""
    model, x, mu, lv, coarse = setup
    with torch.no_grad():
        lw = log_weights(
            model, torch.as_tensor(x)[:, None], 20000, generator=torch.Generator().manual_seed(0)
        )
    mc = -iwae_curve(lw, (20000,))[20000].double().numpy()  # (3,)
    for i in range(len(x)):
        b = bound.image_bound(model, coarse, x[i], mu[i], lv[i])
        assert b.gap.accuracy < 0.05, b.gap
        assert b.gap.log_px == pytest.approx(mc[i], abs=0.1), (b.gap, mc[i])
        assert b.post.sum() == pytest.approx(1.0)


def test_elbo_identity_and_parts(setup):
    """log p(x) = ELBO + gap; the gap's parts add up; the ELBO on q's grid agrees with the
    Monte-Carlo ELBO (E_q log p(x|z) - KL) and sits below log p(x)."""
    model, x, mu, lv, coarse = setup
    xt = torch.as_tensor(x)[:, None]
    with torch.no_grad():
        m, logvar = model.encode(xt)
        g = torch.Generator().manual_seed(1)
        recon = torch.stack(
            [
                recon_bce(model.decode_logits(model.reparameterize(m, logvar, g)), xt)
                for _ in range(2000)
            ]
        ).mean(0)
        mc_elbo = -(recon + kl_divergence(m, logvar)).double().numpy()  # (3,)
    for i in range(len(x)):
        gp = bound.image_bound(model, coarse, x[i], mu[i], lv[i]).gap
        assert gp.log_px == pytest.approx(gp.elbo + gp.gap)
        assert gp.gap == pytest.approx(gp.amortization + gp.approximation)
        assert gp.elbo == pytest.approx(mc_elbo[i], abs=0.15)
        assert gp.elbo <= gp.log_px + 0.01 and gp.elbo_best <= gp.log_px + 0.01
        assert gp.amortization >= 0.0


def test_refinement_never_lowers_the_elbo_by_more_than_noise(setup):
    model, x, mu, lv, coarse = setup
    for i in range(len(x)):
        b = bound.image_bound(model, coarse, x[i], mu[i], lv[i])
        assert b.path_elbo is not None and len(b.path_elbo) == bound.REFINE_STEPS + 1
        assert b.path_elbo[-1] >= b.path_elbo[0] - 1e-6
        assert np.all(np.diff(np.maximum.accumulate(b.path_elbo)) >= 0)
        assert (
            b.path_elbo[-1] >= b.path_elbo.max() - 0.05
        )  # it settles at its best, no wandering off
        np.testing.assert_allclose(b.path_mu[0], mu[i])


def test_a_far_q_still_gets_the_best_gaussian():
    """An encoder that puts q far from the posterior: the refinement starts from the posterior's
    moments too, so the amortization part shows the whole miss."""
    model, x = _model(seed=2), _images(1, seed=4)
    mu, lv = _encode(model, x)
    coarse = bound.decode_grid(model, bound.coarse_grid(np.zeros((10, 2))))
    far_mu, narrow = mu[0] + 3.0, np.log([1e-3, 1e-3])
    b = bound.image_bound(model, coarse, x[0], far_mu, narrow)
    assert b.gap.amortization > 1.0
    assert b.gap.approximation < b.gap.amortization


def test_refinement_steps_as_torch_adam_with_cosine_annealing_does():
    """``bound.refine`` takes its own Adam steps (torch.optim would import torch._dynamo into the
    server); they are torch.optim.Adam's with CosineAnnealingLR, on the same random problem."""
    rng = np.random.default_rng(3)
    grid = bound.grid_over(np.array([-3.0, -3.0]), np.array([3.0, 3.0]), 24, 24)
    z = grid.points()
    log_joint = -0.5 * ((z - [0.4, -0.7]) ** 2 / [0.3, 0.6]).sum(1) + 0.1 * rng.normal(size=len(z))
    mu0, lv0 = np.array([-0.5, 0.5]), np.log([0.5, 0.2])
    mus, lvs, trace = bound.refine(log_joint, grid, mu0, lv0, steps=25, lr=0.2)

    t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    lj, pts, m0, scale = t(log_joint), t(z), t(mu0), torch.exp(0.5 * t(lv0))
    u, lv = torch.zeros(2, dtype=torch.float64, requires_grad=True), t(lv0).requires_grad_(True)
    opt = torch.optim.Adam([u, lv], lr=0.2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 25)
    ref = []
    for i in range(26):
        value = bound._elbo(lj, pts, m0 + scale * u, lv, grid.area)
        ref.append((m0 + scale * u).detach().numpy().copy())
        if i < 25:
            opt.zero_grad()
            (-value).backward()
            opt.step()
            sched.step()
    np.testing.assert_allclose(mus, np.array(ref), rtol=0, atol=1e-10)
    assert trace[-1] > trace[0]


def test_refinement_does_not_import_torch_dynamo():
    """The reason for the hand-written Adam: a fresh process that refines never imports
    torch._dynamo (about 900 modules and 145 MB of resident memory)."""
    code = (
        "import sys, numpy as np; from vae import bound;"
        "g = bound.grid_over(np.array([-2., -2.]), np.array([2., 2.]), 8, 8);"
        "bound.refine(-(g.points() ** 2).sum(1), g, np.zeros(2), np.zeros(2), steps=3);"
        "print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


def test_a_compact_coarse_grid_places_the_integral_as_well(setup):
    """``DecodedGrid.compact`` (the app keeps coarse grids as float16): half the memory, log p(x|z)
    within hundredths of a nat, and the same log p(x) from the fine grid it places."""
    model, x, mu, lv, coarse = setup
    small = coarse.compact()
    assert small.logits.dtype == np.float16 and coarse.logits.dtype == np.float32
    for i in range(len(x)):
        assert np.abs(small.log_joint(x[i]) - coarse.log_joint(x[i])).max() < 0.05
        a = bound.image_bound(model, coarse, x[i], mu[i], lv[i]).gap.log_px
        b = bound.image_bound(model, small, x[i], mu[i], lv[i]).gap.log_px
        assert b == pytest.approx(a, abs=2e-3)
