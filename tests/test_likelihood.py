"""The importance-weighted bound (vae.likelihood) against references: torch.distributions for the
Gaussian log density, numerical integration of p(x) for a 1-D latent, and the ELBO for k = 1."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vae.config import ModelConfig
from vae.likelihood import iwae_bounds, iwae_curve, log_normal, log_weights, stratified_subset
from vae.losses import kl_divergence, recon_bce
from vae.models import build_model


def _model(kind: str = "vae", d: int = 2, seed: int = 0):
    torch.manual_seed(seed)
    return build_model(ModelConfig(kind=kind, latent_dim=d, channels=(8, 16), hidden=32)).eval()


def _images(n: int = 6, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 1, 28, 28, generator=g) > 0.8).float() * 0.9  # (n, 1, 28, 28)


def iwae_bound(model, x: torch.Tensor, k: int, **kw) -> torch.Tensor:
    """-L_k per image alone (``iwae_bounds`` without the smaller k). -> (N,)"""
    return iwae_bounds(model, x, k, **kw)[k]


def test_log_normal_matches_torch_distributions():
    g = torch.Generator().manual_seed(0)
    z, mu, logvar = (torch.randn(5, 3, generator=g) for _ in range(3))
    ref = torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).log_prob(z).sum(-1)
    torch.testing.assert_close(log_normal(z, mu, logvar), ref)


def test_stratified_subset_takes_the_first_of_each_class():
    labels = torch.tensor([3, 1, 3, 0, 1, 3, 0, 2, 2, 2])
    idx = stratified_subset(labels, per_class=2)
    assert idx.tolist() == [0, 1, 2, 3, 4, 6, 7, 8]
    assert np.bincount(labels[idx].numpy()).tolist() == [2, 2, 2, 2]


def test_log_mean_exp():
    logw = torch.log(torch.tensor([[1.0, 3.0], [2.0, 2.0]]))
    torch.testing.assert_close(iwae_curve(logw, (2,))[2], -torch.log(torch.tensor([2.0, 2.0])))


def test_k1_is_the_elbo_on_average():
    """E[L_1] = ELBO: the mean of many one-sample log weights equals E_q[log p(x|z)] - KL."""
    model, x = _model(), _images(3)
    with torch.no_grad():
        logw = log_weights(model, x, 4000, generator=torch.Generator().manual_seed(0))  # (3, 4000)
        mu, logvar = model.encode(x)
        g = torch.Generator().manual_seed(1)
        recon = torch.stack(
            [
                recon_bce(model.decode_logits(model.reparameterize(mu, logvar, g)), x)
                for _ in range(400)
            ]
        ).mean(0)  # (3,)
        elbo = -(recon + kl_divergence(mu, logvar))  # (3,)
    torch.testing.assert_close(logw.mean(1), elbo, atol=0.5, rtol=0.0)


def test_bound_tightens_with_k_on_average():
    model, x = _model(seed=3), _images(8)
    with torch.no_grad():
        model.encoder.heads[1].bias.fill_(
            -4.0
        )  # a q(z|x) much narrower than the posterior: a real gap
        model.encoder.heads[0].bias.add_(1.5)
    b = {k: float(iwae_bound(model, x, k=k, seed=0).mean()) for k in (1, 10, 100, 1000)}
    assert b[1] > b[10] > b[100] > b[1000]
    assert b[1] - b[1000] > 1.0


def test_bound_approaches_log_px_by_quadrature():
    """For a 1-D latent, log p(x) = log int p(x|z) p(z) dz by the trapezoid rule on a fine grid:
    the k = 1,000 bound is above -log p(x) by at most a few nats and never below it by more than
    noise."""
    model, x = _model(d=1, seed=5), _images(4, seed=2)
    z = torch.linspace(-8, 8, 4001)[:, None]  # (G, 1)
    with torch.no_grad():
        logits = model.decode_logits(z)  # (G, 1, 28, 28)
        log_px_z = torch.stack([-recon_bce(logits, xi.expand_as(logits)) for xi in x])  # (4, G)
    log_pz = -0.5 * (z[:, 0] ** 2 + math.log(2 * math.pi))  # (G,)
    dz = float(z[1, 0] - z[0, 0])
    nll = -(torch.logsumexp(log_px_z + log_pz, dim=1) + math.log(dz))  # (4,): -log p(x)
    bound = iwae_bound(model, x, k=1000, seed=0)  # (4,)
    elbo = iwae_bound(model, x, k=1, seed=0)
    assert (bound >= nll - 0.05).all(), (bound, nll)
    assert (bound - nll).mean() <= (elbo - nll).mean() + 0.05
    assert (bound - nll).max() < 2.0


def test_cvae_takes_labels():
    model, x = _model("cvae"), _images(4)
    y = torch.tensor([0, 3, 5, 9])
    b = iwae_bound(model, x, 50, y=y)
    assert b.shape == (4,) and torch.isfinite(b).all()
    b_other = iwae_bound(model, x, 50, y=(y + 1) % 10)
    assert not torch.allclose(b, b_other)  # the label enters the decoder


def test_seeded():
    model, x = _model(), _images(3)
    torch.testing.assert_close(
        iwae_bound(model, x, k=20, seed=4), iwae_bound(model, x, k=20, seed=4)
    )
    assert not torch.equal(iwae_bound(model, x, k=20, seed=4), iwae_bound(model, x, k=20, seed=5))


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_chunking_does_not_change_the_weights_distribution(chunk):
    model, x = _model(), _images(2)
    with torch.no_grad():
        w = log_weights(model, x, 30, generator=torch.Generator().manual_seed(0), chunk=chunk)
    assert w.shape == (2, 30) and torch.isfinite(w).all()


def test_curve_groups_the_pool_of_weights():
    """iwae_curve: k = K is the plain bound, k = 1 the mean log weight, and each k the mean over
    disjoint groups (checked by hand on a 2 x 6 pool)."""
    g = torch.Generator().manual_seed(0)
    logw = torch.randn(2, 6, generator=g, dtype=torch.float64)
    c = iwae_curve(logw, (1, 2, 3, 6))
    torch.testing.assert_close(c[6], -(torch.logsumexp(logw, 1) - math.log(6)))
    torch.testing.assert_close(c[1], -logw.mean(1))
    by_hand = -torch.stack(
        [torch.logsumexp(logw[:, i : i + 2], 1) - math.log(2) for i in (0, 2, 4)]
    ).mean(0)
    torch.testing.assert_close(c[2], by_hand)
    with pytest.raises(ValueError):
        iwae_curve(logw, (7,))


def test_curve_matches_the_bound_and_falls_with_k():
    model, x = _model(seed=3), _images(6)
    with torch.no_grad():
        model.encoder.heads[1].bias.fill_(
            -4.0
        )  # a real gap (see test_bound_tightens_with_k_on_average)
        model.encoder.heads[0].bias.add_(1.5)
    b = iwae_bounds(model, x, 1000, (1, 10, 100), seed=0)
    torch.testing.assert_close(b[1000], iwae_bound(model, x, 1000, seed=0))  # ks add no draws
    means = [float(b[k].mean()) for k in (1, 10, 100, 1000)]
    assert means == sorted(means, reverse=True), means
