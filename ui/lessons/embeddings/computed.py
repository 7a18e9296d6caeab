"""Embeddings (pages/05_Embeddings.py): what the lesson computes once per server and shares with
every session: the KD-trees of one model's 10-D codes and of each of its 2-D maps
(``st.cache_resource``), each map's points as sent to the browser (``st.cache_data``, Arrow), and
each map's two quality scores read from its embeddings file.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st

from ui.draw import altair_charts
from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.page import loaders
from vae import neighbours

METHODS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}  # the three maps, as the page names them
KNOBS = {  # t-SNE's other maps: the perplexities and the seed
    "tsne_p5": "perplexity 5",
    "tsne": "perplexity 30",
    "tsne_p100": "perplexity 100",
    "tsne_seed1": "30, seed 1",
}


def offered_models() -> list[str]:
    """The models the lesson offers: the 10-D VAEs and AE (whose maps ``vae.build`` makes)."""
    return loaders.models_where(
        lambda e: e.model.latent_dim == 10 and e.model.kind in ("vae", "ae")
    )


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def trees(name: str) -> dict:
    """KD-trees of the 10-D codes ("mu") and of every 2-D map of one model, once per server."""
    e = loaders.embeddings(name)
    return {
        "mu": neighbours.tree(loaders.codes(name)["mu"]),
        **{m: neighbours.tree(e[m]) for m in (*METHODS, *KNOBS) if m in e},
    }


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def points(name: str, m: str) -> bytes:
    """The fixed subset's rows of one map as sent (Arrow), once per map."""
    subset, labels = loaders.scatter_subset(), loaders.test_set()[1]
    return altair_charts.points_arrow(loaders.embeddings(name)[m][subset], labels[subset], subset)


def quality(emb: Mapping[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    """Each map's (trustworthiness, 5-NN accuracy), a random map's ("random") where built."""
    return {
        m: (float(emb[f"{m}_trustworthiness"]), float(emb[f"{m}_knn_accuracy"]))
        for m in (*METHODS, *KNOBS, "random")
        if f"{m}_trustworthiness" in emb
    }
