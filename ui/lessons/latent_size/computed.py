"""Latent size (pages/11_Latent_size.py): the ladder's numbers as the page uses them, from
``cache/`` (through the cached loaders of ``ui.page.loaders`` and ``ui.lessons.ladders``): one row
of the table per built size, each size's KL per dimension, and the facts its "what to notice" and
its caveat are computed from (``ui.lessons.latent_size.claims``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ui.lessons import ladders
from ui.lessons.latent_size import claims
from ui.lessons.model_facts import keep_top_curve, size_name
from ui.page import loaders
from vae.artefacts import CacheError

COLUMNS = [
    "latent size",
    "model",
    "test −ELBO (nats)",
    "reconstruction (nats)",
    "KL (nats)",
    "active units",
    "inactive units",
    "−ELBO, 500 images",
    "−log p(x) bound, k = 1,000",
    "epochs",
]
ROUNDED = (  # the columns in nats, shown to two decimals
    "test −ELBO (nats)",
    "reconstruction (nats)",
    "KL (nats)",
    "−ELBO, 500 images",
    "−log p(x) bound, k = 1,000",
)


def ladder_table(sizes: Iterable[int]) -> tuple[pd.DataFrame, dict[str, CacheError]]:
    """One row per latent size whose checkpoint's numbers load (``COLUMNS``), and the sizes left
    out with their error, by model name."""
    rows, problems = [], {}
    for d in sizes:
        n = size_name(d)
        try:
            meta = loaders.info(n)
            m = meta["metrics"]
        except CacheError as exc:
            problems[n] = exc
            continue
        try:  # from the test codes; the checkpoint's own count when the codes are not there
            au = ladders.active_count(n)
        except CacheError:
            au = int(m["active_units"]) if "active_units" in m else None
        rows.append(
            {
                "latent size": d,
                "model": n,
                "test −ELBO (nats)": float(m["test_elbo"]),
                "reconstruction (nats)": float(m["test_recon"]),
                "KL (nats)": float(m["test_kl"]),
                "active units": au,
                "inactive units": None if au is None else d - au,
                "−ELBO, 500 images": m.get("subset_elbo"),
                "−log p(x) bound, k = 1,000": m.get("subset_iwae"),
                "epochs": int(meta["train_config"]["epochs"]),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS), problems


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the page shows it and offers it as CSV: the nats to two decimals."""
    return table.round({c: 2 for c in ROUNDED})


def built_facts(table: pd.DataFrame, sizes: int) -> claims.BuiltFacts:
    """What the caveat on the ladder's training needs from ``ladder_table``'s rows."""
    return claims.BuiltFacts(
        built=len(table),
        sizes=sizes,
        budgets=int(table["epochs"].nunique()),
        budget=(
            loaders.budget_words(loaders.info(table["model"].iloc[0])["train_config"])
            if len(table)
            else ""
        ),
    )


def kl_dims(sizes: Iterable[int]) -> dict[int, np.ndarray]:
    """Each size's mean KL per dimension over the test codes, largest first (nats); the sizes
    whose codes cannot be used are left out."""
    out = {}
    for d in sizes:
        try:
            out[d] = np.sort(ladders.mean_kl_of_model(size_name(d)))[::-1]  # (d,)
        except CacheError:
            continue
    return out


def notices(table: pd.DataFrame, kl: dict[int, np.ndarray], thr: float) -> list[str]:
    """The lesson's "what to notice" at threshold thr (nats): the ELBO along the ladder, the
    dimensions in use, the threshold's part in that count, the top k; the sentences and the
    premises they check are ``claims``'."""
    obs = []
    t = table.sort_values("latent size").reset_index(drop=True)
    if len(t) >= 2:
        obs.append(
            claims.elbo_notice(
                dict(zip(t["latent size"], t["test −ELBO (nats)"])),
                dict(zip(t["latent size"], t["epochs"])),
            )
        )
    if kl:
        facts = claims.SizeFacts(
            {d: tuple(map(float, v)) for d, v in kl.items()},
            {d: tuple(map(float, keep_top_curve(size_name(d)))) for d in (32, 20) if d in kl},
            claims.THRESHOLDS,
        )
        obs += [claims.count_notice(facts, thr), claims.threshold_notice(facts)]
        obs += [
            s for s in [claims.topk_notice(facts, {d: size_name(d) for d in facts.curves})] if s
        ]
    return obs or [claims.NOTHING_YET]
