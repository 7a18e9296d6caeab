"""vae.stored_numbers: the numbers ``vae.build`` stores because they need torch are the numbers the
code computes now, and a stored ImageBound comes back whole.

Held-out scores are recomputed for every model (``live.heldout_metrics``, a second each); the
ELBO lesson's featured images for the page's default model (a few seconds of quadrature).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vae import artefacts, bound, live, stored_numbers, zoo


@pytest.fixture(scope="module")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    x, y = artefacts.load_test_set()
    return x.astype(np.float32) / 255.0, y


@pytest.mark.parametrize("name", zoo.names())
def test_the_stored_held_out_score_is_the_one_a_run_gets(name, test_set):
    stored = stored_numbers.heldout(artefacts.load_numbers(name))
    fresh = live.heldout_metrics(zoo.load(name), *live.heldout_set(*test_set))
    assert stored == pytest.approx(fresh, abs=1e-4)


def test_the_featured_images_are_stored_for_every_model_the_elbo_lesson_offers():
    for name in zoo.names():
        numbers = artefacts.load_numbers(name)
        offered = bound.has_exact_bound(zoo.entry(name).model)
        for idx in stored_numbers.FEATURED:
            got = stored_numbers.featured(numbers, idx)
            assert (got is not None) == offered, (name, idx)
        assert stored_numbers.featured(numbers, 1) is None  # not featured: computed on the page


def test_the_stored_elbo_numbers_are_computed_again(test_set):
    name = "vae-2d"
    x, _ = test_set
    numbers = artefacts.load_numbers(name)
    model = zoo.load(name)
    codes = artefacts.load_codes(name, 2, True)
    coarse = bound.decoded_coarse_grid(model, codes["mu"])
    for idx in stored_numbers.FEATURED[:2]:
        b, curve = stored_numbers.featured(numbers, idx)
        fresh = bound.image_bound(model, coarse, x[idx], codes["mu"][idx], codes["logvar"][idx])
        for field in ("log_px", "log_px_half", "elbo", "elbo_best"):
            assert getattr(b.gap, field) == pytest.approx(getattr(fresh.gap, field), abs=1e-3)
        np.testing.assert_allclose(b.post, fresh.post, atol=1e-6)
        from vae.likelihood import image_curve_stats

        again = image_curve_stats(model, x[idx], seed=idx)
        assert curve.keys() == again.keys()
        for k, (m, se, g) in curve.items():
            assert m == pytest.approx(again[k][0], abs=1e-4) and g == again[k][2]
            assert math.isnan(se) == math.isnan(again[k][1])


def test_an_image_bound_survives_its_arrays():
    numbers = artefacts.load_numbers("vae-2d")
    b, _ = stored_numbers.featured(numbers, stored_numbers.FEATURED[0])
    back = stored_numbers.bound_from_arrays(stored_numbers.bound_arrays(b))
    assert back.gap == b.gap and back.width == b.width
    np.testing.assert_array_equal(back.post, b.post)
    np.testing.assert_array_equal(back.grid.xs, b.grid.xs)
    assert (back.path_elbo is None) == (b.path_elbo is None)
    broken = {**stored_numbers.bound_arrays(b), "post": np.zeros((3, 3))}
    with pytest.raises(ValueError):
        stored_numbers.bound_from_arrays(broken)


def test_stale_numbers_are_refused():
    """Numbers written with another recipe (another held-out split, pool, k, featured images...)
    are refused by both readers, so the pages compute instead of showing them."""
    numbers = dict(artefacts.load_numbers("vae-2d"))
    assert stored_numbers.current(numbers)
    numbers["recipe"] = np.array(
        stored_numbers.recipe().replace('"curve_pool": ', '"curve_pool": 1')
    )
    with pytest.raises(ValueError, match="recipe"):
        stored_numbers.heldout(numbers)
    with pytest.raises(ValueError, match="recipe"):
        stored_numbers.featured(numbers, stored_numbers.FEATURED[0])
    del numbers["recipe"]
    assert not stored_numbers.current(numbers)
