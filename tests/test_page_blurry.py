"""AppTest of pages/15_Blurry_samples.py: every control, link parameters, and a sweep of every
model,
code source and temperature asserting the premise of each notice shown."""

from __future__ import annotations

import re

import pytest

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from vae import zoo

PAGE = "pages/15_Blurry_samples.py"
pytestmark = pytest.mark.slow
TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)


def number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, (pattern, text)
    return float(m.group(1).replace(",", ""))


def test_default_view_and_every_control():
    need("vae-10d")
    at = app(PAGE)
    page = texts(at)
    assert (
        "Why samples look blurry" in page
        and "What to notice" in page
        and "One code, ten samples" in page
    )
    assert at.selectbox(key="blur_model").value == "vae-10d"
    assert "45.5 nats" in page  # the test images' own entropy: the BCE floor
    assert len(at.get("image")) >= 3  # three rows, ten samples, the entropy map
    at.radio(key="blur_source").set_value("test").run()
    assert_ok(at)
    at.number_input(key="blur_seed").set_value(7).run()
    assert_ok(at)
    at.select_slider(key="blur_t").set_value(0.5).run()
    assert_ok(at)
    assert "Temperature 0.5 sharpens" in texts(at)
    at.selectbox(key="blur_model").set_value("vae-2d").run()
    assert_ok(at)
    assert (
        at.selectbox(key="blur_model").value == "vae-2d"
        and at.select_slider(key="blur_t").value == 0.5
    )
    assert (
        at.radio(key="blur_source").value == "test" and at.number_input(key="blur_seed").value == 7
    )
    assert_bound(
        at, "blur_model", "blur_source", "blur_seed", "blur_t"
    )  # each in the link under its key


def test_link_parameters_are_used():
    need("vae-10d", "vae-2d")
    at = app(PAGE, {"blur_model": "vae-2d", "blur_source": "test", "blur_seed": "3", "blur_t": "2"})
    assert at.selectbox(key="blur_model").value == "vae-2d"
    assert (
        at.radio(key="blur_source").value == "test" and at.number_input(key="blur_seed").value == 3
    )
    assert at.select_slider(key="blur_t").value == 2.0  # the garbage link: tests/test_links.py


def test_every_notice_states_a_true_premise():
    """For every VAE, both code sources and every temperature: each notice's numbers agree with its
    words."""
    vaes = [n for n in zoo.names() if zoo.entry(n).model.kind == "vae"]
    need(*vaes)
    at = app(PAGE)
    for name in vaes:
        at.selectbox(key="blur_model").set_value(name).run()
        for source in ("prior", "test"):
            at.radio(key="blur_source").set_value(source).run()
            for t in TEMPERATURES:
                at.select_slider(key="blur_t").set_value(t).run()
                assert_ok(at)
                obs = notices(at)
                assert 1 <= len(obs) <= 3, obs
                first = obs[0]
                if "grey pixels** each" in first:
                    assert number(r"\*\*([\d,]+) grey pixels", first) >= 1
                    share = number(r"pixels per image, (\d+)% of them grey", first) / 100
                    if first.endswith("along the strokes' edges."):  # grey flips, on the edges
                        assert share > 0.5, first
                    elif "lie along the strokes' edges" in first:  # grey, but out on grey paper
                        edges = number(r"only (\d+)% of the flips", first) / 100
                        assert share > 0.5 and edges <= 0.5, first
                    else:
                        assert share <= 0.5, first
                else:
                    assert "all but agree" in first
                if t != 1:
                    word = "sharpens" if t < 1 else "blurs"
                    second = next(o for o in obs if o.startswith("Temperature"))
                    assert word in second, (name, t, second)
                    m = re.search(r"grey pixels (\d+) → (\d+)", second)
                    before, after = int(m.group(1)), int(m.group(2))
                    assert (after <= before) if t < 1 else (after >= before), (name, t, second)
                else:
                    ent = next(o for o in obs if o.startswith("The first mean image's entropy"))
                    h, floor = (
                        float(v)
                        for v in re.search(
                            r"entropy is ([\d.]+) nats against the test images' own ([\d.]+)", ent
                        ).groups()
                    )
                    assert ("less sure" in ent) == (h > floor), ent
