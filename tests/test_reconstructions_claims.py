"""The Reconstructions lesson's notices (``ui.lessons.reconstructions.claims``), fast tier: each
branch once on made-up numbers, asserting the premise the sentence states from the numbers it was
given; and a premise sweep over every model the page offers and every value of its controls (which
digits, the digit, how many, seeds, typed indices), with the facts computed as the page computes
them and each premise recomputed here (the page's AppTest: tests/test_page_reconstructions.py).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from tests.pageutil import page_constant as _page_constant
from ui.lessons.reconstructions import claims as rc
from vae import arrays, artefacts, zoo

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


def test_a_rise_within_one_size_is_no_rise_with_the_size():
    """ae-2d 52.3 then vae-2d 61.8: up 9.5 nats between two 2-D codes, and every larger code below
    both: the old note said the loss "does not simply fall with the code size", from a difference
    of model kinds at one size."""
    f = facts()
    branch, s = rc.ladder_note(f)
    assert branch == "falls across sizes" and max(rc.steps(f)) >= rc.LEVEL
    assert s == (
        "Every larger code has a lower excess loss than every smaller one, but models of one size "
        "differ too (the kind of model matters as well as its size): ae-2d 52.3, vae-2d 61.8, "
        "vae-10d 22.4, vae-32d 18.1 nats on average over these digits."
    )


def test_not_simply_branch_a_larger_code_above_a_smaller_one():
    f = facts(mean_excess=(52.3, 61.8, 22.4, 55.0))  # the 32-D code above ae-2d
    branch, s = rc.ladder_note(f)
    assert branch == "not simply"
    assert s.startswith("The excess loss does not simply fall with the code size here: ")


def test_one_code_size_reads_no_trend():
    """Two 2-D models: the old rule said "falls as the code grows" with no code growing at all."""
    f = facts(
        models=("vae-2d", "ae-2d"),
        dims=(2, 2),
        rates=(0.70, 0.78),
        changed=(3, 2),
        mean_excess=(95.1, 90.7),
    )
    branch, s = rc.ladder_note(f)
    assert branch == "one size" and len(set(f.dims)) == 1
    assert s == (
        "These models all have 2-D codes, so no trend with the code size can be read here: "
        "vae-2d 95.1, ae-2d 90.7 nats on average over these digits."
    )
    assert "falls" not in s


def test_a_rise_then_a_fall_is_not_levelling_off():
    """Steps of +0.5 then -30 nats: all below a nat, so the old rule said "falls as the code grows,
    until it levels off", the wrong way round."""
    f = facts(
        models=("vae-3d", "vae-5d", "vae-10d"),
        dims=(3, 5, 10),
        rates=(0.8, 0.9, 0.95),
        changed=(1, 0, 0),
        mean_excess=(60.0, 60.5, 30.5),
    )
    assert rc.steps(f) == pytest.approx([0.5, -30.0]) and max(rc.steps(f)) < rc.LEVEL
    branch, s = rc.ladder_note(f)
    assert branch == "not simply" and not rc.levels_off(f)
    assert s.startswith("The excess loss does not simply fall with the code size here: ")


def test_a_fall_within_one_size_then_level_is_not_levelling_off():
    """ae-2d 90.7, vae-2d 91.5, vae-10d 91.0: the old rule said "falls ..., until it levels off",
    but the 10-D code is above ae-2d: the loss never fell with the code size."""
    f = facts(
        models=("ae-2d", "vae-2d", "vae-10d"),
        dims=(2, 2, 10),
        rates=(0.78, 0.70, 0.95),
        changed=(2, 3, 0),
        mean_excess=(90.7, 91.5, 91.0),
    )
    branch, _ = rc.ladder_note(f)
    assert branch == "not simply" and 91.0 > 90.7


def test_a_small_tie_at_the_largest_size_still_falls():
    """5-D 59.4, then two 10-D codes 28.5 and 28.7: every larger code is below every smaller one;
    the 0.3 between the two 10-D models is no rise with the code size."""
    f = facts(
        models=("vae-5d", "vae-10d", "ae-10d"),
        dims=(5, 10, 10),
        rates=(0.9, 0.95, 0.96),
        changed=(1, 0, 0),
        mean_excess=(59.4, 28.45, 28.72),
    )
    branch, s = rc.ladder_note(f)
    assert branch == "falls" and max(f.mean_excess[1:]) < f.mean_excess[0]
    assert s.startswith("The excess loss falls as the code grows: vae-5d 59.4, vae-10d 28.4")


