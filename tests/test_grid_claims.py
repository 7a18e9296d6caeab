"""Fast tier: Grid vs ppf's sentences (``ui.lessons.grid.claims``), each branch on synthetic
numbers, and a
premise sweep over grid sizes, linear ranges and every offered p, with the facts recomputed here
from the codes in cache/ (shares outside the disc by the radius, spans by min / max)."""

from __future__ import annotations

import ast
import dataclasses
import statistics
from pathlib import Path

import numpy as np
import pytest

from ui.draw.style import GRID_N_RANGE, GRID_RANGE_DEFAULT, PPF_P_DEFAULT, PPF_P_OPTIONS
from ui.lessons.grid import claims as gc
from vae import artefacts, latent, prior

N_SIZES = (5, 15, 30)
RANGES = ((-3.0, 3.0), (-1.0, 1.0), (-2.6, 2.6), (0.5, 4.5), (-5.0, 5.0))
PAGE = Path(__file__).resolve().parents[1] / "pages" / "03_Grid_vs_ppf.py"
N_ALL = range(GRID_N_RANGE[0], GRID_N_RANGE[1] + 1)  # every value of the grid-size slider
BAD = ("nan", "inf", "e+")  # never in a shown sentence


def page_constant(name: str):
    """A literal constant of the page (its range slider's limits and step), read from its source:
    the page is a script and cannot be imported outside a running app."""
    for node in ast.parse(PAGE.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(name)


def slider_values() -> np.ndarray:
    """Every value the page's range slider offers: its limits in steps of its step."""
    (a, b), step = page_constant("RANGE_LIMITS"), page_constant("RANGE_STEP")
    return np.round(a + step * np.arange(round((b - a) / step) + 1), 6)


def facts(**kw) -> gc.GridFacts:
    g = gc.GridNumbers(0.1, 0.1, 0.3)
    base = gc.GridFacts(
        15,
        -3.0,
        3.0,
        0.005,
        -2.58,
        2.58,
        gc.GridNumbers(0.28, 0.16, 0.61),
        gc.GridNumbers(0.02, 0.01, 0.28),
        gc.GridNumbers(0.11, 0.09, 0.53),
        (-22.7, -2.4),
        (17.4, 41.7),
        (-14.9, -1.7),
        (12.6, 33.3),
        0.51,
        1,
        0.01,
        0.54,
        g,
    )
    return dataclasses.replace(base, **kw)


def test_different_squares_give_the_like_with_like_numbers():
    branch, text = gc.outside_note(facts())
    assert branch == "different squares" and "25 of its points (11 %) outside" in text
    assert "Like with like" in gc.balance_note(facts())[1]
    assert "different squares" in gc.extent_caption(-3, 3, -2.58, 2.58, 0.11)


def test_same_square_says_spacing_alone():
    f = facts(lo=-2.6, hi=2.6)
    branch, text = gc.outside_note(f)
    assert (
        branch == "same square"
        and "spacing alone" in text
        and "Like with like" not in gc.balance_note(f)[1]
    )
    assert "same square" in gc.extent_caption(-2.6, 2.6, -2.58, 2.58, 0.11)


def test_balance_branches():
    assert gc.balance_note(facts())[0] == "ppf"
    assert gc.balance_note(facts(ppf=gc.GridNumbers(0.02, 0.01, 0.70)))[0] == "linear"
    assert gc.balance_note(facts(ppf=gc.GridNumbers(0.02, 0.01, 0.615)))[0] == "same"


def test_the_ae_span_is_min_max_and_the_quantiles_are_named():
    text = gc.ae_note(facts(p=0.2))
    assert "span z₁ -22.7 … 17.4 and z₂ -2.4 … 41.7 (smallest … largest)" in text
    assert "0.2 … 0.8 quantiles, z₁ -14.9 … 12.6" in text and "but only 1 % of its 1s" in text
    assert "and 51 %" not in gc.ae_note(facts(ae_worst_inside=0.45))


@pytest.fixture(scope="module")
def codes():
    labels = artefacts.load_test_set()[1]
    out = {}
    for name in ("vae-2d", "ae-2d"):
        if not artefacts.codes_path(name).exists():
            pytest.skip(f"{name}'s codes are not built")
        out[name] = np.load(artefacts.codes_path(name))["mu"].astype(np.float64)
    return out["vae-2d"], out["ae-2d"], labels


@pytest.mark.parametrize("n", N_SIZES)
def test_premise_sweep(n, codes):
    vae_mu, ae_mu, labels = codes
    r99 = prior.radius(0.99)
    for lo, hi in RANGES:
        for p in PPF_P_OPTIONS:
            f = gc.grid_facts(n, lo, hi, p, vae_mu, ae_mu, labels)
            ppf = latent.ppf_axis(n, p)
            branch = gc.outside_note(f)[0]
            if branch == "same square":  # the premise: both grids end where the other does
                assert abs(lo - ppf[0]) <= gc.SAME_EXTENT and abs(hi - ppf[-1]) <= gc.SAME_EXTENT
            else:  # the like-with-like grid really covers the ppf grid's square
                xs = np.linspace(ppf[0], ppf[-1], n)
                g = np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2)
                assert f.matched.outside == pytest.approx(float(((g**2).sum(1) > r99**2).mean()))
            b = gc.balance_note(f)[0]
            assert {
                "ppf": f.ppf.top10 < f.lin.top10 - gc.BALANCE_TOL,
                "linear": f.ppf.top10 > f.lin.top10 + gc.BALANCE_TOL,
            }.get(b, True)
            # "span" is the real min … max; the quantiles are what the grid covers
            assert f.ae_min == tuple(ae_mu.min(0)) and f.ae_max == tuple(ae_mu.max(0))
            qx = np.quantile(ae_mu[:, 0], [p, 1 - p])
            assert f.ae_q_lo[0] == pytest.approx(qx[0], rel=1e-6, abs=1e-9)
            assert f.ae_q_hi[0] == pytest.approx(qx[1], rel=1e-6, abs=1e-9)
            assert f.ae_min[0] <= f.ae_q_lo[0] and f.ae_q_hi[0] <= f.ae_max[0]
            assert "e+" not in " ".join(gc.notes(f))


