"""AppTest runs of pages/04_Prototypes.py: every control, link parameters, missing cache files, and
a sweep over every model the page offers that checks the premise of each notice it shows."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from tests.pageutil import (
    app,
    assert_bound,
    assert_ok,
    assert_stopped_by_cache_error,
    notices,
    texts,
)
from vae import artefacts, latent, pixels, units, zoo

PAGE = "pages/04_Prototypes.py"
OPEN = ("protos_usage_open",)  # its folded expander, open (tests.pageutil.app): the tests read it
pytestmark = pytest.mark.slow


def require(*names: str) -> None:
    """Fail when a model or its codes are missing (skip instead with LATENT_LAB_ALLOW_MISSING=1)."""
    missing = [
        p.name
        for n in names
        for p in (artefacts.checkpoint_path(n), artefacts.codes_path(n))
        if not p.exists()
    ]
    if missing:
        msg = f"not built yet: {', '.join(missing)} (python -m vae.build)"
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(msg)
        pytest.fail(msg)


def built(name: str) -> bool:
    return artefacts.checkpoint_path(name).exists() and artefacts.codes_path(name).exists()


def test_default_view():
    require("vae-10d")
    at = app(PAGE, opened=OPEN)
    t = texts(at)
    for s in (
        "Digit prototypes",
        "pixel",
        "What to notice",
        "dimensions are in use",
        "traversals",
        "2-D slice",
        "noise level",
    ):
        assert s in t, s
    assert [e.label.split(":")[0] for e in at.expander] == [
        "Why average μ and not one sampled z per image?",
        "How each dimension is used",
    ]
    assert not at.error and not at.warning
    assert at.selectbox(key="protos_model").value == "vae-10d"
    assert at.selectbox(key="protos_digit").value == 3
    assert at.slider(key="protos_n").value == 15
    assert (
        "vae-10d: 10-D, β = 1" in t
    )  # the model's size, under its picker (no more in the option's label)
    assert len(at.get("image")) >= 3  # prototype rows, traversal, slice
    assert len(notices(at)) <= 3


def test_every_control():
    require("vae-10d")
    at = app(PAGE, opened=OPEN)
    steps = [
        lambda: at.selectbox(key="protos_digit").set_value(7),
        lambda: at.number_input(key="protos_seed").set_value(5),
        lambda: at.radio(key="protos_source").set_value(at.radio(key="protos_source").options[1]),
        lambda: at.selectbox(key="protos_table_digit").set_value(4),
        lambda: at.selectbox(key="protos_hist_dim").set_value(2),
        lambda: at.radio(key="protos_hist_layout").set_value("one panel per digit"),
        lambda: at.slider(key="protos_range").set_value((-2.0, 2.0)),
        lambda: at.slider(key="protos_steps").set_value(5),
        lambda: at.toggle(key="protos_sort").set_value(True),
        lambda: at.selectbox(key="protos_dim_x").set_value(3),
        lambda: at.selectbox(key="protos_dim_y").set_value(4),
        lambda: at.slider(key="protos_n").set_value(7),
        lambda: at.slider(key="protos_mrange").set_value((-1.5, 1.5)),
    ]
    for step in steps:
        step().run()
        assert_ok(at)
    assert "What to notice" in texts(at)
    # the shareable view follows the controls: the bound ones in the link under their keys, the pair
    # of
    # dimensions (two selectboxes, one parameter) written by links.state_to_url, named z1 ... zd
    assert (
        at.selectbox(key="protos_digit").value,
        at.number_input(key="protos_seed").value,
        at.slider(key="protos_n").value,
    ) == (7, 5, 7)
    assert at.radio(key="protos_source").value == "z" and at.slider(key="protos_steps").value == 5
    assert at.toggle(key="protos_sort").value is True
    assert_bound(
        at,
        "protos_model",
        "protos_digit",
        "protos_seed",
        "protos_source",
        "protos_steps",
        "protos_sort",
        "protos_n",
    )
    assert at.query_params["protos_dims"] == "4,5"
    # sampled codes differ from the means by noise only: the page says how much
    assert "standard" in texts(at) or "noise" in texts(at)


def test_other_model():
    require("vae-10d")
    others = [
        n
        for n in ("vae-3d", "vae-5d", "vae-20d", "vae-32d", "vae-10d-beta4", "vae-10d-beta0.1")
        if built(n)
    ]
    if not others:
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip("no other VAE with latent >= 3 built yet")
        pytest.fail("no other VAE with latent >= 3 built")
    at = app(PAGE, {"protos_dims": "9,10", "protos_model": "vae-10d"}, opened=OPEN)
    small = min(others, key=lambda n: int(n.split("-")[1].rstrip("d")))
    at.selectbox(key="protos_model").set_value(
        small
    ).run()  # dims 8, 9 may not exist there: reset, no error
    assert_ok(at)
    assert "What to notice" in texts(at)
    d = int(small.split("-")[1].rstrip("d"))
    assert at.selectbox(key="protos_dim_x").value < d and at.selectbox(key="protos_dim_y").value < d
    assert at.selectbox(key="protos_model").value == small
    assert_bound(at, "protos_model")


def test_equal_dimensions_warn():
    require("vae-10d")
    at = app(PAGE, {"protos_dims": "3,6"}, opened=OPEN)
    at.selectbox(key="protos_dim_y").set_value(2).run()
    assert_ok(at)
    assert any("different" in w.value for w in at.warning)


def test_link_parameters():
    require("vae-10d")
    at = app(
        PAGE,
        {
            "protos_n": "12",
            "protos_digit": "7",
            "protos_dims": "3,6",
            "protos_seed": "12",
            "protos_model": "vae-10d",
            "protos_source": "z",
            "protos_steps": "5",
            "protos_sort": "true",
        },
    )
    assert at.slider(key="protos_n").value == 12
    assert at.selectbox(key="protos_digit").value == 7
    assert at.selectbox(key="protos_dim_x").value == 2
    assert at.selectbox(key="protos_dim_y").value == 5
    assert at.number_input(key="protos_seed").value == 12
    assert at.radio(key="protos_source").value == "z" and at.slider(key="protos_steps").value == 5
    assert at.toggle(key="protos_sort").value is True
    assert not at.warning and not at.toast


def test_garbage_link_parameters_fall_back():
    require("vae-10d")
    at = app(
        PAGE,
        {
            "protos_n": "abc",
            "protos_digit": "12",
            "protos_dims": "0,99",
            "protos_seed": "-4",
            "protos_model": "nope",
        },
    )  # tests/test_links.py
    x, y = at.selectbox(key="protos_dim_x").value, at.selectbox(key="protos_dim_y").value
    assert x != y


def test_missing_files_show_the_cache_error(partial_cache):
    """With no model files the page stops with the cache message, not a traceback."""
    partial_cache()
    at = app(PAGE, opened=OPEN)
    assert_stopped_by_cache_error(at, "vae-10d", "missing")


SWEEP = [
    n
    for n in zoo.names()
    if zoo.entry(n).model.kind == "vae" and zoo.entry(n).model.latent_dim >= 3
]


@pytest.mark.parametrize("name", SWEEP)
def test_every_notice_states_a_true_premise(name):
    """For every model the page offers, each notice's premise holds for the numbers on screen,
    recomputed here from the checkpoint and the codes (not from the page)."""
    require(name)
    at = app(PAGE, {"protos_model": name}, opened=OPEN)
    blur, decoder, dims = notices(at)
    codes = np.load(artefacts.codes_path(name))
    mu, logvar = codes["mu"], codes["logvar"]
    images, labels = artefacts.load_test_set()
    x = images.astype(np.float32) / 255
    protos = latent.prototypes(mu, labels)
    med = latent.medoids(mu, labels, protos)
    model = zoo.load(name)
    with torch.no_grad():
        dec = model.decode(torch.from_numpy(protos).float()).numpy().reshape(10, 28, 28)
        rec = model.decode(torch.from_numpy(mu[med]).float()).numpy().reshape(10, 28, 28)
    avg = np.stack([x[labels == k].mean(axis=0) for k in range(10)])
    g_avg, g_dec, g_rec, g_med = (
        float(pixels.grey_ink_share(a).mean()) for a in (avg, dec, rec, x[med])
    )
    if "is a blur" in blur:
        assert g_avg > g_dec + 0.05
    else:
        assert g_avg <= g_dec + 0.05
    if "comes from the decoder" in decoder:
        assert abs(g_dec - g_rec) <= 0.05 and g_rec > g_med + 0.05
    var = mu.astype(np.float64).var(axis=0)
    n_used = int((var > units.ACTIVE_UNIT_THRESHOLD).sum())
    assert dims.startswith(f"{n_used} of {mu.shape[1]} dimensions are in use")
    kl = units.mean_kl_per_dim(mu, logvar)
    if (
        "marked unused" in dims or "left out" in dims
    ):  # the unused dimensions carry (almost) nothing, the used ones something
        assert (
            kl[var <= units.ACTIVE_UNIT_THRESHOLD].max()
            < 0.05
            < kl[var > units.ACTIVE_UNIT_THRESHOLD].min()
        )