def test_levels_off_needs_a_larger_code_after_the_fall():
    f = facts(
        models=("vae-5d", "vae-10d", "vae-20d", "vae-32d"),
        dims=(5, 10, 20, 32),
        rates=(0.9,) * 4,
        changed=(0,) * 4,
        mean_excess=(43.3, 27.6, 20.2, 20.6),
    )
    branch, s = rc.ladder_note(f)
    assert branch == "levels off" and rc.levels_off(f)
    assert max(f.mean_excess[2:]) - min(f.mean_excess[2:]) < rc.LEVEL
    assert s.startswith("The excess loss falls as the code grows, until it levels off: ")


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
    f = facts(sample=rc.SampleFacts("vae-2d-beta0", 120.05, 120.0, 0.004, moved=0.012))
    branch, s = rc.sample_note(f)
    assert branch == "same" and abs(f.sample.loss_sample - f.sample.loss_mu) < rc.SAME_LOSS
    assert f.sample.moved < rc.SAME_LOSS  # no digit's loss moves by SAME_LOSS on average
    assert "by less than 0.15 nats per image here" in s and "mean 0.004)" in s
    assert "by only 0.01 nats on average, so for the loss this sample is almost μ" in s
    assert rc.as_good_as_equal(120.05, 120.0) and not rc.as_good_as_equal(120.15, 120.0)


def test_equal_mean_losses_that_moved_each_digit_cancel():
    """The page's numbers for vae-2d-beta0.1, digit 2, 5 digits, seed 500000: mean losses 0.12
    apart with σ 0.007, but the sample moves the digits' losses by -3.8, +1.6, -0.2, +1.3 and +0.5
    nats; the old sentence said "its posterior σ is tiny (mean 0.007), so a sample is almost μ"."""
    f = facts(sample=rc.SampleFacts("vae-2d-beta0.1", 190.238, 190.361, 0.00657, moved=1.49))
    assert rc.as_good_as_equal(190.238, 190.361) and f.sample.moved >= rc.SAME_LOSS
    branch, s = rc.sample_note(f)
    assert branch == "cancel" and "almost μ" not in s and "tiny" not in s
    assert s == (
        "One sample z ~ q(z|x) instead of μ changes vae-2d-beta0.1's mean loss by less than 0.15 "
        "nats per image here (190.2 against 190.4), yet it moves each digit's loss by 1.5 nats on "
        "average (posterior σ: mean 0.007): it costs on some of these digits and saves on others, "
        "and they cancel."
    )


def test_equal_mean_losses_without_the_digits_changes_say_only_that():
    """How far the sample moved each digit's loss is not known (``moved`` None): the sentence says
    the mean losses are as good as equal and quotes σ, and no reason."""
    f = facts(sample=rc.SampleFacts("vae-2d", 128.16, 128.27, 0.050))
    assert f.sample.moved is None
    branch, s = rc.sample_note(f)
    assert branch == "equal"
    assert s == (
        "One sample z ~ q(z|x) instead of μ changes vae-2d's mean loss by less than 0.15 nats per "
        "image here (128.2 against 128.3; posterior σ: mean 0.050)."
    )
    f = facts(sample=rc.SampleFacts("vae-2d", 128.16, 128.27, None))
    assert rc.sample_note(f)[1].endswith("(128.2 against 128.3).")


def test_notes_are_in_the_pages_order():
    f = facts()
    assert rc.notes(f) == [rc.kept_note(f), rc.ladder_note(f)[1], rc.sample_note(f)[1]]


