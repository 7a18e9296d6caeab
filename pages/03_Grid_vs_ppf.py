"""Grid vs ppf sampling: where to put the n x n codes of a decoded 2-D latent mosaic.

A linear grid spends its tiles evenly over a square; a ppf grid (Kingma & Welling 2014, fig. 4;
the Keras VAE example) puts them at equal steps of prior probability, dense where the prior and
the codes are. The page draws both sets of points over the VAE's test codes and the prior's
contours, decodes both, and measures them with ``vae.latent.grid_stats`` (tiles spent outside the
prior, empty tiles, balance); the AE's grid at its codes' own quantiles generalises the recipe.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw.style import (
    GRID_LIN,
    GRID_N_DEFAULT,
    GRID_N_RANGE,
    GRID_PPF,
    GRID_RANGE_DEFAULT,
    PPF_P_DEFAULT,
    PPF_P_OPTIONS,
)
from ui.lessons.grid import claims as gc
from ui.lessons.grid import mosaics as grids
from ui.lessons.grid import views
from ui.page import frame, link_values, links, loaders
from vae import latent, prior

VAE, AE = grids.VAE, grids.AE
RANGE_LIMITS = (-5.0, 5.0)
RANGE_STEP = 0.1
LIN, PPF = GRID_LIN, GRID_PPF

LESSON = frame.setup_page(
    __file__,
    "where to place the codes of a decoded 2-D latent mosaic so that it shows what the decoder "
    "learned: evenly in z, or evenly in *probability* under the prior.",
)

# --- controls ------------------------------------------------------------------------------------

# The range slider stays two custom parameters, ?grid_lo=-2&grid_hi=2 (links.state_from_url /
# links.state_to_url): clearer than the repeated ?grid_range=-2&grid_range=2 a bound range slider
# reads, and parse_range refuses a reversed or empty range and snaps to the slider's step, which
# Streamlit's binding lets through.
links.state_from_url(
    "grid_range",
    "grid_lo/grid_hi",
    lambda _raw: link_values.parse_range(
        st.query_params.get("grid_lo"),
        st.query_params.get("grid_hi"),
        RANGE_LIMITS,
        GRID_RANGE_DEFAULT,
        RANGE_STEP,
    ),
)
c1, c2, c3 = st.columns(3)
n = int(
    links.url_widget(
        c1.slider,
        "Grid size n (tiles per side)",
        *GRID_N_RANGE,
        value=GRID_N_DEFAULT,
        key="grid_n",
        parse=lambda raw: link_values.parse_int(raw, *GRID_N_RANGE, GRID_N_DEFAULT),
    )
)
lo, hi = (
    float(v)
    for v in c2.slider(
        "Linear grid: range of z₁ and z₂",
        *RANGE_LIMITS,
        step=RANGE_STEP,
        key="grid_range",
        format="%.1f",
    )
)
p = float(
    links.url_widget(
        c3.select_slider,
        "ppf grid: tail probability p",
        options=PPF_P_OPTIONS,
        value=PPF_P_DEFAULT,
        format_func=lambda v: f"{v:g}",
        key="grid_p",
        parse=lambda raw: link_values.parse_option(raw, PPF_P_OPTIONS, PPF_P_DEFAULT),
        help="The ppf grid covers prior probabilities p … 1 − p along each axis.",
    )
)
lo, hi = round(lo, 6), round(hi, 6)
shared = {"grid_lo": lo, "grid_hi": hi}

if not lo < hi:
    st.warning(
        f"The linear grid needs a range with lo < hi (now {lo:g} … {hi:g}): "
        "pull the two ends of the range slider apart."
    )
    links.state_to_url(shared)  # the page stops before its last bound control
    frame.stop()

with frame.cache_guard():
    loaders.model(VAE)
    vae_mu = np.asarray(loaders.codes(VAE)["mu"], dtype=np.float64)  # (N, 2), a copy
    _, labels = loaders.test_set()
    subset = loaders.scatter_subset()

xs_lin = latent.linear_axis(n, lo, hi)  # (n,)
xs_ppf = latent.ppf_axis(n, p)  # (n,)
pts_lin = latent.grid_2d(xs_lin, xs_lin)  # (n * n, 2), mosaic order
pts_ppf = latent.grid_2d(xs_ppf, xs_ppf)
st_lin = latent.grid_stats(pts_lin, vae_mu)
st_ppf = latent.grid_stats(pts_ppf, vae_mu)
# like with like: a linear grid over the ppf grid's own square
xs_m = latent.linear_axis(n, float(xs_ppf[0]), float(xs_ppf[-1]))
st_m = latent.grid_stats(latent.grid_2d(xs_m, xs_m), vae_mu)

# --- one chart: codes, prior contours, both sets of points ---------------------------------------

chart_col, stats_col = st.columns([3, 2])
warp = (
    links.url_widget(
        chart_col.segmented_control,
        "Axes: the latent z, or warped, u = Φ(z)",
        ["z", "u"],
        default="z",
        key="grid_warp",
        parse=lambda raw: link_values.parse_choice(raw, ["z", "u"], "z"),
    )
    or "z"
)
links.state_to_url(shared)
views.points_chart(chart_col, vae_mu, labels, subset, lo, hi, p, xs_lin, xs_ppf, warp)

st.latex(
    r"\text{linear:}\quad z_i = \ell + (h - \ell)\,\frac{i}{n-1}"
    r"\qquad\qquad \text{ppf:}\quad z_i = \Phi^{-1}\!\Big(p + (1 - 2p)\,\frac{i}{n-1}\Big),"
    r"\qquad i = 0, \dots, n-1"
)
with st.expander("The two recipes, and the prior's circles", icon=":material/menu_book:"):
    st.markdown(
        "$\\Phi^{-1}$ is the inverse CDF (*percent point function*, `scipy.stats.norm.ppf`) of the "
        "standard "
        "normal. The ppf grid therefore takes equal steps of **probability** under the VAE's prior "
        "$\\mathcal{N}(0, I)$: between any two neighbouring columns lies the same share of the "
        "prior's mass, "
        "so the tiles are dense in the middle, where the prior (and, if training worked, the "
        "codes) are dense, "
        "and sparse in the tails; $p$ keeps the ends finite ($\\Phi^{-1}(0) = -\\infty$). A linear "
        "grid spends "
        "as many tiles on the empty corners as on the centre. For a model whose codes are not N(0, "
        "I), the analogue is the codes' own quantiles (the autoencoder below).\n\n"
        "The grey circles on the chart are the prior's contours: in 2-D the squared radius of N(0, "
        "I) is χ² with 2 degrees of freedom, an exponential, so the disc of radius $r_q = "
        "\\sqrt{-2\\ln(1 - q)}$ holds "
        "a share $q$ of the mass (50 %, 90 % and 99 %: 1.18, 2.15, 3.03)."
    )


with stats_col:
    st.subheader("The numbers")
    views.metrics(st_lin, st_ppf)
    st.caption(gc.extent_caption(lo, hi, float(xs_ppf[0]), float(xs_ppf[-1]), st_m["outside_99"]))
    st.markdown(
        "- **outside the 99 % disc**: grid points farther from the origin than "
        f"{prior.radius(0.99):.2f}, where the prior puts only 1 % of its mass, so training rarely "
        "sent a code there;\n"
        "- **empty**: grid points that are the nearest grid point of no test code;\n"
        "- **codes in the busiest 10 %**: each test code (all 10,000) is depicted by its nearest "
        "tile; the share "
        "of the codes that the busiest tenth of the tiles depicts. A balanced grid, one that "
        "spends its tiles where the codes are, gives about 10 %."
    )

# --- the mosaics ---------------------------------------------------------------------------------

st.header("What the VAE's decoder draws there")


left, right = st.columns(2)
with frame.cache_guard():
    grids.show_mosaic(left, n, lo, hi, p, "lin", f"vae-2d-linear-n{n}.png")
    grids.show_mosaic(right, n, lo, hi, p, "ppf", f"vae-2d-ppf-n{n}-p{p:g}.png")
smin, smax = latent.axis_steps(xs_ppf)
frame.secondary(
    "Same decoder, same number of tiles. The linear grid's step is "
    f"{(hi - lo) / max(n - 1, 1):.2f} everywhere; "
    f"the ppf grid's step grows from {smin:.2f} in the centre to {smax:.2f} at the edges, so its "
    "mosaic spends more tiles on the middle of the map, where the prior is densest."
)

# --- the AE for contrast -------------------------------------------------------------------------

st.header("For contrast: the autoencoder's map")
with frame.cache_guard():
    loaders.model(AE)
    ae_mu = np.asarray(loaders.codes(AE)["mu"], dtype=np.float64)  # (N, 2), a copy
# the ppf grid's analogue for codes that are not N(0, I): their own quantiles
xs_ae, ys_ae = latent.quantile_axes(ae_mu, n, p)
facts = gc.grid_facts(n, lo, hi, p, vae_mu, ae_mu, labels)  # every number the notices quote
pts_ae = latent.grid_2d(xs_ae, ys_ae)
st_ae = latent.grid_stats(pts_ae, ae_mu)
frame.secondary(
    "The plain autoencoder was never told about N(0, I): its codes live on a scale of their own, "
    "so neither "
    "recipe above fits it. The ppf idea still does: put the grid at equal steps of the codes' "
    "*own* "
    "distribution, their empirical quantiles along each axis (probabilities p … 1 − p, the same "
    "p). Its statistics below are measured against the AE's own codes."
)
a_left, a_right = st.columns(2)
ae_caption = gc.ae_axes_caption(facts, float(vae_mu.min()), float(vae_mu.max()))
views.ae_codes(a_left, ae_mu, labels, subset, pts_ae, n, ae_caption)
with frame.cache_guard():
    grids.show_mosaic(a_right, n, lo, hi, p, "bbox", f"ae-2d-quantiles-n{n}-p{p:g}.png")

st.subheader("All three grids")
views.grids_table(
    [
        grids.stats_row(LIN, VAE, xs_lin, xs_lin, st_lin),
        grids.stats_row(PPF, VAE, xs_ppf, xs_ppf, st_ppf),
        grids.stats_row(f"{LIN} over the ppf grid's square", VAE, xs_m, xs_m, st_m),
        grids.stats_row("AE quantile grid", AE, xs_ae, ys_ae, st_ae),
    ],
    {LIN: (xs_lin, xs_lin), PPF: (xs_ppf, xs_ppf), "AE quantile grid": (xs_ae, ys_ae)},
    n,
)

# --- what to notice ------------------------------------------------------------------------------

frame.notice(gc.notes(facts))

grids.prefetch_around(n, lo, hi, p)
frame.lesson_links(LESSON)
