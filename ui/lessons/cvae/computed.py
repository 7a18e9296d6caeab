"""Conditional VAE (pages/10_Conditional_VAE.py): the decoder's images per digit and grid size, the
style grid's images per seed, both maps' k-NN digit accuracy and the style survey of "what to
notice", each computed once per server and input (``st.cache_data``, keyed by small values:
``ui.page.model_calls.model_key``, names and numbers) and shared by every session; the codes map's
spec builder, the picked image's cross a slot filled per run.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw import altair_charts
from ui.draw.style import LATENT_RANGE, MODEL_CACHE_ENTRIES, PPF_P_DEFAULT
from ui.page import loaders, model_calls
from vae import latent, neighbours, pixels, prior


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def manifold(key: tuple[str, str, int], digit: int, n: int) -> tuple[np.ndarray, dict, float]:
    """The decoder's images of ``digit`` on the n x n ppf grid, the stroke measures' correlations
    with z1 and z2, and the share of tiles whose nearest test image is that digit."""
    grid = latent.grid_2d(
        *(latent.ppf_axis(n, PPF_P_DEFAULT),) * 2
    )  # (n * n, 2), row-major from the top left
    imgs = model_calls.decode(key[0], grid, np.full(len(grid), digit))  # (n * n, 28, 28)
    measures = {
        "slant (leans right, like /)": pixels.slant(imgs),
        "width (px, slant taken out)": pixels.width(imgs),
        "ink (mean brightness: thicker or bigger strokes)": pixels.ink(imgs),
    }
    r = {
        k: pixels.axis_correlations(v, grid) for k, v in measures.items()
    }  # (2,) each: with z1, z2
    return (
        imgs,
        r,
        float(
            (
                neighbours.looks_like(imgs, loaders.test_images_float(), loaders.test_set()[1])
                == digit
            ).mean()
        ),
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def styles(key: tuple[str, str, int], seed: int, n: int) -> np.ndarray:
    """n seeded codes z ~ N(0, I), each decoded with all ten labels. -> (n, 10, 28, 28)"""
    z = prior.samples(n, 2, seed)  # (n, 2): view.style_grid labels its rows with the same z
    return model_calls.decode(key[0], np.repeat(z, 10, axis=0), np.tile(np.arange(10), n)).reshape(
        n, 10, 28, 28
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def knn_scores(names: tuple[str, ...], k: int) -> dict[str, float]:
    """Leave-one-out k-NN digit accuracy of each model's 2-D codes on the scatter subset."""
    _, lab = loaders.test_set()
    s = loaders.scatter_subset()
    return {
        name: neighbours.knn_accuracy(loaders.codes(name)["mu"][s], lab[s], k=k) for name in names
    }


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def style_survey(name: str, n: int, seed: int) -> dict[str, float]:
    """Share of slant / ink variation explained by z and by the digit over n random codes x 10
    digits; the share of the decoded images that look like their label; the digits of least and
    most ink. The keys are ``ui.lessons.cvae.claims.CvaeFacts``'s fields."""
    z = prior.samples(n, 2, seed)  # (n, 2)
    imgs = model_calls.decode(
        name, np.repeat(z, 10, axis=0), np.tile(np.arange(10), n)
    )  # (10 n, 28, 28)
    s_row, s_col = pixels.row_share(pixels.slant(imgs).reshape(n, 10))
    ink_table = pixels.ink(imgs).reshape(n, 10)
    i_row, i_col = pixels.row_share(ink_table)
    test_images, test_labels = loaders.test_images_float(), loaders.test_set()[1]
    match = float(
        (neighbours.looks_like(imgs, test_images, test_labels) == np.tile(np.arange(10), n)).mean()
    )
    return {
        "slant_z": s_row,
        "slant_digit": s_col,
        "ink_z": i_row,
        "ink_digit": i_col,
        "label_match": match,
        "least_ink": int(ink_table.mean(axis=0).argmin()),
        "most_ink": int(ink_table.mean(axis=0).argmax()),
    }


def code_map(key: model_calls.ModelKey, title: str, select: str | None):
    """A model's map of the scatter subset's codes, the picked image's cross a slot
    (``altair_charts.SLOT``)."""
    return altair_charts.landing_chart(
        model_calls.subset_codes_frame(key),
        None,
        altair_charts.SLOT,
        None,
        (LATENT_RANGE, LATENT_RANGE),
        "z₁",
        "z₂",
        title,
        side=330,
        select=select,
        legend=select is not None,
    )
