"""The Conditional VAE lesson's notices and axis names (ui.lessons.cvae.claims), fast tier: each
branch once on made-up numbers, asserting that the numbers a sentence quotes are the facts' and
that its premise holds for them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ui.lessons.cvae import claims as cc

BASE = cc.CvaeFacts(
    k=5,
    acc_base=0.72,
    acc_model=0.31,
    n_survey=100,
    slant_z=0.85,
    slant_digit=0.05,
    ink_z=0.30,
    ink_digit=0.55,
    label_match=0.93,
    least_ink=1,
    most_ink=0,
)


def _pcts(s: str) -> list[float]:
    """The percentages a sentence quotes, as shares."""
    return [int(p) / 100 for p in re.findall(r"(\d+)%", s)]


# --- the k-NN vote --------------------------------------------------------------------------------


def test_knn_lower_says_z_stops_holding_the_digit():
    f = BASE
    s = cc.knn_notice(f)
    assert f.acc_model < f.acc_base  # the premise of "only" and of "stops encoding"
    assert _pcts(s)[:2] == [round(f.acc_base, 2), round(f.acc_model, 2)]
    assert f"{f.k}-nearest-neighbour" in s and "of cvae-2d only 31%" in s
    assert "z stops encoding which digit it is" in s and "at least as well" not in s


@pytest.mark.parametrize("acc_model", [0.72, 0.80])  # as high as vae-2d's, and higher
def test_knn_not_lower_says_the_map_separates_at_least_as_well(acc_model):
    f = replace(BASE, acc_model=acc_model)
    s = cc.knn_notice(f)
    assert f.acc_model >= f.acc_base
    assert _pcts(s)[:2] == [round(f.acc_base, 2), round(f.acc_model, 2)]
    assert " only " not in s and "stops encoding" not in s
    assert "separates the digits at least as well" in s


# --- slant and ink --------------------------------------------------------------------------------


def _split(s: str) -> tuple[float, float, float, float]:
    """slant by code, slant by digit, ink by code, ink by digit, as quoted."""
    slant = re.search(r"explains (\d+)% of the variation in slant and the digit (\d+)%", s)
    ink = re.search(r"For ink the split is (\d+)% \(code\) to (\d+)% \(digit\)", s)
    return tuple(int(v) / 100 for v in (*slant.groups(), *ink.groups()))


def test_slant_by_z_and_ink_by_the_digit():
    f = BASE
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert f.slant_z > f.slant_digit and "slant is a property of z" in s
    assert f.ink_digit > f.ink_z and "the digit itself sets most of the ink" in s
    assert "(A 1 uses the least, a 0 the most)" in s  # the facts' digits, capitalised
    assert "thickness is mostly" not in s


def test_slant_by_z_and_ink_by_z_as_well():
    f = replace(BASE, ink_z=0.6, ink_digit=0.2)
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert f.slant_z > f.slant_digit and "slant is a property of z" in s
    assert f.ink_z >= f.ink_digit and s.endswith(": thickness is mostly a property of z as well.")


def test_slant_not_by_z_and_ink_by_z():
    f = replace(BASE, slant_z=0.2, slant_digit=0.6, ink_z=0.6, ink_digit=0.2)
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert f.slant_z <= f.slant_digit and "slant is a property of z" not in s
    assert "and the digit 60%. For ink" in s  # the slant clause ends without a reading
    assert f.ink_z >= f.ink_digit and s.endswith(": thickness is mostly a property of z.")


def test_slant_not_by_z_and_ink_by_the_digit():
    f = replace(BASE, slant_z=0.2, slant_digit=0.6)
    s = cc.style_notice(f)
    assert f.slant_z <= f.slant_digit and "slant is a property of z" not in s
    assert f.ink_digit > f.ink_z and "the digit itself sets most of the ink" in s


# --- the label ------------------------------------------------------------------------------------


def test_label_decides_the_digit():
    f = BASE
    s = cc.label_notice(f)
    assert _pcts(s) == [round(f.label_match, 2)] and f"of those {f.n_survey * 10:,} decoded" in s
    assert f.label_match >= cc.LABEL_WINS and "the label alone decides" in s


@pytest.mark.parametrize("match", [0.79, 0.4])
def test_label_does_not_always_win(match):
    f = replace(BASE, label_match=match)
    s = cc.label_notice(f)
    assert _pcts(s) == [match]
    assert f.label_match < cc.LABEL_WINS and "the label does not always win" in s
    assert "alone decides" not in s


def test_notices_keep_the_page_order():
    assert cc.notices(BASE) == [cc.knn_notice(BASE), cc.style_notice(BASE), cc.label_notice(BASE)]


# --- the manifold's axis names --------------------------------------------------------------------

R = {
    "slant (leans right, like /)": (0.81, -0.10),
    "width (px, slant taken out)": (0.20, -0.64),
    "ink (stroke thickness)": (-0.30, 0.45),
}


def test_axis_named_after_a_measure_it_moves_up():
    assert cc.strongest(R, 0) == "slant (leans right, like /)"
    assert abs(R[cc.strongest(R, 0)][0]) >= cc.NAMED_R and R["slant (leans right, like /)"][0] > 0
    assert cc.axis_word(R, 0) == " → more slant"


def test_axis_named_after_a_measure_it_moves_down():
    assert cc.strongest(R, 1) == "width (px, slant taken out)"  # |-0.64| beats 0.45
    assert R["width (px, slant taken out)"][1] <= -cc.NAMED_R
    assert cc.axis_word(R, 1) == " → less width"


def test_axis_left_unnamed_below_the_bar():
    r = {k: (v[0] / 2, v[1]) for k, v in R.items()}
    assert max(abs(v[0]) for v in r.values()) < cc.NAMED_R
    assert cc.axis_word(r, 0) == ""
    edge = {"ink (stroke thickness)": (-0.5, 0.0)}  # exactly at the bar: named
    assert cc.axis_word(edge, 0) == " → less ink"


def test_strongest_takes_the_first_on_a_tie():
    r = {"width (px)": (0.6, 0.0), "ink (stroke thickness)": (-0.6, 0.0)}
    assert cc.strongest(r, 0) == "width (px)"
