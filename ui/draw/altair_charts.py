"""Altair charts of the lessons, grouped by what they draw: codes in the latent plane with the
prior's
circles, rate-distortion ladders, training curves, KL per dimension, heatmaps, the explorer's pad,
a posterior's samples, the ELBO's gap (its parts, the refinement, the importance-weighted bound) and
a live
training run's curves. Builders for ``render.spec``: pure functions of their arguments (the current
theme and presenter mode come from ``charts``), no Streamlit elements.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st  # noqa: E402

from ui.draw import alt_text, chart_tables, render
from ui.draw.style import (
    ALTAIR_DIGIT_SCALE,
    BEST_Q_COLOR,
    CHART_HEIGHT,
    CONTOUR_COLOR,
    HIGHLIGHT,
    LANDING_PX,
    LATENT_RANGE,
    MOSAIC_ROWS_CACHE_ENTRIES,
    NEIGHBOUR_COLOR,
    PAD_N,
    POINT_SIZE,
    PPF_COLOR,
    SCHEME_SHAPES,
    SIZE_COLORS,
    SIZE_DASHES,
    SIZE_SHAPES,
)
from ui.draw.style import (
    GRID_LIN as LIN,
)
from ui.draw.style import (
    GRID_PPF as PPF,
)
from vae import prior
from vae.latent import pad_grid, to_unit


def rd_base(frame: pd.DataFrame) -> alt.Chart:
    """The rate (x) and distortion (y) encodings shared by every layer of the ladder chart."""
    return alt.Chart(frame).encode(
        x=alt.X(
            "KL (nats):Q",
            title="rate: KL (nats per image, log scale)",
            scale=alt.Scale(type="log", nice=False),
        ),
        y=alt.Y(
            "reconstruction (nats):Q",
            title="distortion: reconstruction (nats per image)",
            scale=alt.Scale(zero=False),
        ),
        tooltip=[
            alt.Tooltip("β:N"),
            alt.Tooltip("KL (nats):Q", format=".2f"),
            alt.Tooltip("reconstruction (nats):Q", format=".2f"),
            alt.Tooltip("−ELBO (nats):Q", format=".2f"),
        ],
    )


RD_RING_SIZE = 420  # the chosen rung's ring: area in px² (radius about 11.6 px, stroke 3 px)
RD_RING_STROKE = 3
# Where each point's β label goes (side -> dx, dy of its baseline anchor in px, alignment): far
# enough that no label box reaches the chosen rung's ring (a test checks the geometry).
RD_LABEL_PLACES = {
    "right": (17, -12, "left"),
    "left": (-17, -12, "right"),
    "below": (0, 33, "center"),
}


def rd_labels(base: alt.Chart, color: str, halo: bool = False) -> list[alt.Chart]:
    """Each point's β, to the side its ``side`` column names (``halo``: page colour underneath)."""
    style = {"stroke": render.paper(), "strokeWidth": 4} if halo else {}
    return [
        base.transform_filter(alt.datum.side == side)
        .mark_text(dx=dx, dy=dy, fontSize=render.fs(13), align=align, color=color, **style)
        .encode(text=alt.Text("label:N"))
        for side, (dx, dy, align) in RD_LABEL_PLACES.items()
    ]


def rd_chosen(row: pd.DataFrame) -> alt.LayerChart:
    """The chosen rung (one row of the ladder frame): a red ring and a red label over the grey
    one."""
    base = rd_base(row)
    return alt.layer(
        base.mark_point(size=RD_RING_SIZE, color=HIGHLIGHT, strokeWidth=RD_RING_STROKE),
        *rd_labels(base, render.paper(), halo=True),
        *rd_labels(base, HIGHLIGHT),
    )


def rd_chart(rd: pd.DataFrame, select: str | None = None) -> alt.LayerChart:
    """Rate (log scale: one rung's large KL does not squash the others) against distortion, one
    point per built rung; ``select`` names a click selection of a point's β. The chosen rung is
    layered on (``rd_chosen``)."""
    base = rd_base(rd)
    dots = base.mark_circle(size=110, color="#4e79a7", opacity=0.9)
    if select:
        dots = dots.add_params(
            alt.selection_point(name=select, on="click", nearest=True, fields=["beta"])
        )
    layers = [
        base.mark_line(color="gray", strokeWidth=1).encode(order=alt.Order("beta:Q")),
        dots,
        *rd_labels(base, "gray"),
    ]
    ref = rd[rd["beta"] == 1.0]
    if not ref.empty:  # points with the same -ELBO (rate + distortion) as the beta = 1 model
        e1 = float(ref["−ELBO (nats)"].iloc[0])
        r_lo, r_hi = (
            float(rd["reconstruction (nats)"].min()),
            float(rd["reconstruction (nats)"].max()),
        )
        k_lo = max(
            float(rd["KL (nats)"].min()), e1 - r_hi, 1e-3
        )  # keep the curve inside the data's range
        k_hi = min(float(rd["KL (nats)"].max()), e1 - r_lo)
        kl = np.geomspace(k_lo, max(k_lo, k_hi), 60)  # a curve on the log axis: many points
        iso = pd.DataFrame(
            {"KL (nats)": kl, "reconstruction (nats)": e1 - kl, "order": np.arange(len(kl))}
        )
        layers.insert(
            0,
            alt.Chart(iso)
            .mark_line(strokeDash=[6, 4], color="gray")
            .encode(
                x=alt.X("KL (nats):Q"),
                y=alt.Y("reconstruction (nats):Q"),
                order=alt.Order("order:Q"),
            ),
        )
    return alt.layer(*layers).properties(
        height=CHART_HEIGHT,
        title=alt.TitleParams(
            "each point: one 2-D VAE, labelled by β (click one)",
            fontSize=render.fs(12),
            fontWeight="normal",
        ),
    )


def ladder_bars(
    frame: pd.DataFrame, value: str, title: str, axis_format: str, chosen: float, height: int = 190
) -> alt.Chart:
    """One bar per rung (columns beta, β, ``value``), the chosen β in the highlight colour."""
    return (
        alt.Chart(frame, height=height, title=title)
        .mark_bar()
        .encode(
            x=alt.X("β:N", sort=None, title="β", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=None, axis=alt.Axis(format=axis_format)),
            color=alt.ColorValue(
                **alt.condition(
                    alt.datum.beta == chosen, alt.value(HIGHLIGHT), alt.value("#8a8f99")
                )
            ),
            tooltip=[
                alt.Tooltip("β:N"),
                alt.Tooltip(f"{value}:Q", format=axis_format.replace("%", ".1%")),
            ],
        )
    )


def curve_chart(part: pd.DataFrame, term: str) -> alt.Chart:
    """One loss term per epoch, train and test."""
    return (
        alt.Chart(part, title=f"{term} per epoch")
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(
                "nats:Q", title="nats per image", scale=alt.Scale(zero=False)
            ),  # the term is in the title
            color=alt.Color(
                "split:N",
                title="images",
                scale=alt.Scale(domain=["train", "test"], range=["#4e79a7", "#f28e2b"]),
            ),
            tooltip=[
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("split:N"),
                alt.Tooltip("nats:Q", format=".2f"),
            ],
        )
        .properties(height=260)
    )


