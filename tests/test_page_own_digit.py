"""AppTest of pages/12_Your_own_digit.py: the drawing pad (absent in AppTest: the page runs on the
drawing it starts with), examples, models, uploads (good, broken, damaged), links."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pageutil import (
    app,
    assert_bound,
    assert_ok,
    bound_keys,
    chart_title,
    need,
    notices,
    texts,
)
from ui.lessons.own_digit.picture import example_label
from ui.lessons.words import a_digit
from vae import artefacts, preprocess

PAGE = "pages/12_Your_own_digit.py"
pytestmark = pytest.mark.slow


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def json_titles(at) -> str:
    """Every chart's specification, as text (the titles sit on its layers)."""
    return " ".join(c.proto.spec for c in at.get("vega_lite_chart"))


def pic_caption(at) -> str:
    """The caption under the picture's thumbnail (the example's name as the page words it)."""
    return next(c for im in at.image for c in im.captions if "the picture as grayscale" in c).strip(
        "` "
    )


def landing(at, title: str) -> tuple[dict, np.ndarray | None, np.ndarray | None]:
    """The spec of the landing chart whose title starts with ``title``, its cross (x, y) and its
    dashed ellipse (n, 2)."""
    import json

    import pyarrow as pa

    def titled(spec: dict) -> bool:  # the title sits on the scatter layer
        return any(
            chart_title(layer.get("title", "")).startswith(title) for layer in spec.get("layer", [])
        )

    chart, spec = next(
        (c, sp) for c in at.get("vega_lite_chart") if titled(sp := json.loads(c.proto.spec))
    )
    data = {
        d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets
    }
    cross = ring = None
    for layer in spec["layer"]:
        mark = layer.get("mark", {})
        rows = data.get(layer.get("data", {}).get("name"))
        if mark.get("type") == "line" and mark.get("strokeDash") == [5, 3]:
            ring = rows[["x", "y"]].to_numpy()
        if mark.get("type") == "point" and mark.get("shape") == "cross":
            cross = rows[["x", "y"]].to_numpy()[0]
    return spec, cross, ring


def assert_square_and_centred(spec: dict, cross: np.ndarray, ring: np.ndarray) -> None:
    """One unit as long across as up (equal domains on a square plot area, padded autosize), and the
    posterior's ellipse around the cross."""
    assert spec["width"] == spec["height"] and spec["autosize"]["type"] == "pad"
    x, y = (spec["layer"][0]["encoding"][a]["scale"]["domain"] for a in ("x", "y"))
    assert np.isclose(x[1] - x[0], y[1] - y[0])
    np.testing.assert_allclose(
        ring.mean(axis=0), cross, atol=1e-6 + 0.02 * np.ptp(ring, axis=0).max()
    )


def test_default_view_is_the_pad_with_a_digit_drawn():
    """No browser runs the pad here, so it reports no strokes: the page shows the drawing it
    starts with (a 3), and the address says a drawing is shown, not an example."""
    need("vae-2d")
    at = app(PAGE)
    assert at.radio(key="own_source").value == "draw"
    assert [m.label for m in at.metric] == [
        "negative ELBO",
        "reconstruction",
        "KL",
        "test digits scoring lower",
    ]
    assert_bound(
        at, "own_source", "own_model"
    )  # each in the link under its key (the default, "draw", left out)
    assert "own_example" not in at.query_params and "own_example" not in bound_keys(
        at
    )  # no example on show
    assert "What to notice" in texts(at) and not at.error
    assert "made from **test digit" not in texts(at)  # a drawing has no test digit behind it
    spec, cross, ring = landing(at, "Test codes of vae-2d")
    assert_square_and_centred(spec, cross, ring)


