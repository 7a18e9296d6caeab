"""What the home page may say about how the zoo was trained: a pure function of how many of the
built models carry the registry's one budget (no Streamlit, so the fast tier tests both branches).
"""

from __future__ import annotations

from dataclasses import dataclass


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
