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


# --- the experiment: one code, two decoders ---------------------------------------------------

CASES = {  # (ae gaps, vae gaps) -> the closing sentence's branch
    (19.0, 1.4): "Only the VAE's codes fill this part of the plane.",
    (0.8, 7.0): "Here only the autoencoder has codes.",
    (0.8, 1.4): "Both models have codes here.",
    (9.0, 7.0): "Neither model has test codes here.",
}


def _premise(f: hc.CodeFacts, s: str) -> None:
    """What the sentence says of each model is what its numbers show: "has test codes here"
    exactly when the nearest test code is within FAR_GAPS of that model's own typical gaps."""
    for name, gaps in (("ae-2d", f.ae_gaps), ("vae-2d", f.vae_gaps)):
        part = s.split(f"**{name}**", 1)[1]
        assert part.startswith(" has test codes here") == (gaps <= hc.FAR_GAPS), (name, gaps, s)
    ends = {
        (True, False): "Only the VAE's",
        (False, True): "only the autoencoder",
        (False, False): "Both models",
        (True, True): "Neither model",
    }
    assert ends[(f.ae_gaps > hc.FAR_GAPS, f.vae_gaps > hc.FAR_GAPS)] in s


def test_code_sentence_every_branch():
    for (ae, vae), end in CASES.items():
        f = hc.CodeFacts((0.0, -2.0), ae, 0, vae, 0)
        s = hc.code_sentence(f)
        assert end in s and "each model's own" in s  # the unit is named: the models' differ
        _premise(f, s)
    assert "z = (0, −2)" in hc.code_sentence(hc.CodeFacts((0.0, -2.0), 1, 0, 1, 0))


def test_code_sentence_at_every_slider_stop():
    """Every code the sliders reach, on the built models: the numbers recomputed with vae/ alone
    (a KD-tree of each model's test codes, its median nearest-neighbour distance), and the
    sentence's premise checked against them."""
    from tests.pageutil import need

    need("ae-2d", "vae-2d")
    import numpy as np
    from scipy.spatial import cKDTree

    from ui.lessons.home import views
    from vae import artefacts, zoo

    labels = artefacts.load_test_set()[1]
    ref = {}
    for name in views.EXP_MODELS:
        cfg = zoo.entry(name).model
        mu = artefacts.load_codes(name, cfg.latent_dim, cfg.kind != "ae")["mu"].astype(np.float64)
        tree = cKDTree(mu)
        gap = float(np.median(tree.query(mu, k=2)[0][:, 1]))
        ref[name] = (tree, gap)
    for z1 in views.EXP_AXIS:
        for z2 in views.EXP_AXIS:
            f = views.code_facts(z1, z2)
            for name, gaps, digit in (
                ("ae-2d", f.ae_gaps, f.ae_digit),
                ("vae-2d", f.vae_gaps, f.vae_digit),
            ):
                tree, gap = ref[name]
                d, i = tree.query([z1, z2])
                assert abs(gaps - d / gap) < 1e-6 * max(1.0, d / gap) and digit == labels[i]
            _premise(f, hc.code_sentence(f))
