"""The zoo's conv family (``vae.models``) as a NumPy forward pass: the server's models, no torch.

The same layers and the same weights as ``vae.models.Autoencoder`` in eval mode (Kingma & Welling
2014; the conditional VAE of Sohn et al. 2015), with the same interface: ``encode(x, y=None) ->
(mu, logvar)`` (``logvar`` None for an AE), ``decode_logits(z, y=None)`` and ``decode``. Weights
come from a checkpoint read without torch (``vae.checkpoint_file``); its linear matrices stay int8
with their row scales, as the checkpoint stores them (the two 3,136 x 256 ones are most of the
weights), and their float32 form is rebuilt on
use and kept while recently used (``HOT_BYTES`` for all models together): the same numbers as
float32 matrices, about a quarter of the memory (the zoo's two 3,136 x 256 matrices are most of a
model's weights; as float32 the 17 models take 112 MB, as int8 28 MB; rebuilding one costs about
3 ms, too much for every call, so the models a class is using stay rebuilt).

Why: ``import torch`` alone makes a server process 300-500 MB larger, and the pages only ever run
models forward on a few hundred images. A stride-2 convolution is one matrix product over the
image's 4 x 4 windows (im2col); a transposed one is the product the other way round, its
k x k outputs added into place (col2im). The outputs agree with torch's to float32 rounding
(``tests/test_numpy_model.py``: about 1e-5 of the logits' scale), not bit for bit: the sums run in
another order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import expit

from vae import checkpoint_file
from vae.checkpoint_file import SCALE, CheckpointError
from vae.config import (
    CONV_KERNELS,
    ModelConfig,
    last_feature_map,
)

CHUNK = 256  # images per pass: bounds the im2col buffers (a 14 x 14 map of 256 images: 13 MB)
HOT_BYTES = 40 * 2**20  # float32 matrices kept rebuilt (LRU, all models): about six models


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int = 1) -> np.ndarray:
    """``nn.Conv2d(stride=2, padding=pad)`` on channels-last maps: (B, H, W, C) -> (B, H', W', O),
    with w as ``_conv_weight`` lays it out, (k * k * C, O)."""
    n, c = len(x), x.shape[-1]
    k = int(round((w.shape[0] // c) ** 0.5))
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    win = sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::2, ::2]  # (B, H', W', C, k, k)
    h, wd = win.shape[1:3]
    cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * wd, k * k * c)  # (B H' W', k k C)
    return (cols @ w + b).reshape(n, h, wd, w.shape[1])  # (B, H', W', O)


def _conv_weight(w: np.ndarray) -> np.ndarray:
    """A ``Conv2d`` kernel (O, C, k, k) as the matrix ``_conv`` multiplies by: (k * k * C, O)."""
    o = w.shape[0]
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, o))


def _conv_transpose(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int = 1) -> np.ndarray:
    """``nn.ConvTranspose2d(stride=2, padding=pad)`` on channels-last maps: (B, H, W, C) ->
    (B, 2(H-1) - 2 pad + k, ..., O), with w as ``_conv_transpose_weight`` lays it out,
    (C, k, k, O). Each input pixel spreads a k x k patch, 2 pixels apart (col2im)."""
    n, h, wd, c = x.shape
    k, o = w.shape[1], w.shape[-1]
    cols = (x.reshape(n * h * wd, c) @ w.reshape(c, k * k * o)).reshape(n, h, wd, k, k, o)
    full = np.zeros((n, 2 * (h - 1) + k, 2 * (wd - 1) + k, o), np.float32)
    for i in range(k):
        for j in range(k):
            full[:, i : i + 2 * h - 1 : 2, j : j + 2 * wd - 1 : 2] += cols[:, :, :, i, j]
    side_h, side_w = full.shape[1] - 2 * pad, full.shape[2] - 2 * pad
    return full[:, pad : pad + side_h, pad : pad + side_w] + b


def _conv_transpose_weight(w: np.ndarray) -> np.ndarray:
    """A ``ConvTranspose2d`` kernel (C, O, k, k) as ``_conv_transpose`` reads it: (C, k, k, O)."""
    return np.ascontiguousarray(w.transpose(0, 2, 3, 1))


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


def layout(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every weight of a model of this config and its shape, named as ``vae.models`` names them
    in its state dict (the checkpoint's keys, without the int8 scales)."""
    extra = cfg.num_classes if cfg.kind == "cvae" else 0
    heads = 1 if cfg.kind == "ae" else 2
    n, (c_last, s) = len(cfg.channels), last_feature_map(cfg)
    kernels = CONV_KERNELS[:n]
    out: dict[str, tuple[int, ...]] = {}
    c_in = 1 + extra
    for i, (c, k) in enumerate(zip(cfg.channels, kernels)):
        out[f"encoder.body.{2 * i}.weight"], out[f"encoder.body.{2 * i}.bias"] = (
            (c, c_in, k, k),
            (c,),
        )
        c_in = c
    fc = f"encoder.body.{2 * n + 1}"
    out[f"{fc}.weight"], out[f"{fc}.bias"] = (cfg.hidden, c_last * s * s), (cfg.hidden,)
    for h in range(heads):
        out[f"encoder.heads.{h}.weight"] = (cfg.latent_dim, cfg.hidden)
        out[f"encoder.heads.{h}.bias"] = (cfg.latent_dim,)
    out["decoder.net.0.weight"] = (cfg.hidden, cfg.latent_dim + extra)
    out["decoder.net.0.bias"] = (cfg.hidden,)
    out["decoder.net.2.weight"], out["decoder.net.2.bias"] = (
        (c_last * s * s, cfg.hidden),
        (c_last * s * s,),
    )
    outs = list(cfg.channels[:-1])[::-1] + [1]
    c = c_last
    for i, (c_out, k) in enumerate(zip(outs, kernels[::-1])):
        out[f"decoder.net.{5 + 2 * i}.weight"] = (c, c_out, k, k)
        out[f"decoder.net.{5 + 2 * i}.bias"] = (c_out,)
        c = c_out
    return out


