"""The views of AE vs VAE (pages/01_AE_vs_VAE.py), each drawn where the page calls it: both code
maps with the same prior draws, the digit mix the draws land on, the draws and a picked digit's
posterior decoded, each decoder's whole map and ten reconstructions; and the numbers its notices
read (``draw_facts``, ``recon_facts``, for ``ui.lessons.ae_vs_vae.claims``). Widget and chart keys
start with ``aevae_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.draw.style import LATENT_RANGE
from ui.lessons import words
from ui.lessons.ae_vs_vae import claims as ac
from ui.lessons.model_facts import code_spacing
from ui.page import downloads, loaders, model_calls
from vae import arrays, latent, prior

AE, VAE = "ae-2d", "vae-2d"
N_MIX = model_calls.N_PRIOR_DRAWS  # draws z ~ N(0, I) counted by the digit of the nearest test code
N_SHOWN = 400  # of them drawn on the maps
N_DECODED = 10  # of them decoded as images
N_POSTERIOR = 6  # decoded samples of the clicked digit's posterior
FAR = model_calls.FAR_GAPS  # a draw this many typical gaps from every test code: in empty space
MIX_SOURCES = ("AE draws", "VAE draws", "test set")
MIX_COLORS = ("ink", "#8a8f99", "#c5cad3")  # "ink": the theme's text colour
ROWS = ("AE decoder", "VAE decoder")  # the decoded draws' rows
VAE_DOMAINS = (LATENT_RANGE, LATENT_RANGE)  # the VAE map's axes (the AE's when it shows the prior)


@st.cache_data(show_spinner=False, max_entries=4)
def recon_at_mean(key: tuple[str, str, int]) -> float:
    """Mean reconstruction loss over the 10,000 test digits decoded from mu (the AE: its code), in
    nats."""
    return float(arrays.recon_at_mean(loaders.model(key[0]), loaders.test_images_float()).mean())


def _on_click(chart_key: str, select: str) -> None:
    """A click on a dot of either map picks that test digit (kept in the link by the page)."""
    try:
        pts = st.session_state[chart_key]["selection"][select]
    except (TypeError, KeyError):
        return
    if pts:
        st.session_state["aevae_pick"] = int(pts[0]["index"])


def code_maps(
    ae_mu: np.ndarray,
    vae_mu: np.ndarray,
    vae_lv: np.ndarray,
    labels: np.ndarray,
    subset: np.ndarray,
    pick: int,
    zz: np.ndarray,
    axes: str,
) -> np.ndarray:
    """Both models' code maps side by side (``subset`` of the codes (N, 2)), the first draws of
    ``zz`` (N_MIX, 2) as crosses and the picked digit marked; the AE's on axes fitted to its codes
    (``axes`` "codes") or the prior's square. -> the picked digit's posterior at 2σ (100, 2), the
    dashed ellipse on the VAE's map (its log-variance ``vae_lv`` (2,))."""
    draws = pd.DataFrame({"x": zz[:N_SHOWN, 0], "y": zz[:N_SHOWN, 1]})
    circle = prior.circle(prior.radius(0.99))  # (121, 2)
    ae_domains = (
        altair_charts.square_domains(np.concatenate([ae_mu[subset], circle]))
        if axes == "codes"
        else VAE_DOMAINS
    )
    ring = latent.ellipse(vae_mu[pick], vae_lv, k=2.0)  # (100, 2)
    left, right = st.columns(2)
    for col, name, mu, domains, title, r in (
        (left, AE, ae_mu, ae_domains, "AE codes", None),
        (right, VAE, vae_mu, VAE_DOMAINS, "VAE codes μ", ring),
    ):
        tag = "ae" if name == AE else "vae"
        # outside the axes: drawn at their edge
        at = [float(np.clip(mu[pick, k], *domains[k])) for k in (0, 1)]
        spec = render.fill(
            render.spec(
                altair_charts.landing_chart,
                model_calls.subset_codes(name),
                None,
                altair_charts.SLOT,
                None if r is None else altair_charts.SLOT,
                domains,
                "z₁",
                "z₂",
                title,
                prior_circle=True,
                side=330,
                draws=altair_charts.SLOT,
                select=f"aevae_sel_{tag}",
                legend=name == VAE,
            ),
            **altair_charts.landing_rows((at[0], at[1]), f"#{pick}", r, draws),
        )
        with col:
            render.draw(
                spec,
                key=f"aevae_chart_{tag}",
                width="content",
                on_select=lambda k=f"aevae_chart_{tag}", s=f"aevae_sel_{tag}": _on_click(k, s),
                alt=alt_text.scatter(
                    f"{title} of {name}, test #{pick} ({words.a_digit(labels[pick])}) marked, "
                    f"{N_SHOWN} prior draws as crosses; click a dot to pick it",
                    mu[subset],
                    labels[subset],
                    legend=name == VAE,
                ),
            )
    return ring


