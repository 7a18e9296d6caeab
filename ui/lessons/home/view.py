"""The home page (streamlit_app.py): its opening picture, an autoencoder's code map beside a
VAE's decoded manifold.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw import alt_text, altair_charts, render
from ui.page import loaders, model_calls
from vae import latent
from vae.artefacts import CacheError

HERO_PX = 330  # side of the opening code map, CSS pixels
HERO_N = 15  # tiles per side of the opening manifold


def hero() -> bool:
    """The opening picture: the AE's code map beside the VAE's decoded manifold; whether it was
    drawn (skipped, with a message, when their files are missing: the rest of the home page still
    works)."""
    try:
        ae_mu = np.asarray(loaders.codes("ae-2d")["mu"], dtype=np.float64)  # (N, 2)
        labels = loaders.test_set()[1]
        loaders.model("vae-2d")
    except CacheError as exc:
        st.warning(
            f"The opening picture needs `{exc.path.name}`, which {exc.problem}; rebuild it with "
            f"`{exc.rebuild}`. The lessons below still list every page.",
            icon=":material/build:",
        )
        return False
    sub = loaders.scatter_subset()
    left, right = st.columns(2)
    with left:
        render.draw(
            render.spec(
                altair_charts.landing_chart,
                altair_charts.codes_frame(ae_mu[sub], labels[sub], sub),
                None,
                None,
                None,
                altair_charts.square_domains(ae_mu[sub]),
                "z₁",
                "z₂",
                f"An autoencoder's codes of {len(sub):,} test digits",
                side=HERO_PX,
            ),
            key="home_codes",
            width="content",
            alt=alt_text.scatter(
                f"Where an autoencoder (ae-2d) puts {len(sub):,} test digits in its 2-D code",
                ae_mu[sub],
                labels[sub],
            ),
        )
    axis = latent.ppf_axis(HERO_N)
    render.show(
        model_calls.decoded_mosaic_png(
            "vae-2d",
            latent.grid_2d(axis, axis),
            HERO_N,
            HERO_N,
            xs=axis,
            ys=axis,
            xlabel="z₁",
            ylabel="z₂",
            title="A VAE's decoder on a grid of codes over its prior",
            size=4.6,
        ),
        right,
        alt=alt_text.grid("vae-2d", axis, axis, " spread over its prior N(0, I) (a ppf grid)"),
    )
    return True
