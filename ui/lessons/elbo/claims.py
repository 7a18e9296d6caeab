"""The ELBO lesson's sentences, pure functions of its numbers (no Streamlit): why the refinement
stopped, how fine the quadrature grid is against the widths it must resolve, and what the
importance-weighted bound at k says beside its sampling noise (a standard error over its groups).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vae import bound

NOISE_SES = 2.0  # a difference is called real only beyond this many standard errors
TAIL = 10  # the refinement's last steps whose gain is quoted


@dataclass(frozen=True)
class RefineFacts:
    """The refinement from the encoder's q (nats) and the schedule it ran on."""

    path_elbo: tuple[float, ...]  # the ELBO at each step, the encoder's q first
    elbo_best: float  # the best Gaussian's ELBO (from either start)
    margin: float = 0.05  # nats: below the best by more than this, the caveat is shown


def refine_caveat(f: RefineFacts) -> str | None:
    """What happened to the refinement from the encoder's q when it ends below the best Gaussian:
    its cosine learning-rate schedule reached 0 (the only reason it stops), with its last steps'
    gain.
    None when it reaches the best (within ``margin``)."""
    path = np.asarray(f.path_elbo, dtype=np.float64)
    top = float(path.max())
    if top >= f.elbo_best - f.margin:
        return None
    steps = len(path) - 1
    tail = float(path[-1] - path[max(0, steps - TAIL)])
    still = (
        f"it was still climbing: its last {TAIL} steps gained {tail:+.2f} nats, with steps "
        "already shrinking"
        if tail > 0.01
        else f"its last {TAIL} steps gained {tail:+.2f} nats, but by then the steps were near "
        "0, so this does not show that more steps would gain nothing"
    )
    return (
        f"From the encoder's q the refinement ends at {top:.2f} after {steps} steps because its "
        f"learning-rate schedule (cosine) reaches 0 there, not because it found the best "
        f"Gaussian; {still}. Started from the posterior's own mean and spread it reaches "
        f"{f.elbo_best:.2f}, the number used below."
    )


@dataclass(frozen=True)
class GridFacts:
    """The fine quadrature grid and the widths it must resolve (standard deviations, latent
    units)."""

    cell: float  # the larger of the two cell widths
    sd_post: float  # the exact posterior's narrower standard deviation, on the fine grid
    sd_q: float  # the encoder's q's narrower standard deviation
    target: float  # cells per standard deviation aimed at (vae.bound.STEPS_PER_SD)


def grid_sentence(f: GridFacts) -> str:
    """How many cells span the narrower of q's and the posterior's standard deviations, measured on
    the fine grid; whether that meets the target is said from the numbers (the grid is sized from a
    coarser look and capped in points, so it can fall short, e.g. at beta != 1)."""
    narrow = min(f.sd_post, f.sd_q)
    which = "the posterior's" if f.sd_post <= f.sd_q else "q's"
    per = narrow / f.cell if f.cell > 0 else float("inf")
    base = (
        f"Cell width {f.cell:.4f}; the narrowest width here is {which} standard deviation, "
        f"{narrow:.4f} (posterior {f.sd_post:.4f}, q {f.sd_q:.4f}): {per:.1f} cells across it"
    )
    if per >= f.target - 1e-9:
        return base + f", at least the {f.target:g} aimed at."
    return (
        base + f", fewer than the {f.target:g} aimed at, so the halving test below is what says "
        "how exact the numbers are."
    )


@dataclass(frozen=True)
class BoundFacts:
    """The importance-weighted bound at one k beside the exact numbers (nats)."""

    k: int
    value: float  # L_k, mean over its groups
    se: float  # its standard error over the groups (nan: one group)
    groups: int  # how many groups of k draws it averages
    elbo: float  # the encoder's ELBO by quadrature
    log_px: float  # log p(x) by quadrature
    accuracy: float  # the quadrature's own accuracy (grid halving)


def _noise(f: BoundFacts) -> float:
    """The smallest difference called real: NOISE_SES standard errors plus the grid's accuracy."""
    se = f.se if np.isfinite(f.se) else float("inf")
    return NOISE_SES * se + f.accuracy


def above_elbo(f: BoundFacts) -> bool:
    """L_k is above the ELBO by more than its noise."""
    return f.value - f.elbo > _noise(f)


def below_px(f: BoundFacts) -> bool:
    """L_k is below log p(x) by more than its noise."""
    return f.log_px - f.value > _noise(f)


