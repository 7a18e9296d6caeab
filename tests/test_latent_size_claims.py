"""The Latent size lesson's notices (ui.lessons.latent_size.claims), fast tier: at every threshold
the
slider offers, the KL per dimension recomputed from cache/ must hold up the premise of every
sentence shown; the top-k sentence against the real curves; and each branch on made-up numbers."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from ui.lessons.latent_size import claims as lc
from vae import artefacts, zoo

SIZES = tuple(zoo.LATENT_SIZES)


def _kl(name: str) -> np.ndarray:
    """Mean KL(q(z_i|x) || N(0, 1)) per dimension over the test codes, written out here."""
    c = np.load(artefacts.codes_path(name))
    mu, lv = c["mu"].astype(np.float64), c["logvar"].astype(np.float64)
    return (0.5 * (mu**2 + np.exp(lv) - lv - 1.0)).mean(axis=0)


@pytest.fixture(scope="module")
def kl() -> dict[int, np.ndarray]:
    names = {d: f"vae-{d}d" for d in SIZES}
    missing = [n for n in names.values() if not artefacts.codes_path(n).exists()]
    if missing:
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(f"codes not built: {missing}")
        pytest.fail(f"codes not built: {missing} (python -m vae.build)")
    return {d: _kl(n) for d, n in names.items()}


def _check_counts(s: str, kl: dict[int, np.ndarray], thr: float) -> None:
    """Assert the premise of each clause of ``count_notice`` against kl."""
    n = {d: int((v > thr).sum()) for d, v in kl.items()}
    big, top = max(n), max(n.values())
    assert ", ".join(f"{n[d]} of {d}" for d in sorted(n)) in s
    if "the largest model uses the most" in s:
        assert n[big] == top and all(v < top for d, v in n.items() if d != big)
    m = re.search(r"grows up to d = (\d+) \((\d+)\) and stops there", s) or re.search(
        r"peaks at d = (\d+) \((\d+)\)", s
    )
    if m:
        first, count = int(m.group(1)), int(m.group(2))
        assert count == top and first == min(d for d in n if n[d] == top) and first < big
        later = [n[d] for d in n if d >= first]
        assert ("stops there" in s) == (min(later) >= top - 1)
        r = re.search(r"the counts are (\d+)–(\d+)", s)
        if r:
            assert (int(r.group(1)), int(r.group(2))) == (min(later), max(later))
        if "every larger model uses" in s:
            assert min(later) == max(later) == top
        if "uses fewer" in s:
            assert n[big] < top
    below = np.sort(kl[big][kl[big] <= thr])
    if "switched off." in s and "not all" not in s:
        assert len(below) and below.max() < lc.OFF
    r = re.search(r"carry ([\d.]+) to ([\d.]+) nats each: under the bar, not all switched off", s)
    if r:
        assert (
            abs(float(r.group(1)) - below.min()) < 6e-4
            and abs(float(r.group(2)) - below.max()) < 6e-4
        )
        assert below.max() >= lc.OFF
    assert "the rest are switched off" not in s


@pytest.mark.parametrize("thr", lc.THRESHOLDS)
def test_every_threshold_states_true_counts(kl, thr):
    f = lc.SizeFacts({d: tuple(v) for d, v in kl.items()}, {}, lc.THRESHOLDS)
    _check_counts(lc.count_notice(f, thr), kl, thr)


def test_the_threshold_notice_holds(kl):
    f = lc.SizeFacts({d: tuple(v) for d, v in kl.items()}, {}, lc.THRESHOLDS)
    s = lc.threshold_notice(f)
    counts = {t: {d: int((v > t).sum()) for d, v in kl.items()} for t in lc.THRESHOLDS}
    lo, hi = min(lc.THRESHOLDS), max(lc.THRESHOLDS)
    for d, a, b in re.findall(r"d = (\d+) goes from (\d+) to (\d+)", s):
        assert (counts[lo][int(d)], counts[hi][int(d)]) == (int(a), int(b)) and a != b
    steady = re.search(r"; ((?:d = \d+(?:, )?)+) keeps? the same count", s)
    if steady:
        for d in map(int, re.findall(r"\d+", steady.group(1))):
            assert len({counts[t][d] for t in lc.THRESHOLDS}) == 1
    assert ("depends on where you draw the line" in s) == any(
        counts[lo][d] != counts[hi][d] for d in kl
    )


def test_the_top_k_sentence_holds_for_the_real_curves(kl):
    from ui.lessons import model_facts

    curves = {d: tuple(model_facts.keep_top_curve(f"vae-{d}d")) for d in model_facts.TOPK_SIZES}
    s = lc.topk_notice(
        lc.SizeFacts({d: tuple(v) for d, v in kl.items()}, curves, lc.THRESHOLDS),
        {d: f"vae-{d}d" for d in curves},
    )
    found = re.findall(
        r"vae-(\d+)d's reconstruction loss is [\d.]+ nats at k = 1 and [\d.]+ with all "
        r"\d+; k = (\d+) is within 1 nat",
        s,
    )
    assert sorted(int(d) for d, _ in found) == sorted(
        curves
    )  # every large model, whichever is shown
    for d, k in found:
        c, k = np.asarray(curves[int(d)]), int(k)
        assert c[k - 1] <= c[-1] + 1.0 and (c[: k - 1] > c[-1] + 1.0).all()


# --- each branch once, on made-up numbers ------------------------------------------------------


def _facts(counts_kl: dict[int, tuple[float, ...]]) -> lc.SizeFacts:
    return lc.SizeFacts(counts_kl, {}, lc.THRESHOLDS)


def test_branch_grows():
    kl = {2: (2.0, 2.0), 4: (2.0,) * 3 + (0.0,), 8: (2.0,) * 6 + (0.005, 0.0)}
    s = lc.count_notice(_facts(kl), 0.1)
    assert "the largest model uses the most (6)" in s and "switched off." in s
    _check_counts(s, {d: np.array(v) for d, v in kl.items()}, 0.1)


def test_branch_levels_with_the_largest_one_short():
    kl = {2: (2.0, 2.0), 20: (2.0,) * 20, 32: (2.0,) * 19 + (0.003,) * 13}
    s = lc.count_notice(_facts(kl), 0.01)
    assert (
        "grows up to d = 20 (20) and stops there" in s
        and "from d = 20 on, the counts are 19–20" in s
    )
    assert (
        "the largest, d = 32, uses fewer (19) than d = 20" in s
        and "largest model uses the most" not in s
    )
    _check_counts(s, {d: np.array(v) for d, v in kl.items()}, 0.01)


def test_branch_peaks_and_not_switched_off():
    kl = {2: (2.0, 2.0), 20: (2.0,) * 20, 32: (2.0,) * 12 + (0.5,) * 20}
    s = lc.count_notice(_facts(kl), 1.0)
    assert s.startswith("At 1 nat of KL") and "peaks at d = 20 (20)" in s
    assert "more room does not mean more dimensions in use" in s and "not all switched off" in s
    _check_counts(s, {d: np.array(v) for d, v in kl.items()}, 1.0)


def test_branch_threshold_changes_nothing():
    s = lc.threshold_notice(_facts({2: (2.0, 2.0), 4: (2.0,) * 4}))
    assert s.startswith("The count does not depend on the threshold here")


def test_branch_top_k():
    assert lc.topk_notice(_facts({2: (2.0, 2.0)}), {}) is None
    assert lc.enough_k((10.0, 5.0, 4.5, 4.0)) == 2 and lc.enough_k((3.0, 2.0)) == 1


def test_the_elbo_notice_holds_for_the_real_ladder(kl):
    info = {d: zoo.info(f"vae-{d}d") for d in SIZES}
    elbo = {d: float(i["metrics"]["test_elbo"]) for d, i in info.items()}
    epochs = {d: int(i["train_config"]["epochs"]) for d, i in info.items()}
    s = lc.elbo_notice(elbo, epochs)
    best = min(elbo, key=elbo.get)
    m = re.search(r"from there to the best, d = (\d+), only ([\d.]+) more", s)
    if m:
        assert int(m.group(1)) == best and float(m.group(2)) <= 2.0 + 0.05
    knee = re.search(r"From d = \d+ to d = (\d+) it", s)
    if knee:  # the knee: the smallest size within 2 nats of the best
        assert int(knee.group(1)) == min(d for d in elbo if elbo[d] <= elbo[best] + 2.0)
    for d, gap in re.findall(r"d = (\d+) is ([\d.]+) nats behind", s):
        assert int(d) > best and abs(elbo[int(d)] - elbo[best] - float(gap)) < 0.06


def test_branch_elbo_worse_again_and_best_first():
    s = lc.elbo_notice({2: 140.0, 5: 110.0, 10: 98.0, 20: 99.5}, {2: 20, 5: 20, 10: 20, 20: 10})
    assert "d = 20 is 1.5 nats behind (10 epochs against 20)" in s and "that is the best" in s
    assert "The best is at d = 2." in lc.elbo_notice({2: 90.0, 5: 95.0}, {2: 20, 5: 20})


# --- what the built models share (the caveat above the lesson) ---------------------------------


def test_branch_caveat_below_two_models_says_nothing():
    for built in (0, 1):
        f = lc.BuiltFacts(built=built, sizes=6, budgets=built, budget="20 epochs")
        assert f.built < 2 and lc.budget_caveat(f) is None


def test_branch_caveat_one_budget_for_the_whole_ladder():
    f = lc.BuiltFacts(built=6, sizes=6, budgets=1, budget="20 epochs of Adam")
    s = lc.budget_caveat(f)
    assert f.built == f.sizes and s.startswith("All six models share")
    assert f.budgets == 1 and "one training budget (20 epochs of Adam)" in s
    assert "the only difference between them is the latent size" in s


def test_branch_caveat_budgets_differ_on_part_of_the_ladder():
    f = lc.BuiltFacts(built=4, sizes=6, budgets=2, budget="20 epochs")
    s = lc.budget_caveat(f)
    assert f.built < f.sizes and s.startswith("The 4 models built so far share")
    assert f.budgets > 1 and "but not yet the training budget" in s
    assert "20 epochs" not in s and "only difference" not in s  # no one budget to name


def test_branch_nothing_to_notice_yet():
    import pandas as pd

    from ui.lessons.latent_size import computed

    one = pd.DataFrame(
        [{"latent size": 2, "model": "vae-2d", "test −ELBO (nats)": 140.0, "epochs": 20}],
        columns=computed.COLUMNS,
    )
    assert len(one) < 2 and computed.notices(one, {}, 0.1) == [lc.NOTHING_YET]
    assert "at least two latent sizes" in lc.NOTHING_YET