def draw_facts(
    st_ae: dict[str, Any],
    st_vae: dict[str, Any],
    labels: np.ndarray,
    ae_mu: np.ndarray,
    vae_mu: np.ndarray,
) -> ac.DrawFacts:
    """The numbers of the draws' notices, from both models' ``model_calls.prior_draw_stats`` of one
    seed, the test labels (N,) and codes (N, 2)."""
    gap_ae, gap_vae = code_spacing(AE, 1), code_spacing(VAE, 1)  # typical gaps, once per server
    h_test = np.bincount(labels, minlength=10)[:10] / len(labels)
    return ac.DrawFacts(
        N_MIX,
        FAR,
        tuple(st_ae["mix"]),
        tuple(st_vae["mix"]),
        tuple(h_test),
        st_ae["tv"],
        st_vae["tv"],
        gap_ae,
        gap_vae,
        st_ae["far"],
        st_vae["far"],
        # in latent units: a draw is the same z for both models, so like with like
        float(np.median(st_ae["gaps"] * gap_ae)),
        float(np.median(st_vae["gaps"] * gap_vae)),
        prior.share_inside(ae_mu, 0.99),
        prior.share_inside(vae_mu, 0.99),  # and codes spread exactly like the prior:
        latent.matched_far_share(len(vae_mu), N_MIX, 2, FAR),
    )


def digit_mix(f: ac.DrawFacts) -> None:
    """The digit mix the draws land on for each model, beside the test set's, and its distances."""
    h = [np.asarray(f.h_ae), np.asarray(f.h_vae), np.asarray(f.h_test)]  # (10,) each
    mix = pd.DataFrame(
        {
            "digit": [str(k) for k in range(10)] * 3,
            "source": np.repeat(MIX_SOURCES, 10),
            "share": np.concatenate(h),
        }
    )
    render.draw(
        altair_charts.mix_chart_filled(
            mix,
            MIX_SOURCES,
            MIX_COLORS,
            f"Which digit {f.n:,} draws z ~ N(0, I) land on (the digit of the nearest test code)",
        ),
        key="aevae_mix_chart",
        width="stretch",
        alt=alt_text.mix(f"Which digit {f.n:,} prior draws land on", MIX_SOURCES, h),
    )
    st.caption(
        "Distance of each mix from the test set's (total variation, 0 % = the same mix): AE "
        f"{words.pct(f.tv_ae)}, VAE {words.pct(f.tv_vae)}. The dotted circle holds 99 % of the "
        f"prior; {N_SHOWN} of the draws are shown."
    )


