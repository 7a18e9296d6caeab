"""AppTest of the home page (streamlit_app.py): a picture first and a way into the first lesson, a
model
table a teacher can read (every column visible, "—" for what a model does not have), and nothing
that
another page contradicts."""

from __future__ import annotations

import json

import pytest

from tests.pageutil import app, assert_ok, need, texts
from ui.page.catalogue import LESSONS
from vae import zoo

PAGE = "streamlit_app.py"
pytestmark = pytest.mark.slow


def test_opens_with_the_two_pictures_and_the_first_lesson():
    need("ae-2d", "vae-2d")
    at = app(PAGE)
    assert_ok(at)
    titles = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        titles += [str(part.get("title", "")) for part in [spec, *spec.get("layer", [])]]
    assert any(t.startswith("An autoencoder's codes of") for t in titles)
    assert len(at.get("image")) >= 1  # the VAE's decoded manifold
    links = [link.proto.label for link in at.get("page_link")]
    assert f"Start the first lesson: {LESSONS[0].title}" in links
    t = texts(at)
    assert "can't generate" not in t and "nothing is trained" not in t.lower()
    assert "What you will learn:** How" in t  # a capital after the colon


def test_model_table_every_column_visible_and_no_none():
    need("vae-2d")
    at = app(PAGE)
    assert_ok(at)
    table = at.dataframe[0].value
    assert len(table) == len(zoo.names())
    assert len(table.columns) <= 10  # fits the page's width (the CSV adds a line about each model)
    cells = table.astype(str).to_numpy().ravel()
    assert not any(c in ("None", "nan", "NaN", "") for c in cells)
    ae = table[table["model"] == "ae-2d"].iloc[0]
    assert ae["KL"] == "—" and ae["β"] == "—" and ae["−ELBO"] == "—"


def test_without_the_ae_codes_the_page_still_lists_the_lessons(partial_cache):
    partial_cache("vae-2d")
    at = app(PAGE)
    assert_ok(at)
    assert any("opening picture needs" in w.value for w in at.warning)
    links = [link.proto.label for link in at.get("page_link")]
    assert all(any(lesson.title in label for label in links) for lesson in LESSONS)
