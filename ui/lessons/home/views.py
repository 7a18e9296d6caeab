"""The home page (streamlit_app.py): its opening picture, an autoencoder's code map beside a
VAE's decoded manifold.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.lessons import model_facts
from ui.lessons.home import claims
from ui.lessons.words import a_digit
from ui.page import loaders, model_calls
from vae import latent, neighbours
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
                model_calls.subset_codes("ae-2d"),
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
            column_px=style.column_px(0.5, 2),
        ),
        right,
        alt=alt_text.grid("vae-2d", axis, axis, " spread over its prior N(0, I) (a ppf grid)"),
    )
    return True


EXP_AXIS = tuple(float(v) for v in np.round(np.arange(-4.0, 4.01, 0.5), 1))  # the sliders' stops
EXP_MODELS = ("ae-2d", "vae-2d")


def code_facts(z1: float, z2: float) -> claims.CodeFacts:
    """Where (z1, z2) lies among each model's test codes, in each model's own typical gap (raises
    CacheError if a model's codes are missing)."""
    z = np.array([[z1, z2]])
    labels = loaders.test_set()[1]
    out = {}
    for name in EXP_MODELS:
        dist, idx = neighbours.nearest_one_in(loaders.code_tree(name), z)
        out[name] = (
            float(dist[0]) / max(model_facts.code_spacing(name, 1), 1e-12),
            int(labels[idx[0]]),
        )
    return claims.CodeFacts((z1, z2), *out["ae-2d"], *out["vae-2d"])


def experiment(z1: float, z2: float) -> None:
    """One code, two decoders: the image ae-2d and vae-2d each draw at (z1, z2), and where that
    code lies among each model's test codes."""
    try:
        images = np.stack([model_calls.decode(n, np.array([[z1, z2]]))[0] for n in EXP_MODELS])
        facts = code_facts(z1, z2)
    except CacheError as exc:
        st.warning(
            f"This needs `{exc.path.name}`, which {exc.problem}; rebuild it with `{exc.rebuild}`."
        )
        return
    looks = alt_text.looks_like(images)  # (2,) digits, for the text alternative
    left, right = st.columns([1, 2], vertical_alignment="center")
    render.show(
        render.png(png_figures.image_strip, images, list(EXP_MODELS), "", 1.4, fontsize=11),
        left,
        natural=True,
        alt=f"What ae-2d (left) and vae-2d (right) decode at the code ({z1:g}, {z2:g}): the first "
        f"looks most like {a_digit(looks[0])}, the second like {a_digit(looks[1])} (the "
        "nearest test image in pixels).",
    )
    right.markdown(claims.code_sentence(facts))
