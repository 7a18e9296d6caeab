"""Model calls on numpy arrays: encode, decode, reconstruct, per-image ELBO terms.

Every model of the zoo has one interface (``vae.models.Autoencoder``: ``encode(x, y=None) ->
(mu, logvar | None)``, ``decode_logits(z, y=None)``, ``decode``); this module runs it on the
arrays the app holds (read-only cached images, codes and labels, or tensors) in batches, under
``torch.inference_mode`` and in eval mode, and hands numpy back. The loss terms follow
``vae.train.evaluate`` (pytorch/examples' ``vae/main.py``): nats per image, the Bernoulli
reconstruction term summed over the 784 pixels (``vae.losses.recon_bce``), the KL term in closed
form, one posterior sample z = mu + sigma * eps with a fixed noise seed.

``batch`` is how many images (or codes) go through the model in one call; None sends them all at
once. One image's numbers can depend on the size of the call it is in (torch picks another
kernel for a single image), so a caller keeps the batching its numbers were computed with.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch

from vae.losses import kl_divergence, recon_bce
from vae.models import Model

BATCH = 1000  # images per model call, as vae.train.evaluate and vae.build
NOISE_SEED = 0  # the one posterior sample behind every per-image negative ELBO


def _numpy(a: np.ndarray | torch.Tensor) -> np.ndarray:
    """An array, or a tensor's memory as one (a tensor is read through ``.numpy()``: numpy's
    ``np.array(tensor, copy=...)`` protocol is not torch's)."""
    return a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def images_tensor(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(28, 28), (M, 28, 28) or (M, 1, 28, 28) floats in [0, 1] -> float32 tensor (M, 1, 28, 28).

    A read-only array (the app's cached arrays) is copied: torch does not take read-only memory.
    """
    x = _numpy(images).astype(np.float32, copy=False)
    if x.shape[-2:] != (28, 28):
        raise ValueError(f"expected 28 x 28 images, got shape {x.shape}")
    return torch.as_tensor(np.require(x, requirements=["C", "W"])).reshape(-1, 1, 28, 28)


def labels_tensor(y: np.ndarray | torch.Tensor | None) -> torch.Tensor | None:
    """Digit labels (M,) as int64 (a copy: the cached labels are read-only), or None (read by a
    conditional model only)."""
    return None if y is None else torch.from_numpy(_numpy(y).astype(np.int64)).reshape(-1)


def codes_tensor(z: np.ndarray | torch.Tensor, d: int) -> torch.Tensor:
    """Codes (M, d) (or (d,)) as a float32 tensor (M, d), a writable copy."""
    return torch.from_numpy(_numpy(z).astype(np.float32)).reshape(-1, d)


def _slices(n: int, batch: int | None) -> Iterator[slice]:
    """Slices of ``batch`` items covering n (one slice for n = 0: the model still sees the empty
    batch and answers with its shapes)."""
    step = max(n if batch is None else batch, 1)
    return (slice(i, i + step) for i in range(0, max(n, 1), step))


@contextmanager
def _evaluating(model: Model) -> Iterator[None]:
    """The model in eval mode for the call, its own mode restored after (a model being trained
    live is asked between steps); a model in eval mode already (every cached one) is not
    touched."""
    if not model.training:
        yield
        return
    model.eval()
    try:
        yield
    finally:
        model.train()


@torch.inference_mode()
def encode(
    model: Model,
    images: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor | None = None,
    batch: int | None = BATCH,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Images -> (mu (M, d), logvar (M, d), or None for an AE: its code is deterministic)."""
    x, yt = images_tensor(images), labels_tensor(y)
    mus, logvars = [], []
    with _evaluating(model):
        for s in _slices(len(x), batch):
            mu, lv = model.encode(x[s], None if yt is None else yt[s])  # (b, d) each
            mus.append(mu)
            logvars.append(lv)
    mu = torch.cat(mus).numpy()
    return mu, None if logvars[0] is None else torch.cat(logvars).numpy()


def posterior_means(model: Model, images: np.ndarray | torch.Tensor) -> np.ndarray:
    """mu of images under an unconditional model (an AE: its code). -> (M, d)"""
    return encode(model, images)[0]


@torch.inference_mode()
def decode_logits(
    model: Model,
    z: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor | None = None,
    batch: int | None = BATCH,
) -> np.ndarray:
    """Codes (M, d) -> the decoder's Bernoulli logits, one per pixel, (M, 28, 28) float32."""
    zt, yt = codes_tensor(z, model.config.latent_dim), labels_tensor(y)
    with _evaluating(model):
        out = [
            model.decode_logits(zt[s], None if yt is None else yt[s])[:, 0]
            for s in _slices(len(zt), batch)
        ]
    return torch.cat(out).numpy()


@torch.inference_mode()
def decode(
    model: Model,
    z: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor | None = None,
    batch: int | None = BATCH,
) -> np.ndarray:
    """Codes (M, d) -> the decoder's images, pixel means in [0, 1], (M, 28, 28) float32: the
    sigmoid of ``decode_logits``, as ``model.decode`` is."""
    return torch.sigmoid(torch.from_numpy(decode_logits(model, z, y, batch))).numpy()


@torch.inference_mode()
def reconstruct(
    model: Model,
    images: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor | None = None,
    seed: int | None = None,
    batch: int | None = BATCH,
) -> tuple[np.ndarray, np.ndarray]:
    """Each image through the model: decoded from its posterior mean (``seed`` None; an AE: its
    code), or from one sample z = mu + sigma * eps with a seeded eps, as the ELBO's reconstruction
    term is estimated. ``y``: labels, read by a conditional model only.
    -> (pixel probabilities (M, 28, 28) float32, -log p(x | z) (M,) float64 nats, Bernoulli,
    summed)"""
    x, yt = images_tensor(images), labels_tensor(y)  # (M, 1, 28, 28), (M,)
    gen = None if seed is None else torch.Generator().manual_seed(int(seed))
    probs, losses = [], []
    with _evaluating(model):
        for s in _slices(len(x), batch):
            xb, yb = x[s], None if yt is None else yt[s]
            mu, logvar = model.encode(xb, yb)  # (b, d) each; logvar None for an AE
            z = mu if gen is None else model.reparameterize(mu, logvar, generator=gen)  # (b, d)
            logits = model.decode_logits(z, yb)  # (b, 1, 28, 28)
            probs.append(torch.sigmoid(logits)[:, 0])
            losses.append(recon_bce(logits, xb).double())
    return torch.cat(probs).numpy(), torch.cat(losses).numpy()


def reconstructions(model: Model, images: np.ndarray | torch.Tensor) -> np.ndarray:
    """The decoder's images at z = mu (``reconstruct``), unconditional models. -> (M, 28, 28)"""
    return reconstruct(model, images)[0]


def recon_at_mean(
    model: Model, images: np.ndarray | torch.Tensor, batch: int | None = BATCH
) -> np.ndarray:
    """Reconstruction loss of each image decoded from its posterior mean mu (an AE: its code), the
    deterministic reconstruction a picture shows: -log p(x | z = mu), Bernoulli, summed over the
    784 pixels, in nats (``reconstruct``). Unconditional models. -> (M,) float64"""
    return reconstruct(model, images, batch=batch)[1]


@torch.inference_mode()
def image_terms(
    model: Model, images: np.ndarray | torch.Tensor, seed: int = NOISE_SEED
) -> dict[str, np.ndarray]:
    """Per-image loss terms of a VAE, in nats, the way the cached test-set values are computed.

    ``recon`` is -log p(x|z) for ONE posterior sample z ~ q(z|x) drawn with a fixed noise seed,
    ``kl`` is KL(q(z|x) || N(0, I)) in closed form, ``elbo`` their sum (the negative ELBO, beta 1).
    Also returns ``mu``, ``logvar`` (M, d), the sample ``z`` and ``recon_mu``: the decoder's
    image at z = mu (M, 28, 28), the deterministic reconstruction shown to the user. The images
    go through the model in one call (one stream of noise for all of them).
    """
    if model.conditional:
        raise TypeError(
            "image_terms needs an unconditional model (no label is known for a new image)"
        )
    x = images_tensor(images)  # (M, 1, 28, 28)
    with _evaluating(model):
        mu, logvar = model.encode(x)  # (M, d) each
        if logvar is None:
            raise TypeError("image_terms needs a VAE: an AE has no posterior, so no ELBO")
        gen = torch.Generator().manual_seed(seed)
        z = model.reparameterize(mu, logvar, generator=gen)  # (M, d)
        recon = recon_bce(model.decode_logits(z), x)  # (M,)
        kl = kl_divergence(mu, logvar)  # (M,)
        recon_mu = model.decode(mu)[:, 0]  # (M, 28, 28)
    return {
        "recon": recon.numpy(),
        "kl": kl.numpy(),
        "elbo": (recon + kl).numpy(),
        "mu": mu.numpy(),
        "logvar": logvar.numpy(),
        "z": z.numpy(),
        "recon_mu": recon_mu.numpy(),
    }
