"""Loss terms of the (beta-)VAE and the AE, as pure functions.

Reduction, everywhere: nats *per image*. The reconstruction term is the Bernoulli negative
log-likelihood, i.e. binary cross-entropy summed over the 784 pixels of non-binarized [0, 1]
images (as in pytorch/examples' VAE); KL is the closed form of KL(N(mu, sigma^2) || N(0, I))
from Kingma & Welling (2014), appendix B; total = recon + beta * KL (Higgins et al. 2017).
Functions return per-image vectors or batch means, as their names say.

The KL terms take tensors or NumPy arrays; ``bernoulli_nll`` and ``bce_per_image`` are the NumPy
twins of ``recon_bce``. torch is imported only by the functions that need it, so that a server
answering with NumPy models (``vae.numpy_model``) never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from torch import Tensor

# Burda, Grosse & Salakhutdinov (2016, "Importance Weighted Autoencoders", ICLR): dimension i is
# active when Var_x(E_q[z_i | x]) exceeds this (unbiased variance over the data set)
ACTIVE_UNIT_THRESHOLD = 0.01
_EPS = 1e-6  # clip of pixel means for BCE of decoded images (a saturated pixel stays finite)


class LossTerms(NamedTuple):
    """Named loss terms, each in nats per image (shape () for means, (B,) per image)."""

    recon: Tensor
    kl: Tensor
    total: Tensor


def recon_bce(x_logits: Tensor, x: Tensor) -> Tensor:
    """-log p(x|z) for each image: BCE summed over pixels. (B, 1, 28, 28) x2 -> (B,)."""
    import torch.nn.functional as F

    bce = F.binary_cross_entropy_with_logits(x_logits, x, reduction="none")  # (B, 1, 28, 28)
    return bce.flatten(1).sum(dim=1)  # (B,)


def bce_per_image(p: np.ndarray, x: np.ndarray, eps: float = _EPS) -> np.ndarray:
    """-log p(x|z) per image from *pixel means* p (decoded images), for NumPy arrays: BCE summed
    over the pixels, p clipped to [eps, 1 - eps]. The twin of :func:`recon_bce` (which takes
    logits) for images that are already decoded. (M, 28, 28) x2 -> (M,) nats, float64."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    p = np.clip(np.asarray(p, dtype=np.float64).reshape(len(x), -1), eps, 1 - eps)
    return -(x * np.log(p) + (1 - x) * np.log1p(-p)).sum(axis=1)


def bernoulli_nll(logits: np.ndarray, x: np.ndarray) -> np.ndarray:
    """-log p(x|z) per image from the decoder's *logits*, for NumPy arrays: BCE with logits,
    log(1 + e^l) - x l, summed over the pixels in float64. The twin of :func:`recon_bce`.
    (M, 28, 28) or (M, 1, 28, 28), both -> (M,) nats, float64."""
    n = len(logits)
    lg = np.asarray(logits, dtype=np.float32).reshape(n, -1)
    xs = np.asarray(x, dtype=np.float32).reshape(n, -1)
    return (np.logaddexp(np.float32(0), lg) - xs * lg).sum(axis=1, dtype=np.float64)


def kl_per_dim(mu: Any, logvar: Any) -> Any:
    """KL(q(z_i|x) || N(0, 1)) for each image and dimension, of tensors or arrays.
    (B, d) x2 -> (B, d)."""
    exp = logvar.exp() if hasattr(logvar, "exp") else np.exp(logvar)
    return 0.5 * (mu**2 + exp - 1.0 - logvar)  # (B, d)


def kl_divergence(mu: Any, logvar: Any) -> Any:
    """KL(q(z|x) || N(0, I)) for each image, summed over dimensions, of tensors or arrays.
    -> (B,)"""
    return kl_per_dim(mu, logvar).sum(axis=1)  # (B,)


def loss_terms(
    x_logits: Tensor, x: Tensor, mu: Tensor | None, logvar: Tensor | None, beta: float = 1.0
) -> LossTerms:
    """Per-image terms (each (B,)). With ``logvar=None`` (an AE) the KL term is 0."""
    import torch

    recon = recon_bce(x_logits, x)  # (B,)
    kl = kl_divergence(mu, logvar) if logvar is not None else torch.zeros_like(recon)  # (B,)
    return LossTerms(recon, kl, recon + beta * kl)


def mean_terms(terms: LossTerms) -> LossTerms:
    """Batch means of per-image terms (what an optimiser minimises)."""
    return LossTerms(*(t.mean() for t in terms))


def active_units(mu: Any, threshold: float = ACTIVE_UNIT_THRESHOLD) -> tuple[int, np.ndarray]:
    """Burda et al. (2016): dimension i is active if Var over the data of E_q[z_i|x] > threshold.

    ``mu``: (N, d) posterior means over a data set (an array, or a tensor on the CPU). Returns
    (count, per-dimension variance (d,) float32; unbiased, summed in float64).
    """
    var = np.asarray(mu, dtype=np.float64).var(axis=0, ddof=1).astype(np.float32)  # (d,)
    return int((var > threshold).sum()), var
