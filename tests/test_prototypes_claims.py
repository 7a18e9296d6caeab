"""The Prototypes lesson's notices (``ui.lessons.prototypes.claims``), fast tier: each branch once
on made-up numbers, asserting the premise the sentence states from the numbers it was given; and the
facts of every offered model, recomputed here from cache/, against the notices they give."""

from __future__ import annotations

import dataclasses
import os
import re

import numpy as np
import pytest

from ui.lessons.prototypes import claims as pc
from vae import artefacts, units, zoo

SAME = pc.SAME_GREY


def facts(**kw) -> pc.PrototypeFacts:
    base = pc.PrototypeFacts(
        name="vae-10d",
        g_avg=0.62,
        g_dec=0.31,
        g_rec=0.30,
        g_med=0.12,
        n_sharper=10,
        kl=(3.1, 2.4, 2.2, 1.9, 1.7, 1.5, 1.2, 0.9, 0.004, 0.002),
        active=(True,) * 8 + (False,) * 2,
        folded=False,
    )
    return dataclasses.replace(base, **kw)


# --- the pixel average against the decoded prototype --------------------------------------------


def test_blur_branch_quotes_a_clearly_greyer_pixel_average():
    f = facts()
    branch, s = pc.blur_note(f)
    assert branch == "blur" and f.g_avg > f.g_dec + SAME
    assert "62 % of its inked pixels are grey" in s and "against 31 % for the decoded" in s
    assert "greyer for 10 of 10 digits" in s


def test_as_grey_branch_when_the_averages_are_within_the_tolerance():
    f = facts(g_avg=0.33, g_dec=0.30)
    branch, s = pc.blur_note(f)
    assert branch == "as grey" and f.g_avg <= f.g_dec + SAME
    assert "as grey as the pixel averages (30 % against 33 %" in s and "blur" not in s


def test_as_grey_branch_when_the_prototype_is_the_greyer_one():
    f = facts(g_avg=0.20, g_dec=0.40)
    assert pc.blur_note(f)[0] == "as grey" and f.g_avg < f.g_dec


# --- where the prototype's grey comes from -----------------------------------------------------


def test_decoder_branch_needs_a_reconstruction_as_grey_and_a_sharp_medoid():
    f = facts()
    branch, s = pc.decoder_note(f)
    assert branch == "decoder"
    assert abs(f.g_dec - f.g_rec) <= SAME and f.g_rec > f.g_med + SAME
    assert "about as grey (30 % against 31 %)" in s and "a real test image, is 12 % grey" in s


@pytest.mark.parametrize(
    "g_dec, g_rec, g_med, how",
    [
        (0.45, 0.30, 0.12, "greyer than"),  # the reconstruction is not as grey: no decoder claim
        (0.20, 0.30, 0.12, "less grey than"),
        (0.31, 0.30, 0.28, "as grey as"),  # as grey, but the medoid itself is as grey too
    ],
)
def test_compare_branch(g_dec, g_rec, g_med, how):
    f = facts(g_dec=g_dec, g_rec=g_rec, g_med=g_med)
    branch, s = pc.decoder_note(f)
    assert branch == "compare"
    assert not (abs(f.g_dec - f.g_rec) <= SAME and f.g_rec > f.g_med + SAME)
    assert f"The decoded prototypes are {how} the medoids' reconstructions" in s
    if how == "greyer than":
        assert f.g_dec > f.g_rec + SAME
    elif how == "less grey than":
        assert f.g_dec < f.g_rec - SAME
    else:
        assert abs(f.g_dec - f.g_rec) <= SAME


# --- the dimensions in use ----------------------------------------------------------------------


def _kl_range(s: str) -> tuple[float, float]:
    m = re.search(r"KL ([\d.]+) to ([\d.]+) nats each", s)
    return float(m.group(1)), float(m.group(2))


def test_all_used_branch():
    f = facts(kl=(3.0, 2.0, 1.5), active=(True,) * 3)
    branch, s = pc.dims_note(f)
    assert branch == "all used" and all(f.active) and pc.unused(f) == ()
    assert s.startswith("3 of 3 dimensions are in use in vae-10d") and _kl_range(s) == (1.5, 3.0)
    assert s.endswith("every row of the traversals below is a dimension the model uses.")


