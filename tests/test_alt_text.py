"""Text alternatives of the pictures (issue 31, WCAG 1.1.1): every image call passes ``alt``, the
helpers of ``ui.draw.alt_text`` say what they should, and on real pages the alt text states what the
picture's own numbers say, recomputed here independently (SciPy's KD-tree, the 1-NN search in
pixels), for more than one setting."""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest
from scipy.spatial import cKDTree

from tests.pageutil import REPO, app, image_alts, need
from ui.draw import alt_text
from ui.lessons.words import a_digit

SOURCES = [
    REPO / "streamlit_app.py",
    *sorted((REPO / "pages").glob("*.py")),
    *sorted((REPO / "ui").glob("**/*.py")),  # ui/ and its sub-packages
]


def test_every_image_call_passes_alt():
    """``st.image`` / ``x.image`` and ``render.show`` everywhere give a text alternative."""
    missing = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            f = node.func
            is_image = f.attr == "image"
            is_show = f.attr == "show" and isinstance(f.value, ast.Name) and f.value.id == "render"
            if (is_image or is_show) and not any(k.arg == "alt" for k in node.keywords):
                missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not missing, missing


def test_helpers():
    assert (
        alt_text.listing([]) == ""
        and alt_text.listing(["a"]) == "a"
        and alt_text.listing("abc") == "a, b and c"
    )
    assert (
        alt_text.changes([4, 7, 1], [9, 7, 1], "vae-2d", [12, 3, 5])
        == "vae-2d: the 4 (test #12) comes back as a 9"
    )
    assert alt_text.changes([4, 7], [4, 7]) == "every digit comes back as itself"
    assert alt_text.changes([4, 7], [9, 1]) == "the 4 comes back as a 9 and the 7 comes back as a 1"
    share = np.zeros(10)
    share[[4, 9, 7]] = [0.62, 0.30, 0.08]
    assert alt_text.shares(share) == "4 (62 %), 9 (30 %) and 7 (8 %)"
    assert (
        alt_text.rows("Two rows", ["a\nb", "c"], [["x", "y"], []])
        == "Two rows. Rows, a b: x and y; c."
    )
    assert alt_text.strip("One row.", ["1", "2"]) == "One row. Left to right: 1 and 2."
    img = np.zeros((28, 28))
    img[2:6, 20:26] = 1.0
    assert alt_text.where_mass(img) == "upper right"


def _nearest_digit(name: str, z: np.ndarray) -> np.ndarray:
    """The digit of each code's nearest test code, by a KD-tree built here (no tie in these
    settings)."""
    from ui.page import loaders

    return loaders.test_set()[1][
        cKDTree(np.asarray(loaders.codes(name)["mu"], dtype=np.float64)).query(z)[1]
    ]


def _digits_after(text: str, lead: str) -> list[int]:
    m = re.search(re.escape(lead) + r" ([0-9, and]+)", text)
    assert m, (lead, text)
    return [int(v) for v in re.findall(r"\d", m.group(1))]


def test_home_hero_says_which_digits_the_grid_holds():
    need("vae-2d")
    from ui.lessons.words import pct
    from vae import latent

    alt = image_alts(app("streamlit_app.py"))[0]
    axis = latent.ppf_axis(15)
    mix = np.bincount(_nearest_digit("vae-2d", latent.grid_2d(axis, axis)), minlength=10) / 225
    top = np.argsort(-mix, kind="stable")[:3]
    assert "15 × 15 mosaic" in alt and "vae-2d" in alt and f"z₁ from {axis[0]:.2f}" in alt
    assert (
        f"mostly {top[0]} ({pct(mix[top[0]])}), {top[1]} ({pct(mix[top[1]])}) and {top[2]}" in alt
    ), alt


@pytest.mark.parametrize("seed", [0, 7])
def test_ae_vs_vae_draws_name_the_digits_they_land_on(seed):
    need("ae-2d", "vae-2d")
    from ui.page import model_calls

    at = app("pages/01_AE_vs_VAE.py", {"aevae_seed": str(seed)})
    alt = next(a for a in image_alts(at) if a and a.startswith("The first 10 prior draws"))
    z10 = model_calls.prior_draws(seed)[:10]
    assert f"(seed {seed})" in alt
    for name in ("ae-2d", "vae-2d"):
        assert _digits_after(alt, f"{name}'s land on")[:10] == _nearest_digit(name, z10).tolist(), (
            alt
        )


@pytest.mark.parametrize("query", [{}, {"rec_models": "vae-2d", "rec_seed": "3", "rec_n": "6"}])
def test_reconstructions_say_which_digit_comes_back_as_another(query):
    need("ae-2d", "vae-2d", "vae-10d", "vae-32d")
    from ui.page import loaders, model_calls
    from vae import neighbours

    at = app("pages/06_Reconstructions.py", query, opened=("rec_table_open",))  # the table
    alt = image_alts(at)[0]
    table = at.dataframe[0].value
    idx = table["test index"].to_numpy() if "test index" in table else None
    x_all, labels = loaders.test_images_float(), loaders.test_set()[1]
    models = at.multiselect(key="rec_models").value
    assert alt.startswith(f"{len(table)} test digits and their reconstructions by")
    for name in models:
        said = re.search(re.escape(name) + r": ([^;]*?)(;|\. Rows)", alt).group(1)
        if idx is None:
            continue
        recon = model_calls.decode(name, model_calls.encode(name, x_all[idx])[0])
        seen = neighbours.looks_like(recon, x_all, labels, exclude=idx)
        want = [
            f"the {labels[i]} (test #{i}) comes back as {a_digit(s)}"
            for i, s in zip(idx, seen)
            if s != labels[i]
        ]
        assert said == (alt_text.listing(want) if want else "every digit comes back as itself"), (
            name,
            said,
            want,
        )


def test_every_image_on_every_page_has_a_text_alternative():
    """All 16 pages at their defaults: no image without alt text, none empty, none a bare word."""
    pages = [
        "streamlit_app.py",
        *(f"pages/{p.name}" for p in sorted((REPO / "pages").glob("*.py"))),
    ]
    for page in pages:
        for a in image_alts(app(page)):
            assert a and len(a.split()) >= 8, (page, a)


test_every_image_on_every_page_has_a_text_alternative = pytest.mark.slow(
    test_every_image_on_every_page_has_a_text_alternative
)
