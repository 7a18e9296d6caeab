"""Chart descriptions and charts on a phone (issue 31): every Vega-Lite chart is drawn with a
description of what it shows in this setting (``render.draw(..., alt=)``, its accessible name), the
description builders of ``ui.draw.alt_text`` state the chart's own numbers (recomputed here), a real
page's
charts carry them (AppTest), and the phone rules of ``ui.draw.render`` (text at least 14 px, a
fixed-width
chart as wide as the screen allows, long titles wrapped) are in the specs sent.
The browser's side (the accessible name Chromium exposes, text size as shown, taps) is in
``tests/test_e2e_phone.py``."""

from __future__ import annotations

import ast
import json
import re

import numpy as np
import pytest

from tests.pageutil import REPO, app, need
from ui.draw import alt_text, render

SOURCES = [
    REPO / "streamlit_app.py",
    *sorted((REPO / "pages").glob("*.py")),
    *sorted((REPO / "ui").glob("*.py")),
]


def test_every_chart_call_passes_a_description():
    """``render.draw`` everywhere passes ``alt``; no page or module draws a chart past it
    (training's
    live charts carry their description in the spec, ``plots.live_loss_chart`` / ``runs_chart``)."""
    missing, direct = [], []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            f, where = node.func, f"{path.relative_to(REPO)}:{node.lineno}"
            if f.attr == "draw" and isinstance(f.value, ast.Name) and f.value.id == "charts":
                if not any(k.arg == "alt" for k in node.keywords):
                    missing.append(where)
            elif f.attr in (
                "vega_lite_chart",
                "line_chart",
                "bar_chart",
                "scatter_chart",
                "area_chart",
            ):
                if path.name != "render.py":
                    direct.append(where)
    assert not missing, missing
    assert not direct, direct


def test_draw_refuses_a_chart_without_a_description():
    spec = {
        "mark": "point",
        "data": {"values": [{"x": 1}]},
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }
    for alt in (None, "", "   "):
        with pytest.raises(ValueError):
            render.draw(spec, alt=alt)


def test_scatter_description_states_each_digits_centre():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 500)
    xy = rng.normal(size=(500, 2)) + labels[:, None]
    text = alt_text.scatter("Codes of vae-2d", xy, labels)
    assert text.startswith("Codes of vae-2d. 500 points coloured by digit")
    for k in range(10):
        c = xy[labels == k].mean(axis=0)
        want = f"{k} at ({c[0]:.1f}, {c[1]:.1f})".replace("-", "−")
        assert want in text, (want, text)
    assert f"z₁ from {xy[:, 0].min():.1f}".replace("-", "−") in text
    assert "legend" in text and "legend" not in alt_text.scatter("x", xy, labels, legend=False)


def test_curve_bars_and_tables_name_their_numbers():
    text = alt_text.curve("Loss per epoch", [1, 2, 3, 4], [5.0, 2.0, 3.0, 4.5], "epoch", "nats")
    assert text == (
        "Loss per epoch. nats against epoch: 5 at epoch = 1, 4.5 at epoch = 4; lowest 2 at epoch = "
        "2, highest 5 at epoch = 1."
    )
    assert alt_text.bars("KL per dimension", ["z1", "z2", "z3"], [0.5, 2.0, 1.0], " nats") == (
        "KL per dimension. Largest first: z2 2 nats, z3 1 nats and z1 0.5 nats."
    )
    assert alt_text.bars("x", list("abc"), [1, 3, 2], top=2).endswith("b 3 and c 2 and 1 smaller.")
    share = np.zeros(10)
    share[[1, 7]] = [0.75, 0.25]
    assert (
        alt_text.mix("Mixes", ["draws"], [share]) == "Mixes. draws: mostly 1 (75 %) and 7 (25 %)."
    )
    v = np.array([[0.0, 2.0], [-1.0, 0.5]])
    assert (
        alt_text.heatmap("H", ["r0", "r1"], ["c0", "c1"], v, top=1)
        == "H. 2 rows by 2 columns. Largest: r0 at c1 (2.00); smallest: r1 at c0 (−1.00)."
    )
    text = alt_text.histogram("z1", np.array([0.0, 1.0, 2.0, 4.0]), np.array([3, 3, 5, 5]))
    assert "4 values from 0.00 to 4.00" in text and text.endswith("3 (0.50) and 5 (3.00).")
    assert alt_text.listing_sentence("Rungs", ["a", "b"]) == "Rungs: a; b."
    assert alt_text.curve("Empty", [1], [np.nan], "x", "y") == "Empty."