def dims_chart(part: pd.DataFrame, beta: float, y_max: float) -> alt.Chart:
    """Mean KL per latent dimension of one 10-D model, inactive dimensions in grey."""
    return (
        alt.Chart(part)
        .mark_bar()
        .encode(
            x=alt.X("dimension:O", title="latent dimension", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("KL:Q", title="KL (nats)", scale=alt.Scale(domain=[0, y_max])),
            color=alt.Color(
                "active:N",
                title="unit",
                scale=alt.Scale(domain=["active", "inactive"], range=["#4e79a7", "#bab0ac"]),
            ),
            tooltip=[
                alt.Tooltip("dimension:O", title="latent dimension"),
                alt.Tooltip("KL:Q", format=".3f"),
                alt.Tooltip("var_mu:Q", format=".4f", title="Var(μ)"),
                alt.Tooltip("active:N"),
            ],
        )
        .properties(height=240, title=f"β = {beta:g}")
    )


# the plot side of Grid vs ppf's chart of the grids' points: with its axes and both legends it fits
# its column (pages/03_Grid_vs_ppf.py, 3/5 of the page: 556 px), so the page's script does not
# scale it and its text down (ui.page.frame.FIT_JS)
GRID_CHART_PX = 350


def _codes_over_contours(
    frame: pd.DataFrame,
    contours: pd.DataFrame,
    axes: tuple[str, str],
    domain: tuple[float, float],
    title: str,
) -> alt.LayerChart:
    """Codes (faint, so the contours show through) under the prior's dashed contours, one line per
    label drawn in the order of its points, on a square plot: both in z, or both warped to u."""
    x_title, y_title = axes
    base = scatter(frame, x_title=x_title, y_title=y_title, domain=domain, opacity=0.3, title=title)
    contour_layer = (
        alt.Chart(contours)
        .mark_line(color=CONTOUR_COLOR, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(
            x=alt.X("x:Q", title=x_title),
            y=alt.Y("y:Q", title=y_title),
            order=alt.Order("order:Q"),
            detail=alt.Detail("label:N"),
        )
    )
    # equal scales: in z the contours are circles
    return square(alt.layer(base, contour_layer), GRID_CHART_PX)


def codes_and_prior(
    codes: np.ndarray, digits: np.ndarray, index: np.ndarray, domain: tuple[float, float]
) -> alt.LayerChart:
    """The VAE's test codes and the prior's contours (the part that does not depend on n)."""
    return _codes_over_contours(
        codes_frame(codes, digits, index),
        prior.contours(),
        ("z₁", "z₂"),
        domain,
        "VAE test codes μ, the prior's contours and the grids' sampling points",
    )


def warp_chart(codes: np.ndarray, digits: np.ndarray, index: np.ndarray) -> alt.LayerChart:
    """The codes and the prior's contours warped into the unit square, u = Phi(z) per axis: the
    prior becomes uniform there, so a ppf grid is evenly spaced and a linear one bunched."""
    c = prior.contours()
    c[["x", "y"]] = to_unit(c[["x", "y"]].to_numpy())
    return _codes_over_contours(
        codes_frame(to_unit(codes), digits, index),
        c,
        ("u₁ = Φ(z₁)", "u₂ = Φ(z₂)"),
        (0.0, 1.0),
        "The same, warped: u = Φ(z), where the prior is uniform",
    )


def contour_labels() -> alt.LayerChart:
    """The contours' labels, drawn over the sampling points."""
    contours = prior.contours()
    lab = contours.groupby("label", sort=False)["radius"].first().reset_index()
    lab["x"] = lab["radius"] * np.cos(np.pi / 4)
    lab["y"] = lab["radius"] * np.sin(np.pi / 4)
    lab["text"] = lab["label"] + " of N(0, I)"
    label_base = alt.Chart(lab).encode(
        x=alt.X("x:Q", title="z₁"), y=alt.Y("y:Q", title="z₂"), text=alt.Text("text:N")
    )
    label_layer = (
        label_base.mark_text(
            align="left",
            dx=4,
            dy=-4,
            fontSize=render.fs(12),
            fontWeight="bold",
            stroke=render.paper(),
            strokeWidth=4,
            strokeOpacity=0.9,
        )  # a halo
        + label_base.mark_text(
            align="left", dx=4, dy=-4, fontSize=render.fs(12), fontWeight="bold", color=render.ink()
        )
    )
    return label_layer


def grid_marker_size(n: int) -> int:
    """Area (px²) of a grid point's marker: 45 at the default 15 × 15, shrinking as 1/n² so that a
    dense grid's markers do not cover the codes, and never below 8."""
    return int(max(8, min(140, round(45 * (15 / max(n, 1)) ** 2))))


def grid_points_chart(
    points: pd.DataFrame, size: int = 45, x_title: str = "z₁", y_title: str = "z₂"
) -> alt.Chart:
    """The sampling points of both grids (rows of ``latent.grid_points_frame``), markers of
    ``size``."""
    colors = {LIN: render.ink(), PPF: PPF_COLOR}
    # stroke (not color) for the scheme: the digits keep the color scale, and stroke + shape share
    # one legend
    return (
        alt.Chart(points)
        .mark_point(size=size, strokeWidth=1.8 if size >= 30 else 1.2, filled=False, opacity=0.95)
        .encode(
            x=alt.X("z1:Q", title=x_title),
            y=alt.Y("z2:Q", title=y_title),
            stroke=alt.Stroke(
                "scheme:N",
                title="sampling points",
                scale=alt.Scale(domain=list(colors), range=list(colors.values())),
                legend=alt.Legend(orient="right"),
            ),
            shape=alt.Shape(
                "scheme:N",
                title="sampling points",
                scale=alt.Scale(domain=list(SCHEME_SHAPES), range=list(SCHEME_SHAPES.values())),
            ),
            tooltip=[
                alt.Tooltip("scheme:N"),
                alt.Tooltip("row:Q"),
                alt.Tooltip("col:Q"),
                alt.Tooltip("z1:Q", format=".2f", title="z₁"),
                alt.Tooltip("z2:Q", format=".2f", title="z₂"),
            ],
        )
    )


def heatmap(
    df: pd.DataFrame,
    row: str,
    col: str,
    row_order: list[str],
    col_order: list[str],
    row_title: str,
    col_title: str,
    value_title: str,
    title: str = "",
) -> alt.LayerChart:
    """Digit x dimension (or component x dimension) values: blue negative, red positive, values in
    the cells."""
    m = float(max(np.abs(df["value"]).max(), 1e-6))
    small = len(col_order) > 12
    base = alt.Chart(df, title=title).encode(
        x=alt.X(f"{col}:N", sort=col_order, title=col_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{row}:N", sort=row_order, title=row_title),
    )
    rect = base.mark_rect().encode(
        color=alt.Color(
            "value:Q",
            title=value_title,
            scale=alt.Scale(scheme="redblue", reverse=True, domain=[-m, m]),
        ),
        tooltip=[
            alt.Tooltip(f"{row}:N", title=row_title),
            alt.Tooltip(f"{col}:N", title=col_title),
            alt.Tooltip("value:Q", format=".3f", title=value_title),
        ],
    )
    text = base.mark_text(fontSize=render.fs(9 if small else 12)).encode(
        text=alt.Text("value:Q", format=".1f" if small else ".2f"),
        color=alt.ColorValue(
            **alt.condition(
                f"abs(datum.value) > {0.55 * m}", alt.value("white"), alt.value("black")
            )
        ),
    )
    return (rect + text).properties(
        height=alt.Step(26)
    )  # a fixed row height: "fit" would squash the rows


def pad_chart(
    codes: np.ndarray,
    digits: np.ndarray,
    index: np.ndarray,
    half: float = LATENT_RANGE[1],
    title: str = "Test codes (posterior means): click anywhere",
) -> alt.LayerChart:
    """Test codes over an invisible grid of cells that catches clicks anywhere (built once per
    model:
    the marker of the current point is layered on per run, see ``pad_spec``), on the square box
    [-half, half] on both axes (``ui.lessons.explorer.claims.pad_half``: the model's codes, not a
    fixed
    box).

    The click selection is a plain point selection (no ``nearest``) with fields x, y: a click on
    an empty spot selects the grid cell there (its centre), a click on a dot selects that dot's
    code, since both data rows carry x and y.
    """
    grid = pad_grid(PAD_N, -half, half)
    cell = half / (PAD_N - 1)  # half a cell's side
    gdf = pd.DataFrame(
        {
            "x": grid[:, 0],
            "y": grid[:, 1],
            "x0": grid[:, 0] - cell,
            "x1": grid[:, 0] + cell,
            "y0": grid[:, 1] - cell,
            "y1": grid[:, 1] + cell,
        }
    )
    click = alt.selection_point(name="pad", on="click", fields=["x", "y"], empty=False)
    scale = alt.Scale(domain=[-half, half])
    pad = (
        alt.Chart(gdf)
        .mark_rect(opacity=0.001, color="gray", clip=True)
        .encode(
            x=alt.X("x0:Q", title="z₁", scale=scale),
            x2=alt.X2("x1:Q"),
            y=alt.Y("y0:Q", title="z₂", scale=scale),
            y2=alt.Y2("y1:Q"),
            tooltip=[
                alt.Tooltip("x:Q", format=".1f", title="z₁ (click to decode)"),
                alt.Tooltip("y:Q", format=".1f", title="z₂"),
            ],
        )
        .add_params(click)
    )
    dots = scatter(
        codes_frame(codes, digits, index), domain=(-half, half), title=title, opacity=0.5
    )
    # about square plot area (the legend takes ~ 40 px more than title and axis title), so that
    # z1 and z2 have the same units on screen
    return alt.layer(pad, dots).properties(width=CHART_HEIGHT + 140, height=CHART_HEIGHT + 140)


GAP_PARTS = ("amortization: the encoder's miss", "approximation: a Gaussian's shape")


def gap_chart(amortization: float, approximation: float) -> alt.Chart:
    """The ELBO's gap KL(q || p(z|x)) as one stacked bar of its two parts from zero: amortization
    first in the theme's ink, approximation after it in magenta."""
    df = pd.DataFrame(
        {
            "part": list(GAP_PARTS),
            "nats": [max(amortization, 0.0), max(approximation, 0.0)],
            "order": [0, 1],
            "bar": "gap",
        }
    )
    return (
        alt.Chart(df)
        .mark_bar(height=36)
        .encode(
            x=alt.X(
                "nats:Q", stack="zero", title="nats (log p(x) − ELBO)", scale=alt.Scale(zero=True)
            ),
            y=alt.Y("bar:N", title=None, axis=None),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(domain=list(GAP_PARTS), range=[render.ink(), BEST_Q_COLOR]),
                legend=None,
            ),  # the page names the two segments under the bar
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("part:N"), alt.Tooltip("nats:Q", format=".3f")],
        )
        .properties(
            # the bar's own height: the axis and its title below it (Streamlit's "fit" squeezed
            # them into 50 px, and the title was left out)
            height=40,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
    )


def refine_chart(trace: pd.DataFrame, log_px: float, step: int) -> alt.LayerChart:
    """The ELBO during the per-image refinement (``trace``: step, ELBO), log p(x) as a dashed line
    above it and the chosen step marked."""
    base = alt.Chart(trace).encode(
        x=alt.X("step:Q", title="gradient step on this image's μ and log σ")
    )
    line = base.mark_line(color=BEST_Q_COLOR, strokeWidth=2.5).encode(
        # 18 px of room above log p(x) for its label, inside the plot
        y=alt.Y("ELBO:Q", title="nats", scale=alt.Scale(zero=False, padding=18)),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("ELBO:Q", format=".3f")],
    )
    top = (
        alt.Chart(pd.DataFrame({"y": [log_px], "what": ["log p(x)"]}))
        .mark_rule(strokeDash=[6, 4], color=render.ink(), strokeWidth=1.5)
        .encode(y=alt.Y("y:Q"), tooltip=[alt.Tooltip("y:Q", format=".3f", title="log p(x)")])
    )
    # the label above the line at the first step: the ELBO curve stays below log p(x), and the
    # chosen step's marker sits at the last step by default (at the right end it covered the label)
    label = (
        alt.Chart(
            pd.DataFrame({"y": [log_px], "x": [float(trace["step"].min())], "t": ["log p(x)"]})
        )
        .mark_text(align="left", dx=4, dy=-8, fontSize=render.fs(12), color=render.ink())
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), text=alt.Text("t:N"))
    )
    now = (
        base.transform_filter(alt.datum.step == step)
        .mark_point(
            size=160, color=BEST_Q_COLOR, filled=True, stroke=render.paper(), strokeWidth=1.5
        )
        .encode(y=alt.Y("ELBO:Q"))
    )
    return alt.layer(line, top, label, now).properties(height=240)


