"""AppTest runs of the Interpolation page (pages/08_Interpolation.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pageutil import (
    app,
    assert_bound,
    assert_ok,
    assert_stopped_by_cache_error,
    need,
    notices,
    texts,
)
from vae import artefacts, neighbours, paths, zoo

PAGE = "pages/08_Interpolation.py"
OPEN = ("interp_gif_open",)  # its folded expander, open (tests.pageutil.app): the tests read it
pytestmark = pytest.mark.slow


def gif_images(at):
    return [im for im in at.image if any("looping" in c for c in im.captions)]


def test_default_view_reads_like_a_lesson():
    need("vae-2d")
    at = app(PAGE, opened=OPEN)
    assert (
        at.title[0].value == ":material/timeline: Interpolation"
    )  # a bundled icon: no emoji font needed
    body = texts(at)
    for part in (
        "What you will learn",
        "From test #",
        "Emptiness",
        "What to notice",
        "superposed",
        "at its emptiest",
        "Along the whole path",
    ):
        assert part in body, part
    assert [e.label.split(":")[0] for e in at.expander] == [
        "As an animation",
        "Why a great circle? The shell of the prior",
    ]
    assert (
        len(at.get("vega_lite_chart")) == 2
    )  # the emptiness curves and the square map of the paths
    assert not at.error
    assert at.selectbox(key="interp_model").value == "vae-2d"
    assert at.radio(key="interp_mode").value == "class"
    assert len(at.latex) >= 1
    assert len(gif_images(at)) == 1
    assert_bound(
        at, "interp_model", "interp_mode", "interp_steps", "interp_seed"
    )  # each in the link under its key
    assert (
        at.query_params["interp_a"] == "1" and at.query_params["interp_b"] == "0"
    )  # the endpoints: links.state_to_url


def test_every_control_moves_without_error():
    need("vae-2d")
    at = app(PAGE, opened=OPEN)
    at.selectbox(key="interp_a_digit").set_value(3).run()
    assert_ok(at)
    at.selectbox(key="interp_b_digit").set_value(7).run()
    assert_ok(at)
    assert "(a 3)" in texts(at) and "(a 7)" in texts(at)
    at.number_input(key="interp_seed").set_value(12).run()
    assert_ok(at)
    at.slider(key="interp_steps").set_value(15).run()
    assert_ok(at)
    assert (
        at.slider(key="interp_steps").value == 15 and at.number_input(key="interp_seed").value == 12
    )
    assert at.query_params["interp_a"] == "3" and at.query_params["interp_b"] == "7"
    # the animation's own controls (a fragment)
    at.radio(key="interp_gif_path").set_value("pixels").run()
    assert_ok(at)
    at.slider(key="interp_gif_ms").set_value(200).run()
    assert_ok(at)
    assert "pixel blend" in gif_images(at)[0].captions[0]
    # by test index
    at.radio(key="interp_mode").set_value("index").run()
    assert_ok(at)
    at.number_input(key="interp_a_index").set_value(10).run()
    at.number_input(key="interp_b_index").set_value(11).run()
    assert_ok(at)
    assert "From test #10" in texts(at) and "test #11" in texts(at)
    assert at.query_params["interp_a"] == "10" and at.radio(key="interp_mode").value == "index"
    assert_bound(at, "interp_mode")
    # same index twice: a notice, no error
    at.number_input(key="interp_b_index").set_value(10).run()
    assert_ok(at)
    assert "same point" in texts(at)
    # prototypes; the digits chosen earlier survive the detour through index mode
    at.radio(key="interp_mode").set_value("prototype").run()
    assert_ok(at)
    assert at.selectbox(key="interp_a_digit").value == 3
    assert "the prototype of 3" in texts(at)
    at.radio(key="interp_mode").set_value("prior").run()  # two draws from the prior, by the seed
    assert_ok(at)
    assert "a prior draw" in texts(at) and at.radio(key="interp_mode").value == "prior"


@pytest.mark.parametrize("name", ["vae-10d", "ae-2d"])
def test_other_models(name):
    need(name)
    at = app(PAGE, opened=OPEN)
    at.selectbox(key="interp_model").set_value(name).run()
    assert_ok(at)
    body = texts(at)
    assert "What to notice" in body
    if name == "vae-10d":
        assert "√d" in body
        assert len(at.get("vega_lite_chart")) == 1  # no map in 10-D: the emptiness curves only
    else:
        assert len(at.get("vega_lite_chart")) == 2


def test_query_params_set_the_view():
    need("vae-2d")
    at = app(
        PAGE,
        {
            "interp_model": "vae-2d",
            "interp_mode": "index",
            "interp_a": "12",
            "interp_b": "345",
            "interp_steps": "7",
            "interp_seed": "9",
        },
    )
    assert at.radio(key="interp_mode").value == "index"
    assert at.number_input(key="interp_a_index").value == 12
    assert at.number_input(key="interp_b_index").value == 345
    assert at.slider(key="interp_steps").value == 7
    assert at.number_input(key="interp_seed").value == 9
    assert "From test #12" in texts(at)
    at2 = app(PAGE, {"interp_mode": "prototype", "interp_a": "0", "interp_b": "6"}, opened=OPEN)
    assert at2.selectbox(key="interp_a_digit").value == 0
    assert at2.selectbox(key="interp_b_digit").value == 6
    assert "the prototype of 0" in texts(at2)


def test_missing_model_shows_the_cache_error(partial_cache):
    partial_cache()  # the test set only
    at = app(PAGE, opened=OPEN)
    assert_stopped_by_cache_error(at, "vae-2d")


SWEEP = [
    (n, m) for n in zoo.names() if zoo.entry(n).model.kind != "cvae" for m in ("class", "prior")
]


@pytest.mark.parametrize("name,mode", SWEEP)
def test_every_notice_states_a_true_premise(name, mode):
    """Which path stays closer to the data, the shell story and the unused dimensions, recomputed
    here with scipy's KD-tree (neighbours) from the codes, for every model and both kinds of
    endpoints."""
    need(name)
    at = app(PAGE, {"interp_model": name, "interp_mode": mode}, opened=OPEN)
    _, empty, norm = notices(at)
    codes = np.load(artefacts.codes_path(name))["mu"].astype(np.float64)
    labels = np.load(artefacts.test_set_path())["labels"]
    if mode == "prior":
        za, zb = np.random.default_rng(0).standard_normal((2, codes.shape[1]))
    else:
        ia, ib = paths.pick_pair(labels, 1, 0, 0)
        za, zb = codes[ia], codes[ib]
    usual = neighbours.spacing(codes, 25)
    t = np.linspace(0, 1, 60)
    along = {
        k: neighbours.kth_distance(codes, f(za, zb, t), 25) / usual
        for k, f in (("lerp", paths.lerp), ("slerp", paths.slerp))
    }
    worst = {k: float(v.max()) for k, v in along.items()}
    mean = {k: float(v.mean()) for k, v in along.items()}  # the verdict compares the whole path
    assert f"lerp is {worst['lerp']:.1f}×" in empty and f"slerp {worst['slerp']:.1f}×" in empty
    assert f"on average {mean['lerp']:.2f}×" in empty and f"slerp {mean['slerp']:.2f}×" in empty
    if "great circle (slerp) stays closer" in empty:
        assert mean["lerp"] - mean["slerp"] >= 0.1 * mean["slerp"]
    if "straight line (lerp) stays closer" in empty:
        assert mean["slerp"] - mean["lerp"] >= 0.1 * mean["lerp"]
    if "neither path" in empty:
        assert abs(mean["lerp"] - mean["slerp"]) < 0.1 * min(mean.values())
    unused = int((codes.var(axis=0) <= 0.01).sum())
    if "sit inside it too" in norm:
        assert np.median(np.linalg.norm(codes, axis=1)) < 0.8 * np.sqrt(codes.shape[1])
    if "dimensions are unused" in norm or "dimensions unused" in norm:
        assert norm.count(f"{unused} of {codes.shape[1]} dimensions") == 1 and unused > 0
    elif "median norm" in norm:
        assert unused == 0


def test_paths_differ_by_more_than_colour_and_stand_out_from_the_codes():
    """WCAG 1.4.1: the two paths differ by their dash too (solid lerp, dashed slerp), in the map
    and in the emptiness chart; on the map each path has a halo in the page's colour (one per
    path), so the magenta slerp stays a line where it crosses the magenta digits."""
    from ui.compat import altair_to_vega_lite
    from ui.draw import altair_charts, render
    from ui.lessons.interpolation.claims import PATH_NAMES
    from ui.lessons.interpolation.views import COLORS

    for theme in ("light", "dark"):
        with render.as_theme(theme):
            spec = altair_to_vega_lite(altair_charts.paths_map(PATH_NAMES, COLORS))
            lines = [
                layer
                for layer in spec["layer"]
                if isinstance(layer.get("mark"), dict) and layer["mark"].get("type") == "line"
            ]
            halo, path = lines
            assert halo["mark"]["color"] == render.paper()
            assert halo["encoding"]["detail"]["field"] == "path"
            assert halo["mark"]["strokeWidth"] > path["mark"]["strokeWidth"]
            dash = path["encoding"]["strokeDash"]["scale"]
            assert dash["domain"] == list(PATH_NAMES.values())
            assert dash["range"][0] != dash["range"][1]
            chart = altair_to_vega_lite(altair_charts.emptiness_chart(PATH_NAMES, COLORS, 25))
            enc = next(
                x["encoding"] for x in chart["layer"] if "strokeDash" in x.get("encoding", {})
            )
            assert enc["strokeDash"]["scale"]["range"][0] != enc["strokeDash"]["scale"]["range"][1]


def test_the_gif_is_encoded_once_per_walk_and_speed(monkeypatch):
    """A repeat run (another session's, or a rerun of this one) shows the same GIF without
    encoding it again; a new speed is a new GIF, with that speed in its text alternative."""
    need("vae-2d")
    from ui.lessons.interpolation import views
    from vae import pixels

    calls = []
    encode = pixels.gif_bytes
    monkeypatch.setattr(pixels, "gif_bytes", lambda *a, **k: calls.append(k) or encode(*a, **k))
    views._gif.clear()
    at = app(PAGE, opened=OPEN)
    first = gif_images(at)[0]
    app(PAGE, opened=OPEN)  # a second session, the same view
    at.run()
    assert len(calls) == 1 and calls[0]["duration_ms"] == 120
    at.slider(key="interp_gif_ms").set_value(200).run()
    assert_ok(at)
    assert len(calls) == 2 and calls[1]["duration_ms"] == 200
    assert "200 ms per frame" in gif_images(at)[0].proto.imgs[0].alt
    assert "120 ms per frame" in first.proto.imgs[0].alt
