"""What the Latent size lesson may say (ELBO, dimensions in use, top k, what the models share):
pure functions of numbers.

``SizeFacts`` holds each size's mean KL per dimension and the top-k curves; the functions return
the sentences that are true for them at a threshold, so that every branch is tested without
Streamlit. ``BuiltFacts`` holds how many sizes are built and on how many budgets, for the caveat
on what the models share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OFF = 0.01  # nats: below this a dimension carries (next to) nothing, the active-unit bar's KL twin
CLOSE = 1.0  # nats of reconstruction: "within a nat of the whole code"
THRESHOLDS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)  # the page's slider: nats of KL per dimension
NOTHING_YET = (
    "The numbers appear here once at least two latent sizes are built (`python -m vae.build`)."
)
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


@dataclass(frozen=True)
class SizeFacts:
    """Per latent size d: each dimension's mean KL over the test images (nats, any order), and for
    the large models the top-k reconstruction curve (k = 1 .. d, nats)."""

    kl: dict[int, tuple[float, ...]]
    curves: dict[int, tuple[float, ...]]
    thresholds: tuple[float, ...]  # every threshold the page's slider offers


@dataclass(frozen=True)
class BuiltFacts:
    """The ladder's models whose numbers load, and their training budgets."""

    built: int  # sizes whose checkpoint's numbers load (rows of the page's table)
    sizes: int  # sizes on the ladder (vae.zoo.LATENT_SIZES)
    budgets: int  # distinct epoch counts among the built models
    budget: str  # the first built model's training budget in words (empty when none is built)


def budget_caveat(f: BuiltFacts) -> str | None:
    """What the built models share: only the latent size differs when they have one budget; when
    they do not, that the longer-trained models have an advantage. None below two models."""
    if f.built < 2:
        return None  # nothing to compare yet: the page's missing note says what is left out
    who = (
        f"All {_COUNTS.get(f.sizes, f.sizes)} models"
        if f.built == f.sizes
        else f"The {f.built} models built so far"
    )
    if f.budgets <= 1:
        return (
            f"{who} share the architecture, the data, the seed, β = 1 and one training budget "
            f"({f.budget}), so the only difference between them is the latent size."
        )
    return (
        f"{who} share the architecture, the data, the seed and β = 1, but not yet the training "
        "budget (the table's epochs column): where it differs, the model that trained longer has "
        "an advantage that is not due to its latent size."
    )


def elbo_notice(elbo: dict[int, float], epochs: dict[int, int], tol: float = 2.0) -> str:
    """Test -ELBO along the ladder: where it comes within tol nats of the best (the knee), the
    best, and the larger sizes that are worse again (with their epochs when those differ)."""
    from ui.lessons.words import change_words
    from vae.units import plateau  # the knee: the smallest size within tol of the best

    elbo = {int(d): float(v) for d, v in sorted(elbo.items())}
    first = min(elbo)
    knee, best = plateau(list(elbo), list(elbo.values()), tol=tol)
    s = (
        "Test −ELBO by latent size: "
        + ", ".join(f"{v:.1f} (d = {d})" for d, v in elbo.items())
        + " nats. "
    )
    if knee != first:
        s += f"From d = {first} to d = {knee} it {change_words(elbo[first], elbo[knee])}; "
        s += (
            f"from there to the best, d = {best}, only {elbo[knee] - elbo[best]:.1f} more."
            if knee != best
            else "that is the best of the built sizes."
        )
    else:
        s += f"The best is at d = {best}."
    worse = [d for d in elbo if d > best and elbo[d] > elbo[best]]
    if worse:
        s += (
            " Larger, it gets worse again: "
            + ", ".join(
                f"d = {d} is {elbo[d] - elbo[best]:.1f} nats behind"
                + (
                    ""
                    if epochs[d] == epochs[best]
                    else f" ({epochs[d]} epochs against {epochs[best]})"
                )
                for d in worse
            )
            + "."
        )
    return s


def _nats(x: float) -> str:
    return "nat" if x == 1 else "nats"


def used(f: SizeFacts, thr: float) -> dict[int, int]:
    """Dimensions per size whose mean KL is above thr (as ``vae.units.count_above``)."""
    return {d: int((np.asarray(v) > thr).sum()) for d, v in sorted(f.kl.items())}


def count_shape(counts: dict[int, int]) -> tuple[str, int]:
    """How the count runs along the ladder: ("grows", d) when the largest model alone uses the most;
    ("levels", d) when from size d (smaller than the largest) every count is within one of the
    most; else ("peaks", d), d the smallest size with the most."""
    top = max(counts.values())
    first = min(d for d, n in counts.items() if n == top)
    if first == max(counts):
        return "grows", first
    if all(n >= top - 1 for d, n in counts.items() if d >= first):
        return "levels", first
    return "peaks", first


