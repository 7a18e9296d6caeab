"""The prior draws among a 2-D model's codes (AE vs VAE, KL weighting):
``ui.page.model_calls.prior_draw_stats``
gives ``vae.latent.prior_draws_vs_codes``'s numbers, its nearest-code search breaks ties like
``vae.neighbours``, and each model's KD-tree and spacing are built once, not once per seed."""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st
from scipy.spatial import cKDTree

from tests.pageutil import need
from ui.page import loaders, model_calls
from vae import latent, neighbours


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_nearest_code_is_nearest_one_with_its_ties():
    """Codes on an integer grid (with a duplicate) and queries on the midpoints between them: every
    query is tied between two or four codes, and goes to the lowest index, as
    neighbours.nearest_one."""
    rng = np.random.default_rng(0)
    grid = np.stack(np.meshgrid(np.arange(6.0), np.arange(6.0)), -1).reshape(-1, 2)  # (36, 2)
    codes = rng.permutation(
        np.vstack([grid, grid[:3], rng.standard_normal((20, 2))])
    )  # duplicates, shuffled
    queries = np.vstack(
        [grid + 0.5, grid[:10] + [0.5, 0.0], grid[:5], rng.standard_normal((200, 2)) * 3]
    )
    want_d, want_i = neighbours.nearest_one(codes, queries)
    got_d, got_i = neighbours.nearest_one_in(cKDTree(codes), queries)
    np.testing.assert_array_equal(got_i, want_i)
    np.testing.assert_allclose(got_d, want_d, rtol=0, atol=1e-12)


@pytest.mark.parametrize("d", [neighbours.BRUTE_DIM - 1, neighbours.BRUTE_DIM, 32])
def test_nearest_code_in_many_dimensions_is_nearest_one_with_its_ties(d):
    """In ``BRUTE_DIM`` dimensions and more ``nearest_one_in`` searches by brute force: the same
    answers as ``nearest_one`` (the KD-tree), ties included (codes on an integer lattice with
    duplicates, queries halfway between two of them or on one)."""
    rng = np.random.default_rng(d)
    lattice = rng.integers(0, 3, size=(300, d)).astype(np.float64)
    codes = rng.permutation(np.vstack([lattice, lattice[:20], rng.standard_normal((200, d))]))
    step = np.zeros(d)
    step[0] = 0.5
    queries = np.vstack(
        [lattice[:50] + step, lattice[50:60], rng.standard_normal((120, d)) * 2, codes[-5:]]
    )
    want_d, want_i = neighbours.nearest_one(codes, queries)
    got_d, got_i = neighbours.nearest_one_in(cKDTree(codes), queries)
    np.testing.assert_array_equal(got_i, want_i)
    np.testing.assert_allclose(got_d, want_d, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["vae-2d", "ae-2d"])
def test_prior_draw_stats_are_latents_numbers(name):
    need(name)
    mu = np.asarray(loaders.codes(name)["mu"], dtype=np.float64)
    for seed in (0, 7):
        want = latent.prior_draws_vs_codes(
            mu, loaders.test_set()[1], model_calls.prior_draws(seed), model_calls.FAR_GAPS
        )
        got = model_calls.prior_draw_stats(name, seed)
        np.testing.assert_array_equal(got["mix"], want["mix"])
        np.testing.assert_allclose(got["gaps"], want["gaps"], rtol=1e-12)
        assert got["tv"] == pytest.approx(want["tv"], abs=1e-15) and got["far"] == want["far"]


def test_a_new_seed_does_not_rebuild_the_models_tree(monkeypatch):
    """The per-model work (KD-tree, spacing) is done once; a seed move only queries the tree."""
    need("vae-2d")
    calls = []
    spacing = neighbours.spacing
    monkeypatch.setattr(neighbours, "spacing", lambda *a, **k: calls.append(1) or spacing(*a, **k))
    for seed in range(5):
        model_calls.prior_draw_stats("vae-2d", seed)
    assert len(calls) == 1
