"""ui.page.model_calls: a decoded mosaic is decoded and drawn only on a cache miss, a small decode
and a model's scatter rows once per input; a model's cache key follows its checkpoint file."""

from __future__ import annotations

import os
import time

import pytest
import streamlit as st

from tests.pageutil import need
from ui.draw import altair_charts, render
from ui.page import loaders, model_calls
from vae import arrays, artefacts
from vae.latent import grid_2d, ppf_axis

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_mosaic_png_decodes_only_on_a_miss(monkeypatch):
    need("vae-2d")
    calls = []
    real = model_calls.decode

    def counting(name, z, y=None):
        calls.append(len(z))
        return real(name, z, y)

    monkeypatch.setattr(model_calls, "decode", counting)
    xs = ppf_axis(6)
    a = model_calls.decoded_mosaic_png("vae-2d", grid_2d(xs, xs), 6, 6, xs=xs, ys=xs, title="ppf")
    b = model_calls.decoded_mosaic_png("vae-2d", grid_2d(xs, xs), 6, 6, xs=xs, ys=xs, title="ppf")
    assert a == b and a.startswith(PNG_MAGIC)
    assert calls == [36]  # the second call neither decoded nor drew
    model_calls.decoded_mosaic_png(
        "vae-2d", grid_2d(xs, xs) * 0.5, 6, 6, xs=xs / 2, ys=xs / 2, title="ppf"
    )
    assert calls == [36, 36]


def test_model_key_changes_with_the_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENT_LAB_CACHE", str(tmp_path))
    assert model_calls.model_key("vae-2d")[2] == (-1,)  # not built here
    path = artefacts.checkpoint_path("vae-2d")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    first = model_calls.model_key("vae-2d")
    assert first[1] == str(path) and first[2] == artefacts.signature(path) != (-1,)
    time.sleep(0.05)  # past a tick of the kernel's coarse clock
    mtime = path.stat().st_mtime_ns
    path.write_bytes(b"y")  # edited in place, its mtime put back: the key still changes (ctime)
    os.utime(path, ns=(mtime, mtime))
    assert model_calls.model_key("vae-2d") != first


def test_a_small_decode_is_shared_and_each_caller_gets_its_own_copy(monkeypatch):
    need("vae-2d")

    z = ppf_axis(5)[:, None].repeat(2, axis=1)  # (5, 2)
    want = arrays.decode(loaders.model("vae-2d"), z, None, batch=None)
    calls = []
    real = arrays.decode

    def counting(model, codes, y=None, batch=None):
        calls.append(len(codes))
        return real(model, codes, y, batch=batch)

    monkeypatch.setattr(arrays, "decode", counting)
    first = model_calls.decode("vae-2d", z)
    assert (first == want).all() and calls == [5]
    first[:] = 0  # a caller's own copy: changing it changes nothing shared
    again = model_calls.decode("vae-2d", z)
    assert (again == want).all() and calls == [5]  # kept: no second model call
    big = ppf_axis(model_calls.SMALL_DECODE + 1)[:, None].repeat(2, axis=1)
    model_calls.decode("vae-2d", big)
    model_calls.decode("vae-2d", big)
    assert calls == [5, len(big), len(big)]  # a large decode is not kept


def test_code_maps_build_their_scatter_rows_once_per_model(monkeypatch):
    need("ae-2d")
    built = []
    real = model_calls.subset_codes_frame

    def counting(key):
        built.append(key[0])
        return real(key)

    monkeypatch.setattr(model_calls, "subset_codes_frame", counting)
    spec = lambda: render.spec(  # noqa: E731
        altair_charts.scatter, model_calls.subset_codes("ae-2d"), description="codes"
    )
    a, b = spec(), spec()
    assert a == b and built == ["ae-2d"]  # the second spec neither built nor hashed the rows
    rows = real(model_calls.model_key("ae-2d"))
    assert list(rows["index"]) == list(loaders.scatter_subset())
    assert list(rows.columns) == ["x", "y", "digit", "index"]
