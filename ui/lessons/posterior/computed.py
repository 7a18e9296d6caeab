"""What the Posterior spread lesson computes for one setting: an image's posterior (μ, σ, KL per
dimension), its samples decoded and what they look like by 1-NN, the pair's facts for the notices,
and the table of σ and KL per dimension.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons import words
from ui.lessons.posterior import claims
from ui.page import loaders, model_calls
from vae import neighbours, units
from vae.latent import posterior_samples
from vae.pixels import pixel_spread


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _posterior(key: model_calls.ModelKey, i: int, n: int, seed: int) -> dict:
    name = key[0]
    x_all, labels = loaders.test_images_float(), loaders.test_set()[1]
    mu, lv = (
        a[0].astype(np.float64) for a in model_calls.encode(name, x_all[i][None])
    )  # (d,) each
    z = posterior_samples(mu, lv, n, seed)  # (n, d)
    imgs = model_calls.decode(name, z)  # (n, 28, 28)
    mean_img, std_img = pixel_spread(imgs)  # (28, 28) each
    seen = neighbours.looks_like(imgs, x_all, labels, exclude=i)  # (n,)
    return {
        "i": i,
        "label": int(labels[i]),
        "mu": mu,
        "lv": lv,
        "sigma": np.exp(0.5 * lv),
        "z": z,
        "imgs": imgs,
        "mean": mean_img,
        "std": std_img,
        "shares": np.bincount(seen, minlength=10)[:10] / n,
        "recon": model_calls.decode(name, mu[None])[0],
        "kl": units.mean_kl_per_dim(mu[None], lv[None]),
    }


def posterior(name: str, i: int, n: int, seed: int) -> dict:
    """Test image i's posterior under model ``name``, n samples drawn by seed and decoded, and
    what they look like (the label of each sample's nearest test image, image i left out). Once
    per model and setting, shared by every session (each call gets its own copy): the 1-NN search
    and the decode were 0.1 s of every run of the page, a repeat view included."""
    return _posterior(model_calls.model_key(name), int(i), int(n), int(seed))


def pair_facts(post: dict[str, dict], n: int, gap: float) -> claims.PairFacts:
    """The notices' numbers for images "A" and "B" (``posterior``) and the model's typical gap."""
    facts = {
        t: claims.ImageFacts(
            t,
            p["label"],
            tuple(p["shares"]),
            tuple(p["sigma"]),
            tuple(p["mu"]),
            float(p["std"].max()),
        )
        for t, p in post.items()
    }
    return claims.PairFacts(facts["A"], facts["B"], n, gap)


def table(post: dict[str, dict], codes: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per dimension: each image's μ, σ and KL, and the spread of its digit's test codes."""
    d = codes.shape[1]
    return pd.DataFrame(
        {
            "dimension": [words.z(j) for j in range(d)],
            **{
                f"{t}: {c}": np.round(v, 3)
                for t, p in post.items()
                for c, v in (("μ", p["mu"]), ("σ", p["sigma"]), ("KL (nats)", p["kl"]))
            },
            **{
                f"spread of the {p['label']}s' means": np.round(
                    codes[labels == p["label"]].astype(np.float64).std(axis=0), 3
                )
                for p in post.values()
            },
        }
    )
