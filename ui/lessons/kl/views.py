"""The views of KL weighting (pages/02_KL_weighting.py), each drawn where the page calls it: the
chosen rung's codes beside the ladder's rate and distortion and the draws' digit mix, what the
rung decodes, the 10-D ladder's dimensions; and the numbers its notices read (``facts``, for
``ui.lessons.kl.claims``). Widget and chart keys start with ``kl_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import altair_charts, render, style
from ui.draw.style import LATENT_RANGE
from ui.lessons import ladders
from ui.lessons.kl import claims
from ui.page import downloads, frame, loaders
from vae import latent, zoo
from vae.artefacts import CacheError
from vae.losses import ACTIVE_UNIT_THRESHOLD


def _rd_clicked() -> None:
    """A click on a point of the rate-distortion chart picks its β (the slider follows)."""
    try:
        pts = st.session_state["kl_rd"]["selection"]["kl_rd_sel"]
    except (TypeError, KeyError):
        return
    if pts and float(pts[0]["beta"]) in zoo.BETAS_2D:
        st.session_state["kl_beta"] = float(pts[0]["beta"])


def chosen_beta(
    rd: pd.DataFrame,
    missing: dict[str, None],
    beta: float,
    seed: int,
    subset: np.ndarray,
) -> None:
    """The first picture: the chosen rung's codes (``subset`` of the test set) beside the ladder's
    rate and distortion (``rd``, ``missing`` from ``ladders.beta_frame``), then the digit mix of
    the prior draws at this β and across the ladder."""
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
            frame.missing_note(missing, "this chart")
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


def decoded_views(name: str, beta: float, seed: int, every: bool) -> None:
    """Ten test digits through the chosen rung (or, with ``every``, every rung), and ten of the
    prior draws decoded."""
    shown = ladders.rungs(2, zoo.BETAS_2D if every else (beta,), beta if every else None)
    problems = ladders.reconstruction_rows(seed, shown)[2]  # cached: the chosen rung's first
    if name in problems:
        frame.cache_problem(problems[name])
    ladders.show_rows(
        seed,
        shown,
        "Each test digit is encoded to its mean code μ and decoded. Under each reconstruction: its "
        "reconstruction cost, BCE summed over the 784 pixels (nats; lower is more faithful).",
        download=(f"reconstructions-beta-seed{seed}.png", "kl_rec_png"),
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
    """The 10-D ladder (``ten``: ``ladders.dims_by_beta`` of its rungs): reconstructions (where a
    small β does sharpen them), per-dimension KL and active units."""
    _, problems = ladders.show_rows(
        seed,
        ladders.rungs(10, zoo.BETAS_10D),
        "The same ten test digits through the 10-D VAEs (decoded at μ; cost under each, in "
        "nats). With ten "
        "numbers instead of two, cheap rate (small β) does buy sharper reconstructions.",
        column_px=style.EXPANDER_PX,
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
    dims, active, ep10, missing10 = ten
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


def facts(rd: pd.DataFrame, beta: float, seed: int) -> claims.KlFacts:
    """The numbers of the notices at β (β = 1 the reference): each part None when one of its two
    models is not built (``rd``: ``ladders.beta_frame``'s table of the 2-D ladder)."""
    name, ref = zoo.beta_name(2, beta), zoo.beta_name(2, 1.0)
    try:
        spread = claims.Spread(
            ladders.code_spread(name),
            ladders.code_spread(ref),
            ladders.share_outside(name, *LATENT_RANGE),
        )
    except CacheError:
        spread = None
    try:
        d_b, d_1 = ladders.draw_stats(name, seed), ladders.draw_stats(ref, seed)
    except CacheError:
        draws = None
    else:
        draws = claims.Draws(
            float(np.median(d_b["gaps"])),
            float(np.median(d_1["gaps"])),
            float(d_b["tv"]),
            float(d_1["tv"]),
        )
    row, row1 = rd[rd["beta"] == beta], rd[rd["beta"] == 1.0]
    rate = None
    if not row.empty and not row1.empty:
        rate = claims.RateDistortion(
            *(
                float(r[col].iloc[0])
                for r, col in (
                    (row, "reconstruction (nats)"),
                    (row, "KL (nats)"),
                    (row1, "reconstruction (nats)"),
                    (row1, "KL (nats)"),
                )
            )
        )
    return claims.KlFacts(beta, LATENT_RANGE[1], spread, draws, rate)
