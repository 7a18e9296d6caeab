"""AE vs VAE: the same encoder/decoder pair with a 2-D code, trained two ways.

The plain autoencoder (``ae-2d``) is trained on reconstruction alone, the VAE (``vae-2d``) on the
ELBO: reconstruction plus the KL term that ties every posterior q(z|x) to the prior N(0, I). The
page shows where each puts the test digits, what each decoder makes of a grid and of random
draws from the prior, and what the KL term costs in reconstruction.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, params
from ui import words
from ui import common as ui
import torch  # noqa: E402 - after ui, which sets OMP_NUM_THREADS first
from vae import latent, neighbours, prior
from vae.losses import recon_bce
from ui.style import GRID_N_DEFAULT, GRID_N_RANGE, LATENT_RANGE

AE, VAE = "ae-2d", "vae-2d"
N_SAMPLES = 10  # draws z ~ N(0, I) shown as images
N_MIX = 2000  # draws z ~ N(0, I) counted by the digit of the nearest test code
MIX_SOURCES = ("AE draws", "VAE draws", "test set")
MIX_COLORS = ("#1f2430", "#8a8f99", "#d0d4db")
SEED_MAX = 1_000_000
SEED_DEFAULT = 0

LESSON = ui.setup_page(__file__,
              "why a VAE can *generate* new digits while a plain autoencoder can't, although both squeeze "
              "every digit into the same two numbers with the same network.")

# --- the idea ----------------------------------------------------------------------------------

st.header("The idea")
st.markdown(
    "Both models have the same convolutional encoder and decoder and a **2-D code**. "
    "The **autoencoder (AE)** maps an image to one point $z = f(x)$ and is trained only to "
    "reconstruct the image from it:")
st.latex(r"\mathcal{L}_{\mathrm{AE}}(x) = -\log p\big(x \mid z = f(x)\big)"
         r" = \sum_{i=1}^{784} \mathrm{BCE}\big(x_i, \hat x_i\big)")
st.markdown(
    "The **variational autoencoder (VAE)** maps an image to a *distribution* "
    "$q(z \\mid x) = \\mathcal{N}\\big(\\mu(x), \\operatorname{diag}\\sigma^2(x)\\big)$ and decodes a "
    "**sample** of it, drawn with the *reparameterization trick*:")
st.latex(r"z = \mu + \sigma \odot \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, I)")
st.markdown("It maximises the evidence lower bound (ELBO), a reconstruction term minus a KL term:")
st.latex(r"\mathrm{ELBO}(x) = \mathbb{E}_{q(z \mid x)}\big[\log p(x \mid z)\big]"
         r" - \mathrm{KL}\big(q(z \mid x)\,\|\,p(z)\big), \qquad p(z) = \mathcal{N}(0, I)")
st.latex(r"\mathrm{KL}\big(q(z \mid x)\,\|\,\mathcal{N}(0, I)\big)"
         r" = \tfrac12 \sum_{j=1}^{2} \big(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2\big)")
ui.secondary(
    "- **Why the trick?** Drawing $z$ at random is not differentiable. Writing the draw as "
    "$\\mu + \\sigma \\odot \\varepsilon$ moves the randomness into $\\varepsilon$, which does not depend "
    "on the network, so gradients flow into $\\mu$ and $\\sigma$.\n"
    "- **Reconstruction term** $-\\mathbb{E}_q[\\log p(x \\mid z)]$: binary cross-entropy summed over the "
    "784 pixels, in nats. It wants every code to decode to *its* image, exactly what the AE wants too.\n"
    "- **KL term**: it is zero only when $\\mu = 0$ and $\\sigma = 1$. It pulls every image's code "
    "towards the origin and keeps it blurry (σ > 0), so the codes of all digits fill the prior "
    "$\\mathcal{N}(0, I)$ without holes. That is what lets you *generate*: draw $z$ from the prior, "
    "decode it. The AE has no such pressure: its codes may sit anywhere, at any scale, with gaps in between."
)

with ui.cache_guard():
    ae_model, vae_model = ui.model(AE), ui.model(VAE)
    ae_info, vae_info = ui.info(AE), ui.info(VAE)
    ae_codes, vae_codes = ui.codes(AE), ui.codes(VAE)
    _, labels = ui.test_set()
    images = ui.test_images_float()
    subset = ui.scatter_subset()

ae_mu = np.asarray(ae_codes["mu"], dtype=np.float64)  # (N, 2), a copy: cached arrays are read-only
vae_mu = np.asarray(vae_codes["mu"], dtype=np.float64)  # (N, 2)
ae_m, vae_m = ae_info["metrics"], vae_info["metrics"]

st.subheader("The two losses, measured")
c = st.columns(4)
c[0].metric("AE reconstruction", f"{ae_m['test_recon']:.1f} nats")
c[1].metric("VAE reconstruction", f"{vae_m['test_recon']:.1f} nats",
            delta=f"{vae_m['test_recon'] - ae_m['test_recon']:+.1f} vs AE", delta_color="inverse")
c[2].metric("VAE KL", f"{vae_m['test_kl']:.2f} nats")
c[3].metric("VAE −ELBO", f"{vae_m['test_elbo']:.1f} nats")
st.latex(rf"-\mathrm{{ELBO}}_{{\mathrm{{VAE}}}} = \underbrace{{{vae_m['test_recon']:.1f}}}_{{\text{{reconstruction}}}}"
         rf" + \underbrace{{{vae_m['test_kl']:.2f}}}_{{\mathrm{{KL}}}} = {vae_m['test_elbo']:.1f}"
         r"\ \text{nats per test image}")
metrics_table = pd.DataFrame([
    {"model": AE, "test_recon (nats)": ae_m["test_recon"], "test_kl (nats)": None, "test_elbo (nats)": None},
    {"model": VAE, "test_recon (nats)": vae_m["test_recon"], "test_kl (nats)": vae_m["test_kl"],
     "test_elbo (nats)": vae_m["test_elbo"]},
])
st.caption("Averages over the 10,000 test digits, lower is better. The VAE's reconstruction term is "
           "measured with one sample z ~ q(z|x) per image; the AE has no KL term and no ELBO.")
ui.download_csv(metrics_table.round(3), "ae-vs-vae-metrics.csv", key="aevae_metrics_csv",
                label="Download the metrics (CSV)")

# Numbers used in several places below.
inside_ae = prior.share_inside(ae_mu, 0.99)
inside_vae = prior.share_inside(vae_mu, 0.99)
inside_ae_by_digit = prior.share_inside_by_class(ae_mu, labels, 0.99)  # (10,)
inside_vae_by_digit = prior.share_inside_by_class(vae_mu, labels, 0.99)
ae_lo = np.quantile(ae_mu, 0.005, axis=0)
ae_hi = np.quantile(ae_mu, 0.995, axis=0)
span_ae = ae_hi - ae_lo  # (2,)
span_vae = np.quantile(vae_mu, 0.995, axis=0) - np.quantile(vae_mu, 0.005, axis=0)  # (2,)
gap_ae = max(neighbours.spacing(ae_mu), 1e-9)  # median nearest-neighbour distance of the codes
gap_vae = max(neighbours.spacing(vae_mu), 1e-9)


def decode_logits(model: torch.nn.Module, z: np.ndarray) -> torch.Tensor:
    """Bernoulli logits (M, 1, 28, 28) of codes (M, 2)."""
    with torch.inference_mode():
        return model.decode_logits(torch.as_tensor(np.asarray(z, dtype=np.float32)))


def reconstruct(name: str, model: torch.nn.Module, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode the mean code of each image: (images (M, 28, 28), BCE in nats (M,))."""
    mu, _ = ui.encode(name, x)  # (M, 2)
    logits = decode_logits(model, mu)  # (M, 1, 28, 28)
    with torch.inference_mode():
        loss = recon_bce(logits, torch.as_tensor(np.asarray(x, dtype=np.float32))[:, None])  # (M,)
        out = torch.sigmoid(logits)[:, 0]
    return out.numpy(), loss.numpy()