def ladder_premise(dims, excess) -> str:
    """The ladder branch whose premise the numbers meet, decided here from pairs of models: "falls"
    when every model of a larger code is below every model of a smaller one and no model rises by a
    nat or more over the one before it at its size (picker's order); "levels off" when that holds
    up to a size strictly between the smallest and the largest and every model from that size on is
    within a nat of every other; "falls across sizes" when every larger code is below every smaller
    one but a model rises by a nat or more at its size; "one size" when there is no larger code."""
    d, e = np.asarray(dims), np.asarray(excess, dtype=float)
    sizes = sorted(set(d.tolist()))
    if len(sizes) == 1:
        return "one size"

    def falls_up_to(top) -> bool:
        pairs = [(i, j) for i in range(len(d)) for j in range(len(d)) if d[i] < d[j] <= top]
        rises = [np.diff(e[d == size]) for size in sizes if size < top or top == sizes[-1]]
        return all(e[j] < e[i] for i, j in pairs) and all((r < rc.LEVEL).all() for r in rises)

    if falls_up_to(sizes[-1]):
        return "falls"
    if all(e[j] < e[i] for i in range(len(d)) for j in range(len(d)) if d[i] < d[j]):
        return "falls across sizes"  # every larger code below every smaller: a rise at one size
    for top in sizes[1:-1]:
        rest = e[d >= top]
        if falls_up_to(top) and rest.max() - rest.min() < rc.LEVEL:
            return "levels off"
    return "not simply"


@pytest.mark.parametrize("seed", range(60))
def test_ladder_branch_matches_its_premise_on_random_numbers(seed):
    """Sizes repeat (ties), losses spread wide (seeds 0-19), within a few nats (20-39), or falling
    as 40 / d down to a floor of 4 nats, plus noise below a nat, so that some level off (40-59)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    dims = rng.choice([2, 3, 5, 10, 20, 32], k)
    excess = (
        rng.uniform(10, 60, k)
        if seed < 20
        else rng.uniform(20, 23, k)
        if seed < 40
        else np.maximum(40 / dims, 4) + rng.uniform(0, 0.9, k)
    )
    f = facts(
        models=tuple(f"m{i}" for i in range(k)),
        dims=tuple(int(v) for v in dims),
        rates=(0.9,) * k,
        changed=(0,) * k,
        mean_excess=tuple(float(v) for v in excess),
    )
    branch, _ = rc.ladder_note(f)
    assert branch == ladder_premise(f.dims, f.mean_excess), (f.dims, f.mean_excess)


# --- premise sweep: every model the page offers, every control value -----------------------------

PAGE = Path(__file__).resolve().parents[1] / "pages" / "06_Reconstructions.py"
OFFERED = [n for n in zoo.names() if zoo.entry(n).model.kind != "cvae"]  # the page's ALL
BUILT = [n for n in OFFERED if artefacts.checkpoint_path(n).exists()]
BAD = re.compile(r"nan|inf|e\+")


def page_constant(name: str):
    """A literal constant of the page, read from its source (the page is a script)."""
    return _page_constant(PAGE, name)


@functools.lru_cache(maxsize=None)
def settings(covering: bool = False) -> tuple[tuple[str, np.ndarray, int], ...]:
    """(what, test indices, seed) for every control value, as the page picks its digits: random
    digits at every count with each seed (0, 1, a middle one, the largest); each digit with each
    seed, the count running through every value; typed indices (the default, one, more than the
    page keeps, nothing usable), seed 0. ``covering``: every control value once (the count and
    the seed running through their values), 23 settings instead of 80."""
    from ui.page import link_values, links, loaders
    from vae.latent import pick_digit, pick_random

    labels = loaders.test_set()[1]
    (lo, hi), default = page_constant("N_RANGE"), page_constant("IDX_DEFAULT")
    seeds = (0, 1, links.SEED_MAX // 2, links.SEED_MAX)
    counts = range(lo, hi + 1)
    out = [
        (f"random n={n} seed={s}", pick_random(len(labels), n, s), s)
        for i, n in enumerate(counts)
        for k, s in enumerate(seeds)
        if not covering or k == i % len(seeds)
    ]
    for digit in range(10):
        for k, s in enumerate(seeds):
            if covering and k != digit % len(seeds):
                continue
            n = counts[(digit if covering else 4 * digit + k) % len(counts)]
            out.append((f"digit {digit} n={n} seed={s}", pick_digit(labels, digit, n, s), s))
    for typed in (default, "9999", ", ".join(str(i) for i in range(0, 10000, 700)), "none, -1"):
        idx = link_values.parse_indices(typed, len(labels), max_len=hi)[0]
        idx = idx or link_values.parse_indices(default, len(labels))[0]
        out.append((f"index {typed!r}", np.array(idx), 0))
    return tuple(out)


def test_the_sweep_covers_the_pages_controls():
    assert page_constant("MODES") == ("random", "digit", "index")
    assert page_constant("N_RANGE") == (4, 12)
    assert page_constant("LADDER") == LADDER
    assert 'zoo.entry(n).model.kind != "cvae"' in PAGE.read_text()  # the models OFFERED lists
    whats = [w for w, _, _ in settings()]
    assert {int(re.search(r"n=(\d+)", w).group(1)) for w in whats if w.startswith("digit")} == set(
        range(4, 13)
    )
    assert {w.split()[1] for w in whats if w.startswith("digit")} == {str(d) for d in range(10)}
    cover = [w for w, _, _ in settings(covering=True)]
    for kind in ("random", "digit"):
        assert {int(re.search(r"n=(\d+)", w).group(1)) for w in cover if w.startswith(kind)} == set(
            range(4, 13)
        )
        assert {w.split("seed=")[1] for w in cover if w.startswith(kind)} == {
            w.split("seed=")[1] for w in whats if "seed=" in w
        }
    assert {w.split()[1] for w in cover if w.startswith("digit")} == {str(d) for d in range(10)}


def _bce(logits: np.ndarray, x: np.ndarray) -> np.ndarray:
    """-log p(x | logits) per image, Bernoulli, summed over the pixels (numpy). -> (M,)"""
    lg = logits.reshape(len(x), -1).astype(np.float64)
    return (np.logaddexp(0, lg) - x.reshape(len(x), -1) * lg).sum(axis=1)


def _entropy(x: np.ndarray) -> np.ndarray:
    x = x.reshape(len(x), -1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(x * np.log(x) + (1 - x) * np.log(1 - x))
    return np.where((x > 0) & (x < 1), h, 0.0).sum(axis=1)


@functools.lru_cache(maxsize=1)
def _test_set() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The test images (N, 28, 28) in [0, 1], their labels, flattened (N, 784) and squared norms."""
    images, labels = artefacts.load_test_set()
    x = images.astype(np.float32) / 255
    flat = x.reshape(len(x), -1)
    return x, labels, flat, (flat.astype(np.float64) ** 2).sum(1).astype(np.float32)


