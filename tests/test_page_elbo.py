"""AppTest of pages/14_ELBO_bound.py: image choice (featured, index, digit), the refinement steps,
k, link parameters, the identity shown, and a sweep of every model and featured image asserting
the premise of each notice shown."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from ui.lessons.elbo.claims import NOISE_SES  # within this many standard errors (+ accuracy): level
from vae import artefacts, stored_numbers, zoo

PAGE = "pages/14_ELBO_bound.py"

pytestmark = pytest.mark.slow
FEATURED = (0, 169, 6572, 8000)


def metrics(at) -> dict[str, float]:
    return {m.label: float(m.value) for m in at.metric}


def accuracy(at) -> float:
    return float(re.search(r"moves log p\(x\) by \*\*([\d.]+) nats", texts(at)).group(1))


def parts(at) -> tuple[float, float]:
    page = texts(at)
    return (
        float(re.search(r"\*\*Amortization\*\* ([-\d.]+) nats", page).group(1)),
        float(re.search(r"\*\*Approximation\*\* ([-\d.]+) nats", page).group(1)),
    )


def test_default_view_and_every_control():
    need("vae-2d")
    at = app(PAGE)
    page = texts(at)
    assert (
        "The ELBO is a bound" in page
        and "What to notice" in page
        and "Where the gap comes from" in page
    )
    m = metrics(at)
    assert m["ELBO"] < m["log p(x)"] < 0 and m["gap"] == pytest.approx(
        m["log p(x)"] - m["ELBO"], abs=0.011
    )
    assert at.selectbox(key="elbo_featured").value == 0 and at.slider(key="elbo_step").value == 60
    assert any(
        f"{m['log p(x)']:.2f} = {m['ELBO']:.2f} + {m['gap']:.2f}" in x.value for x in at.latex
    )
    amort, approx = parts(at)
    assert amort + approx == pytest.approx(m["gap"], abs=0.02) and amort >= 0
    at.slider(key="elbo_step").set_value(10).run()
    assert_ok(at)
    at.select_slider(key="elbo_k").set_value(1000).run()
    assert_ok(at)
    assert "With k = 1000:" in texts(at)
    at.selectbox(key="elbo_featured").set_value(6572).run()
    assert_ok(at)
    assert at.query_params["elbo_idx"] == "6572"
    assert at.slider(key="elbo_step").value == 10 and at.select_slider(key="elbo_k").value == 1000
    assert_bound(at, "elbo_model", "elbo_step", "elbo_k")  # each in the link under its key
    at.radio(key="elbo_mode").set_value("index").run()
    at.number_input(key="elbo_idx").set_value(42).run()
    assert_ok(at)
    assert at.query_params["elbo_idx"] == "42"
    at.radio(key="elbo_mode").set_value("digit").run()
    at.selectbox(key="elbo_digit").set_value(3).run()
    assert_ok(at)
    labels = np.load(artefacts.test_set_path())["labels"]
    idx = int(at.query_params["elbo_idx"])
    assert labels[idx] == 3
    at.button(key="elbo_another").click().run()
    assert_ok(at)
    assert int(at.query_params["elbo_idx"]) != idx and labels[int(at.query_params["elbo_idx"])] == 3


def test_link_parameters_are_used():
    need("vae-2d", "vae-2d-beta5")
    at = app(
        PAGE, {"elbo_model": "vae-2d-beta5", "elbo_idx": "169", "elbo_step": "5", "elbo_k": "20"}
    )
    assert at.selectbox(key="elbo_model").value == "vae-2d-beta5"
    assert (
        at.radio(key="elbo_mode").value == "featured"
        and at.selectbox(key="elbo_featured").value == 169
    )
    assert at.slider(key="elbo_step").value == 5 and at.select_slider(key="elbo_k").value == 20
    at = app(PAGE, {"elbo_model": "vae-2d", "elbo_idx": "77"})
    assert (
        at.radio(key="elbo_mode").value == "index" and at.number_input(key="elbo_idx").value == 77
    )
    # the garbage link: tests/test_links.py


def test_every_notice_states_a_true_premise():
    """Every model the page offers, every featured image: the numbers on screen support each
    notice."""
    models = [
        n
        for n in zoo.names()
        if zoo.entry(n).model.kind == "vae"
        and zoo.entry(n).model.latent_dim == 2
        and zoo.entry(n).model.beta > 0
    ]
    need(*models)
    at = app(PAGE, {"elbo_k": "1000"})
    for name in models:
        at.selectbox(key="elbo_model").set_value(name).run()
        for idx in FEATURED:
            at.selectbox(key="elbo_featured").set_value(idx).run()
            assert_ok(at)
            m, acc, (amort, approx) = metrics(at), accuracy(at), parts(at)
            assert m["ELBO"] <= m["log p(x)"] + acc + 0.01, (name, idx, m)
            assert amort >= 0 and approx >= -acc - 0.01, (name, idx, amort, approx)
            obs = notices(at)
            assert 1 <= len(obs) <= 3, obs
            if "misses log p(x) by" in obs[0]:
                assert m["gap"] > 2 * acc, (name, idx, m, acc)
            else:
                assert m["gap"] <= 2 * acc + 0.02, (name, idx, m, acc)
            for o in obs[1:]:
                if "of the gap is amortization" in o:
                    assert amort > approx, (name, idx, o)
                elif "is approximation" in o:
                    assert approx >= amort, (name, idx, o)
                elif o.startswith("Importance sampling"):
                    hit = re.search(r"With k = 1000: \*\*([-\d.]+)\*\* nats ± ([\d.]+)", texts(at))
                    v, se = float(hit.group(1)), float(hit.group(2))
                    rounding = 0.01  # three numbers shown to two decimals
                    noise = NOISE_SES * se + acc  # a difference is real only beyond the noise
                    assert v > m["ELBO"] + noise - 2 * rounding, (name, idx, v, se, m)  # real gain
                    if (
                        "within the estimate's noise" in o
                    ):  # the bound's own line says "level with log p(x)" too
                        assert v >= m["log p(x)"] - noise - 2 * rounding, (name, idx, v, se, m)
                        assert "level with log p(x)" in texts(at)
                    else:
                        closed = float(re.search(r"closes (\d+)% of the gap", o).group(1)) / 100
                        assert v < m["log p(x)"] - noise + 2 * rounding, (name, idx, v, se, m)
                        assert (
                            abs(closed - (v - m["ELBO"]) / m["gap"]) <= rounding / m["gap"] + 0.005
                        ), (name, idx, o, m)


def test_each_models_coarse_grid_is_decoded_once(monkeypatch):
    """The coarse grid is decoded once per offered model and server: switching through every model
    the page offers, then through them all again for another image that is not featured (whose
    bound is not cached yet, so each model's grid is needed again), decodes each model's grid
    once. With fewer cache entries than models, every switch decoded one again. The featured
    images decode nothing: their numbers were stored at build (``vae.stored_numbers``)."""
    import streamlit as st

    from vae import bound

    models = [
        n
        for n in zoo.names()
        if zoo.entry(n).model.kind == "vae"
        and zoo.entry(n).model.latent_dim == 2
        and zoo.entry(n).model.beta > 0
    ]
    need(*models)
    decoded: list[int] = []  # one entry per coarse grid laid out (and then decoded) by the page
    real = bound.coarse_grid

    def counted(codes, *args, **kwargs):
        decoded.append(len(decoded))
        return real(codes, *args, **kwargs)

    monkeypatch.setattr(bound, "coarse_grid", counted)
    st.cache_resource.clear()  # no grid (or bound) left over from another test
    st.cache_data.clear()
    at = app(PAGE, {"elbo_idx": "5"})
    assert at.selectbox(key="elbo_model").options == models  # every model the page offers
    assert at.radio(key="elbo_mode").value == "index"
    for idx in (5, 7):
        at.number_input(key="elbo_idx").set_value(idx).run()
        for name in models[1:] + models[:1]:
            at.selectbox(key="elbo_model").set_value(name).run()
            assert_ok(at)
            assert metrics(at)["ELBO"] < metrics(at)["log p(x)"]
    assert len(decoded) == len(models)
    decoded.clear()
    at.radio(key="elbo_mode").set_value("featured").run()
    for idx in stored_numbers.FEATURED:
        at.selectbox(key="elbo_featured").set_value(idx).run()
        for name in models:
            at.selectbox(key="elbo_model").set_value(name).run()
            assert_ok(at)
            assert metrics(at)["ELBO"] < metrics(at)["log p(x)"]
    assert decoded == []