def bound_sentence(f: BoundFacts) -> str:
    """L_k with its standard error, and its distance from the ELBO and log p(x), each called real
    only when it exceeds the noise (NOISE_SES standard errors and the grid's accuracy)."""
    se = f"± {f.se:.2f}" if np.isfinite(f.se) else "(one group: no error estimate)"
    gain = f.value - f.elbo
    below = f.log_px - f.value
    return (
        f"With k = {f.k}: **{f.value:.2f}** nats {se} (one standard error over {f.groups:,} "
        f"group{'s' if f.groups != 1 else ''} of {f.k}); "
        + (
            f"{gain:+.2f} from the ELBO, "
            if above_elbo(f)
            else f"{gain:+.2f} from the ELBO, which is within its noise: no gain shown at this k; "
        )
        + (f"{below:.2f} below log p(x)." if below_px(f) else _level_with_px(-below))
    )


def _level_with_px(above: float) -> str:
    """The bound's distance from log p(x) when it is within the noise: ``above`` = L_k - log p(x),
    in nats. One estimate may land above log p(x) (only its expectation cannot), and the page's
    two rounded numbers may differ by 0.01 where the difference rounds to 0.00: say both."""
    size = f"{abs(above):.2f}" if abs(above) >= 0.005 else "less than 0.01"
    if above > 0:
        return (
            f"level with log p(x) within its noise: {size} above it, as one random estimate can "
            "be (its expected value never is)."
        )
    return f"level with log p(x) within its noise ({size} below it)."


REAL_GAP_GRIDS = 2.0  # a gap is real beyond this many times the grid's accuracy ...
REAL_GAP_NATS = 0.01  # ... plus this many nats


@dataclass(frozen=True)
class GapFacts(bound.Gap):
    """One image's exact numbers (nats): ``vae.bound.Gap``, whose gap, amortization,
    approximation and accuracy it reuses, and the bound at the largest k the page offers."""

    top: BoundFacts  # the importance-weighted bound at the largest k the page offers


def real_gap(f: GapFacts) -> bool:
    """The gap exceeds what the grid's accuracy could make of nothing."""
    return f.gap > REAL_GAP_GRIDS * f.accuracy + REAL_GAP_NATS


def gap_note(f: GapFacts) -> tuple[str, str]:
    """(branch, sentence) on the gap: "real" (with its share of -log p(x)) or "within" (about the
    grid's accuracy)."""
    if real_gap(f):
        return "real", (
            f"The ELBO misses log p(x) by **{f.gap:.2f} nats** ({f.gap / -f.log_px:.1%} of "
            "−log p(x)): the −ELBO the other pages quote as a loss overstates, by this kind of "
            "margin, how badly the model explains an image."
        )
    return "within", (
        f"Here the ELBO is within {f.gap:.2f} nats of log p(x), about the grid's accuracy "
        f"({f.accuracy:.3f}): for this image the encoder's Gaussian is all but the true posterior."
    )


def parts_note(f: GapFacts) -> tuple[str, str] | None:
    """(branch, sentence) on the larger part of a real gap, "amortization" or "approximation";
    None when the gap is not real."""
    if not real_gap(f):
        return None
    if f.amortization > f.approximation:
        return "amortization", (
            f"**{f.amortization / f.gap:.0%} of the gap is amortization**: one encoder serves "
            f"every image, and a Gaussian fitted to this image alone gets within "
            f"{f.approximation:.2f} nats of log p(x)."
        )
    return "approximation", (
        f"Most of the gap ({f.approximation:.2f} of {f.gap:.2f} nats) is approximation: the true "
        "posterior is not Gaussian here (look for a skewed or two-peaked blue map), so no Gaussian "
        "q can close it."
    )


def closing_note(f: GapFacts) -> tuple[str, str] | None:
    """(branch, sentence) on how much of a real gap the bound at the largest k closes: "part" (the
    share, when it is still below log p(x)) or "all" (level with it within its noise); None when
    the gap is not real or the bound is not above the ELBO beyond its noise."""
    if not (above_elbo(f.top) and real_gap(f)):
        return None
    closed = (f.top.value - f.elbo) / f.gap  # of the gap shown above, the same test as the bound's
    part = below_px(f.top)
    return ("part" if part else "all"), (
        "Importance sampling with k = 1,000 samples closes "
        + (f"{closed:.0%} of the gap" if part else "the gap, within the estimate's noise,")
        + " without changing the model or the encoder: the zoo's k = 1,000 numbers are this bound."
    )


def notes(f: GapFacts) -> list[str]:
    """The lesson's "what to notice", in order."""
    rest = (parts_note(f), closing_note(f))
    return [gap_note(f)[1]] + [n[1] for n in rest if n is not None]
