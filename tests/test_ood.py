"""vae.ood: the non-digit probes, the ink-matched comparison and the percentile of a score."""

from __future__ import annotations

import numpy as np
import pytest

from vae import ood


def test_percentile_of():
    v = np.arange(1, 101, dtype=float)
    assert ood.percentile_of(v, 50) == 50.0
    assert ood.percentile_of(v, 0) == 0.0
    assert ood.percentile_of(v, 1e9) == 100.0
    with pytest.raises(ValueError):
        ood.percentile_of(np.array([]), 1.0)


def test_ink_matched_takes_the_band_around_the_image():
    ink = np.array([80.0, 90.0, 100.0, 114.0, 116.0, 50.0])
    assert ood.ink_matched(ink, 100.0).tolist() == [1, 2, 3]  # within +-15 %: 85..115
    assert ood.ink_matched(ink, 100.0, band=0.5).tolist() == [0, 1, 2, 3, 4, 5]
    assert ood.ink_matched(ink, 0.0).tolist() == []  # no ink: nothing matches


def test_probe_images_are_mnist_like_and_fixed():
    rng = np.random.default_rng(0)
    test_images = rng.random((3, 28, 28)).astype(np.float32)
    probes = ood.probe_images(test_images, rotated_index=1)
    assert len(probes) == 6
    for name, x in probes.items():
        assert x.shape == (28, 28) and x.dtype == np.float32, name
        assert 0.0 <= x.min() and x.max() <= 1.0, name
    np.testing.assert_array_equal(probes["an upside-down 7"], test_images[1][::-1, ::-1])
    again = ood.probe_images(test_images, rotated_index=1)
    assert all(np.array_equal(probes[k], again[k]) for k in probes)  # seeded noise, fixed strokes
