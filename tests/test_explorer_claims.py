"""The Latent explorer's words and pad box (ui.lessons.explorer.claims): one test per branch on
synthetic
codes, and a premise sweep over every model the page offers, its codes from cache/ (fast tier)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from ui.lessons.explorer import claims as C
from ui.lessons.words import a_digit
from ui.page import links
from vae import artefacts, zoo

OFFERED = [
    n for n in zoo.names() if zoo.entry(n).model.kind == "vae" or n == "ae-2d"
]  # the page's filter
PRIOR_WORDS = ("prior", "KL", "posterior", "p(z", "mathcal{N}")


def test_autoencoder_words_name_no_prior_kl_or_posterior():
    w = C.wording(True)
    for text in (w.origin, w.code_of, w.pad_title, w.formula):
        assert not any(p in text for p in PRIOR_WORDS), text
    assert "no prior" in w.decoder_note and "no KL term" in w.decoder_note  # said only as absent


def test_vae_words_keep_the_prior():
    w = C.wording(False)
    assert (
        "centre of the prior" in w.origin
        and "posterior mean" in w.code_of
        and "KL term" in w.decoder_note
    )


def test_pad_note_all_codes_on_the_map():
    mu = np.array([[0.0, 1.0], [-3.9, 3.9]])
    f = C.pad_facts(mu, np.array([1, 2]), C.pad_half(mu))
    assert f.half == 4.0 and sum(f.outside) == 0
    assert C.pad_note(f).endswith("all 2 test codes are on it.")


def test_pad_note_names_what_is_left_out():
    mu = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, -6.0], [9.0, 9.0]])
    f = C.pad_facts(mu, np.array([0, 1, 1, 7]), 4.0)
    assert f.outside[1] == 2 and f.outside[7] == 1
    assert "3 of the 4 test codes (75 %) lie beyond it" in C.pad_note(
        f
    ) and "digits 1, 7," in C.pad_note(f)


def test_pad_half_grows_with_the_codes_and_keeps_most_of_them():
    rng = np.random.default_rng(0)
    mu = rng.standard_normal((10_000, 2)) * 10
    half = C.pad_half(mu)
    assert half > 4 and half == np.ceil(half)
    assert np.mean(np.abs(mu).max(axis=1) <= half) >= C.KEEP - 0.001


@pytest.mark.parametrize("name", OFFERED)
def test_premises_on_every_offered_model(name):
    """Each model's words match its kind; a 2-D model's pad shows at least KEEP of its codes and
    at least one of every digit the legend lists; the note's count is the real one."""
    path = artefacts.codes_path(name)
    if not path.exists():
        pytest.skip(f"{name} not in cache/")
    mu = np.load(path)["mu"].astype(np.float64)
    is_ae = zoo.entry(name).model.kind == "ae"
    w = C.wording(is_ae)
    assert ("prior" in w.origin) == (not is_ae)
    if mu.shape[1] != 2:
        return
    labels = np.load(artefacts.test_set_path())["labels"]
    half = C.pad_half(mu)
    inside = np.abs(mu).max(axis=1) <= half
    assert inside.mean() >= C.KEEP - 1e-3, (name, half)
    assert set(labels[inside]) == set(range(10)), (
        name
    )  # the legend lists every digit: each is drawn
    note = C.pad_note(C.pad_facts(mu, labels, half))
    lost = int((~inside).sum())
    if lost:
        assert re.search(rf"\b{lost:,} of the {len(mu):,} test codes", note), note
    else:
        assert "all" in note


# --- the notices on the code set by hand (claims.notices), one test per branch ----------------


def facts(dist: float = 0.1, gap: float = 0.1, n: int = 8, d: int = 2, is_ae: bool = False):
    return C.CodeFacts(
        n_codes=10_000,
        nearest=42,
        nearest_label=3,
        dist=dist,
        gap=gap,
        top=3,
        top_share=0.9,
        n=n,
        norm_min=0.25,
        norm_max=2.5,
        d=d,
        typical=1.25,
        is_ae=is_ae,
    )


def test_code_among_the_data():
    f = facts(dist=0.15, gap=0.1)
    assert C.ratio(f) < C.NEAR
    first = C.notices(f)[0]
    assert "#42, a **3**, 0.15 away: **1.5×**" in first and first.endswith("was trained.")


def test_code_in_a_gap():
    f = facts(dist=0.3, gap=0.1)
    assert C.NEAR <= C.ratio(f) < C.GAP
    assert "**3.0×**" in C.notices(f)[0] and "in a gap between the codes" in C.notices(f)[0]


