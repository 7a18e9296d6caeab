"""Digit prototypes (pages/04_Prototypes.py): what the page shows that depends on the model alone,
the
sampled prototypes of a seed, the traversals' images and the activation table, each computed once
per server and input (``st.cache_data``, keyed by small values: ``ui.page.model_calls.model_key``
and numbers)
and shared by every session. What depends on the model alone is computed for every model the page
offers by the server's start-up warm-up (``ui.server.warmup``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.page import loaders, model_calls
from ui.server import warmup
from vae import latent, pixels, units, zoo


def offered_models() -> list[str]:
    """The models the page offers: the VAEs with at least 3 latent dimensions, by size then β."""
    names = loaders.models_where(lambda e: e.model.kind == "vae" and e.model.latent_dim >= 3)
    return sorted(names, key=lambda n: (zoo.entry(n).model.latent_dim, zoo.entry(n).model.beta))


@st.cache_resource(show_spinner=False)
def pixel_average() -> np.ndarray:
    """The pixel average of each digit's test images, once per server. -> (10, 28, 28)"""
    images_f, labels = loaders.test_images_float(), loaders.test_set()[1]
    return latent.prototypes(images_f.reshape(len(images_f), -1), labels).reshape(10, 28, 28)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def model_view(key: tuple[str, str, int]) -> dict:
    """Everything the page shows that depends on the model alone (``model_calls.model_key``), once
    per server."""
    name = key[0]
    c, labels, images_f = loaders.codes(name), loaders.test_set()[1], loaders.test_images_float()
    mu, logvar = c["mu"], c["logvar"]  # (N, d) each, read-only
    proto_mu = latent.prototypes(mu, labels)  # (10, d)
    med_idx = latent.medoids(mu, labels, proto_mu)  # (10,)
    decoded = model_calls.decode(name, proto_mu)  # (10, 28, 28)
    med_recon = model_calls.decode(name, np.ascontiguousarray(mu[med_idx]))  # (10, 28, 28)
    var_mu, active = units.activity(mu)
    pixel_avg = pixel_average()
    return {
        "proto_mu": proto_mu,
        "med_idx": med_idx,
        "decoded": decoded,
        "med_recon": med_recon,
        "grey": tuple(
            float(pixels.grey_ink_share(a).mean()) for a in (pixel_avg, decoded, med_recon)
        ),
        "g_med": float(pixels.grey_ink_share(images_f[med_idx]).mean()),
        "n_sharper": int((pixels.grey_ink_share(pixel_avg) > pixels.grey_ink_share(decoded)).sum()),
        "var_mu": var_mu,
        "active": active,
        "kl": units.mean_kl_per_dim(mu, logvar),  # (d,) nats
        "se": latent.prototype_standard_error(logvar, labels),
    }  # (10, d)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def sampled_prototypes(key: tuple[str, str, int], seed: int) -> np.ndarray:
    """The prototypes of one sampled z per test image (``latent.sampled_codes``). -> (10, d)"""
    c = loaders.codes(key[0])
    return latent.prototypes(
        latent.sampled_codes(c["mu"], c["logvar"], seed), loaders.test_set()[1]
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def traversal_images(
    key: tuple[str, str, int],
    base: tuple[float, ...],
    values: tuple[float, ...],
    order: tuple[int, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """The traversals' decoded images (d * S, 28, 28) and each row's change
    (``pixels.sweep_change``)."""
    imgs = model_calls.decode(
        key[0], latent.traversal(np.asarray(base), np.asarray(values), list(order))
    )
    return imgs, pixels.sweep_change(imgs.reshape(len(order), len(values), 28, 28))


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def activation_table(key: tuple[str, str, int], digit: int | None) -> pd.DataFrame:
    """``units.activation_table`` of a model's test codes (all digits or one)."""
    c = loaders.codes(key[0])
    return units.activation_table(c["mu"], c["logvar"], loaders.test_set()[1], digit)


def _warm() -> None:
    """Warm-up job: each offered model's ``model_view``, its activation table of all digits and its
    sampled prototypes at the page's default seed (0), so that a model switch finds them cached: a
    model nobody had opened cost its student about 0.1 s more (decoding, the table's statistics)."""
    for name in offered_models():
        if loaders.built(name):
            key = model_calls.model_key(name)
            model_view(key)
            activation_table(key, None)
            sampled_prototypes(key, 0)


warmup.register(_warm)