# --- codes ---------------------------------------------------------------------------------------

st.header("Where each model puts the test digits")
ui.secondary(
    f"Each dot is one of {len(subset):,} test digits (the same ones on both charts), placed at its code; "
    "for the VAE that is the posterior mean μ. **Click a dot** on either chart to see that digit, and "
    "what each decoder makes of its own code for it. Hover for the test index.")


def _on_click(chart_key: str, select: str) -> None:
    state = st.session_state.get(chart_key)
    try:
        pts = state["selection"][select]
    except (TypeError, KeyError):
        return
    if pts:
        st.session_state["aevae_pick"] = int(pts[0]["index"])


@st.fragment
def codes_section() -> None:
    pick = st.session_state.get("aevae_pick")
    if pick is not None and not (isinstance(pick, (int, np.integer)) and 0 <= pick < len(labels)):
        pick = None
    left, right = st.columns(2)
    for col, name, mu, domain, title in (
            (left, AE, ae_mu, None, "AE codes (fitted to their own range)"),
            (right, VAE, vae_mu, LATENT_RANGE, "VAE codes μ (the prior's scale)")):
        tag = "ae" if name == AE else "vae"
        df = charts.codes_frame(mu[subset], labels[subset], subset)
        chart = charts.scatter(df, domain=domain, title=title, select=f"aevae_sel_{tag}")
        if pick is not None:
            mark = pd.DataFrame({"x": [mu[pick, 0]], "y": [mu[pick, 1]], "tag": [f"#{pick}"]})
            chart = chart + charts.markers(mark, label="tag")
        col.altair_chart(chart, on_select=lambda k=f"aevae_chart_{tag}", s=f"aevae_sel_{tag}": _on_click(k, s),
                         key=f"aevae_chart_{tag}", width="stretch")
    left.caption(f"The AE's axes fit its codes: along each axis 99 % of them lie within "
                 f"z₁ ∈ [{ae_lo[0]:.3g}, {ae_hi[0]:.3g}], z₂ ∈ [{ae_lo[1]:.3g}, {ae_hi[1]:.3g}]. "
                 "**Not the prior's scale**: nothing made these codes "
                 "look like N(0, I).")
    right.caption(f"Axes fixed at {LATENT_RANGE[0]:g} … {LATENT_RANGE[1]:g}, as on every VAE chart in this app; "
                  "the prior N(0, I) lives in about −3 … 3.")

    if pick is None:
        st.info("Click a point on either chart to decode that digit with both models.", icon=":material/touch_app:")
        return
    z_ae, z_vae = ae_mu[pick], vae_mu[pick]
    dec_ae = ui.decode(AE, z_ae[None])[0]
    dec_vae = ui.decode(VAE, z_vae[None])[0]
    other_vae = ui.decode(VAE, z_ae[None])[0]  # the AE's coordinates through the VAE's decoder
    other_ae = ui.decode(AE, z_vae[None])[0]
    st.markdown(f"**Test digit #{pick}** (a {labels[pick]}): each model decodes its own code for it; "
                "the last two tiles swap the coordinates between the decoders.")
    png = charts.png(charts.image_strip,
        np.stack([images[pick], dec_ae, dec_vae, other_vae, other_ae]),
        [f"original ({labels[pick]})", f"AE at ({z_ae[0]:.1f}, {z_ae[1]:.1f})",
         f"VAE at ({z_vae[0]:.2f}, {z_vae[1]:.2f})", f"VAE at AE's ({z_ae[0]:.1f}, {z_ae[1]:.1f})",
         f"AE at VAE's ({z_vae[0]:.2f}, {z_vae[1]:.2f})"], size=1.6)
    fig_col, _ = st.columns([3, 2])
    charts.show(png, fig_col)
    ui.download_png(ui.tile(np.stack([images[pick], dec_ae, dec_vae, other_vae, other_ae]), 5),
                    f"ae-vs-vae-digit-{pick}.png", key="aevae_pick_png")


