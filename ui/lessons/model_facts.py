"""Per-model numbers of the Latent size, Interpolation, Latent explorer and Embeddings lessons,
computed
once per server.

Each costs one to two seconds of CPU the first time a model is asked for (16,000 decoded images for
the top-k curve; every test code's 25th neighbour for the spacing of a 32-D model), the same for
every student. They are warmed in the background at the server's start (``ui.server.warmup``), so
that a
student's model switch finds them ready.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons import ladders
from ui.lessons.embeddings import claims
from ui.page import loaders, model_calls
from ui.server import warmup
from vae import artefacts, embed, neighbours, units, zoo
from vae.losses import bce_per_image

N_TOPK = 500  # fixed test digits of the top-k curve
TOPK_SIZES = (32, 20)  # the large VAEs whose codes the Latent size lesson cuts down
SPACING_K = 25  # neighbours asked along an interpolation path


def size_name(d: int) -> str:
    """The plain (beta = 1) VAE with d latent dimensions, "vae-{d}d"."""
    return zoo.beta_name(d, 1.0)


@st.cache_data(show_spinner=False, max_entries=len(TOPK_SIZES))
def keep_top_curve(name: str) -> np.ndarray:
    """Mean reconstruction loss (nats, at z = mu) of N_TOPK fixed test digits when only the top k
    dimensions by KL are kept, for k = 1 .. d. -> (d,)"""
    sub = loaders.scatter_subset(N_TOPK)
    x = loaders.test_images_float()[sub]
    mu = loaders.codes(name)["mu"][sub]
    order = np.argsort(-ladders.mean_kl_of_model(name), kind="stable")
    return np.array(
        [
            float(bce_per_image(model_calls.decode(name, units.keep_top(mu, order, k)), x).mean())
            for k in range(1, mu.shape[1] + 1)
        ]
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_spacing(name: str, k: int) -> float:
    """Median distance from a test code to its k-th nearest other test code (the model's own units);
    exact, by a KD-tree up to 10-D and by brute force above (where a KD-tree is slower: 1.7 s
    instead of 4.4 s for 32-D)."""
    mu = loaders.codes(name)["mu"]
    return (
        neighbours.spacing(mu, k)
        if mu.shape[1] <= 10
        else neighbours.spacing_sample(mu, k, np.arange(len(mu)))
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def variance_facts(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Embeddings lesson's per-model numbers: Var(μ) and E[σ²] per dimension
    (``units.variance_budget``;
    no σ for an AE) and PC1's turns over bootstrap resamples (``embed.pc_angles_cov``)."""
    c = loaders.codes(name)
    var_mu, mean_s2 = units.variance_budget(
        c["mu"], None if zoo.entry(name).model.kind == "ae" else c["logvar"]
    )
    return var_mu, mean_s2, embed.pc_angles_cov(c["mu"])


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def map_facts(name: str) -> claims.MapFacts:
    """The Embeddings lesson's numbers of one model and its maps (``claims.facts_from``):
    the exact neighbour overlap of every test code on every map costs about a second, once per
    server."""
    c = loaders.codes(name)
    return claims.facts_from(
        loaders.embeddings(name),
        c["mu"],
        None if zoo.entry(name).model.kind == "ae" else c["logvar"],
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_scale(name: str) -> tuple[float, np.ndarray, np.ndarray]:
    """The Latent explorer's per-model numbers: the typical gap between neighbouring test codes
    (median nearest-neighbour distance, ``code_spacing(name, 1)``), and the test codes' principal
    axes (mean (d,), components (d, d)) for the map of a code with more than 2 dimensions."""
    mean, comps, _ = embed.principal_axes(loaders.codes(name)["mu"])
    return code_spacing(name, 1), mean, comps


def _warm() -> None:
    for d in TOPK_SIZES:
        if loaders.built(size_name(d)):
            keep_top_curve(size_name(d))
    for name in zoo.names():
        if zoo.entry(name).model.kind != "cvae" and loaders.built(name):
            code_spacing(name, SPACING_K)
            code_scale(name)
    for name in zoo.names():
        if loaders.built(name) and artefacts.embeddings_path(name).exists():
            variance_facts(name)
            map_facts(name)


warmup.register(_warm)
