"""The ELBO lesson's sentences (ui.lessons.elbo.claims): one test per branch on synthetic numbers,
and a
premise sweep over the models the page offers with numbers computed from cache/ (fast tier)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ui.lessons.elbo import claims as C
from vae import zoo
from vae.likelihood import group_stats

MODELS = [
    n
    for n in zoo.names()
    if zoo.entry(n).model.kind == "vae"
    and zoo.entry(n).model.latent_dim == 2
    and zoo.entry(n).model.beta > 0
]


def test_group_stats_mean_and_standard_error():
    m, se = group_stats(np.array([1.0, 3.0]))
    assert m == -2.0 and se == pytest.approx(1.0)
    assert math.isnan(group_stats(np.array([4.0]))[1])


def test_refine_caveat_absent_when_the_path_reaches_the_best():
    assert C.refine_caveat(C.RefineFacts((-100.0, -99.0, -98.98), -98.95)) is None


def test_refine_caveat_says_the_schedule_ended_and_it_was_still_climbing():
    path = tuple(-110.0 + np.linspace(0, 5, 61))  # +0.83 nats over the last 10 steps
    text = C.refine_caveat(C.RefineFacts(path, -101.0))
    assert "learning-rate schedule" in text and "reaches 0" in text and "local optimum" not in text
    assert "still climbing" in text and "+0.83 nats" in text and "after 60 steps" in text


def test_refine_caveat_flat_tail_says_nothing_about_more_steps():
    path = tuple([-110.0] * 50 + [-105.0] * 11)
    text = C.refine_caveat(C.RefineFacts(path, -101.0))
    assert "+0.00 nats" in text and "does not show that more steps would gain nothing" in text
    assert "still climbing" not in text


def test_grid_sentence_meets_and_misses_the_target():
    ok = C.grid_sentence(C.GridFacts(0.01, 0.05, 0.03, 2.5))
    assert "q's standard deviation, 0.0300" in ok and "3.0 cells" in ok and "at least the 2.5" in ok
    short = C.grid_sentence(C.GridFacts(0.04, 0.04, 0.12, 2.5))
    assert (
        "the posterior's standard deviation" in short
        and "1.0 cells" in short
        and "fewer than" in short
    )


def test_bound_sentence_calls_a_gain_within_noise_noise():
    f = C.BoundFacts(1, -123.25, 0.23, 2000, -123.41, -115.36, 0.006)  # the issue's +0.16 at k = 1
    text = C.bound_sentence(f)
    assert not C.above_elbo(f) and "+0.16 from the ELBO, which is within its noise" in text
    assert "± 0.23" in text and "7.89 below log p(x)" in text


def test_bound_sentence_real_gain_and_level_with_log_px():
    f = C.BoundFacts(1000, -115.33, 0.02, 2, -123.41, -115.36, 0.006)
    text = C.bound_sentence(f)
    assert C.above_elbo(f) and not C.below_px(f)
    assert "+8.08 from the ELBO, level" in text and "within its noise: 0.03 above it" in text
    assert "its expected value never is" in text  # one estimate above log p(x), said as such
    below = C.bound_sentence(C.BoundFacts(1000, -115.362, 0.02, 2, -123.41, -115.36, 0.006))
    assert "level with log p(x) within its noise (less than 0.01 below it)." in below


def test_bound_sentence_one_group_claims_nothing_real():
    f = C.BoundFacts(2000, -100.0, float("nan"), 1, -105.0, -99.0, 0.0)
    assert not C.above_elbo(f) and not C.below_px(f) and "no error estimate" in C.bound_sentence(f)


def test_premises_on_every_offered_model():
    """Every 2-D VAE the page offers, its default image, every k: the ELBO by quadrature on q's own
    grid, the bound's mean and error from the page's own function; a gain is called real only
    beyond two standard errors, and at k = 1 (an unbiased ELBO estimate) never."""
    from ui.lessons.elbo import computed as elbo
    from ui.page import loaders, model_calls
    from vae import bound

    built = [n for n in MODELS if loaders.built(n)]
    if not built:
        pytest.skip("no 2-D VAE in cache/")
    x = np.asarray(loaders.test_images_float()[0], dtype=np.float64)
    for name in built:
        c = loaders.codes(name)
        q = bound.q_elbo(loaders.model(name), x, c["mu"][0], c["logvar"][0])
        stats = elbo.iwae_stats(model_calls.model_key(name), 0)
        for k in elbo.KS:
            f = C.BoundFacts(
                k, *stats[k], q, q + 1e6, 0.0
            )  # log p(x) far above: only the gain is tested
            text = C.bound_sentence(f)
            assert f.groups == elbo.POOL // k
            if "within its noise: no gain" in text:
                assert abs(f.value - q) <= C.NOISE_SES * f.se or not np.isfinite(f.se), (
                    name,
                    k,
                    text,
                )
            else:
                assert f.value - q > C.NOISE_SES * f.se, (name, k, text)
        assert not C.above_elbo(C.BoundFacts(1, *stats[1], q, q + 1e6, 0.0)), name


def test_exact_premises_on_the_default_and_the_extreme_model():
    """vae-2d and the largest beta, the default image: the refinement caveat and the grid sentence
    from ui.lessons.elbo.computed.exact's own numbers."""
    from ui.lessons.elbo import computed as elbo
    from ui.page import loaders, model_calls
    from vae import bound

    for name in [n for n in ("vae-2d", MODELS[-1]) if loaders.built(n)]:
        b = elbo.exact(model_calls.model_key(name), 0)
        g = b.gap
        if b.path_elbo is not None:
            text = C.refine_caveat(C.RefineFacts(tuple(b.path_elbo), g.elbo_best))
            assert (text is None) == (b.path_elbo.max() >= g.elbo_best - 0.05), name
        cell = max(b.grid.xs[1] - b.grid.xs[0], b.grid.ys[1] - b.grid.ys[0])
        sd_post = float(bound.moments(b.grid.points(), b.post.ravel())[1].min())
        sd_q = float(np.exp(0.5 * loaders.codes(name)["logvar"][0]).min())
        text = C.grid_sentence(C.GridFacts(cell, sd_post, sd_q, bound.STEPS_PER_SD))
        assert ("at least the" in text) == (
            min(sd_post, sd_q) / cell >= bound.STEPS_PER_SD - 1e-9
        ), name
        top = C.BoundFacts(1000, 0.0, float("nan"), 1, g.elbo, g.log_px, g.accuracy)
        f = C.GapFacts(g.log_px, g.log_px_half, g.elbo, g.elbo_best, top)
        assert (f.gap, f.amortization, f.approximation) == (
            g.gap,
            g.amortization,
            g.approximation,
        ), name  # the page's numbers, not a second computation of them
        assert (C.gap_note(f)[0] == "real") == (g.log_px - g.elbo > 2 * g.accuracy + 0.01), name