def test_code_far_from_every_test_code():
    f = facts(dist=0.8, gap=0.1)
    assert C.ratio(f) >= C.GAP
    assert "**8.0×**" in C.notices(f)[0] and "the decoder is guessing" in C.notices(f)[0]


def test_a_zero_gap_is_far_not_a_division_by_zero():
    f = facts(dist=0.1, gap=0.0)
    assert C.ratio(f) == float("inf") and "decoder is guessing" in C.notices(f)[0]


def test_neighbours_share():
    f = facts()
    assert f.top_share == 0.9 and "90% are 3s" in C.notices(f)[1]


def test_several_random_codes_give_their_norm_range_and_a_2d_vae_says_no_more():
    f = facts(n=8, d=2)
    assert f.n > 1 and f.d == 2 and not f.is_ae
    third = C.notices(f)[2]
    assert "The 8 random codes have norms from 0.25 to 2.50; in 2 dimensions" in third
    assert third.endswith("1.25 from the origin on average.")


def test_one_random_code_gives_its_norm():
    f = facts(n=1)
    assert f.n == 1
    assert "The 1 random code has norm 0.25;" in C.notices(f)[2]


def test_a_vae_with_more_than_two_dimensions_is_told_the_origin_is_not_where_codes_land():
    f = C.CodeFacts(**{**facts(d=10).__dict__, "norm_min": 2.0, "typical": 3.08})  # 10-D draws
    assert f.d > 2 and not f.is_ae and f.norm_min >= C.ORIGIN * f.typical
    assert C.notices(f)[2].endswith("the origin itself is not where random codes land.")


def test_an_autoencoder_is_told_it_has_no_prior():
    f = facts(d=2, is_ae=True)
    assert f.is_ae
    assert "An autoencoder has no prior" in C.notices(f)[2]


def test_code_facts_count_from_the_codes():
    rng = np.random.default_rng(1)
    mu = rng.standard_normal((500, 3))
    labels = rng.integers(0, 10, 500)
    z = np.array([0.1, -0.2, 0.3])
    zs = rng.standard_normal((5, 3))
    f = C.code_facts(mu, labels, z, zs, 0.2, False)
    dist = np.linalg.norm(mu - z, axis=1)
    assert f.nearest == int(dist.argmin()) and np.isclose(f.dist, dist.min())
    assert f.nearest_label == labels[f.nearest] and f.n_codes == 500 and f.d == 3
    near50 = labels[np.argsort(dist)[:50]]
    assert np.isclose(f.top_share, np.mean(near50 == f.top))
    assert np.isclose(f.top_share, np.bincount(near50).max() / 50)
    norms = np.linalg.norm(zs, axis=1)
    assert (f.n, f.norm_min, f.norm_max) == (5, norms.min(), norms.max())


def test_a_random_code_near_the_origin_is_called_an_exception():
    f = C.CodeFacts(**{**facts(d=3).__dict__, "norm_min": 0.2, "typical": 1.6})
    assert f.d > 2 and f.norm_min < C.ORIGIN * f.typical
    third = C.notices(f)[2]
    assert "0.20 from the origin, is a rare exception" in third
    assert "the origin itself is not where random codes land" not in third


# --- premise sweep: every offered model x every control value -------------------------------

