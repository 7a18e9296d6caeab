"""vae.numpy_model and vae.checkpoint_file: the server's models without torch give torch's numbers.

Every checkpoint of the zoo read without torch holds exactly the arrays ``torch.load`` gives, and
its NumPy forward pass agrees with the torch model's to float32 rounding, for every model (the
conditional VAE with its labels); fresh models of the other layouts (three convs, other widths)
too. A weight of the wrong shape, or a missing one, is refused; the rebuilt int8 matrices stay
within their byte budget.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vae import arrays, artefacts, checkpoint_file, numpy_model, zoo
from vae.checkpoint import quantize_, read_checkpoint, save_checkpoint
from vae.config import ModelConfig, TrainConfig
from vae.models import build_model

N = 64  # test images per model


@pytest.fixture(scope="module")
def images() -> tuple[np.ndarray, np.ndarray]:
    x, y = artefacts.load_test_set()
    return x[:N].astype(np.float32) / 255.0, y[:N]


def _close(a: np.ndarray, b: np.ndarray) -> None:
    """Equal to float32 rounding: a few 1e-6 of the outputs' own scale."""
    scale = max(float(np.abs(b).max()), 1.0)
    np.testing.assert_allclose(a, b, rtol=0, atol=2e-5 * scale)


@pytest.mark.parametrize("name", zoo.names())
def test_a_checkpoint_read_without_torch_holds_torchs_arrays(name):
    path = artefacts.checkpoint_path(name)
    mine, ref = checkpoint_file.read(path, name), read_checkpoint(path, name)
    assert mine.keys() == ref.keys()
    assert {k: v for k, v in mine.items() if k != "state_dict"} == {
        k: v for k, v in ref.items() if k != "state_dict"
    }
    assert mine["state_dict"].keys() == ref["state_dict"].keys()
    for k, t in ref["state_dict"].items():
        a = mine["state_dict"][k]
        assert a.dtype == t.numpy().dtype and not a.flags.writeable, k
        np.testing.assert_array_equal(a, t.numpy(), err_msg=k)


@pytest.mark.parametrize("name", zoo.names())
def test_every_zoo_model_gives_torchs_numbers(name, images):
    x, y = images
    mine, ref = zoo.load_arrays(name), zoo.load(name)
    labels = y if ref.conditional else None
    mu, lv = arrays.encode(mine, x, labels)
    mu_t, lv_t = arrays.encode(ref, x, labels)
    _close(mu, mu_t)
    assert (lv is None) == (lv_t is None) == (ref.config.kind == "ae")
    if lv is not None:
        _close(lv, lv_t)
    _close(arrays.decode_logits(mine, mu_t, labels), arrays.decode_logits(ref, mu_t, labels))
    assert mine.config == ref.config and mine.conditional == ref.conditional


@pytest.mark.parametrize(
    "cfg",
    [
        ModelConfig(kind="vae", latent_dim=3, channels=(8, 16, 24), hidden=40),  # three convs
        ModelConfig(kind="cvae", latent_dim=2, channels=(4, 8), hidden=16),
        ModelConfig(kind="ae", latent_dim=5, channels=(6, 10, 12), hidden=20),
    ],
    ids=["vae-3conv", "cvae-small", "ae-3conv"],
)
def test_other_layouts_give_torchs_numbers(cfg, images, tmp_path):
    torch.manual_seed(1)
    model = quantize_(build_model(cfg).eval())  # the weights exactly as a checkpoint stores them
    path = tmp_path / "m.pt"
    save_checkpoint(
        path,
        model,
        TrainConfig(epochs=1),
        name="m",
        metrics={"test_elbo": 1.0, "test_recon": 1.0, "test_kl": 0.0},
        history={},
        seconds=0.0,
    )
    mine, _ = numpy_model.load_checkpoint(path, "m")
    x, y = images
    labels = y if cfg.kind == "cvae" else None
    mu, lv = arrays.encode(mine, x, labels)
    mu_t, lv_t = arrays.encode(model, x, labels)
    _close(mu, mu_t)
    if lv is not None:
        _close(lv, lv_t)
    _close(arrays.decode_logits(mine, mu_t, labels), arrays.decode_logits(model, mu_t, labels))