# --- "what to notice" (C.GapFacts), one test per branch on synthetic numbers


def gap_facts(log_px=-100.0, elbo=-104.0, elbo_best=-100.5, accuracy=0.01, **top) -> C.GapFacts:
    """By default a real 4-nat gap, mostly amortization, the bound at k = 1,000 closing most of it
    (above the ELBO and below log p(x) by far more than its noise)."""
    t = dict(k=1000, value=-101.0, se=0.02, groups=2, elbo=elbo, log_px=log_px, accuracy=accuracy)
    return C.GapFacts(log_px, log_px - accuracy, elbo, elbo_best, C.BoundFacts(**{**t, **top}))


def test_parts_add_up_to_the_gap():
    f = gap_facts()
    assert f.gap == pytest.approx(f.amortization + f.approximation) and f.gap == 4.0


def test_a_real_gap_with_its_share_of_minus_log_px():
    f = gap_facts()
    branch, text = C.gap_note(f)
    assert branch == "real" and C.real_gap(f) and f.gap > 2 * f.accuracy + 0.01
    assert text.startswith("The ELBO misses log p(x) by **4.00 nats** (4.0% of −log p(x))")


def test_a_gap_within_the_grids_accuracy_says_so_and_nothing_more():
    f = gap_facts(elbo=-100.02, elbo_best=-100.01, accuracy=0.01, value=-100.0)
    branch, text = C.gap_note(f)
    assert branch == "within" and not C.real_gap(f) and f.gap <= 2 * f.accuracy + 0.01
    assert "within 0.02 nats of log p(x), about the grid's accuracy (0.010)" in text
    assert C.parts_note(f) is None and C.closing_note(f) is None and C.notes(f) == [text]


def test_mostly_amortization():
    f = gap_facts()
    branch, text = C.parts_note(f)
    assert branch == "amortization" and f.amortization > f.approximation
    assert text.startswith("**88% of the gap is amortization**")
    assert "gets within 0.50 nats of log p(x)." in text


def test_mostly_approximation():
    f = gap_facts(elbo_best=-103.0)
    branch, text = C.parts_note(f)
    assert branch == "approximation" and f.approximation >= f.amortization
    assert text.startswith("Most of the gap (3.00 of 4.00 nats) is approximation")


def test_importance_sampling_closes_part_of_the_gap():
    f = gap_facts()
    branch, text = C.closing_note(f)
    assert branch == "part" and C.above_elbo(f.top) and C.below_px(f.top)
    assert (f.top.value - f.elbo) / f.gap == pytest.approx(0.75)
    assert text.startswith("Importance sampling with k = 1,000 samples closes 75% of the gap")


def test_importance_sampling_closes_the_gap_within_its_noise():
    f = gap_facts(value=-100.01)
    branch, text = C.closing_note(f)
    assert branch == "all" and C.above_elbo(f.top) and not C.below_px(f.top)
    assert "closes the gap, within the estimate's noise, without changing" in text


