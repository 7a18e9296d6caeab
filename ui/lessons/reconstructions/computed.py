"""Reconstructions (pages/06_Reconstructions.py): the test digits on screen through each model
(reconstructions, losses, excess losses), the digit each reconstruction looks like, and each
model's kept-digit rate over fixed test digits, each computed once per server and input
(``st.cache_data``, keyed by small values: ``ui.page.model_calls.model_key`` and indices) and
shared by every session; and the numbers the notices quote (``recon_facts``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons.reconstructions import claims
from ui.page import loaders, model_calls
from vae import arrays, neighbours, zoo
from vae.pixels import image_entropy

N_RATE = (
    1000  # the fixed, stratified test digits over which each model's kept-digit rate is counted
)


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def through(
    key: tuple[str, str, int], idx: tuple[int, ...], seed: int | None = None
) -> dict[str, np.ndarray]:
    """The test digits ``idx`` through one model (at z = mu, or one seeded sample): reconstructions,
    losses and excess losses."""
    i = np.array(idx)
    x, y = loaders.test_images_float()[i], loaders.test_set()[1][i]
    recon, loss = arrays.reconstruct(loaders.model(key[0]), x, y, seed=seed)
    return {"recon": recon, "loss": loss, "excess": loss - image_entropy(x)}


@st.cache_data(show_spinner=False, max_entries=32)
def looked(keys: tuple[tuple[str, str, int], ...], idx: tuple[int, ...]) -> np.ndarray:
    """The digit each model's reconstruction (at z = mu) of the test digits ``idx`` looks like, its
    own original left out: one 1-NN search for all models. -> (models, digits)"""
    recon = np.concatenate([through(k, idx)["recon"] for k in keys])  # (models * n, 28, 28)
    seen = neighbours.looks_like(
        recon, loaders.test_images_float(), loaders.test_set()[1], exclude=np.tile(idx, len(keys))
    )
    return seen.reshape(len(keys), len(idx))


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def kept_rate(key: tuple[str, str, int]) -> float:
    """Share of N_RATE fixed test digits (100 per digit) whose reconstruction still looks like its
    digit: once per model and server."""
    sub, x_all, labels = (
        loaders.scatter_subset(N_RATE),
        loaders.test_images_float(),
        loaders.test_set()[1],
    )
    recon, _ = arrays.reconstruct(loaders.model(key[0]), x_all[sub], labels[sub])
    return float((neighbours.looks_like(recon, x_all, labels, exclude=sub) == labels[sub]).mean())


@st.cache_data(show_spinner=False, max_entries=1)
def rule_rate() -> float:
    """Share of the same N_RATE originals that the 1-NN rule reads as their own digit: its
    ceiling."""
    sub = loaders.scatter_subset(N_RATE)
    x_all, labels = loaders.test_images_float(), loaders.test_set()[1]
    return float(
        (neighbours.looks_like(x_all[sub], x_all, labels, exclude=sub) == labels[sub]).mean()
    )


def results(names: list[str], idx: np.ndarray, y: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per model (in ``names``' order): ``through``'s arrays of the digits ``idx`` (labels ``y``),
    the digit each reconstruction looks like ("seen") and whether that is its own ("kept")."""
    keys, idx_key = tuple(model_calls.model_key(n) for n in names), tuple(int(i) for i in idx)
    seen_all = looked(keys, idx_key)  # (models, n)
    return {
        n: {**through(k, idx_key), "seen": s, "kept": s == y}
        for n, k, s in zip(names, keys, seen_all)
    }


def sample_facts(name: str, idx: np.ndarray, seed: int, loss_mu: float) -> claims.SampleFacts:
    """One seeded sample z against z = μ (mean loss ``loss_mu``) for the VAE ``name`` over the
    digits ``idx``; their mean posterior σ only where the notice quotes it."""
    key, idx_key = model_calls.model_key(name), tuple(int(i) for i in idx)
    at_sample = through(key, idx_key, seed=seed)["loss"]  # (n,) nats per digit
    one = float(at_sample.mean())
    equal = claims.as_good_as_equal(one, loss_mu)
    sigma = (
        float(np.exp(0.5 * loaders.codes(name)["logvar"][idx]).mean())
        if equal
        else None  # the codes file is read only for the sentence that quotes it
    )
    # how far the sample moves each digit's loss (tells "almost μ" from "costs and savings cancel")
    moved = float(np.abs(at_sample - through(key, idx_key)["loss"]).mean()) if equal else None
    return claims.SampleFacts(name, one, loss_mu, sigma, moved)


def recon_facts(
    names: list[str], idx: np.ndarray, res: dict[str, dict[str, np.ndarray]], seed: int
) -> claims.ReconFacts:
    """The notices' numbers: the kept-digit rates (once per model and server), the changes and
    mean excess losses of ``results`` over the digits ``idx``, one sample against μ for the last
    VAE chosen."""
    vaes = [n for n in names if zoo.entry(n).model.kind == "vae"]
    return claims.ReconFacts(
        models=tuple(names),
        dims=tuple(zoo.entry(n).model.latent_dim for n in names),
        n_rate=N_RATE,
        rates=tuple(kept_rate(model_calls.model_key(n)) for n in names),
        rule_rate=rule_rate(),
        n_shown=len(idx),
        changed=tuple(int((~res[n]["kept"]).sum()) for n in names),
        mean_excess=tuple(float(res[n]["excess"].mean()) for n in names),
        sample=(
            sample_facts(vaes[-1], idx, seed, float(res[vaes[-1]]["loss"].mean())) if vaes else None
        ),
    )
