"""AppTest of pages/09_Posterior_spread.py: image choice, sample count, seed, zoom, link parameters."""
from __future__ import annotations


import numpy as np
import pytest

from tests.pageutil import app, assert_ok, need, texts
from vae import artefacts

PAGE = "pages/09_Posterior_spread.py"
pytestmark = pytest.mark.slow


def sigma_table(at):
    return at.dataframe[0].value


def test_default_view_and_every_control():
    need("vae-2d")
    at = app(PAGE)
    page = texts(at)
    assert ":material/blur_on: Posterior spread" in page and "The idea" in page and "What to notice" in page
    assert "σ in numbers" in page and "64 samples" in page
    assert at.selectbox(key="post_model").value == "vae-2d"
    tab = sigma_table(at)
    assert list(tab["dimension"]) == ["z1", "z2"] and (tab["σ"] > 0).all() and (tab["σ"] <= 1.5).all()
    assert len(at.get("vega_lite_chart")) == 1  # posterior among the test codes

    at.slider(key="post_n").set_value(128).run()
    at.number_input(key="post_seed").set_value(3).run()
    assert_ok(at)
    assert "of the 128 samples fall inside the 2σ ellipse" in texts(at)
    at.toggle(key="post_zoom").set_value(True).run()
    assert_ok(at)
    labels = np.load(artefacts.test_set_path())["labels"]
    at.number_input(key="post_idx").set_value(42).run()
    assert_ok(at)
    assert f"spread of the {labels[42]}s' means" in sigma_table(at).columns


def test_random_image_of_a_digit():
    need("vae-2d")
    at = app(PAGE)
    at.radio(key="post_mode").set_value("digit").run()
    at.selectbox(key="post_digit").set_value(5).run()
    assert_ok(at)
    first = next(c.value for c in at.caption if c.value.startswith("Picked test image"))
    assert first.endswith("a 5.")
    at.button(key="post_another").click().run()
    assert_ok(at)
    second = next(c.value for c in at.caption if c.value.startswith("Picked test image"))
    assert second.endswith("a 5.") and second != first
    assert "spread of the 5s' means" in sigma_table(at).columns


def test_ten_dimensional_model():
    need("vae-2d", "vae-10d")
    at = app(PAGE)
    at.selectbox(key="post_model").set_value("vae-10d").run()
    assert_ok(at)
    tab = sigma_table(at)
    assert len(tab) == 10
    unused = int((tab["σ"] >= 0.9).sum())
    page = texts(at)
    assert (f"{unused} of 10 dimensions have σ ≥ 0.9" in page) if unused else ("All 10 dimensions" in page)
    assert len(at.get("vega_lite_chart")) == 0


def test_link_parameters_are_used():
    need("vae-2d")
    at = app(PAGE, {"model": "vae-2d", "idx": "42", "n": "32", "seed": "9"})
    assert at.number_input(key="post_idx").value == 42
    assert at.slider(key="post_n").value == 32 and at.number_input(key="post_seed").value == 9
    labels = np.load(artefacts.test_set_path())["labels"]
    assert f"spread of the {labels[42]}s' means" in sigma_table(at).columns


def test_garbage_link_parameters_fall_back():
    need("vae-2d")
    at = app(PAGE, {"idx": "-5", "n": "17", "seed": "abc", "model": "cvae-2d"})
    assert at.number_input(key="post_idx").value == 0
    assert at.slider(key="post_n").value == 64
    assert at.number_input(key="post_seed").value == 0
    assert at.selectbox(key="post_model").value == "vae-2d"
    assert "What to notice" in texts(at)