def _nearest_label(queries: np.ndarray, own: np.ndarray) -> np.ndarray:
    """The label of each query's nearest test image, its own original left out: a float32 screen
    for three candidates, then their exact float64 distances (numpy, not vae.neighbours)."""
    _, labels, flat, r2 = _test_set()
    q = queries.reshape(len(queries), -1).astype(np.float32)
    d2 = r2[None, :] - 2 * q @ flat.T
    d2[np.arange(len(q)), own] = np.inf
    cand = np.sort(np.argpartition(d2, 3, axis=1)[:, :3], axis=1)  # (M, 3), by index
    exact = ((flat[cand].astype(np.float64) - q[:, None].astype(np.float64)) ** 2).sum(-1)
    return labels[cand[np.arange(len(q)), exact.argmin(axis=1)]]  # ties: the smaller index


@pytest.fixture(scope="module")
def truth():
    """Per built model and setting, recomputed here from the checkpoint (torch for the network,
    numpy for the rest), every setting in one batch: each digit's excess loss at μ, its loss at μ
    and at the page's one seeded sample z = μ + σ ε (ε drawn per setting, as the page draws it:
    ``vae.arrays.noise``, NumPy's generator seeded with the page's seed),
    and the digits' mean σ."""
    import torch

    x_all = _test_set()[0]
    every = settings()
    every += tuple(c for c in settings(covering=True) if c[0] not in {w for w, _, _ in every})
    idx = np.concatenate([i for _, i, _ in every])
    starts = np.cumsum([0] + [len(i) for _, i, _ in every])
    x = x_all[idx]
    entropy = _entropy(x)
    out = {}
    for name in BUILT:
        model = zoo.load(name).eval()
        with torch.inference_mode():
            mu, logvar = model.encode(torch.from_numpy(x[:, None]))
            at_mu = _bce(model.decode_logits(mu).numpy(), x)
            if logvar is not None:
                z = torch.cat(
                    [
                        mu[a:b]
                        + torch.exp(0.5 * logvar[a:b])
                        * torch.from_numpy(arrays.noise(int(seed), (b - a, mu.shape[1])))
                        for (_, _, seed), a, b in zip(every, starts, starts[1:])
                    ]
                )
                at_sample = _bce(model.decode_logits(z).numpy(), x)
                sigma = torch.exp(0.5 * logvar).numpy()
        for (what, _, _), a, b in zip(every, starts, starts[1:]):
            row = {"excess": at_mu[a:b] - entropy[a:b], "loss_mu": at_mu[a:b]}
            if logvar is not None:
                row |= {"loss_sample": at_sample[a:b], "sigma": float(sigma[a:b].mean())}
            out[name, what] = row
    return out


