"""The shipped model zoo in cache/: every checkpoint present, loadable and good enough.

While ``python -m vae.build`` is still filling cache/, set LATENT_LAB_ALLOW_MISSING=1 to skip
(rather than fail) the checks on files that do not exist yet.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from vae import artefacts, zoo
from vae.checkpoint import stored_train_config

EXPECTED_NAMES = {
    "ae-2d",
    "vae-2d",
    "vae-2d-beta0",
    "vae-2d-beta0.1",
    "vae-2d-beta0.5",
    "vae-2d-beta2",
    "vae-2d-beta5",
    "vae-2d-beta10",
    "ae-10d",
    "vae-10d",
    "vae-10d-beta0.1",
    "vae-10d-beta4",
    "vae-3d",
    "vae-5d",
    "vae-20d",
    "vae-32d",
    "cvae-2d",
}
# (metric, upper bound) in nats per test image (the fair-zoo issue's quality targets)
TARGETS = {
    "vae-10d": ("test_elbo", 98.5),
    "vae-20d": ("test_elbo", 97.0),
    "vae-2d": ("test_elbo", 145.0),
    "ae-2d": ("test_recon", 135.0),
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
        mu, logvar = model.encode(x, y)
        img = model.decode(mu, y)
    assert (logvar is None) == (cfg.kind == "ae")
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


# --- a fair zoo: one budget, long enough that the ladders mean something
# ---------------------------


@pytest.mark.xfail(
    bool(zoo.PENDING_RETRAIN),
    strict=True,
    reason=f"still to retrain at the fair budget: {', '.join(zoo.PENDING_RETRAIN)}",
)
def test_one_training_budget_for_the_whole_zoo():
    budgets = {zoo.entry(n).train for n in zoo.names()}
    assert budgets == {zoo.BUDGET}, budgets


def test_models_pending_retraining_are_named_with_their_old_budget():
    for name, epochs in zoo.PENDING_RETRAIN.items():
        assert name in zoo.REGISTRY and epochs < zoo.EPOCHS
        assert zoo.entry(name).train.epochs == epochs


def test_every_model_but_the_pending_ones_has_the_fair_budget():
    for name in zoo.names():
        if name not in zoo.PENDING_RETRAIN:
            assert zoo.entry(name).train == zoo.BUDGET, name
    assert all(
        zoo.entry(n).model.channels == zoo.entry("vae-2d").model.channels
        and zoo.entry(n).model.hidden == zoo.entry("vae-2d").model.hidden
        for n in zoo.names()
    )


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_checkpoint_was_trained_with_the_registry_budget(name):
    require(name)
    info = zoo.info(name)
    assert stored_train_config(info) == zoo.entry(name).train, (
        f"{name}: rebuild with python -m vae.build"
    )


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED_NAMES if not n.startswith("ae-")))
def test_importance_weighted_bound_is_stored(name):
    if name in zoo.PENDING_RETRAIN:
        pytest.skip(
            f"{name} is still to retrain at the fair budget (its rebuild measures the bound)"
        )
    require(name)
    m = zoo.info(name)["metrics"]
    assert m["iwae_k"] == 1000 and m["subset_images"] == 500
    # the k = 1,000 bound is tighter than the one-sample ELBO on the same images
    assert 0 < m["subset_elbo"] - m["subset_iwae"] < 15, m
    # and the curve over k (the same 1,000 draws in groups) falls towards it
    curve = [m["subset_iwae_k1"], m["subset_iwae_k10"], m["subset_iwae_k100"], m["subset_iwae"]]
    assert curve == sorted(curve, reverse=True), curve
    assert abs(m["subset_iwae_k1"] - m["subset_elbo"]) < 1.0, (
        m
    )  # k = 1 is the ELBO, averaged over 1,000 draws


def test_latent_size_ladder_never_gets_worse_by_more_than_a_nat():
    from vae.zoo import LATENT_SIZES

    names = [zoo.beta_name(d, 1.0) for d in LATENT_SIZES]
    for n in names:
        require(n)
    elbo = [zoo.info(n)["metrics"]["test_elbo"] for n in names]
    for (a, ea), (b, eb) in zip(zip(names, elbo), zip(names[1:], elbo[1:])):
        assert eb <= ea + 1.0, f"{b} ({eb:.2f}) is worse than {a} ({ea:.2f})"


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_quality_target_on_an_independent_evaluation(name):
    """The targets hold when measured with the public interface only: zoo.load, encode, decode
    on the 10,000 test images (one posterior sample, its own seed; BCE on the decoded means)."""
    require(name)
    metric, bound = TARGETS[name]
    model = zoo.load(name)
    images, _ = artefacts.load_test_set()
    x = torch.from_numpy(images).float().div(255).unsqueeze(1)  # (N, 1, 28, 28)
    g = torch.Generator().manual_seed(123)
    recon, kl = [], []
    with torch.no_grad():
        for xb in x.split(1000):
            mu, logvar = model.encode(xb)
            if logvar is not None:
                z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=g)
                kl.append(0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1))
            else:
                z = mu
            p = model.decode(z)
            recon.append(
                torch.nn.functional.binary_cross_entropy(p, xb, reduction="none").flatten(1).sum(1)
            )
    value = float(torch.cat(recon).mean()) + (
        float(torch.cat(kl).mean()) if metric == "test_elbo" else 0.0
    )
    assert value <= bound, (
        f"{name}: {metric} = {value:.2f} nats on the independent evaluation, target <= {bound}"
    )


def _readme_snippet() -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return next(b for b in blocks if "zoo.load(" in b)


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_readme_snippet_runs_as_written_for_every_model(name):
    """The README's snippet, with only the model name changed, works for every model (and an AE
    batch of two is not mistaken for a (mu, logvar) pair)."""
    require(name)
    code = re.sub(
        r'zoo\.load(_arrays)?\("[^"]+"\)',
        lambda m: f'zoo.load{m.group(1) or ""}("{name}")',
        _readme_snippet(),
    )
    images, labels = artefacts.load_test_set()
    env = {
        "x": torch.from_numpy(images[:2]).float().div(255).unsqueeze(1),
        "y": torch.from_numpy(labels[:2]).long(),
    }
    exec(compile(code, "README.md", "exec"), env)
    d = zoo.entry(name).model.latent_dim
    assert env["mu"].shape == (2, d)
    assert env["x_hat"].shape == (2, 1, 28, 28)
    assert (env["logvar"] is None) == name.startswith("ae-")
    # the served NumPy model of the same name gives the same codes (to float32 rounding)
    np.testing.assert_allclose(env["mu_np"], env["mu"].detach().numpy(), atol=1e-4)
    assert (env["logvar_np"] is None) == name.startswith("ae-")


# At the 20-epoch budget two models keep a dimension between "used" and "switched off": vae-20d's
# weakest
# dimension has Var(mu) 0.063 and 0.043 nats of KL (used, weakly), vae-32d's 13 unused ones have
# Var(mu)
# up to 0.0058 (under the threshold 0.01, but not ten times under). The threshold still separates
# them
# (see the next test); the tenfold margin does not hold for these two (measured 2026-12-02).
NARROW_MARGIN = {"vae-20d", "vae-32d"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n,
            marks=pytest.mark.xfail(
                strict=True, reason="a dimension within 10x of the threshold at the 20-epoch budget"
            ),
        )
        if n in NARROW_MARGIN
        else n
        for n in sorted(n for n in EXPECTED_NAMES if not n.startswith("ae-"))
    ],
)
def test_the_active_unit_threshold_separates_used_from_unused_dimensions(name):
    """Var(mu_i) of every dimension is far from the threshold (10x above or below it): the count
    does not hinge on the threshold's exact value. Per-dimension KL agrees: used dimensions carry
    more than 0.1 nats, unused ones less than 0.01."""
    from vae.losses import ACTIVE_UNIT_THRESHOLD
    from vae.units import mean_kl_per_dim

    if name in zoo.PENDING_RETRAIN:
        pytest.skip(f"{name} is still to retrain at the fair budget")
    require(name)
    codes = np.load(artefacts.codes_path(name))
    mu, logvar = codes["mu"].astype(np.float64), codes["logvar"].astype(np.float64)
    var = mu.var(axis=0, ddof=1)
    kl = mean_kl_per_dim(mu, logvar)
    assert ((var > 10 * ACTIVE_UNIT_THRESHOLD) | (var < ACTIVE_UNIT_THRESHOLD / 10)).all(), (
        np.round(var, 4)
    )
    used = var > ACTIVE_UNIT_THRESHOLD
    assert (kl[used] > 0.1).all() and (kl[~used] < 0.01).all(), np.round(kl, 4)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED_NAMES if not n.startswith("ae-")))
def test_activity_by_spread_and_by_kl_agree_for_every_dimension(name):
    """Burda et al.'s test (Var(mu_i) > 0.01) and the KL the dimension costs (> 0.01 nats, the
    per-dimension KL the pages show) call the same dimensions used, for every model: the count of
    active units does not depend on which of the two a page reads. No dimension's Var(mu_i) lies
    within a factor 1.5 of the threshold."""
    from vae.losses import ACTIVE_UNIT_THRESHOLD
    from vae.units import mean_kl_per_dim

    require(name)
    codes = np.load(artefacts.codes_path(name))
    mu, logvar = codes["mu"].astype(np.float64), codes["logvar"].astype(np.float64)
    var = mu.var(axis=0, ddof=1)
    kl = mean_kl_per_dim(mu, logvar)
    np.testing.assert_array_equal(
        var > ACTIVE_UNIT_THRESHOLD, kl > 0.01, err_msg=f"{np.round(var, 4)} {np.round(kl, 4)}"
    )
    assert ((var > 1.5 * ACTIVE_UNIT_THRESHOLD) | (var < ACTIVE_UNIT_THRESHOLD / 1.5)).all(), (
        np.round(var, 4)
    )
