"""The KL weighting lesson's notices (no Streamlit, so the fast tier tests every branch): the chosen
β's codes' spread, where its prior draws land and in which digit mix, and its rate and distortion,
each against the β = 1 model, the reference. A part whose models are not built is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ui.lessons.words import pct

PRIOR_SPREAD = math.sqrt(2)  # the prior's root-mean-square distance from the origin in 2-D
NEAR_PRIOR = 0.2  # a spread within this of √2 is "close to" the prior's
# a spread more than this share above (below) β = 1's: "further out" ("squeezed"); else "about as"
SAME_SPREAD = 0.05
# total variation: two points, visible in the whole percentages shown, before the mix "changes"
MIX_DIFF = 0.02
GAP_DIFF = 0.2  # typical gaps (shown to one decimal) before the draws land "closer" or "further"
NOT_BUILT = (
    "The numbers appear here once the models of the β ladder are built (`python -m vae.build`)."
)


@dataclass(frozen=True)
class Spread:
    """The codes' spread of the chosen rung and of β = 1 (``ladders.code_spread``)."""

    rms: float  # the chosen β's test codes: root-mean-square distance from the origin
    rms_1: float  # the same at β = 1
    outside: float  # share of the chosen β's codes off the chart's axes


@dataclass(frozen=True)
class Draws:
    """Prior draws among the test codes of the chosen rung and of β = 1 (``ladders.draw_stats``)."""

    gaps: float  # median distance of a draw to its nearest test code, in the model's typical gaps
    gaps_1: float  # the same at β = 1
    tv: float  # total variation of the draws' digit mix from the test set's
    tv_1: float  # the same at β = 1


@dataclass(frozen=True)
class RateDistortion:
    """Test-set averages of the chosen rung and of β = 1, from the ladder's table (nats)."""

    recon: float  # reconstruction (distortion)
    kl: float  # KL (rate)
    recon_1: float  # the same at β = 1
    kl_1: float


@dataclass(frozen=True)
class KlFacts:
    """Everything the lesson's notices say for one β and seed; None where a model is not built."""

    beta: float  # the chosen β (β = 1 is the reference)
    axis: float  # the codes chart's axes run ±axis
    spread: Spread | None  # None: the chosen rung's or β = 1's codes are not built
    draws: Draws | None  # None: likewise
    rd: RateDistortion | None  # None: the chosen β or β = 1 missing from the ladder's table


def spread_note(f: KlFacts) -> tuple[str, str] | None:
    """(branch, sentence) on the codes' spread against the prior's √2 and β = 1's; branches "β = 1",
    "further", "squeezed", "same"; None without the numbers."""
    s = f.spread
    if s is None:
        return None
    where = (
        "close to"
        if abs(s.rms - PRIOR_SPREAD) < NEAR_PRIOR
        else "below"
        if s.rms < PRIOR_SPREAD
        else "above"
    )
    if f.beta == 1.0:
        branch, against = "β = 1", ""
    elif s.rms > (1 + SAME_SPREAD) * s.rms_1:
        branch, against = "further", f" (β = 1: {s.rms_1:.2f}; they spread further out)"
    elif s.rms < (1 - SAME_SPREAD) * s.rms_1:
        branch, against = (
            "squeezed",
            f" (β = 1: {s.rms_1:.2f}; they are squeezed toward the origin)",
        )
    else:
        branch, against = "same", f" (β = 1: {s.rms_1:.2f}; about as spread out)"
    return branch, (
        f"**The codes' spread.** At β = {f.beta:g} the codes' root-mean-square distance from the "
        f"origin is **{s.rms:.2f}**, {where} the prior's own √2 ≈ 1.41{against}; "
        f"{pct(s.outside)} lie off the ±{f.axis:g} axes."
    )


def draws_branch(beta: float, d: Draws) -> str:
    """How the chosen β's draws compare with β = 1's: "β = 1", "wrong digits" (a worse mix, no
    further from the codes), "worse" (further and a worse mix), or "<mix> <distance>" with mix
    "better" / "as good" and distance "further" / "closer" / "same"."""
    if beta == 1.0:
        return "β = 1"
    worse, better = d.tv > d.tv_1 + MIX_DIFF, d.tv < d.tv_1 - MIX_DIFF  # what a student can see
    further, closer = d.gaps > d.gaps_1 + GAP_DIFF, d.gaps < d.gaps_1 - GAP_DIFF
    if worse:
        return "worse" if further else "wrong digits"
    return f"{'better' if better else 'as good'} " + (
        "further" if further else "closer" if closer else "same"
    )


