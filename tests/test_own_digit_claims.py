"""Fast tier: what *Your own digit* says about a picture (``ui.lessons.own_digit.claims``), one test
per branch on made-up numbers, each asserting the branch's premise from the numbers, and a premise
sweep over the bundled examples under vae-2d with the numbers computed as the page computes them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ui.lessons.own_digit import claims as oc
from vae import arrays, ood, preprocess, prior

CIRCLE = prior.radius(0.99)


def facts(**kw) -> oc.DigitFacts:
    base = oc.DigitFacts(
        source="draw",
        elbo=160.0,
        kl=8.0,
        pct=60.0,
        pct_ink=55.0,
        n_matched=1234,
        bar_score=35.0,
        near=(7995, 6866, 8328, 11, 12),
        near_labels=(3, 3, 3, 3, 5),
        src=None,
        src_label=None,
        src_elbo=None,
        radius=1.5,
        inside=True,
        circle=CIRCLE,
    )
    return dataclasses.replace(base, **kw)


# --- the verdict on the score


def test_far_tail():
    f = facts(pct=99.4, pct_ink=99.99)
    branch, text = oc.verdict(f)
    assert branch == "far tail" and f.pct >= oc.FAR_TAIL  # the premise: almost every digit is lower
    assert "only 0.6 % of the test digits cost more" in text


def test_ink_surprise_against_unremarkable_overall_score():
    f = facts(pct=70.0, pct_ink=99.97)
    branch, text = oc.verdict(f)
    assert branch == "ink" and f.pct < oc.UNREMARKABLE and f.pct_ink >= oc.ALL_WORSE
    assert text.startswith("Against all test digits that score is unremarkable, but ")
    assert "worse than every one of the 1,234 test digits with about as much ink" in text
    assert text.endswith("for its amount of ink, the model finds it surprising.")


def test_ink_surprise_on_a_high_overall_score():
    f = facts(pct=93.0, pct_ink=97.5)
    branch, text = oc.verdict(f)
    assert branch == "ink" and oc.UNREMARKABLE <= f.pct < oc.FAR_TAIL
    assert oc.INK_SURPRISE <= f.pct_ink < oc.ALL_WORSE
    assert text.startswith("Only 7.0 % of all test digits cost more, and ")
    assert "among the 1,234 test digits with about as much ink only 2.5 % score worse" in text


def test_low_score_is_no_evidence_of_a_digit():
    f = facts(pct=2.0, pct_ink=40.0, bar_score=35.4)
    branch, text = oc.verdict(f)
    assert branch == "low" and f.pct <= oc.LOW and f.pct_ink < oc.INK_SURPRISE
    assert "the plain vertical bar below scores 35 nats" in text


def test_low_score_without_an_ink_comparison():
    f = facts(pct=0.0, pct_ink=None)
    assert oc.verdict(f)[0] == "low" and f.pct <= oc.LOW


def test_unremarkable_with_the_ink_matched_share():
    f = facts(pct=60.0, pct_ink=55.57)
    branch, text = oc.verdict(f)
    assert branch == "unremarkable" and oc.LOW < f.pct < oc.FAR_TAIL and f.pct_ink < 95
    # floored, not rounded: 55.57 % is said as 55.5 %
    assert "(among test digits with as much ink, 55.5 % score better)" in text
    assert text.endswith("; the score cannot say whether it is one.")


def test_unremarkable_without_enough_ink_matched_digits():
    f = facts(pct=60.0, pct_ink=None)
    branch, text = oc.verdict(f)
    assert branch == "unremarkable" and f.pct_ink is None and "as much ink" not in text


# --- the KL's share


def test_most_of_the_surprise_in_pixels():
    f = facts(elbo=160.0, kl=8.0)
    branch, text = oc.kl_note(f)
    assert branch == "pixels" and f.kl / f.elbo < oc.KL_HALF
    assert "Only 8.0 of those nats (5%) are KL" in text


def test_most_of_the_surprise_in_the_kl():
    f = facts(elbo=40.0, kl=30.0)
    branch, text = oc.kl_note(f)
    assert branch == "kl" and f.kl / f.elbo >= oc.KL_HALF
    assert text.startswith(" 30.0 of those nats (75%) are KL: the encoder had to push")


def test_a_score_of_zero_has_no_kl_share():
    assert oc.kl_share(facts(elbo=0.0, kl=0.0)) == 0.0
    assert oc.kl_note(facts(elbo=0.0, kl=0.0))[0] == "pixels"


# --- the nearest codes


def test_placed_among_one_digit():
    f = facts(near_labels=(3, 3, 3, 3, 5))
    branch, text = oc.neighbours_note(f)
    assert branch == "placed" and f.near_labels.count(3) >= oc.PLACED
    assert text.startswith("4 of its 5 nearest test codes are **3s** (the others: 5)")
    assert ": the model places it among the 3s. Every picture has nearest codes" in text


def test_all_nearest_of_one_digit_names_no_others():
    f = facts(near_labels=(7,) * 5)
    branch, text = oc.neighbours_note(f)
    assert branch == "placed" and "the others" not in text and text.startswith("5 of its 5")


def test_mixed_neighbourhood():
    f = facts(near_labels=(4, 9, 4, 9, 7))
    branch, text = oc.neighbours_note(f)
    assert branch == "mixed" and max(f.near_labels.count(d) for d in range(10)) < oc.PLACED
    # a tie goes to the smaller digit, as np.argmax does
    assert text.startswith("2 of its 5 nearest test codes are **4s** (the others: 9, 9, 7)")
    assert ": a mixed neighbourhood. Every picture" in text


def test_an_example_the_neighbourhood_agrees_on():
    f = facts(source="example", src=18, src_label=3, src_elbo=120.0, near_labels=(3, 3, 3, 5, 8))
    branch, text = oc.neighbours_note(f)
    assert branch == "agrees" and f.near_labels.count(f.src_label) >= oc.AGREES
    assert "3 of its 5 nearest test codes are **3s** (the others: 5, 8), and it is a 3" in text


def test_an_example_the_neighbourhood_is_wrong_about():
    f = facts(source="example", src=18, src_label=3, src_elbo=120.0, near_labels=(5, 5, 5, 3, 8))
    branch, text = oc.neighbours_note(f)
    assert branch == "wrong" and oc.top_digit(f)[0] != f.src_label
    assert ", yet it is a 3 (test digit #18): the neighbourhood is wrong about it." in text


def test_an_example_whose_digit_leads_too_thinly_is_not_agreed_on():
    f = facts(src=18, src_label=3, src_elbo=120.0, near_labels=(3, 3, 5, 8, 9))
    assert oc.top_digit(f) == (3, 2) and oc.neighbours_note(f)[0] == "wrong"


def test_a_2d_code_inside_and_outside_the_prior_circle():
    inside = oc.neighbours_note(facts(radius=1.5, inside=True))[1]
    assert 1.5 <= CIRCLE and "radius 1.50 from the origin, inside the circle" in inside
    assert f"(radius {CIRCLE:.2f}) that holds 99 % of the prior N(0, I)." in inside
    outside = oc.neighbours_note(facts(radius=4.2, inside=False))[1]
    assert 4.2 > CIRCLE and "radius 4.20 from the origin, **outside** the circle" in outside


def test_a_larger_model_says_nothing_of_the_circle():
    text = oc.neighbours_note(facts(radius=None, inside=None))[1]
    assert "radius" not in text and "circle" not in text


# --- a bundled example against the test digit it was made from


def test_an_example_that_costs_more_than_its_test_digit_nearest_itself():
    f = facts(src=7995, src_label=3, src_elbo=120.4, elbo=160.0)
    branch, text = oc.source_note(f)
    assert branch == "more" and f.elbo > f.src_elbo and f.near[0] == f.src
    assert "the digit scores 120 nats, this version 160 (40 more for what was done to it" in text
    assert text.endswith("and its nearest test code is that very digit.")


def test_an_example_that_costs_fewer_its_digit_among_the_nearest():
    f = facts(src=8328, src_label=3, src_elbo=170.0, elbo=160.0)
    branch, text = oc.source_note(f)
    assert branch == "fewer" and f.elbo <= f.src_elbo and f.near.index(f.src) == 2
    assert "this version 160 (10 fewer), and that digit is number 3 of its 5 nearest codes." in text


def test_an_example_whose_digit_is_not_among_the_nearest():
    f = facts(src=18, src_label=3, src_elbo=120.0)
    assert f.src not in f.near
    assert oc.source_note(f)[1].endswith("that digit is not among its 5 nearest codes.")


def test_a_picture_that_is_no_example_has_no_source_note():
    assert oc.source_note(facts()) is None and len(oc.notes(facts())) == 2


# --- the notices together


@pytest.mark.parametrize(
    "source,whose",
    [("draw", "Your drawing's"), ("example", "This example's"), ("upload", "Your picture's")],
)
def test_notes_name_the_picture_and_quote_the_shown_numbers(source, whose):
    f = facts(source=source)
    first = oc.notes(f)[0]
    assert first.startswith(f"{whose} negative ELBO is **160 nats**, higher than **60.0 %**")
    assert oc.verdict(f)[1] in first and first.endswith(oc.kl_note(f)[1])


def test_an_example_gets_three_notes_in_order():
    f = facts(source="example", src=7995, src_label=3, src_elbo=120.0)
    out = oc.notes(f)
    assert out == [oc.score_note(f), oc.neighbours_note(f)[1], oc.source_note(f)[1]]


# --- premise sweep: the bundled examples under vae-2d, numbers as the page computes them


def test_premise_sweep_over_the_examples():
    """Each bundled example under vae-2d: every branch the notices take is checked against the
    numbers recounted here (shares of test digits, the ink-matched set, the neighbours' digits,
    the radius against the prior's 99 % circle, the example's own test digit)."""
    from ui.lessons.own_digit import computed
    from ui.page import loaders, model_calls
    from vae import artefacts, neighbours, pixels

    name = "vae-2d"
    if not artefacts.codes_path(name).exists() or not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    model, codes = loaders.model(name), loaders.codes(name)
    labels = loaders.test_set()[1]
    test_elbo = computed.test_scores(model_calls.model_key(name))[0]
    test_ink = pixels.ink(loaders.test_images_float())
    for stem, path in sorted(preprocess.example_paths().items()):
        x = np.array(preprocess.read_picture(path.read_bytes())[1], dtype=np.float32)
        src = preprocess.example_source(path)
        t = arrays.image_terms(model, x)
        elbo, kl, mu = float(t["elbo"][0]), float(t["kl"][0]), t["mu"][0]
        n, pct_ink = computed.ink_percentile(test_elbo, x, elbo)
        near = neighbours.nearest(codes["mu"], mu, 5)[1][0]
        f = facts(
            source="example",
            elbo=elbo,
            kl=kl,
            pct=round(ood.percentile_of(test_elbo, elbo), 1),
            pct_ink=pct_ink,
            n_matched=n,
            near=tuple(int(i) for i in near),
            near_labels=tuple(int(k) for k in labels[near]),
            src=src,
            src_label=int(labels[src]) if src is not None else None,
            src_elbo=float(test_elbo[src]) if src is not None else None,
            radius=float(np.sqrt(float((mu**2).sum()))),
            inside=bool((mu**2).sum() <= CIRCLE**2),
        )
        lower = 100 * float(np.mean(test_elbo <= elbo))  # the share, recounted
        ink = float(pixels.ink(x[None])[0])
        matched = np.flatnonzero(np.abs(test_ink - ink) <= ood.INK_BAND * max(ink, 1e-9))
        assert abs(lower - f.pct) <= 0.05 + 1e-9 and n == len(matched), stem
        lower_ink = 100 * float(np.mean(test_elbo[matched] <= elbo)) if len(matched) else None
        branch = oc.verdict(f)[0]
        if branch == "far tail":
            assert lower >= oc.FAR_TAIL - 0.05, stem
        elif branch == "ink":
            assert len(matched) >= ood.MIN_MATCHED and lower_ink >= oc.INK_SURPRISE, stem
        elif branch == "low":
            assert lower <= oc.LOW + 0.05, stem
        else:
            assert oc.LOW - 0.05 < lower < oc.FAR_TAIL + 0.05, stem
        top, count = oc.top_digit(f)
        assert count == int(np.sum(labels[near] == top)) == max(np.bincount(labels[near])), stem
        branch, text = oc.neighbours_note(f)
        if src is not None:
            assert (branch == "agrees") == (top == labels[src] and count >= oc.AGREES), stem
            where = oc.source_note(f)
            assert where[0] == ("more" if elbo > test_elbo[src] else "fewer"), stem
            assert ("that very digit" in where[1]) == (near[0] == src), stem
        assert ("inside the circle" in text) == (float(np.linalg.norm(mu)) <= CIRCLE), stem


@pytest.mark.parametrize(
    "pcts, hidden", [([99.5, 100.0, 99.9], False), ([99.5, 0.0, 100.0], True), ([98.9], True)]
)
def test_probes_note_says_the_score_fails_only_when_a_non_digit_hides_among_the_digits(
    pcts, hidden
):
    text = oc.probes_note(pcts)
    assert ("does not tell a digit from a non-digit" in text) == hidden
    if hidden:
        assert text.startswith(f"{sum(p < oc.FAR_TAIL for p in pcts)} of these {len(pcts)}")


def test_probes_note_premise_for_every_offered_model():
    """For every VAE the page offers, the probes' shares as the page computes them: the note says
    the score fails exactly when one of them scores no worse than the far tail of test digits."""
    from ui.lessons.own_digit import computed
    from ui.page import links, model_calls

    vaes = links.model_choices(lambda e: e.model.kind == "vae", prefer="vae-2d")[1]
    for name in vaes:
        if not artefacts_built(name):
            continue
        test_elbo = computed.test_scores(model_calls.model_key(name))[0]
        _, probe_elbo = computed.probe_row(model_calls.model_key(name))
        pcts = [ood.percentile_of(test_elbo, float(v)) for v in probe_elbo]
        lower = [100 * float(np.mean(test_elbo <= float(v))) for v in probe_elbo]  # recounted
        text = oc.probes_note(pcts)
        assert ("does not tell" in text) == any(p < oc.FAR_TAIL for p in lower), name


def artefacts_built(name: str) -> bool:
    from vae import artefacts

    return artefacts.codes_path(name).exists() and artefacts.checkpoint_path(name).exists()
