"""A code set by hand (Latent explorer): one slider per dimension, a clickable latent pad for 2-D
models, starting points (the origin, a digit prototype, a random test code) and the code in the
link (``?lex_z=...``). The state lives in ``st.session_state`` under keys ``lex_*``: ``lex_z{i}``
the
sliders, ``lex_exact`` a clicked or linked code the 0.1-step sliders cannot hold exactly, and
``lex_need_apply`` a request to put the sliders at the starting point before they are drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, render
from ui.draw.style import LATENT_RANGE, MODEL_CACHE_ENTRIES, SLIDER_RANGE, SLIDER_STEP
from ui.lessons.explorer import claims as explorer_claims
from ui.lessons.explorer.claims import Wording
from ui.lessons.words import a_digit
from ui.page import link_values, loaders
from ui.page.link_values import to_slider
from vae.latent import prototypes

HERE = pd.DataFrame(
    {"x": [0.0], "y": [0.0], "what": ["z"]}
)  # the marker's rows: one point, labelled


def from_link(keys: list[str], name: str, d: int, half: float = LATENT_RANGE[1]) -> None:
    """On the first visit the code comes from the link (?lex_z=...), if it fits this model (within
    +-half: a 2-D model's pad reaches its codes, so a clicked code shared by link loads again); a
    code that does not is said once (``lex_z_notice``) and the explorer starts from the origin."""
    ss = st.session_state
    lo, hi = min(LATENT_RANGE[0], -half), max(LATENT_RANGE[1], half)
    if "lex_ready" not in ss:
        ss["lex_ready"] = True
        ss["lex_exact"] = None
        raw = st.query_params.get("lex_z")
        z_url, ok = link_values.parse_float_list(raw, lo, hi, d, [0.0] * d)
        if not ok:
            ss["lex_z_notice"] = (
                f"The link's code {link_values.echo('lex_z=' + str(raw))} does not fit {name}: it "
                "needs "
                f"{d} comma-separated numbers between {lo:g} and {hi:g}. "
                "Starting from the origin instead."
            )
            ss["lex_need_apply"] = True
        elif raw is not None:
            for k, v in zip(keys, to_slider(z_url, *SLIDER_RANGE, SLIDER_STEP)):
                ss[k] = v
            if np.abs(z_url).max() > SLIDER_RANGE[1]:
                ss["lex_exact"] = list(z_url)
        else:
            ss["lex_need_apply"] = True
    for k in keys:
        ss.setdefault(k, 0.0)


def start_point(mu: np.ndarray, labels: np.ndarray, wording: Wording) -> tuple[np.ndarray, str]:
    """The code of the chosen starting point (``lex_start``) and a line saying what it is, in the
    model's words (``wording``: an autoencoder has no prior and no posterior)."""
    ss = st.session_state
    start = ss["lex_start"]
    if start == "prototype":
        k = int(ss["lex_start_digit"])
        return prototypes(mu, labels)[
            k
        ], f"prototype of digit {k}: the mean code of its test images"
    if start == "random":
        i = int(np.random.default_rng(int(ss["lex_code_seed"])).integers(len(mu)))
        return (
            np.asarray(mu[i], dtype=np.float64),
            f"{wording.code_of} of test image #{i}, {a_digit(labels[i])}",
        )
    return np.zeros(mu.shape[1]), wording.origin


def apply_later() -> None:
    st.session_state["lex_need_apply"] = True


def slider_moved() -> None:
    st.session_state["lex_exact"] = None
    fresh_pad()


def fresh_pad() -> None:
    """A new key for the pad: its old click selection is dropped, so that clicking the same spot
    again (after the sliders moved away from it) counts as a click."""
    st.session_state["lex_pad_gen"] = int(st.session_state.get("lex_pad_gen", 0)) + 1


def pad_key() -> str:
    return f"lex_pad_{st.session_state.get('lex_pad_gen', 0)}"


def clicked(chart_key: str) -> None:
    """The pad's selection callback: the clicked point becomes the code, exactly."""
    ss = st.session_state
    xy = link_values.clicked_point(ss.get(chart_key), "pad")
    if xy is not None:
        ss["lex_exact"] = list(xy)
        for k, v in zip(("lex_z0", "lex_z1"), to_slider(np.array(xy), *SLIDER_RANGE, SLIDER_STEP)):
            ss[k] = v


def current(keys: list[str]) -> np.ndarray:
    """The code now set: the exact clicked or linked one if it fits, else the sliders' values. ->
    (d,)"""
    exact = st.session_state.get("lex_exact")
    return np.array(
        exact
        if exact is not None and len(exact) == len(keys)
        else [st.session_state[k] for k in keys],
        dtype=np.float64,
    )


def pad_spec(mu: np.ndarray, labels: np.ndarray, z: np.ndarray, half: float, title: str) -> dict:
    """The pad's Vega-Lite spec over [-half, half]^2 with the current point z marked: the pad and
    the marker are built and converted once, only the marker's one row changes."""
    sub = loaders.scatter_subset()
    base = render.spec(altair_charts.pad_chart, mu[sub], labels[sub], sub, half, title)
    here = render.spec(altair_charts.markers, HERE, label="what")
    return render.overlay(base, render.with_data(here, HERE.assign(x=float(z[0]), y=float(z[1]))))


def pad_alt(name: str, mu: np.ndarray, labels: np.ndarray, z: np.ndarray) -> str:
    """The pad's description: its test codes, the current point, and what a click or a tap does."""
    sub = loaders.scatter_subset()
    return alt_text.scatter(
        f"The latent pad of {name}: its test codes and the current code z = ({z[0]:.2f}, "
        f"{z[1]:.2f}), "
        "marked; a click or a tap anywhere decodes that spot",
        mu[sub],
        labels[sub],
    )


def pca_alt(
    name: str,
    mu: np.ndarray,
    labels: np.ndarray,
    mean: np.ndarray,
    comps: np.ndarray,
    z: np.ndarray,
) -> str:
    """The description of ``altair_charts.pca_code_chart``: the codes and z on the codes' first two
    principal axes."""
    sub = loaders.scatter_subset()
    you = (np.asarray(z, np.float64) - mean) @ comps[:2].T
    return alt_text.scatter(
        f"The code z at ({you[0]:.2f}, {you[1]:.2f}) on the PCA plane of {name}'s test codes",
        (np.asarray(mu[sub], np.float64) - mean) @ comps[:2].T,
        labels[sub],
        "PC1",
        "PC2",
        legend=False,
    )


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def pad_box(name: str) -> tuple[float, str]:
    """A 2-D model's pad box (half its side, ``explorer_claims.pad_half``) and the sentence on the
    codes it leaves out: once per model and server."""
    mu, labels = loaders.codes(name)["mu"], loaders.test_set()[1]
    half = explorer_claims.pad_half(mu)
    return half, explorer_claims.pad_note(explorer_claims.pad_facts(mu, labels, half))
