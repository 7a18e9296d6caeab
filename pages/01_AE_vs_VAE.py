"""AE vs VAE: the same encoder/decoder pair with a 2-D code, trained two ways.

The plain autoencoder (``ae-2d``) is trained on reconstruction alone, the VAE (``vae-2d``) on the
ELBO: reconstruction plus the KL term that ties every posterior q(z|x) to the prior N(0, I). The
page leads with where each model puts the test digits, with draws from the prior on top and the
digit mix those draws land among; then what each decoder makes of the draws, a clicked digit's
posterior, and, in expanders, each decoder's whole map and the price in reconstruction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import GRID_N_DEFAULT, GRID_N_RANGE, LATENT_RANGE
from ui.lessons import words
from ui.lessons.ae_vs_vae import claims as ac
from ui.lessons.model_facts import code_spacing
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import artefacts, latent, live, prior

AE, VAE = "ae-2d", "vae-2d"
N_MIX = model_calls.N_PRIOR_DRAWS  # draws z ~ N(0, I) counted by the digit of the nearest test code
N_SHOWN = 400  # of them drawn on the maps
N_DECODED = 10  # of them decoded as images
N_POSTERIOR = 6  # decoded samples of the clicked digit's posterior
FAR = (
    model_calls.FAR_GAPS
)  # a draw this many typical gaps from every test code lands in empty space
MIX_SOURCES = ("AE draws", "VAE draws", "test set")
MIX_COLORS = ("ink", "#8a8f99", "#c5cad3")  # "ink": the theme's text colour
SEED_MAX = 1_000_000
IDX_DEFAULT = 0  # the first test digit (a 7) is picked until the learner clicks another
ROWS = ("AE decoder", "VAE decoder")  # the decoded draws' rows
AE_AXES = {"codes": "all its codes", "prior": "the prior's square"}  # the AE map's axes

LESSON = frame.setup_page(
    __file__,
    "what the KL term buys: a VAE's codes are trained to fill the prior N(0, I), so draws from it "
    "decode to digits in the data's mix; a plain autoencoder's codes lie wherever its training "
    "left them.",
)

ss = st.session_state
# the picked digit is a click on either map, no widget: kept by links.state_from_url /
# links.state_to_url (the other
# settings are widgets bound to the URL parameter named by their key: links.url_widget)
links.state_from_url(
    "aevae_pick",
    "aevae_idx",
    lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, IDX_DEFAULT),
)

with frame.cache_guard():
    (
        loaders.model(AE),
        loaders.model(VAE),
    )  # loaded (and checked) first: every picture below decodes with them
    ae_info, vae_info = loaders.info(AE), loaders.info(VAE)
    ae_codes, vae_codes = loaders.codes(AE), loaders.codes(VAE)
    _, labels = loaders.test_set()
    images = loaders.test_images_float()
    subset = loaders.scatter_subset()


@st.cache_data(show_spinner=False, max_entries=4)
def recon_at_mean(key: tuple[str, str, int]) -> float:
    """Mean reconstruction loss over the 10,000 test digits decoded from mu (the AE: its code), in
    nats."""
    return float(live.recon_at_mean(loaders.model(key[0]), loaders.test_images_float()).mean())


def _on_click(chart_key: str, select: str) -> None:
    try:
        pts = st.session_state[chart_key]["selection"][select]
    except (TypeError, KeyError):
        return
    if pts:
        st.session_state["aevae_pick"] = int(pts[0]["index"])


ae_mu = np.asarray(ae_codes["mu"], dtype=np.float64)  # (N, 2), a copy: cached arrays are read-only
vae_mu = np.asarray(vae_codes["mu"], dtype=np.float64)  # (N, 2)
seed_col, axes_col, pick_col = st.columns([1, 1, 2])
seed = int(
    links.url_widget(
        seed_col.number_input,
        "Seed of the prior draws",
        min_value=0,
        max_value=SEED_MAX,
        value=0,
        step=1,
        key="aevae_seed",
        parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
    )
)
axes = links.url_widget(
    axes_col.radio,
    "The AE map shows",
    list(AE_AXES),
    index=0,
    key="aevae_axes",
    captions=list(AE_AXES.values()),
    parse=lambda raw: link_values.parse_choice(raw, list(AE_AXES), "codes"),
    help="The AE's codes are not on the prior's scale. Fitted to all of them, the map shows how "
    "small "
    "the prior's circle is among them; on the prior's square (the VAE map's axes), which AE codes "
    "the draws land among.",
)
pick = int(ss["aevae_pick"])
pick_col.markdown(
    f"**Click a dot** on either map to pick a test digit (now **#{pick}**, a {labels[pick]}, "
    "marked on both maps, at the edge when its code is off the axes). Small crosses: draws z ~ "
    "N(0, I)."
)

# --- the picture: both code maps with the same prior draws, and the digit mix under them
# ----------------

zz = model_calls.prior_draws(seed, N_MIX)  # (N_MIX, 2)
draws = pd.DataFrame({"x": zz[:N_SHOWN, 0], "y": zz[:N_SHOWN, 1]})
circle = prior.circle(prior.radius(0.99))  # (121, 2)
vae_domains = (LATENT_RANGE, LATENT_RANGE)
ae_domains = (
    altair_charts.square_domains(np.concatenate([ae_mu[subset], circle]))
    if axes == "codes"
    else vae_domains
)
vae_lv = np.asarray(vae_codes["logvar"][pick], dtype=np.float64)  # (2,)
ring = latent.ellipse(
    vae_mu[pick], vae_lv, k=2.0
)  # (100, 2): the picked digit's posterior at 2 sigma
left, right = st.columns(2)
for col, name, mu, domains, title, r in (
    (left, AE, ae_mu, ae_domains, "AE codes", None),
    (right, VAE, vae_mu, vae_domains, "VAE codes μ", ring),
):
    tag = "ae" if name == AE else "vae"
    at = [
        float(np.clip(mu[pick, k], *domains[k])) for k in (0, 1)
    ]  # outside the axes: drawn at their edge
    spec = render.fill(
        render.spec(
            altair_charts.landing_chart,
            altair_charts.codes_frame(mu[subset], labels[subset], subset),
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
                f"{title} of {name}, test #{pick} (a {labels[pick]}) marked, {N_SHOWN} prior draws "
                "as crosses; click a dot to pick it",
                mu[subset],
                labels[subset],
                legend=name == VAE,
            ),
        )

st_ae, st_vae = (
    model_calls.prior_draw_stats(AE, seed),
    model_calls.prior_draw_stats(VAE, seed),
)  # once per model and seed
h_ae, h_vae = st_ae["mix"], st_vae["mix"]  # (10,) each
h_test = np.bincount(labels, minlength=10)[:10] / len(labels)
tv_ae, tv_vae = st_ae["tv"], st_vae["tv"]
mix = pd.DataFrame(
    {
        "digit": [str(k) for k in range(10)] * 3,
        "source": np.repeat(MIX_SOURCES, 10),
        "share": np.concatenate([h_ae, h_vae, h_test]),
    }
)
render.draw(
    altair_charts.mix_chart_filled(
        mix,
        MIX_SOURCES,
        MIX_COLORS,
        f"Which digit {N_MIX:,} draws z ~ N(0, I) land on (the digit of the nearest test code)",
    ),
    key="aevae_mix_chart",
    width="stretch",
    alt=alt_text.mix(
        f"Which digit {N_MIX:,} prior draws land on", MIX_SOURCES, [h_ae, h_vae, h_test]
    ),
)
st.caption(
    "Distance of each mix from the test set's (total variation, 0 % = the same mix): AE "
    f"{words.pct(tv_ae)}, "
    f"VAE {words.pct(tv_vae)}. The dotted circle holds 99 % of the prior; {N_SHOWN} of the draws "
    "are shown."
)

# --- the maths, short
# -----------------------------------------------------------------------------------

st.latex(
    r"\mathcal{L}_{\mathrm{AE}}(x) = -\log p\big(x \mid z = f(x)\big) \qquad\qquad"
    r"-\mathrm{ELBO}(x) = \mathbb{E}_{q(z \mid x)}\big[-\log p(x \mid z)\big]"
    r" + \mathrm{KL}\big(q(z \mid x)\,\|\,\mathcal{N}(0, I)\big)"
)
st.markdown(
    "Same networks, same 2-D code. The AE is trained on the left-hand loss alone, so nothing "
    "refers to "
    "N(0, I). The VAE encodes a distribution q(z|x) = N(μ, σ²), decodes a sample of it, and pays "
    "the KL term for every posterior that strays from the prior."
)
with st.expander("The maths in more detail", icon=":material/menu_book:"):
    st.latex(
        r"z = \mu + \sigma \odot \varepsilon,\ \ \varepsilon \sim \mathcal{N}(0, I) \qquad"
        r"\mathrm{KL}\big(q(z \mid x)\,\|\,\mathcal{N}(0, I)\big)"
        r" = \tfrac12 \sum_{j=1}^{2} \big(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2\big)"
    )
    st.markdown(
        "- **The reparameterization trick.** Drawing z at random is not differentiable; writing "
        "the draw as "
        "μ + σ ⊙ ε moves the randomness into ε, which does not depend on the network, so gradients "
        "reach μ and σ.\n"
        "- **The reconstruction term** is the binary cross-entropy summed over the 784 pixels, in "
        "nats: it wants every code to decode to *its* image, as the AE's loss does.\n"
        "- **The KL term** is zero only at μ = 0, σ = 1. It pulls *each* posterior toward the "
        "prior and keeps it "
        "spread (σ > 0). It does not, by itself, make the codes of all digits *together* fill the "
        "prior: the "
        "aggregate of the posteriors can leave patches of N(0, I) empty (look for them on the "
        "VAE's map)."
    )
    frame.nats_note()

# --- the experiment: decode the draws; the picked digit's posterior
# ---------------------------------------

st.subheader("Decode the draws, and the digit you picked")
z10 = zz[:N_DECODED]  # (10, 2): the first draws, also on the maps
gap_ae, gap_vae = code_spacing(AE, 1), code_spacing(VAE, 1)  # typical gaps, once per server
# (N_MIX,) each, in latent units: a draw is the same z for both models, so like with like
dz_ae, dz_vae = st_ae["gaps"] * gap_ae, st_vae["gaps"] * gap_vae
caps = [
    [f"({z[0]:.1f}, {z[1]:.1f})\n{g:.3f} away" for z, g in zip(np.round(z10, 1) + 0.0, dz_ae)],
    [f"{g:.3f} away" for g in dz_vae[:N_DECODED]],
]
png = render.png(
    png_figures.image_rows,
    dict(zip(ROWS, (model_calls.decode(AE, z10), model_calls.decode(VAE, z10)))),
    captions=caps,
    size=1.2,
    fontsize=11,
)
render.show(
    png,
    alt=alt_text.rows(
        f"The first {N_DECODED} prior draws z (seed {seed}) decoded by {AE} (top row) and {VAE} "
        "(bottom). "
        f"By the nearest test code, {alt_text.landed(AE, z10)}; {alt_text.landed(VAE, z10)}",
        list(ROWS),
        caps,
    ),
)
st.caption(
    f"The first {N_DECODED} draws z (under the top row) through each decoder. "
    + ac.draw_caption(gap_ae, gap_vae)
)
eps = np.random.default_rng([seed, 2, pick]).standard_normal((N_POSTERIOR, 2))  # (6, 2)
zs = vae_mu[pick] + np.exp(0.5 * vae_lv) * eps  # (6, 2): z = mu + sigma * eps
ae_rec, vae_rec = (
    model_calls.decode(AE, ae_mu[pick][None])[0],
    model_calls.decode(VAE, vae_mu[pick][None])[0],
)
strip = np.stack([images[pick], ae_rec, vae_rec, *model_calls.decode(VAE, zs)])
render.show(
    render.png(
        png_figures.image_strip,
        strip,
        [f"#{pick} (a {labels[pick]})", "AE", "VAE at μ"]
        + [f"sample {k + 1}" for k in range(N_POSTERIOR)],
        size=0.95,
        fontsize=10,
    ),
    alt=f"Test digit #{pick}, a {labels[pick]}; its reconstruction by {AE} and by {VAE} from μ; "
    f"then {N_POSTERIOR} codes drawn from {VAE}'s posterior, decoded: their nearest test codes are "
    f"{alt_text.digits(alt_text.nearest_digits(VAE, zs))}.",
)
sd = np.exp(0.5 * vae_lv)
st.caption(
    f"Test digit #{pick}, each model's reconstruction from its code, and {N_POSTERIOR} samples: "
    "codes drawn from the VAE's "
    f"posterior, z = μ + σ·ε with σ = ({sd[0]:.3f}, {sd[1]:.3f}): the dashed ellipse on the VAE's "
    "map (μ ± 2σ"
    + (
        ", hidden under the marker at this scale, though σ is about "
        f"{np.sqrt(sd.prod()) / gap_vae:.1f} typical gaps between neighbouring "
        "VAE codes"
        if altair_charts.hidden_by_marker(ring, vae_domains)
        else ""
    )
    + ")."
)
downloads.download_png(
    model_calls.tile(strip, len(strip)), f"ae-vs-vae-digit-{pick}.png", key="aevae_pick_png"
)

# --- what to notice
# ---------------------------------------------------------------------------------------

draws = ac.DrawFacts(
    N_MIX,
    FAR,
    tuple(h_ae),
    tuple(h_vae),
    tuple(h_test),
    tv_ae,
    tv_vae,
    gap_ae,
    gap_vae,
    st_ae["far"],
    st_vae["far"],
    float(np.median(dz_ae)),
    float(np.median(dz_vae)),
    prior.share_inside(ae_mu, 0.99),
    prior.share_inside(vae_mu, 0.99),  # and codes spread exactly like the prior:
    latent.matched_far_share(len(vae_mu), N_MIX, 2, FAR),
)
r_ae, r_vae = recon_at_mean(model_calls.model_key(AE)), recon_at_mean(model_calls.model_key(VAE))
recon = (
    "**The price in reconstruction**, like with like (each decoding its code, the VAE its mean μ, "
    "all 10,000 "
    f"test digits): AE {r_ae:.1f} nats, VAE {r_vae:.1f}"
    + (
        f"; {r_vae - r_ae:.1f} nats of reconstruction buy a latent space you can sample from."
        if r_vae > r_ae
        else ": with two dimensions the AE does not even reconstruct better, so the orderly "
        "latent space costs nothing in reconstruction here."
    )
)
frame.notice([ac.mix_note(draws)[1], ac.cover_note(draws)[1], recon])

# --- expanders: each decoder's whole map, the reconstructions of ten digits
# --------------------------------

with st.expander("Each decoder's whole map: decode a grid of codes", icon=":material/grid_on:"):
    n = int(
        links.url_widget(
            st.slider,
            "Grid size (tiles per side)",
            *GRID_N_RANGE,
            value=GRID_N_DEFAULT,
            key="aevae_n",
            parse=lambda raw: link_values.parse_int(raw, *GRID_N_RANGE, GRID_N_DEFAULT),
        )
    )
    xs_ae, ys_ae = latent.bounding_box_axes(ae_mu, n)
    xs_v = ys_v = latent.ppf_axis(n)
    g1, g2 = st.columns(2)
    for col, name, xs, ys, title in (
        (g1, AE, xs_ae, ys_ae, "AE decoder, its codes' 0.5-99.5 % quantiles"),
        (g2, VAE, xs_v, ys_v, "VAE decoder over the prior (ppf grid)"),
    ):
        grid = model_calls.decoded_mosaic_png(
            name, latent.grid_2d(xs, ys), n, n, xs=xs, ys=ys, xlabel="z₁", ylabel="z₂", title=title
        )
        where = " between its codes' 0.5 and 99.5 % quantiles" if name == AE else " over the prior"
        render.show(grid, col, alt=alt_text.grid(name, xs, ys, where))
        with col:
            downloads.download_png(grid, f"{name}-grid-{n}.png", key=f"aevae_grid_png_{name}")
    st.caption(
        f"AE: z₁ from {xs_ae[0]:.3g} to {xs_ae[-1]:.3g}, z₂ from {ys_ae[0]:.3g} to {ys_ae[-1]:.3g} "
        "(its codes' "
        f"0.5 … 99.5 % quantiles). VAE: z from {xs_v[0]:.2f} to {xs_v[-1]:.2f}, at equal steps of "
        "prior probability (see *Grid vs ppf sampling*)."
    )


def ten_reconstructions() -> (
    None
):  # in a folded expander: drawn only while it is open (frame.folded)
    idx = latent.random_members(labels, seed)  # (10,): one test digit of each class
    x = np.array(images[idx])  # (10, 28, 28), a copy
    loss_ae = live.recon_at_mean(loaders.model(AE), x)
    loss_vae = live.recon_at_mean(loaders.model(VAE), x)
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
        ),
        alt=f"One test digit of each class (seed {seed}), {AE}'s reconstruction and {VAE}'s from "
        "μ, with each one's cost. By the nearest test image, "
        f"{alt_text.changes(labels[idx], alt_text.looks_like(rows['AE'], idx), AE)}; "
        f"{alt_text.changes(labels[idx], alt_text.looks_like(rows['VAE (from μ)'], idx), VAE)}.",
    )
    one = np.asarray(vae_codes["recon"])[idx]
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
        "estimate behind "
        "the test metrics elsewhere in the app: the VAE decodes a random z = μ + σ ⊙ ε instead of "
        "μ, which "
        f"costs more for {int((one > loss_vae).sum())} of these 10 digits. "
        + loaders.budget_note([AE, VAE])
    )
    downloads.download_csv(
        table, f"ae-vs-vae-reconstructions-seed{seed}.csv", key="aevae_recon_csv"
    )
    am, vm = ae_info["metrics"], vae_info["metrics"]
    st.markdown(
        f"Whole test set, one sample: the VAE's reconstruction {vm['test_recon']:.1f} nats + KL "
        f"{vm['test_kl']:.2f} = −ELBO {vm['test_elbo']:.1f}; the AE's reconstruction "
        f"{am['test_recon']:.1f}."
    )


frame.folded(
    "Reconstructions of ten test digits, and the one-sample loss",
    "aevae_recon_open",
    ":material/compare:",
    ten_reconstructions,
)
links.state_to_url(
    {"aevae_idx": pick}
)  # after the last bound control (the grid's size): the toast of a bad link
frame.lesson_links(LESSON)
