"""A finished run of *Train it yourself* as the page shows it: its reconstructions of one held-out
digit of each class beside the pretrained model's, and the held-out score table (yours, and the
pretrained model's when there is one). The numbers come from :mod:`vae.live`; the page's words
about them from ``claims``. Widget keys start with ``train_``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, png_figures, render
from ui.lessons.training import live_view
from ui.page import downloads
from vae import arrays, live, zoo

if TYPE_CHECKING:
    from vae.arrays import AnyModel


def reconstructions(
    mine: AnyModel,
    pre_model: AnyModel | None,
    pre_name: str,
    x_ho: np.ndarray,
    y_ho: np.ndarray,
) -> dict[str, np.ndarray]:
    """Rows of pictures: one held-out digit of each class, the learner's reconstructions of them
    and, when there is one, the pretrained model's. -> {row caption: (10, 28, 28)}"""
    pick = live.one_per_digit(y_ho)  # (10,) positions in the held-out set
    rows = {
        "held-out\ndigit": x_ho[pick, 0],
        "your\nmodel": arrays.reconstructions(mine, x_ho[pick]),
    }
    if pre_model is not None:
        rows[f"{pre_name}\n(pretrained)"] = arrays.reconstructions(pre_model, x_ho[pick])
    return rows


def reconstructions_view(rows: dict[str, np.ndarray], labels: np.ndarray, y_ho: np.ndarray) -> None:
    """The rows as one figure (and a PNG to download), its text alternative naming what each
    reconstruction looks like by the nearest test image, its own original left out."""
    png = render.png(png_figures.image_rows, rows, size=1.0)
    downloads.download_png(png, "my-vae-reconstructions.png", key="train_recon_png")
    # the pictured digits' test indices: each one's own original is left out below
    held = live.split_indices(labels)[0][live.one_per_digit(y_ho)]
    render.show(
        png,
        alt=alt_text.rows(
            f"One held-out test digit of each class ({alt_text.digits(labels[held])}) and its "
            "reconstructions. By the nearest test image (its own original left out), "
            + "; ".join(
                alt_text.changes(labels[held], alt_text.looks_like(r, held), alt_text.flat(w))
                for w, r in list(rows.items())[1:]
            ),
            rows,
        ),
    )


def score_rows(
    s: live.LiveSettings,
    mine: dict[str, float],
    pre_name: str,
    pre_model: AnyModel | None,
    pre: dict[str, float] | None,
) -> list[dict[str, Any]]:
    """The held-out score table's rows: the learner's run, then the pretrained model's if any."""
    rows = [
        live_view.score_row(
            "yours", f"{s.train_size:,} test digits × {s.epochs} epochs", s.latent_dim, s.beta, mine
        )
    ]
    if pre_model is not None and pre is not None:
        tc = zoo.entry(pre_name).train
        rows.append(
            live_view.score_row(
                pre_name,
                f"60,000 training digits × {tc.epochs} epochs",
                s.latent_dim,
                pre_model.config.beta,
                pre,
            )
        )
    return rows


def score_table(rows: list[dict[str, Any]]) -> None:
    """The held-out score table, and the same as CSV."""
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_csv(table, "my-vae-vs-pretrained.csv", key="train_table_csv")
