"""The Blurry samples lesson's notices, pure functions of its numbers (no Streamlit, so the fast
tier tests every branch): how many pixels of the decoder's mean images are grey, how many of them
a pixel sample flips against the binarized mean and where those flips lie (along the strokes'
edges, or out on paper that a high temperature has turned grey), what a temperature does to the
grey pixels, and the first mean image's entropy against the test images' own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vae.pixels import GREY_BAND

EDGES = 0.5  # more than this share of the flipped pixels grey (and on the edges): along the edges


@dataclass(frozen=True)
class BlurFacts:
    """The numbers behind the notices, for one model, set of codes and temperature."""

    grey: float  # grey pixels (strictly inside GREY_BAND) per mean image at this temperature
    grey_1: float  # the same at temperature 1, the model as trained
    flips: float  # pixels per image where the sample differs from the binarized mean
    grey_share: float  # share of those flipped pixels that are grey in the mean
    edge_share: float  # share of those flipped pixels on a stroke's edge (``edge_pixels``)
    paper_grey: float  # share of the paper away from the strokes (``away_paper``) that is grey
    t: float  # the temperature on the logits
    h_one: float  # the first mean image's entropy, summed over its pixels (nats)
    floor: float  # the test images' mean own entropy (nats)


def grey_pixels(p: np.ndarray) -> np.ndarray:
    """Which pixels of the mean images (N, 28, 28) are grey: strictly inside GREY_BAND."""
    return (p > GREY_BAND[0]) & (p < GREY_BAND[1])


def _near(a: np.ndarray) -> np.ndarray:
    """Where a pixel or one of its 8 neighbours is set, per image (N, 28, 28); the paper outside the
    image counts as unset."""
    h, w = a.shape[-2:]
    pad = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)])
    return np.any([pad[..., i : i + h, j : j + w] for i in range(3) for j in range(3)], axis=0)


def edge_pixels(p: np.ndarray) -> np.ndarray:
    """Which pixels of the mean images (N, 28, 28) lie on a stroke's edge: the binarized mean
    (p > 0.5) has both ink and paper among the pixel and its 8 neighbours (paper outside)."""
    ink = p > 0.5
    return _near(ink) & _near(~ink)


def away_paper(p: np.ndarray) -> np.ndarray:
    """Which pixels of the mean images (N, 28, 28) are paper away from the strokes: no ink of the
    binarized mean among the pixel and its 8 neighbours."""
    return ~_near(p > 0.5)


def blur_facts(
    p1: np.ndarray, p: np.ndarray, sample: np.ndarray, t: float, h_one: float, floor: float
) -> BlurFacts:
    """From the mean images at temperature 1 (``p1``) and at ``t`` (``p``), (N, 28, 28) each, and
    one pixel sample of each (``sample``, 0 or 1)."""
    in_band = grey_pixels(p)
    flipped = sample != (p > 0.5).astype(np.float32)  # the sample against the binarized mean
    paper = away_paper(p)
    return BlurFacts(
        grey=float(in_band.sum(axis=(1, 2)).mean()),
        grey_1=float(grey_pixels(p1).sum(axis=(1, 2)).mean()),
        flips=float(flipped.sum(axis=(1, 2)).mean()),
        grey_share=float((flipped & in_band).sum() / max(flipped.sum(), 1)),
        edge_share=float((flipped & edge_pixels(p)).sum() / max(flipped.sum(), 1)),
        paper_grey=float((paper & in_band).sum() / max(paper.sum(), 1)),
        t=float(t),
        h_one=float(h_one),
        floor=float(floor),
    )


def flips_notice(f: BlurFacts) -> str:
    """The grey pixels and the sample's flips: mostly grey ones along the strokes' edges, grey ones
    out on the paper (a high temperature greys the paper too), or mostly pixels near 0 or 1; when
    fewer than one pixel per image flips, that the three rows all but agree."""
    lo, hi = GREY_BAND
    if f.flips < 1:
        count = "Fewer than one" if f.grey < 1 else f"{f.grey:.0f}"
        return (
            f"{count} grey pixel{'s' if f.grey >= 1.5 else ''} per image (p between {lo:g} and "
            f"{hi:g}): at this temperature the mean, the sample and the binarized mean all but "
            f"agree ({f.flips:.1f} pixels differ per image)."
        )
    sure = (
        f"pixels near 0 or 1 (p at most {lo:g} or at least {hi:g}), each unlikely to flip but many."
    )
    if f.grey < 1:
        return (
            f"Fewer than one grey pixel per image (p between {lo:g} and {hi:g}), yet the sample "
            f"differs from the binarized mean in {f.flips:.0f} pixels per image, "
            f"{1 - f.grey_share:.0%} of them " + sure
        )
    means = "The mean images" if f.t == 1 else f"The mean images at T = {f.t:g}"
    head = (
        f"{means} have **{f.grey:.0f} grey pixels** each on average (p between {lo:g} "
        f"and {hi:g}). Each is a coin flip in a sample: the sample differs from the binarized "
        f"mean in {f.flips:.0f} pixels per image, {f.grey_share:.0%} of them grey ones"
    )
    if f.grey_share <= EDGES:
        return head + "; the rest are " + sure
    if f.edge_share > EDGES:
        return head + ", along the strokes' edges."
    return head + (
        f", but only {f.edge_share:.0%} of the flips lie along the strokes' edges: at this "
        f"temperature {f.paper_grey:.0%} of the paper away from the strokes is grey too, and "
        "flips."
    )


def temperature_notice(f: BlurFacts) -> str:
    """At a temperature other than 1, what it did to the grey pixels; at 1, the first mean image's
    entropy against the test images' own."""
    if f.t != 1:
        return (
            f"Temperature {f.t:g} {'sharpens' if f.t < 1 else 'blurs'} on purpose: grey pixels "
            f"{f.grey_1:.0f} → {f.grey:.0f} per image. "
            + (
                "A sharper mean looks more like a digit, but it is no longer the model that was "
                "trained: every pixel the model is unsure about is drawn surer than it is."
                if f.t < 1
                else "The grey is spread over more pixels than the trained model is unsure "
                "about: the mean gets greyer and the samples noisier, but this is no longer the "
                "model's own uncertainty."
            )
        )
    return (
        f"The first mean image's entropy is {f.h_one:.1f} nats against the test images' own "
        f"{f.floor:.1f}: "
        + (
            "the model is less sure of its pixels than real digits are grey."
            if f.h_one > f.floor
            else "its pixels are no greyer than real digits."
        )
    )


def notices(f: BlurFacts) -> list[str]:
    """What to notice: the flips, then the temperature or the entropy."""
    return [flips_notice(f), temperature_notice(f)]
