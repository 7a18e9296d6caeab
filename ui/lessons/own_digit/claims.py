"""What *Your own digit* says about a picture, as pure functions of the numbers the page shows (no
Streamlit), so that the fast tier checks every branch: the verdict on its negative ELBO (against
all test digits, and against those with about as much ink), what share of it is KL, what its
nearest test codes say, where its 2-D code lies against the prior, and, for a bundled example,
how it compares with the test digit it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.lessons.words import a_digit

FAR_TAIL = 99.0  # % of test digits scoring lower: the far tail, whatever the ink says
INK_SURPRISE = 95.0  # % of the ink-matched test digits scoring lower: surprising for its ink
ALL_WORSE = 99.95  # ... and from here "worse than every one of them" (as the % shown rounds)
UNREMARKABLE = 90.0  # % of all test digits below this: "unremarkable" against all of them
LOW = 5.0  # % at most: a low score, which is no evidence of a digit (the plain bar scores low)
KL_HALF = 0.5  # share of the score that is KL: below it, most of the surprise is in pixels
PLACED = 4  # nearest codes of one digit (of 5) to say the model places it among them
AGREES = 3  # ... for a bundled example: this many of its true digit and the neighbourhood agrees
WHOSE = {"draw": "Your drawing's", "example": "This example's"}  # else "Your picture's"


@dataclass(frozen=True)
class DigitFacts:
    """Everything the notices say about one picture under one model (scores in nats)."""

    source: str  # "draw", "example" or "upload": how the picture came in
    elbo: float  # its negative ELBO: reconstruction (one posterior sample) + KL
    kl: float  # its KL term, in closed form
    pct: float  # % of the 10,000 test digits scoring at most as much, rounded to 0.1 as shown
    pct_ink: float | None  # the same among the ink-matched test digits; None: too few of them
    n_matched: int  # test digits with about as much ink (vae.ood.ink_matched)
    bar_score: float  # the plain vertical bar's negative ELBO (the first "Try these" picture)
    near: tuple[int, ...]  # test indices of its nearest test codes, nearest first
    near_labels: tuple[int, ...]  # their digits, in the same order
    src: int | None  # a bundled example: the test digit it was made from; else None
    src_label: int | None  # that test digit's label
    src_elbo: float | None  # that test digit's negative ELBO as MNIST prepared it
    radius: float | None  # a 2-D model: the code μ's distance from the origin; else None
    inside: bool | None  # a 2-D model: whether μ lies inside the prior's 99 % circle; else None
    circle: float  # the radius of the circle holding 99 % of the 2-D prior N(0, I)


def verdict(f: DigitFacts) -> tuple[str, str]:
    """(branch, sentence) on the score: "far tail", "ink" (surprising for its ink), "low" (a low
    score, no evidence of a digit) or "unremarkable"."""
    if f.pct >= FAR_TAIL:
        return "far tail", (
            f"That is in the far tail: only {100 - f.pct:.1f} % of the test digits cost more. The "
            "model finds this picture unlike MNIST (or the recipe could not make it MNIST-like)."
        )
    if f.pct_ink is not None and f.pct_ink >= INK_SURPRISE:
        return "ink", (
            (
                "Against all test digits that score is unremarkable, but "
                if f.pct < UNREMARKABLE
                else f"Only {100 - f.pct:.1f} % of all test digits cost more, and "
            )
            + (
                f"it is worse than every one of the {f.n_matched:,} test digits with about as much "
                "ink"
                if f.pct_ink >= ALL_WORSE
                else f"among the {f.n_matched:,} test digits with about as much ink only "
                f"{100 - f.pct_ink:.1f} % score worse"
            )
            + ": for its amount of ink, the model finds it surprising."
        )
    if f.pct <= LOW:
        return "low", (
            "A low score does not make it a digit: the plain vertical bar below scores "
            f"{f.bar_score:.0f} nats, better than almost every test digit. Little ink is simply "
            "cheap to explain."
        )
    return "unremarkable", (
        "By this score the model cannot tell it from a digit"
        + (
            f" (among test digits with as much ink, {np.floor(f.pct_ink * 10) / 10:.1f} % score "
            "better)"
            if f.pct_ink is not None
            else ""
        )
        + "; the score cannot say whether it is one."
    )


def kl_share(f: DigitFacts) -> float:
    """The share of the score that is KL (0 for a score of 0 or below)."""
    return f.kl / f.elbo if f.elbo > 0 else 0.0


def kl_note(f: DigitFacts) -> tuple[str, str]:
    """(branch, sentence) on the KL's share of the score: "pixels" (under half) or "kl"."""
    share = kl_share(f)
    if share < KL_HALF:
        return "pixels", (
            f" Only {f.kl:.1f} of those nats ({share:.0%}) are KL: most of the surprise is in "
            "pixels the decoder could not redraw."
        )
    return "kl", (
        f" {f.kl:.1f} of those nats ({share:.0%}) are KL: the encoder had to push this posterior "
        "far from the prior to describe it."
    )