def check_sample_note(f: rc.ReconFacts, row: dict, key) -> None:
    """The sample notice's premise, from the losses recomputed digit by digit: for the facts as the
    page computes them and, where they leave ``moved`` out, with it measured here (what the page
    shows once ``computed.sample_facts`` passes it)."""
    if f.sample is None:
        assert rc.sample_note(f) is None
        assert not any(zoo.entry(n).model.kind == "vae" for n in f.models)
        return
    assert f.sample.model == [n for n in f.models if zoo.entry(n).model.kind == "vae"][-1]
    one, at_mu = row["loss_sample"], row["loss_mu"]
    assert (f.sample.loss_sample, f.sample.loss_mu) == pytest.approx(
        (one.mean(), at_mu.mean()), abs=2e-3
    ), key
    change = one - at_mu  # per digit
    moved = float(np.abs(change).mean())
    variants = [f]
    if f.sample.moved is None:
        variants.append(dataclasses.replace(f, sample=dataclasses.replace(f.sample, moved=moved)))
    for g in variants:
        branch, text = rc.sample_note(g)
        assert not BAD.search(text), (key, text)
        diff = g.sample.loss_sample - g.sample.loss_mu
        if g.sample.sigma is not None:  # the codes file's σ, as the encoder gives it
            assert g.sample.sigma == pytest.approx(row["sigma"], abs=1e-4), key
            assert f"mean {g.sample.sigma:.3f})" in text
        if g.sample.moved is not None:
            assert g.sample.moved == pytest.approx(moved, abs=2e-3), key
        if branch in ("costs", "saves"):
            assert abs(diff) >= rc.SAME_LOSS and (diff > 0) == (branch == "costs"), key
            assert f"({g.sample.loss_sample:.1f} against {g.sample.loss_mu:.1f})" in text
            continue
        assert abs(diff) < rc.SAME_LOSS and g.sample.sigma is not None, key
        if branch == "equal":  # the mean losses as good as equal, and no more
            assert g.sample.moved is None, key
        elif branch == "same":  # for the loss the sample is almost μ, digit by digit
            assert moved < rc.SAME_LOSS, (key, change)
        else:  # it costs on some of these digits and saves on others
            assert branch == "cancel" and moved >= rc.SAME_LOSS, (key, change)
            assert (change > 0).any() and (change < 0).any(), (key, change)


