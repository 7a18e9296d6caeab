"""AppTest of pages/07_Latent_explorer.py: sliders, starting points, random samples, link
parameters."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from ui.page.link_values import to_slider
from vae import artefacts
from vae.latent import prototypes

PAGE = "pages/07_Latent_explorer.py"
pytestmark = pytest.mark.slow


def sliders(at, d: int = 2) -> list[float]:
    return [at.slider(key=f"lex_z{i}").value for i in range(d)]


def code_line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**z** = ("))


def expected_prototype(name: str, digit: int) -> list[float]:
    mu = np.load(artefacts.codes_path(name))["mu"].astype(np.float32)
    labels = np.load(artefacts.test_set_path())["labels"].astype(np.int64)
    return to_slider(prototypes(mu, labels)[digit])


def test_default_view_sliders_and_pad():
    need("vae-2d")
    at = app(PAGE)
    page = texts(at)
    assert (
        ":material/tune: Latent explorer" in page
        and "What to notice" in page
        and "typical gap" in page
    )
    assert at.selectbox(key="lex_model").value == "vae-2d"
    assert sliders(at) == [0.0, 0.0]
    assert code_line(at) == "**z** = (0.00, 0.00)"
    assert len(at.get("vega_lite_chart")) == 1  # the clickable pad

    at.slider(key="lex_z0").set_value(1.5).run()
    assert_ok(at)
    assert code_line(at) == "**z** = (1.50, 0.00)"
    at.slider(key="lex_z1").set_value(-2.0).run()
    assert code_line(at) == "**z** = (1.50, -2.00)"
    assert (
        at.query_params["lex_z"] == "1.5,-2"
    )  # one parameter for all the sliders: links.state_to_url
    assert "from the origin" in texts(at)
    assert len(at.latex) == 1  # the maths after the picture


def test_start_points_and_reset():
    need("vae-2d")
    at = app(PAGE)
    at.radio(key="lex_start").set_value("prototype").run()
    assert_ok(at)
    assert sliders(at) == expected_prototype("vae-2d", 3)
    at.selectbox(key="lex_start_digit").set_value(7).run()
    assert sliders(at) == expected_prototype("vae-2d", 7)
    assert "prototype of digit 7" in texts(at)

    at.slider(key="lex_z0").set_value(2.5).run()
    assert sliders(at)[0] == 2.5
    at.button(key="lex_reset").click().run()
    assert_ok(at)
    assert sliders(at) == expected_prototype("vae-2d", 7)

    at.radio(key="lex_start").set_value("random").run()
    at.number_input(key="lex_code_seed").set_value(5).run()
    assert_ok(at)
    assert "of test image #" in texts(at)
    assert (
        at.radio(key="lex_start").value == "random"
        and at.number_input(key="lex_code_seed").value == 5
    )
    assert at.selectbox(key="lex_start_digit").value == 7
    assert_bound(
        at, "lex_model", "lex_start", "lex_start_digit", "lex_code_seed", "lex_n", "lex_seed"
    )
    at.radio(key="lex_start").set_value("origin").run()
    assert sliders(at) == [0.0, 0.0]


def test_clicked_point_outside_the_sliders_is_decoded_exactly():
    need("vae-2d")
    at = app(PAGE)
    at.session_state["lex_exact"] = [3.6, -3.8]
    at.run()
    assert_ok(at)
    assert code_line(at) == "**z** = (3.60, -3.80)"
    assert "Decoded at the clicked, linked or starting point exactly" in texts(at)
    at.slider(key="lex_z0").set_value(1.0).run()  # moving a slider leaves the clicked point
    assert code_line(at) == "**z** = (1.00, 0.00)"


def test_random_samples_controls():
    need("vae-2d")
    at = app(PAGE)
    assert len(at.dataframe[0].value) == 8
    at.slider(key="lex_n").set_value(4).run()
    at.number_input(key="lex_seed").set_value(10).run()
    assert_ok(at)
    first = at.dataframe[0].value
    assert len(first) == 4 and list(first.columns[:4]) == ["sample", "|z|", "z₁", "z₂"]
    at.button(key="lex_new").click().run()
    assert_ok(at)
    assert at.number_input(key="lex_seed").value == 11
    assert not first[["z₁", "z₂"]].equals(at.dataframe[0].value[["z₁", "z₂"]])
    assert at.slider(key="lex_n").value == 4
    assert_bound(at, "lex_n", "lex_seed")  # the button's new seed goes to the link too


def test_ten_dimensional_model():
    need("vae-2d", "vae-10d")
    at = app(PAGE)
    at.selectbox(key="lex_model").set_value("vae-10d").run()
    assert_ok(at)
    assert len(sliders(at, 10)) == 10
    assert (
        len(at.get("vega_lite_chart")) == 1
    )  # no pad for 10-D: the code on the test codes' PCA plane
    previews = [im for im in at.image if any("the rest as set" in c for c in im.captions)]
    assert len(previews) == 10  # what moving each slider would decode
    assert list(at.dataframe[0].value.columns[-1:]) == ["z₁₀"]
    at.slider(key="lex_z9").set_value(1.0).run()
    assert_ok(at)
    assert code_line(at).endswith(", 1.00)")


def test_link_parameters_are_used():
    need("vae-2d")
    at = app(PAGE, {"lex_model": "vae-2d", "lex_z": "1.2,-0.5", "lex_n": "5", "lex_seed": "7"})
    assert sliders(at) == [1.2, -0.5]
    assert at.slider(key="lex_n").value == 5 and at.number_input(key="lex_seed").value == 7
    assert len(at.dataframe[0].value) == 5
    assert at.query_params["lex_z"] == "1.2,-0.5"
    at = app(
        PAGE, {"lex_start": "prototype", "lex_start_digit": "7"}
    )  # no code: the sliders start there
    assert sliders(at) == expected_prototype("vae-2d", 7) and "prototype of digit 7" in texts(at)
    at = app(PAGE, {"lex_z": "3.6,0"})  # beyond the sliders but inside the map: decoded exactly
    assert sliders(at) == [3.0, 0.0] and code_line(at) == "**z** = (3.60, 0.00)"


def test_garbage_link_parameters_fall_back():
    need("vae-2d")
    at = app(
        PAGE, {"lex_z": "1,2,3", "lex_n": "abc", "lex_seed": "x", "lex_model": "cvae-2d"}
    )  # the controls: tests/test_links.py
    assert "does not fit vae-2d" in " ".join(w.value for w in at.warning)
    at = app(PAGE, {"lex_z": "nan,1"})
    assert sliders(at) == [0.0, 0.0] and at.warning


def test_the_autoencoder_is_offered_as_the_contrast():
    need("vae-2d", "ae-2d")
    at = app(PAGE, {"lex_model": "ae-2d"})
    assert_ok(at)
    assert at.selectbox(key="lex_model").value == "ae-2d"
    assert "An autoencoder has no prior" in notices(at)[2]
    page = texts(at)  # none of a VAE's words: an AE has no prior, no KL term, no posterior
    assert "centre of the prior" not in page and "KL term pulls" not in page
    assert "posterior mean" not in page and "nothing in an autoencoder's training" in page
    spec = str(at.get("vega_lite_chart")[0].proto.spec)  # the pad's box reaches the AE's codes
    assert "posterior means" not in spec and "encoder's outputs" in spec
    assert "The map spans -38 … 38" in page and "10 of the 10,000 test codes" in page
    at.radio(key="lex_start").set_value("random").run()  # seed 0: test #8506, at z2 = 7.58 > 3
    mu = np.load(artefacts.codes_path("ae-2d"))["mu"].astype(np.float64)
    assert (
        code_line(at) == f"**z** = ({mu[8506, 0]:.2f}, {mu[8506, 1]:.2f})"
    )  # decoded, not clipped
    assert "code (the encoder's output) of test image #8506" in texts(at)


@pytest.mark.parametrize("z", ["0,0", "1.2,-0.5", "3.6,0", "-2.5,2.5", "0.3,1.9"])
@pytest.mark.parametrize("name", ["vae-2d", "ae-2d", "vae-2d-beta5"])
def test_the_distance_notice_is_true(name, z):
    """ "Among the data", "in a gap", "far from every code": judged by the distance to the nearest
    test code in units of the typical gap between neighbouring codes, recomputed with
    scikit-learn."""
    from sklearn.neighbors import NearestNeighbors

    need(name)
    at = app(PAGE, {"lex_model": name, "lex_z": z})
    first = notices(at)[0]
    mu = np.load(artefacts.codes_path(name))["mu"].astype(np.float64)
    point = np.array([float(v) for v in z.split(",")])[None]
    dist = NearestNeighbors(n_neighbors=1).fit(mu).kneighbors(point)[0][0, 0]
    gap = np.median(NearestNeighbors(n_neighbors=2).fit(mu).kneighbors(mu)[0][:, 1])
    ratio = dist / gap
    assert f"**{ratio:.1f}×** the typical gap" in first
    if "among the data" in first:
        assert ratio < 2
    elif "in a gap" in first:
        assert 2 <= ratio < 5
    else:
        assert "guessing" in first and ratio >= 5
