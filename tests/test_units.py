"""Unit tests of vae.units (KL per dimension, active units, beta equivalents, loss knees)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vae import units
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


def test_plateau():
    sizes = [2, 3, 5, 10, 20, 32]
    elbo = [144.6, 137.5, 118.8, 98.1, 96.8, 105.7]
    assert units.plateau(sizes, elbo, tol=2.0) == (10, 20)
    assert units.plateau(sizes, elbo, tol=0.5) == (20, 20)
    assert units.plateau([5], [1.0]) == (5, 5)
    assert units.plateau([10, 2], [1.0, 5.0], tol=10) == (2, 10)  # sizes in any order
    with pytest.raises(ValueError):
        units.plateau([2, 3], [1.0])
