"""AppTest runs of pages/11_Latent_size.py (VAEs with latent 2 to 32).

The models appear while ``python -m vae.build`` runs; with LATENT_LAB_ALLOW_MISSING=1 tests that
need a model not built yet are skipped, otherwise they fail.
"""
from __future__ import annotations

import os
import shutil

import pytest
import streamlit as st

from pageutil import app, assert_ok, need, texts
from vae import artefacts, zoo

PATH = "pages/11_Latent_size.py"
SIZES = [f"vae-{d}d" for d in zoo.LATENT_SIZES]

pytestmark = pytest.mark.slow


def clear_caches() -> None:
    st.cache_resource.clear()
    st.cache_data.clear()




def test_page_moves_every_control():
    need(*SIZES)
    at = app(PATH)
    page = texts(at)
    for heading in ("Latent size", "The idea", "The same digits through every bottleneck",
                    "What each extra dimension buys", "Active units", "The numbers", "What to notice"):
        assert heading in page, heading
    assert "Left out" not in page and not at.error
    table = at.dataframe[0].value
    assert sorted(table["latent size"]) == list(zoo.LATENT_SIZES)
    assert (table["active units"] <= table["latent size"]).all()
    assert "Test −ELBO by latent size" in page and "Active units: " in page

    at.number_input(key="ls_seed").set_value(123).run()
    assert_ok(at)
    assert at.query_params["seed"] in ("123", ["123"])


def test_query_params_set_the_view():
    need("vae-2d")
    at = app(PATH, {"seed": "12"})
    assert at.number_input(key="ls_seed").value == 12


def test_garbage_query_params_fall_back_to_defaults():
    need("vae-2d")
    at = app(PATH, {"seed": "twelve"})
    assert at.number_input(key="ls_seed").value == 0
    assert "What to notice" in texts(at)


def test_works_with_only_some_models(tmp_path, monkeypatch):
    """With only vae-2d built, the other sizes are listed as missing, never a traceback."""
    need("vae-2d")
    (tmp_path / "models").mkdir()
    (tmp_path / "codes").mkdir()
    shutil.copy(artefacts.test_set_path(), tmp_path / "mnist_test.npz")
    shutil.copy(artefacts.checkpoint_path("vae-2d"), tmp_path / "models" / "vae-2d.pt")
    shutil.copy(artefacts.codes_path("vae-2d"), tmp_path / "codes" / "vae-2d.npz")
    monkeypatch.setenv("LATENT_LAB_CACHE", str(tmp_path))
    clear_caches()
    try:
        at = app(PATH)
        page = texts(at)
        assert "Left out" in page and "vae-32d" in page and "What to notice" in page
        at.number_input(key="ls_seed").set_value(5).run()
        assert_ok(at)
    finally:
        clear_caches()


def test_no_model_at_all(tmp_path, monkeypatch):
    shutil.copy(artefacts.test_set_path(), tmp_path / "mnist_test.npz")
    monkeypatch.setenv("LATENT_LAB_CACHE", str(tmp_path))
    clear_caches()
    try:
        at = app(PATH)
        assert "Left out" in texts(at)
    finally:
        clear_caches()
