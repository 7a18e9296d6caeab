"""A checkpoint's file read without torch: its config, metrics and history, and its weights as
NumPy arrays, for a server that answers with ``vae.numpy_model`` and never imports torch.

A checkpoint is written by ``torch.save`` (``vae.checkpoint.save_checkpoint``): a zip archive
holding ``data.pkl``, a pickle of plain values whose tensors point at raw storages ``data/<key>``
(PyTorch's "zip file" serialization, ``torch/serialization.py``). This reader unpickles it the way
``torch.load(..., weights_only=True)`` does: only the few globals a checkpoint uses are allowed
(``_rebuild_tensor_v2``, the typed storages of the dtypes below, ``OrderedDict``); any other
global, a missing storage or a malformed archive raises :class:`CheckpointError`. The arrays are
the stored bytes as they are (int8 matrices with their scales, float16 kernels): the same numbers
``torch.load`` gives, which ``tests/test_numpy_model.py`` checks for every model of the zoo.

Also here, so that both readers share them: the checks a checkpoint dict must pass and
:class:`CheckpointError`.
"""

from __future__ import annotations

import io
import math
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from vae.config import ARCH_VERSION, ModelConfig, TrainConfig, from_dict

FORMAT = "latent-lab/checkpoint"
FORMAT_VERSION = 1
SCALE = ".__int8_scale"  # suffix of the per-row scale stored beside an int8 matrix
REQUIRED_METRICS = ("test_recon", "test_kl", "test_elbo")  # what every page may read


class CheckpointError(RuntimeError):
    """A checkpoint or cache file that cannot be used; the message says how to rebuild it."""

    def __init__(
        self, path: str | Path, problem: str, name: str | None = None, rebuild: str | None = None
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        only = f" --only {name}" if name else ""
        self.rebuild = rebuild or f"python -m vae.build{only} --force"
        super().__init__(f"{self.path}: {problem}. Rebuild it with `{self.rebuild}`.")


def missing_parts(blob: dict[str, Any]) -> str | None:
    """What a checkpoint dict lacks that readers rely on (None when complete)."""
    for key in ("model_config", "train_config", "state_dict", "metrics", "history"):
        if not isinstance(blob.get(key), dict):
            return f"has no {key.replace('_', ' ')}"
    if not isinstance(blob.get("seconds"), (int, float)):
        return "has no training time"
    metrics = blob["metrics"]
    for key in REQUIRED_METRICS:
        v = metrics.get(key)
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            return f"has no usable metric {key!r}"
    for key, values in blob["history"].items():
        if not isinstance(values, list) or not all(isinstance(v, (int, float)) for v in values):
            return f"has an unusable history {key!r}"
    return None


def check_blob(blob: Any, path: str | Path, name: str | None = None) -> dict[str, Any]:
    """The checkpoint dict when it is one this code reads; CheckpointError otherwise."""
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise CheckpointError(path, "is not a latent-lab checkpoint", name)
    if blob.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            path,
            f"has format version {blob.get('format_version')}, "
            f"this code reads version {FORMAT_VERSION}",
            name,
        )
    problem = missing_parts(blob)
    if problem:
        raise CheckpointError(path, problem, name)
    return blob


def model_config(blob: dict[str, Any], path: str | Path, name: str | None = None) -> ModelConfig:
    """The model config of a checkpoint dict when both its configs are usable and it was made for
    this code's layer layout (``ARCH_VERSION``); CheckpointError otherwise."""
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
    return cfg


def stored_train_config(blob: dict[str, Any]) -> TrainConfig:
    """The training run a checkpoint (or its ``info``) describes, as a config: fields added since it
    was written take the value its run had (``config.LATER_FIELDS``). Compare these, not raw
    dicts."""
    return from_dict(TrainConfig, blob["train_config"])


# --- the zip archive, unpickled without torch ---------------------------------------------------

