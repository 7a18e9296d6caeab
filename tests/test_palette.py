"""The digit palette (issue 31): ten colours that stay apart for colour-blind readers and stand out
on both themes.

- **Colour-vision deficiency.** Each colour is passed through Machado, Oliveira & Fernandes (2009)'s
  simulation matrices at severity 1.0 (protanopia and deuteranopia, applied to linear sRGB, as
  the paper and DaltonLens do), converted to CIELAB (D65), and every pair compared with CIEDE2000
  (Sharma, Wu & Dalal 2005; the formula is checked here against their published test pairs).
- **Threshold: ΔE00 >= 10** for every pair, in normal vision and in both simulations. One unit of
  ΔE00 is about a just-noticeable difference for large patches (about 2.3 for most observers);
  points on a scatter are a few pixels wide, and Szafir (2018, "Modelling Color Difference for
  Visualization Design") measured that the difference needed to tell such small marks apart is
  several times larger, so we ask for ~4 JNDs. The palette reaches 13.4 (the best a search over
  sRGB found within the contrast band below: 13.4 under deuteranopia, 14.6 under protanopia, 14.8 in
  normal vision; Tableau 10, the palette before, had 0.7 and 1.2).
- **Contrast** of each colour against the light (#ffffff) and the dark (#0e1117) page: >= 3:1,
  WCAG 2.1's 1.4.11 for graphical objects. Both hold only for a relative luminance between
  0.117 and 0.30, which is where the search looked.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ui.draw.style import ALTAIR_DIGIT_SCALE, DIGIT_COLORS, PAPER

PROTAN = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)
DEUTAN = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
MIN_DE = 10.0
MIN_CONTRAST = 3.0


def linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ rgb_linear / SRGB_TO_XYZ.sum(axis=1)  # relative to the D65 white
    d = 6 / 29
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate(rgb_linear: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    return rgb_linear if matrix is None else np.clip(matrix @ rgb_linear, 0.0, 1.0)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1), as Sharma, Wu & Dalal (2005) write it."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cbar**7 / (cbar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    d_l, d_c = L2 - L1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lbar, cbarp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbar = (h1p + h2p) / 2
    else:
        hbar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(hbar - 30))
        + 0.24 * np.cos(np.radians(2 * hbar))
        + 0.32 * np.cos(np.radians(3 * hbar + 6))
        - 0.20 * np.cos(np.radians(4 * hbar - 63))
    )
    s_l = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    r_t = (
        -np.sin(np.radians(60 * np.exp(-(((hbar - 275) / 25) ** 2))))
        * 2
        * np.sqrt(cbarp**7 / (cbarp**7 + 25**7))
    )
    return float(
        np.sqrt(
            (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
        )
    )


def min_delta_e(colours, matrix) -> tuple[float, tuple[int, int]]:
    labs = [lab(simulate(linear(c), matrix)) for c in colours]
    return min(
        (ciede2000(labs[i], labs[j]), (i, j))
        for i, j in itertools.combinations(range(len(colours)), 2)
    )


def luminance(hex_colour: str) -> float:
    return float(np.array([0.2126, 0.7152, 0.0722]) @ linear(hex_colour))


def contrast(c1: str, c2: str) -> float:
    hi, lo = sorted((luminance(c1), luminance(c2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(
    "lab1, lab2, want",
    [  # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7, 17, 25, 34
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, want):
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(want, abs=1e-4)


def test_machado_matrices_keep_grey_grey():
    """Each simulation row sums to ~1: a grey stays the same grey (the matrices are copied
    right)."""
    for m in (PROTAN, DEUTAN):
        assert np.allclose(m.sum(axis=1), 1.0, atol=2e-3)


@pytest.mark.parametrize(
    "vision, matrix", [("normal", None), ("deuteranopia", DEUTAN), ("protanopia", PROTAN)]
)
def test_every_two_digit_colours_stay_apart(vision, matrix):
    de, pair = min_delta_e(DIGIT_COLORS, matrix)
    assert de >= MIN_DE, f"{vision}: digits {pair} differ by ΔE00 {de:.1f} only"


def test_the_old_palette_would_fail():
    """The test can fail: Tableau 10, the palette before, has two digits ΔE00 < 3 apart under
    deuteranopia."""
    tableau = (
        "#4e79a7",
        "#f28e2b",
        "#e15759",
        "#76b7b2",
        "#59a14f",
        "#edc948",
        "#b07aa1",
        "#ff9da7",
        "#9c755f",
        "#bab0ac",
    )
    assert min_delta_e(tableau, DEUTAN)[0] < 3.0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_digit_colour_stands_out_on_the_page(theme):
    low = {
        d: round(contrast(c, PAPER[theme]), 2)
        for d, c in enumerate(DIGIT_COLORS)
        if contrast(c, PAPER[theme]) < MIN_CONTRAST
    }
    assert not low, f"{theme}: contrast under {MIN_CONTRAST}:1 for digits {low}"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_latent_size_colour_stands_out_on_the_page(theme):
    from ui.draw.style import SIZE_COLORS

    low = {c: round(contrast(c, PAPER[theme]), 2) for c in SIZE_COLORS}
    assert min(low.values()) >= MIN_CONTRAST, f"{theme}: {low}"


def test_one_palette_everywhere():
    assert len(set(DIGIT_COLORS)) == 10
    assert ALTAIR_DIGIT_SCALE == {
        "domain": [str(d) for d in range(10)],
        "range": list(DIGIT_COLORS),
    }


def test_a_scatter_dot_is_outlined_in_its_digits_full_colour():
    """A digit scatter's fill is see-through (density shows), so a single dot's fill alone would
    fall under 3:1: each dot is outlined in its digit's full colour (the contrast above), opaque
    unless the legend pick fades that digit; the legend's symbols are not outlined."""
    import pandas as pd

    from ui.draw import altair_charts

    df = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "digit": ["1", "2"], "index": [0, 1]})
    for opacity in (0.3, 0.65):
        spec = altair_charts.scatter(df, opacity=opacity).to_dict()
        enc = spec["encoding"]
        assert enc["stroke"]["field"] == enc["color"]["field"] == "digit"
        assert enc["stroke"]["scale"] == enc["color"]["scale"] == ALTAIR_DIGIT_SCALE
        assert enc["strokeOpacity"]["condition"]["value"] == 1.0
        assert enc["fillOpacity"]["condition"]["value"] == opacity
        assert spec["mark"]["strokeWidth"] >= 0.75
        # the legend's symbols stay plain discs: an outline there made every row taller, and on
        # a phone the legend then outgrew the map and stretched the chart
        assert enc["color"]["legend"]["symbolStrokeWidth"] == 0
