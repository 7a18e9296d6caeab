"""AppTest runs of pages/03_Grid_vs_ppf.py (needs cache/models and cache/codes of vae-2d and
ae-2d)."""

from __future__ import annotations

import pytest

from tests.pageutil import (
    app,
    assert_bound,
    assert_ok,
    assert_stopped_by_cache_error,
    chart_title,
    need,
    texts,
)

PAGE = "pages/03_Grid_vs_ppf.py"
MODELS = ("vae-2d", "ae-2d")
pytestmark = pytest.mark.slow


def need_models() -> None:
    need(*MODELS)


def mosaics(at) -> list[tuple[str, tuple[int, int]]]:
    """(title, PNG size in pixels) of every mosaic chart on the page (an image layer in a Vega-Lite
    chart)."""
    import base64
    import io
    import json

    import pyarrow as pa
    from PIL import Image

    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        image = [
            layer for layer in spec.get("layer", []) if layer.get("mark", {}).get("type") == "image"
        ]
        if not image:
            continue
        data = {d.name: d.data.data for d in chart.proto.datasets}[image[0]["data"]["name"]]
        url = pa.ipc.open_stream(data).read_all().column("url")[0].as_py()
        png = base64.b64decode(url.split(",", 1)[1])
        out.append((chart_title(spec["title"]), Image.open(io.BytesIO(png)).size))
    return out


def test_default_view():
    need_models()
    at = app(PAGE)
    t = texts(at)
    assert "Grid vs ppf sampling" in t
    for heading in (
        "The numbers",
        "What the VAE's decoder draws there",
        "For contrast",
        "What to notice",
    ):
        assert heading in t, heading
    assert at.slider(key="grid_n").value == 15
    assert tuple(at.slider(key="grid_range").value) == (-3.0, 3.0)
    assert at.select_slider(key="grid_p").value == 0.005
    assert "of the 225 linear-grid points" in t
    assert "codes in the busiest 10 %" in t and "codes covered" not in t  # balance, not coverage
    assert r"\sqrt{-2\\ln(1 - q)}" in t or "sqrt{-2" in t  # the 2-D radius in closed form
    assert len(at.metric) == 6
    side = 15 * 29 - 1  # 15 tiles of 28 pixels and 14 gaps
    assert mosaics(at) == [
        ("Linear grid, z from -3 to 3", (side, side)),
        ("ppf grid, p = 0.005 (z from -2.58 to 2.58)", (side, side)),
        ("AE decoder at its codes' quantiles (p = 0.005)", (side, side)),
    ]
    assert [b.label for b in at.get("download_button")][:3] == ["Download PNG"] * 3


def test_controls():
    need_models()
    at = app(PAGE)
    at.slider(key="grid_n").set_value(8).run()
    assert_ok(at)
    assert "of the 64 linear-grid points" in texts(at)
    at.slider(key="grid_range").set_value((-2.0, 4.5)).run()
    assert_ok(at)
    assert "linear grid over -2 … 4.5" in texts(at)
    assert (
        at.query_params["grid_lo"] == "-2" and at.query_params["grid_hi"] == "4.5"
    )  # custom: links.state_to_url
    at.select_slider(key="grid_p").set_value(0.05).run()
    assert_ok(at)
    assert "Pink diamonds: the ppf grid, from -1.64" in texts(at)
    at.slider(key="grid_n").set_value(30).run()
    assert_ok(at)
    assert "of the 900 linear-grid points" in texts(at)
    assert [size for _, size in mosaics(at)] == [(869, 869)] * 3
    assert mosaics(at)[0][0] == "Linear grid, z from -2 to 4.5"
    assert _marker_size(at) == 11  # markers shrink with n (45 at 15 x 15, as 1/n^2)
    at.segmented_control(key="grid_warp").set_value("u").run()  # the warp: u = Phi(z)
    assert_ok(at)
    assert at.segmented_control(
        key="grid_warp"
    ).value == "u" and "the prior is uniform on this square" in texts(at)
    assert at.slider(key="grid_n").value == 30 and at.select_slider(key="grid_p").value == 0.05
    assert_bound(at, "grid_n", "grid_p", "grid_warp")  # each in the link under its key


def _marker_size(at) -> int:
    import json

    chart = at.get("vega_lite_chart")[0]
    layers = [
        layer
        for layer in json.loads(chart.proto.spec)["layer"]
        if layer.get("encoding", {}).get("shape")
    ]
    return int(layers[0]["mark"]["size"])


