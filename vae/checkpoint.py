"""One file per model: config, weights, test metrics and loss history.

Saved with ``torch.save`` as a dict of plain Python values and tensors so that it loads with
``torch.load(..., weights_only=True)`` (no pickled code runs). To keep ``cache/`` small, matrix
weights are stored as int8 with one float32 scale per row (absmax quantization, as in
LLM.int8's vector-wise scheme, Dettmers et al. 2022) and other floats as float16; the stored
metrics are measured *after* that rounding (``quantize_``), and weights come back as float32.
``load_checkpoint(..., compact=True)`` (the app's pretrained models, ``zoo.load``) keeps the int8
matrices as stored and rebuilds a float32 matrix when its layer is used, keeping the recently used
ones (``Int8Linear``, ``HOT_BYTES``): the same numbers, about a quarter of the memory. A
missing, truncated, tampered or incompatible file raises :class:`CheckpointError`
naming the file and the command that rebuilds it.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vae.checkpoint_file import (  # the torch-free reader's checks, shared
    FORMAT,
    FORMAT_VERSION,
    REQUIRED_METRICS,
    SCALE,
    CheckpointError,
    check_blob,
    missing_parts,
    stored_train_config,
)
from vae.config import ARCH_VERSION, ModelConfig, TrainConfig, from_dict, to_dict
from vae.models import Model, build_model

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "REQUIRED_METRICS",
    "SCALE",
    "CheckpointError",
    "check_blob",
    "missing_parts",
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


HOT_BYTES = 40 * 2**20  # float32 matrices of Int8Linear layers kept rebuilt (LRU): about 6 models


class Int8Linear(nn.Module):
    """A linear layer held as its checkpoint stores it: int8 rows and one float32 scale per row.

    Its float32 matrix (``int8 * scale``, the very numbers ``load_checkpoint`` would have kept, so
    outputs are the same bit for bit) is rebuilt when the layer is used and kept while it is among
    the recently used (``HOT_BYTES`` for all layers together, shared by every thread). Why: the
    zoo's two 3,136 x 256 matrices are most of a model's weights; held as float32, the 17 models a
    server keeps take 112 MB, as int8 28 MB. Rebuilding one costs about 3 ms in the server (a fresh
    3 MB block, see ``ui.server.memory``): too much to pay at every call, so the models a class is
    using stay rebuilt and the others wait as int8."""

    def __init__(self, q: Tensor, scale: Tensor, bias: Tensor | None) -> None:
        super().__init__()
        self.out_features, self.in_features = q.shape
        self.register_buffer("q", q)  # (out, in) int8
        self.register_buffer("scale", scale)  # (out, 1) float32
        self.register_buffer("bias", bias)  # (out,) float32, or None

    def weight(self) -> Tensor:
        """The float32 matrix (out, in), from the recently used ones or rebuilt. Never mutate."""
        return _hot_matrix(self)

    def forward(self, x: Tensor) -> Tensor:  # (..., in) -> (..., out)
        return F.linear(x, self.weight(), self.bias)


_HOT: OrderedDict[int, tuple[Int8Linear, Tensor]] = OrderedDict()  # id(layer) -> (layer, matrix)
_HOT_LOCK = threading.Lock()


def _hot_matrix(layer: Int8Linear) -> Tensor:
    with _HOT_LOCK:
        hit = _HOT.get(id(layer))
        if hit is not None and hit[0] is layer:
            _HOT.move_to_end(id(layer))
            return hit[1]
    w = layer.q.float() * layer.scale  # (out, in); outside the lock: a race only repeats this
    with _HOT_LOCK:
        _HOT[id(layer)] = (layer, w)
        while len(_HOT) > 1 and hot_bytes() > HOT_BYTES:
            _HOT.popitem(last=False)
    return w


def hot_bytes() -> int:
    """Bytes of the rebuilt matrices kept now (``HOT_BYTES`` at most, or one matrix)."""
    return sum(w.numel() * w.element_size() for _, w in _HOT.values())


def _compact_(model: Model, stored: dict[str, Tensor], unpacked: dict[str, Tensor]) -> None:
    """Swap every linear layer whose matrix the checkpoint stores as int8 for an ``Int8Linear``."""
    for key in stored:
        if not key.endswith(".weight" + SCALE):
            continue
        path = key[: -len(".weight" + SCALE)]  # e.g. "decoder.net.2"
        layer = model.get_submodule(path)
        if not isinstance(layer, nn.Linear):
            continue
        parent, _, child = path.rpartition(".")
        bias = unpacked.get(path + ".bias")
        small = Int8Linear(stored[path + ".weight"], stored[key].float(), bias)
        setattr(model.get_submodule(parent), child, small)


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
    path: str | Path, name: str | None = None, data: bytes | None = None, compact: bool = False
) -> tuple[Model, dict[str, Any]]:
    """Rebuild the model (eval mode, float32) from a checkpoint (or its bytes ``data``, see
    :func:`read_checkpoint`); returns (model, checkpoint dict). ``compact``: keep int8 matrices
    as stored (``Int8Linear``; for inference only: their weights are buffers, not parameters)."""
    blob = read_checkpoint(path, name, data)
    try:
        cfg = from_dict(ModelConfig, blob["model_config"])
        from_dict(TrainConfig, blob["train_config"])
    except (TypeError, ValueError, KeyError) as exc:
        raise CheckpointError(path, f"has an unusable config ({exc})", name) from exc
    if cfg.arch_version != ARCH_VERSION:
        raise CheckpointError(
            path,
            f"was made for architecture version {cfg.arch_version}, "
            f"this code builds version {ARCH_VERSION}",
            name,
        )
    model = build_model(cfg)
    try:
        unpacked = _unpack(blob["state_dict"])
        model.load_state_dict(unpacked, strict=True)
    except (RuntimeError, TypeError, AttributeError, KeyError) as exc:
        raise CheckpointError(
            path, f"holds weights of another architecture ({str(exc).splitlines()[0][:120]})", name
        ) from exc
    if compact:
        _compact_(model, blob["state_dict"], unpacked)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, blob
