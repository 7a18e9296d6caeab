"""The Latent explorer's words and pad box (ui.lessons.explorer.claims): one test per branch on
synthetic
codes, and a premise sweep over every model the page offers, its codes from cache/ (fast tier)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ui.lessons.explorer import claims as C
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
