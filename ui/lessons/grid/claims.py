"""The Grid vs ppf lesson's numbers and sentences (no Streamlit, so the fast tier tests every
branch): both grids' statistics, and a linear grid over the ppf grid's own square, so that a
comparison of grids that cover different squares says so and gives the like-with-like numbers;
the AE's codes' real span, kept apart from the quantiles its grid covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.lessons.words import compare, pct
from vae import latent, prior

SAME_EXTENT = 0.05  # ends this close (half the range slider's step): the two grids cover one square
BALANCE_TOL = 0.01  # codes in the busiest tenth of tiles this close: "about as balanced"


@dataclass(frozen=True)
class GridNumbers:
    """``vae.latent.grid_stats`` of one grid, the shares the lesson quotes."""

    outside: float  # grid points outside the prior's 99 % disc
    empty: float  # grid points that are the nearest one of no test code
    top10: float  # test codes depicted by the busiest tenth of the tiles


@dataclass(frozen=True)
class GridFacts:
    """Everything the lesson's notices say, for one setting of n, the linear range and p."""

    n: int
    lo: float
    hi: float
    p: float
    ppf_lo: float  # the ppf grid's first and last coordinate (both axes)
    ppf_hi: float
    lin: GridNumbers
    ppf: GridNumbers
    matched: GridNumbers  # a linear grid with the same n over the ppf grid's square
    ae_min: tuple[
        float, float
    ]  # the AE's test codes: real smallest and largest z₁, z₂ (all of them)
    ae_max: tuple[float, float]
    ae_q_lo: tuple[float, float]  # the AE quantile grid's first and last coordinate per axis
    ae_q_hi: tuple[float, float]
    ae_inside: float  # AE codes inside the prior's 99 % disc
    ae_worst: int  # the digit with the fewest of its AE codes inside it
    ae_worst_inside: float
    ae_in_square: float  # AE codes inside the linear grid's square
    ae: GridNumbers  # the AE's quantile grid against its own codes


def _numbers(points: np.ndarray, codes: np.ndarray) -> GridNumbers:
    s = latent.grid_stats(points, codes)
    return GridNumbers(float(s["outside_99"]), float(s["empty"]), float(s["top10"]))


def vae_grids(
    n: int, lo: float, hi: float, p: float, vae_mu: np.ndarray
) -> tuple[np.ndarray, GridNumbers, GridNumbers, GridNumbers]:
    """The ppf axis (n,) and the numbers of the VAE's three grids: linear over [lo, hi], ppf with
    tail p, and (like with like) linear over the ppf grid's own square."""
    xs_lin, xs_ppf = latent.linear_axis(n, lo, hi), latent.ppf_axis(n, p)
    xs_m = latent.linear_axis(n, float(xs_ppf[0]), float(xs_ppf[-1]))
    lin, ppf, matched = (_numbers(latent.grid_2d(xs, xs), vae_mu) for xs in (xs_lin, xs_ppf, xs_m))
    return xs_ppf, lin, ppf, matched


def grid_facts(
    n: int,
    lo: float,
    hi: float,
    p: float,
    vae_mu: np.ndarray,
    ae_mu: np.ndarray,
    labels: np.ndarray,
) -> GridFacts:
    """The lesson's numbers from the codes (N, 2) of both models and the test labels (N,)."""
    xs_ppf, lin, ppf, matched = vae_grids(n, lo, hi, p, vae_mu)
    xs_ae, ys_ae = latent.quantile_axes(ae_mu, n, p)
    by_digit = prior.share_inside_by_class(ae_mu, labels, 0.99)  # (10,)
    worst = int(np.nanargmin(by_digit))
    return GridFacts(
        n,
        lo,
        hi,
        p,
        float(xs_ppf[0]),
        float(xs_ppf[-1]),
        lin,
        ppf,
        matched,
        tuple(float(v) for v in ae_mu.min(axis=0)),
        tuple(float(v) for v in ae_mu.max(axis=0)),
        (float(xs_ae[0]), float(ys_ae[0])),
        (float(xs_ae[-1]), float(ys_ae[-1])),
        prior.share_inside(ae_mu, 0.99),
        worst,
        float(by_digit[worst]),
        float(((ae_mu >= lo) & (ae_mu <= hi)).all(axis=1).mean()),
        _numbers(latent.grid_2d(xs_ae, ys_ae), ae_mu),
    )


