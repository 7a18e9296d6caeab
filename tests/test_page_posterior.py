"""AppTest of pages/09_Posterior_spread.py: two images, sample count, seed, the pair button, zoom,
link parameters, and a sweep over every VAE that checks each notice's premise against numbers
recomputed here from the checkpoint (zoo.load), the same seeded samples and the same 1-NN rule."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from ui.lessons.posterior import claims as pc
from vae import artefacts, latent, neighbours, zoo

PAGE = "pages/09_Posterior_spread.py"
OPEN = ("post_table_open",)  # its folded expander, open (tests.pageutil.app): the tests read it
pytestmark = pytest.mark.slow


def sigma_table(at):
    return at.dataframe[0].value


def test_default_view_and_every_control():
    need("vae-2d")
    at = app(PAGE, opened=OPEN)
    page = texts(at)
    assert ":material/blur_on: Posterior spread" in page and "What to notice" in page
    assert (
        "Image A" in page and "Image B" in page and "Both posteriors among the test codes" in page
    )
    assert at.selectbox(key="post_model").value == "vae-2d"
    a, b = at.number_input(key="post_idx").value, at.number_input(key="post_idx2").value
    assert (
        a != b and at.query_params["post_idx"] == str(a) and at.query_params["post_idx2"] == str(b)
    )
    assert_bound(
        at, "post_model", "post_n", "post_seed", "post_zoom"
    )  # each in the link under its key
    tab = sigma_table(at)
    assert (
        list(tab["dimension"]) == ["z₁", "z₂"]
        and (tab["A: σ"] > 0).all()
        and (tab["B: σ"] <= 1.5).all()
    )
    assert {"A: KL (nats)", "B: KL (nats)"} <= set(tab.columns)
    assert len(at.get("vega_lite_chart")) == 3  # two "look like" charts and the map
    assert len(notices(at)) == 3

    at.select_slider(key="post_n").set_value(128).run()
    at.number_input(key="post_seed").set_value(3).run()
    assert_ok(at)
    assert "of A's 128 samples fall inside its 2σ ellipse" in texts(at)
    assert (
        at.select_slider(key="post_n").value == 128 and at.number_input(key="post_seed").value == 3
    )
    assert (
        at.toggle(key="post_zoom").value is True
    )  # the default: the rings are visible (σ is tiny)
    at.toggle(key="post_zoom").set_value(False).run()
    assert_ok(at)
    assert at.toggle(key="post_zoom").value is False
    at.button(key="post_another").click().run()
    assert_ok(at)
    assert (at.number_input(key="post_idx").value, at.number_input(key="post_idx2").value) != (a, b)
    labels = np.load(artefacts.test_set_path())["labels"]
    at.number_input(key="post_idx").set_value(42).run()
    assert_ok(at)
    assert f"spread of the {labels[42]}s' means" in sigma_table(at).columns
    assert at.query_params["post_idx"] == "42"


def test_ten_dimensional_model():
    need("vae-2d", "vae-10d")
    at = app(PAGE, opened=OPEN)
    at.selectbox(key="post_model").set_value("vae-10d").run()
    assert_ok(at)
    tab = sigma_table(at)
    assert len(tab) == 10
    unused = int((tab["A: σ"] >= 0.9).sum())
    assert f"{unused} of 10 dimensions of A have σ ≥ 0.9" in texts(at)
    assert len(at.get("vega_lite_chart")) == 2  # no 2-D map for 10-D


def test_link_parameters_are_used():
    need("vae-2d")
    at = app(
        PAGE,
        {
            "post_model": "vae-2d",
            "post_idx": "42",
            "post_idx2": "7",
            "post_n": "32",
            "post_seed": "9",
            "post_zoom": "false",
        },
        opened=OPEN,
    )
    assert (
        at.number_input(key="post_idx").value == 42 and at.number_input(key="post_idx2").value == 7
    )
    assert (
        at.select_slider(key="post_n").value == 32 and at.number_input(key="post_seed").value == 9
    )
    assert at.toggle(key="post_zoom").value is False  # a link may leave the default (on)
    labels = np.load(artefacts.test_set_path())["labels"]
    assert f"spread of the {labels[42]}s' means" in sigma_table(at).columns


def test_garbage_link_parameters_fall_back():
    need("vae-2d")
    default = app(PAGE, opened=OPEN)
    at = app(
        PAGE,
        {
            "post_idx": "-5",
            "post_idx2": "1e9",
            "post_n": "17",
            "post_seed": "abc",
            "post_model": "cvae-2d",
        },
    )
    assert at.number_input(key="post_idx").value == default.number_input(key="post_idx").value
    assert at.number_input(key="post_idx2").value == default.number_input(key="post_idx2").value
    # the other controls: tests/test_links.py


def test_missing_model_shows_the_cache_error(partial_cache):
    partial_cache()
    at = app(PAGE, {"post_model": "vae-2d"}, opened=OPEN)
    assert "python -m vae.build" in " ".join(e.value for e in at.error)
    assert "What to notice" not in texts(at)


@torch.inference_mode()
def _posterior(name: str, x: np.ndarray, labels: np.ndarray, i: int, n: int = 64, seed: int = 0):
    model = zoo.load(name)
    mu, lv = (t[0].double().numpy() for t in model.encode(torch.from_numpy(x[i][None, None])))
    z = latent.posterior_samples(mu, lv, n, seed)
    imgs = model.decode(torch.as_tensor(np.asarray(z, dtype=np.float32)))[:, 0].numpy()
    shares = np.bincount(neighbours.looks_like(imgs, x, labels, exclude=i), minlength=10) / n
    kl = 0.5 * (mu**2 + np.exp(lv) - 1 - lv)
    return shares, kl, np.exp(0.5 * lv), mu, imgs


@pytest.mark.parametrize("name", [n for n in zoo.names() if zoo.entry(n).model.kind == "vae"])
def test_every_notice_states_a_true_premise(name):
    need(name)
    at = app(PAGE, {"post_model": name}, opened=OPEN)
    first, second, third = notices(at)
    images, labels = artefacts.load_test_set()
    x = images.astype(np.float32) / 255
    post = {
        t: _posterior(name, x, labels, at.number_input(key=k).value)
        for t, k in (("A", "post_idx"), ("B", "post_idx2"))
    }
    sd = {}
    for t, (shares, _, sigma, _, imgs) in post.items():
        sd[t] = float(imgs.std(axis=0).max())
        if (
            f"{t}'s 64 samples barely differ" in first
        ):  # the premise: no pixel's SD reaches the threshold
            assert sd[t] < pc.VISIBLE_SD
        if (
            f"{t}'s samples differ visibly and split" in first
        ):  # a split is read only from distinct samples
            assert sd[t] >= pc.VISIBLE_SD and shares.max() < pc.AGREE
    # (was: "they agree on A's digit and disagree about B's" from the image's own digit alone, shown
    # where B's samples were one blurry picture; now the widths are compared in typical gaps)
    w = {t: float(np.exp(np.mean(np.log(p[2])))) for t, p in post.items()}
    if "as wide as" in first:
        assert max(w.values()) / min(w.values()) >= pc.WIDER
    if "about as wide" in first:
        assert max(w.values()) / min(w.values()) < pc.WIDER
    kl = {t: float(p[1].sum()) for t, p in post.items()}
    shown = [float(v) for v in re.findall(r"([\d.]+) nats|B ([\d.]+)", second)[0] if v]
    assert abs(shown[0] - kl["A"]) < 0.06
    if (
        "mostly σ's part" in second
    ):  # the width part ½Σ(σ² − 1 − log σ²) makes most of the difference
        part = {
            t: (0.5 * float(p[3] @ p[3]), float(p[1].sum()) - 0.5 * float(p[3] @ p[3]))
            for t, p in post.items()
        }
        assert abs(part["A"][1] - part["B"][1]) >= abs(part["A"][0] - part["B"][0])
    d = zoo.entry(name).model.latent_dim
    if d > 2:
        for t, (_, kl_dims, sigma, _, _) in post.items():
            assert f"{int((sigma >= 0.9).sum())} of {d} dimensions of {t} have σ ≥ 0.9" in third
        if "say nothing about the image" in third:
            bound = float(re.search(r"at most ([\d.]+) nats", third).group(1))
            assert (
                max(float(p[1][p[2] >= 0.9].max()) for p in post.values() if (p[2] >= 0.9).any())
                <= bound + 0.005
            )
