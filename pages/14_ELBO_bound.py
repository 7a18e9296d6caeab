"""The ELBO is a bound: for a 2-D VAE, log p(x) by quadrature over the latent plane, the ELBO's gap
KL(q(z|x) || p(z|x)) and its two parts (Cremer, Li & Duvenaud 2018), and the importance-weighted
bound climbing towards log p(x) (Burda, Grosse & Salakhutdinov 2016). The numerics are in
``vae.bound`` and ``vae.likelihood``; this page holds the prose, the controls and the layout.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.lessons.elbo import claims, views
from ui.lessons.elbo import computed as elbo
from ui.lessons.elbo.computed import FEATURED, KS, POOL, exact
from ui.page import frame, link_values, links, loaders, model_calls
from vae import artefacts, bound
from vae.latent import pick_digit

MODES = ("featured", "index", "digit")
MODE_LABELS = {
    "featured": "one of these",
    "index": "by test index",
    "digit": "a random example of a digit",
}
STEPS = bound.REFINE_STEPS

LESSON = frame.setup_page(
    __file__,
    "the ELBO that training maximises is only a lower bound on log p(x). For a "
    "2-D model log p(x) can be computed exactly, so you can see the gap, where it comes from, "
    "and what closes it.",
)

MODELS, BUILT, DEFAULT_MODEL = links.model_choices(elbo.offered, prefer="vae-2d")
ss = st.session_state
# The image shown is one parameter whichever way it was chosen (featured, by index, a digit's
# example), so not one widget: links.state_from_url + links.state_to_url. The other controls are
# bound to the URL parameters named by their keys (links.url_widget).
links.state_from_url(
    "elbo_idx", "elbo_idx", lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, 0)
)
ss.setdefault("elbo_mode", "featured" if int(ss["elbo_idx"]) in FEATURED else "index")
ss.setdefault("elbo_featured", int(ss["elbo_idx"]) if int(ss["elbo_idx"]) in FEATURED else 0)
ss.setdefault("elbo_digit", 4)
ss.setdefault("elbo_pick", 0)


def _another() -> None:
    ss["elbo_pick"] = int(ss["elbo_pick"]) + 1


left, right = st.columns([2, 3], gap="large")
with left:
    name = links.model_picker(
        st.selectbox, "Model (2-D VAEs)", MODELS, BUILT, DEFAULT_MODEL, key="elbo_model"
    )
    mode = st.radio(
        "Test image", MODES, key="elbo_mode", format_func=MODE_LABELS.get, horizontal=True
    )
    if mode == "featured":
        st.selectbox(
            "Image",
            list(FEATURED),
            key="elbo_featured",
            format_func=lambda i: f"{FEATURED[i]} (#{i})",
        )
        ss["elbo_idx"] = int(ss["elbo_featured"])
    elif mode == "index":
        st.number_input("Test index (0–9999)", 0, artefacts.N_TEST - 1, step=1, key="elbo_idx")
    else:
        c1, c2 = st.columns(2, vertical_alignment="bottom")
        c1.selectbox("Digit", list(range(10)), key="elbo_digit")
        c2.button("Another one", key="elbo_another", on_click=_another, width="stretch")

with frame.cache_guard():
    key = model_calls.model_key(name)
    loaders.model(name)
    codes = loaders.codes(name)
    _, labels = loaders.test_set()
    images = loaders.test_images_float()
idx = (
    int(ss["elbo_idx"])
    if mode != "digit"
    else int(pick_digit(labels, int(ss["elbo_digit"]), 1, int(ss["elbo_pick"]))[0])
)
# a new image costs seconds of quadrature: in turn, saying how many are ahead
queue_note = st.empty()
b = views.queued(exact, key, idx, queue_note, "Integrating p(x|z) p(z) over the latent plane")
g = b.gap
has_path = b.path_elbo is not None

with left:
    step = links.int_slider(
        st,
        "Refine q for this image: gradient steps",
        0,
        STEPS,
        "elbo_step",
        STEPS,
        disabled=not has_path,
        help="Adam on this image's own μ and log σ, starting from the encoder's q; the decoder "
        "stays fixed.",
    )
    views.image_and_mean(images, codes, labels, idx, name)

with right:
    views.posterior(b, codes, labels, idx, name, step, has_path)
    frame.caveat(
        "Dots: test codes, in their digit's colour. Black: the encoder's q(z|x) (1σ solid, 2σ "
        "dotted). Magenta, dashed: q refined for this image, after the steps chosen on the left."
    )
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "log p(x)",
        f"{g.log_px:.2f}",
        help="Exact for this model, to the grid's accuracy (see below).",
    )
    m2.metric("ELBO", f"{g.elbo:.2f}", help="Of the encoder's q(z|x), integrated on a grid over q.")
    m3.metric("gap", f"{g.gap:.2f}", help="KL(q(z|x) || p(z|x)) = log p(x) − ELBO, in nats.")
    if not has_path:
        frame.caveat(
            "The encoder's q lies outside the region where the true posterior has mass, so the "
            "refinement "
            "starts from the posterior's own mean and spread; the dashed magenta ellipse is where "
            "it ends."
        )

st.latex(
    r"\log p(x) = \underbrace{\mathbb{E}_{q}\big[\log p(x \mid z)\big] - \mathrm{KL}\big(q(z\mid "
    r"x)\,\|\,p(z)\big)}"
    r"_{\text{ELBO}} + \mathrm{KL}\big(q(z \mid x)\,\|\,p(z \mid x)\big)"
)
st.latex(rf"{g.log_px:.2f} = {g.elbo:.2f} + {g.gap:.2f}\ \text{{nats}}")
frame.secondary(
    "The blue map is the exact posterior, p(x|z) p(z) / p(x), computed at every point of a fine "
    "grid: the decoder says how well each code explains this image, the prior how likely the code "
    "is. The black ellipse is the encoder's Gaussian guess q(z|x). The ELBO falls short of log "
    "p(x) by exactly the KL divergence between the two: where they differ is what the bound misses."
)

st.subheader("Where the gap comes from")
g1, g2 = st.columns([3, 2], gap="large")
with g1:
    if has_path:
        views.refinement(b, idx, step)
with g2:
    views.gap_parts(g)
    st.markdown(
        f"The gap, {g.gap:.2f} nats, in two parts:  \n**Amortization** {g.amortization:.2f} nats "
        "(first segment): what a Gaussian fitted to this image alone gains over the encoder's.  \n"
        f"**Approximation** {g.approximation:.2f} nats (second, magenta): what no Gaussian closes."
    )

st.subheader("More samples, a tighter bound")
k = int(links.choice_slider(st, "k, samples from q(z|x) per estimate", KS, "elbo_k", 100))
links.state_to_url({"elbo_idx": idx})  # after the page's last bound control
stats = views.queued(elbo.iwae_stats, key, idx, queue_note, f"Drawing {POOL:,} samples from q(z|x)")
curve = {j: v[0] for j, v in stats.items()}
# the bound at the chosen k, and at the largest
at_k, at_top = (claims.BoundFacts(j, *stats[j], g.elbo, g.log_px, g.accuracy) for j in (k, KS[-1]))
i1, i2 = st.columns([3, 2], gap="large")
with i1:
    views.iwae_curve(curve, k, g, idx)
with i2:
    st.latex(
        r"\mathcal{L}_k = \mathbb{E}\Big[\log \tfrac{1}{k}\textstyle\sum_{j=1}^{k} "
        r"\tfrac{p(x \mid z_j)\,p(z_j)}{q(z_j \mid x)}\Big] \le \log p(x)"
    )
    st.markdown(claims.bound_sentence(at_k))
    frame.caveat(
        f"Each point averages {POOL:,} draws from q, in groups of k: the k = 1,000 point rests on "
        "two groups "
        f"and is the noisiest. A difference counts only beyond {claims.NOISE_SES:g} "
        "standard errors plus the grid's accuracy."
    )

# --- what to notice -----------------------------------------------------------------------------
frame.notice(claims.notes(claims.GapFacts(g.log_px, g.log_px_half, g.elbo, g.elbo_best, at_top)))

grid_facts = claims.GridFacts(  # cells across the narrowest width: measured, not the aim
    max(b.grid.xs[1] - b.grid.xs[0], b.grid.ys[1] - b.grid.ys[0]),
    float(bound.moments(b.grid.points(), b.post.ravel())[1].min()),
    float(np.exp(0.5 * np.asarray(codes["logvar"][idx], np.float64)).min()),
    bound.STEPS_PER_SD,
)
with st.expander("How log p(x) is computed, and how exact it is", icon=":material/calculate:"):
    st.markdown(
        f"A {len(b.grid.xs)} × {len(b.grid.ys)} grid of cells over the box shown: "
        "log p(x) = log Σ p(x|zᵢ) p(zᵢ) × cell area, the midpoint rule. "
        f"{claims.grid_sentence(grid_facts)} "
        f"The box was placed from a {bound.COARSE_N} × {bound.COARSE_N} grid over the whole "
        "plane and a 32 × 32 one in between, so a second peak is not missed. Halving the grid "
        "moves log p(x) by "
        f"**{g.accuracy:.3f} nats**: that is the accuracy of the numbers on this page. The ELBO of "
        "each Gaussian is "
        "integrated on its own 32 × 32 grid (6 σ each way). The refined q is a local search from "
        "two starts (the "
        "encoder's q and the posterior's mean and spread): a better Gaussian could only move nats "
        "from the approximation part to the amortization part."
    )
    frame.nats_note()
    with st.container():
        st.markdown(
            "**Bigger latents.** In 10 or 20 dimensions no grid is possible; the best one can do "
            "is the "
            "importance-weighted bound with many samples. The zoo measures it on 500 test images "
            "(50 per digit):"
        )
        views.zoo_bounds()
elbo.prefetch_featured(key, idx)
frame.lesson_links(LESSON)
