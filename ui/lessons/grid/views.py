"""The views of Grid vs ppf (pages/03_Grid_vs_ppf.py) besides its mosaics (``mosaics``), each drawn
where the page calls it: both grids' points over the VAE's codes and the prior's contours (on the
latent axes or warped by the prior's CDF), the grids' numbers as metrics, the AE's codes with its
quantile grid, and the table of all grids with its downloads. Widget and chart keys start with
``grid_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, render
from ui.draw.style import LATENT_RANGE
from ui.lessons import words
from ui.lessons.grid import mosaics as grids
from ui.page import downloads
from vae import latent

LIN, PPF = grids.LIN, grids.PPF
SHARES = (  # the table's columns of shares, shown as percentages
    "outside the prior's 99 % disc",
    "empty grid points",
    "codes in the busiest 10 % of tiles",
    "busiest tile",
)


def points_chart(
    where: Any,
    vae_mu: np.ndarray,
    labels: np.ndarray,
    subset: np.ndarray,
    lo: float,
    hi: float,
    p: float,
    xs_lin: np.ndarray,
    xs_ppf: np.ndarray,
    warp: str,
) -> None:
    """In ``where``: the ``subset`` of the VAE's codes (N, 2), the prior's contours and both
    grids' n x n points (axes ``xs_lin``, ``xs_ppf`` (n,)), on the latent axes (``warp`` "z") or
    warped by the prior's CDF ("u"), and its caption."""
    n = len(xs_lin)
    points = latent.grid_points_frame({LIN: (xs_lin, xs_lin), PPF: (xs_ppf, xs_ppf)})
    size = altair_charts.grid_marker_size(n)
    if warp == "u":  # the same points through the prior's CDF: the ppf grid is uniform there
        warped = points.assign(
            z1=latent.to_unit(points["z1"].to_numpy()), z2=latent.to_unit(points["z2"].to_numpy())
        )
        chart = render.overlay(
            render.spec(altair_charts.warp_chart, vae_mu[subset], labels[subset], subset),
            render.with_data(
                render.spec(
                    altair_charts.grid_points_chart,
                    grids.POINTS_TEMPLATE,
                    size,
                    "u₁ = Φ(z₁)",
                    "u₂ = Φ(z₂)",
                ),
                warped,
            ),
        )
    else:  # built once: the codes and contours per range, the points' layer from a template
        reach = max(abs(lo), abs(hi), float(np.abs(xs_ppf).max())) + 0.3
        domain = (min(LATENT_RANGE[0], -reach), max(LATENT_RANGE[1], reach))
        chart = render.overlay(
            render.spec(
                altair_charts.codes_and_prior, vae_mu[subset], labels[subset], subset, domain
            ),
            render.with_data(
                render.spec(altair_charts.grid_points_chart, grids.POINTS_TEMPLATE, size), points
            ),
            render.spec(altair_charts.contour_labels),
        )
    render.draw(
        chart,
        where,
        key="grid_chart",
        width="content",
        alt=grids.chart_alt(vae_mu[subset], labels[subset], n, lo, hi, xs_ppf, warp == "u"),
    )
    where.caption(
        f"The {n} × {n} sampling points of each grid. Squares: the linear grid over {lo:g} … "
        f"{hi:g}. Pink diamonds: the ppf grid, from {xs_ppf[0]:.2f} to {xs_ppf[-1]:.2f} "
        f"(probabilities {p:g} … {1 - p:g}). "
        "Dots: the VAE's test codes (3,000 of the 10,000), coloured by digit. Hover for values."
        + (
            " Warped by u = Φ(z), the prior's CDF on each axis: the prior is uniform on this "
            "square, so the ppf grid is evenly spaced, and the linear grid's points sit closer "
            "together the farther they are from 0, each tile there covering a thinner slice of "
            "the prior's mass."
            if warp == "u"
            else " Switch the axes to u = Φ(z) to see the ppf grid evenly spaced."
        )
    )


def metrics(st_lin: dict[str, float], st_ppf: dict[str, float]) -> None:
    """Both grids' shares side by side (``vae.latent.grid_stats``), the ppf grid's as a change."""
    for col, key, label in zip(
        st.columns(3),
        ("outside_99", "empty", "top10"),
        ("outside 99 % disc", "empty points", "codes in busiest 10 %"),
    ):
        col.markdown(f"**{label}**")
        col.metric("linear grid", words.pct(st_lin[key]))
        col.metric(
            "ppf grid",
            words.pct(st_ppf[key]),
            delta=f"{(st_ppf[key] - st_lin[key]) * 100:+.0f} pts",
            delta_color="inverse",
        )


def ae_codes(
    where: Any,
    ae_mu: np.ndarray,
    labels: np.ndarray,
    subset: np.ndarray,
    pts_ae: np.ndarray,
    n: int,
    caption: str,
) -> None:
    """In ``where``: the ``subset`` of the AE's codes (N, 2) and its quantile grid's n x n points
    ``pts_ae`` (n * n, 2), captioned."""
    ae_pts = pd.DataFrame({"x": pts_ae[:, 0], "y": pts_ae[:, 1]})
    render.draw(
        render.overlay(
            render.spec(altair_charts.ae_codes_chart, ae_mu[subset], labels[subset], subset),
            render.with_data(
                render.spec(altair_charts.ae_grid_chart, grids.AE_POINTS_TEMPLATE), ae_pts
            ),
        ),
        where,
        key="grid_ae_chart",
        width="stretch",
        alt=alt_text.scatter(
            f"The AE's test codes and its quantile grid's {n} × {n} points",
            ae_mu[subset],
            labels[subset],
        ),
    )
    where.caption(caption)


def grids_table(
    rows: list[dict[str, Any]], axes: dict[str, tuple[np.ndarray, np.ndarray]], n: int
) -> None:
    """The table of all grids (``rows`` from ``mosaics.stats_row``), and downloads of it and of the
    grids' points (``axes``: each grid's x and y axes)."""
    table = pd.DataFrame(rows)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="percent") for c in SHARES},
    )
    st.caption(
        "Statistics from `vae.latent.grid_stats`, against all 10,000 test codes of the model in "
        "the second column."
    )
    d1, d2 = st.columns(2)
    with d1:
        downloads.download_csv(
            table,
            f"grid-stats-n{n}.csv",
            key="grid_stats_csv",
            label="Download the statistics (CSV)",
        )
    with d2:
        downloads.download_csv(
            latent.grid_points_frame(axes),
            f"grid-points-n{n}.csv",
            key="grid_points_csv",
            label="Download the grid points (CSV)",
        )
