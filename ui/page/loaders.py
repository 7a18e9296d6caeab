"""Cached loading of ``cache/``: models, checkpoint facts, the test set, codes and embeddings,
loaded once per server with ``st.cache_resource`` and shared by every session.

Arrays are made read-only so no page can mutate the shared copy. A file in ``cache/`` that is
missing or broken stops only the page that needs it, with a message naming the file and the
command that rebuilds it. The training-budget sentences read the checkpoints too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import streamlit as st
from scipy.spatial import cKDTree

from ui.draw.style import MODEL_CACHE_ENTRIES, SCATTER_POINTS
from vae import artefacts, neighbours, zoo
from vae.artefacts import CacheError
from vae.checkpoint_file import stored_train_config
from vae.config import to_dict
from vae.numpy_model import ArrayModel

if TYPE_CHECKING:  # torch: loaded only by ``torch_model``
    from vae.models import Model


def try_info(name: str) -> dict[str, Any] | None:
    """A model's checkpoint metadata (``info``), or None when its checkpoint cannot be used."""
    try:
        return info(name)
    except CacheError:
        return None


# --- cached loading (shared by all sessions; never mutate what these return) --------------------


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def model(name: str) -> ArrayModel:
    """The pretrained model as a NumPy forward pass (``zoo.load_arrays``: the server never imports
    torch for it), loaded once per server and loaded (and checked) again when its checkpoint
    changed on disk (``artefacts.signature``): a rebuilt or edited file is never answered with the
    weights read before."""
    return _model(name, artefacts.signature(artefacts.checkpoint_path(name)))


@st.cache_resource(show_spinner="Loading a model…", max_entries=MODEL_CACHE_ENTRIES)
def _model(name: str, signature: tuple[int, ...]) -> ArrayModel:
    return zoo.load_arrays(name)


def torch_model(name: str) -> Model:
    """The pretrained model as a torch module (``zoo.load``), for the computations that need
    torch's random streams: the ELBO page's importance-weighted curve of an image that is not
    featured, and a held-out score when ``cache/numbers`` is unusable. The first call imports
    torch (about 200-500 MB for the server from then on); like ``model``, loaded again when the
    checkpoint changed."""
    return _torch_model(name, artefacts.signature(artefacts.checkpoint_path(name)))


@st.cache_resource(show_spinner="Loading a model…", max_entries=MODEL_CACHE_ENTRIES)
def _torch_model(name: str, signature: tuple[int, ...]) -> Model:
    import torch

    torch.set_num_threads(1)  # a page's tensors are small; see ui/__init__.py
    return zoo.load(name)


def budget_words(train_config: dict[str, Any] | None = None) -> str:
    """A training budget in words: a checkpoint's ``train_config``, or the registry's one budget."""
    t = train_config or to_dict(zoo.BUDGET)
    warm = int(t.get("kl_warmup", 0))
    return (
        f"{t['epochs']} epochs, batch {t['batch_size']}, Adam with learning rate {t['lr']:g} and "
        "cosine "
        f"decay, seed {t['seed']}"
        + (f", the KL weight rising from 0 over the first {warm} epochs" if warm else "")
    )


def train_configs(names: list[str]) -> dict[str, dict[str, Any]]:
    """The stored ``train_config`` of each usable checkpoint among ``names`` (unusable ones left
    out)."""
    out = {}
    for n in names:
        try:
            out[n] = to_dict(
                stored_train_config(info(n))
            )  # later fields filled: equal runs compare equal
        except CacheError:
            continue
    return out


def budget_note(names: list[str]) -> str:
    """One sentence on whether the models a view compares were trained alike (from their
    checkpoints)."""
    budgets = train_configs(names)
    if len(budgets) < 2:
        return ""
    first = next(iter(budgets.values()))
    if all(b == first for b in budgets.values()):
        who = " and ".join(budgets) if len(budgets) == 2 else "All of " + ", ".join(budgets)
        return f"{who} were trained alike: {budget_words(first)}."
    return (
        "Not trained alike: "
        + ", ".join(f"{n} {b['epochs']} epochs" for n, b in budgets.items())
        + "; part of any difference between them is training time."
    )


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def info(name: str) -> dict[str, Any]:
    return zoo.info(name)


@st.cache_resource(show_spinner=False)
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images (N, 28, 28) uint8 and labels (N,) int64, read-only."""
    images, labels = artefacts.load_test_set()
    return _readonly(images), _readonly(labels)


@st.cache_resource(show_spinner=False)
def test_images_float() -> np.ndarray:
    """The test images as float32 (N, 28, 28) in [0, 1], read-only."""
    return _readonly(test_set()[0].astype(np.float32) / 255.0)


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def codes(name: str) -> dict[str, np.ndarray]:
    """mu (N, d) [, logvar], recon (N,), kl (N,) of the test images under a model, read-only."""
    cfg = zoo.entry(name).model
    return {
        k: _readonly(v)
        for k, v in artefacts.load_codes(name, cfg.latent_dim, cfg.kind != "ae").items()
    }


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def numbers(name: str) -> dict[str, np.ndarray]:
    """A model's numbers computed at build time because they need torch (``vae.stored_numbers``),
    read-only (raises CacheError when the file is missing or broken)."""
    return {k: _readonly(v) for k, v in artefacts.load_numbers(name).items()}


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def embeddings(name: str) -> dict[str, np.ndarray]:
    return {
        k: _readonly(v)
        for k, v in artefacts.load_embeddings(name, zoo.entry(name).model.latent_dim).items()
    }


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_tree(name: str) -> cKDTree:
    """The KD-tree of a model's test codes (``neighbours.tree``), once per model and server, for
    every
    page and picture that asks which test code is nearest (raises CacheError if the codes are
    missing); queries do not change it."""
    return neighbours.tree(codes(name)["mu"])


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def scatter_subset(n: int = SCATTER_POINTS, seed: int = 0) -> np.ndarray:
    """A fixed, class-stratified subset of test indices for interactive scatters."""
    _, labels = test_set()
    rng = np.random.default_rng(seed)
    per = n // 10
    idx = np.concatenate(
        [rng.choice(np.flatnonzero(labels == k), per, replace=False) for k in range(10)]
    )
    return _readonly(np.sort(idx))


def built(name: str) -> bool:
    """Whether a model's checkpoint exists in cache/ (whether it is usable, loading tells)."""
    return artefacts.checkpoint_path(name).exists()


def models_where(pred: Callable[[zoo.Entry], bool]) -> list[str]:
    return [n for n in zoo.names() if pred(zoo.entry(n))]
