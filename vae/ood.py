"""The negative ELBO as an out-of-distribution score, with its known pitfalls shown rather than
hidden.

A likelihood model's score is dominated by how much there is to explain: an image with little ink
(a plain stroke) scores better than most digits, whatever it shows (Nalisnick et al. 2019, "Do
deep generative models know what they don't know?"; Serrà et al. 2020, "Input complexity and
out-of-distribution detection with likelihood-based generative models"). So a score is read two
ways here: against every test digit, and against the test digits with about as much ink (a
complexity-aware comparison); ``percentile_of`` places a score among either set.
``probe_images`` is a fixed row of non-digits to try.
"""

from __future__ import annotations

import numpy as np

from vae.preprocess import arc, strokes_to_mnist

INK_BAND = (
    0.15  # ink-matched comparison: test digits whose total ink is within +-15 % of the image's
)
MIN_MATCHED = 50  # fewer ink-matched test digits than this and the comparison is not made


def probe_images(test_images: np.ndarray, rotated_index: int = 0) -> dict[str, np.ndarray]:
    """Non-digits (and one digit turned upside down) through the same recipe as a drawing:
    name -> MNIST-like float32 (28, 28). ``test_images``: (N, 28, 28) floats in [0, 1]; the
    rotated digit is test image ``rotated_index`` (test #0 is a 7)."""
    noise = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    return {
        "a vertical bar": strokes_to_mnist([[[0.5, 0.15], [0.5, 0.85]]]),
        "a horizontal bar": strokes_to_mnist([[[0.15, 0.5], [0.85, 0.5]]]),
        "the letter A": strokes_to_mnist(
            [[[0.2, 0.85], [0.5, 0.15], [0.8, 0.85]], [[0.33, 0.55], [0.67, 0.55]]]
        ),
        "a smiley": strokes_to_mnist(
            [
                arc(0.5, 0.5, 0.35, 0.35, 0, 2 * np.pi, 60),
                arc(0.5, 0.5, 0.2, 0.2, 0.4, np.pi - 0.4, 30),
                [[0.38, 0.38]],
                [[0.62, 0.38]],
            ]
        ),
        "noise": noise,
        "an upside-down 7": np.ascontiguousarray(
            np.asarray(test_images[rotated_index], dtype=np.float32)[::-1, ::-1]
        ),
    }


def ink_matched(test_ink: np.ndarray, image_ink: float, band: float = INK_BAND) -> np.ndarray:
    """Indices of the test digits whose ink (``vae.pixels.ink``) is within ``band`` (relative) of
    the image's. -> (K,)"""
    test_ink = np.asarray(test_ink, dtype=np.float64)
    return np.flatnonzero(np.abs(test_ink - image_ink) <= band * max(image_ink, 1e-9))


def percentile_of(values: np.ndarray, v: float) -> float:
    """Share of ``values`` (in %) that are at most ``v``: 100 means higher than all of them."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no values to compare with")
    return float(100.0 * np.count_nonzero(values <= v) / values.size)