def decoded_draws(
    zz: np.ndarray, seed: int, f: ac.DrawFacts, st_ae: dict[str, Any], st_vae: dict[str, Any]
) -> None:
    """The first draws of ``zz`` through each decoder, each captioned with its distance to the
    model's nearest test code in latent units."""
    z10 = zz[:N_DECODED]  # (10, 2): the first draws, also on the maps
    dz_ae = st_ae["gaps"][:N_DECODED] * f.gap_ae  # (10,) each, in latent units
    dz_vae = st_vae["gaps"][:N_DECODED] * f.gap_vae
    # "d = ", not "... away": ten captions side by side at 10 pt fit the page's column so
    caps = [
        [f"({z[0]:.1f}, {z[1]:.1f})\nd = {g:.3f}" for z, g in zip(np.round(z10, 1) + 0.0, dz_ae)],
        [f"d = {g:.3f}" for g in dz_vae],
    ]
    png = render.png(
        png_figures.image_rows,
        dict(zip(ROWS, (model_calls.decode(AE, z10), model_calls.decode(VAE, z10)))),
        captions=caps,
        size=1.2,
        fontsize=10,
    )
    render.show(
        png,
        alt=alt_text.rows(
            f"The first {N_DECODED} prior draws z (seed {seed}) decoded by {AE} (top row) and "
            f"{VAE} (bottom). By the nearest test code, {alt_text.landed(AE, z10)}; "
            f"{alt_text.landed(VAE, z10)}",
            list(ROWS),
            caps,
        ),
    )
    st.caption(
        f"The first {N_DECODED} draws z (under the top row) through each decoder. "
        + ac.draw_caption(f.gap_ae, f.gap_vae)
    )


def posterior(
    pick: int,
    seed: int,
    images: np.ndarray,
    labels: np.ndarray,
    ae_mu: np.ndarray,
    vae_mu: np.ndarray,
    vae_lv: np.ndarray,
    ring: np.ndarray,
    gap_vae: float,
) -> None:
    """The picked test digit, each model's reconstruction from its code, and samples of the VAE's
    posterior decoded (``ring``: its 2σ ellipse on the map, ``gap_vae``: the VAE's typical gap)."""
    zs = latent.posterior_samples(vae_mu[pick], vae_lv, N_POSTERIOR, seed=[seed, 2, pick])  # (6, 2)
    ae_rec, vae_rec = (
        model_calls.decode(AE, ae_mu[pick][None])[0],
        model_calls.decode(VAE, vae_mu[pick][None])[0],
    )
    strip = np.stack([images[pick], ae_rec, vae_rec, *model_calls.decode(VAE, zs)])
    render.show(
        render.png(
            png_figures.image_strip,
            strip,
            [f"#{pick} ({words.a_digit(labels[pick])})", "AE", "VAE at μ"]
            + [f"sample {k + 1}" for k in range(N_POSTERIOR)],
            size=0.95,
            fontsize=10,
        ),
        alt=f"Test digit #{pick}, {words.a_digit(labels[pick])}; its reconstruction by {AE} and by "
        f"{VAE} from μ; then {N_POSTERIOR} codes drawn from {VAE}'s posterior, decoded: their "
        "nearest test "
        f"codes are {alt_text.digits(alt_text.nearest_digits(VAE, zs))}.",
    )
    sd = np.exp(0.5 * vae_lv)  # (2,)
    facts = ac.PosteriorFacts(
        pick,
        N_POSTERIOR,
        (float(sd[0]), float(sd[1])),
        altair_charts.hidden_by_marker(ring, VAE_DOMAINS),
        gap_vae,
        mu=(float(vae_mu[pick][0]), float(vae_mu[pick][1])),
        domains=VAE_DOMAINS,
    )
    st.caption(ac.posterior_caption(facts)[1])
    downloads.download_png(
        model_calls.tile(strip, len(strip)), f"ae-vs-vae-digit-{pick}.png", key="aevae_pick_png"
    )


def recon_facts() -> ac.ReconFacts:
    """Each model's mean reconstruction loss over the test digits, from its code (the VAE's μ)."""
    return ac.ReconFacts(
        recon_at_mean(model_calls.model_key(AE)), recon_at_mean(model_calls.model_key(VAE))
    )


