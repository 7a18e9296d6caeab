"""AppTest runs of pages/01_AE_vs_VAE.py (needs cache/models and cache/codes of ae-2d and vae-2d)."""
from __future__ import annotations

import pytest

from tests.pageutil import app, assert_ok, assert_stopped_by_cache_error, need, texts

PAGE = "pages/01_AE_vs_VAE.py"
MODELS = ("ae-2d", "vae-2d")
pytestmark = pytest.mark.slow


def need_models() -> None:
    need(*MODELS)


def test_default_view():
    need_models()
    at = app(PAGE)
    t = texts(at)
    assert "AE vs VAE" in t
    for heading in ("The idea", "Where each model puts the test digits", "Decoding a grid",
                    "Generating", "Reconstructing", "What to notice"):
        assert heading in t, heading
    assert at.number_input(key="aevae_seed").value == 0
    assert at.slider(key="aevae_n").value == 15
    assert len(at.metric) == 4
    assert "Click a point" in t
    assert "typical gaps" in t and "nats" in t
    assert "2,000 draws: which digits come out?" in t and "total variation" in t


def test_controls_and_click():
    need_models()
    at = app(PAGE)
    before = texts(at)
    at.number_input(key="aevae_seed").set_value(7).run()
    assert_ok(at)
    assert at.number_input(key="aevae_seed").value == 7
    assert texts(at) != before  # new draws and digits, new numbers in "What to notice"
    at.slider(key="aevae_n").set_value(6).run()
    assert_ok(at)
    assert at.slider(key="aevae_n").value == 6
    # A click on a scatter stores the test index (see _on_click); simulate it.
    at.session_state["aevae_pick"] = 123
    at.run()
    assert_ok(at)
    t = texts(at)
    assert "Test digit #123" in t and "Click a point" not in t


def test_link_sets_seed():
    need_models()
    at = app(PAGE, {"seed": "42"})
    assert at.number_input(key="aevae_seed").value == 42


def test_garbage_link_falls_back():
    need_models()
    at = app(PAGE, {"seed": "banana", "present": "1"})
    assert at.number_input(key="aevae_seed").value == 0
    assert "What to notice" in texts(at)
    assert any("Ignored link parameter" in t.value for t in at.toast)


def test_missing_model_shows_cache_error(partial_cache):
    partial_cache()  # the test set only
    at = app(PAGE)
    assert_stopped_by_cache_error(at, "cannot be used")
