"""Model calls by name on arrays, cached per model and input and shared by every session: decoding
codes (mosaics and grids as 8-bit PNGs), encoding images (``vae.arrays`` on the cached models),
and the lessons' seeded prior draws (``vae.prior.samples``) with the numbers every page counts of
them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import altair_charts, png_figures, render
from ui.draw.style import GRID_CACHE_ENTRIES, MODEL_CACHE_ENTRIES
from ui.page import loaders
from vae import arrays, artefacts, latent, mosaic, neighbours, prior

tile = mosaic.tile  # pages call ui.tile


N_PRIOR_DRAWS = 2000  # seeded draws z ~ N(0, I) whose digit mix the lessons count
FAR_GAPS = 3.0  # typical gaps from every test code: a draw in empty space


def prior_draws(seed: int, n: int = N_PRIOR_DRAWS) -> np.ndarray:
    """The lessons' seeded draws z ~ N(0, I) of a 2-D latent (the same seed gives the same draws on
    every page). -> (n, 2)"""
    return prior.samples(n, 2, [seed, 1])


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def prior_draw_stats(name: str, seed: int) -> dict[str, Any]:
    """``latent.prior_draws_vs_codes`` of ``prior_draws(seed)`` among a 2-D model's test codes (the
    same numbers), once per model and seed, with the model's KD-tree and spacing built once per
    model
    (``code_tree``, ``model_facts.code_spacing``) rather than once per seed (raises CacheError if
    the
    codes are missing)."""
    from ui.lessons.model_facts import code_spacing  # (ui.lessons.model_facts imports this module)

    gap = code_spacing(name, 1)
    labels = loaders.test_set()[1]
    dist, idx = neighbours.nearest_one_in(loaders.code_tree(name), prior_draws(seed))
    mix = np.bincount(labels[idx], minlength=10)[:10] / len(idx)
    gaps = dist / max(gap, 1e-12)
    return {
        "mix": mix,
        "tv": latent.total_variation(mix, np.bincount(labels, minlength=10)[:10] / len(labels)),
        "gaps": gaps,
        "far": float((gaps > FAR_GAPS).mean()),
    }


# --- model calls -------------------------------------------------------------------------------


ModelKey = tuple[str, str, tuple[int, ...]]  # a model name, its checkpoint path and signature


def model_key(name: str) -> ModelKey:
    """Identifies a model's weights on disk (name, checkpoint path, ``artefacts.signature``), for
    cache keys of figures decoded from it: a rebuilt or edited checkpoint gets new figures."""
    path = artefacts.checkpoint_path(name)
    return name, str(path), artefacts.signature(path)


SMALL_DECODE = 100  # codes: a decode of at most this many is kept (LRU, MODEL_CACHE_ENTRIES)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _small_decode(key: ModelKey, z: np.ndarray, y: np.ndarray | None) -> np.ndarray:
    return arrays.decode(loaders.model(key[0]), z, y, batch=None)


def decode(name: str, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """Decode codes (M, d) -> images (M, 28, 28) float32 in [0, 1], in one model call (the numbers
    the cached pictures were drawn with).

    A small decode (``SMALL_DECODE`` codes at most: a seed's draws, a pair's samples, one code) is
    kept per model and input and shared by every session, each call getting its own copy: pages
    decode the same few codes on every run (a repeat view, another control moved), 5-10 ms each
    time. At most ``MODEL_CACHE_ENTRIES`` x 100 x 3 kB = 20 MB."""
    if len(z) <= SMALL_DECODE:
        return _small_decode(model_key(name), np.asarray(z), None if y is None else np.asarray(y))
    return arrays.decode(loaders.model(name), z, y, batch=None)


def subset_codes_frame(key: ModelKey) -> pd.DataFrame:
    """The scatter rows (``altair_charts.codes_frame``) of the model's test codes μ at the fixed
    ``loaders.scatter_subset``: a ``render.lazy`` input of the pages' code maps, so that a repeat
    run neither builds the frame nor hashes it (raises CacheError if the codes are missing)."""
    sub = loaders.scatter_subset()
    mu = np.asarray(loaders.codes(key[0])["mu"])
    return altair_charts.codes_frame(mu[sub], loaders.test_set()[1][sub], sub)


def subset_codes(name: str) -> render.Lazy:
    """``subset_codes_frame`` of model ``name`` as a lazy chart input."""
    return render.lazy(subset_codes_frame, model_key(name))


def decoded(key: ModelKey, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """``decode`` for the model ``key`` (``model_key``) names: a ``render.lazy`` input of figures,
    so that a rebuilt checkpoint gets new figures. -> (M, 28, 28)"""
    return decode(key[0], z, y)


def decoded_mosaic_png(
    name: str,
    z: np.ndarray,
    nrows: int,
    ncols: int,
    y: np.ndarray | None = None,
    **figure_kwargs: Any,
) -> bytes:
    """PNG of the decoder's images at codes z (M, d) as a mosaic, decoded and drawn once per input
    (decoded only on a cache miss, outside the drawing lock)."""
    return render.png(
        png_figures.mosaic_figure, lazy_decoded(name, z, y), nrows, ncols, **figure_kwargs
    )


def lazy_decoded(name: str, z: np.ndarray, y: np.ndarray | None = None) -> render.Lazy:
    """The decoder's images at codes z (M, d) as a ``render.png`` argument: decoded only on a
    cache miss, and keyed by the model and the codes, not by the decoded floats (a background
    thread's decode may differ in the last bit, and its figure would then never be found)."""
    return render.lazy(
        decoded,
        model_key(name),
        np.asarray(z, dtype=np.float32),
        None if y is None else np.asarray(y),
    )


@st.cache_data(max_entries=GRID_CACHE_ENTRIES, show_spinner=False)
def _decoded_grid_png(key: ModelKey, xs: np.ndarray, ys: np.ndarray) -> bytes:
    return mosaic.mosaic_png(
        decode(key[0], latent.grid_2d(xs, ys)), len(xs)
    )  # (n * n, 28, 28) decoded


def grid_png(name: str, xs: np.ndarray, ys: np.ndarray) -> bytes:
    """8-bit PNG (``vae.mosaic.mosaic_png``) of a 2-D model's images decoded at the grid
    ``latent.grid_2d(xs, ys)``, decoded once per input and kept (LRU), shared by every session."""
    return _decoded_grid_png(
        model_key(name), np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    )


def encode(
    name: str, images: np.ndarray, y: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Images (M, 28, 28) float in [0, 1] -> (mu (M, d), logvar (M, d) or None for an AE), in one
    model call."""
    return arrays.encode(loaders.model(name), images, y, batch=None)
