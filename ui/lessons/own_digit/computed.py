"""What *Your own digit* computes once per server or per model and shares between sessions: the
"Try these" pictures and each test digit's ink (the same for every model), the pictures' negative
ELBO under a model, and the test digits' negative ELBO with its percentiles by digit; and, per
picture, its score among the test digits with about as much ink.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.page import loaders
from vae import arrays, ood, pixels


@st.cache_data(show_spinner=False, max_entries=1)
def server_constants() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The "Try these" images and each test digit's ink (``vae.pixels.ink``): the same for every
    model."""
    return ood.probe_images(loaders.test_images_float()), pixels.ink(loaders.test_images_float())


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def probe_row(key: tuple[str, str, int]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The "Try these" images and their negative ELBO under the model ``key`` names."""
    probes = server_constants()[0]
    terms = arrays.image_terms(loaders.model(key[0]), np.stack(list(probes.values())))
    return probes, terms["elbo"]


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def test_scores(key: tuple[str, str, int]) -> tuple[np.ndarray, pd.DataFrame]:
    """The test digits' negative ELBO under the model ``key`` names (N,), and its percentiles by
    digit."""
    codes, labels = loaders.codes(key[0]), loaders.test_set()[1]
    elbo = np.asarray(codes["recon"], dtype=np.float64) + np.asarray(codes["kl"], dtype=np.float64)
    return elbo, pd.DataFrame(
        [
            {
                "digit": d,
                **{
                    f"p{q}": float(np.percentile(elbo[labels == d], q)) for q in (5, 25, 50, 75, 95)
                },
            }
            for d in range(10)
        ]
    )


def ink_percentile(test_elbo: np.ndarray, x: np.ndarray, elbo: float) -> tuple[int, float | None]:
    """How many test digits have about as much ink as the picture x (28, 28) (``vae.ood``), and
    the % of them scoring at most ``elbo``; None when there are too few to compare with."""
    matched = ood.ink_matched(server_constants()[1], float(pixels.ink(x[None])[0]))
    pct = ood.percentile_of(test_elbo[matched], elbo) if len(matched) >= ood.MIN_MATCHED else None
    return len(matched), pct
