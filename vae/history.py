"""A training run's per-epoch history (``vae.train``): its series, and its long table for charts.

Kept apart from the training loop so that a page drawing a checkpoint's curves never imports
torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import pandas as pd

TERMS = ("recon", "kl", "total")
TERM_NAMES = {"recon": "reconstruction", "kl": "KL", "total": "total"}  # how charts name the terms


def new_history() -> dict[str, list[float]]:
    """Per-epoch lists: train_recon, train_kl, train_total, test_recon, ..., seconds."""
    keys = [f"{s}_{t}" for s in ("train", "test") for t in TERMS] + ["seconds", "lr"]
    return {k: [] for k in keys}


def history_frame(
    history: dict[str, list[float]],
    terms: Sequence[str] = ("recon", "kl"),
    split_names: dict[str, str] | None = None,
) -> "pd.DataFrame":
    """Long table of a per-epoch history (``new_history``) for line charts: epoch (from 1), term
    ("reconstruction", "KL", "total"), split, nats. ``split_names`` renames the splits (default
    "train" and "test"); only the series present in ``history`` are used."""
    import pandas as pd  # only the pages draw histories: keep the training path light

    names = {"train": "train", "test": "test", **(split_names or {})}
    rows = [
        {
            "epoch": i + 1,
            "term": TERM_NAMES.get(term, term),
            "split": names[split],
            "nats": float(v),
        }
        for term in terms
        for split in ("train", "test")
        for i, v in enumerate(history.get(f"{split}_{term}") or [])
    ]
    return pd.DataFrame(rows, columns=["epoch", "term", "split", "nats"])
