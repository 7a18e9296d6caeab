"""What *Train it yourself* says about its scores and code maps, as pure functions of the numbers
it shows (no Streamlit), so that the fast tier can check every branch: which digits the two
scores were measured on, the code maps' one square extent (and what it leaves out), and the
name of a latent dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXTENTS = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
SHOWN = 0.995  # a code map's extent holds at least this share of its codes (a few far ones aside)
SHARED = 2.0  # two maps share one extent unless one's own is more than this many times the other's
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def z(j: int) -> str:
    """Latent dimension j (0-based) as the page's axes name it: z₁ … z_d."""
    return f"z{str(int(j) + 1).translate(_SUB)}"


@dataclass(frozen=True)
class ScoreFacts:
    """Where the held-out scores in the table come from."""

    n_heldout: int  # digits both were measured on
    n_test: int  # the test set they were drawn from
    per_digit: tuple[int, ...]  # held-out digits of each class 0..9
    pretrained: str | None  # the pretrained model in the table, if any
    same_set: bool  # both rows measured on the very same digits (checked by the page)
    beta: float  # the learner's training beta


def score_caption(f: ScoreFacts) -> str:
    """The caption under the held-out score table; it names the set only as it is."""
    counts = ", ".join(f"{n} {d}s" for d, n in enumerate(f.per_digit))
    where = (
        f"the same {f.n_heldout:,} held-out test digits"
        if f.pretrained and f.same_set
        else f"{f.n_heldout:,} held-out test digits"
    )
    who = "Both" if f.pretrained and f.same_set else ("Yours" if not f.pretrained else "Each")
    text = (
        f"{who} measured on {where}: a fixed random sample of the {f.n_test:,} test digits, "
        f"each digit in proportion ({counts}), that your model never trains on"
        + (
            f" and {f.pretrained} never saw (it learned from the 60,000 training digits)"
            if f.pretrained
            else ""
        )
        + ". "
    )
    if f.pretrained and not f.same_set:
        text += "The two rows were measured on different digits, so they are not compared. "
    text += (
        "One posterior sample per digit"
        + (" with the same noise seed" if f.pretrained else "")
        + "; −ELBO = reconstruction + KL, with β = 1 in the score"
        + (f" (your model trained with β = {f.beta:g})" if f.beta != 1 else "")
        + ". Lower is better."
    )
    return text


def extent(mu: np.ndarray) -> float:
    """Half-width of a square code map around 0: the smallest of EXTENTS that holds a SHOWN share
    of the codes mu (n, 2) on both axes (the largest extent if none does)."""
    reach = np.abs(np.asarray(mu, dtype=np.float64)).max(axis=1)  # (n,) each code's farther axis
    reach = reach[np.isfinite(reach)]  # a diverged run's NaN codes are left out (and counted)
    need = float(np.quantile(reach, SHOWN)) if len(reach) else 0.0
    return next((e for e in EXTENTS if e >= need), EXTENTS[-1])


def shared_extents(own: list[float]) -> list[float]:
    """The extents the maps are drawn with: one for all (the largest) unless they differ by more
    than SHARED times, then each its own."""
    return [max(own)] * len(own) if max(own) <= SHARED * min(own) else list(own)


def left_out(mu: np.ndarray, half: float) -> int:
    """Codes outside the square [-half, half]², or not finite (not drawn)."""
    mu = np.asarray(mu, dtype=np.float64)
    return int(((np.abs(mu) > half) | ~np.isfinite(mu)).any(axis=1).sum())


def map_caption(names: list[str], halves: list[float], outside: list[int]) -> str:
    """The caption under the code maps: their extent(s) and the codes each leaves out."""
    if len(set(halves)) == 1:
        text = (
            f"{'Both maps show' if len(names) > 1 else 'The map shows'} the square "
            f"−{halves[0]:g} … {halves[0]:g} on both axes, one unit as long across as up."
        )
    else:
        text = (
            "The maps have different scales (their codes spread over very different ranges): "
            + "; ".join(f"{n} −{h:g} … {h:g}" for n, h in zip(names, halves))
            + ", each on both axes, one unit as long across as up."
        )
    gone = [f"{k:,} of {n}'s codes" for n, k in zip(names, outside) if k]
    return text + (
        f" Left out, outside the square: {' and '.join(gone)}."
        if gone
        else " Every held-out code is on the map."
    )
