"""The Reconstructions lesson's notices (``ui.lessons.reconstructions.claims``), fast tier: each
branch once on made-up numbers, asserting the premise the sentence states from the numbers it was
given (the page's sweep over every offered model is tests/test_page_reconstructions.py)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from ui.lessons.reconstructions import claims as rc

LADDER = ("ae-2d", "vae-2d", "vae-10d", "vae-32d")


def facts(**kw) -> rc.ReconFacts:
    base = rc.ReconFacts(
        models=LADDER,
        dims=(2, 2, 10, 32),
        n_rate=1000,
        rates=(0.781, 0.702, 0.953, 0.968),
        rule_rate=0.972,
        n_shown=8,
        changed=(2, 3, 0, 0),
        mean_excess=(52.3, 61.8, 22.4, 18.1),
        sample=rc.SampleFacts("vae-32d", 74.0, 66.9, None),
    )
    return dataclasses.replace(base, **kw)


# --- the kept-digit rates -------------------------------------------------------------------------


def test_kept_note_quotes_every_rate_and_change_in_the_pickers_order():
    f = facts()
    s = rc.kept_note(f)
    assert s.startswith("Over 1,000 fixed test digits (100 of each)")
    shown = re.findall(r"(\d+) % with (\S+?)[,;]", s)
    assert [n for _, n in shown] == list(f.models)
    assert [int(p) for p, _ in shown] == [round(100 * r) for r in f.rates]
    assert "the rule itself reads 97 % of the originals right" in s
    changed = re.findall(r"(\d+) of (\d+) changed with (\S+?)[,.]", s)
    assert [(int(c), int(n), m) for c, n, m in changed] == [
        (c, f.n_shown, m) for c, m in zip(f.changed, f.models)
    ]


# --- the excess loss along growing codes ----------------------------------------------------------


def test_no_ladder_note_with_one_model():
    f = facts(models=("vae-10d",), dims=(10,), rates=(0.95,), changed=(0,), mean_excess=(22.4,))
    assert rc.ladder_note(f) is None and len(rc.notes(f)) == 2


def test_falls_branch_every_step_down():
    f = facts(mean_excess=(61.8, 52.3, 22.4, 18.1))
    branch, s = rc.ladder_note(f)
    assert branch == "falls" and all(v < 0 for v in rc.steps(f))
    assert s.startswith("The excess loss falls as the code grows: ae-2d 61.8, vae-2d 52.3")


def test_levels_off_branch_no_step_up_by_a_nat():
    f = facts(mean_excess=(61.8, 52.3, 22.4, 22.9))
    branch, s = rc.ladder_note(f)
    assert branch == "levels off"
    st = rc.steps(f)
    assert all(v < rc.LEVEL for v in st) and any(v >= 0 for v in st)
    assert s.startswith("The excess loss falls as the code grows, until it levels off: ")


def test_not_simply_branch_a_rise_of_a_nat_or_more():
    f = facts()  # ae-2d 52.3 then vae-2d 61.8: up 9.5 nats between two 2-D codes
    branch, s = rc.ladder_note(f)
    assert branch == "not simply" and max(rc.steps(f)) >= rc.LEVEL
    assert s.startswith("The excess loss does not simply fall with the code size here: ")


def test_the_ladder_runs_by_code_size_not_by_the_pickers_order():
    f = facts(
        models=("vae-32d", "ae-2d", "vae-10d"),
        dims=(32, 2, 10),
        rates=(0.97, 0.78, 0.95),
        changed=(0, 2, 0),
        mean_excess=(18.1, 52.3, 22.4),
    )
    branch, s = rc.ladder_note(f)
    assert [n for n, _ in rc.by_size(f)] == ["ae-2d", "vae-10d", "vae-32d"]
    assert branch == "falls" and "ae-2d 52.3, vae-10d 22.4, vae-32d 18.1 nats on average" in s


# --- one sample against μ -------------------------------------------------------------------------


def test_no_sample_note_without_a_vae():
    f = facts(models=("ae-2d",), dims=(2,), rates=(0.78,), changed=(2,), mean_excess=(52.3,))
    f = dataclasses.replace(f, sample=None)
    assert rc.sample_note(f) is None and rc.notes(f) == [rc.kept_note(f)]


def test_costs_branch():
    f = facts()
    branch, s = rc.sample_note(f)
    assert branch == "costs" and f.sample.loss_sample > f.sample.loss_mu + rc.SAME_LOSS
    assert "costs vae-32d 7.1 nats per image here (74.0 against 66.9)" in s
    assert "the encoder's noise" in s


def test_saves_branch():
    f = facts(sample=rc.SampleFacts("vae-10d", 75.0, 75.4, None))
    branch, s = rc.sample_note(f)
    assert branch == "saves" and f.sample.loss_sample < f.sample.loss_mu - rc.SAME_LOSS
    assert "saves vae-10d 0.4 nats per image here (75.0 against 75.4)" in s
    assert "the noise happened to help" in s


def test_same_branch_quotes_a_tiny_sigma():
    f = facts(sample=rc.SampleFacts("vae-2d-beta0", 120.05, 120.0, 0.004))
    branch, s = rc.sample_note(f)
    assert branch == "same" and abs(f.sample.loss_sample - f.sample.loss_mu) < rc.SAME_LOSS
    assert "by less than 0.15 nats per image here" in s and "(mean 0.004)" in s
    assert rc.as_good_as_equal(120.05, 120.0) and not rc.as_good_as_equal(120.15, 120.0)


def test_notes_are_in_the_pages_order():
    f = facts()
    assert rc.notes(f) == [rc.kept_note(f), rc.ladder_note(f)[1], rc.sample_note(f)[1]]


@pytest.mark.parametrize("seed", range(20))
def test_ladder_branch_matches_its_premise_on_random_numbers(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    f = facts(
        models=tuple(f"m{i}" for i in range(k)),
        dims=tuple(int(v) for v in rng.choice([2, 3, 5, 10, 20, 32], k)),
        rates=(0.9,) * k,
        changed=(0,) * k,
        mean_excess=tuple(float(v) for v in rng.uniform(10, 60, k)),
    )
    branch, _ = rc.ladder_note(f)
    ladder = sorted(zip(f.dims, range(k), f.mean_excess))  # by size, then the picker's order
    st = np.diff([e for _, _, e in ladder])
    assert branch == (
        "falls" if (st < 0).all() else "levels off" if (st < 1).all() else "not simply"
    )
