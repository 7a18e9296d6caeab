"""KL weighting: what the weight beta of the KL term trades in a beta-VAE (Higgins et al. 2017).

One 2-D VAE per rung of the ladder ``vae.zoo.BETAS_2D`` and three 10-D VAEs (``BETAS_10D``): the
codes, reconstructions, prior samples and training curves of one beta, the rate-distortion
picture of the whole ladder (Alemi et al. 2018), per-dimension KL and active units in 10-D
(Burda et al. 2016), and a converter between averaged and summed loss conventions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import altair_charts, render
from ui.draw.style import LATENT_RANGE
from ui.lessons import ladders, words
from ui.lessons.kl import converter
from ui.page import downloads, frame, link_values, links, loaders
from ui.server import prefetch
from vae import latent, zoo
from vae.artefacts import CacheError
from vae.losses import ACTIVE_UNIT_THRESHOLD

LESSON = frame.setup_page(
    __file__,
    "what the weight β of the KL term trades: rate (how far each posterior may stray from the "
    "prior) "
    "against distortion (how well the image comes back), and what that does to the codes and to "
    "samples from the prior.",
)

SEED_MAX = 9999
# total variation: two points, visible in the whole percentages shown, before the mix "changes"
MIX_DIFF = 0.02
GAP_DIFF = 0.2  # typical gaps (shown to one decimal) before the draws land "closer" or "further"


with frame.cache_guard():
    loaders.test_set()  # every view below needs the test set: without it the page stops here
    subset = loaders.scatter_subset()

# --- the ladder's numbers
# -------------------------------------------------------------------------------------

rd, ladder_missing = ladders.beta_frame(
    2, zoo.BETAS_2D
)  # the whole 2-D ladder, as far as it is built


def _rd_clicked() -> None:
    try:
        pts = st.session_state["kl_rd"]["selection"]["kl_rd_sel"]
    except (TypeError, KeyError):
        return
    if pts and float(pts[0]["beta"]) in zoo.BETAS_2D:
        st.session_state["kl_beta"] = float(pts[0]["beta"])


def chosen_beta(rd: pd.DataFrame, beta: float, seed: int) -> None:
    """The first picture: the chosen rung's codes beside the ladder's rate and distortion, then the
    digit mix of the prior draws at this β and across the ladder."""
    name = zoo.beta_name(2, beta)
    col_codes, col_rd = st.columns(2, gap="large")
    with col_codes:
        try:
            spec = ladders.codes_spec(name, seed)
        except CacheError as exc:
            frame.cache_problem(exc)
        else:
            render.draw(spec, width="content", key="kl_scatter", alt=ladders.codes_alt(name))
            n_out = int(
                latent.outside_box(
                    np.asarray(loaders.codes(name)["mu"])[subset], *LATENT_RANGE
                ).sum()
            )
            st.caption(
                f"{len(subset):,} test digits' codes, the same axes for every β; dotted: the "
                "circle holding 99 % of the prior; small crosses: 300 draws z ~ N(0, I)."
                + (f" **{n_out:,}** codes lie off these axes and are not drawn." if n_out else "")
            )
    with col_rd:
        if rd.empty:
            st.info(
                "No model of the β ladder is built yet, so there is nothing to plot.",
                icon=":material/hourglass_empty:",
            )
        else:
            chart = render.spec(altair_charts.rd_chart, rd, "kl_rd_sel")
            chosen = rd[rd["beta"] == beta]
            if not chosen.empty:
                chart = render.overlay(
                    chart,
                    render.with_data(render.spec(altair_charts.rd_chosen, rd.iloc[:1]), chosen),
                )
            render.draw(
                chart,
                width="stretch",
                key="kl_rd",
                on_select=_rd_clicked,
                alt=ladders.rd_alt(rd, beta),
            )
            st.caption(
                "Test-set averages over the 10,000 test digits (one posterior sample each); the "
                "red ring is the chosen β"
                + (
                    "; dashed: the points with the β = 1 model's −ELBO (rate + distortion)."
                    if (rd["beta"] == 1.0).any()
                    else "."
                )
                + (
                    f" Training budgets: {ladders.epochs_words(rd)}."
                    if rd["epochs"].nunique() > 1
                    else ""
                )
            )
            frame.missing_note(ladder_missing, "this chart")
    specs = ladders.mix_specs(zoo.BETAS_2D, beta, seed)
    if specs is None:
        return
    m1, m2 = st.columns([3, 2], gap="large")
    for spec, col, key, said in zip(
        specs, (m1, m2), ("kl_mix", "kl_tv"), ladders.mix_alts(zoo.BETAS_2D, beta, seed)
    ):
        render.draw(spec, col, key=key, width="stretch", alt=said)
    st.caption(
        "Each draw counts as the digit of its nearest test code: roughly what the decoder draws "
        "there. Distance: total variation (0 % = the same mix as the test set)."
    )


def decoded_views(name: str, beta: float, seed: int) -> None:
    """Ten test digits through the chosen rung (or every rung), and ten of the prior draws
    decoded."""
    every = links.url_widget(
        st.toggle,
        "compare every β of the ladder",
        value=False,
        key="kl_every",
        parse=link_values.parse_bool,
        help="One row of reconstructions per built 2-D model, the same test digits.",
    )
    shown = ladders.rungs(2, zoo.BETAS_2D if every else (beta,), beta if every else None)
    rows, captions, problems = ladders.reconstruction_rows(seed, shown)
    if name in problems:
        frame.cache_problem(problems[name])
    if len(rows) > 1:
        png = ladders.rows_png(rows, captions)
        downloads.download_png(png, f"reconstructions-beta-seed{seed}.png", key="kl_rec_png")
        render.show(png, alt=ladders.rows_alt(seed, shown, rows, captions))
        st.caption(
            "Each test digit is encoded to its mean code μ and decoded. Under each reconstruction: "
            "its "
            "reconstruction cost, BCE summed over the 784 pixels (nats; lower is more faithful)."
        )
    if every:
        frame.missing_note({n: e for n, e in problems.items() if n != name}, "the rows above")
    try:
        png = ladders.prior_png(name, seed)
    except CacheError:
        st.info(
            f"`{name}` is not available, so there is nothing to sample from yet.",
            icon=":material/hourglass_empty:",
        )
        return
    downloads.download_png(png, f"prior-samples-{name}-seed{seed}.png", key="kl_prior_png")
    render.show(png, alt=ladders.prior_alt(name, seed))
    st.caption(
        "The first ten of the draws z ~ N(0, I) on the map, decoded; under each, its code (z₁, z₂)."
    )


def ten_d(seed: int, ten: tuple) -> None:
    """The 10-D ladder: reconstructions (where a small β does sharpen them), per-dimension KL and
    active units."""
    rows, captions, problems = ladders.reconstruction_rows(
        seed, shown := ladders.rungs(10, zoo.BETAS_10D)
    )
    if len(rows) > 1:
        render.show(
            ladders.rows_png(rows, captions), alt=ladders.rows_alt(seed, shown, rows, captions)
        )
        st.caption(
            "The same ten test digits through the 10-D VAEs (decoded at μ; cost under each, in "
            "nats). With ten "
            "numbers instead of two, cheap rate (small β) does buy sharper reconstructions."
        )
    frame.missing_note(problems, "the rows above")
    frame.caveat(
        "With more latent dimensions than the data needs, the KL term can switch dimensions off: "
        "for such a "
        "dimension q(zᵢ|x) equals the prior for every image (μᵢ ≈ 0, σᵢ ≈ 1), it costs no KL and "
        "carries no "
        "information. A dimension counts as **active** when its mean code varies across the test "
        "images, "
        rf"Var\_x(μᵢ) > {ACTIVE_UNIT_THRESHOLD:g} (Burda et al. 2016)."
    )
    dims, active, ep10, missing10 = ten  # ladders.dims_by_beta of the 10-D rungs
    if dims is not None:
        ladders.dims_columns(dims, active, {b: zoo.beta_name(10, b) for b in zoo.BETAS_10D}, "kl")
        st.caption(
            "Mean over the 10,000 test digits of each dimension's KL(q(zᵢ|x) ‖ N(0, 1)), same "
            "scale on all three charts. Grey bars: inactive dimensions."
            + ladders.switch_off_words(dims, active)
            + (
                ""
                if len(set(ep10.values())) == 1
                else " Training budgets differ ("
                + ", ".join(f"β = {b:g}: {e} epochs" for b, e in ep10.items())
                + "), a second difference between these models besides β."
            )
        )
        downloads.download_csv(
            dims.rename(columns={"var_mu": "Var(mu)"}),
            "kl-per-dimension-10d.csv",
            key="kl_dims_csv",
        )
    frame.missing_note(missing10, "the 10-D comparison")


def notices(rd: pd.DataFrame, beta: float, seed: int) -> list[str]:
    """At most three points, each from the numbers on screen and reacting to the chosen β (β = 1 is
    the reference)."""
    obs, name, ref = [], zoo.beta_name(2, beta), zoo.beta_name(2, 1.0)
    try:
        r_b, r_1 = ladders.code_spread(name), ladders.code_spread(ref)
        out_b = ladders.share_outside(name, *LATENT_RANGE)
    except CacheError:
        r_b = None
    if r_b is not None:
        where = (
            "close to" if abs(r_b - np.sqrt(2)) < 0.2 else "below" if r_b < np.sqrt(2) else "above"
        )
        obs.append(
            f"**The codes' spread.** At β = {beta:g} the codes' root-mean-square distance from the "
            "origin is "
            f"**{r_b:.2f}**, {where} the prior's own √2 ≈ 1.41"
            + (
                ""
                if beta == 1.0
                else f" (β = 1: {r_1:.2f}; "
                + (
                    "they spread further out)"
                    if r_b > 1.05 * r_1
                    else "they are squeezed toward the origin)"
                    if r_b < 0.95 * r_1
                    else "about as spread out)"
                )
            )
            + f"; {words.pct(out_b)} lie off the ±{LATENT_RANGE[1]:g} axes."
        )
    try:
        d_b, d_1 = ladders.draw_stats(name, seed), ladders.draw_stats(ref, seed)
    except CacheError:
        d_b = None
    if d_b is not None:
        g_b, g_1 = float(np.median(d_b["gaps"])), float(np.median(d_1["gaps"]))
        tv_b, tv_1 = float(d_b["tv"]), float(d_1["tv"])
        text = (
            f"**The draws.** At β = {beta:g} a draw z ~ N(0, I) lands a median **{g_b:.1f}** "
            "typical gaps from the "
            f"nearest test code, and the draws' digit mix is **{words.pct(tv_b)}** off the test "
            "set's"
        )
        if beta == 1.0:
            text += (
                ": the VAE's promise, draws from the prior land among the codes in about the "
                "data's mix."
            )
        else:
            text += f" (β = 1: {g_1:.1f} gaps, {words.pct(tv_1)} off). "
            worse, better = (
                tv_b > tv_1 + MIX_DIFF,
                tv_b < tv_1 - MIX_DIFF,
            )  # differences a student can see
            further, closer = g_b > g_1 + GAP_DIFF, g_b < g_1 - GAP_DIFF
            if worse and not further:
                text += (
                    "So the draws do not fall into holes; they fall among the wrong digits: the "
                    "codes no longer lie where the prior puts its mass."
                )
            elif worse:
                text += "The draws land further from real codes, and in a worse mix, than at β = 1."
            else:
                text += (
                    "The mix is better than at β = 1"
                    if better
                    else "The mix is about as good as at β = 1"
                ) + (
                    ", though the draws land further from real codes."
                    if further
                    else ", and the draws land closer to real codes."
                    if closer
                    else "."
                )
        obs.append(text)
    row, row1 = rd[rd["beta"] == beta], rd[rd["beta"] == 1.0]
    if not row.empty and not row1.empty:
        rec, kl = float(row["reconstruction (nats)"].iloc[0]), float(row["KL (nats)"].iloc[0])
        rec1, kl1 = float(row1["reconstruction (nats)"].iloc[0]), float(row1["KL (nats)"].iloc[0])
        text = (
            f"**Rate and distortion.** At β = {beta:g}: reconstruction **{rec:.1f}** nats and "
            f"KL **{kl:.2f}**"
        )
        if beta == 1.0:
            text += (
                "; move β to see the trade: larger β, up and to the left (less rate, more "
                "distortion)."
            )
        else:
            text += f" ({rec - rec1:+.1f} and {kl - kl1:+.2f} against β = 1)" + (
                ": less rate, more distortion, as the trade says."
                if kl < kl1 and rec > rec1
                else ": more rate, less distortion, as the trade says."
                if kl > kl1 and rec < rec1
                else ": here both move the same way. Each rung is one training run; the trade is "
                "the tendency "
                "across the whole ladder (the chart), not a law for every pair of rungs."
            )
        obs.append(text)
    return obs or [
        "The numbers appear here once the models of the β ladder are built (`python -m vae.build`)."
    ]


# --- the page
# ------------------------------------------------------------------------------------------

c1, c2 = st.columns(
    [3, 1]
)  # both bound to the URL (?kl_beta=2&kl_seed=3): ui.page.links.url_widget
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
seed = int(
    links.url_widget(
        c2.number_input,
        "seed of the draws and digits",
        min_value=0,
        max_value=SEED_MAX,
        value=0,
        step=1,
        key="kl_seed",
        parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
    )
)
name = zoo.beta_name(2, beta)
chosen_beta(rd, beta, seed)

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
decoded_views(name, beta, seed)
links.state_to_url()  # after the page's last bound control (kl_every, in decoded_views)
i = zoo.BETAS_2D.index(
    beta
)  # the rungs either side are drawn in the background, for the next move of β
for b in zoo.BETAS_2D[i + 1 : i + 2] + zoo.BETAS_2D[max(i - 1, 0) : i]:
    if loaders.built(zoo.beta_name(2, b)):  # a rung not built has nothing to draw ahead
        prefetch.later(ladders.rung_figures, b, seed)
frame.notice(notices(rd, beta, seed))
with st.expander(f"How `{name}` trained", icon=":material/monitoring:"):
    ladders.training_curves(name, f"The model minimised reconstruction + {beta:g} × KL.", "kl")
ten = ladders.dims_by_beta({b: zoo.beta_name(10, b) for b in zoo.BETAS_10D})
off10 = ten[0] is not None and bool((ten[0]["active"] != "active").any())
frame.folded(
    "In 10 dimensions: sharper reconstructions at small β, and "
    + ("switched-off units" if off10 else "what a large β does to each dimension"),
    "kl_10d_open",
    ":material/view_column:",
    ten_d,
    seed,
    ten,
)
with st.expander(
    "The same weight means different β: averaged vs summed losses", icon=":material/calculate:"
):
    converter.converter("kl")
frame.lesson_links(LESSON)
