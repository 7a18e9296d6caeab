"""The Conditional VAE lesson's notices and axis names (ui.lessons.cvae.claims), fast tier: each
branch once on made-up numbers, asserting that the numbers a sentence quotes are the facts' and
that its premise holds for them."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from tests.pageutil import page_constant as _page_constant
from ui.lessons.cvae import claims as cc
from ui.page import links
from vae import artefacts

BASE = cc.CvaeFacts(
    k=5,
    acc_base=0.72,
    acc_model=0.31,
    n_survey=100,
    slant_z=0.85,
    slant_digit=0.05,
    ink_z=0.30,
    ink_digit=0.55,
    label_match=0.93,
    least_ink=1,
    most_ink=0,
)


def _pcts(s: str) -> list[float]:
    """The percentages a sentence quotes, as shares."""
    return [int(p) / 100 for p in re.findall(r"(\d+)%", s)]


# --- the k-NN vote --------------------------------------------------------------------------------


def test_knn_lower_says_z_stops_holding_the_digit():
    f = BASE
    s = cc.knn_notice(f)
    assert f.acc_model < f.acc_base  # the premise of "only" and of "stops encoding"
    assert _pcts(s)[:2] == [round(f.acc_base, 2), round(f.acc_model, 2)]
    assert f"{f.k}-nearest-neighbour" in s and "of cvae-2d only 31%" in s
    assert "z stops encoding which digit it is" in s and "at least as well" not in s


@pytest.mark.parametrize("acc_model", [0.72, 0.80])  # as high as vae-2d's, and higher
def test_knn_not_lower_says_the_map_separates_at_least_as_well(acc_model):
    f = replace(BASE, acc_model=acc_model)
    s = cc.knn_notice(f)
    assert f.acc_model >= f.acc_base
    assert _pcts(s)[:2] == [round(f.acc_base, 2), round(f.acc_model, 2)]
    assert " only " not in s and "stops encoding" not in s
    assert "separates the digits at least as well" in s


def test_knn_lower_but_not_near_chance_says_z_keeps_part_of_the_digit():
    f = replace(BASE, acc_model=0.5)  # lower than 72%, but closer to it than to chance
    s = cc.knn_notice(f)
    assert cc.knn_branch(f) == "part"
    assert f.acc_model < f.acc_base and f.acc_model - cc.CHANCE >= (f.acc_base - cc.CHANCE) / 2
    assert _pcts(s)[:3] == [0.72, 0.5, cc.CHANCE] and "of cvae-2d only 50%" in s
    assert "stops encoding" not in s and "still more than chance" in s


# --- slant and ink --------------------------------------------------------------------------------


def _split(s: str) -> tuple[float, float, float, float]:
    """slant by code, slant by digit, ink by code, ink by digit, as quoted."""
    slant = re.search(r"explains (\d+)% of the variation in slant and the digit (\d+)%", s)
    ink = re.search(r"For ink the split is (\d+)% \(code\) to (\d+)% \(digit\)", s)
    return tuple(int(v) / 100 for v in (*slant.groups(), *ink.groups()))


def test_slant_by_z_and_ink_by_the_digit():
    f = BASE
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert f.slant_z > f.slant_digit and "slant is a property of z" in s
    assert f.ink_digit > f.ink_z and "the digit itself sets most of the ink" in s
    assert "(A 1 uses the least, a 0 the most)" in s  # the facts' digits, capitalised
    assert "ink is mostly" not in s


def test_slant_by_z_and_ink_by_z_as_well():
    f = replace(BASE, ink_z=0.6, ink_digit=0.2)
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert f.slant_z > f.slant_digit and "slant is a property of z" in s
    assert f.ink_z >= f.ink_digit and s.endswith(": ink is mostly a property of z as well.")


def test_slant_not_by_z_and_ink_by_z():
    f = replace(BASE, slant_z=0.2, slant_digit=0.6, ink_z=0.6, ink_digit=0.2)
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert f.slant_z <= f.slant_digit and "slant is a property of z" not in s
    assert "and the digit 60%. For ink" in s  # the slant clause ends without a reading
    assert f.ink_z >= f.ink_digit and s.endswith(": ink is mostly a property of z.")


def test_slant_not_by_z_and_ink_by_the_digit():
    f = replace(BASE, slant_z=0.2, slant_digit=0.6)
    s = cc.style_notice(f)
    assert f.slant_z <= f.slant_digit and "slant is a property of z" not in s
    assert f.ink_digit > f.ink_z and "the digit itself sets most of the ink" in s


def test_no_reading_where_neither_explains_most():
    # the code explains more of the slant than the digit, but not most of it; the ink neither
    f = replace(BASE, slant_z=0.45, slant_digit=0.3, ink_z=0.3, ink_digit=0.4)
    s = cc.style_notice(f)
    assert _split(s) == (f.slant_z, f.slant_digit, f.ink_z, f.ink_digit)
    assert cc.style_branches(f) == ("neither", "neither")
    assert f.slant_z <= cc.MOST and "slant is a property of z" not in s
    assert (
        max(f.ink_z, f.ink_digit) <= cc.MOST
        and "mostly a property of z" not in s
        and "sets most" not in s
    )
    assert s.endswith(": neither the code nor the digit alone explains most of it.")


def test_the_style_notice_says_nothing_of_the_seeded_grid():
    # the grid above is another draw (its seed's) whose split can differ: no claim about it
    for f in (BASE, replace(BASE, ink_z=0.6, ink_digit=0.2)):
        s = cc.style_notice(f)
        assert "grid" not in s and "whatever the hand" not in s


# --- the label ------------------------------------------------------------------------------------


def test_label_decides_the_digit():
    f = BASE
    s = cc.label_notice(f)
    assert _pcts(s) == [round(f.label_match, 2)] and f"of those {f.n_survey * 10:,} decoded" in s
    assert f.label_match >= cc.LABEL_WINS and "the label alone decides" in s


@pytest.mark.parametrize("match", [0.79, 0.4])
def test_label_does_not_always_win(match):
    f = replace(BASE, label_match=match)
    s = cc.label_notice(f)
    assert _pcts(s) == [match]
    assert f.label_match < cc.LABEL_WINS and "the label does not always win" in s
    assert "alone decides" not in s


def test_notices_keep_the_page_order():
    assert cc.notices(BASE) == [cc.knn_notice(BASE), cc.style_notice(BASE), cc.label_notice(BASE)]


# --- the manifold's axis names --------------------------------------------------------------------

R = {
    "slant (leans right, like /)": (0.81, -0.10),
    "width (px, slant taken out)": (0.20, -0.64),
    "ink (mean brightness: thicker or bigger strokes)": (-0.30, 0.45),
}


def test_axis_named_after_a_measure_it_moves_up():
    assert cc.strongest(R, 0) == "slant (leans right, like /)"
    assert abs(R[cc.strongest(R, 0)][0]) >= cc.NAMED_R and R["slant (leans right, like /)"][0] > 0
    assert cc.axis_word(R, 0) == " → more slant"


def test_axis_named_after_a_measure_it_moves_down():
    assert cc.strongest(R, 1) == "width (px, slant taken out)"  # |-0.64| beats 0.45
    assert R["width (px, slant taken out)"][1] <= -cc.NAMED_R
    assert cc.axis_word(R, 1) == " → less width"


def test_axis_left_unnamed_below_the_bar():
    r = {k: (v[0] / 2, v[1]) for k, v in R.items()}
    assert max(abs(v[0]) for v in r.values()) < cc.NAMED_R
    assert cc.axis_word(r, 0) == ""
    edge = {
        "ink (mean brightness: thicker or bigger strokes)": (-0.5, 0.0)
    }  # exactly at the bar: named
    assert cc.axis_word(edge, 0) == " → less ink"


def test_strongest_takes_the_first_on_a_tie():
    r = {"width (px)": (0.6, 0.0), "ink (mean brightness: thicker or bigger strokes)": (-0.6, 0.0)}
    assert cc.strongest(r, 0) == "width (px)"


# --- the premise sweep: the real models at every control value the page offers ------------------

PAGE = Path(__file__).resolve().parents[1] / "pages" / "10_Conditional_VAE.py"
BAD = ("nan", "inf", "e+")  # never in a shown sentence
MEASURES = (
    "slant (leans right, like /)",
    "width (px, slant taken out)",
    "ink (mean brightness: thicker or bigger strokes)",
)


def page_constant(name: str):
    """A literal constant of the page, read from its source (the page is a script)."""
    return _page_constant(PAGE, name)


def _need_models():
    from ui.lessons.cvae.views import BASE as VAE
    from ui.lessons.cvae.views import MODEL

    missing = [
        n
        for n in (MODEL, VAE)
        if not (artefacts.checkpoint_path(n).exists() and artefacts.codes_path(n).exists())
    ]
    if missing:
        pytest.skip(f"not built: {missing}")
    return MODEL, VAE


def _knn(codes: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Leave-one-out k-NN digit accuracy, written out with NumPy: all pairwise distances, the
    code itself left out, majority of the k nearest (ties: the smallest digit)."""
    c = np.asarray(codes, dtype=np.float64)
    d2 = ((c[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(d2, np.inf)
    near = np.argsort(d2, axis=1, kind="stable")[:, :k]
    votes = np.array([np.bincount(labels[r], minlength=10).argmax() for r in near])
    return float((votes == labels).mean())


def _shares(table: np.ndarray) -> tuple[float, float]:
    """The shares of a (rows, cols) table's variance explained by its row and column means."""
    t = np.asarray(table, dtype=np.float64)
    total = ((t - t.mean()) ** 2).sum()
    rows = t.shape[1] * ((t.mean(axis=1) - t.mean()) ** 2).sum()
    cols = t.shape[0] * ((t.mean(axis=0) - t.mean()) ** 2).sum()
    return float(rows / total), float(cols / total)


def test_premise_sweep_the_notices_of_the_real_models():
    """The notices as the page builds them (its cached functions, its constants), each premise
    checked against numbers recomputed here: the k-NN vote with NumPy, the survey by decoding its
    codes with the model and measuring the images."""
    import torch

    from ui.lessons.cvae import computed
    from ui.page import loaders
    from vae import pixels, zoo

    model, vae = _need_models()
    k, n_survey = page_constant("K"), page_constant("N_SURVEY")
    acc = computed.knn_scores((vae, model), k)
    survey = computed.style_survey(model, n_survey, 0)
    # the facts hold the k-NN vote and the survey only: no control of the page (digit, grid size,
    # seed of the grid, clicked image) reaches the notices, so they must hold at every one
    assert {f.name for f in fields(cc.CvaeFacts)} == {
        "k",
        "acc_base",
        "acc_model",
        "n_survey",
    } | set(survey)
    f = cc.CvaeFacts(k=k, acc_base=acc[vae], acc_model=acc[model], n_survey=n_survey, **survey)
    text = cc.notices(f)
    for s in text:
        assert not any(b in s.lower() for b in BAD), s

    images, labels = loaders.test_images_float(), loaders.test_set()[1]
    sub = loaders.scatter_subset()
    assert np.bincount(labels[sub], minlength=10).max() / len(sub) == cc.CHANCE  # "chance is 10%"
    mine = {
        n: _knn(np.load(artefacts.codes_path(n))["mu"][sub], labels[sub], k) for n in (vae, model)
    }
    assert abs(mine[vae] - f.acc_base) < 0.005 and abs(mine[model] - f.acc_model) < 0.005
    branch = cc.knn_branch(f)
    assert _pcts(text[0])[:3] == [round(f.acc_base, 2), round(f.acc_model, 2), cc.CHANCE]
    if "stops encoding" in text[0]:
        assert branch == "stops" and mine[model] - cc.CHANCE < (mine[vae] - cc.CHANCE) / 2
    if "only" in text[0]:
        assert mine[model] < mine[vae]
    if "at least as well" in text[0]:
        assert mine[model] >= mine[vae]

    z = np.random.default_rng(0).standard_normal((n_survey, 2))  # the survey's codes, drawn here
    y = np.tile(np.arange(10), n_survey)
    net = zoo.load(model).eval()
    with torch.inference_mode():
        imgs = (
            net.decode(
                torch.as_tensor(np.repeat(z, 10, axis=0), dtype=torch.float32),
                torch.as_tensor(y),
            )[:, 0]
            .double()
            .numpy()
        )
    slant = _shares(pixels.slant(imgs).reshape(n_survey, 10))
    ink_t = imgs.reshape(len(imgs), -1).mean(axis=1).reshape(n_survey, 10)
    ink = _shares(ink_t)
    np.testing.assert_allclose(_split(text[1]), (*slant, *ink), atol=0.0051)
    if "slant is a property of z" in text[1]:
        assert slant[0] > max(slant[1], cc.MOST)
    if "the digit itself sets most of the ink" in text[1]:
        assert ink[1] > max(ink[0], cc.MOST)
        least, most = int(ink_t.mean(axis=0).argmin()), int(ink_t.mean(axis=0).argmax())
        assert (least, most) == (f.least_ink, f.most_ink)
        assert f"{'An' if least == 8 else 'A'} {least} uses the least" in text[1]
    if "ink is mostly a property of z" in text[1]:
        assert ink[0] > max(ink[1], cc.MOST)
    assert "grid" not in text[1]  # the seeded grid is another draw: see the seed sweep below

    x = images.reshape(len(images), -1).astype(np.float64)
    flat = imgs.reshape(len(imgs), -1)
    d2 = (flat**2).sum(1)[:, None] - 2 * flat @ x.T + (x**2).sum(1)[None, :]
    match = float((labels[d2.argmin(axis=1)] == y).mean())
    assert abs(match - f.label_match) <= 0.002
    assert _pcts(text[2]) == [round(f.label_match, 2)]
    if "the label alone decides" in text[2]:
        assert match >= cc.LABEL_WINS
    if "does not always win" in text[2]:
        assert match < cc.LABEL_WINS


def test_premise_sweep_the_notices_against_every_seeded_grid():
    """The style grid is drawn per seed (every seed of the bank, ``links.SEED_MAX``); the notice
    speaks of the survey and must not point at the grid, whose own split (shown beside it) can
    differ: at some seeds its rows explain less of the slant than its columns."""
    from ui.lessons.cvae import computed
    from ui.lessons.cvae.views import N_STYLES
    from ui.page import model_calls
    from vae import pixels

    model, vae = _need_models()
    k, n_survey = page_constant("K"), page_constant("N_SURVEY")
    acc = computed.knn_scores((vae, model), k)
    f = cc.CvaeFacts(k, acc[vae], acc[model], n_survey, **computed.style_survey(model, n_survey, 0))
    text = " ".join(cc.notices(f))
    assert "grid" not in text and "whatever the hand" not in text
    for seed in range(links.SEED_BANK):
        imgs = computed.styles(model_calls.model_key(model), seed, N_STYLES).reshape(-1, 28, 28)
        s_row, s_col = _shares(pixels.slant(imgs).reshape(N_STYLES, 10))
        i_row, i_col = _shares(imgs.reshape(len(imgs), -1).mean(axis=1).reshape(N_STYLES, 10))
        assert np.isfinite([s_row, s_col, i_row, i_col]).all()  # the grid's own table


def _axis_words(digit: int, n: int) -> None:
    """The manifold's axis names at one digit and grid size, as the page computes them
    (computed.manifold), against the correlations recomputed here from its tiles."""
    from scipy import stats

    from ui.draw.style import PPF_P_DEFAULT
    from ui.lessons.cvae import computed
    from ui.lessons.cvae.views import MODEL
    from ui.page import model_calls
    from vae import pixels

    imgs, r, looks = computed.manifold(model_calls.model_key(MODEL), digit, n)
    assert len(imgs) == n * n and 0.0 <= looks <= 1.0 and list(r) == list(MEASURES)
    xs = stats.norm.ppf(np.linspace(PPF_P_DEFAULT, 1 - PPF_P_DEFAULT, n))
    gx, gy = np.meshgrid(xs, xs[::-1])  # row-major from the top left, z2 pointing up
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    values = dict(zip(MEASURES, (pixels.slant(imgs), pixels.width(imgs), imgs.mean(axis=(1, 2)))))
    for j in range(2):
        mine = {m: float(np.corrcoef(v, grid[:, j])[0, 1]) for m, v in values.items()}
        for m in MEASURES:
            assert abs(mine[m] - r[m][j]) < 1e-6
        word = cc.axis_word(r, j)
        best = max(MEASURES, key=lambda m: abs(mine[m]))
        assert not any(b in word for b in BAD)
        if word:  # named after the measure it moves most, in its direction, |r| at the bar
            assert abs(mine[best]) >= cc.NAMED_R - 1e-9
            assert word == f" → {'more' if mine[best] > 0 else 'less'} {best.split(' ')[0]}"
        else:
            assert max(abs(v) for v in mine.values()) < cc.NAMED_R + 1e-9
    # the sentence beside the manifold: "fixes the identity" only where most tiles look like it
    from vae import artefacts, neighbours

    x, labels = artefacts.load_test_set()
    mine_looks = float(
        np.mean(neighbours.looks_like(imgs, x.astype(np.float32) / 255, labels) == digit)
    )
    assert abs(mine_looks - looks) < 1e-9
    said = cc.identity_sentence(looks, n * n, digit)
    assert ("fixes the identity" in said) == (mine_looks >= cc.LABEL_WINS)
    assert f"**{mine_looks:.0%}** of the {n * n} tiles" in said


def _grid_sizes() -> range:
    from ui.draw.style import GRID_N_RANGE

    return range(GRID_N_RANGE[0], GRID_N_RANGE[1] + 1)  # every value of the grid-size slider


@pytest.mark.parametrize("digit", range(10))
def test_premise_sweep_axis_names_every_digit(digit):
    """Every digit of the selectbox, at the grid slider's ends and its default."""
    from ui.draw.style import GRID_N_DEFAULT

    _need_models()
    sizes = _grid_sizes()
    for n in sorted({sizes[0], GRID_N_DEFAULT, sizes[-1]}):
        _axis_words(digit, n)


@pytest.mark.slow
@pytest.mark.parametrize("digit", range(10))
def test_premise_sweep_axis_names_every_digit_and_grid_size(digit):
    """Every digit x every grid size the slider offers (slow: 26 grids a digit)."""
    _need_models()
    for n in _grid_sizes():
        _axis_words(digit, n)


def test_identity_sentence_claims_the_label_fixes_it_only_from_label_wins():
    high = cc.identity_sentence(0.93, 225, 3)
    assert 0.93 >= cc.LABEL_WINS and high.startswith("The label fixes the identity: for **93%**")
    low = cc.identity_sentence(0.76, 25, 9)
    assert 0.76 < cc.LABEL_WINS and "fixes" not in low
    assert "**76%** of the 25 tiles" in low and "the rest look closer to another digit" in low