def test_marked_branch_names_the_unused_dimensions_and_their_largest_kl():
    f = facts()
    branch, s = pc.dims_note(f)
    assert branch == "marked" and not f.folded
    off = pc.unused(f)
    assert off == (8, 9) and s.startswith(f"{len(f.kl) - len(off)} of {len(f.kl)} dimensions")
    used_kl = [k for k, a in zip(f.kl, f.active) if a]
    assert _kl_range(s) == (round(min(used_kl), 1), round(max(used_kl), 1))
    assert "; z₉, z₁₀ carry 0.01 nats or less and are marked unused" in s
    assert max(f.kl[j] for j in off) <= 0.01  # the bound, rounded up ("0.00" would be false)


def test_left_out_branch_when_the_traversals_fold_them():
    f = facts(folded=True)
    branch, s = pc.dims_note(f)
    assert branch == "left out" and f.folded and pc.unused(f)
    assert s.endswith("left out of the traversals below (a switch there draws them).")


def test_one_unused_dimension_is_singular():
    f = facts(kl=(2.0, 0.013, 1.0), active=(True, False, True))
    s = pc.dims_note(f)[1]
    assert pc.unused(f) == (1,) and "; z₂ carries 0.02 nats or less and is marked" in s
    assert 0.01 < f.kl[1] <= 0.02  # 0.013: "0.01 nats or less" would be false


def test_many_unused_dimensions_are_counted_not_named():
    d = 32
    f = facts(kl=(1.0,) * 10 + (0.001,) * (d - 10), active=(True,) * 10 + (False,) * (d - 10))
    s = pc.dims_note(f)[1]
    assert len(pc.unused(f)) == 22 > pc.NAMED_UNUSED
    assert "; the other 22 carry 0.01 nats or less" in s and "z11" not in s
    assert max(f.kl[10:]) <= 0.01


def test_notes_are_the_three_in_order():
    f = facts()
    assert pc.notes(f) == [pc.blur_note(f)[1], pc.decoder_note(f)[1], pc.dims_note(f)[1]]


def test_facts_from_a_model_view():
    view = {
        "grey": (0.6, 0.3, 0.29),
        "g_med": 0.1,
        "n_sharper": 9,
        "kl": np.array([1.5, 0.001], np.float32),
        "active": np.array([True, False]),
    }
    f = pc.facts_from(view, "vae-3d", True)
    assert (f.g_avg, f.g_dec, f.g_rec, f.g_med, f.n_sharper) == (0.6, 0.3, 0.29, 0.1, 9)
    assert f.active == (True, False) and f.kl[0] == pytest.approx(1.5) and f.folded
    hash(f)  # frozen: numbers only, no arrays


# --- the traversals' caption --------------------------------------------------------------------


def test_traversal_caption_names_the_row_that_changes_most():
    order, change = [3, 0, 1], np.array([0.12, 0.31, 0.05])
    s = pc.traversal_caption(order, change, frozenset())
    assert "most for z₁ (0.310)" in s and s.endswith(".") and "unused" not in s
    assert order[int(np.argmax(change))] == 0


def test_traversal_caption_gives_the_unused_rows_largest_change():
    order, change = [3, 0, 1], np.array([0.12, 0.31, 0.05])
    s = pc.traversal_caption(order, change, frozenset({1, 3}))
    # rows 0 and 2 draw the unused z4 and z2: the larger of their changes is 0.12
    assert s.endswith("; at most 0.120 for the unused dimensions.")


# --- every offered model, recomputed from cache/ -------------------------------------------------

OFFERED = [
    n
    for n in zoo.names()
    if zoo.entry(n).model.kind == "vae" and zoo.entry(n).model.latent_dim >= 3
]


@pytest.mark.parametrize("name", OFFERED)
def test_the_dimensions_note_of_every_offered_model(name):
    """The use and KL of each dimension, recomputed here with NumPy, give the note's numbers."""
    if not artefacts.codes_path(name).exists():
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(f"{name}: codes not built")
        pytest.fail(f"{name}: codes not built (python -m vae.build)")
    c = np.load(artefacts.codes_path(name))
    mu, lv = c["mu"].astype(np.float64), c["logvar"].astype(np.float64)
    active = mu.var(axis=0) > units.ACTIVE_UNIT_THRESHOLD
    kl = (0.5 * (mu**2 + np.exp(lv) - lv - 1.0)).mean(axis=0)
    d = mu.shape[1]
    f = facts(name=name, kl=tuple(kl), active=tuple(active), folded=d > pc.FOLD_UNUSED)
    branch, s = pc.dims_note(f)
    assert s.startswith(f"{int(active.sum())} of {d} dimensions are in use in {name}")
    lo, hi = _kl_range(s)
    assert lo == pytest.approx(kl[active].min(), abs=0.051)
    assert hi == pytest.approx(kl[active].max(), abs=0.051)
    assert branch == ("all used" if active.all() else "left out" if f.folded else "marked")


