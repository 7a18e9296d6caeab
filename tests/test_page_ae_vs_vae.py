"""AppTest runs of pages/01_AE_vs_VAE.py (needs cache/models and cache/codes of ae-2d and vae-2d):
the lesson pattern (maps and mix first, at most three notices), its controls and URL, a click, and
a sweep of every notice's premise over seeds and both AE views."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tests.pageutil import (
    app,
    assert_bound,
    assert_ok,
    assert_stopped_by_cache_error,
    chart_title,
    need,
    notices,
    texts,
)
from vae import arrays, artefacts, latent, neighbours, prior, zoo

PAGE = "pages/01_AE_vs_VAE.py"
MODELS = ("ae-2d", "vae-2d")
pytestmark = pytest.mark.slow


def need_models() -> None:
    need(*MODELS)


def chart_titles(at) -> list[str]:
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for part in [spec, *spec.get("layer", [])]:
            t = part.get("title")
            if t:
                out.append(chart_title(t))
    return out


def test_default_view():
    need_models()
    at = app(PAGE)
    assert_ok(at)
    t = texts(at)
    assert "AE vs VAE" in t and "What the KL term buys" in t
    assert at.number_input(key="aevae_seed").value == 0
    assert at.radio(key="aevae_axes").value == "codes"
    assert at.slider(key="aevae_n").value == 15  # in the grid expander
    titles = chart_titles(at)
    assert "AE codes" in titles and "VAE codes μ" in titles
    assert any(title.startswith("Which digit 2,000 draws") for title in titles)
    assert "now **#0**, a 7" in t  # a digit is picked from the start, so the experiment shows
    assert_bound(at, "aevae_seed", "aevae_axes", "aevae_n")  # each in the link under its key
    assert (
        at.query_params["aevae_idx"] == "0"
    )  # the picked digit: no widget, written by links.state_to_url
    assert len(notices(at)) == 3
    assert "total variation" in t and "typical gaps" in t
    # a posterior hidden under the marker is not called "sure": its σ is given in the VAE's typical
    # gaps
    assert "the VAE is sure" not in t
    found = re.search(
        r"hidden under the marker at this scale, though σ is about ([\d.]+) typical gaps", t
    )
    if found:
        c = artefacts.load_codes("vae-2d", 2, True)
        mu = np.asarray(c["mu"], dtype=np.float64)
        sigma = float(
            np.exp(0.25 * np.asarray(c["logvar"][0], dtype=np.float64).sum())
        )  # geometric mean
        assert abs(float(found.group(1)) - sigma / neighbours.spacing(mu, 1)) < 0.06
    assert (
        not at.dataframe and "One test digit of each class" not in t
    )  # the reconstructions' expander: folded


def test_the_reconstructions_expander_draws_when_opened():
    """Folded, the ten reconstructions cost nothing; opened (a rerun), they are there, for this
    seed."""
    need_models()
    at = app(PAGE, {"aevae_seed": "5"})
    n_images = len(at.get("image"))
    at.session_state["aevae_recon_open"] = True
    at.run()
    assert_ok(at)
    assert "One test digit of each class" in texts(at) and len(at.get("image")) == n_images + 1
    idx = latent.random_members(artefacts.load_test_set()[1], 5)
    assert list(at.dataframe[0].value["test index"]) == list(idx)
    at.number_input(key="aevae_seed").set_value(6).run()  # it stays open while the controls move
    assert list(at.dataframe[0].value["test index"]) == list(
        latent.random_members(artefacts.load_test_set()[1], 6)
    )


def test_controls_click_and_url():
    need_models()
    at = app(PAGE)
    before = notices(at)
    at.number_input(key="aevae_seed").set_value(7).run()
    assert_ok(at)
    assert (
        at.number_input(key="aevae_seed").value == 7 and notices(at) != before
    )  # new draws, new numbers
    at.radio(key="aevae_axes").set_value("prior").run()
    assert_ok(at)
    assert (
        at.radio(key="aevae_axes").value == "prior" and at.number_input(key="aevae_seed").value == 7
    )
    at.slider(key="aevae_n").set_value(6).run()
    assert_ok(at)
    assert at.slider(key="aevae_n").value == 6
    assert_bound(at, "aevae_seed", "aevae_axes", "aevae_n")
    at.session_state["aevae_pick"] = 123  # what a click on either map stores (views._on_click)
    at.run()
    assert_ok(at)
    _, labels = artefacts.load_test_set()
    assert f"now **#123**, a {labels[123]}" in texts(at) and at.query_params["aevae_idx"] == "123"
    assert "Test digit #123" in texts(at)


def test_link_restores_the_view():
    need_models()
    at = app(PAGE, {"aevae_seed": "12", "aevae_idx": "77", "aevae_axes": "prior", "aevae_n": "8"})
    assert_ok(at)
    assert at.number_input(key="aevae_seed").value == 12 and at.session_state["aevae_pick"] == 77
    assert at.radio(key="aevae_axes").value == "prior" and at.slider(key="aevae_n").value == 8


def test_garbage_link_falls_back():
    """The controls' fallback is tests/test_links.py; here: the picked point and all three
    notices."""
    need_models()
    at = app(
        PAGE, {"aevae_seed": "banana", "aevae_idx": "-4", "aevae_axes": "sideways", "present": "1"}
    )
    assert at.session_state["aevae_pick"] == 0
    assert len(notices(at)) == 3


def test_missing_model_shows_cache_error(partial_cache):
    partial_cache()  # the test set only
    at = app(PAGE)
    assert_stopped_by_cache_error(at, "cannot be used")


def _pcts(text: str) -> list[float]:
    """The percentages of a sentence, in order ("<1 %" reads as 0.5)."""
    return [
        0.5 if m.group(1) else float(m.group(2))
        for m in re.finditer(r"(<1)|(\d+(?:\.\d+)?) %", text)
    ]


@pytest.fixture(scope="module")
def recon_at_mean() -> dict[str, float]:
    """Each model's mean reconstruction loss from its code / mu over the 10,000 test digits, from
    the
    checkpoints (zoo.load), independently of the page's cache."""
    need_models()
    x = artefacts.load_test_set()[0].astype(np.float32) / 255
    return {n: float(arrays.recon_at_mean(zoo.load(n), x).mean()) for n in MODELS}