def test_batches_and_the_empty_batch(images):
    m = zoo.load_arrays("vae-2d")
    x, _ = images
    big = np.concatenate([x] * 5)  # 320 images: more than one CHUNK
    mu, _ = m.encode(big)
    # each image's numbers alone, wherever it sits in a call (to BLAS's rounding)
    np.testing.assert_allclose(mu[:N], mu[N : 2 * N], rtol=0, atol=1e-5)
    np.testing.assert_allclose(mu[:N], m.encode(x)[0], rtol=0, atol=1e-5)
    assert m.encode(x[:0])[0].shape == (0, 2)
    assert m.decode_logits(np.zeros((0, 2), np.float32)).shape == (0, 1, 28, 28)
    p = m.decode(mu[:3])
    assert p.shape == (3, 1, 28, 28) and 0 <= p.min() and p.max() <= 1


def test_the_conditional_model_needs_its_labels(images):
    m = zoo.load_arrays("cvae-2d")
    x, _ = images
    with pytest.raises(ValueError, match="labels"):
        m.encode(x[:2])
    with pytest.raises(ValueError, match="labels"):
        m.decode_logits(np.zeros((2, 2), np.float32), np.array([3, 11]))  # 11 is no digit


def test_weights_of_another_layout_are_refused():
    state = dict(checkpoint_file.read(artefacts.checkpoint_path("vae-2d"))["state_dict"])
    cfg = zoo.entry("vae-2d").model
    numpy_model.ArrayModel(cfg, state)  # as stored: fine
    with pytest.raises(ValueError, match="missing"):
        numpy_model.ArrayModel(cfg, {k: v for k, v in state.items() if "heads.1" not in k})
    bad = {**state, "decoder.net.0.bias": np.zeros(7, np.float16)}
    with pytest.raises(ValueError, match="shape"):
        numpy_model.ArrayModel(cfg, bad)
    with pytest.raises(ValueError, match="unexpected"):
        numpy_model.ArrayModel(zoo.entry("ae-2d").model, state)  # an AE has one head


def test_rebuilt_matrices_stay_within_their_budget(monkeypatch, images):
    monkeypatch.setattr(numpy_model, "HOT_BYTES", 4 * 2**20)  # about one model's two matrices
    monkeypatch.setattr(numpy_model, "_HOT", type(numpy_model._HOT)())
    x, _ = images
    models = [zoo.load_arrays(n) for n in ("vae-2d", "ae-2d", "vae-10d")]
    first = models[0].encode(x)[0]
    for m in models:
        m.encode(x)
        assert numpy_model.hot_bytes() <= numpy_model.HOT_BYTES
    np.testing.assert_array_equal(models[0].encode(x)[0], first)  # rebuilt: the same numbers


def test_a_served_model_keeps_its_large_matrices_as_int8():
    """The two large matrices stay int8 as stored (their float32 form only while recently used):
    the model holds under a third of its float32 size."""
    m = zoo.load_arrays("vae-10d")
    held = sum(q.nbytes + s.nbytes for q, s in m._int8.values()) + sum(
        w.nbytes for w in m._float.values()
    )
    as_float32 = 4 * sum(int(np.prod(s)) for s in numpy_model.layout(m.config).values())
    assert m._int8 and held < as_float32 / 3


def test_a_tensor_larger_than_its_storage_is_refused(tmp_path):
    """A forged checkpoint whose tensor claims more elements than its storage holds (stride 0) is
    refused before anything is allocated for it."""
    path = tmp_path / "forged.pt"
    torch.save({"w": torch.zeros(4).as_strided((10**9,), (0,))}, path)
    with pytest.raises(checkpoint_file.CheckpointError, match="more elements"):
        checkpoint_file.read(path)
