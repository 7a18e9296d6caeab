"""One file per model: config, weights, test metrics and loss history.

Saved with ``torch.save`` as a dict of plain Python values and tensors so that it loads with
``torch.load(..., weights_only=True)`` (no pickled code runs). To keep ``cache/`` small, matrix
weights are stored as int8 with one float32 scale per row (absmax quantization, as in
LLM.int8's vector-wise scheme, Dettmers et al. 2022) and other floats as float16; the stored
metrics are measured *after* that rounding (``quantize_``), and weights come back as float32.
A missing, truncated, tampered or incompatible file raises :class:`CheckpointError` naming the
file and the command that rebuilds it. The server reads the same files without torch
(``vae.checkpoint_file``, ``vae.numpy_model``, which keeps the int8 matrices as stored); the
checks a checkpoint dict must pass are shared.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from vae.checkpoint_file import (  # the torch-free reader's checks, shared
    FORMAT,
    FORMAT_VERSION,
    REQUIRED_METRICS,
    SCALE,
    CheckpointError,
    check_blob,
    model_config,
    stored_train_config,
)
from vae.config import TrainConfig, to_dict
from vae.models import Model, build_model

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "REQUIRED_METRICS",
    "SCALE",
    "CheckpointError",
    "check_blob",
    "model_config",
    "stored_train_config",
]

STORE_DTYPE = torch.float16  # vectors and conv kernels


def _pack(t: torch.Tensor) -> dict[str, torch.Tensor]:
    """Store form of one tensor: int8 rows + scales for matrices, float16 for other floats."""
    if not t.is_floating_point():
        return {"": t}
    if t.dim() == 2:
        scale = t.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127.0  # (rows, 1)
        return {"": torch.round(t / scale).to(torch.int8), SCALE: scale.float()}
    return {"": t.to(STORE_DTYPE)}


def _unpack(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for k, v in state.items():
        if k.endswith(SCALE):
            continue
        if k + SCALE in state:
            out[k] = v.float() * state[k + SCALE]
        else:
            out[k] = v.float() if v.is_floating_point() else v
    return out


def quantize_(model: Model) -> Model:
    """Round the weights in place to exactly what the checkpoint stores, keeping float32."""
    with torch.no_grad():
        for k, p in model.state_dict().items():
            packed = {k + s: v for s, v in _pack(p).items()}
            p.copy_(_unpack(packed)[k])
    return model


def save_checkpoint(
    path: str | Path,
    model: Model,
    train_cfg: TrainConfig,
    *,
    name: str,
    metrics: dict[str, float],
    history: dict[str, list[float]],
    seconds: float,
) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        k + s: v.contiguous() for k, p in model.state_dict().items() for s, v in _pack(p).items()
    }
    blob: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name,
        "model_config": to_dict(model.config),
        "train_config": to_dict(train_cfg),
        "state_dict": state,
        "metrics": dict(metrics),
        "history": dict(history),
        "seconds": float(seconds),
        "torch_version": str(torch.__version__),
    }
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)  # atomic: a crash never leaves half a checkpoint under the real name


def read_checkpoint(
    path: str | Path, name: str | None = None, data: bytes | None = None
) -> dict[str, Any]:
    """The checkpoint dict, validated; raises CheckpointError for any unusable file.

    ``data``: the file's bytes when the caller has read (and checked) them already; ``path`` then
    only names the file in messages.
    """
    path = Path(path)
    if data is None and not path.exists():
        raise CheckpointError(path, "file is missing", name)
    try:
        blob = torch.load(
            path if data is None else io.BytesIO(data), map_location="cpu", weights_only=True
        )
    except Exception as exc:  # truncated zip, random bytes, pickled code refused by weights_only
        raise CheckpointError(
            path, f"cannot be read ({type(exc).__name__}: {str(exc)[:120]})", name
        ) from exc
    return check_blob(blob, path, name)


def load_checkpoint(
    path: str | Path, name: str | None = None, data: bytes | None = None
) -> tuple[Model, dict[str, Any]]:
    """Rebuild the model (eval mode, float32) from a checkpoint (or its bytes ``data``, see
    :func:`read_checkpoint`); returns (model, checkpoint dict)."""
    blob = read_checkpoint(path, name, data)
    cfg = model_config(blob, path, name)
    model = build_model(cfg)
    try:
        unpacked = _unpack(blob["state_dict"])
        model.load_state_dict(unpacked, strict=True)
    except (RuntimeError, TypeError, AttributeError, KeyError) as exc:
        raise CheckpointError(
            path, f"holds weights of another architecture ({str(exc).splitlines()[0][:120]})", name
        ) from exc
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, blob