@pytest.mark.parametrize("seed", [0, 1, 7, 23, 31])
def test_every_notice_states_a_true_premise(seed, recon_at_mean):
    """For each seed: recompute the numbers from vae/ and check what each shown notice claims."""
    at = app(PAGE, {"aevae_seed": str(seed)})
    assert_ok(at)
    mix, cover, recon = notices(at)
    labels = artefacts.load_test_set()[1]
    mu = {
        n: np.asarray(artefacts.load_codes(n, 2, n != "ae-2d")["mu"], dtype=np.float64)
        for n in MODELS
    }
    zz = np.random.default_rng([seed, 1]).standard_normal((2000, 2))
    h_test = np.bincount(labels, minlength=10) / len(labels)
    tv = {
        n: latent.total_variation(latent.nearest_label_shares(zz, mu[n], labels), h_test)
        for n in MODELS
    }
    if "The mix is what the KL term buys" in mix:
        assert tv["vae-2d"] < tv["ae-2d"]
        assert ("in about the test set's mix" in mix) == (
            tv["vae-2d"] <= 0.1
        )  # "about" only when it is
    else:
        assert "as close as the VAE's" in mix and tv["ae-2d"] <= tv["vae-2d"]
    far = {
        n: float((neighbours.nearest_one(mu[n], zz)[0] > 3 * neighbours.spacing(mu[n])).mean())
        for n in MODELS
    }
    if "Most of the AE's draws land among its codes" in cover:
        assert far["ae-2d"] < 0.5
        assert abs(_pcts(cover)[0] - 100 * (1 - far["ae-2d"])) <= 1.0
    else:
        assert far["ae-2d"] >= 0.5
    # distances compared in one unit: latent units, where a draw is the same point for both models
    med = {n: float(np.median(neighbours.nearest_one(mu[n], zz)[0])) for n in MODELS}
    if "the VAE's draws are the closer ones" in cover:
        assert med["vae-2d"] < 0.9 * med["ae-2d"]
    elif "the AE's draws are the closer ones" in cover:
        assert med["ae-2d"] < 0.9 * med["vae-2d"]
    else:
        assert "about as close" in cover
    assert f"AE {med['ae-2d']:.3f}, VAE {med['vae-2d']:.3f}" in cover
    inside = prior.share_inside(mu["ae-2d"], 0.99)
    assert any(abs(p - 100 * inside) <= 1.0 for p in _pcts(cover))
    matched = latent.matched_far_share(10_000, 2000, 2, 3.0)
    if "does not make the codes fill it together" in cover:
        assert far["vae-2d"] > 1.5 * matched
    else:
        assert (
            "about as well as codes drawn from the prior" in cover
            and far["vae-2d"] <= 1.5 * matched
        )
    r = recon_at_mean
    assert f"AE {r['ae-2d']:.1f} nats, VAE {r['vae-2d']:.1f}" in recon
    assert ("buy a latent space" in recon) == (r["vae-2d"] > r["ae-2d"])
