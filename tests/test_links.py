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
    defaults: dict[tuple[str, str], Any]  # (AppTest element kind, widget key) -> value after the fallback
    teaches: bool = True  # False: no "What to notice" without the learner's action (Train it yourself)


TABLE = [
    Garbage("pages/01_AE_vs_VAE.py", ("ae-2d", "vae-2d"),
            {"seed": "banana", "idx": "-4", "axes": "sideways", "present": "1"},
            {("number_input", "aevae_seed"): 0, ("radio", "aevae_axes"): "codes"}),
    Garbage("pages/02_KL_weighting.py", ("vae-2d",), {"beta": "banana", "seed": "-3"},
            {("select_slider", "kl_beta"): 1.0, ("number_input", "kl_seed"): 0}),
    Garbage("pages/03_Grid_vs_ppf.py", ("vae-2d", "ae-2d"), {"n": "99", "lo": "x", "hi": "2", "p": "0.3"},
            {("slider", "grid_n"): 15, ("slider", "grid_range"): (-3.0, 3.0), ("select_slider", "grid_p"): 0.005}),
    Garbage("pages/04_Prototypes.py", ("vae-10d",),
            {"n": "abc", "digit": "12", "dims": "0,99", "seed": "-4", "model": "nope"},
            {("slider", "protos_n"): 15, ("selectbox", "protos_digit"): 3, ("selectbox", "protos_model"): "vae-10d",
             ("number_input", "protos_seed"): 0}),
    Garbage("pages/05_Embeddings.py", ("vae-10d",),
            {"n": "many", "method": "lda", "line": "1,2,nan", "dims": "0,0,99", "model": "vae-99d"},
            {("slider", "emb_n"): 10, ("selectbox", "emb_method"): "tsne", ("selectbox", "emb_model"): "vae-10d",
             ("multiselect", "emb_dims"): [0, 1, 2]}),
    Garbage("pages/06_Reconstructions.py", ("vae-2d", "ae-2d", "vae-10d"),
            {"t": "abc", "n": "9999", "mode": "zzz", "models": "no-such-model,cvae-2d", "seed": "-3"},
            {("slider", "rec_t"): pytest.approx(0.5), ("slider", "rec_n"): 8, ("radio", "rec_mode"): "random",
             ("number_input", "rec_seed"): 0}),
    Garbage("pages/07_Latent_explorer.py", ("vae-2d",), {"z": "1,2,3", "n": "abc", "seed": "x", "model": "cvae-2d"},
            {("selectbox", "lex_model"): "vae-2d", ("slider", "lex_z0"): 0.0, ("slider", "lex_z1"): 0.0,
             ("slider", "lex_n"): 8, ("number_input", "lex_seed"): 0}),
    Garbage("pages/08_Interpolation.py", ("vae-2d",),
            {"model": "cvae-2d", "mode": "sideways", "a": "42", "b": "-1", "steps": "abc", "seed": "1e9"},
            {("selectbox", "interp_model"): "vae-2d", ("radio", "interp_mode"): "class",
             ("selectbox", "interp_a_digit"): 1, ("selectbox", "interp_b_digit"): 0, ("slider", "interp_steps"): 11,
             ("number_input", "interp_seed"): 0}),
    Garbage("pages/09_Posterior_spread.py", ("vae-2d",),
            {"idx": "-5", "idx2": "1e9", "n": "17", "seed": "abc", "model": "cvae-2d"},
            {("select_slider", "post_n"): 64, ("number_input", "post_seed"): 0, ("selectbox", "post_model"): "vae-2d"}),
    Garbage("pages/10_Conditional_VAE.py", ("cvae-2d", "vae-2d"), {"digit": "eleven", "n": "1000", "seed": "-3"},
            {("selectbox", "cvae_digit"): 3, ("slider", "cvae_n"): 15, ("number_input", "cvae_seed"): 0}),
    Garbage("pages/11_Latent_size.py", ("vae-2d",), {"seed": "twelve"}, {("number_input", "ls_seed"): 0}),
    Garbage("pages/12_Your_own_digit.py", ("vae-2d",),
            {"model": "vae-999d", "example": "../../etc/passwd", "present": "maybe"},
            {("selectbox", "own_model"): "vae-2d", ("selectbox", "own_example"): "3-ink-on-paper"}),
    Garbage("pages/12_Your_own_digit.py", ("vae-2d",), {"source": "webcam"}, {("radio", "own_source"): "draw"}),
    Garbage("pages/13_Train_it_yourself.py", (),
            {"d": "7", "beta": "0.7", "size": "-3", "epochs": "99", "batch": "1e9"},
            {("radio", "train_d"): 2, ("select_slider", "train_beta"): 1.0, ("select_slider", "train_size"): 4000,
             ("slider", "train_epochs"): 3, ("select_slider", "train_batch"): 32}, teaches=False),
    Garbage("pages/14_ELBO_bound.py", ("vae-2d",), {"model": "vae-10d", "idx": "99999", "step": "-3", "k": "7"},
            {("selectbox", "elbo_model"): "vae-2d", ("selectbox", "elbo_featured"): 0, ("slider", "elbo_step"): 60,
             ("select_slider", "elbo_k"): 100}),
    Garbage("pages/15_Blurry_samples.py", ("vae-10d",), {"blur_model": "ae-2d", "blur_source": "nope", "blur_seed": "-1", "blur_t": "0.3"},
            {("selectbox", "blur_model"): "vae-10d", ("radio", "blur_source"): "prior",
             ("number_input", "blur_seed"): 0, ("select_slider", "blur_t"): 1.0}),
]


def _value(at, kind: str, key: str) -> Any:
    v = getattr(at, kind)(key=key).value
    return tuple(v) if isinstance(v, (list, tuple)) and kind == "slider" else v


@pytest.mark.parametrize("row", TABLE, ids=[f"{r.page.split('/')[-1][3:-3]}-{'-'.join(r.query)}" for r in TABLE])
def test_an_unusable_link_falls_back_to_the_defaults_and_says_so(row: Garbage):
    need(*row.models)
    at = app(row.page, row.query)  # asserts: no exception
    assert not at.error, [e.value for e in at.error]
    assert {k: _value(at, *k) for k in row.defaults} == row.defaults
    if row.teaches:
        assert "What to notice" in texts(at)
    ignored = " ".join(str(t.value) for t in at.toast) + " ".join(w.value for w in at.warning)
    assert "Ignored link parameter" in ignored or "does not fit" in ignored, "the page did not say it ignored the link"