# --- the premise sweep: every offered model at every control value the page offers --------------

BAD = ("nan", "inf", "e+")  # never in a shown sentence


def _offered() -> list[str]:
    """The page's model box: its candidates, in its order, those built."""
    from ui.page import loaders

    c = loaders.models_where(lambda e: e.model.kind == "vae" and e.model.latent_dim >= 3)
    c.sort(key=lambda n: (zoo.entry(n).model.latent_dim, zoo.entry(n).model.beta))
    assert sorted(c) == sorted(OFFERED)
    return c


def _need(name: str) -> None:
    if not (artefacts.checkpoint_path(name).exists() and artefacts.codes_path(name).exists()):
        pytest.skip(f"{name} is not built")


def _grey(images: np.ndarray) -> np.ndarray:
    """Share of each image's inked pixels (above 0.2) that are grey (below 0.8)."""
    a = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    inked = a > 0.2
    return ((a < 0.8) & inked).sum(axis=1) / np.maximum(inked.sum(axis=1), 1)


def _toggles(d: int, n_unused: int) -> list[bool]:
    """The values the traversals' "draw the unused dimensions" switch can have on the page: it is
    shown only above FOLD_UNUSED dimensions with some unused; elsewhere its state is ignored."""
    return [False, True] if d > pc.FOLD_UNUSED and n_unused else [False]


@pytest.mark.parametrize("name", OFFERED)
def test_premise_sweep_the_notes_of_every_offered_model(name):
    """The notes as the page builds them (computed.model_view, facts_from, folded from the switch
    as the page reads it), every premise against numbers recomputed here with NumPy and the model:
    the pixel averages, the prototypes, the medoids, their decodings and grey shares, KL and use."""
    _need(name)
    import torch

    from ui.lessons.prototypes import computed
    from ui.page import loaders, model_calls

    assert name in _offered()
    view = computed.model_view(model_calls.model_key(name))
    images, labels = loaders.test_images_float(), loaders.test_set()[1]
    c = np.load(artefacts.codes_path(name))
    mu, lv = c["mu"].astype(np.float64), c["logvar"].astype(np.float64)
    d = mu.shape[1]
    proto = np.stack([mu[labels == k].mean(axis=0) for k in range(10)])
    med = np.array(
        [
            np.flatnonzero(labels == k)[np.argmin(((mu[labels == k] - proto[k]) ** 2).sum(axis=1))]
            for k in range(10)
        ]
    )
    net = zoo.load(name).eval()
    with torch.inference_mode():
        dec = net.decode(torch.as_tensor(proto, dtype=torch.float32))[:, 0].numpy()
        rec = net.decode(torch.as_tensor(mu[med], dtype=torch.float32))[:, 0].numpy()
    avg = np.stack([images[labels == k].mean(axis=0) for k in range(10)])
    g = {k: _grey(a) for k, a in (("avg", avg), ("dec", dec), ("rec", rec), ("med", images[med]))}
    gm = {k: float(v.mean()) for k, v in g.items()}
    active = mu.var(axis=0, ddof=1) > units.ACTIVE_UNIT_THRESHOLD
    kl = (0.5 * (mu**2 + np.exp(lv) - lv - 1.0)).mean(axis=0)
    off = np.flatnonzero(~active)
    assert (np.asarray(view["med_idx"]) == med).all()
    for toggle in _toggles(d, len(off)):
        folded = d > pc.FOLD_UNUSED and not toggle  # as the page reads the switch
        f = pc.facts_from(view, name, folded)
        notes = pc.notes(f)
        for s in notes:
            assert not any(b in s.lower() for b in BAD), s
        # the pixel average against the decoded prototype
        branch, s = pc.blur_note(f)
        assert abs(f.g_avg - gm["avg"]) < 1e-3 and abs(f.g_dec - gm["dec"]) < 0.01
        if branch == "blur":
            assert gm["avg"] > gm["dec"] + pc.SAME_GREY - 0.01
            n = int(re.search(r"greyer for (\d+) of 10 digits", s).group(1))
            assert abs(n - int((g["avg"] > g["dec"]).sum())) <= 1  # a digit at the edge may tip
        else:
            assert gm["avg"] <= gm["dec"] + pc.SAME_GREY + 0.01
        # where the grey comes from
        branch, s = pc.decoder_note(f)
        if branch == "decoder":
            assert abs(gm["dec"] - gm["rec"]) <= pc.SAME_GREY + 0.01
            assert gm["rec"] > gm["med"] + pc.SAME_GREY - 0.01
        else:
            how = re.search(r"prototypes are (greyer than|less grey than|as grey as)", s).group(1)
            gap = gm["dec"] - gm["rec"]
            assert {
                "greyer than": gap > pc.SAME_GREY - 0.01,
                "less grey than": gap < -pc.SAME_GREY + 0.01,
                "as grey as": abs(gap) <= pc.SAME_GREY + 0.01,
            }[how]
        # the dimensions in use, and what the traversals below draw of the others
        branch, s = pc.dims_note(f)
        assert s.startswith(f"{int(active.sum())} of {d} dimensions are in use in {name}")
        if active.any():
            lo, hi = _kl_range(s)
            for quoted, v in ((lo, kl[active].min()), (hi, kl[active].max())):
                assert abs(quoted - v) <= (0.05 if v >= 0.05 else 0.0005) + 1e-9
                assert quoted > 0  # a dimension in use never reads as carrying 0 nats
        if len(off):
            bound = float(re.search(r"carr(?:y|ies) ([\d.]+) nats or less", s).group(1))
            assert kl[off].max() <= bound < kl[off].max() + 0.01 + 1e-9
        order_drawn = [
            j
            for j in range(d)
            if d <= pc.FOLD_UNUSED or not len(off) or toggle or j not in set(off)
        ]  # the traversals' rows, as views.traversal_view draws them
        assert branch == ("all used" if not len(off) else "left out" if folded else "marked")
        if branch == "left out":
            assert not set(off) & set(order_drawn)
        if branch in ("marked", "all used"):
            assert order_drawn == list(range(d))


