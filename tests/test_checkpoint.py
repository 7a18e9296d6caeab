"""Checkpoint files: quantized round trip and a clear CheckpointError for every unusable file,
from both readers: torch's (``vae.checkpoint``) and the server's, without torch
(``vae.numpy_model.load_checkpoint`` over ``vae.checkpoint_file``)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch

from vae import numpy_model
from vae.checkpoint import (
    FORMAT,
    FORMAT_VERSION,
    CheckpointError,
    load_checkpoint,
    quantize_,
    read_checkpoint,
    save_checkpoint,
)
from vae.config import ModelConfig, TrainConfig, to_dict
from vae.models import build_model

METRICS = {"test_elbo": 123.5, "test_recon": 110.25, "test_kl": 13.25, "active_units": 2.0}
HISTORY = {"train_total": [200.0, 150.0], "test_total": [190.0, 148.0], "lr": [2e-3, 1e-3]}


class Payload:  # a custom class: unpickling it means running arbitrary code paths
    def __init__(self) -> None:
        self.value = 42


class Evil:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _make(kind: str = "vae", d: int = 2):
    torch.manual_seed(0)
    cfg = ModelConfig(kind=kind, latent_dim=d, hidden=64)
    return quantize_(build_model(cfg).eval())


def _save(path: Path, model, name: str = "tiny") -> TrainConfig:
    tc = TrainConfig(epochs=2, batch_size=32, seed=3, train_size=100)
    save_checkpoint(path, model, tc, name=name, metrics=METRICS, history=HISTORY, seconds=1.5)
    return tc


@pytest.fixture()
def saved(tmp_path):
    model = _make()
    path = tmp_path / "models" / "tiny.pt"
    tc = _save(path, model)
    return path, model, tc


def _assert_error(path: Path, match: str | None = None) -> CheckpointError:
    """Both readers refuse the file with the same kind of message (the torch-free one first: a
    file that would run code must not run it there either)."""
    for load in (numpy_model.load_checkpoint, load_checkpoint):
        with pytest.raises(CheckpointError) as info:
            load(path, "tiny")
        msg = str(info.value)
        assert str(path) in msg
        assert "python -m vae.build" in msg
        if match is not None:
            assert match in msg, (load.__module__, msg)
        assert info.value.path == Path(path)
    return info.value


# ---- round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ae", "vae", "cvae"])
def test_round_trip_identical_outputs(tmp_path, kind):
    model = _make(kind, 3)
    path = tmp_path / f"{kind}.pt"
    _save(path, model)
    loaded, blob = load_checkpoint(path)
    assert type(loaded) is type(model)
    assert not loaded.training
    assert all(not p.requires_grad for p in loaded.parameters())
    for k, v in model.state_dict().items():
        w = loaded.state_dict()[k]
        assert w.dtype == torch.float32
        assert torch.equal(w, v), k
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    y = torch.tensor([1, 2, 3, 4])
    with torch.no_grad():
        a, b = model.encode(x, y), loaded.encode(x, y)
        assert torch.equal(model.decode(a[0], y), loaded.decode(b[0], y))
    for t, u in zip(a, b):
        assert (t is None and u is None) or torch.equal(t, u)


def test_round_trip_metadata(saved):
    path, model, tc = saved
    _, blob = load_checkpoint(path)
    assert blob["format"] == FORMAT and blob["format_version"] == FORMAT_VERSION
    assert blob["name"] == "tiny"
    assert blob["metrics"] == METRICS
    assert blob["history"] == HISTORY
    assert blob["seconds"] == 1.5
    assert blob["model_config"] == to_dict(model.config)
    assert blob["train_config"] == to_dict(tc)


def test_quantize_is_idempotent_and_close():
    torch.manual_seed(0)
    fresh = build_model(ModelConfig(hidden=64))
    before = {k: v.clone() for k, v in fresh.state_dict().items()}
    quantize_(fresh)
    once = {k: v.clone() for k, v in fresh.state_dict().items()}
    quantize_(fresh)
    for k, v in fresh.state_dict().items():
        assert v.dtype == torch.float32
        assert torch.equal(v, once[k]), k
        # int8 rows: error at most half a step (absmax / 254); float16 elsewhere
        tol = before[k].abs().max() / 254 + 1e-6
        assert (v - before[k]).abs().max() <= tol, k


def test_file_is_weights_only_and_compact(saved):
    path, _, _ = saved
    blob = torch.load(path, map_location="cpu", weights_only=True)
    assert isinstance(blob, dict)
    dtypes = {v.dtype for v in blob["state_dict"].values()}
    assert dtypes <= {torch.int8, torch.float16, torch.float32}
    assert torch.int8 in dtypes
    assert not path.with_suffix(".pt.tmp").exists()


def test_read_checkpoint_returns_blob(saved):
    path, _, _ = saved
    blob = read_checkpoint(path)
    assert blob["name"] == "tiny" and "state_dict" in blob


# ---- unusable files ----------------------------------------------------------------------


def test_missing_file(tmp_path):
    err = _assert_error(tmp_path / "nope.pt", "missing")
    assert "--only tiny" in str(err)


def test_truncated_file(saved):
    path, _, _ = saved
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _assert_error(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "random.pt"
    path.write_bytes(os.urandom(4096))
    _assert_error(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pt"
    path.write_bytes(b"")
    _assert_error(path)


def test_foreign_torch_file(tmp_path):
    path = tmp_path / "foreign.pt"
    torch.save({"a": 1}, path)
    _assert_error(path, "not a latent-lab checkpoint")


def test_foreign_non_dict(tmp_path):
    path = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), path)
    _assert_error(path, "not a latent-lab checkpoint")


@pytest.mark.parametrize("version", [0, FORMAT_VERSION + 1, None])
def test_wrong_format_version(saved, version):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob["format_version"] = version
    torch.save(blob, path)
    _assert_error(path, "format version")


def test_other_architecture(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob["model_config"]["hidden"] = 32  # weights were made with hidden=64
    torch.save(blob, path)
    _assert_error(path, "another architecture")


def test_other_kind(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob["model_config"]["kind"] = "cvae"  # encoder input channels differ
    torch.save(blob, path)
    _assert_error(path, "another architecture")


def test_old_arch_version(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob["model_config"]["arch_version"] = 0
    torch.save(blob, path)
    _assert_error(path, "architecture version")


@pytest.mark.parametrize(
    "field,value",
    [
        ("model_config", {"kind": "vae", "colour": 1}),
        ("model_config", {"kind": "gan"}),
        ("train_config", {"epochs": 0}),
    ],
)
def test_unusable_config(saved, field, value):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob[field] = value
    torch.save(blob, path)
    _assert_error(path, "unusable config")


def test_missing_weight(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob["state_dict"].pop(next(iter(blob["state_dict"])))
    torch.save(blob, path)
    _assert_error(path, "another architecture")


def test_missing_state_dict(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    del blob["state_dict"]
    torch.save(blob, path)
    _assert_error(path)


def test_state_dict_not_a_dict(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    blob["state_dict"] = torch.zeros(3)
    torch.save(blob, path)
    _assert_error(path)


def test_missing_config_field_is_refused(saved):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    del blob["model_config"]["arch_version"]
    torch.save(blob, path)
    _assert_error(path)


def test_pickled_custom_object_is_refused(tmp_path):
    path = tmp_path / "custom.pt"
    torch.save(Payload(), path)
    _assert_error(path, "cannot be read")


def test_pickled_code_inside_checkpoint_is_refused(saved, tmp_path):
    path, _, _ = saved
    blob = torch.load(path, weights_only=True)
    marker = tmp_path / "pwned"
    blob["metrics"] = {"test_elbo": Evil(marker)}
    torch.save(blob, path)
    _assert_error(path, "cannot be read")
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_plain_pickle_file(tmp_path):
    path = tmp_path / "plain.pkl"
    with open(path, "wb") as f:
        pickle.dump(Payload(), f)
    _assert_error(path)
