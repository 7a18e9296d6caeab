"""Reconstructions: the same test digits through several models, one row each, every reconstruction
that turned into another digit framed (a 1-nearest-neighbour rule in pixel space, stated on the
page), and its *excess* loss: -log p(x | z = mu) minus the image's own entropy, the Bernoulli KL
between the image and its reconstruction, 0 for a perfect copy.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.lessons.reconstructions import claims, computed, views
from ui.page import frame, link_values, links, loaders
from vae import zoo
from vae.latent import pick_digit, pick_random

MODES = ("random", "digit", "index")
MODE_LABELS = {
    "random": "random test digits",
    "digit": "examples of one digit",
    "index": "by test index",
}
LADDER = ("ae-2d", "vae-2d", "vae-10d", "vae-32d")  # small to large codes, the AE as the contrast
N_RANGE = (4, 12)
N_DEFAULT = 8
IDX_DEFAULT = "0, 1, 2, 3, 4, 5, 6, 7"
IDX_MAX_CHARS = 300  # a link's test indices beyond this are cut off

LESSON = frame.setup_page(
    __file__,
    "what survives the bottleneck: the same test digits through models with 2 to 32 latent "
    "numbers, which reconstructions turn into another digit, and how much each loses, in nats.",
)

ALL = [
    n for n in zoo.names() if zoo.entry(n).model.kind != "cvae"
]  # the CVAE is told the digit: its own lesson
BUILT = [n for n in ALL if loaders.built(n)]
DEFAULT_MODELS = [n for n in LADDER if n in BUILT] or BUILT[:1] or [LADDER[0]]


def _parse_models(linked: list[str]) -> tuple[list[str], bool]:
    names = [n for n in dict.fromkeys(linked) if n in ALL][:5]
    return (names, True) if names else (list(DEFAULT_MODELS), False)


# Every control is bound to the URL parameter named by its key (links.url_widget); a control that
# its mode
# hides leaves the link (and keeps its value in this session).
options = links.offered(
    BUILT, ALL, "rec_models", DEFAULT_MODELS
)  # unbuilt when picked: the page says what is missing
c1, c2, c3 = st.columns([4, 2, 3])
names = links.url_widget(
    c1.multiselect,
    "Models, one row each (up to 5)",
    options,
    default=DEFAULT_MODELS,
    key="rec_models",
    max_selections=5,
    help=links.unbuilt_help(options),
    parse=_parse_models,
    many=True,
)
c1.caption(" · ".join(f"{n_} ({zoo.entry(n_).model.latent_dim}-D)" for n_ in names))
mode = links.captioned_radio(c2, "Which test digits", MODES, MODE_LABELS, "rec_mode", "random")
with c3:
    if mode == "index":
        typed = links.url_widget(
            st.text_input,
            f"Test indices (0–9999, comma separated, up to {N_RANGE[1]})",
            value=IDX_DEFAULT,
            max_chars=IDX_MAX_CHARS,
            key="rec_idx",
            parse=lambda raw: (raw[:IDX_MAX_CHARS], True),
        )
        # no seed is shown: the one sampled z of the notice below is the same for whoever opens the
        # link
        seed = 0
    else:
        digit = links.digit_select(st, "Digit", "rec_digit") if mode == "digit" else None
        cc1, cc2 = st.columns(2)
        n = int(
            links.url_widget(
                cc1.slider,
                "How many",
                *N_RANGE,
                value=N_DEFAULT,
                key="rec_n",
                parse=lambda raw: link_values.parse_int(raw, *N_RANGE, N_DEFAULT),
            )
        )
        seed = links.seed_input(
            cc2,
            "Seed",
            "rec_seed",
            help=f"{links.SEED_HELP} Same seed, same digits: share the link.",
        )
if not names:
    st.warning("Choose at least one model.")
    st.stop()

with frame.cache_guard():
    _, labels = loaders.test_set()
    x_all = loaders.test_images_float()
    for n_ in names:
        loaders.model(n_)
if mode == "index":
    idx, rejected = link_values.parse_indices(typed, len(labels), max_len=N_RANGE[1])
    if rejected:
        st.warning(
            f"Ignored {len(rejected)} entr{'y' if len(rejected) == 1 else 'ies'}: "
            + ", ".join(link_values.echo(r) for r in rejected[:8])
            + (" …" if len(rejected) > 8 else "")
            + ". "
            f"Test indices are whole numbers from 0 to {len(labels) - 1}, at most {N_RANGE[1]} of "
            "them."
        )
    if not idx:
        idx = link_values.parse_indices(IDX_DEFAULT, len(labels))[0]
        st.info(f"No usable test index, so showing the default ones ({IDX_DEFAULT}).")
    idx = np.array(idx)
else:
    idx = (
        pick_digit(labels, digit, n, seed) if mode == "digit" else pick_random(len(labels), n, seed)
    )


x, y = x_all[idx], labels[idx]
res = computed.results(names, idx, y)  # per model: reconstructions, losses, the digit seen

# --- the picture -------------------------------------------------------------------------------

views.rows(idx, y, x, res)
st.caption(
    "Under each reconstruction: its **excess loss** in nats (below). **Framed**, with an arrow: it "
    "looks like "
    "another digit, by the label of its nearest test image in pixel space (1-NN; its own original "
    "left out)."
)
st.latex(
    r"\underbrace{-\log p(x \mid z{=}\mu)}_{\text{BCE, 784 pixels}} \;-\; "
    r"\underbrace{H(x)}_{\text{the image's own "
    r"entropy}} \;=\; \sum_{i=1}^{784} \mathrm{KL}\big(\mathrm{Ber}(x_i)\,\|\,\mathrm{Ber}(\hat "
    r"x_i)\big) \;\ge\; 0"
)
frame.caveat(
    "MNIST pixels are grey levels, so the BCE is a cross-entropy with the image, not a likelihood: "
    "even a perfect "
    "copy pays $H(x)$ for its grey edge pixels (about 45 nats). The excess loss takes that off: 0 "
    "is a perfect "
    "copy. The losses here decode $z = \\mu$ (an AE: its code); the ELBO's reconstruction term on "
    "other pages samples $z \\sim q(z \\mid x)$, which adds the encoder's noise."
)
frame.nats_note()

# --- what to notice ------------------------------------------------------------------------------

frame.notice(claims.notes(computed.recon_facts(names, idx, res, seed)))


with st.expander("Binarized: the shape each model committed to", icon=":material/contrast:"):
    views.binarized(idx, x, res)
links.state_to_url()  # after the page's last bound control (the threshold): the toast of a bad link
frame.folded(
    "The numbers as a table", "rec_table_open", ":material/table:", views.table, idx, y, x, res
)
frame.lesson_links(LESSON)