def test_a_drawing_survives_leaving_the_pad():
    from ui.lessons.own_digit import pad
    from vae.preprocess import strokes_to_mnist

    need("vae-2d")
    at = app(PAGE)
    seven = [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]]
    at.session_state["own_strokes"] = seven
    at.run()
    first = at.metric[0].value
    assert first != app(PAGE).metric[0].value  # not the starter drawing any more
    at.radio(key="own_source").set_value("example").run()
    at.radio(key="own_source").set_value("draw").run()
    assert at.metric[0].value == first and at.session_state["own_strokes"] == seven
    assert strokes_to_mnist(seven).shape == (28, 28) and pad.STARTER


def test_an_empty_pad_asks_for_a_digit():
    need("vae-2d")
    at = app(PAGE)
    at.session_state["own_strokes"] = []
    at.run()
    assert_ok(at)
    assert any("Draw a digit" in i.value for i in at.info) and not at.metric and not at.error


def pad_data(at) -> dict:
    """What the page hands the drawing pad in the browser (its element's JSON data)."""
    import json

    return json.loads(at.get("bidi_component")[0].proto.json)


def assert_well_formed(strokes) -> None:
    """Strokes the pad's JavaScript can draw: each a non-empty list of [x, y] floats in [0, 1]."""
    assert isinstance(strokes, list)
    for stroke in strokes:
        assert isinstance(stroke, list) and stroke, strokes
        for p in stroke:
            assert isinstance(p, list) and len(p) == 2, strokes
            assert all(isinstance(v, float) and 0 <= v <= 1 for v in p), strokes


def _forged(kind: str):
    """Forged pad values of the load test's size (a 24.8 MB message): fresh objects, as a parsed
    JSON message is, not one shared point."""
    if kind == "points":  # 1.2 million points, 24.8 MB as JSON
        return [[[0.123456789, 0.987654321] for _ in range(100_000)] for _ in range(12)]
    if kind == "strokes":
        return [[[0.5, 0.5]] for _ in range(200_000)]
    return "x" * 24_800_000


@pytest.mark.parametrize(
    "kind,words",
    [
        ("points", "too many points"),
        ("strokes", "Too many strokes"),
        ("string", "could not be read"),
    ],
)
def test_a_forged_pad_value_is_refused_and_not_kept(kind, words):
    """A huge value sent as the pad's state (what a forged websocket message does): the page says it
    was not used and shows the last drawing; neither the session state nor the pad's element keeps
    it, and the memory it took is given back at once (it kept about 190 MB per session)."""
    import gc
    import tracemalloc

    need("vae-2d")
    at = app(PAGE)
    starter, score = at.session_state["own_strokes"], at.metric[0].value
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        at.session_state["own_pad"] = {"strokes": _forged(kind)}
        assert tracemalloc.get_traced_memory()[0] - before > 20e6  # it is large
        at.run()
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert_ok(at)
    assert any(words in w.value and "Your last drawing is shown" in w.value for w in at.warning)
    assert at.metric[0].value == score and at.session_state["own_strokes"] == starter
    assert "own_pad" not in at.session_state  # Streamlit's copy of the value is gone
    assert kept < 2e6, kept
    assert len(at.get("bidi_component")[0].proto.json) < 5_000  # nothing large sent back
    at.run()  # the next run shows a new pad (a new key): the browser's copy is dropped too
    assert_ok(at)
    assert at.get("bidi_component")[0].proto.id.endswith("own_pad_1") and not at.warning
    assert at.metric[0].value == score


