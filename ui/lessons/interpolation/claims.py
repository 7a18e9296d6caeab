"""The Interpolation lesson's comparison of the two paths, a pure function of its numbers (no
Streamlit): how far each path runs from the data along its whole length (the mean emptiness and
the share of points where each is the closer one), not only at its emptiest point, and a verdict
that names a path only when the numbers show it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.lessons import words

MEAN_MARGIN = (
    0.10  # a path is "closer" when its mean emptiness is lower by this share of the smaller
)
POINT_MARGIN = 0.05  # at one point, a path is the closer one when lower by this share of the other


@dataclass(frozen=True)
class PathFacts:
    """Emptiness along each path at the same points t (distance to the k-th nearest test code ÷ the
    usual one: about 1 among the data)."""

    lerp: tuple[float, ...]
    slerp: tuple[float, ...]


@dataclass(frozen=True)
class Verdict:
    """The two paths compared along their whole length."""

    mean: dict[str, float]  # mean emptiness per path
    worst: dict[str, float]  # highest emptiness per path
    closer_share: dict[str, float]  # share of the points where this path is the closer one
    winner: str | None  # "lerp", "slerp", or None when the means are within MEAN_MARGIN


def verdict(f: PathFacts) -> Verdict:
    """Compare lerp and slerp by mean emptiness (the verdict) and point by point (the shares)."""
    e = {
        "lerp": np.asarray(f.lerp, dtype=np.float64),
        "slerp": np.asarray(f.slerp, dtype=np.float64),
    }
    mean = {k: float(v.mean()) for k, v in e.items()}
    worst = {k: float(v.max()) for k, v in e.items()}
    share = {
        "lerp": float(np.mean(e["lerp"] < (1 - POINT_MARGIN) * e["slerp"])),
        "slerp": float(np.mean(e["slerp"] < (1 - POINT_MARGIN) * e["lerp"])),
    }
    lo = min(mean, key=mean.get)
    hi = "slerp" if lo == "lerp" else "lerp"
    winner = lo if mean[hi] - mean[lo] >= MEAN_MARGIN * mean[lo] else None
    return Verdict(mean, worst, share, winner)


def path_sentence(v: Verdict, names: dict[str, str], n: int) -> str:
    """The comparison in words: means along the path (the verdict's measure), shares of the
    points, maxima."""
    level = max(0.0, 1.0 - v.closer_share["lerp"] - v.closer_share["slerp"])
    head = (
        f"Along the whole path ({n} points), lerp is on average {v.mean['lerp']:.2f}× the usual "
        f"distance from the data and slerp {v.mean['slerp']:.2f}×; at its emptiest lerp is "
        f"{v.worst['lerp']:.1f}× and slerp {v.worst['slerp']:.1f}×. Point by point, lerp is the "
        f"closer one at {words.pct(v.closer_share['lerp'])} of the points, slerp at "
        f"{words.pct(v.closer_share['slerp'])}, and they are level (within "
        f"{POINT_MARGIN:.0%}) at {words.pct(level)}. "
    )
    if v.winner is None:
        return head + (
            f"On average neither path stays clearly closer to the data (means within "
            f"{MEAN_MARGIN:.0%})."
        )
    return head + f"On average the {names[v.winner]} stays closer to the data on this pair."