def same_extent(f: GridFacts) -> bool:
    """Whether the linear grid covers the ppf grid's square (to half a slider step)."""
    return abs(f.lo - f.ppf_lo) <= SAME_EXTENT and abs(f.hi - f.ppf_hi) <= SAME_EXTENT


def _squares(f: GridFacts) -> str:
    return f"linear {f.lo:g} … {f.hi:g}, ppf {f.ppf_lo:.2f} … {f.ppf_hi:.2f}"


def empty_tiles(f: GridFacts) -> tuple[int, int]:
    """Empty tiles (the nearest grid point of no test code) of the linear and the ppf grid, as
    counts of the same n x n tiles."""
    tiles = f.n * f.n
    return round(f.lin.empty * tiles), round(f.ppf.empty * tiles)


def empty_word(f: GridFacts) -> str:
    """ "more", "fewer" or "as many" empty tiles with ppf: the two grids have the same number of
    tiles, so the counts themselves are compared (shares as rounded percentages could read "2 %"
    and "2 %" next to "more", or "<1 %" and "1 %" next to "about as many")."""
    k_lin, k_ppf = empty_tiles(f)
    return compare(k_ppf, k_lin, tol=0.5, same="as many")


def outside_note(f: GridFacts) -> tuple[str, str]:
    """(branch, sentence) on tiles outside the prior's 99 % disc and empty tiles; branch "same
    square" or "different squares" (then with a linear grid over the ppf grid's square)."""
    tiles = f.n * f.n
    k_lin, k_ppf = empty_tiles(f)
    out = (
        f"**Tiles spent outside the prior.** {round(f.lin.outside * tiles)} of the {tiles} "
        "linear-grid "
        f"points ({pct(f.lin.outside)}) lie outside the disc holding 99 % of N(0, I), against "
        f"{round(f.ppf.outside * tiles)} ({pct(f.ppf.outside)}) for the ppf grid; "
        f"{k_lin} of the linear grid's points ({pct(f.lin.empty)}) are the nearest point of no "
        f"test code, {k_ppf} ({pct(f.ppf.empty)}) of the ppf grid's ({empty_word(f)} empty tiles "
        "with ppf)."
    )
    if same_extent(f):
        return "same square", out + (
            f" Both grids cover the same square ({_squares(f)}): the difference is "
            "the spacing alone."
        )
    return "different squares", out + (
        f" The two grids cover different squares ({_squares(f)}). Like with like, a linear grid "
        "over the ppf grid's square puts "
        f"{round(f.matched.outside * tiles)} of its points ({pct(f.matched.outside)}) outside the "
        "disc "
        f"and leaves {pct(f.matched.empty)} empty."
    )


def balance_note(f: GridFacts) -> tuple[str, str]:
    """(branch, sentence) on balance: "ppf" (more even), "linear" or "same"."""
    b_lin, b_ppf = f.lin.top10, f.ppf.top10
    like = (
        ""
        if same_extent(f)
        else f" Like with like, a linear grid over the ppf grid's square: {pct(f.matched.top10)}."
    )
    if b_ppf < b_lin - BALANCE_TOL:
        return "ppf", (
            f"**Balance.** The busiest tenth of the ppf grid's tiles depicts {pct(b_ppf)} of the "
            f"test codes, the linear grid's {pct(b_lin)}: the ppf grid spreads the codes more "
            "evenly over its tiles, because it spends them where the codes are." + like
        )
    if b_ppf > b_lin + BALANCE_TOL:
        return "linear", (
            f"**Balance.** Here the linear grid is the more balanced one: its busiest tenth of "
            f"tiles depicts {pct(b_lin)} of the test codes, the ppf grid's {pct(b_ppf)} (with "
            "these "
            "settings the linear grid's square fits the codes more closely than the ppf grid's "
            "probabilities do)." + like
        )
    return "same", (
        f"**Balance.** Both grids are about as balanced: the busiest tenth of the tiles depicts "
        f"{pct(b_lin)} of the test codes (linear) and {pct(b_ppf)} (ppf)." + like
    )


