"""KL weighting: what the weight beta of the KL term trades in a beta-VAE (Higgins et al. 2017).

One 2-D VAE per rung of the ladder ``vae.zoo.BETAS_2D`` and three 10-D VAEs (``BETAS_10D``): the
codes, reconstructions, prior samples and training curves of one beta, the rate-distortion
picture of the whole ladder (Alemi et al. 2018), per-dimension KL and active units in 10-D
(Burda et al. 2016), and a converter between averaged and summed loss conventions.
"""

from __future__ import annotations

import streamlit as st

from ui.lessons import ladders
from ui.lessons.kl import claims, converter, views
from ui.page import downloads, frame, link_values, links, loaders
from ui.server import prefetch
from vae import zoo

LESSON = frame.setup_page(
    __file__,
    "what the weight β of the KL term trades: rate (how far each posterior may stray from the "
    "prior) "
    "against distortion (how well the image comes back), and what that does to the codes and to "
    "samples from the prior.",
)


with frame.cache_guard():
    loaders.test_set()  # every view below needs the test set: without it the page stops here
    subset = loaders.scatter_subset()

rd, ladder_missing = ladders.beta_frame(2, zoo.BETAS_2D)  # the whole 2-D ladder, as far as built

# --- the page -------------------------------------------------------------------------------------

# both bound to the URL (?kl_beta=2&kl_seed=3): ui.page.links.url_widget
c1, c2 = st.columns([3, 1])
beta = float(
    links.url_widget(
        c1.select_slider,
        "β, the weight of the KL term (one 2-D VAE per value; or click a point of the ladder)",
        options=list(zoo.BETAS_2D),
        value=1.0,
        format_func=lambda b: f"{b:g}",
        key="kl_beta",
        parse=lambda raw: link_values.parse_ladder_value(raw, zoo.BETAS_2D, 1.0),
        help="Same architecture, data and seed for every value"
        + (f"; {ladders.epochs_words(rd)}." if not rd.empty else "."),
    )
)
seed = links.seed_input(c2, "seed of the draws and digits", "kl_seed")
name = zoo.beta_name(2, beta)
views.chosen_beta(rd, ladder_missing, beta, seed, subset)

st.latex(
    r"\mathcal{L}_\beta(x) = \underbrace{\mathbb{E}_{q(z\mid x)}\big[-\log p(x\mid "
    r"z)\big]}_{\text{distortion}}"
    r" + \beta\,\underbrace{\mathrm{KL}\big(q(z\mid x)\,\|\,\mathcal{N}(0, I)\big)}_{\text{rate}}"
)
st.markdown(
    "Each model minimises distortion + β × rate. The **rate**, the KL, is an upper bound on the "
    "information the "
    "code carries about the image (in nats), not that information itself. A large β makes every "
    "nat of rate "
    "dear, so each posterior stays close to the prior; a small β makes rate cheap. At β = 1 the "
    "loss is the negative ELBO."
)
with st.expander("What β does, in theory, and what these models show", icon=":material/menu_book:"):
    st.markdown(
        "- **β > 1** pushes every posterior toward the prior: the codes squeeze together, digits "
        "overlap, "
        "reconstructions blur, and in more dimensions it can switch whole dimensions off (counted "
        "in 10-D below).\n"
        "- **β < 1** makes rate cheap: the codes spread beyond the prior. Prior draws still land "
        "near real codes "
        "(the prior's mass sits where codes are dense), but the prior no longer says *which* "
        "digits come out how "
        "often: the mix is what goes wrong (the bars above). In 2-D the reconstructions hardly "
        "sharpen below β = 1, two numbers being the bottleneck; in 10-D they do.\n"
        "- **β = 0** is an autoencoder's loss, but the encoder's noise remains: training still "
        "decodes z = μ + σ·ε, "
        "nothing penalises σ, so the model shrinks it and moves μ as far out as it likes.\n"
        "- Minimising D + β·R picks the point of the rate-distortion curve where its slope is −β "
        "(Alemi et al. 2018, *Fixing a Broken ELBO*)."
    )
    if not rd.empty:
        downloads.download_csv(
            rd.drop(columns=["label", "side"]), "beta-ladder-2d.csv", key="kl_rd_csv"
        )
    frame.nats_note()

st.subheader(f"What `{name}` decodes")
every = links.url_widget(
    st.toggle,
    "compare every β of the ladder",
    value=False,
    key="kl_every",
    parse=link_values.parse_bool,
    help="One row of reconstructions per built 2-D model, the same test digits.",
)
views.decoded_views(name, beta, seed, every)
links.state_to_url()  # after the page's last bound control (kl_every)
# the rungs either side are drawn in the background, for the next move of β
i = zoo.BETAS_2D.index(beta)
for b in zoo.BETAS_2D[i + 1 : i + 2] + zoo.BETAS_2D[max(i - 1, 0) : i]:
    if loaders.built(zoo.beta_name(2, b)):  # a rung not built has nothing to draw ahead
        prefetch.later(ladders.rung_figures, b, seed)
frame.notice(claims.notes(views.facts(rd, beta, seed)))
frame.folded(
    "How the model at this β trained",  # one label for every β: a move keeps the fold open
    "kl_training_open",
    ":material/monitoring:",
    ladders.training_curves,
    name,
    f"`{name}` minimised reconstruction + {beta:g} × KL.",
    "kl",
)
ten = ladders.dims_by_beta({b: zoo.beta_name(10, b) for b in zoo.BETAS_10D})
off10 = ten[0] is not None and bool((ten[0]["active"] != "active").any())
frame.folded(
    "In 10 dimensions: sharper reconstructions at small β, and "
    + ("switched-off units" if off10 else "what a large β does to each dimension"),
    "kl_10d_open",
    ":material/view_column:",
    views.ten_d,
    seed,
    ten,
)
with st.expander(
    "The same weight means different β: averaged vs summed losses", icon=":material/calculate:"
):
    converter.converter("kl")
frame.lesson_links(LESSON)