def score_note(f: DigitFacts) -> str:
    """The first notice: the score against the test digits, the verdict and the KL's share."""
    whose = WHOSE.get(f.source, "Your picture's")
    return (
        f"{whose} negative ELBO is **{f.elbo:.0f} nats**, higher than **{f.pct:.1f} %** of the "
        "10,000 test digits. " + verdict(f)[1] + kl_note(f)[1]
    )


def top_digit(f: DigitFacts) -> tuple[int, int]:
    """The digit most common among the nearest codes (the smaller on a tie) and how many."""
    counts = np.bincount(np.asarray(f.near_labels, dtype=np.int64), minlength=10)
    top = int(np.argmax(counts))
    return top, int(counts[top])


def neighbours_note(f: DigitFacts) -> tuple[str, str]:
    """(branch, sentence) on the nearest test codes: for a bundled example "agrees" or "wrong"
    (its digit is known), else "placed" or "mixed"; then, for a 2-D model, where μ lies against
    the prior's 99 % circle."""
    k = len(f.near)
    top, n_top = top_digit(f)
    text = f"{n_top} of its {k} nearest test codes are **{top}s**" + (
        f" (the others: {', '.join(str(int(d)) for d in f.near_labels if d != top)})"
        if n_top < k
        else ""
    )
    if f.src is not None:  # a bundled example: what it is, is known
        branch = "agrees" if top == f.src_label and n_top >= AGREES else "wrong"
        text += (
            f", and it is {a_digit(f.src_label)}: the neighbourhood agrees."
            if branch == "agrees"
            else f", yet it is {a_digit(f.src_label)} (test digit #{f.src}): the "
            "neighbourhood is wrong about it."
        )
    else:
        branch = "placed" if n_top >= PLACED else "mixed"
        text += (
            f": the model places it among the {top}s"
            if branch == "placed"
            else ": a mixed neighbourhood"
        ) + (
            ". Every picture has nearest codes, a non-digit too: this places it, it does not "
            "classify it."
        )
    if f.inside is not None and f.radius is not None:
        text += (
            f" Its code lies at radius {f.radius:.2f} from the origin, "
            + ("inside" if f.inside else "**outside**")
            + f" the circle (radius {f.circle:.2f}) that holds 99 % of the prior N(0, I)."
        )
    return branch, text


def source_note(f: DigitFacts) -> tuple[str, str] | None:
    """For a bundled example, (branch, sentence) on the test digit it was made from: "more" or
    "fewer" nats than that digit, with where that digit is among its nearest codes; else None."""
    if f.src is None or f.src_elbo is None:
        return None
    k = len(f.near)
    where = (
        "its nearest test code is that very digit"
        if f.near[0] == f.src
        else f"that digit is number {f.near.index(f.src) + 1} of its {k} nearest codes"
        if f.src in f.near
        else f"that digit is not among its {k} nearest codes"
    )
    more = f.elbo > f.src_elbo
    return ("more" if more else "fewer"), (
        f"This example is test digit #{f.src} dressed up as an upload: as MNIST prepared it, the "
        f"digit scores {f.src_elbo:.0f} nats, this version {f.elbo:.0f} ("
        + (
            f"{f.elbo - f.src_elbo:.0f} more for what was done to it and what the recipe could "
            "not undo"
            if more
            else f"{f.src_elbo - f.elbo:.0f} fewer"
        )
        + f"), and {where}."
    )


def notes(f: DigitFacts) -> list[str]:
    """The lesson's "what to notice", in order."""
    out = [score_note(f), neighbours_note(f)[1]]
    src = source_note(f)
    return out + [src[1]] if src is not None else out


def probes_note(pcts: list[float]) -> str:
    """The "Try these" pictures against the test digits (``pcts``: for each, the % of test digits
    scoring lower, as the captions show it): whether any of them hides among the digits, i.e.
    scores no worse than the far tail (``FAR_TAIL``)."""
    hidden = sum(p < FAR_TAIL for p in pcts)
    if hidden:
        return (
            f"{hidden} of these {len(pcts)} non-digits score no worse than the worst "
            f"{100 - FAR_TAIL:g} % of the test digits: the score alone does not tell a digit from "
            "a non-digit."
        )
    return (
        f"All {len(pcts)} score worse than {FAR_TAIL:g} % of the test digits: this model's score "
        "sets these pictures apart, though that does not make it a detector of every non-digit."
    )
