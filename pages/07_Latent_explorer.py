"""Latent explorer: set a VAE's code by hand and watch the decoder draw it.

One slider per latent dimension, a starting point (origin, a digit prototype, a random test
code), a clickable latent pad for the 2-D models, and random digits drawn from the prior.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw.style import SLIDER_RANGE, SLIDER_STEP
from ui.lessons import words
from ui.lessons.explorer import claims, codepad, views
from ui.lessons.model_facts import code_scale
from ui.page import frame, links, loaders
from ui.page.link_values import to_slider
from vae import prior, zoo

STARTS = ("origin", "prototype", "random")
START_LABELS = {
    "origin": "the origin (z = 0)",
    "prototype": "a digit prototype",
    "random": "a random test code",
}
N_RANGE = (1, 16)
N_DEFAULT = 8

LESSON = frame.setup_page(
    __file__,
    "what digit lives at each point of a VAE's latent space: move one slider per latent "
    "dimension, click on the 2-D map, or draw random codes from the prior.",
)


# the VAEs, and ae-2d as the contrast: a decoder trained without a prior
VAES, BUILT, DEFAULT_MODEL = links.model_choices(
    lambda e: e.model.kind == "vae" or e.name == "ae-2d", prefer="vae-2d"
)
ss = st.session_state
# Every control is bound to the URL parameter named by its key (links.url_widget); the code, one
# slider per
# dimension or a click on the pad, is one parameter, ?lex_z=1.2,-0.5 (codepad.from_link,
# links.state_to_url).


def _model_changed() -> None:
    ss["lex_need_apply"] = True
    ss["lex_exact"] = None


name = links.model_picker(
    st.selectbox,
    "Model (the VAEs, and ae-2d without a prior)",
    VAES,
    BUILT,
    DEFAULT_MODEL,
    key="lex_model",
    on_change=_model_changed,
    blurbs=True,
)
st.caption(zoo.entry(name).blurb)

with frame.cache_guard():
    loaders.model(name)
    codes = loaders.codes(name)
    _, labels = loaders.test_set()
mu = codes["mu"]  # (N, d), read-only
d = zoo.entry(name).model.latent_dim
is_ae = zoo.entry(name).model.kind == "ae"
say = claims.wording(is_ae)  # an autoencoder has no prior, no KL term, no posterior
half, pad_note = codepad.pad_box(name)  # the box holding the codes: the pad's, and the link's limit
PREVIEW = np.linspace(SLIDER_RANGE[0], SLIDER_RANGE[1], 7)  # values each slider's preview decodes


keys = [f"lex_z{i}" for i in range(d)]
codepad.from_link(keys, name, d, half)


def _new_samples() -> None:
    ss["lex_seed"] = links.next_seed(ss["lex_seed"])


# --- the explorer
# ----------------------------------------------------------------------------------


@st.fragment
def explorer(name: str, d: int) -> None:
    notice = ss.pop("lex_z_notice", None)
    if notice:
        st.warning(notice)

    c1, c2, c3, c4 = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    start = links.captioned_radio(
        c1,
        "Start from",
        STARTS,
        START_LABELS,
        "lex_start",
        "origin",
        horizontal=True,
        on_change=codepad.apply_later,
    )
    links.digit_select(
        c2,
        "Digit",
        "lex_start_digit",
        on_change=codepad.apply_later,
        disabled=start != "prototype",
    )
    links.seed_input(
        c3,
        "Seed of the test code",
        "lex_code_seed",
        on_change=codepad.apply_later,
        disabled=start != "random",
    )
    c4.button(
        "Reset to start",
        key="lex_reset",
        on_click=codepad.apply_later,
        width="stretch",
        help="Put every slider back at the starting point.",
    )

    if ss.pop("lex_need_apply", False):
        z0, _ = codepad.start_point(mu, labels, say)
        for k, v in zip(keys, to_slider(z0, *SLIDER_RANGE, SLIDER_STEP)):
            ss[k] = v
        # a start beyond the sliders (an AE's codes reach +-40) is decoded exactly, not clipped
        ss["lex_exact"] = [float(v) for v in z0] if np.abs(z0).max() > SLIDER_RANGE[1] else None
        codepad.fresh_pad()
    st.caption(f"Starting point: {codepad.start_point(mu, labels, say)[1]}.")

    exact = ss.get("lex_exact")
    left, right = st.columns([3, 2], gap="large")
    if d == 2:
        sliders_at = right
        with left:
            views.pad(name, mu, labels, keys, half, say, pad_note)
    else:
        sliders_at = left
    with sliders_at:
        ncols = 1 if d <= 2 else (2 if d <= 10 else 4)
        cols = st.columns(ncols)
        if (
            d > 2
        ):  # what moving each slider would decode: its row of PREVIEW values, the others fixed
            strips, near = views.previews(name, codepad.current(keys), PREVIEW)
        for i, k in enumerate(keys):
            cols[i % ncols].slider(
                words.z(i),
                *SLIDER_RANGE,
                step=SLIDER_STEP,
                key=k,
                format="%.1f",
                on_change=codepad.slider_moved,
            )
            if d > 2:
                views.preview(cols[i % ncols], name, i, strips[i], near[i], PREVIEW)
    z = codepad.current(keys)
    with right:
        views.decoded(name, z, exact, mu, labels)

    st.latex(say.formula)
    frame.secondary(say.decoder_note)

    # --- random generation --------------------------------------------------------------------
    st.header(
        "Random digits from the prior"
        if not is_ae
        else "Random codes from N(0, I), which this model never promised to fill"
    )
    frame.secondary(
        "Draw codes $z \\sim \\mathcal{N}(0, I)$ and decode them. Each row of the table is the "
        "code of the image with the same number."
    )
    g1, g2, g3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    n = links.int_slider(g1, "How many samples", *N_RANGE, "lex_n", N_DEFAULT)
    seed = links.seed_input(g2, "Seed", "lex_seed")
    g3.button(
        "New samples",
        key="lex_new",
        on_click=_new_samples,
        width="stretch",
        help="Next seed: a fresh set of random codes.",
    )
    # after the page's last bound control: the toast of a bad link
    links.state_to_url({"lex_z": [round(float(v), 2) for v in z]})
    zs = prior.samples(int(n), d, int(seed))  # (n, d)
    views.samples(name, zs, seed)

    # --- what to notice ---------------------------------------------------------------------------
    gap, _, _ = code_scale(name)
    frame.notice(claims.notices(claims.code_facts(mu, labels, z, zs, gap, is_ae)))


explorer(name, d)
frame.lesson_links(LESSON)
