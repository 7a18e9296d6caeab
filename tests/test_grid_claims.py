"""Fast tier: Grid vs ppf's sentences (``ui.lessons.grid.claims``), each branch on synthetic
numbers, and a
premise sweep over grid sizes, linear ranges and every offered p, with the facts recomputed here
from the codes in cache/ (shares outside the disc by the radius, spans by min / max)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ui.draw.style import PPF_P_OPTIONS
from ui.lessons.grid import claims as gc
from vae import artefacts, latent, prior

N_SIZES = (5, 15, 30)
RANGES = ((-3.0, 3.0), (-1.0, 1.0), (-2.6, 2.6), (0.5, 4.5), (-5.0, 5.0))


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
