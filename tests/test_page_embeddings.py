"""AppTest runs of pages/05_Embeddings.py: every control, link parameters, missing cache files."""
from __future__ import annotations

import os

import numpy as np
import pytest

from tests.pageutil import app, assert_ok, assert_stopped_by_cache_error, texts
from vae import artefacts

PAGE = "pages/05_Embeddings.py"
pytestmark = pytest.mark.slow


def built(name: str) -> bool:
    return all(p.exists() for p in (artefacts.checkpoint_path(name), artefacts.codes_path(name),
                                    artefacts.embeddings_path(name)))


def require(*names: str) -> None:
    """Fail when a model, its codes or its embeddings are missing (skip with LATENT_LAB_ALLOW_MISSING=1)."""
    missing = [n for n in names if not built(n)]
    if missing:
        msg = f"model, codes or embeddings not built yet for {', '.join(missing)} (python -m vae.build)"
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(msg)
        pytest.fail(msg)


def line_value(at) -> list[float]:
    return [at.number_input(key=k).value for k in ("emb_x0", "emb_y0", "emb_x1", "emb_y1")]


def test_default_view():
    require("vae-10d")
    at = app(PAGE)
    t = texts(at)
    for s in ("Embeddings", "The idea", "Three maps of the same codes", "Walking along a line",
              "can't be inverted", "What PCA's two axes keep", "two dimensions at a time", "What to notice",
              "trustworthiness", "5-NN accuracy"):
        assert s in t, s
    assert not at.error
    assert at.selectbox(key="emb_model").value == "vae-10d"
    assert at.selectbox(key="emb_method").value == "tsne"
    assert at.slider(key="emb_n").value == 10
    assert at.multiselect(key="emb_dims").value == [0, 1, 2]
    labels = [m.label for m in at.metric]
    assert labels.count("trustworthiness") == 3 and labels.count("5-NN accuracy") == 3
    assert len(at.get("image")) >= 1  # decoded codes along the line


def test_every_control():
    require("vae-10d")
    at = app(PAGE)
    before = line_value(at)
    at.selectbox(key="emb_method").set_value("pca").run()
    assert_ok(at)
    assert line_value(at) != before  # another map: its own default line
    for key, v in zip(("emb_x0", "emb_y0", "emb_x1", "emb_y1"), (-1.0, -0.5, 1.0, 0.5)):
        at.number_input(key=key).set_value(v).run()
        assert_ok(at)
    at.slider(key="emb_n").set_value(6).run()
    assert_ok(at)
    at.selectbox(key="emb_method").set_value("umap").run()
    assert_ok(at)
    at.multiselect(key="emb_dims").set_value([3, 4, 5, 6]).run()
    assert_ok(at)
    assert at.query_params["method"] == "umap"
    assert at.query_params["n"] == "6"
    assert at.query_params["dims"] == "3,4,5,6"
    assert len(at.query_params["line"].split(",")) == 4
    assert "What to notice" in texts(at)


def test_other_model():
    require("vae-10d")
    others = [n for n in ("ae-10d", "vae-10d-beta0.1", "vae-10d-beta4") if built(n)]
    if not others:
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip("no other 10-D model with embeddings built yet")
        pytest.fail("no other 10-D model with embeddings built")
    at = app(PAGE)
    at.selectbox(key="emb_model").set_value(others[0]).run()
    assert_ok(at)
    assert at.query_params["model"] == others[0]
    assert "What to notice" in texts(at)


def test_degenerate_inputs_are_explained():
    require("vae-10d")
    at = app(PAGE, {"method": "pca", "line": "1,1,1,1"})
    assert any("same point" in i.value for i in at.info)
    at.multiselect(key="emb_dims").set_value([2]).run()
    assert_ok(at)
    assert any("at least two" in w.value for w in at.warning)
    at = app(PAGE, {"method": "pca", "line": "9000,9000,9500,9500"})
    assert any("away from every code" in w.value for w in at.warning)


def test_link_parameters():
    require("vae-10d")
    at = app(PAGE, {"n": "12", "method": "umap", "line": "0.5,-1,2,3.25", "dims": "1,4", "model": "vae-10d"})
    assert at.slider(key="emb_n").value == 12
    assert at.selectbox(key="emb_method").value == "umap"
    assert np.allclose(line_value(at), [0.5, -1.0, 2.0, 3.25])
    assert at.multiselect(key="emb_dims").value == [1, 4]


def test_garbage_link_parameters_fall_back():
    require("vae-10d")
    at = app(PAGE, {"n": "many", "method": "lda", "line": "1,2,nan", "dims": "0,0,99", "model": "vae-99d"})
    assert at.slider(key="emb_n").value == 10
    assert at.selectbox(key="emb_method").value == "tsne"
    assert at.selectbox(key="emb_model").value == "vae-10d"
    assert at.multiselect(key="emb_dims").value == [0, 1, 2]
    x0, y0, x1, y1 = line_value(at)
    assert np.isfinite([x0, y0, x1, y1]).all() and (x0, y0) != (x1, y1)
    assert "What to notice" in texts(at)


def test_missing_embeddings_show_the_cache_error(partial_cache):
    """Before the embeddings exist the page shows the cache message, not a traceback."""
    partial_cache("vae-10d")  # the model and its codes (when built), no embeddings
    at = app(PAGE)
    assert_stopped_by_cache_error(at, "vae-10d.npz", "missing")
