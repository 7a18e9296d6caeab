"""Loss terms: closed-form KL, Bernoulli reconstruction, totals and active units."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal

from vae.losses import (
    ACTIVE_UNIT_THRESHOLD,
    LossTerms,
    active_units,
    bce_per_image,
    kl_divergence,
    kl_per_dim,
    loss_terms,
    mean_terms,
    recon_bce,
)


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_kl_zero_at_standard_normal():
    mu = torch.zeros(5, 7)
    logvar = torch.zeros(5, 7)
    assert torch.equal(kl_per_dim(mu, logvar), torch.zeros(5, 7))
    assert torch.equal(kl_divergence(mu, logvar), torch.zeros(5))


def test_kl_positive_away_from_prior():
    g = _gen(1)
    mu = torch.randn(16, 4, generator=g)
    logvar = torch.randn(16, 4, generator=g)
    assert (kl_per_dim(mu, logvar) >= 0).all()
    assert (kl_divergence(mu, logvar) > 0).all()


def test_kl_matches_torch_distributions_closed_form():
    g = _gen(2)
    mu = torch.randn(8, 6, generator=g, dtype=torch.float64)
    logvar = torch.randn(8, 6, generator=g, dtype=torch.float64)
    q = Normal(mu, torch.exp(0.5 * logvar))
    p = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    expected = torch.distributions.kl_divergence(q, p)  # (8, 6)
    torch.testing.assert_close(kl_per_dim(mu, logvar), expected)
    torch.testing.assert_close(kl_divergence(mu, logvar), expected.sum(1))


def test_kl_matches_monte_carlo():
    mu = torch.tensor([[0.5, -1.0, 2.0, 0.0], [0.0, 0.3, -0.7, 1.5]], dtype=torch.float64)
    logvar = torch.tensor([[-1.0, 0.5, 0.2, -2.0], [0.0, 1.0, -0.5, 0.3]], dtype=torch.float64)
    q = Normal(mu, torch.exp(0.5 * logvar))
    p = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    torch.manual_seed(0)
    n = 200_000
    z = q.sample((n,))  # (n, 2, 4)
    log_ratio = (q.log_prob(z) - p.log_prob(z)).sum(-1)  # (n, 2)
    estimate = log_ratio.mean(0)  # (2,)
    stderr = log_ratio.std(0) / math.sqrt(n)  # (2,)
    closed = kl_divergence(mu, logvar)  # (2,)
    assert ((estimate - closed).abs() <= 5 * stderr).all(), (estimate, closed, stderr)
    torch.testing.assert_close(estimate, closed, rtol=0.02, atol=0.02)


def test_kl_per_dim_sums_to_kl_divergence():
    g = _gen(3)
    mu = torch.randn(10, 5, generator=g)
    logvar = torch.randn(10, 5, generator=g)
    per_dim = kl_per_dim(mu, logvar)
    assert per_dim.shape == (10, 5)
    assert kl_divergence(mu, logvar).shape == (10,)
    torch.testing.assert_close(per_dim.sum(1), kl_divergence(mu, logvar))


def test_recon_bce_matches_torch_per_image():
    g = _gen(4)
    logits = torch.randn(3, 1, 28, 28, generator=g, dtype=torch.float64) * 3
    x = torch.rand(3, 1, 28, 28, generator=g, dtype=torch.float64)  # non-binary targets
    got = recon_bce(logits, x)
    assert got.shape == (3,)
    for i in range(3):
        want = F.binary_cross_entropy(torch.sigmoid(logits[i]), x[i], reduction="sum")
        torch.testing.assert_close(got[i], want)


def test_recon_bce_binary_targets():
    g = _gen(5)
    logits = torch.randn(2, 1, 28, 28, generator=g)
    x = (torch.rand(2, 1, 28, 28, generator=g) > 0.5).float()
    want = torch.stack(
        [F.binary_cross_entropy(torch.sigmoid(logits[i]), x[i], reduction="sum") for i in range(2)]
    )
    torch.testing.assert_close(recon_bce(logits, x), want, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 4.0])
def test_loss_terms_total_is_recon_plus_beta_kl(beta):
    g = _gen(6)
    logits = torch.randn(4, 1, 28, 28, generator=g)
    x = torch.rand(4, 1, 28, 28, generator=g)
    mu = torch.randn(4, 3, generator=g)
    logvar = torch.randn(4, 3, generator=g)
    t = loss_terms(logits, x, mu, logvar, beta)
    assert isinstance(t, LossTerms)
    assert t.recon.shape == t.kl.shape == t.total.shape == (4,)
    torch.testing.assert_close(t.recon, recon_bce(logits, x))
    torch.testing.assert_close(t.kl, kl_divergence(mu, logvar))
    torch.testing.assert_close(t.total, t.recon + beta * t.kl)


def test_loss_terms_ae_has_zero_kl():
    g = _gen(7)
    logits = torch.randn(4, 1, 28, 28, generator=g)
    x = torch.rand(4, 1, 28, 28, generator=g)
    z = torch.randn(4, 2, generator=g)
    t = loss_terms(logits, x, z, None, beta=3.0)
    assert torch.equal(t.kl, torch.zeros(4))
    torch.testing.assert_close(t.total, t.recon)


def test_mean_terms():
    t = LossTerms(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 4.0]), torch.tensor([3.0, 7.0]))
    m = mean_terms(t)
    assert [float(v) for v in m] == [2.0, 3.0, 5.0]
    assert all(v.shape == () for v in m)


def test_active_units_counts_varying_dims():
    g = _gen(8)
    n = 2000
    mu = torch.zeros(n, 6)
    mu[:, 0] = 3.0  # constant: inactive
    mu[:, 1] = torch.randn(n, generator=g)  # variance ~1: active
    mu[:, 2] = -1.5  # constant: inactive
    mu[:, 3] = torch.randn(n, generator=g)  # active
    mu[:, 4] = 0.01 * torch.randn(n, generator=g)  # variance ~1e-4: inactive
    mu[:, 5] = 2.0 * torch.randn(n, generator=g) + 5.0  # variance ~4: active
    count, var = active_units(mu)
    assert count == 3
    assert var.shape == (6,)
    assert var[0] == 0 and var[2] == 0
    assert 0.8 < float(var[1]) < 1.2 and 0.8 < float(var[3]) < 1.2
    assert float(var[4]) < ACTIVE_UNIT_THRESHOLD
    assert 3.2 < float(var[5]) < 4.8


def test_active_units_threshold_argument():
    mu = torch.tensor([[0.0, 0.0], [1.0, 0.2]])  # unbiased variances 0.5 and 0.02
    assert active_units(mu)[0] == 2
    assert active_units(mu, threshold=0.1)[0] == 1
    assert active_units(mu, threshold=1.0)[0] == 0


def test_bce_per_image_of_means_matches_torch_and_recon_bce():
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(3, 28, 28))
    p = rng.uniform(0.01, 0.99, size=(3, 28, 28))
    want = (
        F.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(x), reduction="none")
        .flatten(1)
        .sum(1)
    )
    assert bce_per_image(p, x) == pytest.approx(want.numpy(), rel=1e-9)
    logits = torch.from_numpy(np.log(p) - np.log1p(-p)).reshape(3, 1, 28, 28)
    assert bce_per_image(p, x) == pytest.approx(
        recon_bce(logits, torch.from_numpy(x).reshape(3, 1, 28, 28)).numpy(), rel=1e-9
    )
    # saturated predictions stay finite
    assert np.isfinite(bce_per_image(np.zeros((1, 28, 28)), np.ones((1, 28, 28)))).all()
    assert np.isfinite(bce_per_image(np.zeros((1, 28, 28)), np.zeros((1, 28, 28)) + 0.5)).all()
