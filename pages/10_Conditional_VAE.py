"""Conditional VAE: the decoder is told the digit, so the latent code is left with the style."""

from __future__ import annotations

import streamlit as st

from ui.draw.style import GRID_N_DEFAULT, GRID_N_RANGE
from ui.lessons.cvae import claims, computed, views
from ui.lessons.cvae.views import BASE, MODEL, N_STYLES
from ui.page import frame, link_values, links, loaders

LESSON = frame.setup_page(
    __file__,
    "what a conditional VAE's latent code holds once the decoder is told which digit to draw: "
    "not the digit any more, but its style (slant, width, how much ink).",
)

K = 5  # neighbours in the k-NN test
N_SURVEY = 100  # random codes for the style statistics in "what to notice"
DEFAULT_DIGIT, DEFAULT_PICK = 3, 0


with frame.cache_guard():
    loaders.model(MODEL)  # what every view below needs: without it the page stops here
    loaders.codes(MODEL)
    loaders.codes(BASE)
    loaders.test_images_float()
    _, labels = loaders.test_set()
    sub = loaders.scatter_subset()


# --- 1. one manifold per digit ------------------------------------------------------------------

st.header("One manifold per digit")
st.markdown(
    "cvae-2d's decoder is handed the digit $y$ as well as the code $z$. Choose a digit: the "
    "decoder draws it at every point of a grid over the latent plane. The grid is "
    "spaced by equal steps of prior probability (ppf), so it covers where the codes actually are."
)


@st.fragment
def manifold_section() -> None:
    # both bound to the URL parameter named by the key (ui.page.links.url_widget)
    c_digit, c_n = st.columns(2)
    digit = int(
        links.url_widget(
            c_digit.selectbox,
            "Digit y",
            list(range(10)),
            index=DEFAULT_DIGIT,
            key="cvae_digit",
            parse=lambda raw: link_values.parse_int(raw, 0, 9, DEFAULT_DIGIT),
        )
    )
    n = int(
        links.url_widget(
            c_n.slider,
            "Grid size n (n × n tiles)",
            GRID_N_RANGE[0],
            GRID_N_RANGE[1],
            value=GRID_N_DEFAULT,
            key="cvae_n",
            parse=lambda raw: link_values.parse_int(raw, *GRID_N_RANGE, GRID_N_DEFAULT),
        )
    )
    views.manifold(digit, n)
    frame.secondary(
        "Slant is the shear of the ink from its image moments (positive leans like /); width is 4 "
        "× the ink's "
        "horizontal spread once the slant is taken out; ink is the mean pixel brightness, which "
        "for digits of one size grows with the stroke width."
    )


manifold_section()

# --- the idea (below the first picture, as the lesson pattern puts the maths) ----------------

st.header("The idea")
st.markdown(
    "A conditional VAE (Sohn et al. 2015) is a VAE that is handed the label $y$ at both ends: the "
    "encoder "
    "$q(z \\mid x, y)$ sees the image *and* its digit, and the decoder $p(x \\mid z, y)$ draws "
    "from a code *and* a "
    "digit. It is trained on the conditional evidence lower bound, with a prior p(z) = N(0, I) "
    "that does not depend on y (as in the M2 model of Kingma et al. 2014):"
)
st.latex(
    r"\log p(x \mid y) \;\ge\; \mathbb{E}_{q(z \mid x, y)}\big[\log p(x \mid z, y)\big]"
    r" \;-\; \mathrm{KL}\big(q(z \mid x, y)\,\|\,p(z)\big)"
)
st.markdown(
    "The KL term charges for every bit of information that $z$ carries about the image. The "
    "decoder already "
    "knows **which** digit to draw from $y$, so putting the digit's identity into $z$ would cost "
    "KL and buy "
    "nothing. What is left for $z$ is everything the label does not say: **how** the digit is "
    "written."
)
frame.secondary(
    "With cvae-2d you can therefore pick the digit and the style separately: fix $y$ and move $z$ "
    "to change the "
    "handwriting, or fix $z$ and change $y$ to write another digit in the same hand. The 2-D plain "
    "VAE "
    "(vae-2d) has to squeeze identity *and* style into the same two numbers, which is why its map "
    "is a patchwork of digit regions."
)

# --- 2. same z, every digit ---------------------------------------------------------------------

st.header("Same z, every digit")
st.markdown(
    f"Draw {N_STYLES} codes z ~ N(0, I) and decode each with all ten labels: one row per z, one "
    "column per digit. If z holds the style, each row should look written by one hand."
)


@st.fragment
def style_grid_section() -> None:
    c_fig, c_side = st.columns([3, 1])
    seed = links.seed_input(c_side, "Seed for the random codes", "cvae_seed")
    views.style_grid(seed, c_fig, c_side)


style_grid_section()

# --- 3. the latent maps ---------------------------------------------------------------------------

st.header("Does the latent map still sort the digits?")
with frame.cache_guard():
    acc = computed.knn_scores((BASE, MODEL), K)
    survey = computed.style_survey(MODEL, N_SURVEY, 0)
st.markdown(
    "Each test image's code, coloured by its digit, for the plain 2-D VAE and for the CVAE (the "
    "same "
    f"{len(sub):,} test images). The number: for each code, do its {K} nearest codes mostly have "
    "the same digit? High means the map sorts the digits; 10% is what guessing gets."
)
m1, m2 = st.columns(2)
m1.metric(f"{K}-NN digit accuracy from z, vae-2d", f"{acc[BASE]:.0%}")
m2.metric(
    f"{K}-NN digit accuracy from z, cvae-2d",
    f"{acc[MODEL]:.0%}",
    delta=f"{(acc[MODEL] - acc[BASE]) * 100:+.0f} points vs vae-2d",
    delta_color="off",
)


@st.fragment
def maps_section() -> None:
    # a clicked point, no widget: links.state_from_url + links.state_to_url (after the page's last
    # bound control, in the sections above)
    links.state_from_url(
        "cvae_idx",
        "cvae_idx",
        lambda raw: link_values.parse_int(raw, 0, len(labels) - 1, DEFAULT_PICK),
    )
    idx = int(st.session_state["cvae_idx"])
    links.state_to_url({"cvae_idx": idx})
    views.maps(idx)

    st.subheader(f"Test image #{idx}'s hand, writing every digit")
    views.style_transfer(idx)
    st.caption(
        f"Test #{idx} is marked on both maps (a cross, at the edge if its code is off the axes). "
        "Click another point of the cvae-2d map to take its style."
    )


maps_section()

# --- what to notice -----------------------------------------------------------------------------

frame.notice(  # the sentences and the premises they check: ui.lessons.cvae.claims
    claims.notices(
        claims.CvaeFacts(k=K, acc_base=acc[BASE], acc_model=acc[MODEL], n_survey=N_SURVEY, **survey)
    )
)
frame.lesson_links(LESSON)
