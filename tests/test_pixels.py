"""Unit tests of vae.pixels, vae.latent picks and pad grids, vae.units unused dimensions and the
ui.page.link_values parsers they pair with."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tests.pageutil import REPO
from ui.page import link_values
from vae import latent, neighbours, pixels, units


def test_parse_indices_keeps_valid_in_order_and_reports_the_rest():
    good, bad = link_values.parse_indices("5, abc, 12000, 7,, -1; 5 3.5", 10_000)
    assert good == [5, 7]
    assert bad == ["abc", "12000", "-1", "3.5"]


def test_parse_indices_empty_and_none():
    assert link_values.parse_indices(None, 10) == ([], [])
    assert link_values.parse_indices(" , ,", 10) == ([], [])


def test_parse_indices_caps_the_count():
    good, bad = link_values.parse_indices(",".join(str(i) for i in range(20)), 100, max_len=16)
    assert good == list(range(16)) and bad == [str(i) for i in range(16, 20)]


def test_pick_random_is_reproducible_distinct_and_in_range():
    a, b = latent.pick_random(10_000, 8, seed=3), latent.pick_random(10_000, 8, seed=3)
    assert np.array_equal(a, b) and len(set(a.tolist())) == 8 and a.min() >= 0 and a.max() < 10_000
    assert not np.array_equal(a, latent.pick_random(10_000, 8, seed=4))
    assert len(latent.pick_random(5, 8, seed=0)) == 5


def test_pick_digit_only_that_digit():
    labels = np.array([0, 1, 2, 3] * 10)
    idx = latent.pick_digit(labels, 3, 4, seed=1)
    assert len(idx) == 4 and (labels[idx] == 3).all() and len(set(idx.tolist())) == 4
    assert len(latent.pick_digit(labels, 3, 50, seed=1)) == 10
    assert len(latent.pick_digit(labels, 9, 4, seed=1)) == 0


def test_binarize():
    a = np.array([[0.0, 0.49, 0.5, 1.0]])
    assert pixels.binarize(a, 0.5).tolist() == [[0.0, 0.0, 1.0, 1.0]]


def test_to_slider_clips_and_rounds():
    assert link_values.to_slider(np.array([0.04, -0.06, 3.7, -9.0, 1.25])) == [
        0.0,
        -0.1,
        3.0,
        -3.0,
        1.2,
    ]


def test_pad_grid_covers_the_square_regularly():
    g = latent.pad_grid(41, -4.0, 4.0)
    assert g.shape == (41 * 41, 2)
    assert g.min() == -4.0 and g.max() == 4.0
    assert np.allclose(np.unique(g[:, 0]), np.linspace(-4, 4, 41))
    assert any(np.allclose(p, [0.0, 0.0]) for p in g)
    with pytest.raises(ValueError):
        latent.pad_grid(1)


def test_neighbourhood():
    codes = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [5.1, 5.0], [5.0, 5.2]])
    labels = np.array([1, 1, 7, 7, 2])
    assert neighbours.neighbourhood(codes, labels, np.array([5.0, 5.0]), k=3) == (
        7,
        pytest.approx(2 / 3),
    )


def test_pixel_spread():
    imgs = np.zeros((2, 28, 28))
    imgs[0, 0, 0], imgs[1, 0, 0] = 0.0, 1.0  # one pixel flips between samples
    mean, std = pixels.pixel_spread(imgs)
    assert (
        mean[0, 0] == pytest.approx(0.5)
        and std[0, 0] == pytest.approx(0.5)
        and std.sum() == pytest.approx(0.5)
    )


def test_unused_dims():
    assert units.unused_dims(np.array([0.05, 0.95, 0.2, 1.0])) == [1, 3]
    assert units.unused_dims(np.array([0.1, 0.2])) == []


def test_chi2_sanity_of_two_sigma_share():
    # the posterior page quotes 39 % inside 1 sigma and 86 % inside 2 sigma for a 2-D Gaussian
    assert stats.chi2.cdf(1.0, 2) == pytest.approx(0.393, abs=1e-3)
    assert stats.chi2.cdf(4.0, 2) == pytest.approx(0.865, abs=1e-3)


def test_clicked_point_reads_streamlit_selection_state():
    event = {"selection": {"pad": [{"x": 1.2, "y": -3.4, "index": 7}]}}
    assert link_values.clicked_point(event, "pad") == (1.2, -3.4)
    assert link_values.clicked_point({"selection": {"pad": []}}, "pad") is None
    assert link_values.clicked_point({"selection": {}}, "pad") is None
    assert link_values.clicked_point(None, "pad") is None
    assert link_values.clicked_point({"selection": {"pad": [{"x": "nan", "y": 0}]}}, "pad") is None
    assert link_values.clicked_point({"selection": {"pad": [{"index": 3}]}}, "pad") is None


def test_the_app_does_not_import_scipy_stats():
    import subprocess
    import sys

    code = (
        "import sys, ui.page, ui.draw.render, ui.server.prefetch, ui.draw.chart_tables, "
        "vae.latent, vae.paths, vae.units, "
        "vae.pixels, vae.neighbours, vae.prior, vae.preprocess; print('scipy.stats' in sys.modules)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_pixel_entropy_matches_scipy_and_its_extremes():
    from scipy.stats import bernoulli

    from vae.pixels import pixel_entropy

    p = np.array([0.0, 1e-9, 0.1, 0.5, 0.9, 1.0])
    np.testing.assert_allclose(pixel_entropy(p), bernoulli(p).entropy(), atol=1e-7)
    assert pixel_entropy(np.array([0.5]))[0] == pytest.approx(np.log(2))


def test_image_entropy_is_the_bce_of_a_perfect_copy():
    from vae.losses import bce_per_image
    from vae.pixels import image_entropy

    x = np.random.default_rng(0).random((3, 28, 28))
    np.testing.assert_allclose(image_entropy(x), bce_per_image(x, x, eps=1e-12), rtol=1e-6)


def test_bernoulli_samples_are_binary_with_mean_p():
    from vae.pixels import bernoulli_samples

    p = np.full((28, 28), 0.3)
    s = bernoulli_samples(p, 400, seed=1)
    assert s.shape == (400, 28, 28) and set(np.unique(s)) <= {0.0, 1.0}
    assert s.mean() == pytest.approx(0.3, abs=0.005)
    np.testing.assert_array_equal(s, bernoulli_samples(p, 400, seed=1))


def test_temperature_sharpens_below_one_and_blurs_above():
    from vae.pixels import with_temperature

    p = np.array([0.05, 0.3, 0.5, 0.8])
    np.testing.assert_allclose(with_temperature(p, 1.0), p, atol=1e-9)
    sharp, blur = with_temperature(p, 0.5), with_temperature(p, 2.0)
    assert np.all(np.abs(sharp - 0.5) >= np.abs(p - 0.5)) and np.all(
        np.abs(blur - 0.5) <= np.abs(p - 0.5)
    )
    np.testing.assert_allclose(sharp[2], 0.5)
    with pytest.raises(ValueError):
        with_temperature(p, 0.0)


def test_width_measures_the_deslanted_horizontal_extent():
    from vae import pixels

    narrow, wide, leaning = (np.zeros((28, 28)) for _ in range(3))
    narrow[4:24, 13:15] = 1.0  # a 2-px upright bar
    wide[4:24, 6:22] = 1.0  # a 16-px block
    for r in range(4, 24):  # the narrow bar, leaning like /
        c = 20 - (r - 4) // 2
        leaning[r, c : c + 2] = 1.0
    w = pixels.width(np.stack([narrow, wide, leaning]))
    assert abs(w[0] - 4 * np.sqrt((2**2 - 1) / 12)) < 1e-6  # 4 x the std of 2 uniform columns
    assert abs(w[1] - 4 * np.sqrt((16**2 - 1) / 12)) < 1e-6
    assert (
        w[2] < 2 * w[0] and pixels.slant(leaning[None])[0] > 0.3
    )  # leaning over is not being wide