# --- the premises recomputed here, without vae.latent's grids or scipy's KD-tree ------------------


def _ppf_axis(n: int, p: float) -> np.ndarray:
    """The ppf grid's axis from its formula, z_i = Phi^-1(p + (1 - 2p) i / (n - 1))."""
    inv = statistics.NormalDist().inv_cdf
    return np.array([inv(p + (1 - 2 * p) * i / (n - 1)) for i in range(n)])


def _stats(xs: np.ndarray, ys: np.ndarray, codes: np.ndarray) -> dict[str, float]:
    """A product grid's numbers: points outside the prior's 99 % disc (radius² = -2 ln 0.01, the
    chi² with 2 degrees of freedom), empty tiles, the busiest tenth's codes, as counts. Each code's
    nearest point of a product grid is the nearest x and the nearest y (the squared distance
    separates). The codes are stored in half precision, so some lie halfway between two grid lines
    (to rounding), where any nearest point is right: ``ties`` counts them, and each can move one
    code from one tile to another."""
    mx, my = (xs[1:] + xs[:-1]) / 2, (ys[1:] + ys[:-1]) / 2
    ix, iy = np.searchsorted(mx, codes[:, 0]), np.searchsorted(my, codes[:, 1])
    m = len(xs) * len(ys)
    counts = np.bincount(iy * len(xs) + ix, minlength=m)
    gx, gy = np.meshgrid(xs, ys)
    k = max(1, int(round(0.1 * m)))
    ties = (np.abs(codes[:, :1] - mx).min(1) < 1e-9) | (np.abs(codes[:, 1:] - my).min(1) < 1e-9)
    return {
        "outside": int((gx**2 + gy**2 > -2 * np.log(0.01)).sum()),
        "empty": int((counts == 0).sum()),
        "top10": int(np.sort(counts)[::-1][:k].sum()),
        "ties": int(ties.sum()),
    }


def _agree(g: gc.GridNumbers, s: dict[str, float], tiles: int, n_codes: int) -> tuple[int, int]:
    """The page's shares ``g`` against the counts recomputed here (to the tied codes).
    -> the page's (outside, empty) counts of tiles."""
    out, empty = round(g.outside * tiles), round(g.empty * tiles)
    assert g.outside * tiles == pytest.approx(out) and out == s["outside"]
    assert g.empty * tiles == pytest.approx(empty) and abs(empty - s["empty"]) <= s["ties"]
    assert abs(g.top10 * n_codes - s["top10"]) <= s["ties"] + 1e-6
    return out, empty


