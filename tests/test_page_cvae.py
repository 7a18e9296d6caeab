"""AppTest runs of the Conditional VAE page (pages/10_Conditional_VAE.py)."""

from __future__ import annotations

import pytest

from tests.pageutil import app, assert_bound, assert_ok, assert_stopped_by_cache_error, need, texts

PAGE = "pages/10_Conditional_VAE.py"
pytestmark = pytest.mark.slow


def test_default_view_reads_like_a_lesson():
    need("cvae-2d", "vae-2d")
    at = app(PAGE)
    assert (
        at.title[0].value == ":material/label: Conditional VAE"
    )  # a bundled icon: no emoji font needed
    body = texts(at)
    for part in (
        "What you will learn",
        "The idea",
        "One manifold per digit",
        "Same z, every digit",
        "Does the latent map still sort the digits?",
        "What to notice",
        "5-nearest-neighbour",
        "Test image #0's hand",
    ):
        assert part in body, part
    assert not at.error
    assert any(r"\log p(x \mid y)" in x.value and r"\mathrm{KL}" in x.value for x in at.latex)
    assert at.selectbox(key="cvae_digit").value == 3
    assert at.slider(key="cvae_n").value == 15
    assert at.number_input(key="cvae_seed").value == 0
    assert len(at.metric) == 2 and all(m.value.endswith("%") for m in at.metric)
    assert len(at.get("vega_lite_chart")) == 2  # vae-2d and cvae-2d side by side
    assert_bound(at, "cvae_digit", "cvae_n", "cvae_seed")  # each in the link under its key


def test_every_control_moves_without_error():
    need("cvae-2d", "vae-2d")
    at = app(PAGE)
    at.selectbox(key="cvae_digit").set_value(7).run()
    assert_ok(at)
    assert "is a 7" in texts(at) and at.selectbox(key="cvae_digit").value == 7
    at.slider(key="cvae_n").set_value(8).run()
    assert_ok(at)
    assert "of the 64 tiles" in texts(at) and at.slider(key="cvae_n").value == 8
    at.number_input(key="cvae_seed").set_value(23).run()
    assert_ok(at)
    assert at.number_input(key="cvae_seed").value == 23
    assert_bound(at, "cvae_digit", "cvae_n", "cvae_seed")
    assert "Measured on this grid" in texts(at) and "row (z)" in texts(at)


def test_query_params_set_the_view():
    need("cvae-2d", "vae-2d")
    at = app(PAGE, {"cvae_digit": "8", "cvae_n": "10", "cvae_seed": "27"})
    assert at.selectbox(key="cvae_digit").value == 8
    assert at.slider(key="cvae_n").value == 10
    assert at.number_input(key="cvae_seed").value == 27
    assert "of the 100 tiles" in texts(at) and "is an 8" in texts(at)


def test_missing_model_shows_the_cache_error(partial_cache):
    partial_cache()  # the test set only
    at = app(PAGE)
    assert_stopped_by_cache_error(at, "cvae-2d")


def test_a_picked_digit_is_marked_and_kept_in_the_url():
    """A click on the cvae-2d map stores the test index (what _picked does); both maps mark it, the
    style strip uses it, and the address keeps it (cvae_idx=...); a link restores it."""
    import json

    need("cvae-2d", "vae-2d")
    at = app(PAGE)
    assert at.query_params["cvae_idx"] == "0"
    at.session_state["cvae_idx"] = 123
    at.run()
    assert_ok(at)
    assert at.query_params["cvae_idx"] == "123" and "Test image #123's hand" in texts(at)

    def crosses(part: dict) -> int:  # the large cross marker, in nested layers too
        here = int(
            part.get("mark", {}).get("shape") == "cross" and part.get("mark", {}).get("size") == 480
        )
        return here + sum(crosses(layer) for layer in part.get("layer", []))

    assert [crosses(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")][:2] == [
        1,
        1,
    ]  # on both maps
    again = app(PAGE, {"cvae_idx": "77"})
    assert "Test image #77's hand" in texts(again)
    bad = app(PAGE, {"cvae_idx": "100000"})
    assert "Test image #0's hand" in texts(bad) and any(
        "Ignored link parameter" in t.value for t in bad.toast
    )


@pytest.mark.parametrize("digit", [0, 3, 7])
def test_the_stroke_measures_are_measured_on_the_grid_shown(digit):
    """Slant, width and ink against z1 and z2, recomputed from the checkpoint's decoder on the same
    ppf grid: the table the page shows (and names the axes from) holds these correlations."""
    import re

    import numpy as np
    import torch

    from ui.draw.style import GRID_N_DEFAULT, PPF_P_DEFAULT
    from vae import latent, pixels, zoo

    need("cvae-2d")
    at = app(PAGE, {"cvae_digit": str(digit)})
    table = next(m.value for m in at.markdown if "| width (px, slant taken out) |" in m.value)
    xs = latent.ppf_axis(GRID_N_DEFAULT, PPF_P_DEFAULT)
    grid = latent.grid_2d(xs, xs)
    with torch.no_grad():
        imgs = (
            zoo.load("cvae-2d")
            .decode(torch.from_numpy(grid).float(), torch.full((len(grid),), digit))[:, 0]
            .numpy()
        )
    for row, measure in (("slant", pixels.slant), ("width", pixels.width), ("ink", pixels.ink)):
        got = [
            float(v)
            for v in re.search(rf"\| {row} [^|]*\| ([+-][\d.]+) \| ([+-][\d.]+) \|", table).groups()
        ]
        want = pixels.axis_correlations(measure(imgs), grid)
        np.testing.assert_allclose(got, want, atol=0.011)