def test_the_pad_is_only_handed_well_formed_strokes():
    """A stroke without points, string coordinates, a drawing kept malformed: the pad in the
    browser (whose JavaScript broke on these) is only ever handed strokes it can draw."""
    need("vae-2d")
    at = app(PAGE)
    assert_well_formed(pad_data(at)["strokes"])
    # a stroke without points beside a good one: the good one is used and kept, rounded
    at.session_state["own_pad"] = {"strokes": [[], [[0.2, 0.2], [0.812345678, 0.8]]]}
    at.run()
    assert_ok(at)
    assert at.session_state["own_strokes"] == [[[0.2, 0.2], [0.8123, 0.8]]] and len(at.metric) == 4
    at.run()
    assert pad_data(at)["strokes"] == [[[0.2, 0.2], [0.8123, 0.8]]]
    # string coordinates: refused, and the last good drawing is what the pad is handed
    at.session_state["own_pad"] = {"strokes": [[["0.1", "0.2"], [0.3, 0.4]]]}
    at.run()
    assert_ok(at)
    assert any("could not be read" in w.value for w in at.warning)
    at.run()
    assert pad_data(at)["strokes"] == [[[0.2, 0.2], [0.8123, 0.8]]]
    # a drawing kept malformed in the session (not from the pad): the pad gets an empty drawing
    at.session_state["own_strokes"] = [[], [[0.3, "x"]], "?"]
    at.run()
    assert_ok(at)
    assert pad_data(at)["strokes"] == [] and any("could not be read" in w.value for w in at.warning)


def test_default_view_with_an_example():
    need("vae-2d")
    at = app(PAGE, {"own_example": "3-ink-on-paper"})
    t = texts(at)
    assert "Your own digit" in t and "MNIST recipe" in t and "What to notice" in t
    assert at.radio(key="own_source").value == "example"  # a link naming an example shows it
    assert_bound(at, "own_source", "own_model", "own_example")
    assert at.selectbox(key="own_model").value == "vae-2d"
    assert at.selectbox(key="own_example").value == "3-ink-on-paper"
    assert [m.label for m in at.metric] == [
        "negative ELBO",
        "reconstruction",
        "KL",
        "test digits scoring lower",
    ]
    assert at.metric[3].value.endswith("%")
    assert charts(at) == 2  # the histogram and the 2-D latent scatter
    assert "Its code lies at radius" in t and "nearest test codes are" in t
    assert "made from **test digit #18**" in t and "This example is test digit #18" in t
    assert not at.error


@pytest.mark.parametrize("example", sorted(preprocess.example_paths()))
def test_every_example(example):
    need("vae-2d")
    at = app(PAGE, {"own_source": "example"})
    at.selectbox(key="own_example").set_value(example).run()
    assert_ok(at)
    assert not at.error
    assert at.selectbox(key="own_example").value == example and pic_caption(at).startswith(
        example_label(example)
    )
    assert_bound(at, "own_example")
    assert "What to notice" in texts(at)


def test_ten_d_model_nearest_codes_and_embeddings():
    need("vae-2d", "vae-10d")
    at = app(PAGE)
    at.selectbox(key="own_model").set_value("vae-10d").run()
    assert_ok(at)
    t = texts(at)
    assert "10-D latent space" in t and "nearest test codes are" in t
    assert "Its code lies at radius" not in t  # no 2-D scatter for a 10-D model
    if artefacts.embeddings_path("vae-10d").exists():
        assert at.radio(key="own_embed").value == "pca"
        assert "PCA is a linear map" in t
        spec, cross, ring = landing(at, "PCA of vae-10d")
        assert_square_and_centred(spec, cross, ring)  # the posterior mapped by the same projection
        for method in ("tsne", "umap"):
            at.radio(key="own_embed").set_value(method).run()
            assert_ok(at)
            assert "cannot place a point" in texts(at)
    else:
        assert any("embeddings" in i.value for i in at.info)


def test_missing_model_shows_the_cache_error(partial_cache):
    """A cache/ without the chosen model: the page says which file and how to rebuild it."""
    need("vae-2d")
    partial_cache()
    at = app(PAGE, {"own_model": "vae-32d"})
    assert at.selectbox(key="own_model").value == "vae-32d"
    assert any("vae-32d.pt" in e.value and "python -m vae.build" in e.value for e in at.error)
    assert (
        "Not built yet: " in at.selectbox(key="own_model").help
        and "vae-32d" in at.selectbox(key="own_model").help
    )