def check_premises(n, lo, hi, p, vae_mu, ae_mu, labels) -> tuple[str, str]:
    """The facts as the page computes them (``grid_facts``, the page's own call) and every shown
    branch's premise from numbers recomputed here. -> (square branch, balance branch)"""
    f = gc.grid_facts(n, lo, hi, p, vae_mu, ae_mu, labels)
    tiles = n * n
    assert len(ae_mu) == 10_000  # "Its 10,000 test codes"
    lin_ax = lo + (hi - lo) * np.arange(n) / (n - 1)
    ppf_ax = _ppf_axis(n, p)
    m_ax = ppf_ax[0] + (ppf_ax[-1] - ppf_ax[0]) * np.arange(n) / (n - 1)
    lin, ppf, m = (_stats(ax, ax, vae_mu) for ax in (lin_ax, ppf_ax, m_ax))
    # the page's numbers, checked against these (the shown branch's premise is then read from the
    # page's own numbers, which the recomputation pins down to the tied codes)
    (out_lin, e_lin), (out_ppf, e_ppf), (out_m, _) = (
        _agree(g, s, tiles, len(vae_mu)) for g, s in ((f.lin, lin), (f.ppf, ppf), (f.matched, m))
    )
    assert (f.ppf_lo, f.ppf_hi) == pytest.approx((ppf_ax[0], ppf_ax[-1]), abs=1e-9)

    # outside: the counts shown, the empty tiles' word, one square or the like-with-like grid
    square, text = gc.outside_note(f)
    assert f"{out_lin} of the {tiles} linear-grid points" in text
    assert f"against {out_ppf} (" in text
    assert f"{e_lin} of the linear grid's points" in text and f"code, {e_ppf} (" in text
    assert {"more": e_ppf > e_lin, "fewer": e_ppf < e_lin, "as many": e_ppf == e_lin}[
        gc.empty_word(f)
    ]
    same = abs(lo - ppf_ax[0]) <= gc.SAME_EXTENT and abs(hi - ppf_ax[-1]) <= gc.SAME_EXTENT
    assert square == ("same square" if same else "different squares")
    caption = gc.extent_caption(lo, hi, f.ppf_lo, f.ppf_hi, f.matched.outside)
    if not same:  # the like-with-like numbers, from a linear grid over the ppf grid's own square
        assert f"{out_m} of its points" in text
        assert gc.pct(out_m / tiles) in caption

    # balance: the verdict from the busiest tenths (pinned down by the counts recomputed here)
    balance, btext = gc.balance_note(f)
    d = f.ppf.top10 - f.lin.top10
    assert {
        "ppf": d < -gc.BALANCE_TOL,
        "linear": d > gc.BALANCE_TOL,
        "same": abs(d) <= gc.BALANCE_TOL,
    }[balance]
    assert ("Like with like" in btext) == (not same)

    # the AE: its real span (min … max), its grid's quantiles named as such, its own grid's shares
    assert f.ae_min == tuple(ae_mu.min(0)) and f.ae_max == tuple(ae_mu.max(0))
    probs = p + (1 - 2 * p) * np.arange(n) / (n - 1)
    qx, qy = (np.quantile(ae_mu[:, k], probs) for k in (0, 1))
    assert f.ae_q_lo == pytest.approx((qx[0], qy[0])) and f.ae_q_hi == pytest.approx(
        (qx[-1], qy[-1])
    )
    _agree(f.ae, _stats(qx, qy, ae_mu), tiles, len(ae_mu))
    inside = (ae_mu**2).sum(1) <= -2 * np.log(0.01)
    by_digit = np.array([inside[labels == k].mean() for k in range(10)])
    assert f.ae_inside == pytest.approx(inside.mean())
    assert f.ae_worst_inside == pytest.approx(by_digit.min()) and by_digit[f.ae_worst] == min(
        by_digit
    )
    assert gc.ae_few(f) == (by_digit.min() < inside.mean() - 0.1)
    in_sq = ((ae_mu >= lo) & (ae_mu <= hi)).all(1).mean()
    assert f.ae_in_square == pytest.approx(in_sq)
    ae = gc.ae_note(f)
    assert f"span {gc._span(tuple(ae_mu.min(0)), tuple(ae_mu.max(0)))} (smallest" in ae
    assert f"{gc._span((qx[0], qy[0]), (qx[-1], qy[-1]))}." in ae

    shown = [*gc.notes(f), caption, gc.ae_axes_caption(f, float(vae_mu.min()), float(vae_mu.max()))]
    for s in shown:
        assert not any(b in s.lower() for b in BAD), s
    return square, balance


