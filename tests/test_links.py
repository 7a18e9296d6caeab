"""Shared links that cannot be used, one table for every lesson: each row opens a page with link
values that are wrong for it (unknown models, out-of-range numbers, words where numbers belong)
and checks that every control falls back to its default, that the page still teaches (its "What
to notice" box, or for Train it yourself its start screen) and that it says it ignored the link.

What one page does beyond that (the explorer's warning about a code that does not fit, the
embedding line that stays finite, ...) stays in that page's own test file. The sweep of hostile
values (empty, 100 kB, NaN, Markdown, ...) over every parameter is ``tests/test_bad_input.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.pageutil import app, need, texts

pytestmark = pytest.mark.slow


class Garbage(NamedTuple):
    page: str
    models: tuple[str, ...]  # what the page needs built
    query: dict[str, str]  # the link's values, all unusable on this page
    defaults: dict[
        tuple[str, str], Any
    ]  # (AppTest element kind, widget key) -> value after the fallback
    teaches: bool = (
        True  # False: no "What to notice" without the learner's action (Train it yourself)
    )


TABLE = [
    Garbage(
        "pages/01_AE_vs_VAE.py",
        ("ae-2d", "vae-2d"),
        {"aevae_seed": "banana", "aevae_idx": "-4", "aevae_axes": "sideways", "present": "1"},
        {("number_input", "aevae_seed"): 0, ("radio", "aevae_axes"): "codes"},
    ),
    Garbage(
        "pages/02_KL_weighting.py",
        ("vae-2d",),
        {"kl_beta": "banana", "kl_seed": "-3"},
        {("select_slider", "kl_beta"): 1.0, ("number_input", "kl_seed"): 0},
    ),
    Garbage(
        "pages/03_Grid_vs_ppf.py",
        ("vae-2d", "ae-2d"),
        {"grid_n": "99", "grid_lo": "x", "grid_hi": "2", "grid_p": "0.3", "grid_warp": "w"},
        {
            ("slider", "grid_n"): 15,
            ("slider", "grid_range"): (-3.0, 3.0),
            ("select_slider", "grid_p"): 0.005,
            ("segmented_control", "grid_warp"): "z",
        },
    ),
    Garbage(
        "pages/04_Prototypes.py",
        ("vae-10d",),
        {
            "protos_n": "abc",
            "protos_digit": "12",
            "protos_dims": "0,99",
            "protos_seed": "-4",
            "protos_model": "nope",
            "protos_source": "median",
            "protos_steps": "99",
            "protos_sort": "maybe",
        },
        {
            ("slider", "protos_n"): 15,
            ("selectbox", "protos_digit"): 3,
            ("selectbox", "protos_model"): "vae-10d",
            ("number_input", "protos_seed"): 0,
            ("radio", "protos_source"): "mu",
            ("slider", "protos_steps"): 10,
            ("toggle", "protos_sort"): False,
        },
    ),
    Garbage(
        "pages/05_Embeddings.py",
        ("vae-10d",),
        {
            "emb_n": "many",
            "emb_method": "lda",
            "emb_line": "1,2,nan",
            "emb_dims": "0,0,99",
            "emb_model": "vae-99d",
        },
        {
            ("slider", "emb_n"): 10,
            ("selectbox", "emb_method"): "tsne",
            ("selectbox", "emb_model"): "vae-10d",
            ("multiselect", "emb_dims"): [0, 1, 2],
        },
    ),
    Garbage(
        "pages/06_Reconstructions.py",
        ("vae-2d", "ae-2d", "vae-10d"),
        {
            "rec_t": "abc",
            "rec_n": "9999",
            "rec_mode": "zzz",
            "rec_models": "no-such-model,cvae-2d",
            "rec_seed": "-3",
        },
        {
            ("slider", "rec_t"): pytest.approx(0.5),
            ("slider", "rec_n"): 8,
            ("radio", "rec_mode"): "random",
            ("number_input", "rec_seed"): 0,
        },
    ),
    Garbage(
        "pages/07_Latent_explorer.py",
        ("vae-2d",),
        {
            "lex_z": "1,2,3",
            "lex_n": "abc",
            "lex_seed": "x",
            "lex_model": "cvae-2d",
            "lex_start": "middle",
            "lex_start_digit": "10",
            "lex_code_seed": "-1",
        },
        {
            ("selectbox", "lex_model"): "vae-2d",
            ("slider", "lex_z0"): 0.0,
            ("slider", "lex_z1"): 0.0,
            ("slider", "lex_n"): 8,
            ("number_input", "lex_seed"): 0,
            ("radio", "lex_start"): "origin",
            ("selectbox", "lex_start_digit"): 3,
            ("number_input", "lex_code_seed"): 0,
        },
    ),
    Garbage(
        "pages/08_Interpolation.py",
        ("vae-2d",),
        {
            "interp_model": "cvae-2d",
            "interp_mode": "sideways",
            "interp_a": "42",
            "interp_b": "-1",
            "interp_steps": "abc",
            "interp_seed": "1e9",
        },
        {
            ("selectbox", "interp_model"): "vae-2d",
            ("radio", "interp_mode"): "class",
            ("selectbox", "interp_a_digit"): 1,
            ("selectbox", "interp_b_digit"): 0,
            ("slider", "interp_steps"): 11,
            ("number_input", "interp_seed"): 0,
        },
    ),
    Garbage(
        "pages/09_Posterior_spread.py",
        ("vae-2d",),
        {
            "post_idx": "-5",
            "post_idx2": "1e9",
            "post_n": "17",
            "post_seed": "abc",
            "post_model": "cvae-2d",
            "post_zoom": "maybe",
        },
        {
            ("select_slider", "post_n"): 64,
            ("number_input", "post_seed"): 0,
            ("selectbox", "post_model"): "vae-2d",
            ("toggle", "post_zoom"): True,
        },
    ),
    Garbage(
        "pages/10_Conditional_VAE.py",
        ("cvae-2d", "vae-2d"),
        {"cvae_digit": "eleven", "cvae_n": "1000", "cvae_seed": "-3", "cvae_idx": "-1"},
        {
            ("selectbox", "cvae_digit"): 3,
            ("slider", "cvae_n"): 15,
            ("number_input", "cvae_seed"): 0,
        },
    ),
    Garbage(
        "pages/11_Latent_size.py",
        ("vae-2d", "vae-32d"),
        {"ls_seed": "twelve", "ls_thr": "0.3", "ls_topk_d": "7", "ls_k": "abc"},
        {
            ("number_input", "ls_seed"): 0,
            ("select_slider", "ls_thr"): 0.1,
            ("selectbox", "ls_topk_d"): 32,
            ("slider", "ls_k"): 10,
        },
    ),
    Garbage(
        "pages/12_Your_own_digit.py",
        ("vae-2d",),
        {"own_model": "vae-999d", "own_example": "../../etc/passwd", "present": "maybe"},
        {("selectbox", "own_model"): "vae-2d", ("selectbox", "own_example"): "3-ink-on-paper"},
    ),
    Garbage(
        "pages/12_Your_own_digit.py",
        ("vae-2d",),
        {"own_source": "webcam"},
        {("radio", "own_source"): "draw"},
    ),
    Garbage(
        "pages/13_Train_it_yourself.py",
        (),
        {
            "train_d": "7",
            "train_beta": "0.7",
            "train_size": "-3",
            "train_epochs": "99",
            "train_batch": "1e9",
        },
        {
            ("radio", "train_d"): 2,
            ("select_slider", "train_beta"): 1.0,
            ("select_slider", "train_size"): 4000,
            ("slider", "train_epochs"): 3,
            ("select_slider", "train_batch"): 32,
        },
        teaches=False,
    ),
    Garbage(
        "pages/14_ELBO_bound.py",
        ("vae-2d",),
        {"elbo_model": "vae-10d", "elbo_idx": "99999", "elbo_step": "-3", "elbo_k": "7"},
        {
            ("selectbox", "elbo_model"): "vae-2d",
            ("selectbox", "elbo_featured"): 0,
            ("slider", "elbo_step"): 60,
            ("select_slider", "elbo_k"): 100,
        },
    ),
    Garbage(
        "pages/15_Blurry_samples.py",
        ("vae-10d",),
        {"blur_model": "ae-2d", "blur_source": "nope", "blur_seed": "-1", "blur_t": "0.3"},
        {
            ("selectbox", "blur_model"): "vae-10d",
            ("radio", "blur_source"): "prior",
            ("number_input", "blur_seed"): 0,
            ("select_slider", "blur_t"): 1.0,
        },
    ),
]


def _value(at, kind: str, key: str) -> Any:
    v = getattr(at, kind)(key=key).value
    return tuple(v) if isinstance(v, (list, tuple)) and kind == "slider" else v


@pytest.mark.parametrize(
    "row", TABLE, ids=[f"{r.page.split('/')[-1][3:-3]}-{'-'.join(r.query)}" for r in TABLE]
)
def test_an_unusable_link_falls_back_to_the_defaults_and_says_so(row: Garbage):
    need(*row.models)
    at = app(row.page, row.query)  # asserts: no exception
    assert not at.error, [e.value for e in at.error]
    assert {k: _value(at, *k) for k in row.defaults} == row.defaults
    if row.teaches:
        assert "What to notice" in texts(at)
    ignored = " ".join(str(t.value) for t in at.toast) + " ".join(w.value for w in at.warning)
    assert "Ignored link parameter" in ignored or "does not fit" in ignored, (
        "the page did not say it ignored the link"
    )


SEED_BOXES = [
    (row, key)
    for row in TABLE
    for kind, key in row.defaults
    if kind == "number_input" and key.endswith("seed")
]


@pytest.mark.parametrize("row, key", SEED_BOXES, ids=[k for _, k in SEED_BOXES])
def test_every_seed_box_offers_the_class_bank_and_refuses_a_seed_beyond_it(row: Garbage, key: str):
    """Every seed box is ``links.seed_input``: the bank 0 … SEED_MAX that a class shares (issue
    28). A link naming the first seed past the bank opens the default seed and says so."""
    from ui.page import links

    need(*row.models)
    at = app(row.page, {key: str(links.SEED_BANK)})
    box = at.number_input(key=key)
    assert (box.min, box.max, box.value) == (0, links.SEED_MAX, 0)
    assert any("Ignored link parameter(s) " + key in str(t.value) for t in at.toast)
    at = app(row.page, {key: str(links.SEED_MAX)})
    assert at.number_input(key=key).value == links.SEED_MAX and not at.toast


def test_next_seed_walks_the_bank_and_wraps():
    from ui.page import links

    assert [links.next_seed(s) for s in (0, 1, links.SEED_MAX - 1, links.SEED_MAX)] == [
        1,
        2,
        links.SEED_MAX,
        0,
    ]
