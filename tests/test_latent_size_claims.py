"""The Latent size lesson's notices (ui.lessons.latent_size.claims), fast tier: at every threshold
the
slider offers, the KL per dimension recomputed from cache/ must hold up the premise of every
sentence shown; the top-k sentence against the real curves; and each branch on made-up numbers."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from tests.pageutil import page_constant as _page_constant
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
    m = re.search(r"(?:grows up to|first reaches) d = (\d+) \((\d+)\) and stops there", s)
    m = m or re.search(r"peaks at d = (\d+) \((\d+)\)", s)
    if m:
        first, count = int(m.group(1)), int(m.group(2))
        assert count == top and first == min(d for d in n if n[d] == top) and first < big
        earlier = [n[d] for d in sorted(n) if d <= first]
        if "grows up to" in s:  # it never falls on the way up
            assert all(a <= b for a, b in zip(earlier, earlier[1:]))
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
    r = re.search(r"\((\d+) of them under ([\d.]+) nats\)", s)
    if r:
        assert int(r.group(1)) == int((below < lc.OFF).sum()) > 0
    if len(below) and below.max() >= lc.OFF:  # some carry a little: never "switched off" alone
        assert "not all switched off" in s
    assert ("The other" in s) == bool(len(below))
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


def test_branch_levels_after_a_dip_does_not_say_grows():
    # 2, 1, 5, 5 dimensions in use: the count stops at d = 8, but it fell on the way there
    kl = {
        2: (2.0, 2.0),
        3: (2.0, 0.0, 0.0),
        8: (2.0,) * 5 + (0.0,) * 3,
        16: (2.0,) * 5 + (0.0,) * 11,
    }
    s = lc.count_notice(_facts(kl), 0.1)
    assert "first reaches d = 8 (5) and stops there" in s and "grows up to" not in s
    _check_counts(s, {d: np.array(v) for d, v in kl.items()}, 0.1)


def test_branch_top_k_needs_the_loss_to_stay_within_a_nat():
    curve = (10.0, 4.5, 7.0, 4.2, 4.0)  # within a nat at k = 2, out again at k = 3
    k = lc.enough_k(curve)
    c = np.asarray(curve)
    assert k == 4 and (c[k - 1 :] <= c[-1] + lc.CLOSE).all() and c[k - 2] > c[-1] + lc.CLOSE
    s = lc.topk_notice(lc.SizeFacts({5: (1.0,) * 5}, {5: curve}, lc.THRESHOLDS), {5: "vae-5d"})
    assert _topk_quoted(s) == {5: (10.0, 4.0, 4)}


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
    _check_elbo(lc.elbo_notice(elbo, epochs), elbo)


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


# --- the premise sweep: the real ladder at every control value the page offers -------------------

PAGE = Path(__file__).resolve().parents[1] / "pages" / "11_Latent_size.py"
BAD = ("nan", "inf", "e+")  # never in a shown sentence


def page_constant(name: str):
    """A literal constant of the page, read from its source (the page is a script)."""
    return _page_constant(PAGE, name)


@pytest.fixture(scope="module")
def ladder():
    """The ladder's numbers exactly as the page computes them (its table, its KL per dimension,
    the top-k curves of the models its top-k box offers); skips when a model is not built."""
    names = [f"vae-{d}d" for d in SIZES]
    missing = [
        n
        for n in names
        if not (artefacts.checkpoint_path(n).exists() and artefacts.codes_path(n).exists())
    ]
    if missing:
        pytest.skip(f"not built: {missing}")
    from ui.lessons import model_facts
    from ui.lessons.latent_size import computed

    table, problems = computed.ladder_table(SIZES)
    kl_dims = computed.kl_dims(SIZES)
    big = [d for d in (32, 20) if d in kl_dims]  # the top-k box's options, as the page builds them
    curves = {d: np.asarray(model_facts.keep_top_curve(f"vae-{d}d")) for d in big}
    return table, problems, kl_dims, big, curves


def _check_elbo(s: str, elbo: dict[int, float]) -> None:
    best = min(elbo, key=elbo.get)
    for v, d in re.findall(r"([\d.]+) \(d = (\d+)\)", s.split(" nats.")[0]):
        assert abs(float(v) - elbo[int(d)]) < 0.051
    m = re.search(r"from there to the best, d = (\d+), only ([\d.]+) more", s)
    if m:
        assert int(m.group(1)) == best and float(m.group(2)) <= 2.0 + 0.05
    knee = re.search(r"From d = \d+ to d = (\d+) it", s)
    if knee:  # the knee: the smallest size within 2 nats of the best
        assert int(knee.group(1)) == min(d for d in elbo if elbo[d] <= elbo[best] + 2.0)
    if "that is the best" in s or "The best is at d = " in s:
        assert min(d for d in elbo if elbo[d] <= elbo[best] + 2.0) in (best, min(elbo))
    for d, gap in re.findall(r"d = (\d+) is ([\d.]+) nats behind", s):
        assert int(d) > best and abs(elbo[int(d)] - elbo[best] - float(gap)) < 0.06


def _check_threshold(s: str, kl: dict[int, np.ndarray]) -> None:
    counts = {t: {d: int((v > t).sum()) for d, v in kl.items()} for t in lc.THRESHOLDS}
    lo, hi = min(lc.THRESHOLDS), max(lc.THRESHOLDS)
    found = {
        int(d): (int(a), int(b)) for d, a, b in re.findall(r"d = (\d+) goes from (\d+) to (\d+)", s)
    }
    assert found == {
        d: (counts[lo][d], counts[hi][d]) for d in kl if counts[lo][d] != counts[hi][d]
    }
    steady = re.search(r"; ((?:d = \d+(?:, )?)+) keeps? the same count", s)
    if steady:
        for d in map(int, re.findall(r"\d+", steady.group(1))):
            assert len({counts[t][d] for t in lc.THRESHOLDS}) == 1
    if "neither" in s:  # some dimension lies between the slider's ends
        assert any(((v > lo) & (v <= hi)).any() for v in kl.values())


def _topk_quoted(s: str) -> dict[int, tuple[float, float, int]]:
    """Per model named in the top-k sentence: its loss at k = 1, with all d, and the k quoted."""
    return {
        int(d): (float(a), float(b), int(k))
        for d, a, b, k in re.findall(
            r"vae-(\d+)d's reconstruction loss is ([\d.]+) nats at k = 1 and ([\d.]+) with all "
            r"\d+; k = (\d+) is within 1 nat",
            s,
        )
    }


def _independent_curve_points(d: int, ks: set[int], kl_of_d: np.ndarray) -> dict[int, float]:
    """The top-k reconstruction loss at a few k, recomputed with the model and NumPy: the codes
    with all but the k dimensions of most KL set to 0, decoded, BCE summed over the pixels."""
    import torch

    from ui.lessons.model_facts import N_TOPK
    from ui.page import loaders

    sub = loaders.scatter_subset(N_TOPK)
    x = loaders.test_images_float()[sub].reshape(len(sub), -1).astype(np.float64)
    mu = np.load(artefacts.codes_path(f"vae-{d}d"))["mu"][sub].astype(np.float32)
    order = np.argsort(-kl_of_d, kind="stable")
    model = zoo.load(f"vae-{d}d").eval()
    out = {}
    for k in ks:
        z = mu.copy()
        z[:, order[k:]] = 0.0
        with torch.inference_mode():
            p = model.decode(torch.from_numpy(z)).numpy().reshape(len(z), -1).astype(np.float64)
        p = np.clip(p, 1e-6, 1 - 1e-6)  # the clip of vae.losses.bce_per_image
        out[k] = float((-(x * np.log(p) + (1 - x) * np.log1p(-p)).sum(axis=1)).mean())
    return out


def test_premise_sweep_every_threshold_model_and_k(ladder):
    """Every threshold stop x every model of the top-k box x every k: the notices the page shows
    (computed.notices, as the page calls it), each premise checked against numbers recomputed
    here (KL from the codes, −ELBO from the checkpoints, the top-k curve at its k's by decoding)."""
    import inspect

    from ui.lessons.latent_size import computed

    table, problems, kl_dims, big, curves = ladder
    assert not problems and len(table) == len(SIZES)
    # the notices are a function of the table, the KL and the threshold alone: the seed box and
    # the top-k controls cannot change them, so every sentence must hold whichever they show
    assert list(inspect.signature(computed.notices).parameters) == ["table", "kl", "thr"]
    kl = {d: _kl(f"vae-{d}d") for d in SIZES}
    for d in SIZES:  # the page's KL per dimension is this one, sorted
        np.testing.assert_allclose(kl_dims[d], np.sort(kl[d])[::-1], rtol=1e-4, atol=1e-6)
    elbo = {d: float(zoo.info(f"vae-{d}d")["metrics"]["test_elbo"]) for d in SIZES}
    assert page_constant("DEFAULT_THR") in lc.THRESHOLDS
    assert big == [32, 20]
    for thr in lc.THRESHOLDS:
        obs = computed.notices(table, kl_dims, thr)
        assert len(obs) == 4
        for s in obs:
            assert not any(b in s.lower() for b in BAD), s
        _check_elbo(obs[0], elbo)
        _check_counts(obs[1], kl, thr)
        n = {d: int((v > thr).sum()) for d, v in kl.items()}
        if n[32] < max(n.values()):  # the past defect at 0.01: vae-32d uses fewer than vae-20d
            assert "the largest model uses the most" not in obs[1] and "uses fewer" in obs[1]
        below = kl[32][kl[32] <= thr]
        if len(below) and below.max() >= lc.OFF:  # the past defect at 1: 0.1-1 nats are not off
            assert "not all switched off" in obs[1]
        _check_threshold(obs[2], kl)
        quoted = _topk_quoted(obs[3])
        for d_shown in big:  # whichever model the box shows (the past defect: only vae-20d named)
            assert d_shown in quoted
            c = curves[d_shown]
            a, b, k_enough = quoted[d_shown]
            assert abs(a - c[0]) < 0.051 and abs(b - c[-1]) < 0.051
            assert (c[k_enough - 1 :] <= c[-1] + lc.CLOSE).all()  # within a nat from there on
            assert k_enough == 1 or c[k_enough - 2] > c[-1] + lc.CLOSE  # and not before
            for k_set in range(1, max(big) + 1):  # every k of the slider, cut to d as the page
                k = min(k_set, d_shown)
                if k >= k_enough:  # "the dimensions past that k carry almost nothing"
                    assert c[k - 1] - c[-1] <= lc.CLOSE
    for d in big:  # the curve itself, at the k's the sentence rests on, recomputed
        k_enough = lc.enough_k(tuple(curves[d]))
        ks = {1, k_enough, d} | ({k_enough - 1} if k_enough > 1 else set())
        for k, v in _independent_curve_points(d, ks, kl[d]).items():
            assert abs(v - curves[d][k - 1]) < 0.05, (d, k)


def test_the_caveat_premise_for_the_real_ladder(ladder):
    """ "The only difference between them is the latent size": the checkpoints' configurations
    differ in the latent size alone."""
    from ui.lessons.latent_size import computed

    table = ladder[0]
    s = lc.budget_caveat(computed.built_facts(table, len(SIZES)))
    info = {d: zoo.info(f"vae-{d}d") for d in SIZES}
    models = [
        {k: v for k, v in i["model_config"].items() if k != "latent_dim"} for i in info.values()
    ]
    trains = [i["train_config"] for i in info.values()]
    assert s is not None and not any(b in s for b in BAD)
    if "the only difference between them is the latent size" in s:
        assert all(m == models[0] for m in models) and all(t == trains[0] for t in trains)
        assert all(m["beta"] == 1.0 for m in models)
        assert f"({computed.loaders.budget_words(trains[0])})" in s
    else:
        assert len({t["epochs"] for t in trains}) > 1