# The typed storages a checkpoint may name (torch's legacy storage classes), as NumPy dtypes
# (little-endian: the archive's ``byteorder`` record is checked).
_STORAGES = {
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "DoubleStorage": np.dtype("<f8"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
    "ShortStorage": np.dtype("<i2"),
    "IntStorage": np.dtype("<i4"),
    "LongStorage": np.dtype("<i8"),
}


class _Storage:
    """A storage's dtype, as the pickle names it (``torch.<Name>Storage``)."""

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype


def _rebuild_tensor(
    storage: np.ndarray,
    offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool = False,
    backward_hooks: Any = None,
    metadata: Any = None,
) -> np.ndarray:
    """``torch._utils._rebuild_tensor_v2``: a view of the storage (elements ``offset``, ``size``,
    element ``stride``) as a C-contiguous, read-only array."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else offset - 1
    if offset < 0 or last >= len(storage) or any(s < 0 for s in stride):
        raise pickle.UnpicklingError("a tensor reaches outside its storage")
    if any(n < 0 for n in size) or int(np.prod(size, dtype=np.int64)) > len(storage) - offset:
        # a checkpoint's tensors own their storages: more elements than stored (stride 0) would
        # only make this reader allocate what the file never held
        raise pickle.UnpicklingError("a tensor has more elements than its storage")
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], size, tuple(s * storage.itemsize for s in stride), writeable=False
    )
    out = np.ascontiguousarray(view) if all(size) else np.zeros(size, storage.dtype)
    out.setflags(write=False)
    return out


class _Unpickler(pickle.Unpickler):
    """``data.pkl``, with its storages read from the archive and no global but the allowed ones."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix = archive, prefix

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch" and name in _STORAGES:
            return _Storage(_STORAGES[name])
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        raise pickle.UnpicklingError(f"the global {module}.{name} is not allowed")

    def persistent_load(self, pid: Any) -> np.ndarray:
        # ('storage', storage type, key, location, number of elements)
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unknown persistent id {str(pid)[:60]}")
        kind, key, numel = pid[1], str(pid[2]), int(pid[4])
        if not isinstance(kind, _Storage):
            raise pickle.UnpicklingError("a storage of an unknown type")
        raw = self.archive.read(f"{self.prefix}data/{key}")
        if len(raw) < numel * kind.dtype.itemsize:
            raise pickle.UnpicklingError(f"storage {key} is shorter than its {numel} elements")
        return np.frombuffer(raw, kind.dtype, count=numel)


def _unpickle(data: bytes) -> Any:
    """The object a ``torch.save`` archive holds, tensors as NumPy arrays."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pkl = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pkl) != 1:
            raise pickle.UnpicklingError("no data.pkl at the archive's top")
        prefix = pkl[0][: -len("data.pkl")]
        order = prefix + "byteorder"
        if order in archive.namelist() and archive.read(order).strip() != b"little":
            raise pickle.UnpicklingError("a big-endian archive")
        return _Unpickler(archive.read(pkl[0]), archive, prefix).load()


def read(path: str | Path, name: str | None = None, data: bytes | None = None) -> dict[str, Any]:
    """The checkpoint dict with its ``state_dict`` as NumPy arrays (as stored: int8 matrices and
    their ``SCALE`` rows, float16 kernels and vectors), validated; raises CheckpointError for any
    unusable file. ``data``: the file's bytes when the caller has read (and checked) them already;
    ``path`` then only names the file in messages."""
    path = Path(path)
    if data is None:
        if not path.exists():
            raise CheckpointError(path, "file is missing", name)
        data = path.read_bytes()
    try:
        blob = _unpickle(data)
    except Exception as exc:  # a truncated zip, random bytes, a global that is not allowed
        raise CheckpointError(
            path, f"cannot be read ({type(exc).__name__}: {str(exc)[:120]})", name
        ) from exc
    blob = check_blob(blob, path, name)
    if not all(isinstance(v, np.ndarray) for v in blob["state_dict"].values()):
        raise CheckpointError(path, "has a state dict that is not all tensors", name)
    return blob
