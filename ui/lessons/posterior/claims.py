"""The Posterior spread lesson's sentences, from its numbers alone (no Streamlit, so the fast tier
tests every branch): how wide each posterior is in the model's own code spacing, whether its decoded
samples differ at all before their 1-NN labels are read as agreement, where the KL goes, and how far
the nearest other code is in σ (``ReachFacts``, 2-D) or how many dimensions sit at the prior
(``UnusedFacts``, more than 2-D). Each function states its premise; when the numbers do not support
a claim, it says what they do show instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ui.lessons.words import a_digit, pct
from vae import neighbours, units

AGREE = 0.9  # this share of samples called one digit: they agree on it
VISIBLE_SD = 0.15  # a pixel SD over the samples reaching this (ink 0 to 1): they differ
WIDER = 1.5  # one posterior this many times wider (geometric-mean σ) than the other: "wider"
POINT = 0.01  # σ under this share of the typical gap: the posterior is a point in effect
APART = 4.0  # the nearest other code farther than this many σ: the cloud does not reach it
HUGE = 1000.0  # ratios above this are said as "more than", not printed (a σ near 0 explodes them)
SAME_KL = 0.1  # nats: two KL costs this close are "about the same"


@dataclass(frozen=True)
class ImageFacts:
    """One image's posterior as the page shows it."""

    tag: str  # "A" or "B"
    label: int  # its digit
    shares: tuple[float, ...]  # (10,) share of samples whose nearest test image is each digit
    sigma: tuple[float, ...]  # (d,) posterior σ
    mu: tuple[float, ...]  # (d,) posterior μ
    sd_max: float  # the largest per-pixel SD over the decoded samples (0 to 0.5)


@dataclass(frozen=True)
class PairFacts:
    """Both images, the sample count and the model's typical gap (median nearest-neighbour distance
    between test codes, in latent units)."""

    a: ImageFacts
    b: ImageFacts
    n: int
    gap: float


def width(p: ImageFacts, gap: float) -> float:
    """The posterior's geometric-mean σ in typical gaps of the model's codes."""
    return float(np.exp(np.mean(np.log(np.maximum(p.sigma, 1e-300))))) / max(gap, 1e-12)


def _gaps(w: float) -> str:
    return f"under {POINT:g}" if w < POINT else f"{w:.2g}"


def ratio_words(r: float) -> str:
    """A ratio for prose, never an exploding number: '2.3×', 'more than 1,000×'."""
    return f"more than {HUGE:,.0f}×" if not math.isfinite(r) or r > HUGE else f"{r:.1f}×"


def width_sentence(f: PairFacts) -> tuple[str, str]:
    """(branch, sentence) comparing the two posteriors' widths in the model's typical gaps.
    Branches: "points" (both under POINT gaps), "wider" (one WIDER× the other), "same"."""
    wa, wb = width(f.a, f.gap), width(f.b, f.gap)
    unit = f"typical gaps (the median distance between neighbouring test codes, {f.gap:.3g})"
    if max(wa, wb) < POINT:
        return "points", (
            f"Both posteriors are points in effect: σ is {_gaps(wa)} and {_gaps(wb)} {unit}, "
            "so every sample is the same code."
        )
    wide, narrow = (f.a, f.b) if wa >= wb else (f.b, f.a)
    r = max(wa, wb) / max(min(wa, wb), 1e-300)
    if r >= WIDER:
        return "wider", (
            f"{wide.tag}'s posterior is {ratio_words(r)} as wide as {narrow.tag}'s: σ is "
            f"{_gaps(wa)} {unit} for A, {_gaps(wb)} for B."
        )
    return "same", (
        f"A's and B's posteriors are about as wide (within {WIDER:g}×): σ is {_gaps(wa)} and "
        f"{_gaps(wb)} {unit}."
    )


def looks_branch(p: ImageFacts) -> str:
    """ "one picture" (no pixel's SD reaches VISIBLE_SD: the labels describe one picture), "agree"
    (visibly different samples, at least AGREE of them one digit) or "split"."""
    if p.sd_max < VISIBLE_SD:
        return "one picture"
    return "agree" if max(p.shares) >= AGREE else "split"