def count_notice(f: SizeFacts, thr: float) -> str:
    """The models' counts at thr, where the count stops (or that it does not), what the dimensions
    below the bar carry, and how the count moves with the threshold."""
    n = used(f, thr)
    big = max(n)
    shape, first = count_shape(n)
    top = max(n.values())
    s = (
        f"At {thr:g} {_nats(thr)} of KL per dimension the models use "
        + ", ".join(f"{n[d]} of {d}" for d in n)
        + ": "
    )
    if shape == "grows":
        s += (
            f"the largest model uses the most ({top}), so at this threshold the ladder does not "
            "show where the count stops."
        )
    else:
        later = [n[d] for d in n if d >= first]
        earlier = [n[d] for d in n if d <= first]  # "grows up to": never falls on the way up
        rise = (
            "grows up to" if all(a <= b for a, b in zip(earlier, earlier[1:])) else "first reaches"
        )
        s += (
            f"the count {rise} d = {first} ({top}) and stops there"
            if shape == "levels"
            else f"the count peaks at d = {first} ({top})"
        )
        s += (
            f"; from d = {first} on, the counts are {min(later)}–{max(later)}"
            if min(later) != max(later)
            else f"; every larger model uses {top} too"
        )
        if n[big] < top:
            s += f"; the largest, d = {big}, uses fewer ({n[big]}) than d = {first}"
        s += (
            f": at this threshold the models with d ≥ {first} use about {top}, however many "
            "dimensions they have."
            if shape == "levels"
            else ": more room does not mean more dimensions in use."
        )
    below = np.sort([v for v in f.kl[big] if v <= thr])
    if len(below):
        s += f" The other {len(below)} of d = {big} carry " + (
            f"less than {OFF:g} nats each: switched off."
            if below[-1] < OFF
            else f"{below[0]:.3f} to {below[-1]:.3f} nats each: under the bar, not all switched off"
            + (
                f" ({int((below < OFF).sum())} of them under {OFF:g} nats)."
                if (below < OFF).any()
                else "."
            )
        )
    return s


def threshold_notice(f: SizeFacts) -> str:
    """That the count depends on where the bar is, over the slider's range."""
    lo, hi = min(f.thresholds), max(f.thresholds)
    at_lo, at_hi = used(f, lo), used(f, hi)
    moved = [d for d in at_lo if at_lo[d] != at_hi[d]]
    if not moved:
        return (
            f"The count does not depend on the threshold here: from {lo:g} to {hi:g} nats every "
            "model's count stays the same."
        )
    steady = [d for d in at_lo if d not in moved]
    return (
        f"The count depends on where you draw the line: from {lo:g} to {hi:g} nats, "
        + ", ".join(f"d = {d} goes from {at_lo[d]} to {at_hi[d]}" for d in moved)
        + (
            ""
            if not steady
            else "; "
            + ", ".join(f"d = {d}" for d in steady)
            + f" keep{'s' if len(steady) == 1 else ''} the same count at every threshold"
        )
        + f". The dimensions whose KL lies between {lo:g} and {hi:g} nats (the chart) are neither "
        "clearly in use nor switched off."
    )


def enough_k(curve: tuple[float, ...]) -> int:
    """The smallest k from which the reconstruction loss stays within CLOSE nats of the whole
    code's (for every larger k too: so that the dimensions past k carry almost nothing)."""
    c = np.asarray(curve)
    far = np.flatnonzero(c > c[-1] + CLOSE)  # the k - 1 still more than CLOSE nats away
    return int(far[-1]) + 2 if len(far) else 1


def topk_notice(f: SizeFacts, name: dict[int, str]) -> str | None:
    """Cutting each large model's code to its top k: the k within a nat of all d (every model, so
    the sentence holds whichever one the fragment above shows)."""
    if not f.curves:
        return None
    parts = []
    for d, curve in sorted(f.curves.items(), reverse=True):
        k = enough_k(curve)
        parts.append(
            f"{name[d]}'s reconstruction loss is {curve[0]:.1f} nats at k = 1 and "
            f"{curve[-1]:.1f} with all {d}; k = {k} is within {CLOSE:g} nat of all {d}"
        )
    return (
        "Cut a code to its top k dimensions: "
        + "; ".join(parts)
        + ". The dimensions past that k carry almost nothing the decoder reads."
    )
