"""Model calls on numpy arrays: encode, decode, reconstruct, per-image ELBO terms.

Every model of the zoo has one interface (``encode(x, y=None) -> (mu, logvar | None)``,
``decode_logits(z, y=None)``): the server's NumPy models (``vae.numpy_model.ArrayModel``, which
never import torch) and the torch modules of ``vae.models`` (a model being trained, the build).
This module runs either on the arrays the app holds (read-only cached images, codes and labels,
or tensors) in batches, a torch module under ``torch.inference_mode`` and in eval mode, and hands
numpy back; everything after the forward pass is NumPy, so both kinds of model give the same
numbers to float32 rounding. The loss terms follow ``vae.train.evaluate`` (pytorch/examples'
``vae/main.py``): nats per image, the Bernoulli reconstruction term summed over the 784 pixels
(``vae.losses.bernoulli_nll``), the KL term in closed form, one posterior sample
z = mu + sigma * eps with seeded noise (``noise``: NumPy's generator, not torch's, so the draws
are not the training run's, only drawn the same way).

``batch`` is how many images (or codes) go through the model in one call; None sends them all at
once. One image's numbers can depend on the size of the call it is in (torch picks another
kernel for a single image), so a caller keeps the batching its numbers were computed with.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
from scipy.special import expit

from vae.losses import bernoulli_nll, kl_divergence
from vae.numpy_model import ArrayModel

if TYPE_CHECKING:
    import torch

    from vae.models import Model

    AnyModel = Model | ArrayModel
    Array = np.ndarray | torch.Tensor

BATCH = 1000  # images per model call, as vae.train.evaluate and vae.build
NOISE_SEED = 0  # the one posterior sample behind every per-image negative ELBO


def _numpy(a: Any) -> np.ndarray:
    """An array, or a tensor's memory as one (a tensor is read through ``.numpy()``: numpy's
    ``np.array(tensor, copy=...)`` protocol is not torch's). torch is not imported for it."""
    if type(a).__module__.startswith("torch"):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def as_images(images: Array) -> np.ndarray:
    """(28, 28), (M, 28, 28) or (M, 1, 28, 28) floats in [0, 1] -> float32 (M, 1, 28, 28), a
    C-contiguous array (a view of the input when it is one already: never written to)."""
    x = _numpy(images).astype(np.float32, copy=False)
    if x.shape[-2:] != (28, 28):
        raise ValueError(f"expected 28 x 28 images, got shape {x.shape}")
    return np.ascontiguousarray(x).reshape(-1, 1, 28, 28)


def _labels(y: Array | None) -> np.ndarray | None:
    return None if y is None else _numpy(y).astype(np.int64).reshape(-1)


def _codes(z: Array, d: int) -> np.ndarray:
    return np.ascontiguousarray(_numpy(z).astype(np.float32, copy=False)).reshape(-1, d)