def test_the_warp_spaces_the_ppf_grid_evenly():
    """In u = Phi(z) the ppf grid's points are evenly spaced (from p to 1 - p) and the linear grid's
    are not."""
    import numpy as np

    from vae import latent

    xs = latent.ppf_axis(15, 0.005)
    np.testing.assert_allclose(np.diff(latent.to_unit(xs)), (1 - 2 * 0.005) / 14, rtol=1e-9)
    lin = np.diff(latent.to_unit(latent.linear_axis(15, -3, 3)))
    assert lin.max() > 5 * lin.min()  # wide steps in the middle, thin slices at the edges


def test_empty_range_warns():
    need_models()
    at = app(PAGE)
    at.slider(key="grid_range").set_value((1.0, 1.0)).run()
    assert_ok(at)
    assert any("lo < hi" in w.value for w in at.warning)
    assert "What to notice" not in texts(at)


def test_link_sets_controls():
    need_models()
    at = app(
        PAGE,
        {"grid_n": "12", "grid_lo": "-2", "grid_hi": "2.5", "grid_p": "0.01", "grid_warp": "u"},
    )
    assert at.slider(key="grid_n").value == 12
    assert tuple(at.slider(key="grid_range").value) == (-2.0, 2.5)
    assert at.select_slider(key="grid_p").value == 0.01
    assert at.segmented_control(key="grid_warp").value == "u"
    assert "of the 144 linear-grid points" in texts(at)


def test_missing_model_shows_cache_error(partial_cache):
    partial_cache()  # the test set only
    at = app(PAGE)
    assert_stopped_by_cache_error(at, "cannot be used")


@pytest.mark.parametrize(
    "n,lo,hi,p",
    [
        (5, -3.0, 3.0, 0.005),
        (15, -3.0, 3.0, 0.2),
        (30, -5.0, 5.0, 0.0005),
        (15, -1.0, 1.0, 0.05),
        (25, -2.0, 4.0, 0.01),
    ],
)
def test_every_notice_states_a_true_premise(n, lo, hi, p):
    """Across grid sizes, ranges and tail probabilities: the balance notice's verdict and the
    numbers
    of the other two, recomputed with vae.latent from the cache."""
    import numpy as np

    from tests.pageutil import notices
    from vae import artefacts, latent, prior

    need_models()
    at = app(
        PAGE, {"grid_n": str(n), "grid_lo": f"{lo:g}", "grid_hi": f"{hi:g}", "grid_p": f"{p:g}"}
    )
    assert_ok(at)
    outside, balance, ae = notices(at)
    mu = np.asarray(artefacts.load_codes("vae-2d", 2, True)["mu"], dtype=np.float64)
    lin = latent.grid_stats(
        latent.grid_2d(latent.linear_axis(n, lo, hi), latent.linear_axis(n, lo, hi)), mu
    )
    ax = latent.ppf_axis(n, p)
    ppf = latent.grid_stats(latent.grid_2d(ax, ax), mu)
    assert f"{int(round(lin['outside_99'] * n * n))} of the {n * n} linear-grid points" in outside
    if "ppf grid spreads the codes more evenly" in balance:
        assert ppf["top10"] < lin["top10"] - 0.01
    elif "linear grid is the more balanced" in balance:
        assert ppf["top10"] > lin["top10"] + 0.01
    else:
        assert "about as balanced" in balance and abs(ppf["top10"] - lin["top10"]) <= 0.01
    ae_mu = np.asarray(artefacts.load_codes("ae-2d", 2, False)["mu"], dtype=np.float64)
    qx, qy = latent.quantile_axes(ae_mu, n, p)
    st_ae = latent.grid_stats(latent.grid_2d(qx, qy), ae_mu)
    from ui.lessons.words import pct

    assert f"depicts {pct(st_ae['top10'])} of the AE's codes" in ae
    assert f"{pct(prior.share_inside(ae_mu, 0.99))} of the codes lie inside" in ae
    # "span" is the codes' real smallest … largest (it once gave the grid's quantiles as the span)
    assert f"span z₁ {ae_mu[:, 0].min():.3g} … {ae_mu[:, 0].max():.3g}" in ae
    assert f"quantiles, z₁ {qx[0]:.3g} … {qx[-1]:.3g}" in ae
    same = (
        abs(lo - ax[0]) <= 0.05 and abs(hi - ax[-1]) <= 0.05
    )  # a like-with-like comparison, or said not to be
    assert ("Both grids cover the same square" in outside) == same
    assert ("cover different squares" in outside) == (not same)
