"""The shipped model zoo in cache/: every checkpoint present, loadable and good enough.

While ``python -m vae.build`` is still filling cache/, set LATENT_LAB_ALLOW_MISSING=1 to skip
(rather than fail) the checks on files that do not exist yet.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch

from vae import artefacts, zoo
from vae.models import AE, CVAE, VAE

EXPECTED_NAMES = {
    "ae-2d", "vae-2d", "vae-2d-beta0", "vae-2d-beta0.1", "vae-2d-beta0.5", "vae-2d-beta2",
    "vae-2d-beta5", "vae-2d-beta10", "ae-10d", "vae-10d", "vae-10d-beta0.1", "vae-10d-beta4",
    "vae-3d", "vae-5d", "vae-20d", "vae-32d", "cvae-2d",
}
# (metric, upper bound) in nats per test image
TARGETS = {
    "vae-10d": ("test_elbo", 100.0),
    "vae-20d": ("test_elbo", 97.0),
    "vae-2d": ("test_elbo", 148.0),
    "ae-2d": ("test_recon", 145.0),
}
CACHE_LIMIT_BYTES = 40 * 1024 * 1024


def allow_missing() -> bool:
    return os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1"


def require(name: str) -> None:
    """Fail (or skip, with LATENT_LAB_ALLOW_MISSING=1) when a checkpoint is not built."""
    path = zoo.checkpoint_path(name)
    if not path.exists():
        if allow_missing():
            pytest.skip(f"{name}: not built yet ({path})")
        pytest.fail(f"{path} is missing; build it with `python -m vae.build --only {name}`")


def test_names_exact():
    names = zoo.names()
    assert len(names) == len(set(names))
    assert set(names) == EXPECTED_NAMES


def test_registry_entries_consistent():
    for name in zoo.names():
        e = zoo.entry(name)
        assert e.name == name
        assert e.model.kind in name
        assert f"-{e.model.latent_dim}d" in name
        assert e.train.seed == 0 and e.train.train_size is None
    with pytest.raises(KeyError, match="unknown model"):
        zoo.entry("vae-99d")


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_checkpoint_exists(name):
    require(name)
    assert zoo.checkpoint_path(name).stat().st_size > 0


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_load_and_run(name):
    require(name)
    model = zoo.load(name)
    cfg = zoo.entry(name).model
    assert not model.training
    assert model.config == cfg
    assert all(p.dtype == torch.float32 and not p.requires_grad for p in model.parameters())
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))  # float32
    y = torch.tensor([0, 1, 2, 3])
    d = cfg.latent_dim
    with torch.no_grad():
        if isinstance(model, CVAE):
            mu, logvar = model.encode(x, y)
            img = model.decode(mu, y)
        elif isinstance(model, VAE):
            mu, logvar = model.encode(x)
            img = model.decode(mu)
        else:
            assert isinstance(model, AE)
            mu, logvar = model.encode(x), None
            img = model.decode(mu)
    assert mu.shape == (4, d) and mu.dtype == torch.float32
    if logvar is not None:
        assert logvar.shape == (4, d)
    assert img.shape == (4, 1, 28, 28) and img.dtype == torch.float32
    assert torch.isfinite(img).all() and img.min() >= 0 and img.max() <= 1


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_info_metrics(name):
    require(name)
    info = zoo.info(name)
    assert "state_dict" not in info
    assert info["name"] == name
    m = info["metrics"]
    for k in ("test_elbo", "test_recon", "test_kl"):
        assert k in m and math.isfinite(m[k]), k
    assert m["test_elbo"] == pytest.approx(m["test_recon"] + m["test_kl"], rel=1e-4)
    assert len(info["history"]["train_total"]) == zoo.entry(name).train.epochs


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_quality_target(name):
    require(name)
    metric, bound = TARGETS[name]
    value = zoo.info(name)["metrics"][metric]
    assert value <= bound, f"{name}: {metric} = {value:.2f} nats, target <= {bound}"


def test_test_set_copy():
    images, labels = artefacts.load_test_set()
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10_000,)
    assert labels.min() == 0 and labels.max() == 9
    assert set(np.unique(labels).tolist()) == set(range(10))
    assert images.max() == 255  # raw pixel values, not rescaled


def test_cache_size():
    missing = [n for n in zoo.names() if not zoo.checkpoint_path(n).exists()]
    if missing and allow_missing():
        pytest.skip(f"cache/ incomplete, not built yet: {', '.join(missing)}")
    files = [p for p in artefacts.cache_dir().rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    assert not missing, f"missing checkpoints: {missing}"
    assert total < CACHE_LIMIT_BYTES, f"cache/ holds {total / 2**20:.1f} MiB"