def looks_sentence(p: ImageFacts, n: int) -> str:
    """What one image's samples decode to, read only as far as they differ."""
    s = np.asarray(p.shares)
    top, second = (int(k) for k in np.argsort(s, kind="stable")[::-1][:2])
    own = "" if top == p.label else f", though it is {a_digit(p.label)}"
    branch = looks_branch(p)
    if branch == "one picture":
        out = (
            f"{p.tag}'s {n} samples barely differ (no pixel's SD over them reaches {VISIBLE_SD:g} "
            "on the "
            f"0 to 1 ink scale): one picture, which the 1-NN rule calls {a_digit(top)} "
            f"({pct(s[top])})"
        )
        if s[top] < AGREE:
            return out + (
                f" or {a_digit(second)} ({pct(s[second])}){own}: a picture between digits, not "
                "samples that disagree"
            )
        return out + own
    if branch == "agree":
        return f"{p.tag}'s samples differ visibly, yet {pct(s[top])} look like {a_digit(top)}" + own
    return (
        f"{p.tag}'s samples differ visibly and split: {pct(s[top])} look like {a_digit(top)}, "
        f"{pct(s[second])} like {a_digit(second)}" + ("" if p.label in (top, second) else own)
    )


def verdict(f: PairFacts) -> str:
    """The lesson's first notice: the widths, what each image's samples decode to, and how the two
    connect (a split needs visibly different samples; a wider σ is said only when it is)."""
    wb, text = width_sentence(f)
    la, lb = looks_branch(f.a), looks_branch(f.b)
    out = f"{text} {looks_sentence(f.a, f.n)}; {looks_sentence(f.b, f.n)}."
    split = [p for p, b in ((f.a, la), (f.b, lb)) if b == "split"]
    if len(split) == 1:
        other = f.b if split[0] is f.a else f.a
        wider = width(split[0], f.gap) >= WIDER * width(other, f.gap)
        out += (
            f" The samples of {split[0].tag}, the wider posterior, cross into other digits."
            if wider
            else f" {split[0].tag}'s samples split although its posterior is not the wider one: "
            "because of where its μ lies, among codes of different digits, not because of its σ."
        )
    elif la == lb == "one picture":
        out += (
            " Here σ changes nothing you can see: both images' samples decode to one picture each."
        )
    return out


def kl_parts(p: ImageFacts) -> tuple[float, float]:
    """KL(q || N(0, I)) split into its μ part ½Σμ² and its width part ½Σ(σ² − 1 − log σ²)."""
    mu, s2 = (
        np.asarray(p.mu, dtype=np.float64),
        np.maximum(np.asarray(p.sigma, dtype=np.float64), 1e-300) ** 2,
    )
    return 0.5 * float(mu @ mu), 0.5 * float(np.sum(s2 - 1 - np.log(s2)))


def kl_sentence(f: PairFacts) -> tuple[str, str]:
    """(branch, sentence): what each posterior costs in KL and which part makes the difference.
    Branches: "same", "width" (the width part differs more), "mu"."""
    (ma, sa), (mb, sb) = kl_parts(f.a), kl_parts(f.b)
    ka, kb = ma + sa, mb + sb
    out = (
        f"Placing A costs KL = {ka:.1f} nats (μ's distance from 0: {ma:.1f}, σ's width: {sa:.1f}), "
        f"B {kb:.1f} ({mb:.1f} + {sb:.1f})"
    )
    if abs(ka - kb) < SAME_KL:
        return "same", out + ": about the same."
    dear, cheap = ("A", "B") if ka > kb else ("B", "A")
    if abs(sa - sb) >= abs(ma - mb):
        return "width", out + (
            f": the difference is mostly σ's part, which grows as σ shrinks below 1: "
            f"{dear}'s narrower q(z|x) pins its image down more and costs more."
        )
    return "mu", out + (
        f": the difference is mostly μ's part: {dear}'s μ lies farther from the prior's "
        f"centre than {cheap}'s."
    )


def reach_sentence(
    tag: str, n: int, inside: float | None, dist: float, sigma_mean: float, nearest: int
) -> tuple[str, str]:
    """(branch, sentence) for a 2-D posterior: its samples inside the 2σ ellipse and the nearest
    other test code in σ. Branches: "point" (σ too small to measure against), "apart", "reaches"."""
    ratio = dist / sigma_mean if sigma_mean > 0 else math.inf
    head = (
        f"{pct(inside)} of {tag}'s {n} samples fall inside its 2σ ellipse (86 % expected). "
        if inside is not None
        else ""
    )
    near = f"The nearest other test code (#{nearest}) is {dist:.3g} away"
    if not math.isfinite(ratio) or ratio > HUGE:
        return "point", (
            f"{head}{near}, more than {HUGE:,.0f} σ (σ = {sigma_mean:.1e}): {tag}'s posterior "
            "is a point in effect and reaches no other code."
        )
    if ratio > APART:
        return "apart", f"{head}{near}, {ratio:.1f} σ: {tag}'s cloud does not reach it."
    return "reaches", f"{head}{near}, {ratio:.1f} σ: {tag}'s cloud reaches its neighbours' codes."


