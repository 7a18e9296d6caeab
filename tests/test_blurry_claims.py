"""The Blurry samples lesson's notices (ui.lessons.blurry.claims), fast tier: one test per branch on
made-up numbers, each asserting the premise its words state, and the facts counted from arrays;
and a premise sweep over every VAE the page offers, both code sources, seeds and every temperature,
with the facts computed as the page computes them and each premise recomputed here."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from tests.pageutil import page_constant as _page_constant
from ui.lessons.blurry import claims as C
from vae import artefacts, zoo
from vae.pixels import GREY_BAND


def facts(**kw) -> C.BlurFacts:
    base = dict(
        grey=40.0,
        grey_1=40.0,
        flips=30.0,
        grey_share=0.7,
        edge_share=0.8,
        paper_grey=0.02,
        t=1.0,
        h_one=60.0,
        floor=45.5,
    )
    return C.BlurFacts(**{**base, **kw})


def test_grey_pixels_flip_along_the_edges():
    f = facts(grey_share=0.7)
    assert f.grey >= 1 and f.flips >= 1 and f.grey_share > C.EDGES and f.edge_share > C.EDGES
    text = C.notices(f)[0]
    assert text.startswith("The mean images have **40 grey pixels** each on average (p between 0.1")
    assert "in 30 pixels per image, 70% of them grey ones, along the strokes' edges." in text


def test_grey_flips_away_from_the_edges_say_the_paper_is_grey_too():
    """At temperature 4 most flipped pixels are grey but lie out on the paper, which the temperature
    has turned grey: "along the strokes' edges" would be false there."""
    f = facts(t=4.0, grey=480.0, flips=170.0, grey_share=0.92, edge_share=0.45, paper_grey=0.48)
    assert f.grey_share > C.EDGES and f.edge_share <= C.EDGES
    text = C.notices(f)[0]
    assert text.endswith(
        "in 170 pixels per image, 92% of them grey ones, but only 45% of the flips lie along the "
        "strokes' edges: at this temperature 48% of the paper away from the strokes is grey too, "
        "and flips."
    )
    assert ", along the strokes' edges." not in text


def test_flips_mostly_in_pixels_near_0_or_1():
    f = facts(grey_share=0.3)
    assert f.grey_share <= C.EDGES
    assert C.notices(f)[0].endswith(
        "30% of them grey ones; the rest are pixels near 0 or 1 (p at most 0.1 or at least 0.9), "
        "each unlikely to flip but many."
    )
    assert "edges" not in C.notices(f)[0]


def test_fewer_than_one_grey_pixel_but_flips_is_no_agreement():
    f = facts(grey=0.4, flips=3.0, grey_share=0.1)
    assert f.grey < 1 and f.flips >= 1
    assert C.notices(f)[0] == (
        "Fewer than one grey pixel per image (p between 0.1 and 0.9), yet the sample differs from "
        "the binarized mean in 3 pixels per image, 90% of them pixels near 0 or 1 (p at most 0.1 "
        "or at least 0.9), each unlikely to flip but many."
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
    assert "as if it were sure" not in text  # at 0.5 about half the grey pixels stay grey


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
    # the one ink pixel (2, 0) and its neighbours in rows 1-3, columns 0-1 are the edge: of the
    # flips only (3, 0); the paper away from it (778 pixels) holds the 4 grey pixels of row 0
    assert f.edge_share == 0.25 and f.paper_grey == pytest.approx(4 / 778)


def test_edge_pixels_ring_a_stroke_and_the_image_border_is_paper():
    p = np.zeros((1, 28, 28))
    p[0, 10:13, 10:13] = 1.0  # a 3 x 3 blob of ink
    p[0, 0, 5] = 1.0  # ink on the border
    edge, away = C.edge_pixels(p)[0], C.away_paper(p)[0]
    assert edge[9:14, 9:14].sum() == 24 and not edge[11, 11]  # the ring, not the blob's centre
    assert edge[0, 5] and edge[0, 4] and edge[1, 6] and not edge[2, 5]
    assert away.sum() == 784 - 25 - 6 and not away[0, 4] and away[2, 5]


def test_blur_facts_without_any_flip_share_nothing():
    p = np.full((1, 28, 28), 0.05)
    f = C.blur_facts(p, p, np.zeros((1, 28, 28), dtype=np.float32), 1.0, 0.0, 45.5)
    assert f.flips == 0 and f.grey_share == 0 and f.grey == 0


# --- premise sweep: every VAE the page offers, both code sources, seeds, every temperature --------

PAGE = Path(__file__).resolve().parents[1] / "pages" / "15_Blurry_samples.py"
VAES = [n for n in zoo.names() if zoo.entry(n).model.kind == "vae"]  # the page's model_choices


def page_constant(name: str):
    """A literal constant of the page, read from its source (the page is a script)."""
    return _page_constant(PAGE, name)


def entropy(p: np.ndarray) -> np.ndarray:
    """Bernoulli entropy per pixel in nats, 0 at 0 and 1 (numpy, not vae.pixels)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(p * np.log(p) + (1 - p) * np.log(1 - p))
    return np.where((p > 0) & (p < 1), h, 0.0)


@pytest.fixture(scope="module")
def floor() -> float:
    """The test images' mean own entropy, recomputed here."""
    images, _ = artefacts.load_test_set()
    return float(entropy(images.astype(np.float64) / 255).sum(axis=(1, 2)).mean())


