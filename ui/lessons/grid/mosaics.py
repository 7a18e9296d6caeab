"""The decoded latent grids of Grid vs ppf: the VAE's mosaics at a linear and a ppf grid and the
AE's
at its codes' own quantiles (each decoded once per input and shared, ``model_calls.grid_png``),
their charts,
the grid points' layers, the table row of a grid's statistics, and the background jobs that draw the
neighbouring grid sizes ahead of the slider. Widget keys start with ``grid_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import (
    GRID_LIN,
    GRID_N_RANGE,
    GRID_PPF,
    GRID_RANGE_DEFAULT,
    PPF_P_DEFAULT,
    PPF_P_OPTIONS,
)
from ui.page import downloads, loaders, model_calls
from ui.server import prefetch, warmup
from vae import latent

VAE, AE = "vae-2d", "ae-2d"
LIN, PPF = GRID_LIN, GRID_PPF

MOSAICS = ("bbox", "ppf", "lin")  # the three decoded mosaics per grid size (``grid_view``'s tags)
# the grid points' layer is built from these rows (one point per scheme) and drawn with the real
# ones
POINTS_TEMPLATE = latent.grid_points_frame(
    {LIN: (np.zeros(1), np.zeros(1)), PPF: (np.zeros(1), np.zeros(1))}
)
AE_POINTS_TEMPLATE = pd.DataFrame({"x": [0.0], "y": [0.0]})


def stats_row(
    scheme: str, model: str, xs: np.ndarray, ys: np.ndarray, s: dict[str, float]
) -> dict[str, Any]:
    """One row of the page's table of grids: its ranges and ``vae.latent.grid_stats``."""
    return {
        "grid": scheme,
        "model": model,
        "points": len(xs) * len(ys),
        "z₁ range": f"{xs[0]:.2f} … {xs[-1]:.2f}",
        "z₂ range": f"{ys[0]:.2f} … {ys[-1]:.2f}",
        "outside the prior's 99 % disc": s["outside_99"],
        "empty grid points": s["empty"],
        "codes in the busiest 10 % of tiles": s["top10"],
        "busiest tile": s["busiest"],
    }


def grid_view(
    n: int, lo: float, hi: float, p: float, tag: str
) -> tuple[bytes, np.ndarray, np.ndarray, str]:
    """One decoded mosaic at grid size n: the VAE's on the linear (``tag`` "lin") or the ppf grid,
    or
    the AE's at its codes' own quantiles ("bbox"). -> (8-bit PNG, x axis, y axis, title), each PNG
    decoded once per input and shared (``model_calls.grid_png``)."""
    if tag == "bbox":  # the AE's analogue of ppf: its codes' own quantiles
        xs, ys = latent.quantile_axes(np.asarray(loaders.codes(AE)["mu"], dtype=np.float64), n, p)
        return (
            model_calls.grid_png(AE, xs, ys),
            xs,
            ys,
            f"AE decoder at its codes' quantiles (p = {p:g})",
        )
    if tag == "lin":
        xs, title = latent.linear_axis(n, lo, hi), f"Linear grid, z from {lo:g} to {hi:g}"
    else:
        xs = latent.ppf_axis(n, p)
        title = f"ppf grid, p = {p:g} (z from {xs[0]:.2f} to {xs[-1]:.2f})"
    return model_calls.grid_png(VAE, xs, xs), xs, xs, title


def mosaic_chart(n: int, png: bytes, xs: np.ndarray, ys: np.ndarray, title: str) -> dict:
    """A mosaic from ``grid_view`` as a chart: the PNG in latent axes, a tooltip with each tile's
    code."""
    return altair_charts.mosaic_spec(png, n, n, xs, ys, title=title)


def grid_chart(n: int, lo: float, hi: float, p: float, tag: str) -> None:
    """Prefetch job: decode one mosaic and build its chart (both kept in the shared caches)."""
    mosaic_chart(n, *grid_view(n, lo, hi, p, tag))


def show_mosaic(where: Any, n: int, lo: float, hi: float, p: float, tag: str, fname: str) -> None:
    """The mosaic, and a download of it drawn as a figure with the same axes."""
    png, xs, ys, title = grid_view(n, lo, hi, p, tag)
    with where:
        downloads.download_figure(
            fname,
            f"grid_png_{tag}",
            png_figures.mosaic_png_figure,
            png,
            n,
            n,
            xs=xs,
            ys=ys,
            xlabel="z₁",
            ylabel="z₂",
            title=title,
        )
        render.draw(
            mosaic_chart(n, png, xs, ys, title),
            key=f"grid_mosaic_{tag}",
            width="content",
            alt=alt_text.grid(
                AE if tag == "bbox" else VAE, xs, ys, f" ({title}); hover a tile for its code"
            ),
        )