def whole_maps(n: int, ae_mu: np.ndarray) -> None:
    """Each decoder's whole map as an n x n mosaic: the AE's over its codes' 0.5-99.5 % quantiles,
    the VAE's at a ppf grid over the prior."""
    xs_ae, ys_ae = latent.bounding_box_axes(ae_mu, n)
    xs_v = ys_v = latent.ppf_axis(n)
    g1, g2 = st.columns(2)
    for col, name, xs, ys, title in (
        (g1, AE, xs_ae, ys_ae, "AE decoder, its codes' 0.5-99.5 % quantiles"),
        (g2, VAE, xs_v, ys_v, "VAE decoder over the prior (ppf grid)"),
    ):
        grid = model_calls.decoded_mosaic_png(
            name,
            latent.grid_2d(xs, ys),
            n,
            n,
            xs=xs,
            ys=ys,
            xlabel="z₁",
            ylabel="z₂",
            title=title,
            column_px=style.column_px(0.5, 2, style.EXPANDER_PX),
        )
        where = " between its codes' 0.5 and 99.5 % quantiles" if name == AE else " over the prior"
        render.show(grid, col, alt=alt_text.grid(name, xs, ys, where))
        with col:
            downloads.download_png(grid, f"{name}-grid-{n}.png", key=f"aevae_grid_png_{name}")
    st.caption(
        f"AE: z₁ from {xs_ae[0]:.3g} to {xs_ae[-1]:.3g}, z₂ from {ys_ae[0]:.3g} to {ys_ae[-1]:.3g} "
        f"(its codes' 0.5 … 99.5 % quantiles). VAE: z from {xs_v[0]:.2f} to {xs_v[-1]:.2f}, at "
        "equal steps of prior probability (see *Grid vs ppf sampling*)."
    )


def ten_reconstructions(
    seed: int,
    labels: np.ndarray,
    images: np.ndarray,
    ae_mu: np.ndarray,
    vae_mu: np.ndarray,
    vae_recon: np.ndarray,
    metrics: tuple[dict[str, float], dict[str, float]],
) -> None:
    """One test digit of each class (chosen by the seed), both models' reconstructions and their
    costs, against the one-sample loss ``vae_recon`` (N,) of the test metrics (``metrics``: the
    AE's and the VAE's)."""
    idx = latent.random_members(labels, seed)  # (10,): one test digit of each class
    x = np.array(images[idx])  # (10, 28, 28), a copy
    loss_ae = arrays.recon_at_mean(loaders.model(AE), x)
    loss_vae = arrays.recon_at_mean(loaders.model(VAE), x)
    rows = {
        "original": x,
        "AE": model_calls.decode(AE, ae_mu[idx]),
        "VAE (from μ)": model_calls.decode(VAE, vae_mu[idx]),
    }
    render.show(
        render.png(
            png_figures.image_rows,
            rows,
            captions=[
                [f"#{i} ({labels[i]})" for i in idx],
                [f"{v:.1f} nats" for v in loss_ae],
                [f"{v:.1f} nats" for v in loss_vae],
            ],
            size=1.1,
            fontsize=10,
            column_px=style.EXPANDER_PX,
        ),
        alt=f"One test digit of each class (seed {seed}), {AE}'s reconstruction and {VAE}'s from "
        "μ, with each one's cost. By the nearest test image, "
        f"{alt_text.changes(labels[idx], alt_text.looks_like(rows['AE'], idx), AE)}; "
        f"{alt_text.changes(labels[idx], alt_text.looks_like(rows['VAE (from μ)'], idx), VAE)}.",
    )
    one = np.asarray(vae_recon)[idx]
    table = pd.DataFrame(
        {
            "test index": idx,
            "digit": labels[idx].astype(int),
            "AE (nats)": loss_ae.round(1),
            "VAE from μ (nats)": loss_vae.round(1),
            "VAE, one sample z (nats)": one.round(1),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        "One test digit of each class, chosen by the seed. The last column is the one-sample "
        "estimate behind the test metrics elsewhere in the app: the VAE decodes a random "
        f"z = μ + σ ⊙ ε instead of μ, which costs more for {int((one > loss_vae).sum())} of these "
        "10 digits. " + loaders.budget_note([AE, VAE])
    )
    downloads.download_csv(
        table, f"ae-vs-vae-reconstructions-seed{seed}.csv", key="aevae_recon_csv"
    )
    am, vm = metrics
    st.markdown(
        f"Whole test set, one sample: the VAE's reconstruction {vm['test_recon']:.1f} nats + KL "
        f"{vm['test_kl']:.2f} = −ELBO {vm['test_elbo']:.1f}; the AE's reconstruction "
        f"{am['test_recon']:.1f}."
    )