def draws_note(f: KlFacts) -> tuple[str, str] | None:
    """(branch, sentence) on where the prior draws land and in which mix (``draws_branch``); None
    without the numbers."""
    d = f.draws
    if d is None:
        return None
    branch = draws_branch(f.beta, d)
    text = (
        f"**The draws.** At β = {f.beta:g} a draw z ~ N(0, I) lands a median **{d.gaps:.1f}** "
        "typical gaps from the nearest test code (each model's own typical gap: the median "
        "distance between its neighbouring test codes, so that models of different spread compare)"
        f", and the draws' digit mix is **{pct(d.tv)}** off the test set's"
    )
    if branch == "β = 1":
        return branch, text + (
            ": the VAE's promise, draws from the prior land among the codes in about the data's "
            "mix."
        )
    text += f" (β = 1: {d.gaps_1:.1f} gaps, {pct(d.tv_1)} off). "
    if branch == "wrong digits":
        return branch, text + (
            "So the draws do not fall into holes; they fall among the wrong digits: the codes no "
            "longer lie where the prior puts its mass."
        )
    if branch == "worse":
        return branch, text + (
            "The draws land further from real codes, and in a worse mix, than at β = 1."
        )
    mix, distance = branch.rsplit(" ", 1)
    return branch, text + (
        "The mix is better than at β = 1"
        if mix == "better"
        else "The mix is about as good as at β = 1"
    ) + {
        "further": ", though the draws land further from real codes.",
        "closer": ", and the draws land closer to real codes.",
        "same": ".",
    }[distance]


def rate_note(f: KlFacts) -> tuple[str, str] | None:
    """(branch, sentence) on rate and distortion against β = 1; branches "β = 1", "less rate" (less
    KL, more reconstruction loss), "more rate", "same way" (both move alike); None without them."""
    r = f.rd
    if r is None:
        return None
    text = (
        f"**Rate and distortion.** At β = {f.beta:g}: reconstruction **{r.recon:.1f}** nats and "
        f"KL **{r.kl:.2f}**"
    )
    if f.beta == 1.0:
        return "β = 1", text + (
            "; move β to see the trade: larger β, up and to the left (less rate, more distortion)."
        )
    text += f" ({r.recon - r.recon_1:+.1f} and {r.kl - r.kl_1:+.2f} against β = 1)"
    if r.kl < r.kl_1 and r.recon > r.recon_1:
        return "less rate", text + ": less rate, more distortion, as the trade says."
    if r.kl > r.kl_1 and r.recon < r.recon_1:
        return "more rate", text + ": more rate, less distortion, as the trade says."
    return "same way", text + (
        ": here both move the same way. Each rung is one training run; the trade is the tendency "
        "across the whole ladder (the chart), not a law for every pair of rungs."
    )


def notes(f: KlFacts) -> list[str]:
    """The lesson's "what to notice": at most three points, or a note that no model is built."""
    said = (spread_note(f), draws_note(f), rate_note(f))
    return [note[1] for note in said if note is not None] or [NOT_BUILT]


# --- the loss-convention converter (ui.lessons.kl.converter) -----------------------------------

SIG = 4  # significant digits of the converter's numbers


def number(x: float, sig: int = SIG) -> str:
    """``x`` to ``sig`` significant digits, always positional (never "1e+12"): the converter's
    inputs reach 1e6 x 1e6 and 1 / 4096."""
    import numpy as np

    if x == 0:
        return "0"
    return np.format_float_positional(
        float(x), precision=sig, unique=False, fractional=False, trim="-"
    )


def converter_verdict(b: float, rungs: tuple[float, ...] | None = None) -> str:
    """What a β of the summed loss means against the ELBO and the 2-D ladder: the squeeze or
    spread of the large- or small-β models only where ``b`` is at or beyond the ladder's nearest
    rung on that side; "the ELBO" exactly only at β = 1 (to ``SIG`` digits: "to the digits
    shown")."""
    if rungs is None:
        from vae import zoo

        rungs = tuple(zoo.BETAS_2D)
    if b == 1.0:
        return "exactly the ELBO"
    if number(b) == "1":
        return "the ELBO's weight to the digits shown (β ≈ 1)"
    above, below = [r for r in rungs if r > 1], [r for r in rungs if r < 1]
    if b > 1:
        if above and b < min(above):
            return (
                f"stronger than the true ELBO (β > 1), but below the ladder's next rung, "
                f"β = {min(above):g}: between the β = 1 and β = {min(above):g} models above"
            )
        return "stronger than the true ELBO (β > 1): expect the squeeze of the large-β models"
    if below and b > max(below):
        return (
            f"weaker than the true ELBO (β < 1), but above the ladder's next rung, "
            f"β = {max(below):g}: between the β = {max(below):g} and β = 1 models above"
        )
    return "weaker than the true ELBO (β < 1): expect the spread of the small-β models"


def converter_text(w: float, p: int, d: int, b: float) -> tuple[str, str]:
    """(LaTeX, sentence) of the converter for weight ``w``, ``p`` pixels, ``d`` dimensions and
    their β = w P / d (``vae.units.equivalent_beta``), every number positional."""
    latex = rf"\beta = w\cdot\frac{{P}}{{d}} = {number(w)}\times\frac{{{p}}}{{{d}}} = {number(b)}"
    return latex, (
        f"On this app's per-image summed scale that is **β = {number(b)}**, "
        f"{converter_verdict(b)}. Conversely, β = 1 here corresponds to w = d / P = "
        f"{number(d / p)} in the averaged convention."
    )
