"""Latent size: the same VAE with 2, 3, 5, 10, 20 and 32 latent dimensions
(``vae.zoo.LATENT_SIZES``).

Reconstructions of the same test digits by every size, test -ELBO / reconstruction / KL against
the size, and how many dimensions stay active (Burda et al. 2016) as the latent grows.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.lessons.latent_size import claims, computed, views
from ui.lessons.model_facts import N_TOPK, size_name
from ui.page import downloads, frame, link_values, links, loaders
from vae import zoo
from vae.losses import ACTIVE_UNIT_THRESHOLD

LESSON = frame.setup_page(
    __file__,
    "how the size of the latent code limits a VAE: what more dimensions buy in reconstruction and "
    "ELBO, what they cost in KL, and how many of them the model actually uses.",
)

SIZES = tuple(zoo.LATENT_SIZES)
THRESHOLDS = claims.THRESHOLDS  # nats of KL per dimension
DEFAULT_THR = 0.1


with frame.cache_guard():
    loaders.test_set()  # every view below needs the test set: without it the page stops here

# --- the numbers of every size --------------------------------------------------------------------

table, problems = computed.ladder_table(SIZES)  # one row per size whose numbers load
caveat = claims.budget_caveat(computed.built_facts(table, len(SIZES)))
if caveat:  # what the models share, so that a comparison of sizes says what else differs
    frame.caveat(caveat)

# --- controls and reconstructions -----------------------------------------------------------------


@st.fragment
def reconstructions() -> None:
    seed = links.seed_input(st, "seed (which test digits: one of each class)", "ls_seed")
    views.reconstructions(seed, SIZES, problems)


reconstructions()
st.latex(
    r"-\mathrm{ELBO}(x) = \underbrace{\mathbb{E}_{q(z\mid x)}\big[-\log p(x\mid "
    r"z)\big]}_{\text{reconstruction}}"
    r" + \sum_{i=1}^{d} \underbrace{\mathrm{KL}\big(q(z_i\mid "
    r"x)\,\|\,\mathcal{N}(0,1)\big)}_{\text{cost of dimension } i}"
)
frame.secondary(
    "The code is the only path from encoder to decoder, so its size d bounds what gets through; "
    "every nat it "
    "carries is charged in KL. A dimension that does not pay for itself is switched off: its "
    "q(zᵢ|x) becomes the prior for every image, and it costs and carries nothing."
)

# --- loss and the KL of each dimension against size -----------------------------------------------

st.subheader("What each extra dimension buys, and what it costs")
if table.empty:
    frame.missing_note(problems, "the charts")
    frame.stop()
kl_dims = computed.kl_dims(SIZES)  # (d,) nats per size, largest first
col_loss, col_kl = st.columns(2, gap="large")
views.loss_chart(table, list(SIZES), col_loss)
col_loss.caption(
    "Averages over the 10,000 test digits (one posterior sample each); −ELBO = reconstruction + "
    "KL. Latent size on a log scale."
)
with col_kl:
    thr = float(
        links.url_widget(
            st.select_slider,
            "A dimension is in use when its KL is above (nats)",
            THRESHOLDS,
            value=DEFAULT_THR,
            key="ls_thr",
            format_func=lambda v: f"{v:g}",
            parse=lambda raw: link_values.parse_choice(raw, list(THRESHOLDS), DEFAULT_THR),
        )
    )
    if kl_dims:
        views.kl_dims_chart(kl_dims, thr)


@st.fragment
def top_k(kl_dims: dict[int, np.ndarray]) -> None:
    """Cut the codes of a large model down to their k most used dimensions and decode."""
    big = [d for d in (32, 20) if d in kl_dims]
    if not big:
        return
    # both bound to the URL: the model by its latent size (?ls_topk_d=20), and k
    c1, c2 = st.columns([1, 3])
    d = int(
        links.url_widget(
            c1.selectbox,
            "Model (latent size d)",
            big,
            index=0,
            key="ls_topk_d",
            help="The VAE with d latent dimensions: " + ", ".join(size_name(v) for v in big) + ".",
            parse=lambda raw: link_values.parse_choice(raw, big, big[0]),
        )
    )
    # one range for both models, so that k survives a change of model
    k_set = int(
        links.url_widget(
            c2.slider,
            "Keep the k dimensions with the most KL (the others set to the prior's mean 0)",
            1,
            max(big),
            value=10,
            key="ls_k",
            parse=lambda raw: link_values.parse_int(raw, 1, max(big), 10),
        )
    )
    views.top_k(d, min(k_set, d))
    st.caption(
        "Right: the reconstruction loss at z = μ with only the top k dimensions kept, mean over "
        f"{N_TOPK} fixed "
        "test digits (50 of each). Left: the same ten digits as above."
    )


st.subheader("How many dimensions are enough? Cut a large code down")
with frame.cache_guard():
    top_k(kl_dims)
links.state_to_url()  # after the page's last bound control: the notice of ignored link parameters


def numbers() -> None:
    """The table of every size's numbers, its note, its CSV."""
    shown = computed.rounded(table)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(
        "The last two number columns are measured on the same fixed 500 test images (the first 50 "
        "of each digit): "
        "the one-sample −ELBO and the importance-weighted bound with 1,000 samples (Burda et al. "
        "2016), closer to "
        "the model's true −log p(x). Active units: Var(μᵢ) over the test images above "
        f"{ACTIVE_UNIT_THRESHOLD:g}."
    )
    downloads.download_csv(shown, "latent-size.csv", key="ls_csv")
    frame.nats_note()


frame.folded(
    "The numbers, and active units by the spread of μ", "ls_table_open", ":material/table:", numbers
)
frame.missing_note(problems, "the charts and the table")

# --- what to notice -------------------------------------------------------------------------------

frame.notice(computed.notices(table, kl_dims, thr))  # the sentences: ui.lessons.latent_size.claims
frame.lesson_links(LESSON)