def test_upload_good_then_broken_then_back_to_examples():
    need("vae-2d")
    at = app(PAGE)
    at.radio(key="own_source").set_value("upload").run()
    assert_ok(at)
    assert any("Choose a picture" in i.value for i in at.info)
    good = (preprocess.EXAMPLES_DIR / "5-grey-paper.png").read_bytes()
    at.file_uploader(key="own_upload").set_value(("my five.png", good, "image/png")).run()
    assert_ok(at)
    assert not at.error and len(at.metric) == 4
    elbo = at.metric[0].value
    assert at.radio(key="own_source").value == "upload"
    assert (
        "own_example" not in bound_keys(at) and "own_example" not in at.query_params
    )  # an upload is not an example
    # not a picture: a clear message, and the last good upload stays on screen
    at.file_uploader(key="own_upload").set_value(
        ("notes.png", b"this is not a picture", "image/png")
    ).run()
    assert_ok(at)
    assert any("notes.png" in e.value and "not an image" in e.value for e in at.error)
    assert "Still showing your last readable picture" in texts(at) and at.metric[0].value == elbo
    # a damaged (truncated) JPEG-named file
    at.file_uploader(key="own_upload").set_value(("cut.jpg", good[:300], "image/jpeg")).run()
    assert_ok(at)
    assert any("cut.jpg" in e.value and "damaged" in e.value for e in at.error)
    # a blank picture: readable, but no digit
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, format="PNG")
    at.file_uploader(key="own_upload").set_value(("blank.png", buf.getvalue(), "image/png")).run()
    assert_ok(at)
    assert any("blank" in e.value for e in at.error)
    # the uploader emptied: the last good picture stays, said so
    at.file_uploader(key="own_upload").clear().run()
    assert_ok(at)
    assert "Showing your last picture, ` my five.png `" in texts(at) and at.metric[0].value == elbo
    at.radio(key="own_source").set_value("example").run()
    assert_ok(at)
    assert not at.error


def test_first_upload_broken_shows_error_only():
    need("vae-2d")
    at = app(PAGE)
    at.radio(key="own_source").set_value("upload").run()
    at.file_uploader(key="own_upload").set_value(("x.gif", b"GIF89a\x00", "image/gif")).run()
    assert_ok(at)
    assert len(at.error) == 1 and not at.metric


def test_link_restores_model_and_example():
    need("vae-2d", "vae-10d")
    at = app(PAGE, {"own_model": "vae-10d", "own_example": "7-upside-down", "own_embed": "UMAP"})
    assert at.selectbox(key="own_model").value == "vae-10d"
    assert at.selectbox(key="own_example").value == "7-upside-down"
    if artefacts.embeddings_path("vae-10d").exists():
        assert at.radio(key="own_embed").value == "umap" and "UMAP of vae-10d" in json_titles(at)
    assert not at.error and not at.toast


def test_an_unknown_embedding_in_a_link_falls_back_to_pca():
    need("vae-10d", embeddings=True)
    at = app(PAGE, {"own_model": "vae-10d", "own_embed": "lda"})
    assert at.radio(key="own_embed").value == "pca" and "PCA is a linear map" in texts(at)
    assert any("Ignored link parameter(s) own_embed" in t.value for t in at.toast)


def test_a_link_showing_a_drawing_drops_its_example():
    """A drawing is not a bundled example: the example a contradictory link names leaves the
    address."""
    need("vae-2d")
    at = app(PAGE, {"own_source": "draw", "own_example": "7-upside-down"})
    assert at.radio(key="own_source").value == "draw" and "own_example" not in at.query_params


def test_garbage_link_falls_back_to_defaults():
    """The controls' fallback is tests/test_links.py; here: an unknown source still shows a
    digit."""
    need("vae-2d")
    at = app(PAGE, {"own_source": "webcam"})
    assert "What to notice" in texts(at)


def test_camera_source_waits_for_a_photo():
    need("vae-2d")
    at = app(PAGE, {"own_source": "camera"})
    assert_ok(at)
    assert at.radio(key="own_source").value == "camera"
    assert_bound(at, "own_source")
    assert any("Choose a picture" in i.value for i in at.info) and not at.error


