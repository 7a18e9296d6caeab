"""Model shapes, the reparameterization trick and config validation."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from vae.config import ARCH_VERSION, ModelConfig, TrainConfig, from_dict, to_dict
from vae.models import AE, CVAE, VAE, Autoencoder, build_model

B = 4


@pytest.fixture(scope="module")
def x() -> torch.Tensor:
    return torch.rand(B, 1, 28, 28, generator=torch.Generator().manual_seed(0))  # (4, 1, 28, 28)


@pytest.fixture(scope="module")
def y() -> torch.Tensor:
    return torch.tensor([0, 3, 7, 9])  # (4,)


def _model(kind: str, d: int):
    torch.manual_seed(0)
    return build_model(ModelConfig(kind=kind, latent_dim=d)).eval()


@pytest.mark.parametrize("kind,cls", [("ae", AE), ("vae", VAE), ("cvae", CVAE)])
def test_build_model_class(kind, cls):
    m = build_model(ModelConfig(kind=kind))
    assert type(m) is cls
    assert m.config.kind == kind


@pytest.mark.parametrize("d", [2, 10])
def test_ae_shapes(d, x):
    m = _model("ae", d)
    with torch.no_grad():
        z, no_logvar = m.encode(x)
        assert no_logvar is None  # a deterministic code
        assert isinstance(z, torch.Tensor) and z.shape == (B, d)
        img = m.decode(z)
        assert img.shape == (B, 1, 28, 28)
        assert img.min() >= 0 and img.max() <= 1
        logits, code, logvar = m(x)
    assert logits.shape == (B, 1, 28, 28)
    torch.testing.assert_close(code, z)
    assert logvar is None
    torch.testing.assert_close(torch.sigmoid(logits), img)


@pytest.mark.parametrize("d", [2, 10])
def test_vae_shapes(d, x):
    m = _model("vae", d)
    with torch.no_grad():
        mu, logvar = m.encode(x)
        assert mu.shape == logvar.shape == (B, d)
        img = m.decode(mu)
        assert img.shape == (B, 1, 28, 28)
        assert img.min() >= 0 and img.max() <= 1
        logits, mu2, logvar2 = m(x)
    assert logits.shape == (B, 1, 28, 28)
    assert torch.isfinite(logits).all()
    torch.testing.assert_close(mu2, mu)
    torch.testing.assert_close(logvar2, logvar)
    # logits, not probabilities: sigmoid of decode_logits(mu) is decode(mu)
    torch.testing.assert_close(torch.sigmoid(m.decode_logits(mu)), img)


@pytest.mark.parametrize("d", [2, 10])
def test_cvae_shapes(d, x, y):
    m = _model("cvae", d)
    with torch.no_grad():
        mu, logvar = m.encode(x, y)
        assert mu.shape == logvar.shape == (B, d)
        img = m.decode(mu, y)
        assert img.shape == (B, 1, 28, 28)
        assert img.min() >= 0 and img.max() <= 1
        logits, mu2, logvar2 = m(x, y)
        assert logits.shape == (B, 1, 28, 28)
        torch.testing.assert_close(mu2, mu)
        torch.testing.assert_close(logvar2, logvar)
        # the label matters at both ends
        other = (y + 1) % 10
        assert not torch.allclose(m.encode(x, other)[0], mu)
        assert not torch.allclose(m.decode(mu, other), img)


def test_cvae_needs_labels(x):
    m = _model("cvae", 2)
    for call in (
        lambda: m.encode(x),
        lambda: m.decode(torch.zeros(B, 2)),
        lambda: m.decode_logits(torch.zeros(B, 2)),
        lambda: m(x),
    ):
        with pytest.raises(ValueError, match="needs the digit labels y"):
            call()


@pytest.mark.parametrize("kind", ["ae", "vae", "cvae"])
def test_one_interface_for_every_model(kind, x, y):
    """encode(x, y) -> (mu, logvar | None), decode(z, y), decode_logits(z, y), forward(x, y): the
    same calls for every kind; the unconditional models ignore the labels."""
    m = _model(kind, 3)
    assert isinstance(m, Autoencoder)
    with torch.no_grad():
        mu, logvar = m.encode(x, y)
        assert mu.shape == (B, 3)
        assert (logvar is None) == (kind == "ae")
        img = m.decode(mu, y)
        assert img.shape == (B, 1, 28, 28)
        torch.testing.assert_close(torch.sigmoid(m.decode_logits(mu, y)), img)
        logits, mu2, logvar2 = m(x, y)
        torch.testing.assert_close(mu2, mu)
        if kind != "cvae":
            torch.testing.assert_close(m.encode(x)[0], mu)
            torch.testing.assert_close(m.decode(mu), img)
    assert m.conditional == (kind == "cvae")


def test_reparameterize_of_a_deterministic_code_is_the_code():
    mu = torch.randn(3, 2)
    assert Autoencoder.reparameterize(mu, None) is mu


@pytest.mark.parametrize("channels", [(32, 64), (16, 32, 64)])
def test_channel_layouts(channels, x):
    m = build_model(ModelConfig(latent_dim=5, channels=channels, hidden=32)).eval()
    with torch.no_grad():
        logits, mu, logvar = m(x)
    assert logits.shape == (B, 1, 28, 28) and mu.shape == (B, 5)


def test_reparameterize_mean_and_variance():
    n = 200_000
    mu_d = torch.tensor([0.0, 2.0, -1.5, 0.3])
    logvar_d = torch.tensor([0.0, -2.0, 1.0, 0.5])
    mu = mu_d.expand(n, 4)
    logvar = logvar_d.expand(n, 4)
    z = VAE.reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))  # (n, 4)
    assert z.shape == (n, 4)
    var = logvar_d.exp()
    # standard error of the mean is sqrt(var / n); of the variance about var * sqrt(2 / n)
    assert ((z.mean(0) - mu_d).abs() < 5 * (var / n).sqrt()).all(), z.mean(0)
    assert ((z.var(0) - var).abs() < 5 * var * (2 / n) ** 0.5).all(), z.var(0)


def test_reparameterize_deterministic_with_generator():
    mu = torch.randn(8, 3)
    logvar = torch.randn(8, 3)
    a = VAE.reparameterize(mu, logvar, generator=torch.Generator().manual_seed(42))
    b = VAE.reparameterize(mu, logvar, generator=torch.Generator().manual_seed(42))
    c = VAE.reparameterize(mu, logvar, generator=torch.Generator().manual_seed(43))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_reparameterize_is_differentiable():
    mu = torch.zeros(5, 2, requires_grad=True)
    logvar = torch.zeros(5, 2, requires_grad=True)
    z = VAE.reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))
    z.sum().backward()
    torch.testing.assert_close(mu.grad, torch.ones(5, 2))
    assert logvar.grad is not None and torch.isfinite(logvar.grad).all()


# ---- configs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "gan"},
        {"latent_dim": 0},
        {"latent_dim": -3},
        {"latent_dim": 513},
        {"beta": -0.1},
        {"channels": (32,)},
        {"channels": (8, 16, 32, 64)},
    ],
)
def test_model_config_validation(kwargs):
    with pytest.raises(ValueError):
        ModelConfig(**kwargs)


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"batch_size": 0}, {"lr": 0.0}, {"lr": -1e-3}])
def test_train_config_validation(kwargs):
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)


def test_configs_are_frozen():
    m = ModelConfig()
    t = TrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.latent_dim = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.epochs = 1  # type: ignore[misc]
    assert hash(m) == hash(ModelConfig())


def test_model_config_defaults():
    m = ModelConfig()
    assert m.kind == "vae" and m.latent_dim == 2 and m.beta == 1.0
    assert m.arch_version == ARCH_VERSION
    assert ModelConfig(channels=[16, 32]).channels == (16, 32)  # lists become tuples


@pytest.mark.parametrize(
    "cfg",
    [
        ModelConfig(),
        ModelConfig(kind="ae", latent_dim=10, beta=0.0),
        ModelConfig(kind="cvae", latent_dim=3, beta=0.5, channels=(16, 32, 64), hidden=128),
        TrainConfig(),
        TrainConfig(epochs=3, batch_size=64, lr=1e-3, seed=7, train_size=256, threads=2),
    ],
)
def test_config_round_trip(cfg):
    d = to_dict(cfg)
    assert all(isinstance(v, (int, float, str, list, type(None))) for v in d.values())
    assert from_dict(type(cfg), d) == cfg


def test_a_config_stored_before_a_field_existed_still_loads():
    """Checkpoints written before ``kl_warmup`` existed describe runs without a warm-up; any other
    missing field is still an error."""
    d = to_dict(TrainConfig(epochs=30))
    del d["kl_warmup"]
    assert from_dict(TrainConfig, d) == TrainConfig(epochs=30, kl_warmup=0)
    del d["lr"]
    with pytest.raises(TypeError, match="lr"):
        from_dict(TrainConfig, d)


@pytest.mark.parametrize("cls", [ModelConfig, TrainConfig])
def test_from_dict_rejects_unknown_fields(cls):
    d = to_dict(cls())
    d["colour"] = "blue"
    with pytest.raises(TypeError, match="colour"):
        from_dict(cls, d)
