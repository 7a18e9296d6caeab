"""ui.draw.render: figures are drawn once per distinct input and theme, as PNG; Altair charts are
converted once per input, their per-run layers filled into slots; fingerprints are exact."""

from __future__ import annotations

import io

import numpy as np
import pytest
import streamlit as st
from PIL import Image

from ui.draw import altair_charts, png_figures, render
from ui.draw.style import INK

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


def test_png_never_wider_than_streamlit_shows_unresampled():
    from ui.draw.style import FIGURE_MAX_PX

    wide = render.png(
        png_figures.image_strip, np.zeros((20, 28, 28), dtype=np.float32), size=1.5
    )  # 30 inches
    assert Image.open(io.BytesIO(wide)).width <= FIGURE_MAX_PX


def test_fingerprint_is_exact_for_large_arrays():
    big = np.zeros((900, 28, 28), dtype=np.float32)  # 705,600 values: Streamlit would sample these
    other = big.copy()
    other[450, 14, 14] = 1e-3  # one pixel differs
    assert render.fingerprint(big) != render.fingerprint(other)
    assert render.fingerprint(big) == render.fingerprint(big.copy())
    assert render.fingerprint({"a": [big, 1]}) != render.fingerprint({"a": [other, 1]})


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


def _layer_rows(spec: dict, layer: dict) -> list[dict] | None:
    """A layer's rows, wherever the spec keeps them (inline, a dataset, Arrow bytes)."""
    import pandas as pd
    import pyarrow as pa

    data = layer.get("data", {})
    rows = spec.get("datasets", {}).get(data["name"]) if "name" in data else data.get("values")
    if isinstance(rows, (bytes, bytearray)):
        rows = pa.ipc.open_stream(rows).read_all().to_pandas()
    return rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows


def test_pca_code_map_built_once_is_the_chart_built_for_each_code():
    """The Latent explorer's PCA map is built once per model, each code filling its cross and
    domains: the same layers, rows, encodings and square domains as the whole chart built for that
    code (only Altair's generated view names differ), and a second code builds no chart."""
    import json
    import re

    rng = np.random.default_rng(0)
    codes, digits = rng.standard_normal((300, 8)), rng.integers(0, 10, 300)
    mean = codes.mean(0)
    comps = np.linalg.svd(codes - mean)[2]
    built = []
    real = altair_charts._pca_code_map

    def counted(*args):
        built.append(1)
        return real(*args)

    altair_charts._pca_code_map = counted
    try:
        for z in (rng.standard_normal(8) * 3, rng.standard_normal(8)):
            got = altair_charts.pca_code_chart(codes, digits, np.arange(300), mean, comps, z)
            xy = (codes - mean) @ comps[:2].T
            you = tuple(float(v) for v in (z - mean) @ comps[:2].T)
            want = render._to_spec(
                altair_charts.landing_chart(
                    altair_charts.codes_frame(xy, digits, np.arange(300)),
                    None,
                    you,
                    None,
                    altair_charts.square_domains(np.vstack([xy, [you]])),
                    "PC1",
                    "PC2",
                    "Your code on the test codes' PCA plane",
                    side=260,
                    you_label="z",
                    legend=False,
                )
            )
            assert len(got["layer"]) == len(want["layer"])
            for g, w in zip(got["layer"], want["layer"]):
                assert _layer_rows(got, g) == _layer_rows(want, w)
                rest = [{k: v for k, v in x.items() if k not in ("data", "name")} for x in (g, w)]
                assert rest[0] == rest[1]

            def top(s):
                return re.sub(
                    r"view_\w+",
                    "view",
                    json.dumps(
                        {k: v for k, v in s.items() if k not in ("layer", "datasets")},
                        sort_keys=True,
                    ),
                )

            assert top(got) == top(want)
    finally:
        altair_charts._pca_code_map = real
    assert len(built) == 1  # the second code reused the map