_HOT: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()  # id(int8) -> (int8, f32)
_HOT_LOCK = threading.Lock()


def _rebuilt(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The float32 matrix ``q * scale`` of an int8 one, from the recently used or rebuilt."""
    with _HOT_LOCK:
        hit = _HOT.get(id(q))
        if hit is not None and hit[0] is q:
            _HOT.move_to_end(id(q))
            return hit[1]
    w = q.astype(np.float32) * scale  # (out, in); outside the lock: a race only repeats this
    w.setflags(write=False)
    with _HOT_LOCK:
        _HOT[id(q)] = (q, w)
        while len(_HOT) > 1 and _kept_bytes() > HOT_BYTES:
            _HOT.popitem(last=False)
    return w


def _kept_bytes() -> int:
    return sum(w.nbytes for _, w in _HOT.values())  # the caller holds _HOT_LOCK


def hot_bytes() -> int:
    """Bytes of the rebuilt float32 matrices kept now (``HOT_BYTES`` at most, or one matrix)."""
    with _HOT_LOCK:
        return _kept_bytes()


class ArrayModel:
    """A pretrained model of the zoo, forward only, on NumPy arrays (float32 arithmetic).

    ``state``: the checkpoint's state dict as stored (``vae.checkpoint_file.read``): int8 matrices
    with their ``SCALE`` rows, float16 kernels and vectors. Raises ValueError when its weights are
    not the ones ``layout(cfg)`` names, with these shapes. Never mutated after construction; one
    instance serves every thread.
    """

    training = False  # always in eval mode: ``vae.arrays`` asks

    def __init__(self, cfg: ModelConfig, state: dict[str, Any]) -> None:
        self.config = cfg
        self.conditional = cfg.kind == "cvae"
        want = layout(cfg)
        have = {k for k in state if not k.endswith(SCALE)}
        if have != set(want):
            extra, missing = sorted(have - set(want)), sorted(set(want) - have)
            raise ValueError(f"unexpected weights {extra[:3]}, missing weights {missing[:3]}")
        self._float: dict[str, np.ndarray] = {}
        self._int8: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for key, shape in want.items():
            v = np.asarray(state[key])
            if v.shape != shape:
                raise ValueError(f"{key} has shape {v.shape}, the layout needs {shape}")
            if key + SCALE in state:
                scale = np.asarray(state[key + SCALE], dtype=np.float32).reshape(shape[0], 1)
                self._int8[key] = (v, scale)
            else:
                self._float[key] = v.astype(np.float32)
        self._channels_last()
        for w in [*self._float.values(), *(a for pair in self._int8.values() for a in pair)]:
            w.setflags(write=False)

    def _channels_last(self) -> None:
        """Lay the weights out for channels-last maps (B, H, W, C), once: the kernels as the
        products read them, and the matrices on either side of the flattened feature map with
        their columns (encoder) or rows (decoder) in (side, side, C) order, not torch's (C, side,
        side). A row's int8 scale moves with its row."""
        cfg, n = self.config, len(self.config.channels)
        c, s = last_feature_map(cfg)
        for i in range(n):
            key = f"encoder.body.{2 * i}.weight"
            self._float[key] = _conv_weight(self._float[key])
        if self.conditional:  # the label planes' share of the first conv, once per label
            w = self._float["encoder.body.0.weight"]  # (k k C, O), C = 1 pixel + 10 label planes
            k2, o = w.shape[0] // (1 + cfg.num_classes), w.shape[1]
            w = w.reshape(k2, 1 + cfg.num_classes, o)
            planes = np.broadcast_to(
                np.eye(cfg.num_classes, dtype=np.float32)[:, None, None, :],
                (cfg.num_classes, 28, 28, cfg.num_classes),
            )
            self._float["label_planes"] = _conv(planes, w[:, 1:].reshape(-1, o), np.float32(0))
            self._float["encoder.body.0.weight"] = np.ascontiguousarray(w[:, :1].reshape(-1, o))
        for i in range(n):
            key = f"decoder.net.{5 + 2 * i}.weight"
            self._float[key] = _conv_transpose_weight(self._float[key])

        def columns_channels_last(m: np.ndarray) -> np.ndarray:  # (rows, C s s) -> (rows, s s C)
            return np.ascontiguousarray(m.reshape(-1, c, s, s).transpose(0, 2, 3, 1)).reshape(
                len(m), -1
            )

        def rows_channels_last(m: np.ndarray) -> np.ndarray:  # (C s s, ...) -> (s s C, ...)
            tail = m.shape[1:]
            return np.ascontiguousarray(
                m.reshape(c, s, s, *tail).transpose(1, 2, 0, *range(3, 3 + len(tail)))
            ).reshape(m.shape)

        fc, up = f"encoder.body.{2 * n + 1}.weight", "decoder.net.2"
        if fc in self._int8:
            q, scale = self._int8[fc]
            self._int8[fc] = (columns_channels_last(q), scale)
        else:
            self._float[fc] = columns_channels_last(self._float[fc])
        if up + ".weight" in self._int8:
            q, scale = self._int8[up + ".weight"]
            self._int8[up + ".weight"] = (rows_channels_last(q), rows_channels_last(scale))
        else:
            self._float[up + ".weight"] = rows_channels_last(self._float[up + ".weight"])
        self._float[up + ".bias"] = rows_channels_last(self._float[up + ".bias"])

    def _weight(self, key: str) -> np.ndarray:
        if key in self._int8:
            return _rebuilt(*self._int8[key])
        return self._float[key]

    def _linear(self, x: np.ndarray, layer: str) -> np.ndarray:
        return x @ self._weight(layer + ".weight").T + self._weight(layer + ".bias")

    def _one_hot(self, y: Any, n: int) -> np.ndarray:
        return np.eye(self.config.num_classes, dtype=np.float32)[self._labels(y, n)]  # (B, 10)

    def _labels(self, y: Any, n: int) -> np.ndarray:
        if y is None:
            raise ValueError(
                "the conditional VAE needs the digit labels y to encode and decode: "
                "call encode(x, y) / decode(z, y)"
            )
        labels = np.asarray(y).astype(np.int64).reshape(-1)
        k = self.config.num_classes
        if len(labels) != n or labels.min(initial=0) < 0 or labels.max(initial=0) >= k:
            raise ValueError(f"expected {n} digit labels in 0..{k - 1}")
        return labels  # (B,)

    def encode(self, x: np.ndarray, y: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Images (B, 1, 28, 28) (or (B, 28, 28)) in [0, 1] -> (mu (B, d), logvar (B, d) or None
        for an AE)."""
        x = np.asarray(x, dtype=np.float32).reshape(-1, 1, 28, 28)
        if not len(x):  # the empty batch keeps its shapes
            d = np.zeros((0, self.config.latent_dim), np.float32)
            return d, None if self.config.kind == "ae" else d.copy()
        parts = [
            self._encode(
                x[i : i + CHUNK], None if y is None else np.asarray(y).reshape(-1)[i : i + CHUNK]
            )
            for i in range(0, len(x), CHUNK)
        ]
        mu = np.concatenate([p[0] for p in parts])
        if self.config.kind == "ae":
            return mu, None
        return mu, np.concatenate([p[1] for p in parts])

    def _encode(self, x: np.ndarray, y: Any) -> tuple[np.ndarray, np.ndarray | None]:
        n = len(self.config.channels)
        h = x.reshape(len(x), 28, 28, 1)  # channels last
        for i in range(n):
            layer = f"encoder.body.{2 * i}"
            h = _conv(h, self._weight(layer + ".weight"), self._weight(layer + ".bias"))
            if i == 0 and self.conditional:  # the label planes' share (a convolution is linear)
                h += self._float["label_planes"][self._labels(y, len(x))]  # (B, 14, 14, O)
            h = _relu(h)
        h = _relu(self._linear(h.reshape(len(h), -1), f"encoder.body.{2 * n + 1}"))  # (B, hidden)
        mu = self._linear(h, "encoder.heads.0")  # (B, d)
        return mu, None if self.config.kind == "ae" else self._linear(h, "encoder.heads.1")

    def decode_logits(self, z: np.ndarray, y: Any = None) -> np.ndarray:
        """Codes (B, d) -> one Bernoulli logit per pixel, (B, 1, 28, 28) float32."""
        z = np.asarray(z, dtype=np.float32).reshape(-1, self.config.latent_dim)
        if not len(z):  # the empty batch keeps its shapes
            return np.zeros((0, 1, 28, 28), np.float32)
        labels = None if y is None else np.asarray(y).reshape(-1)
        parts = [
            self._decode(z[i : i + CHUNK], None if labels is None else labels[i : i + CHUNK])
            for i in range(0, len(z), CHUNK)
        ]
        return np.concatenate(parts)

    def _decode(self, z: np.ndarray, y: Any) -> np.ndarray:
        if self.conditional:
            z = np.concatenate([z, self._one_hot(y, len(z))], axis=1)  # (B, d + 10)
        c, s = last_feature_map(self.config)
        h = _relu(self._linear(z, "decoder.net.0"))  # (B, hidden)
        h = _relu(self._linear(h, "decoder.net.2")).reshape(len(z), s, s, c)  # (B, s, s, c)
        n = len(self.config.channels)
        for i in range(n):
            layer = f"decoder.net.{5 + 2 * i}"
            h = _conv_transpose(h, self._weight(layer + ".weight"), self._weight(layer + ".bias"))
            if i < n - 1:
                h = _relu(h)
        return h.astype(np.float32, copy=False).reshape(len(z), 1, 28, 28)  # logits

    def decode(self, z: np.ndarray, y: Any = None) -> np.ndarray:
        """Codes (B, d) -> pixel means in [0, 1], (B, 1, 28, 28): the sigmoid of the logits."""
        return expit(self.decode_logits(z, y))


def load_checkpoint(
    path: str | Path, name: str | None = None, data: bytes | None = None
) -> tuple[ArrayModel, dict[str, Any]]:
    """``vae.checkpoint.load_checkpoint`` without torch: the model of a checkpoint file (or its
    bytes ``data``) as an ArrayModel, and the checkpoint dict, after the same checks in the same
    order; raises CheckpointError for any unusable file."""
    blob = checkpoint_file.read(path, name, data)
    cfg = checkpoint_file.model_config(blob, path, name)
    try:
        return ArrayModel(cfg, blob["state_dict"]), blob
    except ValueError as exc:
        raise CheckpointError(
            path, f"holds weights of another architecture ({str(exc)[:120]})", name
        ) from exc
