"""ui.lessons.training.claims, the words and extents of *Train it yourself*: every branch on made-up
numbers, and a premise sweep over every pretrained model a run can be compared with (each 2-D
one's held-out codes, read from cache/): the score caption names the set as it is, and a code map
shows its codes or says how many it leaves out."""

from __future__ import annotations

import numpy as np
import pytest

from ui.lessons.training import claims
from vae import artefacts, live, zoo


def facts(**kw) -> claims.ScoreFacts:
    base = dict(
        n_heldout=2000,
        n_test=10000,
        per_digit=(196, 227, 206, 202, 196, 178, 192, 206, 195, 202),
        pretrained="vae-2d",
        same_set=True,
        beta=1.0,
    )
    return claims.ScoreFacts(**{**base, **kw})


def test_score_caption_names_the_random_stratified_set():
    text = claims.score_caption(facts())
    assert "last" not in text and "Both measured on the same 2,000 held-out test digits" in text
    assert "fixed random sample of the 10,000 test digits, each digit in proportion" in text
    assert "196 0s, 227 1s" in text and "vae-2d never saw" in text and "same noise seed" in text
    assert "trained with β" not in text


def test_score_caption_without_a_pretrained_model_or_the_same_set():
    alone = claims.score_caption(facts(pretrained=None, beta=0.5))
    assert alone.startswith("Yours measured on 2,000") and "same" not in alone
    assert "never saw" not in alone
    assert "your model trained with β = 0.5" in alone
    apart = claims.score_caption(facts(same_set=False))
    assert apart.startswith("Each measured")
    assert "different digits, so they are not compared" in apart


def test_the_set_the_caption_describes_is_the_one_both_rows_are_measured_on():
    """The learner's rows come from split_test_set's held-out part, the pretrained row from
    heldout_set: the very same digits, in the proportions the caption prints."""
    images, labels = artefacts.load_test_set()
    x = images[:, :, :].astype(np.float32) / 255.0
    _, _, x_ho, y_ho = live.split_test_set(x, labels, 256)
    x_p, y_p = live.heldout_set(x, labels)
    assert np.array_equal(x_ho.numpy(), x_p.numpy()) and np.array_equal(y_ho.numpy(), y_p.numpy())
    held = live.split_indices(labels)[0]
    assert len(held) == live.HELDOUT
    assert not np.array_equal(held, np.arange(8000, 10000))  # not the last 2,000
    counts = np.bincount(y_ho.numpy(), minlength=10)
    share = np.bincount(labels, minlength=10) / len(labels)
    assert np.abs(counts / live.HELDOUT - share).max() < 1e-3
    text = claims.score_caption(facts(per_digit=tuple(counts.tolist())))
    assert ", ".join(f"{n} {d}s" for d, n in enumerate(counts)) in text


def test_extent_holds_the_codes_and_the_caption_counts_the_rest():
    rng = np.random.default_rng(0)
    mu = rng.normal(0, 1, (2000, 2))
    assert claims.extent(mu) == 3.0 and claims.left_out(mu, 3.0) <= 10
    wide = np.vstack([rng.normal(0, 6, (1990, 2)), [[900.0, 0.0]] * 10])  # a few far codes aside
    half = claims.extent(wide)
    assert half in (20.0, 30.0) and claims.left_out(wide, half) >= 10
    cap = claims.map_caption(["your model"], [half], [claims.left_out(wide, half)])
    assert f"−{half:g} … {half:g}" in cap and "of your model's codes" in cap
    assert "Every held-out code is on the map" in claims.map_caption(["a", "b"], [4.0, 4.0], [0, 0])


def test_codes_that_are_not_numbers_are_counted_as_left_out():
    mu = np.zeros((100, 2))
    mu[:3, 0] = np.nan  # a diverged run
    assert claims.extent(mu) == 3.0 and claims.left_out(mu, 3.0) == 3


def test_shared_extent_unless_the_spreads_differ_a_lot():
    assert claims.shared_extents([3.0, 5.0]) == [5.0, 5.0]
    assert claims.shared_extents([3.0, 30.0]) == [3.0, 30.0]
    cap = claims.map_caption(["your model", "vae-2d"], [3.0, 30.0], [0, 0])
    assert "different scales" in cap and "vae-2d −30 … 30" in cap
    both = claims.map_caption(["a", "b"], [4.0, 4.0], [0, 0])
    assert "Both maps show the square −4 … 4" in both


def test_dimension_names_match_the_axes():
    assert [claims.z(j) for j in (0, 1, 9, 10)] == ["z₁", "z₂", "z₁₀", "z₁₁"]


@pytest.mark.parametrize("beta", live.BETAS)
def test_every_2d_comparison_map_shows_its_codes(beta):
    """Premise sweep: each 2-D pretrained model a run can be compared with, its held-out codes
    (cache/codes, the same μ the page encodes): the map's square holds >= 99.5 % of them, the
    caption's count of the rest is exact, and a model whose codes reach past ±4 (vae-2d) gets more
    than ±4 or a count of what is left out."""
    from ui.lessons.training.live_view import pretrained_for

    name, _ = pretrained_for(2, beta)
    if not artefacts.codes_path(name).exists():
        pytest.skip(f"{name} codes are not in cache/")
    _, labels = artefacts.load_test_set()
    mu = np.asarray(artefacts.load_codes(name, 2, zoo.entry(name).model.kind == "vae")["mu"])
    mu = mu[live.split_indices(labels)[0]]
    half = claims.extent(mu)
    out = claims.left_out(mu, half)
    assert out <= (1 - claims.SHOWN) * len(mu) + 1
    assert out == int((np.abs(mu) > half).any(axis=1).sum())
    if np.abs(mu).max() > 4:
        assert half > 4 or out > 0
    cap = claims.map_caption(["your model", name], [half, half], [0, out])
    assert ("Every held-out code is on the map" in cap) == (out == 0)


