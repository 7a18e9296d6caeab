"""Figures are drawn once per distinct input and theme, as PNG; malloc tuning applies on glibc."""

from __future__ import annotations

import io
import os
import sys
import time

import numpy as np
import pytest
import streamlit as st
from pageutil import REPO
from PIL import Image

from ui.draw import altair_charts, png_figures, render
from ui.draw.style import INK
from ui.server import memory

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _images(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((6, 28, 28)).astype(np.float32)  # (6, 28, 28)


def test_png_is_a_png_of_the_figure():
    data = render.png(png_figures.mosaic_figure, _images(), 2, 3, title="six")
    assert data.startswith(PNG_MAGIC)
    im = Image.open(io.BytesIO(data))
    assert im.mode == "RGBA"  # transparent background: reads on the light and the dark theme
    assert im.getpixel((0, 0))[3] == 0


def test_png_draws_once_per_input(monkeypatch):
    calls = []

    def build(images, title):
        calls.append(title)
        return png_figures.image_strip(images, title=title)

    a = render.png(build, _images(0), "a")
    assert render.png(build, _images(0), "a") == a  # same values: served from the cache
    assert calls == ["a"]
    b = render.png(build, _images(1), "a")  # other pixels: drawn again
    assert b != a and calls == ["a", "a"]
    render.png(build, _images(0), "b")
    assert calls == ["a", "a", "b"]


def test_png_per_theme(monkeypatch):
    light = render.png(
        png_figures.mosaic_figure,
        _images(),
        2,
        3,
        xs=np.arange(3.0),
        ys=np.arange(2.0),
        xlabel="z₁",
    )
    monkeypatch.setattr(render, "theme", lambda: "dark")
    dark = render.png(
        png_figures.mosaic_figure,
        _images(),
        2,
        3,
        xs=np.arange(3.0),
        ys=np.arange(2.0),
        xlabel="z₁",
    )
    assert light != dark

    def ink_pixels(data: bytes, hex_colour: str) -> int:
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        a = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
        return int((np.abs(a[..., :3].astype(int) - rgb).sum(-1) < 30)[a[..., 3] > 200].sum())

    # tick labels are drawn in the theme's ink: dark text on light, light text on dark
    assert ink_pixels(light, INK["light"]) > 50 and ink_pixels(light, INK["dark"]) < ink_pixels(
        dark, INK["dark"]
    )
    assert ink_pixels(dark, INK["dark"]) > 50


def test_theme_outside_a_session_is_light():
    assert render.theme() == "light"
    assert render.ink() == INK["light"]


def test_to_png_renders_a_figure():
    fig = png_figures.image_strip(_images()[:2])
    assert render.to_png(fig).startswith(PNG_MAGIC)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_malloc_tuning_applies_on_glibc():
    assert memory.tune() is True


def test_png_never_wider_than_streamlit_shows_unresampled():
    from ui.draw.style import FIGURE_MAX_PX

    wide = render.png(
        png_figures.image_strip, np.zeros((20, 28, 28), dtype=np.float32), size=1.5
    )  # 30 inches
    assert Image.open(io.BytesIO(wide)).width <= FIGURE_MAX_PX


def test_mosaic_png_decodes_only_on_a_miss(monkeypatch):
    from tests.pageutil import need
    from ui.page import model_calls
    from vae.latent import grid_2d, ppf_axis

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
    model_calls.decoded_mosaic_png("vae-2d", grid_2d(xs, xs) * 0.5, 6, 6, xs=xs / 2, ys=xs / 2, title="ppf")
    assert calls == [36, 36]


def test_fingerprint_is_exact_for_large_arrays():
    big = np.zeros((900, 28, 28), dtype=np.float32)  # 705,600 values: Streamlit would sample these
    other = big.copy()
    other[450, 14, 14] = 1e-3  # one pixel differs
    assert render.fingerprint(big) != render.fingerprint(other)
    assert render.fingerprint(big) == render.fingerprint(big.copy())
    assert render.fingerprint({"a": [big, 1]}) != render.fingerprint({"a": [other, 1]})


def test_model_key_changes_with_the_checkpoint(tmp_path, monkeypatch):
    from ui.page import model_calls
    from vae import artefacts

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


def _first_import(tree, wanted) -> int:
    import ast

    for node in tree.body:
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        if any(wanted(n) for n in names):
            return node.lineno
    return 10**9


@pytest.mark.parametrize(
    "script", ["streamlit_app.py"] + sorted(p.name for p in (REPO / "pages").glob("*.py"))
)
def test_every_page_imports_ui_before_torch(script):
    """``ui`` sets OMP_NUM_THREADS=1 on import; it only works if torch is not loaded yet, so no page
    (each may be the first script a fresh server runs) imports torch or ``vae`` before ``ui``."""
    import ast

    path = REPO / script if script == "streamlit_app.py" else REPO / "pages" / script
    tree = ast.parse(path.read_text())
    ui_at = _first_import(tree, lambda n: n == "ui" or n.startswith("ui."))
    torch_at = _first_import(tree, lambda n: n.split(".")[0] in ("torch", "vae"))
    assert ui_at < torch_at, (
        f"{script}: import ui (line {ui_at}) before torch / vae (line {torch_at})"
    )


def test_ui_makes_torch_single_threaded_in_new_threads():
    """In a fresh process, importing ui first gives every new thread (a Streamlit script run) one
    OpenMP thread, so its first torch call does not set up a thread team."""
    import subprocess

    code = (
        "import ui, threading, torch; out = []\n"
        "t = threading.Thread(target=lambda: out.append(torch.get_num_threads())); t.start(); "
        "t.join()\nprint(out[0])"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "OMP_NUM_THREADS"}
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "1"


def test_to_png_draws_a_figure_whatever_canvas_it_has():
    """A figure whose canvas is the plain FigureCanvasBase (it has no pixel buffer) still
    renders."""
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    assert type(fig.canvas) is FigureCanvasBase
    data = render.to_png(fig)
    assert data.startswith(PNG_MAGIC) and Image.open(io.BytesIO(data)).size[0] > 100


def test_a_slot_layer_is_built_once_and_filled_per_run():
    import altair as alt
    import pandas as pd

    calls = []

    def build(points):
        calls.append(1)
        return alt.layer(
            alt.Chart(points).mark_circle().encode(x="x:Q", y="y:Q"),
            alt.Chart(render.slot("marks")).mark_point().encode(x="x:Q", y="y:Q"),
        )

    pts = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0]})
    one = render.fill(render.spec(build, pts), marks=pd.DataFrame({"x": [0.5], "y": [0.5]}))
    two = render.fill(
        render.spec(build, pts), marks=pd.DataFrame({"x": [0.2, 0.3], "y": [0.1, 0.9]})
    )
    assert calls == [1]  # the fixed part was built and converted once
    assert one["layer"][1]["data"] == {"name": "slot-marks"}
    assert len(one["datasets"]["slot-marks"]) == 1 and len(two["datasets"]["slot-marks"]) == 2
    assert (
        one["datasets"][one["layer"][0]["data"]["name"]]
        == two["datasets"][two["layer"][0]["data"]["name"]]
    )


