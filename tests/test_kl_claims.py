"""Fast tier: KL weighting's notices (``ui.lessons.kl.claims``), one test per branch on synthetic
numbers, each asserting the branch's premise from the numbers as well as its words; then a
premise sweep over the built 2-D ladder and two seeds, the facts recomputed here from cache/ with
vae/ alone."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from ui.lessons.kl import claims as kc
from ui.page import links
from vae import artefacts, latent, zoo

SPREAD = kc.Spread(1.30, 1.30, 0.004)
DRAWS = kc.Draws(0.9, 0.9, 0.05, 0.05)
RD = kc.RateDistortion(140.0, 6.0, 140.0, 6.0)


def facts(beta: float = 2.0, **kw) -> kc.KlFacts:
    return dataclasses.replace(kc.KlFacts(beta, 4.0, SPREAD, DRAWS, RD), **kw)


def spread(beta: float = 2.0, **kw) -> kc.KlFacts:
    return facts(beta, spread=dataclasses.replace(SPREAD, **kw))


def draws(beta: float = 2.0, **kw) -> kc.KlFacts:
    return facts(beta, draws=dataclasses.replace(DRAWS, **kw))


def rate(beta: float = 2.0, **kw) -> kc.KlFacts:
    return facts(beta, rd=dataclasses.replace(RD, **kw))


# --- the codes' spread -------------------------------------------------------------------------


def test_spread_at_beta_1_compares_with_the_prior_only():
    f = spread(1.0, rms=1.38, rms_1=1.38, outside=0.004)
    branch, text = kc.spread_note(f)
    assert branch == "β = 1" and "(β = 1:" not in text
    assert abs(f.spread.rms - np.sqrt(2)) < kc.NEAR_PRIOR and "**1.38**, close to the prior" in text
    assert "0.4 % lie off the ±4 axes" in text or "<1 % lie off the ±4 axes" in text


def test_spread_further_out():
    f = spread(0.1, rms=2.9, rms_1=1.38)
    branch, text = kc.spread_note(f)
    assert f.spread.rms > 1.05 * f.spread.rms_1
    assert branch == "further" and "they spread further out" in text and "(β = 1: 1.38;" in text
    assert f.spread.rms > np.sqrt(2) + kc.NEAR_PRIOR and "above the prior" in text


def test_spread_squeezed():
    f = spread(10.0, rms=0.6, rms_1=1.38)
    branch, text = kc.spread_note(f)
    assert f.spread.rms < 0.95 * f.spread.rms_1
    assert branch == "squeezed" and "squeezed toward the origin" in text
    assert f.spread.rms < np.sqrt(2) - kc.NEAR_PRIOR and "below the prior" in text


def test_spread_about_the_same():
    f = spread(2.0, rms=1.40, rms_1=1.38)
    branch, text = kc.spread_note(f)
    assert abs(f.spread.rms - f.spread.rms_1) <= 0.05 * f.spread.rms_1
    assert branch == "same" and "about as spread out" in text


def test_spread_left_out_without_its_models():
    assert kc.spread_note(facts(spread=None)) is None


# --- the draws ----------------------------------------------------------------------------------


def test_draws_at_beta_1_state_the_promise():
    branch, text = kc.draws_note(draws(1.0, gaps=0.9, tv=0.03))
    assert branch == "β = 1" and "the VAE's promise" in text and "(β = 1:" not in text
    assert "**0.9** typical gaps" in text and "**3 %** off" in text


def test_draws_among_the_wrong_digits():
    f = draws(0.1, gaps=0.8, gaps_1=0.9, tv=0.20, tv_1=0.05)
    branch, text = kc.draws_note(f)
    d = f.draws
    assert d.tv > d.tv_1 + kc.MIX_DIFF and d.gaps <= d.gaps_1 + kc.GAP_DIFF
    assert branch == "wrong digits" and "do not fall into holes" in text


def test_draws_further_and_in_a_worse_mix():
    f = draws(10.0, gaps=1.6, gaps_1=0.9, tv=0.20, tv_1=0.05)
    branch, text = kc.draws_note(f)
    d = f.draws
    assert d.tv > d.tv_1 + kc.MIX_DIFF and d.gaps > d.gaps_1 + kc.GAP_DIFF
    assert branch == "worse" and "in a worse mix" in text


@pytest.mark.parametrize(
    "tv, gaps, branch, words",
    [
        (0.02, 1.6, "better further", "The mix is better than at β = 1, though the draws land"),
        (0.02, 0.5, "better closer", "The mix is better than at β = 1, and the draws land closer"),
        (0.02, 0.95, "better same", "The mix is better than at β = 1."),
        (0.06, 1.6, "as good further", "about as good as at β = 1, though the draws land further"),
        (0.06, 0.5, "as good closer", "about as good as at β = 1, and the draws land closer"),
        (0.06, 0.95, "as good same", "The mix is about as good as at β = 1."),
    ],
)
def test_draws_mix_no_worse(tv, gaps, branch, words):
    """Each pair of (mix, distance) branches, the premise of both halves checked."""
    f = draws(5.0, gaps=gaps, gaps_1=0.9, tv=tv, tv_1=0.05)
    got, text = kc.draws_note(f)
    assert got == branch and words in text
    d = f.draws
    assert (d.tv < d.tv_1 - kc.MIX_DIFF) == branch.startswith("better")
    assert abs(d.tv - d.tv_1) <= kc.MIX_DIFF or branch.startswith("better")
    if branch.endswith("further"):
        assert d.gaps > d.gaps_1 + kc.GAP_DIFF
    elif branch.endswith("closer"):
        assert d.gaps < d.gaps_1 - kc.GAP_DIFF
    else:
        assert abs(d.gaps - d.gaps_1) <= kc.GAP_DIFF


def test_draws_left_out_without_their_models():
    assert kc.draws_note(facts(draws=None)) is None


# --- rate and distortion ------------------------------------------------------------------------


def test_rate_at_beta_1_points_to_the_trade():
    branch, text = kc.rate_note(rate(1.0, recon=140.0, kl=6.0))
    assert branch == "β = 1" and "move β to see the trade" in text and "against β = 1" not in text
    assert "**140.0** nats and KL **6.00**" in text


def test_rate_less_rate_more_distortion():
    f = rate(5.0, recon=160.0, kl=3.0)
    branch, text = kc.rate_note(f)
    assert f.rd.kl < f.rd.kl_1 and f.rd.recon > f.rd.recon_1
    assert branch == "less rate" and "less rate, more distortion" in text
    assert "(+20.0 and -3.00 against β = 1)" in text


def test_rate_more_rate_less_distortion():
    f = rate(0.5, recon=130.0, kl=8.0)
    branch, text = kc.rate_note(f)
    assert f.rd.kl > f.rd.kl_1 and f.rd.recon < f.rd.recon_1
    assert branch == "more rate" and "more rate, less distortion" in text


@pytest.mark.parametrize("recon, kl", [(130.0, 5.0), (150.0, 7.0), (140.0, 6.0)])
def test_rate_both_move_the_same_way(recon, kl):
    f = rate(0.1, recon=recon, kl=kl)
    branch, text = kc.rate_note(f)
    assert not (f.rd.kl < f.rd.kl_1 and f.rd.recon > f.rd.recon_1)
    assert not (f.rd.kl > f.rd.kl_1 and f.rd.recon < f.rd.recon_1)
    assert branch == "same way" and "not a law for every pair of rungs" in text


def test_rate_left_out_without_the_table():
    assert kc.rate_note(facts(rd=None)) is None


# --- the notices together -----------------------------------------------------------------------


def test_notes_in_order_and_the_missing_models_note():
    assert [n.split("**")[1] for n in kc.notes(facts())] == [
        "The codes' spread.",
        "The draws.",
        "Rate and distortion.",
    ]
    assert kc.notes(facts(spread=None, rd=None)) == [kc.draws_note(facts())[1]]
    assert kc.notes(facts(spread=None, draws=None, rd=None)) == [kc.NOT_BUILT]


# --- premise sweep over the built ladder --------------------------------------------------------


@pytest.fixture(scope="module")
def ladder():
    labels = artefacts.load_test_set()[1]
    names = {b: zoo.beta_name(2, b) for b in zoo.BETAS_2D}
    if not all(artefacts.codes_path(n).exists() for n in names.values()):
        pytest.skip("the 2-D β ladder's codes are not built")
    mu = {b: np.load(artefacts.codes_path(n))["mu"].astype(np.float64) for b, n in names.items()}
    return mu, labels, {b: zoo.info(n)["metrics"] for b, n in names.items()}


@pytest.mark.parametrize("seed", [0, 3])
def test_premise_sweep(seed, ladder):
    """Every rung: the numbers recomputed from the codes with vae/, and what each branch says."""
    mu, labels, metrics = ladder
    zz = np.random.default_rng([seed, 1]).standard_normal((2000, 2))  # model_calls.prior_draws
    d = {b: latent.prior_draws_vs_codes(m, labels, zz, 3.0) for b, m in mu.items()}
    rms = {b: float(np.sqrt((m**2).sum(axis=1).mean())) for b, m in mu.items()}
    for b in zoo.BETAS_2D:
        f = kc.KlFacts(
            b,
            4.0,
            kc.Spread(rms[b], rms[1.0], float(latent.outside_box(mu[b], -4.0, 4.0).mean())),
            kc.Draws(
                *(float(np.median(d[x]["gaps"])) for x in (b, 1.0)),
                *(float(d[x]["tv"]) for x in (b, 1.0)),
            ),
            kc.RateDistortion(
                *(float(metrics[x][f"test_{k}"]) for x in (b, 1.0) for k in ("recon", "kl"))
            ),
        )
        spread_b, spread_t = kc.spread_note(f)
        assert f"**{rms[b]:.2f}**" in spread_t
        if spread_b == "further":
            assert rms[b] > 1.05 * rms[1.0]
        elif spread_b == "squeezed":
            assert rms[b] < 0.95 * rms[1.0]
        elif spread_b == "same":
            assert abs(rms[b] - rms[1.0]) <= 0.05 * rms[1.0]
        draws_b, draws_t = kc.draws_note(f)
        gaps = float(np.median(d[b]["gaps"]))
        assert re.search(rf"\*\*{gaps:.1f}\*\* typical gaps", draws_t)
        dv = f.draws
        if "worse" in draws_b or draws_b == "wrong digits":
            assert dv.tv > dv.tv_1 + kc.MIX_DIFF
        if draws_b.startswith("better"):
            assert dv.tv < dv.tv_1 - kc.MIX_DIFF
        rate_b, _ = kc.rate_note(f)
        r = f.rd
        if rate_b == "less rate":
            assert r.kl < r.kl_1 and r.recon > r.recon_1
        elif rate_b == "more rate":
            assert r.kl > r.kl_1 and r.recon < r.recon_1
        elif rate_b == "same way":
            assert not (r.kl < r.kl_1 and r.recon > r.recon_1)
            assert not (r.kl > r.kl_1 and r.recon < r.recon_1)


# --- premise sweep as the page computes it: every rung, seeds 0, 1, the middle and the maximum ---

SEEDS = (0, 1, links.SEED_MAX // 2, links.SEED_MAX)  # the seed box's bank: its ends and middle
BAD = ("nan", "inf", "e+")  # what no shown sentence may contain


@pytest.mark.parametrize("seed", SEEDS)
def test_page_facts_sweep(seed, ladder):
    """``views.facts`` (the page's own numbers) at every rung: each equals its recomputation from
    the codes with NumPy and vae/, and each branch shown holds its premise from them."""
    from ui.draw.style import LATENT_RANGE
    from ui.lessons import ladders
    from ui.lessons.kl import views

    mu, labels, metrics = ladder
    rd = ladders.beta_frame(2, zoo.BETAS_2D)[0]
    zz = np.random.default_rng([seed, 1]).standard_normal((2000, 2))
    d = {b: latent.prior_draws_vs_codes(m, labels, zz, 3.0) for b, m in mu.items()}
    for b in zoo.BETAS_2D:
        f = views.facts(rd, b, seed)
        assert f.beta == b and f.axis == LATENT_RANGE[1]
        rms = float(np.sqrt((mu[b] ** 2).sum(axis=1).mean()))
        assert f.spread.rms == pytest.approx(rms, rel=1e-9)
        assert f.spread.rms_1 == pytest.approx(float(np.sqrt((mu[1.0] ** 2).sum(axis=1).mean())))
        out = float((np.abs(mu[b]) > LATENT_RANGE[1]).any(axis=1).mean())
        assert f.spread.outside == pytest.approx(out)
        assert f.draws.tv == pytest.approx(float(d[b]["tv"]), abs=1e-9)
        assert f.draws.gaps == pytest.approx(float(np.median(d[b]["gaps"])), rel=1e-6)
        r = f.rd
        assert (r.recon, r.kl) == (metrics[b]["test_recon"], metrics[b]["test_kl"])
        texts = kc.notes(f)
        assert len(texts) == 3
        for t in texts:
            assert not any(x in t.lower() for x in BAD), t
        _, spread_t = kc.spread_note(f)
        where = re.search(r"\*\*[\d.]+\*\*, (close to|below|above) the prior", spread_t).group(1)
        near = abs(rms - np.sqrt(2)) < kc.NEAR_PRIOR
        assert where == ("close to" if near else "below" if rms < np.sqrt(2) else "above")
        draws_b, _ = kc.draws_note(f)
        dv = f.draws
        assert (draws_b == "β = 1") == (b == 1.0)
        if draws_b.endswith("further") or draws_b == "worse":
            assert dv.gaps > dv.gaps_1 + kc.GAP_DIFF
        if draws_b.endswith("closer"):
            assert dv.gaps < dv.gaps_1 - kc.GAP_DIFF
        if draws_b.endswith("same") or draws_b == "wrong digits":
            assert dv.gaps <= dv.gaps_1 + kc.GAP_DIFF
        if draws_b.startswith("as good"):
            assert abs(dv.tv - dv.tv_1) <= kc.MIX_DIFF or dv.tv < dv.tv_1
        if draws_b != "β = 1" and draws_b not in ("worse", "wrong digits"):
            assert dv.tv <= dv.tv_1 + kc.MIX_DIFF
        assert (kc.rate_note(f)[0] == "β = 1") == (b == 1.0)


# --- the converter: every number positional, the verdict true of the β it shows -------------------

WEIGHTS = (0.0, 1e-6, 0.001, 0.0025, 2 / 784, 0.003, 0.01, 0.5, 1.0, 1e6)  # bounds, default, ≈1
PIXELS = (1, 784, 1_000_000)  # bounds and the default
DIMS = (1, 2, 10, 4096)  # bounds, the default and the 10-D models


@pytest.mark.parametrize("w", WEIGHTS)
def test_converter_text_at_every_setting(w):
    from vae import units

    above = min(r for r in zoo.BETAS_2D if r > 1)
    below = max(r for r in zoo.BETAS_2D if r < 1)
    for p in PIXELS:
        for d in DIMS:
            b = units.equivalent_beta(w, p, d)
            latex, text = kc.converter_text(w, p, d, b)
            for t in (latex, text):
                assert not any(x in t.lower() for x in BAD), (w, p, d, t)
            shown = float(re.search(r"\*\*β = ([\d.]+)\*\*", text).group(1))
            assert shown == pytest.approx(b, rel=1e-3, abs=0) or b == shown == 0
            assert float(re.search(r"w = d / P = ([\d.]+)", text).group(1)) == pytest.approx(
                d / p, rel=1e-3
            )
            assert ("exactly the ELBO" in text) == (b == 1.0)
            assert ("(β > 1)" in text) == (b > 1 and shown != 1)
            assert ("(β < 1)" in text) == (b < 1 and shown != 1)
            if "squeeze of the large-β models" in text:
                assert b >= above
            if "spread of the small-β models" in text:
                assert b <= below
            if "β ≈ 1" in text:
                assert b != 1 and abs(b - 1) < 5e-4


def test_converter_branches_on_made_up_numbers():
    assert kc.number(1e12) == "1000000000000" and kc.number(2 / 784) == "0.002551"
    assert kc.number(0.0) == "0" and kc.number(4096) == "4096"
    assert kc.converter_verdict(1.0) == "exactly the ELBO"
    assert "β ≈ 1" in kc.converter_verdict(1.00001)
    assert "between the β = 1 and β = 2 models" in kc.converter_verdict(1.5, (0.5, 1.0, 2.0))
    assert "between the β = 0.5 and β = 1 models" in kc.converter_verdict(0.7, (0.5, 1.0, 2.0))
    assert "squeeze" in kc.converter_verdict(2.0, (0.5, 1.0, 2.0))
    assert "spread of the small-β" in kc.converter_verdict(0.5, (0.5, 1.0, 2.0))
