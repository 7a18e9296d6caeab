"""Estimates of log p(x) beyond the ELBO: the importance-weighted bound (Burda et al. 2016).

With k samples z_j ~ q(z|x), the importance-weighted bound is

    L_k(x) = log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x)   <=   log p(x),

L_1 is the ELBO's one-sample estimate, E[L_k] rises with k and tends to log p(x) (Burda,
Grosse & Salakhutdinov 2016, theorem 1). Everything here is in nats per image and returns the
*negative* bound (a loss, like the ELBO elsewhere in the app: lower is better). The zoo stores
the k = 1,000 estimate on a fixed stratified subset of 500 test images (:func:`stratified_subset`),
together with the one-sample ELBO on the same images, so the two compare like with like.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from vae.losses import recon_bce
from vae.models import Model

IWAE_K = 1000  # samples per image for the stored estimate
IWAE_PER_CLASS = 50  # stratified subset: the first 50 test images of each digit (500 images;
# k = 1,000 on them costs about 2 min per model at one thread)
IWAE_CURVE_K = (1, 10, 100)  # the smaller k stored beside k = 1,000, from the same 1,000 weights
_LOG_2PI = math.log(2 * math.pi)


def stratified_subset(labels: Tensor, per_class: int = IWAE_PER_CLASS) -> Tensor:
    """Indices of the first ``per_class`` images of each label, in test-set order. (N,) -> (M,)."""
    picks = [torch.nonzero(labels == c).flatten()[:per_class] for c in range(int(labels.max()) + 1)]
    return torch.sort(torch.cat(picks)).values


def log_normal(z: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    """log N(z; mu, diag(exp(logvar))) summed over the last dimension. (..., d) -> (...)."""
    return -0.5 * (_LOG_2PI + logvar + (z - mu).pow(2) * torch.exp(-logvar)).sum(-1)


def log_weights(
    model: Model,
    x: Tensor,
    k: int,
    y: Tensor | None = None,
    generator: torch.Generator | None = None,
    chunk: int = 250,
) -> Tensor:
    """log p(x|z_j) + log p(z_j) - log q(z_j|x) for k samples per image. (B, 1, 28, 28) -> (B, k).

    ``model`` is a VAE or CVAE (``y``: the labels, which only the CVAE reads). Samples are drawn
    ``chunk`` at a
    time so that memory stays at about B * chunk decoded images.
    """
    mu, logvar = model.encode(x, y)  # (B, d) each
    out = []
    for start in range(0, k, chunk):
        m = min(chunk, k - start)
        eps = torch.randn((m, *mu.shape), generator=generator)  # (m, B, d)
        z = mu + torch.exp(0.5 * logvar) * eps  # (m, B, d)
        flat = z.reshape(-1, z.shape[-1])  # (m * B, d)
        xs = x.repeat(m, 1, 1, 1)  # (m * B, 1, 28, 28), sample-major like ``flat``
        logits = model.decode_logits(flat, None if y is None else y.repeat(m))  # (m * B, 1, 28, 28)
        log_px_z = -recon_bce(logits, xs).reshape(m, -1)  # (m, B)
        log_pz = log_normal(z, torch.zeros_like(z), torch.zeros_like(z))  # (m, B)
        log_qz = log_normal(z, mu, logvar)  # (m, B)
        out.append((log_px_z + log_pz - log_qz).T)  # (B, m)
    return torch.cat(out, dim=1)  # (B, k)


def iwae_curve(logw: Tensor, ks: tuple[int, ...]) -> dict[int, Tensor]:
    """-L_k per image for each k from one pool of K log weights (B, K) -> {k: (B,)}.

    The pool is cut into K // k disjoint groups of k weights and -L_k averaged over the groups: an
    unbiased estimate of E[-L_k] (more groups, less noise), so one pool gives the whole curve."""
    b, big_k = logw.shape
    out = {}
    for k in ks:
        if not 1 <= k <= big_k:
            raise ValueError(f"k = {k} needs 1 <= k <= {big_k} weights")
        groups = logw[:, : (big_k // k) * k].reshape(b, big_k // k, k)  # (B, K // k, k)
        out[k] = -(torch.logsumexp(groups, dim=2) - math.log(k)).mean(dim=1)  # (B,)
    return out


@torch.inference_mode()
def iwae_bounds(
    model: Model,
    x: Tensor,
    k: int = IWAE_K,
    ks: tuple[int, ...] = (),
    y: Tensor | None = None,
    seed: int = 0,
    batch_size: int = 20,
) -> dict[int, Tensor]:
    """-L_k for each image at k and at each of ``ks`` (:func:`iwae_curve`), from the same k seeded
    samples per image. -> {k: (N,)}."""
    gen = torch.Generator().manual_seed(seed)
    model.eval()
    out: dict[int, list[Tensor]] = {j: [] for j in (*ks, k)}
    for i in range(0, len(x), batch_size):
        yb = None if y is None else y[i : i + batch_size]
        for j, v in iwae_curve(
            log_weights(model, x[i : i + batch_size], k, yb, gen), (*ks, k)
        ).items():
            out[j].append(v)
    return {j: torch.cat(v) for j, v in out.items()}