def test_landing_chart_slots_take_this_runs_rows():
    from ui.draw import altair_charts

    xy = np.random.default_rng(0).standard_normal((20, 2))
    frame = altair_charts.codes_frame(xy, np.arange(20) % 10, np.arange(20))
    spec = render.spec(
        altair_charts.landing_chart,
        frame,
        None,
        altair_charts.SLOT,
        altair_charts.SLOT,
        ((-3, 3), (-3, 3)),
        "z₁",
        "z₂",
        "t",
        draws=altair_charts.SLOT,
    )
    ring = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, -1.0]])
    rows = altair_charts.landing_rows(
        (0.5, -0.5),
        "#7",
        ring,
        pd_draws := __import__("pandas").DataFrame({"x": [0.1], "y": [0.2]}),
    )
    filled = render.fill(spec, **rows)
    names = {layer["data"]["name"] for layer in filled["layer"] if "data" in layer}
    assert {"slot-you", "slot-ring", "slot-draws"} <= names
    assert filled["datasets"]["slot-you"]["label"].tolist() == ["#7"]
    assert len(filled["datasets"]["slot-ring"]) == 3 and filled["datasets"]["slot-draws"].equals(
        pd_draws
    )
    empty = altair_charts.landing_rows()  # nothing picked: the slots are empty, not missing
    assert all(len(v) == 0 for v in empty.values())


def test_fingerprint_of_a_frame_is_exact_and_cheap_to_compare():
    import pandas as pd

    xy = np.random.default_rng(0).standard_normal((3000, 2))
    a = altair_charts.codes_frame(xy, np.arange(3000) % 10, np.arange(3000))
    b = altair_charts.codes_frame(xy.copy(), np.arange(3000) % 10, np.arange(3000))
    assert render.fingerprint(a) == render.fingerprint(b)
    hash(render.fingerprint(a))  # hashable: a cache key
    c = a.copy()
    c.loc[1500, "digit"] = "3" if c.loc[1500, "digit"] != "3" else "4"  # one label differs
    assert render.fingerprint(c) != render.fingerprint(a)
    d = a.rename(columns={"x": "z"})
    assert render.fingerprint(d) != render.fingerprint(a)
    assert render.fingerprint(pd.DataFrame({"x": [1.0]})) != render.fingerprint(
        pd.DataFrame({"x": [1]})
    )
