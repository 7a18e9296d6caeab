"""AppTest of pages/06_Reconstructions.py: every control, the link parameters, a missing model."""
from __future__ import annotations


import pytest

from tests.pageutil import app, assert_ok, need, texts

PAGE = "pages/06_Reconstructions.py"
pytestmark = pytest.mark.slow


def table(at):
    return at.dataframe[0].value


def test_default_view_and_every_control():
    need("vae-2d")
    at = app(PAGE)
    page = texts(at)
    assert ":material/image_search: Reconstructions" in page and "The idea" in page and "What to notice" in page
    assert len(table(at)) == 8
    assert at.radio(key="rec_mode").value == "random"

    at.number_input(key="rec_seed").set_value(5).run()
    assert_ok(at)
    at.slider(key="rec_n").set_value(5).run()
    assert_ok(at)
    assert len(table(at)) == 5

    at.radio(key="rec_mode").set_value("digit").run()
    at.selectbox(key="rec_digit").set_value(7).run()
    assert_ok(at)
    assert (table(at)["digit"] == 7).all() and len(table(at)) == 5

    at.slider(key="rec_t").set_value(0.3).run()
    assert_ok(at)
    assert "At threshold 0.30" in texts(at)
    assert "pixels that differ at t = 0.30" in table(at).columns


def test_index_mode_warns_about_bad_entries():
    need("vae-2d")
    at = app(PAGE)
    at.radio(key="rec_mode").set_value("index").run()
    at.text_input(key="rec_idx").input("5, abc, 12000, 7").run()
    assert_ok(at)
    assert list(table(at)["test index"]) == [5, 7]
    warning = " ".join(w.value for w in at.warning)
    assert "` abc `" in warning and "` 12000 `" in warning  # echoed as code: never rendered as Markdown
    at.text_input(key="rec_idx").input("nothing usable").run()
    assert_ok(at)
    assert len(table(at)) == 8 and "No usable test index" in texts(at)


@pytest.mark.parametrize("model", ["ae-2d", "cvae-2d", "vae-10d"])
def test_other_models(model):
    need("vae-2d", model)
    at = app(PAGE)
    at.selectbox(key="rec_model").set_value(model).run()
    assert_ok(at)
    assert "What to notice" in texts(at)
    losses = table(at)["reconstruction loss (nats)"]
    assert (losses > 0).all() and (losses < 1000).all()


def test_link_parameters_are_used():
    need("vae-2d")
    at = app(PAGE, {"model": "vae-2d", "mode": "index", "idx": "3,4,10", "t": "0.7"})
    assert at.selectbox(key="rec_model").value == "vae-2d"
    assert at.radio(key="rec_mode").value == "index"
    assert at.slider(key="rec_t").value == pytest.approx(0.7)
    assert list(table(at)["test index"]) == [3, 4, 10]
    at = app(PAGE, {"mode": "digit", "digit": "2", "n": "6", "seed": "11"})
    assert at.selectbox(key="rec_digit").value == 2 and at.number_input(key="rec_seed").value == 11
    assert (table(at)["digit"] == 2).all() and len(table(at)) == 6


def test_garbage_link_parameters_fall_back():
    need("vae-2d")
    at = app(PAGE, {"t": "abc", "n": "9999", "mode": "zzz", "model": "no-such-model", "seed": "-3"})
    assert at.slider(key="rec_t").value == pytest.approx(0.5)
    assert at.slider(key="rec_n").value == 8
    assert at.radio(key="rec_mode").value == "random"
    assert at.number_input(key="rec_seed").value == 0
    assert "What to notice" in texts(at)


def test_missing_model_shows_the_cache_error(partial_cache):
    partial_cache()
    at = app(PAGE, {"model": "vae-2d"})
    error = " ".join(e.value for e in at.error)
    assert "vae-2d.pt" in error and "python -m vae.build" in error
    assert "What to notice" not in texts(at)
