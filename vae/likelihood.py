"""Estimates of log p(x) beyond the ELBO: the importance-weighted bound (Burda et al. 2016).

With k samples z_j ~ q(z|x), the importance-weighted bound is

    L_k(x) = log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x)   <=   log p(x),

L_1 is the ELBO's one-sample estimate, E[L_k] rises with k and tends to log p(x) (Burda,
Grosse & Salakhutdinov 2016, theorem 1). Everything here is in nats per image and returns the
*negative* bound (a loss, like the ELBO elsewhere in the app: lower is better). The zoo stores
the k = 1,000 estimate on a fixed stratified subset of 500 test images (:func:`stratified_subset`),
together with the one-sample ELBO on the same images, so the two compare like with like.

torch is imported by the functions that draw and decode (a server that only shows stored
numbers never loads it).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from vae.losses import recon_bce

if TYPE_CHECKING:
    import torch
    from torch import Tensor

    from vae.models import Model

IWAE_K = 1000  # samples per image for the stored estimate
IWAE_PER_CLASS = 50  # stratified subset: the first 50 test images of each digit (500 images;
# k = 1,000 on them costs about 2 min per model at one thread)
IWAE_CURVE_K = (1, 10, 100)  # the smaller k stored beside k = 1,000, from the same 1,000 weights
_LOG_2PI = math.log(2 * math.pi)


def stratified_subset(labels: Tensor, per_class: int = IWAE_PER_CLASS) -> Tensor:
    """Indices of the first ``per_class`` images of each label, in test-set order. (N,) -> (M,)."""
    import torch

    picks = [torch.nonzero(labels == c).flatten()[:per_class] for c in range(int(labels.max()) + 1)]
    return torch.sort(torch.cat(picks)).values


def log_normal(z: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    """log N(z; mu, diag(exp(logvar))) summed over the last dimension, of tensors.
    (..., d) -> (...)."""
    return -0.5 * (_LOG_2PI + logvar + (z - mu).pow(2) * (-logvar).exp()).sum(-1)


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
    import torch

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
    import torch

    b, big_k = logw.shape
    out = {}
    for k in ks:
        if not 1 <= k <= big_k:
            raise ValueError(f"k = {k} needs 1 <= k <= {big_k} weights")
        groups = logw[:, : (big_k // k) * k].reshape(b, big_k // k, k)  # (B, K // k, k)
        out[k] = -(torch.logsumexp(groups, dim=2) - math.log(k)).mean(dim=1)  # (B,)
    return out


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
    import torch

    gen = torch.Generator().manual_seed(seed)
    model.eval()
    out: dict[int, list[Tensor]] = {j: [] for j in (*ks, k)}
    with torch.inference_mode():
        for i in range(0, len(x), batch_size):
            yb = None if y is None else y[i : i + batch_size]
            for j, v in iwae_curve(
                log_weights(model, x[i : i + batch_size], k, yb, gen), (*ks, k)
            ).items():
                out[j].append(v)
    return {j: torch.cat(v) for j, v in out.items()}


# The ELBO lesson's curve for one image: E[L_k] at each k of the slider from one pool of draws.
CURVE_POOL = 2000  # log weights drawn per image: every k's bound is averaged over POOL // k groups
CURVE_KS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # the lesson's k


def group_stats(neg_lk: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of L_k over its groups, from -L_k per group (G,); one group: nan."""
    v = -np.asarray(neg_lk, dtype=np.float64)
    se = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")
    return float(v.mean()), se


def image_curve_stats(
    model: Model, x: np.ndarray, seed: int, pool: int = CURVE_POOL, ks: tuple[int, ...] = CURVE_KS
) -> dict[int, tuple[float, float, int]]:
    """L_k of one image x (28, 28) for each k of ``ks``, from ``pool`` draws from q(z|x) (torch's
    generator seeded with ``seed``) cut into pool // k groups: its mean, its standard error over
    the groups (nan for one group) and the number of groups (log-likelihoods, nats). The error
    says what is sampling noise. ``model``: a torch VAE (unconditional)."""
    import torch

    xt = torch.as_tensor(np.array(x, dtype=np.float32)).reshape(1, 1, 28, 28)
    model.eval()
    with torch.inference_mode():
        lw = log_weights(model, xt, pool, generator=torch.Generator().manual_seed(seed))
        lw = lw[0].double()  # (pool,)
    out = {}
    for k in ks:
        groups = lw[: (pool // k) * k].reshape(pool // k, k)  # (G, k)
        neg = -(torch.logsumexp(groups, dim=1) - math.log(k)).numpy()  # -L_k per group (G,)
        out[k] = (*group_stats(neg), pool // k)
    return out
