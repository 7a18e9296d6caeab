"""The ELBO lesson's numbers for one image of a 2-D VAE, computed once per server and shared.

The exact log p(x) by quadrature (``vae.bound``: a coarse decoded grid per model, about 10 MB and a
second or two of decoding, then a fine grid around the image's posterior) and the importance-
weighted curve over k (``vae.likelihood``) cost seconds per image. The featured images are
computed for every offered model in the background at the server's start (``ui.server.warmup``); a
new
image takes its turn in the server-wide queue (``ui.server.heavy_queue``) on the page.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st
import torch

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons.elbo import claims
from ui.page import loaders, model_calls
from ui.server import prefetch, warmup
from vae import bound, zoo
from vae.likelihood import log_weights

FEATURED = {0: "a clear 7", 169: "a 4 drawn like a 9", 6572: "a thin 1", 8000: "an unusual 4"}
KS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # the importance-sampling slider's steps
POOL = 2000  # log weights drawn per image: every k's bound is averaged over POOL // k groups


def offered(entry: zoo.Entry) -> bool:
    """A 2-D VAE whose posteriors have width (beta = 0 leaves sigma near 0: no Gaussian to
    integrate)."""
    return entry.model.kind == "vae" and entry.model.latent_dim == 2 and entry.model.beta > 0


MODELS = loaders.models_where(offered)


# One grid per model the page offers (about 10 MB each: 81 x 81 points x 784 logits, kept as
# float16: ``DecodedGrid.compact``), so switching models never decodes a grid twice; fewer entries
# than models recomputed it at every switch.
@st.cache_resource(
    show_spinner="Decoding the latent plane once for this model…", max_entries=max(1, len(MODELS))
)
def coarse(key: tuple[str, str, int]) -> bound.DecodedGrid:
    """The model's coarse grid, decoded once per server (shared, never mutated)."""
    grid = bound.coarse_grid(loaders.codes(key[0])["mu"])
    return bound.decode_grid(loaders.model(key[0]), grid).compact()


@st.cache_data(
    show_spinner="Integrating p(x|z) p(z) over the latent plane…", max_entries=MODEL_CACHE_ENTRIES
)
def exact(key: tuple[str, str, int], idx: int) -> bound.ImageBound:
    """log p(x) of test image ``idx`` by quadrature, the ELBO's gap and its parts."""
    c = loaders.codes(key[0])
    return bound.image_bound(
        loaders.model(key[0]),
        coarse(key),
        loaders.test_images_float()[idx],
        c["mu"][idx],
        c["logvar"][idx],
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def iwae_stats(key: tuple[str, str, int], idx: int) -> dict[int, tuple[float, float, int]]:
    """L_k for each k of KS from POOL seeded draws from q(z|x) in POOL // k groups: its mean, its
    standard error over the groups (nan for one group) and the number of groups (nats). The same
    draws and means as ``vae.likelihood.image_curve``; the error says what is sampling noise."""
    x = torch.as_tensor(np.array(loaders.test_images_float()[idx]), dtype=torch.float32)
    x = x.reshape(1, 1, 28, 28)
    with torch.inference_mode():
        lw = log_weights(
            loaders.model(key[0]).eval(), x, POOL, generator=torch.Generator().manual_seed(idx)
        )[0].double()  # (POOL,)
    out = {}
    for k in KS:
        groups = lw[: (POOL // k) * k].reshape(POOL // k, k)  # (G, k)
        neg = -(torch.logsumexp(groups, dim=1) - math.log(k)).numpy()  # -L_k per group (G,)
        out[k] = (*claims.group_stats(neg), POOL // k)
    return out


def iwae(key: tuple[str, str, int], idx: int) -> dict[int, float]:
    """E[L_k] for each k of KS from POOL seeded draws from q(z|x) (log-likelihoods, nats)."""
    return {k: v[0] for k, v in iwae_stats(key, idx).items()}


def prefetch_featured(key: tuple[str, str, int], idx: int) -> None:
    """The featured images other than ``idx``, the ones a class clicks next: integrated in the
    background, once per server."""
    for other in FEATURED:
        if other != idx:
            prefetch.later(exact, key, other, idle=True)
            prefetch.later(iwae_stats, key, other, idle=True)


def _warm() -> None:
    for (
        name
    ) in MODELS:  # the page's default image first for every model, then the other featured ones
        if loaders.built(name):
            exact(model_calls.model_key(name), next(iter(FEATURED)))
            iwae(model_calls.model_key(name), next(iter(FEATURED)))


warmup.register(_warm)
