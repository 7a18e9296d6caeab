"""The home page's computed words (ui.lessons.home), fast tier: the training-budget sentence in
each branch, its premise asserted from the numbers; the model table's cells as text."""

from __future__ import annotations

import re

import pandas as pd

from ui.lessons.home import claims as hc
from ui.lessons.home import computed


def test_budget_sentence_every_model_alike():
    f = hc.BudgetFacts(same=24, models=24, budget="30 epochs, batch 128")
    s = hc.budget_sentence(f)
    assert f.same == f.models  # the premise of "for every model" and "trained alike"
    assert s.startswith("**One training budget for every model**: 30 epochs, batch 128,")
    assert "were trained alike" in s and "so far" not in s


def test_budget_sentence_budget_being_applied():
    f = hc.BudgetFacts(same=10, models=24, budget="30 epochs, batch 128")
    s = hc.budget_sentence(f)
    assert f.same < f.models and "for every model" not in s and "trained alike" not in s
    same, models = map(int, re.search(r"(\d+) of (\d+) models have it so far", s).groups())
    assert (same, models) == (f.same, f.models)
    assert "**One training budget** (30 epochs, batch 128) is being applied" in s


def test_cells_as_text():
    assert computed.cell("KL", None) == "—" and computed.cell("KL", float("nan")) == "—"
    assert computed.cell("KL", 3.14159) == "3.14" and computed.cell("−ELBO", 101.26) == "101.3"
    assert computed.cell("epochs", 30.0) == "30"  # whole numbers that arrive as floats
    assert computed.cell("β", "0.5") == "0.5" and computed.cell("model", "ae-2d") == "ae-2d"


def test_shown_table_drops_the_about_line_and_keeps_every_row():
    table = pd.DataFrame(
        [
            {"model": "ae-2d", "KL": None, "epochs": 30, "about": "an autoencoder"},
            {"model": "vae-2d", "KL": 6.789, "epochs": 30, "about": "a VAE"},
        ]
    )
    shown = computed.shown(table)
    assert list(shown.columns) == ["model", "KL", "epochs"] and len(shown) == len(table)
    assert shown["KL"].tolist() == ["—", "6.79"] and shown["epochs"].tolist() == ["30", "30"]
