"""vae.arrays, the model calls on numpy arrays: encode and decode against the model's own calls,
batching, read-only inputs, the mode of a model being trained, reconstructions and their loss
from one seeded sample (``arrays.noise``) against the same sample worked out with torch's loss
functions, and the per-image ELBO terms; a NumPy model and its torch twin give the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae import arrays
from vae.artefacts import load_test_set
from vae.config import ModelConfig
from vae.losses import kl_divergence, recon_bce
from vae.models import VAE, build_model
from vae.train import evaluate


@pytest.fixture(scope="module")
def test_set():
    images, labels = load_test_set()
    images.setflags(write=False)  # like the app's cached arrays
    labels.setflags(write=False)
    return images, labels


@pytest.fixture(scope="module")
def fresh_vae() -> VAE:
    torch.manual_seed(0)
    return build_model(ModelConfig(kind="vae", latent_dim=2)).eval()


def _model(kind: str, d: int = 2, seed: int = 0):
    torch.manual_seed(seed)
    return build_model(ModelConfig(kind=kind, latent_dim=d, channels=(8, 16), hidden=32)).eval()


def _images(n: int, seed: int = 1) -> np.ndarray:
    x = np.random.default_rng(seed).random((n, 28, 28)).astype(np.float32)
    x.setflags(write=False)  # read-only, as the app's cached arrays
    return x


def test_images_shapes():
    x = _images(3)
    a = arrays.as_images(x)
    assert a.shape == (3, 1, 28, 28) and a.dtype == np.float32
    assert arrays.as_images(x[0]).shape == (1, 1, 28, 28)
    assert arrays.as_images(torch.zeros(2, 1, 28, 28)).shape == (2, 1, 28, 28)
    with pytest.raises(ValueError):
        arrays.as_images(np.zeros((2, 20, 20)))


@pytest.mark.parametrize("kind", ["ae", "vae", "cvae"])
def test_encode_and_decode_are_the_models_own_calls(kind):
    m, x = _model(kind), _images(5)
    y = np.array([0, 3, 5, 9, 1])
    mu, lv = arrays.encode(m, x, y)
    with torch.inference_mode():
        ref_mu, ref_lv = m.encode(torch.from_numpy(x.copy())[:, None], torch.from_numpy(y))
        ref_img = m.decode(ref_mu, torch.from_numpy(y))[:, 0]
    np.testing.assert_array_equal(mu, ref_mu.numpy())
    assert (lv is None) == (kind == "ae")
    if lv is not None:
        np.testing.assert_array_equal(lv, ref_lv.numpy())
    img = arrays.decode(m, mu, y)
    assert img.shape == (5, 28, 28) and img.dtype == np.float32
    np.testing.assert_allclose(img, ref_img.numpy(), rtol=0, atol=1e-6)  # NumPy's sigmoid
    np.testing.assert_allclose(
        arrays.decode_logits(m, mu, y), torch.logit(ref_img.double()).numpy(), rtol=1e-4, atol=1e-4
    )


def test_batches_give_the_numbers_of_one_call():
    m, x = _model("vae"), _images(23)
    mu, lv = arrays.encode(m, x, batch=None)
    for batch in (5, 10, 23, 1000):
        mu_b, lv_b = arrays.encode(m, x, batch=batch)
        np.testing.assert_allclose(mu_b, mu, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(lv_b, lv, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(
            arrays.decode(m, mu, batch=batch), arrays.decode(m, mu, batch=None), atol=1e-6
        )
    assert arrays.encode(m, x[:0])[0].shape == (0, 2)  # an empty batch keeps its shape


def test_a_model_in_training_is_asked_in_eval_mode_and_left_training():
    m = _model("vae").train()
    mu, _ = arrays.encode(m, _images(2))
    assert m.training  # its mode is restored
    np.testing.assert_array_equal(mu, arrays.encode(m.eval(), _images(2))[0])


def test_the_conditional_model_needs_its_labels():
    with pytest.raises(ValueError, match="labels"):
        arrays.encode(_model("cvae"), _images(2))


def test_reconstruct_at_the_mean_and_from_one_sample(test_set):
    images, labels = test_set
    m = _model("vae", seed=3)
    x = images[:40].astype(np.float32) / 255
    probs, loss = arrays.reconstruct(m, x)
    mu, _ = arrays.encode(m, x)
    np.testing.assert_allclose(probs, arrays.decode(m, mu), atol=1e-6)
    np.testing.assert_array_equal(probs, arrays.reconstructions(m, x))
    np.testing.assert_array_equal(loss, arrays.recon_at_mean(m, x))
    np.testing.assert_array_equal(arrays.posterior_means(m, x), mu)
    with torch.inference_mode():
        ref = recon_bce(m.decode_logits(torch.from_numpy(mu)), torch.from_numpy(x)[:, None])
    np.testing.assert_allclose(loss, ref.double().numpy(), rtol=1e-5)
    assert loss.dtype == np.float64 and loss.shape == (40,)
    # one seeded sample per image: z = mu + sigma * eps, eps drawn batch after batch from one
    # NumPy generator, the loss of that z as torch's loss function gives it
    _, sampled = arrays.reconstruct(m, x, labels[:40], seed=0, batch=16)
    _, lv = arrays.encode(m, x)
    gen = np.random.default_rng(0)
    eps = np.concatenate([arrays.noise(gen, (b, 2)) for b in (16, 16, 8)])
    z = torch.from_numpy(mu + np.exp(0.5 * lv) * eps)
    with torch.inference_mode():
        ref = recon_bce(m.decode_logits(z), torch.from_numpy(x)[:, None]).double().numpy()
    np.testing.assert_allclose(sampled, ref, rtol=1e-5)
    assert (sampled > loss).mean() > 0.5  # a sample costs more than the mean, mostly
    np.testing.assert_array_equal(sampled, arrays.reconstruct(m, x, seed=0, batch=16)[1])
    # the same estimator as training's (vae.train.evaluate, torch's noise): close on average
    t = evaluate(m, torch.from_numpy(x)[:, None], torch.tensor(labels[:40]), 1.0, 0, 16)
    assert abs(sampled.mean() - float(t.recon.mean())) < 0.05 * float(t.recon.mean())


def test_an_autoencoder_reconstructs_from_its_code_whatever_the_seed():
    m, x = _model("ae"), _images(4)
    np.testing.assert_array_equal(arrays.reconstruct(m, x, seed=5)[1], arrays.recon_at_mean(m, x))


def test_image_terms_match_training_evaluation(fresh_vae, test_set):
    images, labels = test_set
    x = images[:3].astype(np.float32) / 255.0
    t = arrays.image_terms(fresh_vae, x)
    assert t["recon"].shape == t["kl"].shape == t["elbo"].shape == (3,)
    assert t["mu"].shape == t["logvar"].shape == t["z"].shape == (3, 2)
    assert (
        t["recon_mu"].shape == (3, 28, 28) and 0 <= t["recon_mu"].min() and t["recon_mu"].max() <= 1
    )
    np.testing.assert_allclose(t["elbo"], t["recon"] + t["kl"], rtol=1e-6)
    assert (t["kl"] >= 0).all()
    # one image: one posterior sample z = mu + sigma * eps (eps: ``arrays.noise`` of the seed),
    # the terms as torch's loss functions give them for that z
    one = arrays.image_terms(fresh_vae, x[0])
    xt = torch.from_numpy(x[:1]).reshape(1, 1, 28, 28)
    with torch.inference_mode():
        mu, lv = fresh_vae.encode(xt)
        z = mu + torch.exp(0.5 * lv) * torch.from_numpy(arrays.noise(arrays.NOISE_SEED, (1, 2)))
        recon, kl = recon_bce(fresh_vae.decode_logits(z), xt), kl_divergence(mu, lv)
    np.testing.assert_allclose(one["z"], z.numpy(), rtol=1e-6)
    assert one["recon"][0] == pytest.approx(float(recon[0]), rel=1e-5)
    assert one["kl"][0] == pytest.approx(float(kl[0]), rel=1e-5)
    again = arrays.image_terms(fresh_vae, x[0])
    assert again["elbo"][0] == one["elbo"][0]  # fixed noise seed
    del labels


def test_image_terms_refuses_non_vae():
    ae = build_model(ModelConfig(kind="ae", latent_dim=2)).eval()
    with pytest.raises(TypeError):
        arrays.image_terms(ae, np.zeros((28, 28), np.float32))
    with pytest.raises(TypeError):
        arrays.image_terms(_model("cvae"), np.zeros((28, 28), np.float32))
    with pytest.raises(ValueError):
        arrays.image_terms(build_model(ModelConfig(latent_dim=2)).eval(), np.zeros((20, 20)))


@pytest.mark.parametrize("name", ["vae-2d", "ae-10d", "cvae-2d"])
def test_a_numpy_model_and_its_torch_twin_give_the_same_numbers(name, test_set):
    from vae import zoo

    images, labels = test_set
    x, y = images[:50].astype(np.float32) / 255, labels[:50]
    mine, ref = zoo.load_arrays(name), zoo.load(name)
    yy = y if ref.conditional else None
    for seed in (None, 3):
        p, loss = arrays.reconstruct(mine, x, yy, seed=seed)
        p_t, loss_t = arrays.reconstruct(ref, x, yy, seed=seed)
        np.testing.assert_allclose(p, p_t, atol=1e-5)
        np.testing.assert_allclose(loss, loss_t, rtol=1e-5)
    if ref.config.kind == "vae" and not ref.conditional:
        t, t_ref = arrays.image_terms(mine, x[:5]), arrays.image_terms(ref, x[:5])
        for k in ("recon", "kl", "elbo"):
            np.testing.assert_allclose(t[k], t_ref[k], rtol=1e-5)
