"""The Posterior spread lesson's per-model numbers: which test digits make a good pair.

A certain image A and an uncertain image B per VAE, chosen among 1,000 fixed test digits. Computing
them costs about a second of CPU per model (nearest codes, 1,600 decoded posterior samples and their
1-NN labels in pixel space), so they are computed once per server, in the background at start
(``ui.server.warmup``), and shared by every session: a model switch finds them ready.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from ui.lessons.posterior.claims import AGREE, VISIBLE_SD
from ui.page import loaders, model_calls
from ui.server import heavy_queue, warmup
from vae import neighbours, zoo
from vae.latent import posterior_samples

K_AGREE = 50  # neighbours whose labels pick the default pair (most and least agreeing code)
N_CANDIDATES = 50  # pairs "Another pair" steps through
N_LOOK = 32  # decoded samples per candidate B, whose agreement orders the candidates


@st.cache_data(
    show_spinner="Choosing a certain and an uncertain test digit for this model…",
    max_entries=len(zoo.names()),
)
def pairs(key: tuple[str, str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs for a model (``model_calls.model_key``), among 1,000 fixed test digits: A,
    ordered
    by how much the 50 nearest codes agree with the image's digit (most first; ties: the smaller
    mean sigma); B, the 50 codes in the most mixed neighbourhoods: first those whose 32 decoded
    samples differ visibly and split between digits, then by how much those samples agree on one
    digit (least first), which is what the page then shows.
    -> (1000,), (50,) test indices"""
    codes, labels, x_all = loaders.codes(key[0]), loaders.test_set()[1], loaders.test_images_float()
    sub = loaders.scatter_subset(1000)
    mu, lv = codes["mu"].astype(np.float64), codes["logvar"].astype(np.float64)
    own = neighbours.agreement(mu, labels, sub, K_AGREE)
    sigma = np.exp(0.5 * lv[sub]).mean(axis=1)
    _, purity = neighbours.vote(mu, labels, mu[sub], K_AGREE + 1)
    mixed = sub[np.argsort(purity, kind="stable")[:N_CANDIDATES]]
    z = np.concatenate([posterior_samples(mu[i], lv[i], N_LOOK, 0) for i in mixed])  # (50 * 32, d)
    imgs = model_calls.decode(key[0], z)  # (50 * 32, 28, 28)
    seen = neighbours.looks_like(imgs, x_all, labels, exclude=np.repeat(mixed, N_LOOK)).reshape(
        len(mixed), N_LOOK
    )  # one batch
    top = np.array([np.bincount(s).max() / N_LOOK for s in seen])
    # a label split means something only where the samples differ visibly (posterior_claims):
    # those first
    sd = imgs.reshape(len(mixed), N_LOOK, -1).std(axis=1).max(axis=1)
    shows = (sd >= VISIBLE_SD) & (top < AGREE)
    return sub[np.lexsort((sigma, -own))], mixed[np.lexsort((top, ~shows))]


def _warm() -> None:
    for name in zoo.names():
        if zoo.entry(name).model.kind == "vae" and loaders.built(name):
            pairs_in_turn(model_calls.model_key(name), lambda ahead: None)


warmup.register(_warm)


def pairs_in_turn(
    key: tuple[str, str, int], on_wait: Callable[[int], None]
) -> tuple[np.ndarray, np.ndarray]:
    """``pairs``, behind the server-wide queue (``ui.server.heavy_queue.call``) the first time this
    process asks."""
    return heavy_queue.call(pairs, key, on_wait=on_wait)


def shared_y(spec: dict, top: float = 1.0) -> dict:
    """A share chart's spec with its y axis fixed at 0 … ``top``: the lesson draws A's and B's
    side by side, and comparable charts share one scale (Vega would fit each to its tallest bar)."""
    enc = spec["encoding"]
    return {**spec, "encoding": {**enc, "y": {**enc["y"], "scale": {"domain": [0, top]}}}}
