"""AppTest of pages/09_Posterior_spread.py: image choice, sample count, seed, zoom, link parameters."""
from __future__ import annotations


import numpy as np
import pytest

from tests.pageutil import app, assert_ok, need, texts
from vae import artefacts

PAGE = "pages/09_Posterior_spread.py"
pytestmark = pytest.mark.slow


def sigma_table(at):
    return at.dataframe[0].value


def test_default_view_and_every_control():
    need("vae-2d")
    at = app(PAGE)
    page = texts(at)
    assert ":material/blur_on: Posterior spread" in page and "The idea" in page and "What to notice" in page
    assert "σ in numbers" in page and "64 samples" in page
    assert at.selectbox(key="post_model").value == "vae-2d"
    tab = sigma_table(at)
    assert list(tab["dimension"]) == ["z1", "z2"] and (tab["σ"] > 0).all() and (tab["σ"] <= 1.5).all()
    assert len(at.get("vega_lite_chart")) == 2  # what the samples look like; the posterior among the test codes

    at.slider(key="post_n").set_value(128).run()
    at.number_input(key="post_seed").set_value(3).run()
    assert_ok(at)
    assert "of the 128 samples fall inside the 2σ ellipse" in texts(at)
    at.toggle(key="post_zoom").set_value(True).run()
    assert_ok(at)
    labels = np.load(artefacts.test_set_path())["labels"]
    at.number_input(key="post_idx").set_value(42).run()
    assert_ok(at)
    assert f"spread of the {labels[42]}s' means" in sigma_table(at).columns


def test_random_image_of_a_digit():
    need("vae-2d")
    at = app(PAGE)
    at.radio(key="post_mode").set_value("digit").run()
    at.selectbox(key="post_digit").set_value(5).run()
    assert_ok(at)
    first = next(c.value for c in at.caption if c.value.startswith("Picked test image"))
    assert first.endswith("a 5.")
    at.button(key="post_another").click().run()
    assert_ok(at)
    second = next(c.value for c in at.caption if c.value.startswith("Picked test image"))
    assert second.endswith("a 5.") and second != first
    assert "spread of the 5s' means" in sigma_table(at).columns


def test_ten_dimensional_model():
    need("vae-2d", "vae-10d")
    at = app(PAGE)
    at.selectbox(key="post_model").set_value("vae-10d").run()
    assert_ok(at)
    tab = sigma_table(at)
    assert len(tab) == 10
    unused = int((tab["σ"] >= 0.9).sum())
    page = texts(at)
    assert (f"{unused} of 10 dimensions have σ ≥ 0.9" in page) if unused else ("All 10 dimensions" in page)
    assert len(at.get("vega_lite_chart")) == 1  # what the samples look like (no 2-D map for 10-D)


def test_link_parameters_are_used():
    need("vae-2d")
    at = app(PAGE, {"model": "vae-2d", "idx": "42", "n": "32", "seed": "9"})
    assert at.number_input(key="post_idx").value == 42
    assert at.slider(key="post_n").value == 32 and at.number_input(key="post_seed").value == 9
    labels = np.load(artefacts.test_set_path())["labels"]
    assert f"spread of the {labels[42]}s' means" in sigma_table(at).columns


def test_garbage_link_parameters_fall_back():
    need("vae-2d")
    at = app(PAGE, {"idx": "-5", "n": "17", "seed": "abc", "model": "cvae-2d"})
    assert at.number_input(key="post_idx").value == 0
    assert at.slider(key="post_n").value == 64
    assert at.number_input(key="post_seed").value == 0
    assert at.selectbox(key="post_model").value == "vae-2d"
    assert "What to notice" in texts(at)


@pytest.mark.parametrize("name,idx", [("vae-2d", 0), ("vae-2d-beta10", 4567), ("vae-2d", 8000), ("vae-10d", 4567),
                                      ("vae-2d-beta0.1", 169)])
def test_the_agreement_notice_states_what_the_samples_look_like(name, idx):
    """The first notice says which digits the decoded samples look like; recomputed here from the
    checkpoint (zoo.load), the same seeded samples and the same 1-NN rule, its premise holds."""
    import numpy as np

    from tests.pageutil import notices
    from ui.words import pct
    from vae import latent, neighbours, zoo

    need(name)
    at = app(PAGE, {"model": name, "idx": str(idx)})
    assert_ok(at)
    first = notices(at)[0]
    images, labels = artefacts.load_test_set()
    x = images.astype(np.float32) / 255
    model = zoo.load(name)
    import torch
    with torch.inference_mode():
        mu, lv = model.encode(torch.from_numpy(x[idx][None, None]))
        z = latent.posterior_samples(mu[0].double().numpy(), lv[0].double().numpy(), 64, 0)
        imgs = model.decode(torch.as_tensor(np.asarray(z, dtype=np.float32)))[:, 0].numpy()
    shares = np.bincount(neighbours.looks_like(imgs, x, labels, exclude=idx), minlength=10) / 64
    label = int(labels[idx])
    assert first.startswith(f"**{pct(shares[label])}** of the 64 decoded samples look like a {label}")
    if "agree on the digit" in first:
        assert shares[label] >= 0.9
    if "most look like a" in first:
        assert int(np.argmax(shares)) != label and shares[label] < 0.9
    if "disagree about which digit" in first:
        assert int(np.argmax(shares)) == label and shares[label] < 0.9
