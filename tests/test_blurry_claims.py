"""The Blurry samples lesson's notices (ui.lessons.blurry.claims), fast tier: one test per branch on
made-up numbers, each asserting the premise its words state, and the facts counted from arrays."""

from __future__ import annotations

import numpy as np

from ui.lessons.blurry import claims as C
from vae.pixels import GREY_BAND


def facts(**kw) -> C.BlurFacts:
    base = dict(grey=40.0, grey_1=40.0, flips=30.0, grey_share=0.7, t=1.0, h_one=60.0, floor=45.5)
    return C.BlurFacts(**{**base, **kw})


def test_grey_pixels_flip_along_the_edges():
    f = facts(grey_share=0.7)
    assert f.grey >= 1 and f.flips >= 1 and f.grey_share > C.EDGES
    text = C.notices(f)[0]
    assert text.startswith("The mean images have **40 grey pixels** each on average (p between 0.1")
    assert "in 30 pixels per image, 70% of them grey ones, along the strokes' edges." in text


def test_flips_mostly_in_faint_pixels():
    f = facts(grey_share=0.3)
    assert f.grey_share <= C.EDGES
    assert C.notices(f)[0].endswith(
        "30% of them grey ones; the rest are faint pixels, each unlikely to flip but many."
    )


def test_fewer_than_one_grey_pixel_all_but_agree():
    f = facts(grey=0.4, flips=0.2)
    assert f.grey < 1
    assert C.notices(f)[0] == (
        "Fewer than one grey pixel per image (p between 0.1 and 0.9): at this temperature the "
        "mean, the sample and the binarized mean all but agree (0.2 pixels differ per image)."
    )


def test_grey_pixels_but_no_flips_all_but_agree_with_a_count():
    f = facts(grey=3.0, flips=0.5)
    assert f.grey >= 2 and f.flips < 1
    assert (
        C.notices(f)[0].startswith("3 grey pixels per image")
        and "all but agree" in (C.notices(f)[0])
    )


def test_one_grey_pixel_is_singular():
    f = facts(grey=1.2, flips=0.0)
    assert 1 <= f.grey < 2
    assert C.notices(f)[0].startswith("1 grey pixel per image")


def test_a_low_temperature_sharpens():
    f = facts(t=0.5, grey_1=40.0, grey=12.0)
    assert f.t < 1 and f.grey <= f.grey_1
    text = C.notices(f)[1]
    assert text.startswith("Temperature 0.5 sharpens on purpose: grey pixels 40 → 12 per image.")
    assert "no longer the model that was trained" in text


def test_a_high_temperature_blurs():
    f = facts(t=2.0, grey_1=40.0, grey=90.0)
    assert f.t > 1 and f.grey >= f.grey_1
    text = C.notices(f)[1]
    assert text.startswith("Temperature 2 blurs on purpose: grey pixels 40 → 90 per image.")
    assert "the mean gets greyer" in text


def test_at_temperature_1_an_entropy_above_the_floor_is_less_sure():
    f = facts(t=1.0, h_one=60.0, floor=45.5)
    assert f.h_one > f.floor
    assert C.notices(f)[1] == (
        "The first mean image's entropy is 60.0 nats against the test images' own 45.5: the "
        "model is less sure of its pixels than real digits are grey."
    )


def test_at_temperature_1_an_entropy_at_or_below_the_floor_is_no_greyer():
    f = facts(t=1.0, h_one=40.0, floor=45.5)
    assert f.h_one <= f.floor
    assert C.notices(f)[1].endswith("its pixels are no greyer than real digits.")


def test_blur_facts_count_from_the_arrays():
    p1 = np.zeros((2, 28, 28))
    p1[:, 0, :4] = 0.5  # 4 grey pixels per image at T = 1
    p = p1.copy()
    p[:, 1, :2] = 0.3  # 6 at this temperature
    p[:, 2, 0] = 0.95  # ink, binarized to 1
    sample = np.zeros((2, 28, 28), dtype=np.float32)
    sample[:, 0, :3] = 1  # 3 grey pixels flipped to ink
    sample[:, 3, 0] = 1  # 1 paper pixel flipped to ink
    sample[:, 2, 0] = 1  # agrees with the binarized mean
    f = C.blur_facts(p1, p, sample, 0.5, 12.3, 45.5)
    assert GREY_BAND == (0.1, 0.9)
    assert (f.grey_1, f.grey, f.flips, f.grey_share) == (4.0, 6.0, 4.0, 0.75)
    assert (f.t, f.h_one, f.floor) == (0.5, 12.3, 45.5)


def test_blur_facts_without_any_flip_share_nothing():
    p = np.full((1, 28, 28), 0.05)
    f = C.blur_facts(p, p, np.zeros((1, 28, 28), dtype=np.float32), 1.0, 0.0, 45.5)
    assert f.flips == 0 and f.grey_share == 0 and f.grey == 0
