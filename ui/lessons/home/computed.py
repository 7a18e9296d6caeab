"""The home page (streamlit_app.py): what it reads from the checkpoints, the facts of its budget
sentence and the table of every model (one row each, numbers kept for the CSV), and that table's
cells as text for the screen.
"""

from __future__ import annotations

import pandas as pd

from ui.lessons.home import claims
from ui.page import loaders
from vae import zoo
from vae.artefacts import CacheError
from vae.config import to_dict

FORMATS = {
    "−ELBO": "{:.1f}",
    "reconstruction": "{:.1f}",
    "KL": "{:.2f}",
    "−ELBO (500)": "{:.1f}",
    "bound, k = 1,000 (500)": "{:.1f}",
    "train min": "{:.1f}",
    "latent": "{:.0f}",
    "epochs": "{:.0f}",
}  # whole numbers may arrive as floats


def budget_facts(names: list[str]) -> claims.BudgetFacts:
    """How many of the usable checkpoints among ``names`` carry the registry's one budget."""
    configs = loaders.train_configs(names)
    same = [n for n, c in configs.items() if c == to_dict(zoo.BUDGET)]
    return claims.BudgetFacts(same=len(same), models=len(configs), budget=loaders.budget_words())


def models_table(names: list[str]) -> pd.DataFrame:
    """One row per model: its size, β, epochs and test numbers (None where a model has no such
    number: an AE has no KL), or the problem with its checkpoint; and a line about it."""
    rows = []
    for name in names:
        try:
            meta = loaders.info(name)
        except CacheError as exc:
            rows.append(
                {
                    "model": name,
                    "problem": f"{exc.path.name} {exc.problem}",
                    "about": zoo.entry(name).blurb,
                }
            )
            continue
        cfg, tc, m = meta["model_config"], meta["train_config"], meta["metrics"]
        vae_like = cfg["kind"] != "ae"
        rows.append(
            {
                "model": name,
                "latent": cfg["latent_dim"],
                "β": f"{cfg['beta']:g}" if vae_like else None,
                "epochs": tc["epochs"],
                "−ELBO": m["test_elbo"] if vae_like else None,
                "reconstruction": m["test_recon"],
                "KL": m["test_kl"] if vae_like else None,
                "−ELBO (500)": m.get("subset_elbo"),
                "bound, k = 1,000 (500)": m.get("subset_iwae"),
                "train min": round(meta["seconds"] / 60, 1),
                "about": zoo.entry(name).blurb,
            }
        )
    return pd.DataFrame(rows)


def cell(column: str, v: object) -> str:
    """A table cell as text: a model without a number shows "—" (the CSV keeps the numbers)."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    return (
        FORMATS[column].format(v) if column in FORMATS and isinstance(v, (int, float)) else str(v)
    )


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """``models_table`` as the page shows it: every cell as text, without the line about each
    model (the CSV has it)."""
    return pd.DataFrame({c: [cell(c, v) for v in table[c]] for c in table.columns if c != "about"})
