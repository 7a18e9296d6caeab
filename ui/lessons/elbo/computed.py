"""The ELBO lesson's numbers for one image of a 2-D VAE, computed once per server and shared.

The featured images' numbers are computed at build time (``vae.stored_numbers``, read from
``cache/numbers/``): the server shows them without torch. Any other image costs seconds: the
exact log p(x) by quadrature (``vae.bound``: a coarse decoded grid per model, about 10 MB and a
second or two of decoding, then a fine grid around the image's posterior, and a refinement by
gradient ascent) and the importance-weighted curve over k (``vae.likelihood``). It takes its turn
in the server-wide queue (``ui.server.heavy_queue``) on the page, and the first such image loads
torch into the server (the refinement's gradients, ``vae.bound.refine``, and the curve's torch
model, ``loaders.torch_model``).
"""

from __future__ import annotations

import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.page import loaders, model_calls
from ui.server import prefetch, warmup
from vae import bound, stored_numbers, zoo
from vae.artefacts import CacheError
from vae.likelihood import CURVE_KS, CURVE_POOL, image_curve_stats

KS = CURVE_KS  # the importance-sampling slider's steps
POOL = CURVE_POOL  # log weights drawn per image: every k's bound is averaged over POOL // k groups

# the featured test images (their numbers stored at build: ``vae.stored_numbers.FEATURED``), in
# words
FEATURED = dict(
    zip(stored_numbers.FEATURED, ("a clear 7", "a 4 drawn like a 9", "a thin 1", "an unusual 4"))
)


def offered(entry: zoo.Entry) -> bool:
    """A 2-D VAE whose posteriors have width (``vae.bound.has_exact_bound``)."""
    return bound.has_exact_bound(entry.model)


MODELS = loaders.models_where(offered)


# One grid per model the page offers (about 10 MB each: 81 x 81 points x 784 logits, kept as
# float16: ``DecodedGrid.compact``), so switching models never decodes a grid twice; fewer entries
# than models recomputed it at every switch.
@st.cache_resource(
    show_spinner="Decoding the latent plane once for this model…", max_entries=max(1, len(MODELS))
)
def coarse(key: tuple[str, str, int]) -> bound.DecodedGrid:
    """The model's coarse grid, decoded once per server (shared, never mutated)."""
    return bound.decoded_coarse_grid(loaders.model(key[0]), loaders.codes(key[0])["mu"])


@st.cache_data(
    show_spinner="Integrating p(x|z) p(z) over the latent plane…", max_entries=MODEL_CACHE_ENTRIES
)
def exact(key: tuple[str, str, int], idx: int) -> bound.ImageBound:
    """log p(x) of test image ``idx`` by quadrature, the ELBO's gap and its parts: as stored at
    build time for a featured image, else computed."""
    got = _stored(key[0], idx)
    if got is not None:
        return got[0]
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
    standard error over the groups (nan for one group) and the number of groups (nats;
    ``vae.likelihood.image_curve_stats``, seeded with the image's index): as stored at build
    time for a featured image, else computed."""
    got = _stored(key[0], idx)
    if got is not None:
        return got[1]
    x = loaders.test_images_float()[idx]
    return image_curve_stats(loaders.torch_model(key[0]), x, seed=idx)


def _stored(
    name: str, idx: int
) -> tuple[bound.ImageBound, dict[int, tuple[float, float, int]]] | None:
    """The numbers ``vae.build`` stored for a featured image, or None (not featured, or a
    ``cache/numbers`` file that is missing or unusable: then they are computed, as for any
    image)."""
    if idx not in FEATURED:
        return None
    try:
        return stored_numbers.featured(loaders.numbers(name), idx)
    except (CacheError, ValueError, KeyError):
        return None


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