def noise(seed: int | np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """eps ~ N(0, I) of this shape, float32, from NumPy's generator seeded with ``seed`` (or that
    generator itself, to draw on from where it is)."""
    gen = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(int(seed))
    return gen.standard_normal(shape, dtype=np.float32)


def _slices(n: int, batch: int | None) -> Iterator[slice]:
    """Slices of ``batch`` items covering n (one slice for n = 0: the model still sees the empty
    batch and answers with its shapes)."""
    step = max(n if batch is None else batch, 1)
    return (slice(i, i + step) for i in range(0, max(n, 1), step))


@contextmanager
def _evaluating(model: AnyModel) -> Iterator[None]:
    """The model in eval mode for the call, its own mode restored after (a model being trained
    live is asked between steps); a model in eval mode already (every cached one, and every
    NumPy model) is not touched."""
    if not model.training:
        yield
        return
    model.eval()
    try:
        yield
    finally:
        model.train()


def _encode(
    model: AnyModel, x: np.ndarray, y: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """One batch through the encoder: (b, 1, 28, 28) -> (mu (b, d), logvar (b, d) or None)."""
    if isinstance(model, ArrayModel):
        return model.encode(x, y)
    import torch

    with torch.inference_mode():
        mu, lv = model.encode(
            torch.from_numpy(np.array(x)), None if y is None else torch.from_numpy(y)
        )
    return mu.numpy(), None if lv is None else lv.numpy()


def _decode_logits(model: AnyModel, z: np.ndarray, y: np.ndarray | None) -> np.ndarray:
    """One batch through the decoder: (b, d) -> logits (b, 28, 28) float32."""
    if isinstance(model, ArrayModel):
        return model.decode_logits(z, y)[:, 0]
    import torch

    with torch.inference_mode():
        out = model.decode_logits(
            torch.from_numpy(np.array(z)), None if y is None else torch.from_numpy(y)
        )
    return out[:, 0].numpy()


def encode(
    model: AnyModel, images: Array, y: Array | None = None, batch: int | None = BATCH
) -> tuple[np.ndarray, np.ndarray | None]:
    """Images -> (mu (M, d), logvar (M, d), or None for an AE: its code is deterministic)."""
    x, yt = as_images(images), _labels(y)
    mus, logvars = [], []
    with _evaluating(model):
        for s in _slices(len(x), batch):
            mu, lv = _encode(model, x[s], None if yt is None else yt[s])  # (b, d) each
            mus.append(mu)
            logvars.append(lv)
    mu = np.concatenate(mus)
    return mu, None if logvars[0] is None else np.concatenate(logvars)


def posterior_means(model: AnyModel, images: Array) -> np.ndarray:
    """mu of images under an unconditional model (an AE: its code). -> (M, d)"""
    return encode(model, images)[0]


def decode_logits(
    model: AnyModel, z: Array, y: Array | None = None, batch: int | None = BATCH
) -> np.ndarray:
    """Codes (M, d) -> the decoder's Bernoulli logits, one per pixel, (M, 28, 28) float32."""
    zt, yt = _codes(z, model.config.latent_dim), _labels(y)
    with _evaluating(model):
        out = [
            _decode_logits(model, zt[s], None if yt is None else yt[s])
            for s in _slices(len(zt), batch)
        ]
    return np.concatenate(out)


def decode(
    model: AnyModel, z: Array, y: Array | None = None, batch: int | None = BATCH
) -> np.ndarray:
    """Codes (M, d) -> the decoder's images, pixel means in [0, 1], (M, 28, 28) float32: the
    sigmoid of ``decode_logits``, as ``model.decode`` is."""
    return expit(decode_logits(model, z, y, batch))


def _sample(mu: np.ndarray, logvar: np.ndarray | None, gen: np.random.Generator) -> np.ndarray:
    """z = mu + sigma * eps (``reparameterize``); a deterministic code is its own sample."""
    if logvar is None:
        return mu
    return (mu + np.exp(0.5 * logvar) * noise(gen, mu.shape)).astype(np.float32)  # (b, d)


def reconstruct(
    model: AnyModel,
    images: Array,
    y: Array | None = None,
    seed: int | None = None,
    batch: int | None = BATCH,
) -> tuple[np.ndarray, np.ndarray]:
    """Each image through the model: decoded from its posterior mean (``seed`` None; an AE: its
    code), or from one sample z = mu + sigma * eps with seeded noise (``noise``, drawn batch after
    batch from one generator), as the ELBO's reconstruction term is estimated. ``y``: labels, read
    by a conditional model only.
    -> (pixel probabilities (M, 28, 28) float32, -log p(x | z) (M,) float64 nats, Bernoulli,
    summed)"""
    x, yt = as_images(images), _labels(y)  # (M, 1, 28, 28), (M,)
    gen = None if seed is None else np.random.default_rng(int(seed))
    probs, losses = [], []
    with _evaluating(model):
        for s in _slices(len(x), batch):
            xb, yb = x[s], None if yt is None else yt[s]
            mu, logvar = _encode(model, xb, yb)  # (b, d) each; logvar None for an AE
            z = mu if gen is None else _sample(mu, logvar, gen)  # (b, d)
            logits = _decode_logits(model, z, yb)  # (b, 28, 28)
            probs.append(expit(logits))
            losses.append(bernoulli_nll(logits, xb))
    return np.concatenate(probs), np.concatenate(losses)


def reconstructions(model: AnyModel, images: Array) -> np.ndarray:
    """The decoder's images at z = mu (``reconstruct``), unconditional models. -> (M, 28, 28)"""
    return reconstruct(model, images)[0]


def recon_at_mean(model: AnyModel, images: Array, batch: int | None = BATCH) -> np.ndarray:
    """Reconstruction loss of each image decoded from its posterior mean mu (an AE: its code), the
    deterministic reconstruction a picture shows: -log p(x | z = mu), Bernoulli, summed over the
    784 pixels, in nats (``reconstruct``). Unconditional models. -> (M,) float64"""
    return reconstruct(model, images, batch=batch)[1]


def image_terms(model: AnyModel, images: Array, seed: int = NOISE_SEED) -> dict[str, np.ndarray]:
    """Per-image loss terms of a VAE, in nats, estimated as the cached test-set values are.

    ``recon`` is -log p(x|z) for ONE posterior sample z ~ q(z|x) with seeded noise (``noise``),
    ``kl`` is KL(q(z|x) || N(0, I)) in closed form, ``elbo`` their sum (the negative ELBO, beta 1).
    Also returns ``mu``, ``logvar`` (M, d), the sample ``z`` and ``recon_mu``: the decoder's
    image at z = mu (M, 28, 28), the deterministic reconstruction shown to the user. The images
    go through the model in one call (one stream of noise for all of them).
    """
    if model.conditional:
        raise TypeError(
            "image_terms needs an unconditional model (no label is known for a new image)"
        )
    x = as_images(images)  # (M, 1, 28, 28)
    with _evaluating(model):
        mu, logvar = _encode(model, x, None)  # (M, d) each
        if logvar is None:
            raise TypeError("image_terms needs a VAE: an AE has no posterior, so no ELBO")
        z = _sample(mu, logvar, np.random.default_rng(seed))  # (M, d)
        recon = bernoulli_nll(_decode_logits(model, z, None), x)  # (M,)
        kl = kl_divergence(mu.astype(np.float64), logvar.astype(np.float64))  # (M,)
        recon_mu = expit(_decode_logits(model, mu, None))  # (M, 28, 28)
    return {
        "recon": recon,
        "kl": kl,
        "elbo": recon + kl,
        "mu": mu,
        "logvar": logvar,
        "z": z,
        "recon_mu": recon_mu,
    }