STROKE_PROBES = {  # drawings: a digit and the non-digits of the "Try these" row
    "a 3": None,  # the pad's starting drawing
    "a vertical bar": [[[0.5, 0.15], [0.5, 0.85]]],
    "a horizontal bar": [[[0.15, 0.5], [0.85, 0.5]]],
    "the letter A": [[[0.2, 0.85], [0.5, 0.15], [0.8, 0.85]], [[0.33, 0.55], [0.67, 0.55]]],
    "a tap": [[[0.4, 0.4]]],
    "a scribble": [[[0.1, 0.1], [0.9, 0.2], [0.1, 0.4], [0.9, 0.6], [0.2, 0.9], [0.8, 0.8]]],
}


def _check_verdict(at, where):
    import re

    obs = notices(at)
    assert obs and "ordinary" not in " ".join(obs), (where, obs)
    first = obs[0]
    pct = float(at.metric[3].value.rstrip(" %"))
    if "far tail" in first:
        assert pct >= 99, (where, pct)
    elif "for its amount of ink, the model finds it surprising" in first:
        assert pct < 99 and (("unremarkable" in first) == (pct < 90)), (where, pct, first)
        m = re.search(r"only ([\d.]+) % score worse", first)
        assert m is None or float(m.group(1)) <= 5, (where, first)
    elif "A low score does not make it a digit" in first:
        assert pct <= 5, (where, pct)
    else:
        assert "cannot tell it from a digit" in first and 5 < pct < 99, (where, pct, first)
        m = re.search(r"with as much ink, ([\d.]+) % score better", first)
        assert m is None or float(m.group(1)) < 95, (where, first)
    return obs


def test_every_verdict_states_a_true_premise():
    """Every VAE, every drawing of the probe set and every bundled example: the verdict's branch
    matches the numbers on screen, no non-digit is called ordinary, and a bundled example's own
    label is what its neighbourhood is compared with."""
    import re

    from vae import zoo

    vaes = [n for n in zoo.names() if zoo.entry(n).model.kind == "vae"]
    need(*vaes)
    labels = artefacts.load_test_set()[1]
    at = app(PAGE)
    for name in vaes:
        at.selectbox(key="own_model").set_value(name).run()
        at.radio(key="own_source").set_value("draw").run()
        for what, strokes in STROKE_PROBES.items():
            if strokes is not None:
                at.session_state["own_strokes"] = strokes
            else:
                from ui.lessons.own_digit import pad

                at.session_state["own_strokes"] = pad.STARTER
            at.run()
            assert_ok(at)
            _check_verdict(at, (name, what))
        at.radio(key="own_source").set_value("example").run()
        for example in sorted(preprocess.example_paths()):
            at.selectbox(key="own_example").set_value(example).run()
            assert_ok(at)
            obs = _check_verdict(at, (name, example))
            src = preprocess.example_source(preprocess.example_paths()[example])
            near = next(o for o in obs if "nearest test codes are" in o)
            top = int(re.search(r"are \*\*(\d)s\*\*", near).group(1))
            count = int(near.split(" of its")[0])
            if "the neighbourhood agrees" in near:
                assert top == labels[src] and count >= 3, (name, example, near)
            else:
                assert f"yet it is {a_digit(labels[src])}" in near, (name, example, near)


def test_presenter_mode_keeps_the_caveats_and_the_verdict():
    """On a projector the page shows the same warnings: the score is a hint (Nalisnick et al.), and
    the same notices, with the same numbers."""
    need("vae-2d")
    plain, present = app(PAGE), app(PAGE, {"present": "1"})
    assert_ok(present)
    for caveat in (
        "Nalisnick et al., 2019",
        "the score alone does not tell a digit from a non-digit",  # vae-2d: a probe hides
        "the score measures ink as much as digit-ness",
    ):
        assert caveat in texts(plain) and caveat in texts(present), caveat
    assert notices(present) == notices(plain) and len(notices(present)) >= 2