def iwae_chart(curve: pd.DataFrame, k: int, lines: pd.DataFrame) -> alt.LayerChart:
    """The importance-weighted bound L_k against k (log axis, ``curve``: k, bound), the chosen k
    marked, and horizontal reference lines (``lines``: what, nats) such as log p(x) and the ELBO."""
    base = alt.Chart(curve).encode(
        x=alt.X(
            "k:Q",
            title="k, samples per image (log scale)",
            scale=alt.Scale(type="log"),
            axis=alt.Axis(format="d", values=sorted({int(v) for v in curve["k"]})),  # its ks
        )
    )
    line = base.mark_line(color="#4e79a7", strokeWidth=2.5, point=True).encode(
        y=alt.Y("bound:Q", title="nats", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("k:Q"), alt.Tooltip("bound:Q", format=".3f", title="L_k")],
    )
    now = (
        base.transform_filter(alt.datum.k == k)
        .mark_point(size=200, color=HIGHLIGHT, filled=True, stroke=render.paper(), strokeWidth=1.5)
        .encode(y=alt.Y("bound:Q"))
    )
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[6, 4], strokeWidth=1.5, color=render.ink())
        .encode(
            y=alt.Y("nats:Q"), tooltip=[alt.Tooltip("what:N"), alt.Tooltip("nats:Q", format=".3f")]
        )
    )
    # each line's name at the end of the chart where the curve is farther from it (the curve
    # starts at the ELBO and climbs to log p(x)): the name never sits on the curve
    first, last = curve.sort_values("k").iloc[[0, -1]]["bound"]
    left = (lines["nats"] - first).abs() > (lines["nats"] - last).abs()
    named = lines.assign(
        k=np.where(left, float(curve["k"].min()), float(curve["k"].max())),
        align=np.where(left, "left", "right"),
    )
    text = [
        alt.Chart(named[named["align"] == side])
        .mark_text(align=side, dy=-8, fontSize=render.fs(12), color=render.ink())
        .encode(x=alt.X("k:Q"), y=alt.Y("nats:Q"), text=alt.Text("what:N"))
        for side in ("left", "right")
    ]
    return alt.layer(line, rules, *text, now).properties(height=260)


def iwae_models_chart(rows: pd.DataFrame) -> alt.Chart:
    """The zoo's stored bound L_k against k (log axis) for several models (``rows``: model, k,
    "L_k (nats)"), one line each."""
    return (
        alt.Chart(rows)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X(
                "k:Q",
                title="k, samples per image (log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(format="d", values=sorted({int(v) for v in rows["k"]})),  # its ks
            ),
            y=alt.Y(
                "L_k (nats):Q", title="nats, mean over 500 test images", scale=alt.Scale(zero=False)
            ),
            color=alt.Color("model:N", title="model"),
            tooltip=[
                alt.Tooltip("model:N"),
                alt.Tooltip("k:Q"),
                alt.Tooltip("L_k (nats):Q", format=".3f"),
            ],
        )
        .properties(height=240)
    )


def class_box_chart() -> alt.LayerChart:
    """The test digits' negative ELBO by digit class (slot "stats": digit, p5, p25, p50, p75, p95),
    5-95 % whiskers, 25-75 % box and the median; the learner's score as a vertical rule (slot
    "yours": x, label). One spec for every model: ``class_box_rows`` gives the rows
    (``render.fill``)."""
    base = alt.Chart(render.slot("stats")).encode(
        y=alt.Y(
            "digit:O",
            title="test digits of class",
            sort=list(range(10)),
            axis=alt.Axis(labelOverlap=False, labelAngle=0),
        )
    )
    whisker = base.mark_rule(color="#9aa5b1", strokeWidth=2).encode(
        x=alt.X("p5:Q", title="negative ELBO (nats per image)", scale=alt.Scale(zero=False)),
        x2=alt.X2("p95:Q"),
    )
    box = base.mark_bar(size=14, color="#9aa5b1").encode(x=alt.X("p25:Q"), x2=alt.X2("p75:Q"))
    median = base.mark_tick(color=render.ink(), thickness=2, size=14).encode(
        x=alt.X("p50:Q"),
        tooltip=[
            alt.Tooltip("digit:O"),
            alt.Tooltip("p50:Q", format=".0f", title="median"),
            alt.Tooltip("p5:Q", format=".0f", title="5 %"),
            alt.Tooltip("p95:Q", format=".0f", title="95 %"),
        ],
    )
    mark = render.slot("yours")
    rule = (
        alt.Chart(mark)
        .mark_rule(color=render.ink(), strokeWidth=3, strokeDash=[6, 3])
        .encode(x=alt.X("x:Q"))
    )
    text = (
        alt.Chart(mark)
        .mark_text(
            align="left", dx=6, dy=-6, fontSize=render.fs(12), fontWeight="bold", color=render.ink()
        )
        .encode(x=alt.X("x:Q"), y=alt.value(0), text=alt.Text("label:N"))
    )
    return alt.layer(whisker, box, median, rule, text).properties(height=320)


def class_box_rows(stats: pd.DataFrame, score: float, label: str) -> dict[str, pd.DataFrame]:
    """This run's rows for ``class_box_chart``'s slots: the model's percentiles, the learner's score
    and its label."""
    return {"stats": stats, "yours": pd.DataFrame({"x": [float(score)], "label": [label]})}