def _span(lo: tuple[float, float], hi: tuple[float, float]) -> str:
    return f"z₁ {lo[0]:.3g} … {hi[0]:.3g} and z₂ {lo[1]:.3g} … {hi[1]:.3g}"


def ae_few(f: GridFacts) -> bool:
    """Whether the AE's worst digit has clearly fewer of its codes inside the prior's 99 % disc
    than the codes as a whole (by more than 10 points): the note then says "but only"."""
    return f.ae_worst_inside < f.ae_inside - 0.1


def ae_note(f: GridFacts) -> str:
    """The AE's box: its codes' real span (min … max) and, named as such, its grid's quantiles."""
    few = ae_few(f)
    return (
        f"**The AE needs its own box.** Its 10,000 test codes span {_span(f.ae_min, f.ae_max)} "
        f"(smallest … largest); its quantile grid covers their {f.p:g} … {1 - f.p:g} quantiles, "
        f"{_span(f.ae_q_lo, f.ae_q_hi)}. {pct(f.ae_inside)} of the codes lie inside the prior's 99 "
        "% "
        f"disc, {'but only' if few else 'and'} {pct(f.ae_worst_inside)} of its {f.ae_worst}s. The "
        f"linear grid's square {f.lo:g} … {f.hi:g} holds {pct(f.ae_in_square)} of the AE's codes. "
        "A grid at the codes' own quantiles generalises the ppf recipe: its busiest tenth of tiles "
        "depicts "
        f"{pct(f.ae.top10)} of the AE's codes, and {pct(f.ae.empty)} of its points are empty."
    )


def ae_axes_caption(f: GridFacts, vae_min: float, vae_max: float) -> str:
    """The AE chart's caption: its grid's quantile range and its codes' real span, both named, and
    the VAE codes' span (``vae_min``, ``vae_max``: over both axes) to compare scales."""
    return (
        f"Note the axes: the quantile grid runs {_span(f.ae_q_lo, f.ae_q_hi)} ({f.p:g} … "
        f"{1 - f.p:g} "
        f"quantiles); the AE's codes span {_span(f.ae_min, f.ae_max)}, against {vae_min:.3g} … "
        f"{vae_max:.3g} for the VAE's."
    )


def extent_caption(
    lo: float, hi: float, ppf_lo: float, ppf_hi: float, matched_outside: float
) -> str:
    """Under the metrics: whether the two grids cover the same square, and if not, the share
    outside the disc like with like (a linear grid over the ppf grid's square)."""
    if abs(lo - ppf_lo) <= SAME_EXTENT and abs(hi - ppf_hi) <= SAME_EXTENT:
        return f"Both grids cover the same square ({lo:g} … {hi:g}): like with like."
    return (
        f"The grids cover different squares (linear {lo:g} … {hi:g}, ppf {ppf_lo:.2f} … "
        f"{ppf_hi:.2f}). "
        f"Like with like, a linear grid over the ppf grid's square has {pct(matched_outside)} of "
        "its points outside the disc (the table's third row)."
    )


def notes(f: GridFacts) -> list[str]:
    """The lesson's "what to notice", in order."""
    return [outside_note(f)[1], balance_note(f)[1], ae_note(f)]
