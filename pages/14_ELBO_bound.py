"""The ELBO is a bound: for a 2-D VAE, log p(x) by quadrature over the latent plane, the ELBO's gap
KL(q(z|x) || p(z|x)) and its two parts (Cremer, Li & Duvenaud 2018), and the importance-weighted
bound climbing towards log p(x) (Burda, Grosse & Salakhutdinov 2016). The numerics are in
``vae.bound`` and ``vae.likelihood``; this page holds the prose, the controls and the layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.lessons.elbo import claims
from ui.lessons.elbo import computed as elbo
from ui.lessons.elbo.computed import FEATURED, KS, POOL, exact
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from ui.server import heavy_queue, prefetch
from vae import artefacts, bound
from vae.latent import pick_digit
from vae.likelihood import IWAE_CURVE_K, IWAE_K

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
# example), so not one
# widget: links.state_from_url + links.state_to_url. The other controls are bound to the URL
# parameters named by their keys (links.url_widget).
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
queue_note = (
    st.empty()
)  # a new image costs seconds of quadrature: in turn, saying how many are ahead
b = heavy_queue.call(
    exact,
    key,
    idx,
    on_wait=lambda ahead: queue_note.info(
        f"Integrating p(x|z) p(z) over the latent plane for test #{idx}: {ahead} ahead of you on "
        "this server.",
        icon=":material/hourglass_top:",
    ),
)
queue_note.empty()
g = b.gap
has_path = b.path_elbo is not None

with left:
    step = links.url_widget(
        st.slider,
        "Refine q for this image: gradient steps",
        0,
        STEPS,
        value=STEPS,
        key="elbo_step",
        disabled=not has_path,
        parse=lambda raw: link_values.parse_int(raw, 0, STEPS, STEPS),
        help="Adam on this image's own μ and log σ, starting from the encoder's q; the decoder "
        "stays fixed.",
    )
    st.image(
        downloads.upscale(
            np.concatenate(
                [images[idx], model_calls.decode(name, codes["mu"][idx][None])[0]], axis=1
            ),
            5,
        ),
        caption=f"test #{idx}, a {labels[idx]}, and decoder(μ)",
        width=280,
        alt=f"Test #{idx}, a {labels[idx]}, and beside it {name}'s decoder at its mean code μ.",
    )

with right:
    mu_t = b.path_mu[step] if has_path else b.mu_best
    lv_t = b.path_logvar[step] if has_path else b.logvar_best
    fig = render.png(
        png_figures.posterior_figure,
        b.post / b.grid.area,
        b.grid.xs,
        b.grid.ys,
        codes["mu"][idx],
        codes["logvar"][idx],
        mu_t if (step > 0 or not has_path) else None,
        lv_t,
        codes["mu"],
        labels,
        f"p(z|x) of test #{idx}, {name}",
    )
    render.show(
        fig,
        alt=png_figures.posterior_alt(
            b.post / b.grid.area,
            b.grid.xs,
            b.grid.ys,
            codes["mu"][idx],
            codes["logvar"][idx],
            mu_t if (step > 0 or not has_path) else None,
            lv_t,
            f"test #{idx}, a {labels[idx]}, under {name}",
            step if has_path else None,
        ),
    )
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
    "grid: the "
    "decoder says how well each code explains this image, the prior how likely the code is. The "
    "black ellipse "
    "is the encoder's Gaussian guess q(z|x). The ELBO falls short of log p(x) by exactly the KL "
    "divergence between the two: where they differ is what the bound misses."
)

st.subheader("Where the gap comes from")
g1, g2 = st.columns([3, 2], gap="large")
with g1:
    if has_path:
        trace = pd.DataFrame({"step": np.arange(STEPS + 1), "ELBO": b.path_elbo})
        render.draw(
            render.spec(altair_charts.refine_chart, trace, g.log_px, int(step)),
            width="stretch",
            key="elbo_refine",
            alt=alt_text.curve(
                f"The ELBO of test #{idx} while q(z|x) is refined for it alone, step {int(step)} "
                f"marked, log p(x) = {g.log_px:.2f} as a line",
                trace["step"],
                trace["ELBO"],
                "step",
                "ELBO (nats)",
                ".2f",
            ),
        )
        stopped = claims.refine_caveat(claims.RefineFacts(tuple(b.path_elbo), g.elbo_best))
        if stopped:
            frame.caveat(stopped)
with g2:
    render.draw(
        render.spec(altair_charts.gap_chart, g.amortization, g.approximation),
        width="stretch",
        key="elbo_gap",
        alt=f"The gap "
        f"KL(q ‖ p(z|x)) of {g.gap:.2f} nats as one bar of two parts: amortization "
        f"{g.amortization:.2f}, then approximation {g.approximation:.2f}.",
    )
    st.markdown(
        f"The gap, {g.gap:.2f} nats, in two parts:  \n**Amortization** {g.amortization:.2f} nats "
        "(first segment): what a Gaussian fitted to this image alone gains over the encoder's.  \n"
        f"**Approximation** {g.approximation:.2f} nats (second, magenta): what no Gaussian closes."
    )

st.subheader("More samples, a tighter bound")
k = int(
    links.url_widget(
        st.select_slider,
        "k, samples from q(z|x) per estimate",
        options=list(KS),
        value=100,
        key="elbo_k",
        parse=lambda raw: link_values.parse_choice(raw, KS, 100),
    )
)
links.state_to_url({"elbo_idx": idx})  # after the page's last bound control
stats = heavy_queue.call(
    elbo.iwae_stats,
    key,
    idx,
    on_wait=lambda ahead: queue_note.info(
        f"Drawing 2,000 samples from q(z|x) for test #{idx}: {ahead} ahead of you on this server.",
        icon=":material/hourglass_top:",
    ),
)
queue_note.empty()
curve = {j: v[0] for j, v in stats.items()}
at_k, at_top = (
    claims.BoundFacts(j, *stats[j], g.elbo, g.log_px, g.accuracy) for j in (k, KS[-1])
)  # the bound at the chosen k, and at the largest
lines = pd.DataFrame({"what": ["log p(x)", "ELBO"], "nats": [g.log_px, g.elbo]})
i1, i2 = st.columns([3, 2], gap="large")
with i1:
    render.draw(
        render.spec(
            altair_charts.iwae_chart,
            pd.DataFrame({"k": KS, "bound": [curve[j] for j in KS]}),
            k,
            lines,
        ),
        width="stretch",
        key="elbo_iwae",
        alt=alt_text.curve(
            f"The importance-weighted bound of test #{idx} against k, samples per estimate "
            f"(k = {k} marked), below log p(x) = {g.log_px:.2f}; the ELBO is {g.elbo:.2f}",
            KS,
            [curve[j] for j in KS],
            "k",
            "nats",
            ".2f",
        ),
    )
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
obs = []
if g.gap > 2 * g.accuracy + 0.01:
    obs.append(
        f"The ELBO misses log p(x) by **{g.gap:.2f} nats** ({g.gap / -g.log_px:.1%} of −log p(x)): "
        "the −ELBO "
        "the other pages quote as a loss overstates, by this kind of margin, how badly the model "
        "explains an image."
    )
else:
    obs.append(
        f"Here the ELBO is within {g.gap:.2f} nats of log p(x), about the grid's accuracy "
        f"({g.accuracy:.3f}): for this image the encoder's Gaussian is all but the true posterior."
    )
if g.gap > 2 * g.accuracy + 0.01:
    if g.amortization > g.approximation:
        obs.append(
            f"**{g.amortization / g.gap:.0%} of the gap is amortization**: one encoder serves "
            "every image, and a "
            f"Gaussian fitted to this image alone gets within {g.approximation:.2f} nats of log "
            "p(x)."
        )
    else:
        obs.append(
            f"Most of the gap ({g.approximation:.2f} of {g.gap:.2f} nats) is approximation: the "
            "true posterior "
            "is not Gaussian here (look for a skewed or two-peaked blue map), so no Gaussian q can "
            "close it."
        )
if claims.above_elbo(at_top) and g.gap > 2 * g.accuracy + 0.01:
    closed = (
        curve[KS[-1]] - g.elbo
    ) / g.gap  # of the gap shown above, the same test as the bound's line
    obs.append(
        "Importance sampling with k = 1,000 samples closes "
        + (
            f"{closed:.0%} of the gap"
            if claims.below_px(at_top)
            else "the gap, within the estimate's noise,"
        )
        + " without changing the model or the encoder: the zoo's "
        "k = 1,000 numbers are this bound."
    )
frame.notice(obs)

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
        rows = []
        for n in ("vae-10d", "vae-20d"):
            m = loaders.info(n)["metrics"] if loaders.built(n) else {}
            if all(f"subset_iwae_k{j}" in m for j in IWAE_CURVE_K):
                rows += [
                    {"model": n, "k": j, "L_k (nats)": -m[f"subset_iwae_k{j}"]}
                    for j in IWAE_CURVE_K
                ]
                rows.append({"model": n, "k": IWAE_K, "L_k (nats)": -m["subset_iwae"]})
        if rows:
            render.draw(
                render.spec(altair_charts.iwae_models_chart, pd.DataFrame(rows)),
                width="stretch",
                key="elbo_iwae_zoo",
                alt=alt_text.listing_sentence(
                    "The importance-weighted bound L_k (nats, mean over 500 test images) against "
                    "k, per model",
                    (f"{r['model']} at k = {r['k']}: {r['L_k (nats)']:.2f}" for r in rows),
                ),
            )
            st.caption(
                "Averaged over the 500 images; every k uses the same 1,000 draws per image, in "
                "groups of k. "
                "Without an exact log p(x) nobody knows how much gap is left at k = 1,000."
            )
        else:
            st.caption("Not measured for these models yet: `python -m vae.build` stores it.")
for (
    other
) in FEATURED:  # the images a class clicks next: integrated in the background, once per server
    if other != idx:
        prefetch.later(exact, key, other, idle=True)
        prefetch.later(elbo.iwae_stats, key, other, idle=True)
frame.lesson_links(LESSON)