def ring_sentence(
    px: dict[str, float],
    zoomed: bool,
    points: bool = False,
    small: float = 12.0,
    zoomed_px: dict[str, float] | None = None,
) -> str:
    """How large the 2σ rings are drawn, in screen pixels, and what to do when they are hard to see
    among the codes (under ``small`` px; ``points``: both posteriors are points in effect,
    ``width_sentence``'s "points"; ``zoomed_px``: the sizes the zoom would give, so that the zoom
    is suggested only where it shows them)."""
    sizes = ", ".join(f"{t}'s {v:.0f} px" for t, v in px.items())
    if max(px.values()) >= small:
        return f" On this map the 2σ rings are about {sizes} across."
    if points:
        return (
            f" The 2σ rings are about {sizes} across: both posteriors are points in effect, and no "
            "zoom shows them as rings."
        )
    if zoomed or (zoomed_px is not None and max(zoomed_px.values()) < small):
        if not zoomed:  # the zoom would not help: say so, not "switch it on"
            sizes = ", ".join(f"{t}'s {v:.0f} px" for t, v in zoomed_px.items())
        return (
            f" Even zoomed, the 2σ rings are only about {sizes} across: the two posteriors lie "
            "far apart compared with their σ (the table below gives σ in numbers)."
        )
    return (
        f" At this scale the 2σ rings are only about {sizes} across: switch on the zoom to "
        "see them."
    )


NO_KL = 0.05  # nats: a dimension this cheap says nothing about its image


def unused_sentence(d: int, unused: dict[str, int], threshold: float, kl_max: float | None) -> str:
    """For more than 2 dimensions: how many of each image's have σ ≥ ``threshold``, and, from the
    largest KL among them (``kl_max``), whether they are the prior or only close to its width."""
    head = "; ".join(
        f"{k} of {d} dimensions of {t} have σ ≥ {threshold:g}" for t, k in unused.items()
    )
    if kl_max is None:
        return head + ": every dimension carries something about both images."
    if kl_max <= NO_KL:
        return head + (
            ": there the posterior is the prior, and those dimensions say nothing about the "
            f"image (their KL is at most {kl_max:.2f} nats)."
        )
    return head + (
        f": σ there is near the prior's 1, but their KL reaches {kl_max:.2f} nats (μ away "
        "from 0): they still say a little about the image."
    )


PRECISION = 1e-9  # a σ below this share of 1 + |μ| is below μ's float precision: no share inside


@dataclass(frozen=True)
class ReachFacts:
    """A 2-D posterior's samples and the nearest other test code."""

    tag: str  # "A" or "B"
    n: int  # samples drawn
    sigma_mean: float  # its mean σ over the two dimensions
    inside: float | None  # share of the samples inside its 2σ ellipse; None: σ below μ's precision
    dist: float  # distance from μ to the nearest other test code
    nearest: int  # that code's test index


def reach_facts(
    tag: str, mu: np.ndarray, sigma: np.ndarray, z: np.ndarray, codes: np.ndarray, index: int
) -> ReachFacts:
    """From the posterior's μ, σ (2,), its samples ``z`` (n, 2) and every test code (N, 2), the
    image's own (``index``) left out."""
    s = float(np.mean(sigma))
    measurable = s > PRECISION * (1 + np.abs(mu).max())
    if measurable:  # the samples in σ units: (z - μ) / σ = ε, inside the 2σ ellipse when |ε| ≤ 2
        eps = (z - mu) / np.maximum(sigma, 1e-300)
        inside = float(np.mean((eps**2).sum(axis=1) <= 4.0))
    others = np.delete(np.arange(len(codes)), index)
    dist, row = (v[0] for v in neighbours.nearest_one(codes[others], mu))
    return ReachFacts(
        tag, len(z), s, inside if measurable else None, float(dist), int(others[int(row)])
    )


def reach_notice(f: ReachFacts) -> str:
    """``reach_sentence`` of these facts."""
    return reach_sentence(f.tag, f.n, f.inside, f.dist, f.sigma_mean, f.nearest)[1]


@dataclass(frozen=True)
class UnusedFacts:
    """Per image ("A", "B"), each dimension's σ and KL (nats), for more than 2 dimensions."""

    d: int  # latent dimensions
    sigma: dict[str, tuple[float, ...]]  # (d,) per image
    kl: dict[str, tuple[float, ...]]  # (d,) per image


def unused_notice(f: UnusedFacts) -> str:
    """``unused_sentence`` of these facts: the dimensions with σ ≥ ``vae.units.UNUSED_SIGMA`` per
    image, and the largest KL among them (None: there are none)."""
    gone = {t: units.unused_dims(np.asarray(s)) for t, s in f.sigma.items()}
    kl_max = max(
        (float(np.asarray(f.kl[t])[g].max()) for t, g in gone.items() if len(g)), default=None
    )
    return unused_sentence(f.d, {t: len(g) for t, g in gone.items()}, units.UNUSED_SIGMA, kl_max)