# --- "what to notice" after a run (claims.RunFacts), one test per branch


def run(**kw) -> claims.RunFacts:
    base = dict(
        test_elbo=(392.3, 352.5),
        test_recon=340.0,
        train_recon=373.1,
        test_kl=12.91,
        kl_dims=(6.5, 6.4),
        acc=0.28,
        elbo=352.5,
        views=512,
        beta=1.0,
        pretrained="vae-2d",
        pre_elbo=141.6,
        pre_acc=0.71,
        pre_views=1_200_000,
    )
    return claims.RunFacts(**{**base, **kw})


def test_progress_better_over_the_run():
    f = run()
    branch, text = claims.progress_note(f)
    assert branch == "better" and f.test_elbo[-1] < f.test_elbo[0]
    assert text == (
        "Held-out −ELBO went from **392.3 nats** after epoch 1 to **352.5** after epoch 2 "
        "(39.8 nats better)."
    )


def test_progress_no_better():
    f = run(test_elbo=(300.0, 290.0, 301.5))
    branch, text = claims.progress_note(f)
    assert branch == "no better" and f.test_elbo[-1] >= f.test_elbo[0]
    assert "after epoch 3: no better (1.5 nats worse)." in text


def test_progress_after_one_epoch():
    f = run(test_elbo=(392.3,))
    branch, text = claims.progress_note(f)
    assert branch == "one epoch" and len(f.test_elbo) == 1
    assert text.startswith("One epoch brought the held-out −ELBO to **392.3 nats**")


def test_gap_overfits():
    f = run(test_recon=120.0, train_recon=110.5)
    branch, text = claims.gap_note(f)
    assert branch == "overfits" and f.test_recon > f.train_recon
    assert "was 9.5 nats **worse** than on the training digits" in text
    assert text.endswith("The KL ended at 12.91 nats per held-out digit.")


def test_gap_no_sign_of_overfitting():
    f = run()
    branch, text = claims.gap_note(f)
    assert branch == "no sign" and f.test_recon <= f.train_recon
    assert "was 33.1 nats better than the training average: no sign of overfitting yet" in text


def test_codes_apart_beside_the_pretrained_model():
    f = run()
    branch, text = claims.codes_note(f)
    assert branch == "apart, pretrained" and f.acc < claims.TOGETHER and f.pre_elbo < f.elbo
    assert text.startswith("The pretrained **vae-2d** scores 141.6 nats, 210.9 nats better than")
    assert "after 2344× as many image views (1,200,000 against 512)" in text
    assert "for only **28%** of the held-out digits" in text and "(71% for vae-2d;" in text


def test_codes_together_and_the_pretrained_model_worse():
    f = run(acc=0.81, elbo=140.0)
    branch, text = claims.codes_note(f)
    assert branch == "together, pretrained" and f.acc >= claims.TOGETHER and f.pre_elbo > f.elbo
    assert "scores 141.6 nats, 1.6 nats worse than yours" in text
    assert "digits of a kind already sit together in your codes: for **81%**" in text


def test_codes_without_a_pretrained_model():
    f = run(pretrained=None, pre_elbo=None, pre_acc=None, pre_views=None)
    branch, text = claims.codes_note(f)
    assert branch == "apart" and f.pretrained is None
    assert text.startswith("No labels were used, yet your codes barely keep the digits apart")
    assert text.endswith("(chance is about 10%).") and "pretrained" not in text


def test_no_collapse_four_notes_in_order():
    f = run()
    assert claims.collapsed(f) == [] and min(f.kl_dims) >= claims.COLLAPSED_KL
    assert claims.collapse_note(f) is None
    assert claims.notes(f) == [
        claims.progress_note(f)[1],
        claims.gap_note(f)[1],
        claims.codes_note(f)[1],
    ]


def test_one_collapsed_dimension():
    f = run(kl_dims=(6.5, 0.004))
    text = claims.collapse_note(f)
    assert claims.collapsed(f) == [1] and f.kl_dims[1] < claims.COLLAPSED_KL
    assert text.startswith("z₂ has **collapsed**: mean KL 0.004 nats or less")
    assert text.endswith("the decoder ignores it.") and "β > 1" not in text


def test_several_collapsed_at_a_large_beta_replace_the_progress_note():
    f = run(kl_dims=(0.002, 1.2, 0.008, 0.0001), beta=5.0)
    dims = claims.collapsed(f)
    assert dims == [0, 2, 3] and all(f.kl_dims[j] < claims.COLLAPSED_KL for j in dims)
    text = claims.collapse_note(f)
    assert text.startswith("z₁, z₃, z₄ have **collapsed**: mean KL 0.008 nats or less")
    assert "ignores them. At β > 1 the KL term can afford fewer dimensions." in text
    out = claims.notes(f)
    assert len(out) == 3 and out[-1] == text and claims.progress_note(f)[1] not in out
