"""Embeddings' warm-up job (``ui.lessons.embeddings.views._warm``, queued by ``ui.server.warmup`` at
the server's start): for every model the lesson offers, what a first view builds from the model
alone (KD-trees, each map's points, the spectrum's charts, the pair plot at its default
dimensions) is built once, in the view most students open (light theme, normal size), so the
page's first view of a model finds it cached."""

from __future__ import annotations

import pytest

from tests.pageutil import app, need
from ui.draw import altair_charts, png_figures
from ui.lessons.embeddings import computed, views
from ui.server import warmup
from vae import neighbours

MODEL = "vae-10d"  # the page's default model


pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_the_embeddings_lesson_registers_its_warm_up():
    assert "ui.lessons.embeddings.views" in warmup.MODULES and views._warm in warmup._jobs


def test_offered_models_are_the_10d_vaes_and_ae():
    from vae import zoo

    names = computed.offered_models()
    assert MODEL in names and "ae-10d" in names
    assert all(zoo.entry(n).model.latent_dim == 10 for n in names)


def test_after_the_warm_up_the_first_view_builds_nothing_of_the_model_alone(monkeypatch):
    need(MODEL, embeddings=True)
    monkeypatch.setattr(computed, "offered_models", lambda: [MODEL])
    built: list[str] = []

    def counting(module, name):
        fn = getattr(module, name)

        def wrapper(*args, **kwargs):
            built.append(name)
            return fn(*args, **kwargs)

        wrapper.__qualname__ = f"counting_{name}"  # one identity for the warm-up and the page
        monkeypatch.setattr(module, name, wrapper)

    counting(png_figures, "pair_figure")
    for chart in ("variance_chart", "budget_chart", "loadings_chart"):
        counting(altair_charts, chart)
    counting(neighbours, "tree")
    views._warm()
    assert sorted(set(built)) == [
        "budget_chart",
        "loadings_chart",
        "pair_figure",
        "tree",
        "variance_chart",
    ]
    built.clear()
    app("pages/05_Embeddings.py")  # the default model's first view, light theme, normal size
    assert built == []