def _vega_charts(at) -> list:
    """The Vega-Lite charts of an AppTest run, as their protos, in order."""
    out = []

    def walk(node):
        if getattr(node, "type", None) == "vega_lite_chart":
            out.append(node.proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def _name(proto) -> str:
    return proto.alt or json.loads(proto.spec).get("description", "")


def test_kl_weighting_charts_describe_their_numbers():
    """KL weighting at β = 2: every chart has a description; the rate-distortion chart's lists every
    rung's test-set rate and distortion (the checkpoints' own metrics), the codes map each digit's
    centre."""
    need("vae-2d")
    from ui.lessons import ladders
    from ui.page import loaders
    from vae import zoo

    at = app("pages/02_KL_weighting.py", {"kl_beta": "2"}, opened=("kl_training_open",))
    names = [_name(p) for p in _vega_charts(at)]
    assert len(names) >= 5 and all(len(n.split()) >= 8 for n in names), names
    rd = next(n for n in names if n.startswith("Rate (KL) and distortion"))
    assert "β = 2 ringed" in rd
    for b in zoo.BETAS_2D:
        meta = loaders.try_info(zoo.beta_name(2, b))
        if meta is not None:
            m = meta["metrics"]
            assert (
                f"β = {b:g}: rate {float(m['test_kl']):.3g}, distortion "
                f"{float(m['test_recon']):.1f}" in rd
            ), rd
    codes = next(n for n in names if n.startswith("Test codes μ of"))
    assert codes == ladders.codes_alt(zoo.beta_name(2, 2.0))
    mu, labels, sub = (
        np.asarray(loaders.codes(zoo.beta_name(2, 2.0))["mu"]),
        loaders.test_set()[1],
        loaders.scatter_subset(),
    )
    c = mu[sub][labels[sub] == 1].mean(axis=0)
    assert f"1 at ({c[0]:.1f}, {c[1]:.1f})".replace("-", "−") in codes


# --- on a phone
# -----------------------------------------------------------------------------------------


def test_chart_text_is_at_least_10_pt_outside_presenter_mode():
    """Outside presenter mode chart text is at least MIN_FONT_PX (above 10 pt, 13.3 CSS px) on a
    desktop and a phone alike; in presenter mode it is larger still."""
    cfg = render.text_config()
    assert cfg["axis"]["labelFontSize"] == cfg["text"]["fontSize"] == render.MIN_FONT_PX > 13.3
    assert render.fs(9) == render.MIN_FONT_PX and render.fs(16) == 16
    with render.as_present(True):
        assert render.fs(9) == render.PRESENT_FONT_PX - 1


def _params(spec: dict) -> dict[str, str]:
    return {p["name"]: p["expr"] for p in spec.get("params", []) if "expr" in p}


def test_a_fixed_width_chart_fits_a_phone():
    """A square map (autosize pad: the width is the plot's) leaves room for its axes and legend; a
    chart whose width holds everything (Streamlit's "fit") only the page's margin; height
    follows."""
    square = {
        "width": 400,
        "height": 400,
        "autosize": {"type": "pad", "contains": "padding"},
        "encoding": {"color": {"field": "digit", "type": "nominal"}},
    }
    p = _params(render.phone_size(square))
    room = re.search(r"windowSize\(\)\[0\] - (\d+)", p["width"]).group(1)
    assert int(room) == round(
        render.PHONE_MARGIN_PX + render.PHONE_AXES_PX + render._legend_px(square)
    )
    assert p["width"].startswith("windowSize()[0] < 640 ? min(400,") and p["width"].endswith(
        ": 400"
    )
    assert p["height"] == "round(width * 1)"
    p = _params(render.phone_size({"width": 520, "height": 260}))
    assert "windowSize()[0] - 32" in p["width"] and p["height"] == "round(width * 0.5)"
    stretch = {"mark": "line"}
    assert render.phone_size(stretch) == stretch


def test_a_long_title_wraps_on_a_phone():
    title = "VAE test codes μ, the prior's contours and the grids' sampling points"
    out = render.phone_size(
        {"title": title, "layer": [{"title": {"text": title, "anchor": "start"}}, {}]}
    )
    for t in (out["title"], out["layer"][0]["title"]):
        expr = t["text"]["expr"]
        lines = json.loads(re.search(r"\? (\[.*?\]) :", expr).group(1))
        assert " ".join(lines) == title and max(map(len, lines)) <= render.PHONE_TITLE_CHARS
        assert expr.endswith(json.dumps(title, ensure_ascii=False))
    assert out["layer"][0]["title"]["anchor"] == "start"
    assert render.phone_size({"title": "Short"})["title"] == "Short"


def test_the_theme_sets_presenter_or_phone_text():
    """The Altair theme: presenter mode's large text, else the 10 pt minimum (and a canvas)."""
    with render.as_present(True):
        assert render._canvas()["config"] == render.present_config()
    with render.as_present(False):
        theme = render._canvas()
        assert (
            theme["config"] == render.text_config()
            and theme["usermeta"]["embedOptions"]["renderer"] == "canvas"
        )