codes_section()

# --- grids -----------------------------------------------------------------------------------------

st.header("Decoding a grid: each decoder's whole map")
ui.secondary(
    "Decode a regular grid of codes and you see every digit the decoder can draw, laid out as in the "
    "scatter above. For the AE the grid has to span its codes' bounding box (the prior means nothing to it); "
    "for the VAE it spans the prior, at equal steps of *probability* (`scipy.stats.norm.ppf`, as in the "
    "*Grid vs ppf sampling* lesson).")


@st.fragment
def grid_section() -> None:
    if "aevae_n" not in st.session_state:
        st.session_state["aevae_n"] = GRID_N_DEFAULT
    n = st.slider("Grid size (tiles per side)", *GRID_N_RANGE, key="aevae_n")
    xs_ae, ys_ae = latent.bounding_box_axes(ae_mu, n)
    xs_v = ys_v = latent.ppf_axis(n)
    left, right = st.columns(2)
    for col, name, xs, ys, title, fname in (
            (left, AE, xs_ae, ys_ae, "AE decoder over the AE codes' bounding box", "ae-2d-bbox-grid.png"),
            (right, VAE, xs_v, ys_v, "VAE decoder over the prior (ppf grid)", "vae-2d-ppf-grid.png")):
        png = ui.mosaic_png(name, latent.grid_2d(xs, ys), n, n, xs=xs, ys=ys, xlabel="z₁", ylabel="z₂", title=title)
        with col:
            ui.download_png(png, fname, key=f"aevae_grid_png_{name}")
            charts.show(png)
    left.caption(f"z₁ from {xs_ae[0]:.3g} to {xs_ae[-1]:.3g}, z₂ from {ys_ae[0]:.3g} to {ys_ae[-1]:.3g} "
                 "(the AE codes' 0.5 % … 99.5 % quantiles).")
    right.caption(f"z from {xs_v[0]:.2f} to {xs_v[-1]:.2f} on both axes: prior probabilities 0.005 … 0.995.")