def test_premise_sweep_every_control(codes):
    """Every grid size x every p, each at one range of a list in which every value of the range
    slider occurs as lo and as hi (lo < hi, else the page stops before its notices). The axes
    control (z or u) redraws the chart only and enters no fact."""
    vae_mu, ae_mu, labels = codes
    vals = slider_values()
    rng = np.random.default_rng(3)
    ranges = [(v, float(rng.choice(vals[vals > v]))) for v in vals[:-1]]
    ranges += [(float(rng.choice(vals[vals < v])), v) for v in vals[1:]]
    rng.shuffle(ranges)
    combos = [(n, p) for n in N_ALL for p in PPF_P_OPTIONS]
    assert len(combos) >= len(ranges)
    seen = set()
    for i, (n, p) in enumerate(combos):
        lo, hi = ranges[i] if i < len(ranges) else tuple(sorted(rng.choice(vals, 2, replace=False)))
        seen.add(check_premises(n, float(lo), float(hi), p, vae_mu, ae_mu, labels))
    assert {b for _, b in seen} >= {"ppf", "linear"}


def test_premise_sweep_same_square(codes):
    """Every grid size x every p at the range slider's snap of the ppf grid's own square: the
    "same square" branch (or, where the snap misses by more than its tolerance, the other)."""
    vae_mu, ae_mu, labels = codes
    step = page_constant("RANGE_STEP")
    seen = set()
    for n in N_ALL:
        for p in PPF_P_OPTIONS:
            end = round(round(float(latent.ppf_axis(n, p)[-1]) / step) * step, 6)
            seen.add(check_premises(n, -end, end, p, vae_mu, ae_mu, labels)[0])
    assert "same square" in seen


def test_the_default_compares_like_with_like(codes):
    """Past defect: the default compared a linear grid over ±3 with a ppf grid over ±2.58 and said
    nothing; now it says so and gives a linear grid over the ppf grid's square, at every n."""
    vae_mu, ae_mu, labels = codes
    for n in N_ALL:
        sq, _ = check_premises(n, *GRID_RANGE_DEFAULT, PPF_P_DEFAULT, vae_mu, ae_mu, labels)
        assert sq == "different squares"


def test_the_ae_span_is_the_codes_own_at_p_0_2(codes):
    """Past defect: at grid_lo=-1&grid_hi=1&grid_p=0.2 "its codes span z1 -0.749 … 2.26" gave
    the 0.2 … 0.8 quantiles, while the codes span -14.9 … 12.6."""
    vae_mu, ae_mu, labels = codes
    f = gc.grid_facts(15, -1.0, 1.0, 0.2, vae_mu, ae_mu, labels)
    check_premises(15, -1.0, 1.0, 0.2, vae_mu, ae_mu, labels)
    q = np.quantile(ae_mu[:, 0], [0.2, 0.8])
    assert f.ae_min[0] < q[0] and q[1] < f.ae_max[0]  # the span is not the quantiles
    assert f"span z₁ {ae_mu[:, 0].min():.3g} … {ae_mu[:, 0].max():.3g}" in gc.ae_note(f)


def test_empty_tiles_are_compared_as_counts():
    """Shares rounded to percentages once read "2 % … 2 % (more empty tiles with ppf)" (n = 11:
    2 and 3 of 121 tiles) and "<1 % … 1 % (about as many)" (n = 16: 1 and 2 of 256): the note
    now gives the counts and compares them."""
    f = facts(n=11, lin=gc.GridNumbers(0.0, 2 / 121, 0.3), ppf=gc.GridNumbers(0.0, 3 / 121, 0.3))
    assert gc.empty_tiles(f) == (2, 3) and gc.empty_word(f) == "more"
    assert "2 of the linear grid's points" in gc.outside_note(f)[1]
    f = facts(n=16, lin=gc.GridNumbers(0.0, 1 / 256, 0.3), ppf=gc.GridNumbers(0.0, 2 / 256, 0.3))
    assert gc.empty_word(f) == "more"
    f = facts(n=16, lin=gc.GridNumbers(0.0, 2 / 256, 0.3), ppf=gc.GridNumbers(0.0, 2 / 256, 0.3))
    assert gc.empty_word(f) == "as many"


def test_the_axes_control_feeds_no_notice():
    """The control the sweeps do not vary: the chart's axes (``warp``, z or u) go to
    ``views.points_chart`` alone, so no notice or caption of claims.py reads them."""
    tree = ast.parse(PAGE.read_text())
    users = {
        ast.unparse(c.func)
        for c in ast.walk(tree)
        if isinstance(c, ast.Call)
        and any(isinstance(a, ast.Name) and a.id == "warp" for a in c.args)
    }
    reads = [
        x
        for x in ast.walk(tree)
        if isinstance(x, ast.Name) and x.id == "warp" and isinstance(x.ctx, ast.Load)
    ]
    assert users == {"views.points_chart"} and len(reads) == 1
