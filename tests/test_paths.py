"""Unit tests of vae.paths (lerp, slerp, the regions a path crosses, pixel blends) and vae.pixels
(pixel statistics, GIFs)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vae import paths, pixels
from vae.paths import lerp, slerp

T = np.linspace(0, 1, 11)


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    c = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.arccos(np.clip(c, -1, 1)))


# --- lerp ----------------------------------------------------------------------------------------


def test_lerp_endpoints_midpoint_and_shape():
    a, b = np.array([1.0, -2.0, 3.0]), np.array([-1.0, 0.5, 2.0])
    z = lerp(a, b, T)
    assert z.shape == (11, 3)
    np.testing.assert_array_equal(z[0], a)
    np.testing.assert_array_equal(z[-1], b)
    np.testing.assert_allclose(z[5], (a + b) / 2)
    np.testing.assert_allclose(np.diff(z, axis=0), np.tile((b - a) / 10, (10, 1)))  # even steps


# --- slerp ---------------------------------------------------------------------------------------


def test_slerp_endpoints_exact():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    z = slerp(a, b, T)
    assert z.shape == (11, 10)
    np.testing.assert_allclose(z[0], a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(z[-1], b, rtol=0, atol=1e-12)


def test_slerp_norm_changes_linearly():
    rng = np.random.default_rng(1)
    a, b = 3.0 * rng.standard_normal(8), 0.5 * rng.standard_normal(8)
    got = np.linalg.norm(slerp(a, b, T), axis=1)
    want = (1 - T) * np.linalg.norm(a) + T * np.linalg.norm(b)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_slerp_stays_on_the_great_circle():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(6), rng.standard_normal(6)
    z = slerp(a, b, T)
    # every point lies in the plane spanned by a and b ...
    q, _ = np.linalg.qr(np.stack([a, b], axis=1))  # (6, 2) orthonormal basis of span(a, b)
    resid = z - (z @ q) @ q.T
    np.testing.assert_allclose(resid, 0, atol=1e-12)
    # ... and its direction turns from a to b at a constant angular speed, the short way round
    omega = _angle(a, b)
    angles = np.array([_angle(a, zi) for zi in z])
    np.testing.assert_allclose(angles, T * omega, atol=1e-7)
    np.testing.assert_allclose([_angle(zi, b) for zi in z], (1 - T) * omega, atol=1e-7)


def test_slerp_keeps_the_shell_where_lerp_cuts_through_the_centre():
    a, b = np.array([2.0, 0.0]), np.array([0.0, 2.0])
    mid_lerp = np.linalg.norm(lerp(a, b, np.array([0.5]))[0])
    mid_slerp = np.linalg.norm(slerp(a, b, np.array([0.5]))[0])
    assert mid_lerp == pytest.approx(np.sqrt(2))  # 2 / sqrt(2)
    assert mid_slerp == pytest.approx(2.0)
    # in high dimension random codes are nearly orthogonal: lerp's midpoint shrinks by ~1/sqrt(2)
    rng = np.random.default_rng(3)
    d = 32
    a, b = rng.standard_normal(d), rng.standard_normal(d)
    ratio = np.linalg.norm(lerp(a, b, np.array([0.5]))[0]) / np.sqrt(d)
    assert 0.55 < ratio < 0.85
    assert np.linalg.norm(slerp(a, b, np.array([0.5]))[0]) == pytest.approx(
        (np.linalg.norm(a) + np.linalg.norm(b)) / 2
    )


@pytest.mark.parametrize(
    "b_of_a",
    [lambda a: 2.5 * a, lambda a: -0.7 * a, lambda a: a.copy(), lambda a: np.zeros_like(a)],
)
def test_slerp_falls_back_to_lerp_for_parallel_or_zero_vectors(b_of_a):
    a = np.array([0.3, -1.2, 2.0, 0.1])
    b = b_of_a(a)
    np.testing.assert_allclose(slerp(a, b, T), lerp(a, b, T))
    np.testing.assert_allclose(slerp(b, a, T), lerp(b, a, T))
    assert np.isfinite(slerp(a, b, T)).all()


def test_slerp_nearly_parallel_is_finite_and_close_to_lerp():
    a = np.array([1.0, 0.0, 0.0])
    b = np.array([2.0, 1e-9, 0.0])
    z = slerp(a, b, T)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z, lerp(a, b, T), atol=1e-8)


vec = arrays(np.float64, 5, elements=st.floats(-5, 5, allow_nan=False, allow_infinity=False))


@settings(max_examples=150, deadline=None)
@given(vec, vec)
def test_slerp_properties_hold_for_any_pair(a, b):
    z = slerp(a, b, T)
    assert z.shape == (len(T), 5)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z[0], a, atol=1e-9)
    np.testing.assert_allclose(z[-1], b, atol=1e-9)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na > 1e-3 and nb > 1e-3 and 1e-3 < _angle(a, b) < np.pi - 1e-3:
        np.testing.assert_allclose(
            np.linalg.norm(z, axis=1), (1 - T) * na + T * nb, rtol=1e-9, atol=1e-9
        )
        # never farther from the origin than the larger endpoint, never closer than the smaller
        assert np.linalg.norm(z, axis=1).min() >= min(na, nb) - 1e-9


# --- vae.paths: endpoints, blends, paths --------------------------------------------------------


def test_pick_pair_is_reproducible_and_respects_digits():
    labels = np.repeat(np.arange(10), 30)
    ia, ib = paths.pick_pair(labels, 3, 8, seed=5)
    assert labels[ia] == 3 and labels[ib] == 8
    assert paths.pick_pair(labels, 3, 8, seed=5) == (ia, ib)
    seen = {paths.pick_pair(labels, 3, 8, seed=s) for s in range(20)}
    assert len(seen) > 1  # the seed changes the members
    for s in range(20):
        ia, ib = paths.pick_pair(labels, 4, 4, seed=s)
        assert labels[ia] == labels[ib] == 4 and ia != ib
    with pytest.raises(ValueError):
        paths.pick_pair(labels, 3, 11, seed=0)


def test_pixel_blend_is_a_cross_fade():
    xa, xb = np.zeros((28, 28)), np.ones((28, 28))
    xa[3, 4] = 1.0
    frames = paths.pixel_blend(xa, xb, T)
    assert frames.shape == (11, 28, 28) and frames.dtype == np.float32
    np.testing.assert_array_equal(frames[0], xa)
    np.testing.assert_array_equal(frames[-1], xb)
    np.testing.assert_allclose(frames[:, 0, 0], T, atol=1e-7)
    np.testing.assert_allclose(frames[:, 3, 4], 1.0)


def test_norms():
    np.testing.assert_allclose(paths.norms(np.array([[3.0, 4.0], [0.0, 0.0]])), [5.0, 0.0])


def test_mix_r2_and_half_tones():
    rng = np.random.default_rng(0)
    a, b = rng.random((28, 28)), rng.random((28, 28))
    assert pixels.mix_r2(0.3 * a + 0.7 * b, a, b) == pytest.approx(1.0)
    assert pixels.mix_r2(rng.random((28, 28)), a, b) < 0.9
    assert pixels.mix_r2(np.ones((28, 28)), a, b) == 1.0  # constant image: nothing to explain
    img = np.zeros((4, 4))
    img[0, :2] = 1.0
    img[1, :2] = 0.5
    assert pixels.half_tone_share(img) == pytest.approx(0.5)
    assert pixels.half_tone_share(np.zeros((4, 4))) == 0.0


# --- GIF -----------------------------------------------------------------------------------------


def _frames(n: int) -> np.ndarray:
    f = np.zeros((n, 28, 28), dtype=np.float32)
    for i in range(n):
        f[i, :, i] = 1.0  # a vertical bar moving right: every frame differs
    return f


def test_gif_is_an_upscaled_looping_pingpong():
    from PIL import Image, ImageSequence

    frames = _frames(6)
    data = pixels.gif_bytes(frames, scale=3, duration_ms=80)
    assert data[:6] in (b"GIF87a", b"GIF89a")
    im = Image.open(io.BytesIO(data))
    assert im.format == "GIF"
    assert im.size == (84, 84)
    assert im.info.get("loop") == 0  # loops forever
    seq = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(im)]
    assert len(seq) == 2 * 6 - 2  # 0 1 2 3 4 5 4 3 2 1
    bar = [int(np.argmax(f[0])) // 3 for f in seq]
    assert bar == [0, 1, 2, 3, 4, 5, 4, 3, 2, 1]
    # nearest-neighbour upscaling: every source pixel becomes a crisp 3 x 3 block
    first = seq[0]
    assert set(np.unique(first)) <= {0, 255}
    np.testing.assert_array_equal(first[::3, ::3], (frames[0] * 255).astype(np.uint8))
    assert im.info.get("duration") == 80


def test_gif_without_pingpong_and_edge_cases():
    from PIL import Image

    im = Image.open(io.BytesIO(pixels.gif_bytes(_frames(4), scale=1, pingpong=False)))
    assert im.n_frames == 4 and im.size == (28, 28)
    assert Image.open(io.BytesIO(pixels.gif_bytes(_frames(1)))).size == (112, 112)
    with pytest.raises(ValueError):
        pixels.gif_bytes(np.zeros((28, 28)))
    with pytest.raises(ValueError):
        pixels.gif_bytes(_frames(3), scale=0)


# --- k-NN accuracy -------------------------------------------------------------------------------

# --- style statistics ----------------------------------------------------------------------------


def _bar(shear: float) -> np.ndarray:
    """A thin bar through the centre whose x moves by ``shear`` per row upwards."""
    img = np.zeros((28, 28))
    for r in range(4, 24):
        y_up = 27 - r
        x = int(round(13.5 + shear * (y_up - 13.5)))
        img[r, x] = 1.0
    return img


def test_slant_sign_and_size():
    s = pixels.slant(np.stack([_bar(0.0), _bar(0.5), _bar(-0.5)]))
    assert abs(s[0]) < 0.05
    assert s[1] == pytest.approx(0.5, abs=0.05)  # leaning right, like /
    assert s[2] == pytest.approx(-0.5, abs=0.05)


def test_ink():
    imgs = np.zeros((2, 28, 28))
    imgs[1, :14] = 1.0
    np.testing.assert_allclose(pixels.ink(imgs), [0.0, 0.5])


def test_row_share_splits_the_variance():
    rows_only = np.repeat(np.arange(4.0)[:, None], 5, axis=1)  # value depends on the row only
    assert pixels.row_share(rows_only) == pytest.approx((1.0, 0.0))
    assert pixels.row_share(rows_only.T) == pytest.approx((0.0, 1.0))
    additive = np.arange(4.0)[:, None] + np.arange(5.0)[None, :]
    r, c = pixels.row_share(additive)
    assert r + c == pytest.approx(1.0)
    assert pixels.row_share(np.ones((3, 3))) == (0.0, 0.0)


def test_axis_correlations():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 2))
    r = pixels.axis_correlations(2 * z[:, 0] + 1, z)
    assert r[0] == pytest.approx(1.0)
    assert abs(r[1]) < 0.2
    assert pixels.axis_correlations(-z[:, 1], z)[1] == pytest.approx(-1.0)
    np.testing.assert_array_equal(pixels.axis_correlations(np.ones(200), z), [0.0, 0.0])