grid_section()

# --- samples and reconstructions -------------------------------------------------------------------

st.header("Generating: decode random draws z ~ N(0, I)")
ui.secondary(
    "This is what *generating* means: draw a code from the prior and decode it. The VAE was trained so that "
    "this works. The AE was not: the same draws land wherever they land in its code space. For each draw "
    "the table gives its distance to the nearest code of a real test digit (all 10,000), and that distance "
    "in units of the model's *typical gap*, the median distance between a test code and its nearest "
    "neighbour.")


@st.fragment
def samples_section() -> None:
    ui.bind("aevae_seed", "seed", lambda raw: params.parse_int(raw, 0, SEED_MAX, SEED_DEFAULT))
    seed_col, _ = st.columns([1, 2])
    seed = seed_col.number_input("Seed (the draws below and the test digits further down)", min_value=0,
                                 max_value=SEED_MAX, step=1, key="aevae_seed")
    seed = int(seed)
    ui.share({"seed": seed})

    z = np.random.default_rng(seed).standard_normal((N_SAMPLES, 2))  # (10, 2)
    dec_ae, dec_vae = ui.decode(AE, z), ui.decode(VAE, z)
    d_ae, i_ae = neighbours.nearest_one(ae_mu, z)
    d_vae, i_vae = neighbours.nearest_one(vae_mu, z)

    cap = [f"#{k + 1}" for k in range(N_SAMPLES)]
    png = charts.png(charts.image_rows, {"AE decoder": dec_ae, "VAE decoder": dec_vae},
                     captions=[[f"#{k + 1} ({z[k, 0]:.1f}, {z[k, 1]:.1f})\nAE dist. {d_ae[k]:.2g}"
                                for k in range(N_SAMPLES)],
                               [f"VAE dist. {d_vae[k]:.2g}" for k in range(N_SAMPLES)]], size=1.2)
    ui.download_png(png, f"ae-vs-vae-samples-seed{seed}.png", key="aevae_samples_png")
    charts.show(png)
    st.caption("Top row: the AE's decoder; bottom row: the VAE's, at the same ten codes z (under the top row). "
               "dist. = distance from z to the nearest test code of that model.")

    table = pd.DataFrame({
        "draw": cap, "z1": z[:, 0].round(2), "z2": z[:, 1].round(2),
        "dist. to nearest AE code": d_ae.round(2),
        "in AE gaps": (d_ae / gap_ae).round(1),
        "nearest AE code is a": labels[i_ae].astype(int),
        "dist. to nearest VAE code": d_vae.round(2),
        "in VAE gaps": (d_vae / gap_vae).round(1),
        "nearest VAE code is a": labels[i_vae].astype(int),
    })
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_csv(table, f"ae-vs-vae-samples-seed{seed}.csv", key="aevae_samples_csv")

    left, right = st.columns(2)
    marks = pd.DataFrame({"x": z[:, 0], "y": z[:, 1], "tag": cap})
    few = ui.scatter_subset(1500)  # a lighter backdrop for the ten draws (half the points of the charts above)
    for col, name, mu, domain in ((left, AE, ae_mu, None), (right, VAE, vae_mu, LATENT_RANGE)):
        df = charts.codes_frame(mu[few], labels[few], few)
        chart = charts.scatter(df, domain=domain, height=300, opacity=0.35,
                               title=f"The ten draws among the {name} codes") \
            + charts.markers(marks, size=120, label="tag")
        col.altair_chart(chart, key=f"aevae_draws_{name}", width="stretch")

    # Many draws: which digits do they land among?
    st.subheader(f"{N_MIX:,} draws: which digits come out?")
    ui.secondary(
        f"Ten draws are anecdotes. Here are {N_MIX:,} more (same seed), each counted as the digit of the nearest "
        "test code of that model: roughly the digit its decoder draws there. A generator should reproduce "
        "the test set's mix, about 10 % of each digit.")
    zz = np.random.default_rng([seed, 1]).standard_normal((N_MIX, 2))  # (N_MIX, 2)
    h_ae = latent.nearest_label_shares(zz, ae_mu, labels)  # (10,)
    h_vae = latent.nearest_label_shares(zz, vae_mu, labels)
    h_test = np.bincount(labels, minlength=10)[:10] / len(labels)
    mix = pd.DataFrame({"digit": [str(k) for k in range(10)] * 3,
                        "source": [MIX_SOURCES[0]] * 10 + [MIX_SOURCES[1]] * 10 + [MIX_SOURCES[2]] * 10,
                        "share": np.concatenate([h_ae, h_vae, h_test])})
    bars = alt.Chart(mix, height=320, title="Digit of the nearest test code, per draw z ~ N(0, I)")
    bars = bars.mark_bar().encode(
        x=alt.X("digit:N", title="digit", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("source:N", sort=list(MIX_SOURCES)),
        y=alt.Y("share:Q", title="share", axis=alt.Axis(format="%")),
        color=alt.Color("source:N", title="", sort=list(MIX_SOURCES),
                        scale=alt.Scale(domain=list(MIX_SOURCES), range=list(MIX_COLORS)),
                        legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("source:N"), alt.Tooltip("digit:N"), alt.Tooltip("share:Q", format=".1%")])
    st.altair_chart(bars, key="aevae_mix_chart", width="stretch")
    tv_ae, tv_vae = latent.total_variation(h_ae, h_test), latent.total_variation(h_vae, h_test)
    st.caption(f"Total variation distance from the test set's mix: AE {words.pct(tv_ae)}, VAE {words.pct(tv_vae)} "
               "(0 % = the same mix, 100 % = nothing in common).")
    ui.download_csv(mix.pivot(index="digit", columns="source", values="share").reset_index(),
                    f"ae-vs-vae-digit-mix-seed{seed}.csv", key="aevae_mix_csv")

    # Reconstructions of the same test digits.
    st.header("Reconstructing: the price of the KL term")
    ui.caveat(
        "One test digit of each class, chosen by the seed above, encoded and decoded by both models "
        "(the VAE decodes its mean code μ). Under each reconstruction: its reconstruction loss, the binary "
        "cross-entropy summed over the 784 pixels, in nats (lower is better). " + ui.budget_note([AE, VAE]))
    idx = latent.random_members(labels, seed)  # (10,)
    x = np.array(images[idx])  # (10, 28, 28), a copy
    rec_ae, loss_ae = reconstruct(AE, ae_model, x)
    rec_vae, loss_vae = reconstruct(VAE, vae_model, x)
    png = charts.png(charts.image_rows,
        {"original": x, "AE": rec_ae, "VAE (from μ)": rec_vae},
        captions=[[f"#{i} ({labels[i]})" for i in idx], [f"{v:.1f} nats" for v in loss_ae],
                  [f"{v:.1f} nats" for v in loss_vae]], size=1.1)
    ui.download_png(png, f"ae-vs-vae-reconstructions-seed{seed}.png", key="aevae_recon_png")
    charts.show(png)
    rtable = pd.DataFrame({"test index": idx, "digit": labels[idx].astype(int),
                           "AE BCE (nats)": loss_ae.round(1), "VAE BCE from μ (nats)": loss_vae.round(1),
                           "VAE BCE, one sample z (nats)": np.asarray(vae_codes["recon"])[idx].round(1)})
    st.dataframe(rtable, hide_index=True, width="stretch")
    stored = np.asarray(vae_codes["recon"])[idx]
    st.caption("The last column is the stored one-sample estimate behind the test metrics above: the VAE "
               "decodes a random z = μ + σ ⊙ ε instead of μ. Here it costs more than decoding μ for "
               f"{int((stored > loss_vae).sum())} of the 10 digits.")
    ui.download_csv(rtable, f"ae-vs-vae-reconstructions-seed{seed}.csv", key="aevae_recon_csv")
    ui.nats_note()

    # What to notice, from the numbers on screen.
    near_ae = int((d_ae <= 3 * gap_ae).sum())
    near_vae = int((d_vae <= 3 * gap_vae).sum())
    wins_ae = int((loss_ae < loss_vae).sum())
    worst = int(np.nanargmin(inside_ae_by_digit))
    over = int(np.argmax(h_ae - h_test))
    under = int(np.argmin(h_ae / h_test))
    mix_note = (f"**Where the prior lands in each map.** {words.pct(inside_vae)} of the VAE's test codes lie inside "
                f"the disc that holds 99 % of N(0, I), {words.pct(inside_ae)} of the AE's, and of the AE's "
                f"{worst}s only {words.pct(inside_ae_by_digit[worst])} (VAE: "
                f"{words.pct(inside_vae_by_digit[worst])}). So over {N_MIX:,} draws the nearest AE code is a {over} "
                f"for {words.pct(h_ae[over])} of them and a {under} for {words.pct(h_ae[under])}, where the test set "
                f"has {words.pct(h_test[over])} and {words.pct(h_test[under])}; the VAE's draws give "
                f"{words.pct(h_vae[over])} and {words.pct(h_vae[under])}. The AE's digit mix is "
                f"{words.pct(tv_ae)} away from the test set's (total variation), the VAE's {words.pct(tv_vae)}.")
    gen = (f"**The ten draws.** {near_ae} of them land within three typical gaps of some AE test code and "
           f"{near_vae} within three typical gaps of some VAE test code (median {np.median(d_ae / gap_ae):.1f} "
           f"and {np.median(d_vae / gap_vae):.1f} gaps). ")
    if near_ae < near_vae:
        gen += ("The AE's decoder was never trained on what lies between its codes, which is where more of its "
                "draws land: compare its row of images with the VAE's.")
    else:
        gen += ("So the AE's images are not noise here: its codes crowd around the origin too. What the AE "
                "lacks is the right *mix*, and no guarantee: nothing in its training put its codes there.")
    recon = (f"**Reconstructing.** On these ten digits the AE's reconstructions cost {loss_ae.mean():.1f} nats on "
             f"average, the VAE's (from μ) {loss_vae.mean():.1f}; the AE is better on {wins_ae} of 10. Over the "
             f"whole test set the AE reconstructs at {ae_m['test_recon']:.1f} nats, the VAE at "
             f"{vae_m['test_recon']:.1f} plus {vae_m['test_kl']:.2f} nats of KL")
    if ae_m["test_recon"] < vae_m["test_recon"]:
        recon += (f": {vae_m['test_recon'] - ae_m['test_recon']:.1f} nats of reconstruction are the price of a "
                  "latent space you can sample from.")
    else:
        recon += (": with only two dimensions the AE does not even reconstruct better, so the VAE's orderly "
                  "latent space comes at no cost in reconstruction here.")
    ui.notice([mix_note, gen, recon])


samples_section()
ui.lesson_links(LESSON)