@pytest.mark.parametrize("name", OFFERED)
def test_premise_sweep_one_model(name, truth):
    """One model alone, as the page shows it, at every setting: the kept-digit rates recomputed
    over the page's 1,000 fixed digits, the changed digits on screen by a numpy 1-NN, the excess
    losses and one sample against μ digit by digit."""
    if name not in BUILT:
        pytest.skip(f"{name} is not built")
    from ui.lessons.reconstructions import computed
    from ui.page import loaders
    from vae import arrays

    rows = truth
    x_all, labels, _, _ = _test_set()
    sub = loaders.scatter_subset(computed.N_RATE)
    assert (np.bincount(labels[sub], minlength=10) == computed.N_RATE // 10).all()  # "100 of each"
    recon_sub, _ = arrays.reconstruct(zoo.load(name), x_all[sub], labels[sub])
    rate = float((_nearest_label(recon_sub, sub) == labels[sub]).mean())
    every = settings()
    pages = [computed.results([name], idx, labels[idx]) for _, idx, _ in every]  # as the page
    seen = _nearest_label(
        np.concatenate([r[name]["recon"] for r in pages]),
        np.concatenate([idx for _, idx, _ in every]),
    )
    at = 0
    for (what, idx, seed), res in zip(every, pages):
        key = (name, what)
        f = computed.recon_facts([name], idx, res, seed)
        assert f.rates[0] == pytest.approx(rate, abs=1e-9), key
        own_seen, at = seen[at : at + len(idx)], at + len(idx)
        assert f.changed == (int((own_seen != labels[idx]).sum()),), key
        assert f.n_shown == len(idx)
        assert f.mean_excess[0] == pytest.approx(rows[name, what]["excess"].mean(), abs=2e-3), key
        texts = rc.notes(f)
        for t in texts:
            assert not BAD.search(t), (key, t)
        assert rc.ladder_note(f) is None  # one model: no ladder
        assert f"{f.changed[0]} of {len(idx)} changed with {name}." in texts[0]
        check_sample_note(f, rows[name, what], key)


def selections() -> list[list[str]]:
    """Model choices beyond one model: the page's default both ways round, every pair (both ways
    round where the two share a code size: the picker's order then orders them), and runs of 3 to
    5 models in the order of their code size and in the registry's order."""
    by_size = sorted(BUILT, key=lambda n: zoo.entry(n).model.latent_dim)
    out = [[n for n in LADDER if n in BUILT], list(reversed([n for n in LADDER if n in BUILT]))]
    dim = {n: zoo.entry(n).model.latent_dim for n in BUILT}
    out += [
        list(p) for p in itertools.permutations(BUILT, 2) if p[0] < p[1] or dim[p[0]] == dim[p[1]]
    ]
    for order in (by_size, BUILT):
        out += [order[i : i + k] for k in (3, 4, 5) for i in range(len(order) - k + 1)]
    return [s for s in out if len(s) >= 2]


def test_premise_sweep_model_choices(truth):
    """Every selection of ``selections`` at every control value (``settings(covering=True)``; the
    one-model sweep takes every seed at every value): the facts as the page computes them
    (``computed.results`` once per setting over every built model, whose rows are those of any
    choice among them: each 1-NN leaves out its own original only), the ladder's branch against the
    excess losses recomputed here, and the sample notice of the last VAE chosen."""
    if len(BUILT) < 2:
        pytest.skip("fewer than two models built")
    from ui.lessons.reconstructions import computed

    rows, labels = truth, _test_set()[1]
    chosen = selections()
    shown = set()
    for what, idx, seed in settings(covering=True):
        res_all = computed.results(BUILT, idx, labels[idx])
        for names in chosen:
            key = (tuple(names), what)
            f = computed.recon_facts(names, idx, {n: res_all[n] for n in names}, seed)
            texts = rc.notes(f)
            for t in texts:
                assert not BAD.search(t), (key, t)
            excess = [rows[n, what]["excess"].mean() for n in names]
            assert f.mean_excess == pytest.approx(excess, abs=2e-3), key
            branch, text = rc.ladder_note(f)
            shown.add(branch)
            assert branch == ladder_premise(f.dims, f.mean_excess), (key, text)
            listed = [(n, float(e)) for n, e in re.findall(r"(\S+) (-?[\d.]+)(?:,| nats)", text)]
            by_size = sorted(zip(f.dims, range(len(names)), names, excess))
            assert [n for n, _ in listed] == [n for _, _, n, _ in by_size], (key, text)
            assert [e for _, e in listed] == pytest.approx([e for *_, e in by_size], abs=0.051)
            vaes = [n for n in names if zoo.entry(n).model.kind == "vae"]
            check_sample_note(f, rows[vaes[-1], what] if vaes else {}, key)
    if BUILT == OFFERED:  # the sweep reaches every branch with the full set of models
        assert shown == {"falls", "falls across sizes", "levels off", "not simply", "one size"}, (
            shown
        )
