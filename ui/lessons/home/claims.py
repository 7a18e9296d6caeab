"""What the home page may say about how the zoo was trained: a pure function of how many of the
built models carry the registry's one budget (no Streamlit, so the fast tier tests both branches).
"""

from __future__ import annotations

from dataclasses import dataclass

from ui.lessons.words import a_digit


@dataclass(frozen=True)
class BudgetFacts:
    """The zoo's checkpoints against the registry's one training budget (``vae.zoo.BUDGET``)."""

    same: int  # usable checkpoints trained on exactly that budget
    models: int  # usable checkpoints (those whose train_config loads)
    budget: str  # the budget in words (``ui.page.loaders.budget_words``)


def budget_sentence(f: BudgetFacts) -> str:
    """That every model was trained alike, when every usable checkpoint has the one budget; else
    how many have it so far."""
    if f.same == f.models:
        return (
            f"**One training budget for every model**: {f.budget}, on all 60,000 "
            "training images, so any two models a lesson compares were trained alike."
        )
    return (
        f"**One training budget** ({f.budget}) is being applied to the zoo: "
        f"{f.same} of "
        f"{f.models} models have it so far; the others still carry an older, shorter budget "
        "(the epochs column), and the lessons say so where they compare them."
    )


FAR_GAPS = 3.0  # typical gaps from the nearest test code: farther is empty space (as AE vs VAE)


@dataclass(frozen=True)
class CodeFacts:
    """Where one code lies among each 2-D model's test codes (the home page's experiment)."""

    z: tuple[float, float]  # the code both decoders are given
    ae_gaps: float  # distance to ae-2d's nearest test code, in ae-2d's typical gaps
    ae_digit: int  # that nearest test code's digit
    vae_gaps: float  # the same for vae-2d, in vae-2d's own typical gaps
    vae_digit: int


def _where(name: str, gaps: float, digit: int) -> str:
    if gaps <= FAR_GAPS:
        return (
            f"**{name}** has test codes here: the nearest, {a_digit(digit)}, is {gaps:.1f} of its "
            "typical gaps away"
        )
    return (
        f"**{name}** has none here: its nearest test code ({a_digit(digit)}) is {gaps:.0f} "
        "typical gaps away, empty space in its code map"
    )


def code_sentence(f: CodeFacts) -> str:
    """Whether each model has test codes near the chosen code, each measured in its own typical
    gap between neighbouring codes (the models' units differ), and what that means for the two
    pictures."""
    ae_near, vae_near = f.ae_gaps <= FAR_GAPS, f.vae_gaps <= FAR_GAPS
    if vae_near and not ae_near:
        end = "Only the VAE's codes fill this part of the plane."
    elif ae_near and not vae_near:
        end = "Here only the autoencoder has codes."
    elif ae_near:
        end = "Both models have codes here."
    else:
        end = "Neither model has test codes here."
    z = f"z = ({f.z[0]:g}, {f.z[1]:g})".replace("-", "−")
    return (
        f"At {z}: {_where('ae-2d', f.ae_gaps, f.ae_digit)}; "
        f"{_where('vae-2d', f.vae_gaps, f.vae_digit)}. {end} (A typical gap: the median distance "
        "from a test code to its nearest neighbour, each model's own.)"
    )
