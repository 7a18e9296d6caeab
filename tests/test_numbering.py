"""One numbering of the latent dimensions (z₁ … z_d) on every page: one function names them
(``vae.units.dim_name``, which every page reaches through ``ui.lessons.words.z``), and no page or
view spells a dimension's name itself (file names aside, which stay ASCII)."""

from __future__ import annotations

import re
from pathlib import Path

from ui.lessons import words
from vae import units

REPO = Path(__file__).resolve().parent.parent
# a dimension named by hand: "z{i + 1}", or subscripts picked from a string ("z{'₁₂'[j]}")
SPELLED = re.compile(r"z\{[a-z_]+ ?\+ ?1\}|z\{'[₀-₉]")


def test_one_function_names_every_dimension():
    assert [words.z(j) for j in (0, 1, 9, 31)] == ["z₁", "z₂", "z₁₀", "z₃₂"]
    for j in range(40):
        assert words.z(j) == units.dim_name(j)


def test_the_activation_table_uses_the_one_numbering():
    import numpy as np

    mu = np.random.default_rng(0).standard_normal((50, 3))
    table = units.activation_table(mu, None, np.zeros(50, int))
    assert list(table["dimension"]) == ["z₁", "z₂", "z₃"]


def test_no_page_spells_a_dimensions_name_itself():
    found = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for folder in ("ui", "pages")
        for path in sorted((REPO / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if SPELLED.search(line) and ".png" not in line  # a download's file name stays ASCII
    ]
    assert not found, found
