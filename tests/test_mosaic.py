"""Mosaics as 8-bit PNGs (vae/mosaic.py) and the browser-drawn mosaic chart
(ui.draw.altair_charts.mosaic_spec)."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from PIL import Image

from ui.draw import altair_charts, png_figures, render
from vae import mosaic
from vae.latent import grid_2d, ppf_axis


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _images(m: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((m, 28, 28)).astype(np.float32)  # (m, 28, 28)


def test_tile_layout_and_gaps():
    imgs = _images(5)
    big = mosaic.tile(imgs, 3)  # 2 rows, the last one short
    assert big.shape == (2 * 29 - 1, 3 * 29 - 1) and big.dtype == np.float32
    np.testing.assert_array_equal(big[29:57, 29:57], imgs[4])  # row 1, column 1
    assert (big[28] == mosaic.PAD_VALUE).all()  # the gap between rows
    assert (big[29:, 58:] == mosaic.PAD_VALUE).all()  # the missing sixth tile
    u8 = mosaic.tile(mosaic.to_uint8(imgs), 3)
    assert u8.dtype == np.uint8 and u8[28, 0] == round(mosaic.PAD_VALUE * 255)


def test_to_uint8_rounds_and_clips():
    np.testing.assert_array_equal(
        mosaic.to_uint8(np.array([-0.5, 0.0, 0.5, 1.0, 2.0])), [0, 0, 128, 255, 255]
    )


def test_png_round_trip():
    imgs = _images(12)
    png = mosaic.mosaic_png(imgs, 4)
    im = Image.open(io.BytesIO(png))
    assert im.mode == "L" and im.size == (4 * 29 - 1, 3 * 29 - 1)
    back = mosaic.png_images(png, 3, 4)
    assert back.shape == (12, 28, 28)
    np.testing.assert_allclose(back, imgs, atol=0.5 / 255 + 1e-6)  # 8 bits, rounded


def test_mosaic_spec_draws_the_png_in_latent_axes():
    xs = ppf_axis(5)
    png = mosaic.mosaic_png(_images(25), 5)
    s = altair_charts.mosaic_spec(png, 5, 5, xs, xs, title="ppf grid")
    image, cells = s["layer"]
    assert image["mark"]["type"] == "image" and cells["mark"]["type"] == "rect"
    assert s["title"] == "ppf grid" and s["width"] == altair_charts.MOSAIC_PX
    (data,) = [v for k, v in s["datasets"].items() if k == image["data"]["name"]]
    rows = (
        data if isinstance(data, pd.DataFrame) else pa.ipc.open_stream(data).read_all().to_pandas()
    )  # Arrow bytes
    url = rows["url"].iloc[0]
    assert (
        url.startswith("data:image/png;base64,") and base64.b64decode(url.split(",", 1)[1]) == png
    )
    assert (rows[["x0", "x1", "y0", "y1"]].iloc[0].tolist()) == [
        -0.5,
        4.5,
        -0.5,
        4.5,
    ]  # the tiles' outer edges
    axis = image["encoding"]["x"]["axis"]
    assert axis["values"] == [0, 1, 2, 3, 4]
    assert axis["labelExpr"].startswith(f"['{xs[0]:.1f}'")  # tick at column 0 reads z₁ = xs[0]
    assert (
        cells["data"]["sequence"]["stop"] == 25
    )  # one hover cell per tile, generated in the browser
    assert [t["title"] for t in cells["encoding"]["tooltip"]] == ["z₁", "z₂"]
    json.dumps({k: v for k, v in s.items() if k != "datasets"})  # the rest is plain JSON


def test_mosaic_spec_converts_once_per_grid(monkeypatch):
    xs = ppf_axis(6)
    converted = []
    real = render._to_spec
    monkeypatch.setattr(render, "_to_spec", lambda c: converted.append(1) or real(c))
    altair_charts.mosaic_spec(mosaic.mosaic_png(_images(36), 6), 6, 6, xs, xs, title="a")
    assert len(converted) == 2  # the image layer with its axes, and the hover cells
    altair_charts.mosaic_spec(
        mosaic.mosaic_png(_images(36, seed=1), 6), 6, 6, xs, xs, title="a"
    )  # another image
    assert len(converted) == 2
    altair_charts.mosaic_spec(
        mosaic.mosaic_png(_images(49), 7), 7, 7, ppf_axis(7), ppf_axis(7), title="a"
    )
    assert len(converted) == 4


def test_axis_labels_at_most_eight():
    for n in (5, 8, 9, 15, 30):
        axis = altair_charts._mosaic_scales(
            n, n, np.arange(n, dtype=float), np.arange(n, dtype=float)
        )[1]
        assert 1 <= len(axis.values) <= 8 and axis.values[0] == 0


def test_grid_png_decodes_once_and_matches_the_decoder(monkeypatch):
    from tests.pageutil import need
    from ui.page import model_calls

    need("vae-2d")
    calls = []
    real = model_calls.decode
    monkeypatch.setattr(
        model_calls, "decode", lambda name, z, y=None: calls.append(len(z)) or real(name, z, y)
    )
    xs = ppf_axis(6)
    a = model_calls.grid_png("vae-2d", xs, xs)
    b = model_calls.grid_png("vae-2d", xs, xs)
    assert a == b and calls == [36]
    expect = (
        mosaic.to_uint8(real("vae-2d", grid_2d(xs, xs))).astype(np.float32) / 255
    )  # (36, 28, 28)
    np.testing.assert_array_equal(mosaic.png_images(a, 6, 6), expect)
    model_calls.grid_png("vae-2d", xs / 2, xs / 2)
    assert calls == [36, 36]


def test_mosaic_png_figure_for_downloads():
    xs = ppf_axis(4)
    png = render.png(
        png_figures.mosaic_png_figure,
        mosaic.mosaic_png(_images(16), 4),
        4,
        4,
        xs=xs,
        ys=xs,
        xlabel="z₁",
        ylabel="z₂",
        title="t",
    )
    assert Image.open(io.BytesIO(png)).format == "PNG"