def chart_alt(
    codes: np.ndarray,
    labels: np.ndarray,
    n: int,
    lo: float,
    hi: float,
    xs_ppf: np.ndarray,
    warp: bool,
) -> str:
    """The description of the Grid page's chart of the VAE's codes (``codes`` (M, 2), in z) and both
    grids' points."""
    axes = "warped axes u = Φ(z), where the prior is uniform" if warp else "the latent axes z"
    return alt_text.scatter(
        f"On {axes}: the VAE's test codes, the prior's contours and both grids' {n} × {n} sampling "
        f"points, the linear grid over {lo:g} … {hi:g} (squares), the ppf grid from "
        f"{xs_ppf[0]:.2f} to {xs_ppf[-1]:.2f} (diamonds)",
        latent.to_unit(codes) if warp else codes,
        labels,
        *(("u₁", "u₂", True, ".2f") if warp else ()),
    )


def points_specs(n: int) -> None:
    """Prefetch job: the grid points' layers for grid size n (its marker size depends on n), on both
    axes."""
    size = altair_charts.grid_marker_size(n)
    render.spec(altair_charts.grid_points_chart, POINTS_TEMPLATE, size)
    render.spec(altair_charts.grid_points_chart, POINTS_TEMPLATE, size, "u₁ = Φ(z₁)", "u₂ = Φ(z₂)")


def grid_size_charts(n: int, lo: float, hi: float, p: float) -> None:
    """Fill the caches for grid size n: its three mosaics and their charts, and its points'
    layers."""
    for tag in MOSAICS:
        grid_chart(n, lo, hi, p, tag)
    points_specs(n)


def prefetch_around(n: int, lo: float, hi: float, p: float) -> None:
    """Queue the background drawing around grid size n.

    In the background: first the next step of the grid-size slider either way, one job per mosaic (a
    request for one still being drawn waits for it alone), the step up first (the worker takes the
    newest job first); then, when nothing else waits, every other size, nearest first, so that a
    jump along the slider is a cache hit too (about 7 s of one core for the whole range, once per
    range and p, shared by every session).
    """
    sizes = range(GRID_N_RANGE[0], GRID_N_RANGE[1] + 1)
    for m in sorted((m for m in sizes if abs(m - n) > 1), key=lambda m: -abs(m - n)):
        prefetch.later(grid_size_charts, m, lo, hi, p, idle=True)
    for m in (n - 1, n + 1):
        if m in sizes:
            prefetch.later(points_specs, m)
            for tag in MOSAICS:
                prefetch.later(grid_chart, m, lo, hi, p, tag)


def _warm() -> None:
    """Warm-up job (``ui.server.warmup``): every decoded mosaic the grid-size and p controls can
    reach at the default range, once per server, so that moving either is a cache hit: a size or
    p nobody had asked for cost its student 0.2-0.7 s of decoding. First the three mosaics of
    every size at the default p (about 9,400 decodes per mosaic kind), then the ppf and AE
    mosaics of every size at each other p, nearest the default first (about 180,000 decodes in
    all, 26 s of one core while the server is quiet; 494 PNGs, 57 MB, ``GRID_CACHE_ENTRIES``).
    Other ranges are decoded when asked for, and drawn ahead as before."""
    if not (loaders.built(VAE) and loaders.built(AE)):
        return
    sizes = range(GRID_N_RANGE[0], GRID_N_RANGE[1] + 1)
    for n in sizes:
        for tag in MOSAICS:
            grid_view(n, *GRID_RANGE_DEFAULT, PPF_P_DEFAULT, tag)
    others = sorted(
        (p for p in PPF_P_OPTIONS if p != PPF_P_DEFAULT),
        key=lambda p: abs(np.log(p / PPF_P_DEFAULT)),
    )
    for p in others:
        for n in sizes:
            for tag in ("ppf", "bbox"):  # the linear grid does not depend on p
                grid_view(n, *GRID_RANGE_DEFAULT, p, tag)


warmup.register(_warm)