def test_the_sweep_covers_the_pages_controls():
    assert page_constant("TEMPERATURES") == (0.25, 0.5, 1.0, 2.0, 4.0)
    assert page_constant("SOURCES") == ("prior", "test")
    assert 'lambda e: e.model.kind == "vae"' in PAGE.read_text()  # the models VAES lists


@pytest.mark.parametrize("name", VAES)
def test_premise_sweep(name, floor):
    """For one VAE the page offers: both code sources, seeds 0, 1, a middle one and the largest,
    every temperature. The facts as the page computes them (its cached loaders and calls); each
    notice shown holds its premise, recomputed here with numpy and scipy."""
    if not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    from ui.lessons.blurry import computed
    from ui.page import links, loaders, model_calls
    from vae import prior
    from vae.pixels import bernoulli_samples, pixel_entropy, with_temperature

    n_codes, temps = page_constant("N_CODES"), page_constant("TEMPERATURES")
    d = zoo.entry(name).model.latent_dim
    page_floor = computed.test_floor()
    assert page_floor == pytest.approx(floor, abs=1e-6)
    labels = loaders.test_set()[1]
    ring = np.ones((3, 3), bool)
    for source in page_constant("SOURCES"):
        for seed in (0, 1, links.SEED_MAX // 2, links.SEED_MAX):
            if source == "prior":  # the page's codes, as it draws them
                z = prior.samples(n_codes, d, seed)
            else:
                idx = np.random.default_rng(seed).choice(len(labels), n_codes, replace=False)
                z = loaders.codes(name)["mu"][idx]
            p1 = model_calls.decode(name, z).astype(np.float64)
            u = np.random.default_rng(seed).random((1, *p1.shape))[0]  # the page's sample draws
            flips_1 = ((u < p1) != (p1 > 0.5)).sum(axis=(1, 2)).mean()
            grey_1 = ((p1 > GREY_BAND[0]) & (p1 < GREY_BAND[1])).sum()
            for t in temps:
                p = with_temperature(p1, t)
                sample = bernoulli_samples(p, 1, seed)[0]
                f = C.blur_facts(p1, p, sample, t, float(pixel_entropy(p[0]).sum()), page_floor)
                text = C.notices(f)
                key = (source, seed, t)
                for s in text:
                    assert not re.search(r"nan|inf|e\+", s), (key, s)
                # the numbers, recomputed: grey pixels, flips and where they lie
                grey = (p > GREY_BAND[0]) & (p < GREY_BAND[1])
                ink = p > 0.5
                flipped = (u < p) != ink
                assert np.array_equal(flipped, sample != ink)
                edge = np.stack(
                    [
                        ndimage.binary_dilation(i, ring) & ~ndimage.binary_erosion(i, ring)
                        for i in ink
                    ]
                )
                away = ~np.stack([ndimage.binary_dilation(i, ring) for i in ink])
                n_flips = flipped.sum()
                grey_share = (flipped & grey).sum() / max(n_flips, 1)
                edge_share = (flipped & edge).sum() / max(n_flips, 1)
                paper_grey = (away & grey).sum() / max(away.sum(), 1)
                assert f.grey == pytest.approx(grey.sum() / n_codes)
                assert f.flips == pytest.approx(n_flips / n_codes)
                assert (f.grey_share, f.edge_share, f.paper_grey) == pytest.approx(
                    (grey_share, edge_share, paper_grey)
                )
                first = text[0]
                if "all but agree" in first:
                    assert n_flips / n_codes < 1, (key, first)
                elif first.startswith("Fewer than one"):
                    assert grey.sum() / n_codes < 1 <= n_flips / n_codes, (key, first)
                elif first.endswith(", along the strokes' edges."):
                    assert grey.sum() / n_codes >= 1 and n_flips / n_codes >= 1
                    assert grey_share > C.EDGES and edge_share > C.EDGES, (key, first)
                elif "of the paper away from the strokes is grey too" in first:
                    assert grey_share > C.EDGES and edge_share <= C.EDGES, (key, first)
                    assert f"{paper_grey:.0%} of the paper" in first
                    assert (flipped & away).any(), key  # "... is grey too, and flips"
                else:
                    assert "the rest are pixels near 0 or 1" in first
                    assert grey_share <= C.EDGES, (key, first)
                second = text[1]
                if t != 1:
                    assert f"grey pixels {grey_1 / n_codes:.0f} → {grey.sum() / n_codes:.0f}" in (
                        second
                    )
                if t < 1:  # sharper: grey pixels only lost, every pixel drawn surer
                    assert "sharpens" in second and grey.sum() <= grey_1
                    assert (np.abs(p - 0.5) >= np.abs(p1 - 0.5) - 1e-6).all()
                elif t > 1:  # blurrier: grey pixels only gained, the samples noisier
                    assert "blurs" in second and grey.sum() > grey_1
                    assert (np.abs(p - 0.5) <= np.abs(p1 - 0.5) + 1e-6).all()
                    assert n_flips / n_codes >= flips_1, key
                else:
                    h = float(entropy(p[0]).sum())
                    assert f.h_one == pytest.approx(h, abs=1e-6)
                    assert f"entropy is {h:.1f} nats against the test images' own {floor:.1f}" in (
                        second
                    )
                    assert ("less sure" in second) == (h > floor), (key, second)
