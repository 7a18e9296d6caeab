"""Frozen configuration dataclasses for models and training runs.

A checkpoint stores both as plain dicts (``dataclasses.asdict``) so that it loads with
``torch.load(..., weights_only=True)``; ``from_dict`` rebuilds them and rejects unknown fields.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

ModelKind = Literal["ae", "vae", "cvae"]
ARCH_VERSION = 1  # bump when the layer layout changes: older checkpoints are then refused
# The conv family's layout (``vae.models``, ``vae.numpy_model``): kernel of each stride-2 conv,
# and the side of the feature map before the first and after each: 28 -> 14 -> 7 (kernel 4,
# pad 1) -> 4 (kernel 3, pad 1).
CONV_KERNELS = (4, 4, 3)
FEATURE_SIDES = (28, 14, 7, 4)


@dataclass(frozen=True)
class ModelConfig:
    # "ae" (deterministic code), "vae" (Gaussian posterior) or "cvae" (label-conditioned VAE)
    kind: ModelKind = "vae"
    latent_dim: int = 2  # size of the code z
    beta: float = 1.0  # weight of the KL term in the loss (ignored by the AE)
    channels: tuple[int, ...] = (
        32,
        64,
    )  # channels of the stride-2 convs (28 -> 14 -> 7 -> 4); 2 or 3 layers
    hidden: int = 256  # width of the fully connected layer on each side of the code
    num_classes: int = 10  # label count for the conditional VAE (one-hot width)
    arch_version: int = ARCH_VERSION  # layer layout version, checked when a checkpoint loads

    def __post_init__(self) -> None:
        if self.kind not in ("ae", "vae", "cvae"):
            raise ValueError(f"unknown model kind {self.kind!r}")
        if not 1 <= self.latent_dim <= 512:
            raise ValueError(f"latent_dim must be in 1..512, got {self.latent_dim}")
        if self.beta < 0:
            raise ValueError(f"beta must be >= 0, got {self.beta}")
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))
        if len(self.channels) not in (2, 3):
            raise ValueError("channels must name 2 or 3 conv layers")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 20  # passes over the training images
    batch_size: int = 128  # images per Adam step
    lr: float = 2e-3  # peak Adam learning rate (cosine-annealed to 0 over the run)
    seed: int = 0  # seeds weight init, shuffling and the reparameterization noise
    train_size: int | None = None  # use only the first N training images (None: all 60,000)
    threads: int = 1  # torch intra-op threads; fixed so that a rerun repeats bit for bit
    kl_warmup: int = (
        0  # epochs at the start over which the KL weight rises linearly from 0 to beta (0: none)
    )

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs, batch_size and lr must be positive")
        if not 0 <= self.kl_warmup <= self.epochs:
            raise ValueError(f"kl_warmup must be in 0..epochs, got {self.kl_warmup}")


LATER_FIELDS: dict[type, dict[str, Any]] = {TrainConfig: {"kl_warmup": 0}}
"""Fields added after checkpoints were written, with the value every earlier run had: a stored
config without one still loads, as the run it describes."""


def to_dict(cfg: Any) -> dict[str, Any]:
    """A config as a plain dict of ints, floats, strings and lists (safe for weights_only)."""
    d = dataclasses.asdict(cfg)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


def from_dict(cls: type, d: dict[str, Any]) -> Any:
    """Rebuild a config dataclass; unknown or missing fields raise ``TypeError`` (a field of
    ``LATER_FIELDS`` may be missing: it takes the value runs had before it existed)."""
    names = {f.name for f in dataclasses.fields(cls)}
    extra = set(d) - names
    if extra:
        raise TypeError(f"unknown {cls.__name__} fields: {sorted(extra)}")
    later = LATER_FIELDS.get(cls, {})
    missing = names - set(d) - set(later)
    if missing:
        raise TypeError(f"missing {cls.__name__} fields: {sorted(missing)}")
    return cls(**{**later, **d})


def last_feature_map(cfg: ModelConfig) -> tuple[int, int]:
    """(channels, side) of the encoder's last feature map (the decoder's first)."""
    return cfg.channels[-1], FEATURE_SIDES[len(cfg.channels)]
