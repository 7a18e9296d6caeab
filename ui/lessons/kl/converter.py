"""The loss-convention converter of KL weighting: a KL weight w of an *averaged* loss (per pixel,
per latent dimension, as many tutorials write it) as the β of this app's per-image *summed* loss,
β = w · P / d (``vae.units.equivalent_beta``)."""

from __future__ import annotations

import streamlit as st

from ui.lessons.kl import claims
from vae import units


@st.fragment
def converter(key: str) -> None:
    """The converter, its widgets keyed `{key}_conv_…`; a fragment, so typing reruns only it."""
    st.markdown(
        "Here both terms are **summed** per image (784 pixels, d latent dimensions). Many "
        "tutorials instead "
        "**average** them, and then a 'KL weight' w means something else. Multiplying an averaged "
        "loss by the pixel count P does not move its minimum, so:"
    )
    st.latex(
        r"\frac{1}{P}\sum_{j=1}^{P}\mathrm{BCE}_j + w\,\frac{1}{d}\sum_{i=1}^{d}\mathrm{KL}_i"
        r"\;\;\propto\;\;\sum_{j=1}^{P}\mathrm{BCE}_j + "
        r"\underbrace{w\,\frac{P}{d}}_{\beta}\;\sum_{i=1}^{d}\mathrm{KL}_i"
    )
    c1, c2, c3 = st.columns(3)
    w = c1.number_input(
        "KL weight w (averaged convention)",
        min_value=0.0,
        max_value=1e6,
        value=0.01,
        step=0.001,
        format="%g",
        key=f"{key}_conv_weight",
    )
    p = int(
        c2.number_input(
            "pixels averaged over, P",
            min_value=1,
            max_value=1_000_000,
            value=784,
            step=1,
            key=f"{key}_conv_pixels",
        )
    )
    d = int(
        c3.number_input(
            "latent dimensions averaged over, d",
            min_value=1,
            max_value=4096,
            value=2,
            step=1,
            key=f"{key}_conv_dims",
        )
    )
    try:
        b_eq = units.equivalent_beta(float(w), p, d)
    except ValueError as exc:
        st.warning(f"Cannot convert: {exc}.")
        return
    latex, text = claims.converter_text(float(w), p, d, b_eq)  # every number and verdict checked
    st.latex(latex)
    st.markdown(text)