STARTS = ("origin", "prototype", "random")
SEEDS = (0, 1, links.SEED_MAX // 2, links.SEED_MAX)  # the seed boxes' 0, 1, middle and maximum
N_SAMPLES = range(1, 17)  # the "How many samples" slider, every value


def _settings(d: int):
    """Every control value of the explorer: each start (origin, every digit's prototype, a random
    test code by each sample seed), each sample count and seed; the notices on the code depend on
    the start only and those on the random codes on (n, seed) only, so the two run side by side
    and every value of each is met. A 2-D model also gets its pad's clicks on a grid over the
    sliders' range and beyond (an AE's codes reach far past it)."""
    starts = [("origin", 0, 0)]
    starts += [("prototype", k, 0) for k in range(10)]
    starts += [("random", 0, s) for s in SEEDS]
    draws = [(n, s) for n in N_SAMPLES for s in SEEDS]
    for i in range(max(len(starts), len(draws))):
        yield starts[i % len(starts)], draws[i % len(draws)]


def _check_notices(f: C.CodeFacts, mu, labels, z, zs, is_ae: bool) -> None:
    """Each notice's premise from the numbers, recomputed here with numpy and scipy."""
    from scipy import stats

    text = C.notices(f)
    for t in text:
        assert not re.search(r"nan|inf|e\+", t), t
    dist = np.linalg.norm(mu - z, axis=1)
    order = np.argsort(dist, kind="stable")
    assert np.isclose(f.dist, dist.min()) and np.isclose(dist[f.nearest], dist.min())
    assert f.nearest_label == labels[f.nearest]
    r = f.dist / f.gap
    if "among the data" in text[0]:
        assert r < C.NEAR
    elif "in a gap between the codes" in text[0]:
        assert C.NEAR <= r < C.GAP
    else:
        assert "decoder is guessing" in text[0] and r >= C.GAP
    near50 = np.bincount(labels[order[:50]], minlength=10)
    assert near50[f.top] == near50.max() and np.isclose(f.top_share, near50.max() / 50)
    norms = np.linalg.norm(zs, axis=1)
    assert (f.n, f.norm_min, f.norm_max) == (len(zs), norms.min(), norms.max())
    assert np.isclose(f.typical, stats.chi(f.d).mean())  # a draw's mean distance from the origin
    if is_ae:
        assert "An autoencoder has no prior" in text[2]
    elif f.d > 2:
        if "not where random codes land" in text[2]:
            assert norms.min() >= C.ORIGIN * f.typical
        else:  # a draw this close to the origin is rare under N(0, I_d)
            assert "rare exception" in text[2] and stats.chi(f.d).cdf(norms.min()) < 0.05
    else:
        assert text[2].endswith("from the origin on average.")
    if is_ae:
        assert not any(p in t for t in text[:2] for p in PRIOR_WORDS)


@pytest.mark.parametrize("name", OFFERED)
def test_notices_sweep_every_start_sample_count_and_seed(name):
    """The page's own computation (codepad.start_point on session state, the sliders' rounding or
    the exact code past them, prior.samples, model_facts.code_scale, claims.code_facts) for every
    start, digit, code seed, sample count and sample seed; each notice's premise checked."""
    if not artefacts.codes_path(name).exists():
        pytest.skip(f"{name} not in cache/")
    import streamlit as st

    from ui.draw.style import SLIDER_RANGE, SLIDER_STEP
    from ui.lessons.explorer import codepad
    from ui.lessons.model_facts import code_scale
    from ui.page import loaders
    from ui.page.link_values import to_slider
    from vae import prior

    mu = loaders.codes(name)["mu"]
    labels = loaders.test_set()[1]
    mu64 = np.asarray(mu, dtype=np.float64)
    d, is_ae = mu.shape[1], zoo.entry(name).model.kind == "ae"
    say = C.wording(is_ae)
    gap = code_scale(name)[0]
    ss = st.session_state
    for (start, digit, code_seed), (n, seed) in _settings(d):
        ss["lex_start"], ss["lex_start_digit"], ss["lex_code_seed"] = start, digit, code_seed
        z0, caption = codepad.start_point(mu, labels, say)
        if start == "prototype":  # the mean code of the digit's test images
            assert np.allclose(z0, mu64[labels == digit].mean(axis=0))
        elif start == "random":
            i = int(re.search(r"#(\d+), an? (\d)", caption)[1])
            assert np.array_equal(z0, mu64[i]) and f", {a_digit(labels[i])}" in caption
        else:
            assert not z0.any()
        assert ("posterior" in caption or "prior" in caption) == (
            not is_ae and start != "prototype"
        )
        z = (
            z0
            if np.abs(z0).max() > SLIDER_RANGE[1]
            else np.array(to_slider(z0, *SLIDER_RANGE, SLIDER_STEP))
        )
        zs = prior.samples(n, d, seed)
        _check_notices(C.code_facts(mu, labels, z, zs, gap, is_ae), mu64, labels, z, zs, is_ae)
    if d == 2:  # clicks on the pad: a grid over its whole box
        half = codepad.pad_box(name)[0]
        zs = prior.samples(N_SAMPLES[-1], d, SEEDS[-1])
        for x in np.linspace(-half, half, 9):
            for y in np.linspace(-half, half, 9):
                z = np.array([x, y])
                _check_notices(
                    C.code_facts(mu, labels, z, zs, gap, is_ae), mu64, labels, z, zs, is_ae
                )


def test_small_distances_keep_three_figures_and_an_eight_its_article():
    """0.0123 away at 0.7x a gap of 0.0176: two decimals said "0.01 away: 0.7x the typical gap
    (0.01)", a ratio the student could not check; and "a 8" read wrong."""
    f = dataclasses.replace(facts(dist=0.0123, gap=0.0176), nearest_label=8)
    first = C.notices(f)[0]
    assert (
        "an **8**, 0.0123 away: **0.7×** the typical gap between neighbouring test codes " in first
    )
    assert "(0.0176)" in first