def square_domains(
    xy: np.ndarray, margin: float = 0.05
) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y domains of the same length, around the points xy (n, 2) with a margin: on a square
    chart one unit is then as long across as up (an ellipse keeps its shape)."""
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    half = 0.5 * float(max(hi - lo)) * (1 + 2 * margin) or 1.0
    mid = 0.5 * (lo + hi)
    return (float(mid[0] - half), float(mid[0] + half)), (
        float(mid[1] - half),
        float(mid[1] + half),
    )


def landing_chart(
    points: pd.DataFrame,
    near: pd.DataFrame | None,
    you: tuple[float, float] | None,
    ring: np.ndarray | None,
    domains: tuple[tuple[float, float], tuple[float, float]],
    x_title: str,
    y_title: str,
    title: str,
    prior_circle: bool = False,
    side: int = LANDING_PX,
    draws: pd.DataFrame | None = None,
    select: str | None = None,
    you_label: str = "yours",
    legend: bool = True,
) -> alt.LayerChart:
    """Where a digit lands among the test codes, on a square chart with equal x and y scales: the
    codes (``codes_frame`` rows; ``select`` names a click selection on them), draws from the
    prior (``draws``: x, y; small crosses in the theme's ink), grey circles on the digit's nearest
    codes (``near``), the dashed ellipse of its posterior (``ring`` (n, 2), to scale), the prior's
    99 % circle (2-D latent), and the digit's code as a large cross labelled ``you_label`` in the
    theme's ink over a halo in the page colour, drawn last so nothing hides it.

    ``draws``, ``near``, ``you`` and ``ring`` may each be ``SLOT``: the chart's spec is then built
    once for the fixed rest, and each run gives that layer its rows (``landing_rows``,
    ``render.fill``)."""
    draws = render.slot("draws") if isinstance(draws, str) else draws
    near = render.slot("near") if isinstance(near, str) else near
    (x0, x1), (y0, y1) = domains
    xs, ys = (
        alt.Scale(domain=[x0, x1], nice=False, zero=False),
        alt.Scale(domain=[y0, y1], nice=False, zero=False),
    )
    pts = scatter(
        points, x_title=x_title, y_title=y_title, domain=None, title=title, select=select
    ).encode(x=alt.X("x:Q", title=x_title, scale=xs), y=alt.Y("y:Q", title=y_title, scale=ys))
    if not legend:
        pts = pts.encode(
            color=alt.Color("digit:N", legend=None, scale=alt.Scale(**ALTAIR_DIGIT_SCALE))
        )
    layers: list[alt.Chart] = [pts]
    if prior_circle:
        c = prior.circle(prior.radius(0.99))  # (121, 2)
        layers.append(
            alt.Chart(pd.DataFrame({"x": c[:, 0], "y": c[:, 1], "order": np.arange(len(c))}))
            .mark_line(color="gray", strokeDash=[2, 3], strokeWidth=1.5, clip=True)
            .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("order:Q"))
        )
    if draws is not None:
        layers.append(
            alt.Chart(draws)
            .mark_point(
                shape="cross", size=22, filled=True, color=render.ink(), opacity=0.55, clip=True
            )
            .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))
        )
    if near is not None:
        layers.append(markers(near, color=NEIGHBOUR_COLOR, shape="circle", size=150))
    me = (
        render.slot("you")
        if isinstance(you, str)
        else None
        if you is None
        else pd.DataFrame({"x": [you[0]], "y": [you[1]], "label": [you_label]})
    )
    if me is not None:
        layers.append(
            markers(me, color=render.paper(), size=700)
        )  # the cross's halo, under the ellipse
    if ring is not None:
        rows = render.slot("ring") if isinstance(ring, str) else ring_rows(ring)
        layers.append(
            alt.Chart(rows)
            .mark_line(color=render.ink(), strokeWidth=2, strokeDash=[5, 3], clip=True)
            .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("order:Q"))
        )
    if me is not None:
        layers.append(markers(me, size=480, label="label"))  # the theme's ink: no digit's colour
    return square(alt.layer(*layers), side)


SLOT = "slot"  # a layer of ``landing_chart`` whose rows each run gives (``landing_rows``)


def ring_rows(ring: np.ndarray) -> pd.DataFrame:
    """An ellipse (n, 2) as the rows of a closed line: x, y, order."""
    return pd.DataFrame({"x": ring[:, 0], "y": ring[:, 1], "order": np.arange(len(ring))})


def landing_rows(
    you: tuple[float, float] | None = None,
    you_label: str = "yours",
    ring: np.ndarray | None = None,
    draws: pd.DataFrame | None = None,
    near: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """This run's rows for the ``SLOT`` layers of a ``landing_chart`` (``render.fill(spec,
    **rows)``);
    a slot left None is given no rows (shared empty frames, built once and never modified)."""
    return {
        "you": _NO_ROWS["you"]
        if you is None
        else pd.DataFrame({"x": [float(you[0])], "y": [float(you[1])], "label": [you_label]}),
        "ring": ring_rows(ring) if ring is not None else _NO_ROWS["ring"],
        "draws": draws if draws is not None else _NO_ROWS["xy"],
        "near": near if near is not None else _NO_ROWS["xy"],
    }


# the rows of an unused landing-chart slot, one frame per set of columns (read, never modified:
# building four empty frames per chart was a measurable part of a repeat run)
_NO_ROWS = {
    "xy": pd.DataFrame({"x": [], "y": []}),
    "you": pd.DataFrame({"x": [], "y": [], "label": []}),
    "ring": pd.DataFrame({"x": [], "y": [], "order": []}),
}


def mix_chart_filled(
    mix: pd.DataFrame,
    sources: tuple[str, ...],
    colors: tuple[str, ...],
    title: str,
    height: int = 190,
) -> dict:
    """Grouped bars: the share of each digit (``mix``: columns digit, source, share) per source, in
    the order and colours given ("ink": the theme's text colour, dark on light and light on dark).
    The spec is built once per sources, colours, title and height, its rows a slot given this run's
    ``mix``: a seed's shares cost no chart building."""
    return render.fill(render.spec(_mix_chart, sources, colors, title, height), mix=mix)


def _mix_chart(
    sources: tuple[str, ...], colors: tuple[str, ...], title: str, height: int
) -> alt.Chart:
    """``mix_chart_filled``'s chart, its rows the slot "mix"."""
    colors = tuple(render.ink() if c == "ink" else c for c in colors)
    return (
        alt.Chart(render.slot("mix"), height=height, title=title)
        .mark_bar()
        .encode(
            x=alt.X("digit:N", title="digit", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("source:N", sort=list(sources)),
            y=alt.Y("share:Q", title="share", axis=alt.Axis(format="%")),
            color=alt.Color(
                "source:N",
                title="",
                sort=list(sources),
                scale=alt.Scale(domain=list(sources), range=list(colors)),
                legend=alt.Legend(orient="right"),
            ),
            tooltip=[
                alt.Tooltip("source:N"),
                alt.Tooltip("digit:N"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
    )


def hidden_by_marker(
    ring: np.ndarray, domains: tuple[tuple[float, float], tuple[float, float]]
) -> bool:
    """Whether an ellipse (n, 2) is small enough to vanish under ``landing_chart``'s cross (about a
    15th of the plotted span across: 20-30 px on the page)."""
    span = max(domains[0][1] - domains[0][0], domains[1][1] - domains[1][0])
    return float(np.ptp(ring, axis=0).max()) < span / 15


def digit_histogram(
    values: np.ndarray, labels: np.ndarray, label: str, stacked: bool
) -> alt.TopLevelMixin:
    """Histogram of one latent dimension's mu over the test images by digit: stacked with the
    prior N(0, 1) scaled to the counts (dashed), or one small panel per digit."""

    hist = chart_tables.histogram_counts(
        values, labels, bins=40 if stacked else 25
    )  # panels are small: wider bars

    def counts(y_title: str, **mark: Any) -> alt.Chart:  # the bars, in panels or stacked
        return (
            alt.Chart(hist)
            .mark_bar(**mark)
            .encode(
                x=alt.X("start:Q", bin="binned", title=f"μ of {label}"),
                x2=alt.X2("end:Q"),
                y=alt.Y("count:Q", title=y_title),
                color=DIGIT_COLOR,
                tooltip=[
                    alt.Tooltip("digit:N"),
                    alt.Tooltip("count:Q", title="images"),
                    alt.Tooltip("start:Q", format=".2f", title="from"),
                    alt.Tooltip("end:Q", format=".2f", title="to"),
                ],
            )
        )

    if not stacked:
        return (
            counts("images", binSpacing=0)
            .properties(width=160, height=90)
            .facet(
                facet=alt.Facet(
                    "digit:N",
                    title=f"μ of {label}, one panel per digit",
                    header=alt.Header(labelExpr="'digit ' + datum.value"),
                ),
                columns=5,
            )
        )
    bars = counts("test images")
    width = float(hist["end"].iloc[0] - hist["start"].iloc[0])
    xs = np.linspace(float(hist["start"].min()), float(hist["end"].max()), 200)
    prior_curve = pd.DataFrame(
        {"start": xs, "count": len(values) * width * np.exp(-0.5 * xs**2) / np.sqrt(2 * np.pi)}
    )
    curve = (
        alt.Chart(prior_curve)
        .mark_line(color=CONTOUR_COLOR, strokeDash=[5, 3])
        .encode(x=alt.X("start:Q"), y=alt.Y("count:Q"))
    )
    return (bars + curve).properties(
        height=300, title=f"μ of {label} over the test images, by digit (dashed: the prior N(0, 1))"
    )


def variance_chart(evr: np.ndarray) -> alt.LayerChart:
    """Explained variance of each principal component (bars) and cumulative (line)."""
    names = [f"PC{i + 1}" for i in range(len(evr))]
    df = pd.DataFrame({"component": names, "share": evr, "cumulative": np.cumsum(evr)})
    x = alt.X("component:N", sort=names, title="principal component", axis=alt.Axis(labelAngle=0))
    bars = (
        alt.Chart(df)
        .mark_bar(color="#4e79a7")
        .encode(
            x=x,
            y=alt.Y(
                "share:Q",
                title="share of the variance of the codes",
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("component:N"),
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("cumulative:Q", format=".1%"),
            ],
        )
    )
    cum = alt.Chart(df).mark_line(color="#f28e2b", point=True).encode(x=x, y=alt.Y("cumulative:Q"))
    return (bars + cum).properties(
        height=260, title="Explained variance: each component (bars), cumulative (line)"
    )


def budget_chart(var_mu: np.ndarray, mean_s2: np.ndarray | None, dims: list[str]) -> alt.Chart:
    """Per latent dimension, Var(mu) and E[sigma^2] stacked: their sum is the variance of the codes
    the model actually spreads in that dimension (the prior's is 1, dashed). An AE (mean_s2 None)
    has neither sigma nor prior: Var(mu) alone, no line."""
    parts = [pd.DataFrame({"dimension": dims, "part": "Var(μ) over the images", "value": var_mu})]
    if mean_s2 is not None:
        parts.append(pd.DataFrame({"dimension": dims, "part": "mean σ²", "value": mean_s2}))
    bars = (
        alt.Chart(pd.concat(parts))
        .mark_bar()
        .encode(
            x=alt.X(
                "dimension:N", sort=dims, title="latent dimension", axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("value:Q", title="variance", stack=True),
            color=alt.Color(
                "part:N",
                title="",
                scale=alt.Scale(range=["#4e79a7", "#c5cad3"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("dimension:N"),
                alt.Tooltip("part:N"),
                alt.Tooltip("value:Q", format=".3f"),
            ],
        )
    )
    if mean_s2 is None:  # an autoencoder: no prior to draw
        return bars.properties(height=260, title="Variance of μ per dimension (no prior: an AE)")
    one = (
        alt.Chart(pd.DataFrame({"y": [1.0]}))
        .mark_rule(color=CONTOUR_COLOR, strokeDash=[5, 3])
        .encode(y=alt.Y("y:Q"))
    )
    return (bars + one).properties(
        height=260, title="Variance per dimension (dashed: the prior's 1)"
    )


def loadings_chart(comps: np.ndarray, dims: list[str]) -> alt.LayerChart:
    """Heatmap of the loadings of PC1 and PC2 (rows of ``comps``) on the latent dimensions."""

    pcs = ["PC1", "PC2"]
    df = chart_tables.heatmap_frame(comps[:2], pcs, dims, "component", "dimension")
    m = float(max(np.abs(df["value"]).max(), 1e-6))
    base = alt.Chart(df, title="Loadings of PC1 and PC2 on the latent dimensions").encode(
        x=alt.X("dimension:N", sort=dims, title="latent dimension", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("component:N", sort=pcs, title="component"),
    )
    heat = base.mark_rect().encode(
        color=alt.Color(
            "value:Q",
            title="loading",
            scale=alt.Scale(scheme="redblue", reverse=True, domain=[-m, m]),
        ),
        tooltip=[
            alt.Tooltip("component:N"),
            alt.Tooltip("dimension:N"),
            alt.Tooltip("value:Q", format=".3f"),
        ],
    )
    text = base.mark_text(fontSize=render.fs(12)).encode(
        text=alt.Text("value:Q", format=".2f"),
        color=alt.ColorValue(
            **alt.condition(
                f"abs(datum.value) > {0.55 * m}", alt.value("white"), alt.value("black")
            )
        ),
    )
    return (heat + text).properties(height=alt.Step(36))


def posterior_map(
    points: pd.DataFrame, domains: tuple[tuple[float, float], tuple[float, float]], side: int
) -> alt.LayerChart:
    """Two images' posteriors among the test codes (2-D latent), on a square chart with equal
    scales:
    the codes, the prior's unit circle (dotted), each image's 1- and 2-sigma ellipses (slot
    ``rings``: x, y, order, key, ring), its samples (small crosses, slot ``samples``: x, y) and its
    mean labelled (slot ``posteriors``: x, y, label). The slots are filled per run
    (``render.fill``)."""
    rings, samples, posteriors = (
        render.slot("rings"),
        render.slot("samples"),
        render.slot("posteriors"),
    )
    (x0, x1), (y0, y1) = domains
    xs, ys = (
        alt.Scale(domain=[x0, x1], nice=False, zero=False),
        alt.Scale(domain=[y0, y1], nice=False, zero=False),
    )
    pts = scatter(points, opacity=0.35).encode(
        x=alt.X("x:Q", title="z₁", scale=xs), y=alt.Y("y:Q", title="z₂", scale=ys)
    )
    unit = prior.circle(1.0)  # (121, 2): the prior's sd, the width q(z|x) is compared with
    prior_ring = (
        alt.Chart(pd.DataFrame({"x": unit[:, 0], "y": unit[:, 1], "order": np.arange(len(unit))}))
        .mark_line(color=CONTOUR_COLOR, strokeDash=[2, 3], strokeWidth=1.5, clip=True)
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("order:Q"))
    )
    ring = (
        alt.Chart(rings)
        .mark_line(color=render.ink(), strokeWidth=2, clip=True)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            order=alt.Order("order:Q"),
            detail=alt.Detail("key:N"),
            strokeDash=alt.StrokeDash(
                "ring:N",
                title="posterior",
                scale=alt.Scale(domain=["1σ", "2σ"], range=[[1, 0], [5, 3]]),
            ),
        )
    )
    crosses = (
        alt.Chart(samples)
        .mark_point(shape="cross", size=25, color=render.ink(), opacity=0.6, clip=True)
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))
    )
    halo = markers(posteriors, color=render.paper(), size=600)
    return square(
        alt.layer(
            pts, prior_ring, ring, crosses, halo, markers(posteriors, size=400, label="label")
        ),
        side,
    )


def _path_scale(names: dict[str, str], colors: dict[str, str]) -> alt.Scale:
    """Colours of the interpolation paths, by their shown names ("ink": the theme's text colour)."""
    return alt.Scale(
        domain=list(names.values()),
        range=[render.ink() if colors[k] == "ink" else colors[k] for k in names],
    )


def _path_dash(names: dict[str, str], legend: bool = True) -> alt.StrokeDash:
    """The interpolation paths' dash patterns, by their shown names (the first solid, the second
    dashed), so that colour is not the only thing that tells them apart; its legend merges with
    the colours' (same field, title and domain)."""
    dashes = [[1, 0], [6, 3], [2, 2]]
    return alt.StrokeDash(
        "path:N",
        title="path",
        scale=alt.Scale(domain=list(names.values()), range=dashes[: len(names)]),
        legend=alt.Legend(orient="bottom") if legend else None,
    )


def size_loss_chart(table: pd.DataFrame, sizes: list[int]) -> alt.VConcatChart:
    """Test -ELBO and reconstruction (upper) and KL (lower, its own axis) against the latent size
    (log scale); ``table``: columns "latent size", "test −ELBO (nats)", "reconstruction (nats)",
    "KL (nats)", "epochs"."""
    long = table.melt(
        id_vars=["latent size", "epochs"],
        value_vars=["test −ELBO (nats)", "reconstruction (nats)", "KL (nats)"],
        var_name="term",
        value_name="nats",
    )
    long["term"] = long["term"].str.replace(" (nats)", "", regex=False)
    x = alt.X(
        "latent size:Q",
        title="latent size",
        axis=alt.Axis(values=sizes, format="d", grid=False),
        scale=alt.Scale(type="log", domain=[min(sizes) * 0.9, max(sizes) * 1.1], nice=False),
    )
    tip = ["latent size:Q", "term:N", alt.Tooltip("nats:Q", format=".2f"), "epochs:Q"]
    color = alt.Color(
        "term:N",
        title="",
        scale=alt.Scale(domain=["test −ELBO", "reconstruction"], range=["#4e79a7", "#f28e2b"]),
        legend=alt.Legend(orient="top"),
    )
    upper = (
        alt.Chart(long[long["term"] != "KL"], title="−ELBO and reconstruction, and KL below")
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("nats:Q", title="nats per test image", scale=alt.Scale(zero=False)),
            color=color,
            tooltip=tip,
        )
    )
    lower = (
        alt.Chart(long[long["term"] == "KL"])
        .mark_line(point=True, color="#59a14f")
        .encode(x=x, y=alt.Y("nats:Q", title="KL (nats)", scale=alt.Scale(zero=True)), tooltip=tip)
    )
    return alt.vconcat(
        upper.properties(height=200), lower.properties(height=110), spacing=8
    ).properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


# --- live training (Train it yourself)
# --------------------------------------------------------------

SPLIT_NAMES = {
    "train": "training",
    "test": "held-out",
}  # how a live run's charts name its two sets of digits
TRAIN_COLOR, HELD_COLOR = "#4e79a7", "#e15759"


def live_loss_chart(
    df: pd.DataFrame, term: str, epochs: int, batches: pd.DataFrame | None, height: int
) -> alt.Chart:
    """One loss term per epoch, training vs held-out (rows of ``vae.train.history_frame`` with
    ``SPLIT_NAMES``); while training, ``batches`` (epoch, nats) adds each batch's value as a thin
    line."""
    x = alt.X(
        "epoch:Q",
        title="epoch",
        scale=alt.Scale(domain=[0 if batches is not None else 1, max(2, epochs)]),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )
    y = alt.Y("nats:Q", title=f"{term} (nats)", scale=alt.Scale(zero=False))
    colors = alt.Scale(domain=list(SPLIT_NAMES.values()), range=[TRAIN_COLOR, HELD_COLOR])
    chart = (
        alt.Chart(df[df["term"] == term])
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "split:N", scale=colors, title="digits", legend=alt.Legend(orient="top")
            ),
            tooltip=[
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("split:N"),
                alt.Tooltip("nats:Q", format=".2f"),
            ],
        )
    )
    if batches is not None:
        chart = (
            alt.Chart(batches)
            .mark_line(color=TRAIN_COLOR, strokeWidth=1, opacity=0.45)
            .encode(x=x, y=y)
            + chart
        )
    held = df[(df["term"] == term) & (df["split"] == SPLIT_NAMES["test"])]
    said = (
        alt_text.curve(
            f"{term} per epoch of this training run, training and held-out digits",
            held["epoch"],
            held["nats"],
            "epoch",
            "held-out nats per image",
            ".3g",
        )
        if len(held)
        else f"{term} per epoch of this training run: no epoch finished yet."
    )
    return chart.properties(height=height, title=f"{term} (nats per image)", description=said)


def runs_chart(runs: pd.DataFrame) -> alt.Chart:
    """Held-out −ELBO after each epoch, one line per run (columns epoch, run, held-out −ELBO)."""
    return fit_width(
        alt.Chart(runs, title="Held-out −ELBO after each epoch, one line per run")
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("held-out −ELBO:Q", title="held-out −ELBO (nats)", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "run:N", title="", legend=alt.Legend(orient="bottom", columns=1, labelLimit=600)
            ),
            tooltip=[
                alt.Tooltip("run:N"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("held-out −ELBO:Q", format=".1f"),
            ],
        ),
        240,
    ).properties(
        description=alt_text.listing_sentence(
            "Held-out −ELBO after each epoch, one line per run of this session",
            (
                f"{run}: {part['held-out −ELBO'].iloc[-1]:.1f} nats after epoch "
                f"{part['epoch'].iloc[-1]}"
                for run, part in runs.groupby("run", sort=False)
            ),
        )
    )


def ae_codes_chart(codes: np.ndarray, digits: np.ndarray, index: np.ndarray) -> alt.Chart:
    """An AE's codes on their own scale (Grid vs ppf), under the grid at their quantiles."""
    return scatter(
        codes_frame(codes, digits, index),
        domain=None,
        opacity=0.35,
        height=460,
        title="AE codes (own scale) and the grid at their quantiles",
    )


def ae_grid_chart(pts: pd.DataFrame) -> alt.Chart:
    """The AE's quantile grid points (columns x, y) as hollow squares."""
    return (
        alt.Chart(pts)
        .mark_point(shape="square", size=30, color=render.ink(), filled=False)
        .encode(x=alt.X("x:Q", title="z₁"), y=alt.Y("y:Q", title="z₂"))
    )


def pca_code_chart(
    codes: np.ndarray,
    digits: np.ndarray,
    index: np.ndarray,
    mean: np.ndarray,
    comps: np.ndarray,
    z: np.ndarray,
) -> dict:
    """A code z of more than two dimensions on the test codes' first two principal axes (``mean``,
    ``comps`` from ``vae.embed.principal_axes``), over those codes (the Latent explorer's small
    map), as a spec: the map is built once per model (``render.spec``), and each run sets its
    square domains around the codes and z and gives z's cross its row (``render.fill``), so a
    slider move builds no chart."""
    xy = (np.asarray(codes, np.float64) - mean) @ comps[:2].T  # (n, 2)
    you = tuple(float(v) for v in (np.asarray(z, np.float64) - mean) @ comps[:2].T)
    s = with_domains(
        render.spec(_pca_code_map, codes, digits, index, mean, comps),
        square_domains(np.vstack([xy, [you]])),
    )
    return render.fill(s, you=landing_rows(you=you, you_label="z")["you"])


def _pca_code_map(
    codes: np.ndarray, digits: np.ndarray, index: np.ndarray, mean: np.ndarray, comps: np.ndarray
) -> alt.LayerChart:
    """``pca_code_chart``'s chart: the codes on their principal plane, z's cross a slot ("you"),
    the domains placeholders (``with_domains``)."""
    xy = (np.asarray(codes, np.float64) - mean) @ comps[:2].T  # (n, 2)
    return landing_chart(
        codes_frame(xy, digits, index),
        None,
        SLOT,
        None,
        ((0.0, 1.0), (0.0, 1.0)),
        "PC1",
        "PC2",
        "Your code on the test codes' PCA plane",
        side=260,
        you_label="z",
        legend=False,
    )


def prototype_heatmap(protos: np.ndarray, dims: list[str], title: str) -> alt.Chart:
    """Prototypes (10, d) as a digit × dimension heatmap of their mean codes (Prototypes)."""
    digits = [str(k) for k in range(len(protos))]
    return heatmap(
        chart_tables.heatmap_frame(protos, digits, dims, "digit", "dimension"),
        "digit",
        "dimension",
        digits,
        dims,
        "digit",
        "latent dimension",
        "mean code",
        title=title,
    )


# --- charts built once per layout, given each run's rows (``render.spec`` + ``render.fill``)
# -------------


def embedding_map(
    title: str, side: int, select: str | None = "pick", legend: bool = False
) -> alt.LayerChart:
    """One 2-D map of the codes, square with equal scales, the picked code as a cross and its
    nearest
    neighbours in the latent space circled; every row in a slot, so that one spec serves every model
    and map:
    the codes (slot ``points``: ``codes_frame`` rows, or ``points_arrow`` bytes of them), the
    picked code's 10-D neighbours (``near``) and the picked code (``you``), filled by
    ``landing_rows``.
    Its square domains are placeholders: ``with_domains`` sets them per map."""
    return landing_chart(
        render.slot("points"),
        SLOT,
        SLOT,
        None,
        ((0.0, 1.0), (0.0, 1.0)),
        f"{title} 1",
        f"{title} 2",
        title,
        side=side,
        select=select,
        legend=legend,
    )


def with_domains(
    chart_spec: dict, domains: tuple[tuple[float, float], tuple[float, float]]
) -> dict:
    """A spec from ``render.spec`` with the explicit x and y scale domains of its layers replaced
    (``embedding_map``'s placeholders); changes and returns ``chart_spec``."""
    for layer in chart_spec.get("layer", [chart_spec]):
        for axis, dom in zip(("x", "y"), domains):
            scale = layer.get("encoding", {}).get(axis, {}).get("scale")
            if isinstance(scale, dict) and "domain" in scale:
                scale["domain"] = [float(dom[0]), float(dom[1])]
    return chart_spec


def points_arrow(xy: np.ndarray, digits: np.ndarray, index: np.ndarray) -> bytes:
    """Scatter rows (x, y, digit, index) as the Arrow bytes a chart's dataset is sent as, compact:
    x and y as float32 (7 significant digits, for tooltips of 2 decimals), the index as int32.
    Cache it per map: a slot filled with bytes is sent as it is, not serialised again."""
    from streamlit import dataframe_util

    df = pd.DataFrame(
        {
            "x": xy[:, 0].astype(np.float32),
            "y": xy[:, 1].astype(np.float32),
            "digit": digits.astype(int).astype(str),
            "index": index.astype(np.int32),
        }
    )
    return dataframe_util.convert_anything_to_arrow_bytes(df)


def line_map(x_title: str, y_title: str, side: int) -> alt.LayerChart:
    """The Embeddings walk's map, its title set per run: the codes (slot ``points``, clickable), the
    drawn line (slot ``path``: x, y, order) and the nearest real codes numbered (slot ``chosen``:
    x, y, step)."""
    pts = scatter(
        render.slot("points"),
        x_title=x_title,
        y_title=y_title,
        domain=None,
        select="pick",
        opacity=0.45,
    )
    return square(
        pts + path(render.slot("path")) + markers(render.slot("chosen"), label="step", size=160),
        side,
    )


def emptiness_chart(names: dict[str, str], colors: dict[str, str], k: int) -> alt.LayerChart:
    """How empty the space is along each path, with the data's own level 1; its rows (t, path,
    emptiness) in the slot ``rows``, filled per run."""
    lines = (
        alt.Chart(
            render.slot("rows"), height=300, title="How far each point of the path is from the data"
        )
        .mark_line()
        .encode(
            x=alt.X("t:Q", title="t (0 = A, 1 = B)"),
            y=alt.Y(
                "emptiness:Q",
                title=f"distance to the {k}th nearest code ÷ usual",
                scale=alt.Scale(zero=True),
            ),
            color=alt.Color(
                "path:N",
                title="path",
                scale=_path_scale(names, colors),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=_path_dash(names),
            tooltip=[
                alt.Tooltip("path:N"),
                alt.Tooltip("t:Q", format=".2f"),
                alt.Tooltip("emptiness:Q", format=".2f"),
            ],
        )
    )
    one = (
        alt.Chart(pd.DataFrame({"y": [1.0]}))
        .mark_rule(color=CONTOUR_COLOR, strokeDash=[5, 3])
        .encode(y=alt.Y("y:Q"))
    )
    return fit_width(lines + one, 260)


def paths_map(names: dict[str, str], colors: dict[str, str], side: int = 330) -> alt.LayerChart:
    """The test codes of a 2-D latent with both interpolation paths and the endpoints A and B, on a
    square chart with equal scales; its rows in slots filled per run: the codes (``points``, e.g.
    ``points_arrow``
    bytes), both paths (``lines``: x, y, order, path) and the endpoints (``ends``: x, y, name); its
    square domains are placeholders, set per run with ``with_domains``."""
    xs, ys = (
        alt.Scale(domain=[0.0, 1.0], nice=False, zero=False),
        alt.Scale(domain=[0.0, 1.0], nice=False, zero=False),
    )
    pts = scatter(render.slot("points"), opacity=0.35).encode(
        x=alt.X("x:Q", title="z₁", scale=xs),
        y=alt.Y("y:Q", title="z₂", scale=ys),
        color=alt.Color("digit:N", legend=None, scale=alt.Scale(**ALTAIR_DIGIT_SCALE)),
    )
    lines = alt.Chart(render.slot("lines")).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("order:Q")
    )
    # a halo in the page's colour under each path, so that a path stays a line of its own where it
    # crosses codes of a similar colour (the digit palette has three magentas)
    halo = lines.mark_line(strokeWidth=6, color=render.paper(), clip=True).encode(
        detail=alt.Detail("path:N")  # one line per path, not one through both
    )
    path = lines.mark_line(
        strokeWidth=2.5, point=alt.OverlayMarkDef(filled=True, size=30), clip=True
    ).encode(
        color=alt.Color(
            "path:N",
            title="path",
            scale=_path_scale(names, colors),
            legend=alt.Legend(orient="bottom"),
        ),
        strokeDash=_path_dash(names, legend=False),  # the colour legend names them (dots)
    )
    layers = alt.layer(pts, halo, path, markers(render.slot("ends"), label="name")).resolve_scale(
        color="independent"
    )
    return square(layers, side)


# The sizes' legend: each size's shape filled in its colour, without the line's (dashed) stroke.
SIZE_LEGEND = alt.Legend(orient="right", symbolStrokeWidth=0, symbolSize=90)


def kl_dims_chart(kl_dims: dict[int, np.ndarray]) -> alt.LayerChart:
    """Each model's per-dimension KL (nats, sorted largest first; ``kl_dims``: latent size -> (d,)),
    on a log axis so that the switched-off dimensions stay visible, with the threshold dashed: the
    slot ``threshold`` (one row: y), filled per run."""
    rows = pd.DataFrame(
        [
            {"latent size": str(d), "rank": i + 1, "KL": max(float(v), 1e-4)}
            for d, vals in kl_dims.items()
            for i, v in enumerate(vals)
        ]
    )
    sizes = [str(d) for d in kl_dims]
    lines = (
        alt.Chart(rows, title="KL of each dimension, largest first")
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "rank:Q",
                title="dimension (largest KL first)",
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            y=alt.Y(
                "KL:Q",
                title="mean KL (nats, log)",
                scale=alt.Scale(type="log", domain=[1e-4, float(rows["KL"].max()) * 1.5]),
            ),
            color=alt.Color(
                "latent size:N",
                title="latent size",
                scale=alt.Scale(domain=sizes, range=list(SIZE_COLORS[: len(sizes)])),
                legend=SIZE_LEGEND,
            ),
            # colour is not the only cue: each size has its own point shape (in the legend too:
            # same field, title and domain) and its own dash
            shape=alt.Shape(
                "latent size:N",
                title="latent size",
                scale=alt.Scale(domain=sizes, range=list(SIZE_SHAPES[: len(sizes)])),
                legend=SIZE_LEGEND,
            ),
            strokeDash=alt.StrokeDash(
                "latent size:N",
                scale=alt.Scale(domain=sizes, range=[list(d) for d in SIZE_DASHES[: len(sizes)]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("latent size:N"),
                alt.Tooltip("rank:Q"),
                alt.Tooltip("KL:Q", format=".3f"),
            ],
        )
    )
    rule = (
        alt.Chart(render.slot("threshold"))
        .mark_rule(color=CONTOUR_COLOR, strokeDash=[5, 3])
        .encode(y=alt.Y("y:Q"))
    )
    return fit_width(lines + rule, 280)


def keep_top_chart(curve: np.ndarray) -> alt.LayerChart:
    """Reconstruction loss against the number of dimensions kept (``curve``: k = 1 .. d), the chosen
    k's point in the slot ``mark`` (k, loss), filled per run."""
    df = pd.DataFrame({"k": np.arange(1, len(curve) + 1), "loss": curve})
    line = (
        alt.Chart(df, title="Loss with the top k dimensions kept")
        .mark_line(point=True)
        .encode(
            x=alt.X("k:Q", title="dimensions kept, k", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("loss:Q", title="reconstruction (nats)", scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("k:Q"), alt.Tooltip("loss:Q", format=".1f")],
        )
    )
    mark = (
        alt.Chart(render.slot("mark"))
        .mark_point(size=160, color=HIGHLIGHT, filled=True)
        .encode(x=alt.X("k:Q"), y=alt.Y("loss:Q"))
    )
    return fit_width(line + mark, 220)


DIGIT_COLOR = alt.Color(
    "digit:N",
    scale=alt.Scale(**ALTAIR_DIGIT_SCALE),
    title="digit",
    legend=alt.Legend(orient="right", symbolType="circle", symbolStrokeWidth=0),
)


# Each dot's outline in its digit's full colour (each of which has 3:1 against both pages, WCAG
# 1.4.11), so that a single dot stands out however faint its fill; the fill stays see-through,
# so that dense regions still look dense.
DIGIT_STROKE = alt.Stroke("digit:N", scale=alt.Scale(**ALTAIR_DIGIT_SCALE), legend=None)
DOT_OUTLINE_PX = 0.8

DIGIT_PICK = render.DIGIT_PICK  # the legend-bound selection of a digit scatter (``scatter``)
PICK_FADED = 0.04  # opacity of the points of digits not picked in the legend


def codes_frame(xy: np.ndarray, labels: np.ndarray, index: np.ndarray) -> pd.DataFrame:
    """Rows for a scatter: x, y, digit (as text), test index."""
    return pd.DataFrame(
        {
            "x": xy[:, 0].astype(float),
            "y": xy[:, 1].astype(float),
            "digit": labels.astype(int).astype(str),
            "index": index.astype(int),
        }
    )


def scatter(
    df: pd.DataFrame,
    x_title: str = "z₁",
    y_title: str = "z₂",
    domain: tuple[float, float] | None = LATENT_RANGE,
    title: str = "",
    height: int = CHART_HEIGHT,
    select: str | None = None,
    opacity: float = 0.65,
    description: str | None = None,
) -> alt.Chart:
    """Points coloured by digit with a tooltip: a see-through fill (``opacity``) inside an outline
    in the digit's full colour. ``select`` names a click selection (nearest point).

    Colour is not the only cue (WCAG 1.4.1): a click on a digit in the legend (``DIGIT_PICK``,
    bound to the legend, in the browser: no rerun) fades every other digit's points, shift-click
    adds digits, a double click brings all back; the tooltip names the digit.

    ``description``: the chart's accessible name, by default what it shows from the same rows
    (``ui.draw.alt_text.scatter``; ``draw``'s ``alt`` replaces it)."""
    from ui.draw import alt_text

    if description is None and isinstance(
        df, pd.DataFrame
    ):  # not for a slot's rows, which come per run
        description = alt_text.scatter(
            title or "Codes", df[["x", "y"]].to_numpy(), df["digit"].astype(int), x_title, y_title
        )
    scale = alt.Scale(domain=list(domain), clamp=False) if domain else alt.Scale(zero=False)
    pick = alt.selection_point(name=DIGIT_PICK, fields=["digit"], bind="legend")
    chart = (
        alt.Chart(df, title=title, height=height)
        .mark_circle(size=POINT_SIZE, clip=True, strokeWidth=DOT_OUTLINE_PX)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=scale),
            y=alt.Y("y:Q", title=y_title, scale=scale),
            color=DIGIT_COLOR,
            stroke=DIGIT_STROKE,
            fillOpacity=alt.FillOpacityValue(
                **alt.condition(pick, alt.value(opacity), alt.value(PICK_FADED))
            ),
            strokeOpacity=alt.StrokeOpacityValue(
                **alt.condition(pick, alt.value(1.0), alt.value(PICK_FADED))
            ),
            tooltip=[
                alt.Tooltip("digit:N"),
                alt.Tooltip("index:Q", title="test index"),
                alt.Tooltip("x:Q", format=".2f", title=x_title),
                alt.Tooltip("y:Q", format=".2f", title=y_title),
            ],
        )
        .add_params(pick)
    )
    if description:
        chart = chart.properties(description=description)
    if select:
        chart = chart.add_params(
            alt.selection_point(name=select, on="click", nearest=True, fields=["index", "x", "y"])
        )
    return chart


def square(chart: alt.TopLevelMixin, side: int) -> alt.TopLevelMixin:
    """A chart whose plot area is ``side`` x ``side`` CSS pixels, axes and legend drawn around it:
    with equal x and y domains, one unit is as long across as up. (Streamlit's default autosize,
    "fit", would squeeze axes and legend into the width and the title into the height, so the
    plot area would not be square.)"""
    return chart.properties(
        width=side, height=side, autosize=alt.AutoSizeParams(type="pad", contains="padding")
    )


def fit_width(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    """A chart that fills the container's width while its *plot area* keeps ``height`` CSS pixels
    (Streamlit's default autosize, "fit", takes the axis titles and a bottom legend out of the
    height, which can leave a plot a few pixels tall)."""
    return chart.properties(
        height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


def markers(
    df: pd.DataFrame,
    color: str | None = None,
    shape: str = "cross",
    size: int = 220,
    label: str | None = None,
) -> alt.Chart:
    """Highlighted points (x, y) drawn on top of a scatter; optional text label column."""
    color = color or render.ink()
    base = alt.Chart(df).encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))
    pts = base.mark_point(shape=shape, size=size, color=color, strokeWidth=3, filled=False)
    if label:
        return pts + base.mark_text(
            dx=10, dy=-10, fontSize=render.fs(13), fontWeight="bold", color=color
        ).encode(text=f"{label}:N")
    return pts


def path(df: pd.DataFrame, color: str | None = None) -> alt.Chart:
    """A polyline through (x, y) in row order (column ``order``)."""
    color = color or render.ink()
    return (
        alt.Chart(df)
        .mark_line(color=color, strokeWidth=2, point=alt.OverlayMarkDef(color=color))
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("order:Q"))
    )


# --- a mosaic drawn by the browser: the image as a PNG, the axes and hover by Vega-Lite ----------
#
# Drawing a mosaic with Matplotlib (axes, ticks, title) and writing the figure's RGBA PNG cost about
# 0.1 s per mosaic. Here the server sends the mosaic's own 8-bit PNG (``vae.mosaic.mosaic_png``, a
# few ms) and Vega-Lite draws it as an image mark inside axes that carry the latent values of the
# tile centres; hovering a tile tells its code. Both layers are cached specs per grid
# (``mosaic_image``, ``mosaic_cells``); the image arrives as a one-row dataset (``mosaic_spec``).

MOSAIC_IMAGE_TEMPLATE = pd.DataFrame(
    {"url": [""], "x0": [0.0], "x1": [1.0], "y0": [0.0], "y1": [1.0]}
)
# side of a square mosaic chart's plotting area, in CSS pixels: with its axes it fits half the page
# (Grid vs ppf's two mosaics side by side: 462 px), so the page's script does not scale it down
MOSAIC_PX = 440


def _axis_labels(values: np.ndarray, every: int) -> alt.Axis:
    """Ticks at tile indices 0, every, 2 every, ... labelled with the latent values there."""
    ticks = list(range(0, len(values), every))
    names = ",".join(f"'{v:.1f}'" for v in values)  # a Vega expression array, indexed by the tick
    return alt.Axis(
        values=ticks, labelExpr=f"[{names}][datum.value]", grid=False, labelFontSize=render.fs(10)
    )


def _mosaic_scales(
    nrows: int, ncols: int, xs: np.ndarray, ys: np.ndarray
) -> tuple[alt.Scale, alt.Axis, alt.Scale, alt.Axis]:
    """Scales over the tile indices (x: columns, y: rows from the bottom) and their latent-valued
    axes."""
    every = -(-ncols // 8)  # at most 8 labels per axis
    return (
        alt.Scale(domain=[-0.5, ncols - 0.5], nice=False, zero=False),
        _axis_labels(xs, every),
        alt.Scale(domain=[-0.5, nrows - 0.5], nice=False, zero=False),
        _axis_labels(ys, every),
    )


def mosaic_image(
    nrows: int,
    ncols: int,
    xs: np.ndarray,
    ys: np.ndarray,
    xlabel: str,
    ylabel: str,
    title: str,
    px: int = MOSAIC_PX,
) -> alt.Chart:
    """The image layer and the axes, over the rows of ``MOSAIC_IMAGE_TEMPLATE`` (the image's URL and
    corners).
    Column c has z₁ = xs[c]; row r counted from the bottom has z₂ = ys[r]."""
    xscale, xaxis, yscale, yaxis = _mosaic_scales(nrows, ncols, xs, ys)
    return (
        alt.Chart(MOSAIC_IMAGE_TEMPLATE, title=title, width=px, height=round(px * nrows / ncols))
        .mark_image(aspect=False, smooth=28 * ncols > px * 1.5)
        .encode(  # pixels stay crisp unless shrunk a lot
            x=alt.X("x0:Q", title=xlabel, scale=xscale, axis=xaxis),
            x2=alt.X2("x1:Q"),
            y=alt.Y("y0:Q", title=ylabel, scale=yscale, axis=yaxis),
            y2=alt.Y2("y1:Q"),
            url=alt.Url("url:N"),
        )
        .configure_view(strokeWidth=0)
    )


def mosaic_cells(
    nrows: int, ncols: int, xs: np.ndarray, ys: np.ndarray, xlabel: str, ylabel: str
) -> alt.Chart:
    """One transparent cell per tile, outlined under the pointer, with the tile's code as tooltip.
    The cells are generated in the browser (a sequence), so the spec carries no rows."""
    xscale, xaxis, yscale, yaxis = _mosaic_scales(
        nrows, ncols, xs, ys
    )  # axes as the image layer's: layers merge them
    zx = ",".join(f"{v:.6g}" for v in xs)
    zy = ",".join(f"{v:.6g}" for v in ys)
    hover = alt.selection_point(
        name="tile", on="pointerover", clear="pointerout", fields=["c", "r"], empty=False
    )
    return (
        alt.Chart(alt.sequence(0, nrows * ncols, as_="i"))
        .mark_rect(fill="#000000", fillOpacity=0.001, strokeWidth=2)
        .encode(
            x=alt.X("c0:Q", title=xlabel, scale=xscale, axis=xaxis),
            x2=alt.X2("c1:Q"),
            y=alt.Y("r0:Q", title=ylabel, scale=yscale, axis=yaxis),
            y2=alt.Y2("r1:Q"),
            stroke=alt.StrokeValue(**alt.condition(hover, alt.value(HIGHLIGHT), alt.value(None))),
            tooltip=[
                alt.Tooltip("z1:Q", format=".2f", title=xlabel),
                alt.Tooltip("z2:Q", format=".2f", title=ylabel),
            ],
        )
        .transform_calculate(c=f"datum.i % {ncols}", r=f"floor(datum.i / {ncols})")
        .transform_calculate(
            c0="datum.c - 0.5",
            c1="datum.c + 0.5",
            r0="datum.r - 0.5",
            r1="datum.r + 0.5",
            z1=f"[{zx}][datum.c]",
            z2=f"[{zy}][datum.r]",
        )
        .add_params(hover)
    )


def mosaic_spec(
    png_data: bytes,
    nrows: int,
    ncols: int,
    xs: np.ndarray,
    ys: np.ndarray,
    xlabel: str = "z₁",
    ylabel: str = "z₂",
    title: str = "",
    px: int = MOSAIC_PX,
) -> dict[str, Any]:
    """The Vega-Lite spec of a mosaic PNG (``vae.mosaic.mosaic_png``) in latent axes, for ``draw``.
    Both layers are cached specs; the image's row is cached as Arrow bytes per mosaic."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    image = render.with_data(
        render.spec(mosaic_image, nrows, ncols, xs, ys, xlabel, ylabel, title, px),
        _image_rows(png_data, nrows, ncols),
    )
    return render.overlay(image, render.spec(mosaic_cells, nrows, ncols, xs, ys, xlabel, ylabel))


@st.cache_data(max_entries=MOSAIC_ROWS_CACHE_ENTRIES, show_spinner=False)
def _image_rows(png_data: bytes, nrows: int, ncols: int) -> bytes:
    """The image layer's one row (the PNG as a data URL, its corners) as the Arrow bytes a chart's
    dataset is sent as, once per mosaic: converting a 100-300 kB URL on every run cost more than
    the rest of the chart."""
    import base64

    from streamlit import dataframe_util

    url = "data:image/png;base64," + base64.b64encode(png_data).decode("ascii")
    return dataframe_util.convert_anything_to_arrow_bytes(
        pd.DataFrame(
            {"url": [url], "x0": [-0.5], "x1": [ncols - 0.5], "y0": [-0.5], "y1": [nrows - 0.5]}
        )
    )