def _caption_premise(s: str, order: list[int], imgs: np.ndarray, unused: frozenset) -> None:
    """The traversals' caption against each row's change recomputed from the row's images."""
    steps = len(imgs) // len(order)
    rows = np.asarray(imgs, dtype=np.float64).reshape(len(order), steps, -1)
    change = np.abs(np.diff(rows, axis=1)).mean(axis=2).sum(axis=1)
    assert not any(b in s.lower() for b in BAD), s
    m = re.search(r"most for z([₀-₉]+) \(([\d.]+)\)", s)
    j = int(m.group(1).translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))) - 1
    v = float(m.group(2))
    assert abs(v - change.max()) < 6e-4 and change[order.index(j)] >= change.max() - 1e-9
    u = re.search(r"at most ([\d.]+) for the unused dimensions", s)
    drawn_unused = [r for r, k in enumerate(order) if k in unused]
    assert bool(u) == bool(drawn_unused)
    if u:
        assert abs(float(u.group(1)) - change[drawn_unused].max()) < 6e-4


@pytest.mark.parametrize("name", OFFERED)
def test_premise_sweep_the_traversal_caption(name):
    """Every digit x both orders x every state of the unused switch at the default sweep; every
    steps value 3 to 25 and a sample of ranges at the default digit: the caption's row of most
    change and the unused rows' most, against the images as the page computes them."""
    _need(name)
    from ui.draw.style import SLIDER_RANGE
    from ui.lessons.prototypes import computed
    from ui.page import model_calls
    from vae import latent

    key = model_calls.model_key(name)
    view = computed.model_view(key)
    mu = np.load(artefacts.codes_path(name))["mu"]
    unused = frozenset(int(j) for j in np.flatnonzero(~view["active"]))
    d = mu.shape[1]

    def caption(digit: int, steps: int, lo: float, hi: float, by_use: bool, toggle: bool):
        draw = d <= pc.FOLD_UNUSED or not unused or toggle  # as views.traversal_view
        values = latent.linear_axis(steps, lo, hi)
        order = [j for j in latent.traversal_order(mu, by_use) if draw or j not in unused]
        imgs, change = computed.traversal_images(
            key,
            tuple(map(float, view["proto_mu"][digit])),
            tuple(map(float, values)),
            tuple(order),
        )
        s = pc.traversal_caption(order, change, unused)
        _caption_premise(s, order, imgs, unused)

    for digit in range(10):
        for by_use in (False, True):
            for toggle in _toggles(d, len(unused)):
                caption(digit, 10, *SLIDER_RANGE, by_use, toggle)
    for steps in range(3, 26):
        caption(3, steps, *SLIDER_RANGE, False, False)
    for lo, hi in ((-5.0, 5.0), (-0.1, 0.1), (4.9, 5.0), (-5.0, -4.9), (0.0, 2.5)):
        caption(3, 10, lo, hi, True, False)