def test_a_bound_not_above_the_elbo_claims_no_closing():
    f = gap_facts(value=-103.99, se=0.5)
    assert C.real_gap(f) and not C.above_elbo(f.top) and C.closing_note(f) is None
    assert len(C.notes(f)) == 2


def test_notes_in_order():
    f = gap_facts()
    assert C.notes(f) == [C.gap_note(f)[1], C.parts_note(f)[1], C.closing_note(f)[1]]


# --- premise sweep: every offered model, every k, every notice, as the page computes them ------

BAD = ("nan", "inf", "e+")  # what no shown sentence may contain


def _sweep_image(name: str, idx: int) -> None:
    """One model and image: the page's numbers (ui.lessons.elbo.computed.exact and iwae_stats), the
    bound sentence at every k of the slider, the grid sentence, the refinement caveat and the
    notes; each branch shown checked against the numbers, no "nan", "inf" or "e+"."""
    from ui.lessons.elbo import computed as elbo
    from ui.page import loaders, model_calls
    from vae import bound

    key = model_calls.model_key(name)
    b, stats = elbo.exact(key, idx), elbo.iwae_stats(key, idx)
    g = b.gap
    shown = []
    for k in elbo.KS:
        f = C.BoundFacts(k, *stats[k], g.elbo, g.log_px, g.accuracy)
        text = C.bound_sentence(f)
        shown.append(text)
        noise = C.NOISE_SES * (f.se if np.isfinite(f.se) else np.inf) + g.accuracy
        assert ("within its noise: no gain" in text) == (not f.value - g.elbo > noise), (name, k)
        assert ("level with log p(x)" in text) == (not g.log_px - f.value > noise), (name, k)
        assert f.groups == elbo.POOL // k
    assert "within its noise: no gain" in shown[0]  # k = 1: an unbiased ELBO estimate
    top = C.BoundFacts(elbo.KS[-1], *stats[elbo.KS[-1]], g.elbo, g.log_px, g.accuracy)
    gf = C.GapFacts(g.log_px, g.log_px_half, g.elbo, g.elbo_best, top)
    real = g.log_px - g.elbo > C.REAL_GAP_GRIDS * g.accuracy + C.REAL_GAP_NATS
    assert (C.gap_note(gf)[0] == "real") == real
    parts = C.parts_note(gf)
    if parts is not None:
        assert real and (parts[0] == "amortization") == (g.amortization > g.approximation)
    closing = C.closing_note(gf)
    if closing is not None:
        assert real and top.value - g.elbo > C.NOISE_SES * top.se + g.accuracy
        assert (closing[0] == "part") == (g.log_px - top.value > C.NOISE_SES * top.se + g.accuracy)
        if closing[0] == "part":
            share = (top.value - g.elbo) / (g.log_px - g.elbo)
            assert f"closes {share:.0%} of the gap" in closing[1]
    shown += C.notes(gf)
    if b.path_elbo is not None:
        caveat = C.refine_caveat(C.RefineFacts(tuple(b.path_elbo), g.elbo_best))
        assert (caveat is None) == (b.path_elbo.max() >= g.elbo_best - 0.05), name
        if caveat is not None:
            shown.append(caveat)
            assert len(b.path_elbo) == bound.REFINE_STEPS + 1
            tail = b.path_elbo[-1] - b.path_elbo[-1 - C.TAIL]
            assert ("still climbing" in caveat) == (tail > 0.01)
    cell = max(b.grid.xs[1] - b.grid.xs[0], b.grid.ys[1] - b.grid.ys[0])
    sd_post = float(bound.moments(b.grid.points(), b.post.ravel())[1].min())
    sd_q = float(np.exp(0.5 * np.asarray(loaders.codes(name)["logvar"][idx], np.float64)).min())
    grid = C.grid_sentence(C.GridFacts(cell, sd_post, sd_q, bound.STEPS_PER_SD))
    assert ("at least the" in grid) == (min(sd_post, sd_q) / cell >= bound.STEPS_PER_SD - 1e-9)
    assert ("the posterior's standard deviation" in grid) == (sd_post <= sd_q)
    shown.append(grid)
    for t in shown:
        assert not any(x in t.lower() for x in BAD), (name, idx, t)


def test_every_offered_model_every_k_at_the_default_image():
    """Every 2-D VAE the page offers (beta 0.1 .. 10), the page's default image (#0), every k."""
    from ui.page import loaders

    built = [n for n in MODELS if loaders.built(n)]
    if not built:
        pytest.skip("no 2-D VAE in cache/")
    for name in built:
        _sweep_image(name, 0)


@pytest.mark.slow
def test_every_offered_model_every_featured_and_sampled_image():
    """Every model, every featured image and the index box's first, middle and last."""
    from ui.lessons.elbo.computed import FEATURED
    from ui.page import loaders

    built = [n for n in MODELS if loaders.built(n)]
    if not built:
        pytest.skip("no 2-D VAE in cache/")
    for name in built:
        for idx in (*FEATURED, 1, 5000, 9999):
            _sweep_image(name, idx)
