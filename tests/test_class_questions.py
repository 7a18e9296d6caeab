"""The class mode's question bank (``ui.classmode.questions``): its shape, each answer against the
numbers recomputed here from ``cache/`` with NumPy / SciPy (not through the app's helpers), every
branch of every answer function, the deciding numbers in ``because``, every reveal drawn in an
AppTest with a text alternative, and every "see it in the lesson" link accepted by its page.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.spatial import cKDTree
from scipy.stats import norm
from streamlit.testing.v1 import AppTest

from tests.pageutil import REPO, TIMEOUT, app, image_alts, need
from ui.classmode import questions
from ui.lessons import words
from ui.page import catalogue
from vae import zoo
from vae.pixels import bernoulli_samples

CACHE = REPO / "cache"
MODELS = ("ae-2d", "vae-2d", "vae-2d-beta0.1", "vae-2d-beta10", "vae-10d", "vae-32d", "ae-10d")
Q_BY_KEY = {q.key: q for q in questions.QUESTIONS}
PER_LESSON = {
    "pages/01_AE_vs_VAE.py": 2,
    "pages/02_KL_weighting.py": 2,
    "pages/03_Grid_vs_ppf.py": 2,
    "pages/04_Prototypes.py": 2,
    "pages/05_Embeddings.py": 2,
    "pages/15_Blurry_samples.py": 1,
    "pages/14_ELBO_bound.py": 1,
}


@pytest.fixture(scope="module", autouse=True)
def _built():
    need(*MODELS)
    need("vae-10d", "ae-10d", embeddings=True)


def _codes(name: str) -> dict[str, np.ndarray]:
    with np.load(CACHE / "codes" / f"{name}.npz") as d:
        return {k: d[k].astype(np.float64) for k in d.files if k != "source_sha256"}


def _labels() -> np.ndarray:
    with np.load(CACHE / "mnist_test.npz") as d:
        return d["labels"].astype(np.int64)


def _images() -> np.ndarray:
    with np.load(CACHE / "mnist_test.npz") as d:
        return d["images"].astype(np.float32) / 255.0


def _decode(name: str, z: np.ndarray) -> np.ndarray:
    model = zoo.load(name)
    with torch.inference_mode():
        return (
            model.decode(torch.as_tensor(z, dtype=torch.float32), None)[:, 0]
            .numpy()
            .astype(np.float64)
        )


def _tv(p: np.ndarray, q: np.ndarray) -> float:
    return 0.5 * float(np.abs(p - q).sum())


def _draws_among(name: str) -> tuple[float, float]:
    """The AE vs VAE lesson's 2,000 seeded draws among a model's test codes: (total variation of
    their
    nearest codes' digit mix from the test set's, share farther than 3 median nearest-neighbour
    gaps)."""
    mu, labels = _codes(name)["mu"], _labels()
    z = np.random.default_rng([questions.SEED, 1]).standard_normal((2000, 2))
    tree = cKDTree(mu)
    dist, idx = tree.query(z)
    gap = np.median(tree.query(mu, k=2)[0][:, 1])
    mix = np.bincount(labels[idx], minlength=10) / len(z)
    return _tv(mix, np.bincount(labels, minlength=10) / len(labels)), float(
        (dist / gap > 3.0).mean()
    )


# --- the bank's shape
# ------------------------------------------------------------------------------


def test_keys_lessons_choices_and_order():
    keys = [q.key for q in questions.QUESTIONS]
    assert len(keys) == len(set(keys)) >= 12
    paths = [lesson.path for lesson in catalogue.LESSONS]
    assert all(q.lesson in paths for q in questions.QUESTIONS)
    order = [paths.index(q.lesson) for q in questions.QUESTIONS]
    assert order == sorted(order), "questions in lesson order"
    assert {p: sum(q.lesson == p for q in questions.QUESTIONS) for p in PER_LESSON} == PER_LESSON
    for q in questions.QUESTIONS:
        assert 2 <= len(q.choices) <= 4 and len(set(q.choices)) == len(q.choices), q.key
        assert all(len(c) <= 40 for c in q.choices), q.key  # a phone's button
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in q.setting.items()), q.key
        assert questions.by_key(q.key) is q
    assert questions.by_key("no-such-question") is None


def test_facts_are_frozen_cached_and_answers_in_range():
    for q in questions.QUESTIONS:
        f = q.facts()
        assert dataclasses.is_dataclass(f) and type(f).__dataclass_params__.frozen, q.key
        assert q.facts() == f  # cached: the same numbers again
        assert 0 <= q.answer(f) < len(q.choices), q.key


# --- each answer against the numbers, recomputed
# -----------------------------------------------------


def test_aevae_mix_and_empty_space():
    tv_ae, far_ae = _draws_among("ae-2d")
    tv_vae, far_vae = _draws_among("vae-2d")
    f = questions.draw_facts()
    assert (f.tv_ae, f.tv_vae, f.far_ae, f.far_vae) == pytest.approx(
        (tv_ae, tv_vae, far_ae, far_vae), abs=1e-3
    )
    assert (
        tv_vae < tv_ae - questions.MIX_TOL and Q_BY_KEY["aevae-mix"].answer(f) == 1
    )  # the VAE's mix is closer
    assert (
        far_vae > far_ae + questions.FAR_TOL and Q_BY_KEY["aevae-empty"].answer(f) == 1
    )  # the VAE leaves more


def test_kl_spread_and_mix():
    rms = {
        b: float(np.sqrt((_codes(zoo.beta_name(2, b))["mu"] ** 2).sum(axis=1).mean()))
        for b in (1.0, questions.BETA_SMALL)
    }
    f = questions.ladder_facts()
    assert (f.spread_1, f.spread_small) == pytest.approx(
        (rms[1.0], rms[questions.BETA_SMALL]), rel=1e-3
    )
    assert (
        rms[questions.BETA_SMALL] > (1 + questions.SPREAD_TOL) * rms[1.0]
        and Q_BY_KEY["kl-spread"].answer(f) == 0
    )
    tv_1, tv_10 = (
        _draws_among(zoo.beta_name(2, 1.0))[0],
        _draws_among(zoo.beta_name(2, questions.BETA_LARGE))[0],
    )
    assert (f.tv_1, f.tv_large) == pytest.approx((tv_1, tv_10), abs=1e-3)
    assert tv_10 < tv_1 - questions.MIX_TOL and Q_BY_KEY["kl-mix"].answer(f) == 0


def test_grid_outside_and_balance():
    n, mu = questions.GRID_N, _codes("vae-2d")["mu"]
    r99 = math.sqrt(-2 * math.log(0.01))  # chi-square with 2 degrees of freedom
    out, top = {}, {}
    edge = norm.ppf(1 - questions.P)
    for name, axis in (
        ("lin", np.linspace(questions.LO, questions.HI, n)),
        ("ppf", norm.ppf(np.linspace(questions.P, 1 - questions.P, n))),
        ("matched", np.linspace(-edge, edge, n)),
    ):
        pts = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
        out[name] = int((np.hypot(pts[:, 0], pts[:, 1]) > r99).sum())
        counts = np.bincount(cKDTree(pts).query(mu)[1], minlength=n * n)
        top[name] = np.sort(counts)[::-1][: round(0.1 * n * n)].sum() / len(mu)
    f = questions.grid_facts()
    assert (round(f.out_lin * n * n), round(f.out_ppf * n * n)) == (out["lin"], out["ppf"])
    # like with like (the same square): the linear grid still spends more points outside the disc
    assert f.edge_ppf == pytest.approx(edge) and round(f.out_matched * n * n) == out["matched"]
    assert out["matched"] > out["ppf"] + questions.TILE_TOL and f.top_matched == pytest.approx(
        top["matched"], abs=1e-3
    )
    assert (f.top_lin, f.top_ppf) == pytest.approx((top["lin"], top["ppf"]), abs=1e-3)
    assert out["lin"] > out["ppf"] + questions.TILE_TOL and Q_BY_KEY["grid-outside"].answer(f) == 0
    assert top["ppf"] < top["lin"] - questions.TOP_TOL and Q_BY_KEY["grid-balance"].answer(f) == 1


def _grey(images: np.ndarray) -> float:
    """Mean share of inked pixels (> 0.2) that are grey (< 0.8)."""
    a = images.reshape(len(images), -1)
    inked = a > 0.2
    return float((((a < 0.8) & inked).sum(axis=1) / np.maximum(inked.sum(axis=1), 1)).mean())


def test_prototypes_grey():
    images, labels, mu = _images(), _labels(), _codes(questions.PROTO_MODEL)["mu"]
    pixel_avg = np.stack([images[labels == k].mean(axis=0) for k in range(10)])
    decoded = _decode(
        questions.PROTO_MODEL, np.stack([mu[labels == k].mean(axis=0) for k in range(10)])
    )
    g_avg, g_dec = _grey(pixel_avg), _grey(decoded)
    f = questions.grey_facts()
    assert (f.grey_pixels, f.grey_decoded) == pytest.approx((g_avg, g_dec), abs=0.01)
    assert g_avg > g_dec + questions.GREY_TOL and Q_BY_KEY["protos-grey"].answer(f) == 0


def test_prototypes_dimensions_used():
    var = _codes(questions.USED_MODEL)["mu"].var(axis=0)
    used = int((var > 0.01).sum())
    f = questions.used_facts()
    assert (
        (f.d, f.used) == (32, used) and 16 <= used < 32 and Q_BY_KEY["protos-used"].answer(f) == 1
    )
    assert (
        var[var <= 0.01].max() < 0.01 / 1.5 and var[var > 0.01].min() > 0.01 * 10
    )  # no dimension near the line


def test_embeddings_trust_and_variance():
    with np.load(CACHE / "embeddings" / f"{questions.EMB_MODEL}.npz") as e:
        maps = {m: e[m].astype(np.float64) for m in ("pca", "tsne")}
    mu = _codes(questions.EMB_MODEL)["mu"]
    sample = np.random.default_rng(0).choice(len(mu), 300, replace=False)
    true = cKDTree(mu).query(mu[sample], k=questions.K + 1)[1][:, 1:]
    kept = {
        m: np.mean(
            [
                len(set(a) & set(b))
                for a, b in zip(true, cKDTree(xy).query(xy[sample], k=questions.K + 1)[1][:, 1:])
            ]
        )
        for m, xy in maps.items()
    }
    f = questions.trust_facts()
    assert (
        kept["tsne"] > kept["pca"] + 1
        and f.tsne > f.pca + questions.TRUST_TOL
        and Q_BY_KEY["emb-trust"].answer(f) == 1
    )

    def plane(name: str) -> float:  # PCA's first two components, by SVD of the centred codes
        x = _codes(name)["mu"]
        s = np.linalg.svd(x - x.mean(axis=0), compute_uv=False) ** 2
        return float(s[:2].sum() / s.sum())

    v = questions.var_facts()
    assert (v.ae, v.vae) == pytest.approx(
        (plane(questions.EMB_AE), plane(questions.EMB_MODEL)), abs=0.01
    )
    assert v.ae > v.vae + questions.VAR_TOL and Q_BY_KEY["emb-pca-var"].answer(v) == 0


def test_blurry_flips():
    z = np.random.default_rng(questions.SEED).standard_normal(
        (questions.N_CODES, 10)
    )  # the lesson's prior draws
    p = _decode(questions.BLUR_MODEL, z)
    f = questions.flip_facts()
    grey = (p > 0.1) & (p < 0.9)
    assert f.flips > 5  # samples and the binarized mean do differ
    # where a sample may differ from the binarized mean at all: the expected flips are min(p, 1 - p)
    # per pixel
    expected = np.minimum(p, 1 - p)
    share = float(expected[grey].sum() / expected.sum())
    assert share > questions.EDGE_SHARE[1] and abs(share - f.grey_share) < 0.1
    assert Q_BY_KEY["blur-flips"].answer(f) == 0

    # the reveal's "along the strokes' edges": the flips' share on an edge of p > 0.5 (a pixel
    # whose 3 x 3 neighbourhood, inside the image, holds ink and paper), recomputed here
    def near(a):
        pad = np.pad(a, [(0, 0), (1, 1), (1, 1)])
        return np.any([pad[:, i : i + 28, j : j + 28] for i in range(3) for j in range(3)], axis=0)

    ink = p > 0.5
    edge = near(ink) & near(~ink)
    # the lesson's one pixel sample of each mean
    sample = bernoulli_samples(p.astype(np.float64), 1, questions.SEED)[0]
    flipped = sample != ink
    edges = float((flipped & edge).sum() / flipped.sum())
    assert abs(edges - f.edge_share) < 0.02
    said = questions.flip_because(f)
    assert said.endswith("along the strokes' edges.") == (edges > 0.5), said


def test_elbo_below_log_px():
    from vae import bound

    f = questions.bound_facts()
    c = _codes(questions.ELBO_MODEL)
    x = _images()[questions.ELBO_IDX]
    elbo_q = bound.q_elbo(
        zoo.load(questions.ELBO_MODEL),
        x,
        c["mu"][questions.ELBO_IDX],
        c["logvar"][questions.ELBO_IDX],
    )
    assert f.elbo == pytest.approx(
        elbo_q, abs=0.05
    )  # the codes are float16: μ and log σ² to 3 digits
    assert f.log_px > elbo_q + 2 * f.accuracy + 0.01 and Q_BY_KEY["elbo-below"].answer(f) == 1


# --- every branch of every answer, with made-up numbers
# --------------------------------------------


def _with(key: str, **changes) -> object:
    return dataclasses.replace(Q_BY_KEY[key].facts(), **changes)


# Made-up facts for every choice of every question: the question, the facts' fields changed, then
# their values for which choice 0, choice 1, choice 2 (a tie, or the third bucket) must be the
# answer.
BRANCH_TABLE = """
aevae-mix     tv_ae tv_vae               0.10 0.30          0.30 0.10          0.10 0.11
aevae-empty   far_ae far_vae             0.40 0.10          0.10 0.40          0.20 0.22
kl-spread     spread_1 spread_small      1.4 2.0            1.4 1.0            1.4 1.42
kl-mix        tv_1 tv_large              0.10 0.05          0.10 0.20          0.10 0.11
grid-outside  out_lin out_ppf            0.28 0.02          0.02 0.28          0.0178 0.0222
grid-balance  top_lin top_ppf            0.20 0.40          0.60 0.30          0.300 0.305
protos-grey   grey_pixels grey_decoded   0.9 0.5            0.5 0.9            0.5 0.52
protos-used   d used                     32 32              32 16              32 15
emb-trust     pca tsne                   0.99 0.75          0.75 0.99          0.980 0.985
emb-pca-var   ae vae                     0.4 0.2            0.2 0.4            0.25 0.27
blur-flips    grey_share                 0.9                0.2                0.5
elbo-below    log_px elbo accuracy       -95 -94 0.001      -95 -96 0.001      -95 -95.05 0.05
"""


def _branches() -> list[tuple[str, dict[str, float], int]]:
    out = []
    for line in BRANCH_TABLE.strip().splitlines():
        key, fields, *choices = re.split(r"\s{2,}", line.strip())
        for right, values in enumerate(choices):
            typed = [int(v) if v.lstrip("-").isdigit() else float(v) for v in values.split()]
            out.append((key, dict(zip(fields.split(), typed, strict=True)), right))
    return out


BRANCHES = _branches()


def test_branch_table_covers_every_choice():
    assert {(k, i) for k, _, i in BRANCHES} == {
        (q.key, i) for q in questions.QUESTIONS for i in range(len(q.choices))
    }


@pytest.mark.parametrize("key,changes,right", BRANCHES, ids=[f"{k}-{i}" for k, _, i in BRANCHES])
def test_answer_branch(key, changes, right):
    q = Q_BY_KEY[key]
    f = _with(key, **changes)
    assert q.answer(f) == right
    assert q.because(f)  # pure: made-up numbers too


# --- because: the deciding numbers as the sentence writes them
# --------------------------------------


def test_because_names_the_deciding_numbers():
    d, lf, g, gr, u = (
        questions.draw_facts(),
        questions.ladder_facts(),
        questions.grid_facts(),
        questions.grey_facts(),
        questions.used_facts(),
    )
    t, v, fl, b = (
        questions.trust_facts(),
        questions.var_facts(),
        questions.flip_facts(),
        questions.bound_facts(),
    )
    expect = {
        "aevae-mix": [words.pct(d.tv_ae), words.pct(d.tv_vae)],
        "aevae-empty": [words.pct(d.far_ae), words.pct(d.far_vae)],
        "kl-spread": [f"{lf.spread_small:.2f}", f"{lf.spread_1:.2f}"],
        "kl-mix": [words.pct(lf.tv_large), words.pct(lf.tv_1)],
        "grid-outside": [
            str(round(g.out_lin * g.n**2)),
            str(round(g.out_ppf * g.n**2)),
            f"±{g.edge_ppf:.2f}",
            str(round(g.out_matched * g.n**2)),
        ],
        "grid-balance": [words.pct(g.top_lin), words.pct(g.top_ppf), words.pct(g.top_matched)],
        "protos-grey": [words.pct(gr.grey_pixels), words.pct(gr.grey_decoded)],
        "protos-used": [f"{u.used} of the {u.d}"],
        "emb-trust": [f"{t.pca:.3f}", f"{t.tsne:.3f}"],
        "emb-pca-var": [words.pct(v.ae), words.pct(v.vae)],
        "blur-flips": [words.pct(fl.grey_share)],
        "elbo-below": [f"{b.log_px:.2f}", f"{b.elbo:.2f}"],
    }
    assert set(expect) == set(Q_BY_KEY)
    for key, numbers in expect.items():
        text = Q_BY_KEY[key].because(Q_BY_KEY[key].facts())
        assert all(n in text for n in numbers), (key, numbers, text)


def test_answer_and_because_are_pure(monkeypatch):
    """They read the facts alone: with Streamlit, the cached loaders and the lesson helpers gone
    from
    the module, every answer and sentence still comes out, the same."""
    before = {q.key: (q.answer(q.facts()), q.because(q.facts())) for q in questions.QUESTIONS}
    facts = {q.key: q.facts() for q in questions.QUESTIONS}

    def boom(*args, **kwargs):
        raise AssertionError("not pure")

    for name in (
        "codes",
        "model",
        "test_set",
        "embeddings",
        "decode",
        "encode",
        "prior_draw_stats",
        "model_key",
        "code_tree",
        "info",
        "prior_draws",
    ):
        for module in (questions.loaders, questions.model_calls):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, boom)
    for name in (
        "st",
        "render",
        "altair_charts",
        "ladders",
        "protos",
        "elbo",
        "grids",
        "alt_text",
        "neighbours",
        "png_figures",
    ):
        monkeypatch.setattr(questions, name, None)
    for q in questions.QUESTIONS:
        assert (q.answer(facts[q.key]), q.because(facts[q.key])) == before[q.key], q.key


# --- reveals: drawn in a script run, each picture with its text alternative
# ---------------------------

REVEAL = """
import time

import streamlit as st
from ui.classmode import questions

q = questions.by_key(st.session_state["key"])
f = q.facts()
t = time.thread_time()
q.reveal(f)
st.session_state["cpu"] = time.thread_time() - t
"""
CPU_BUDGET = 0.020  # seconds of server CPU per reveal once drawn: 300 students open it at once


@pytest.mark.parametrize("key", list(Q_BY_KEY))
def test_reveal_draws_a_picture_with_alt_text_cheaply(key):
    at = AppTest.from_string(REVEAL, default_timeout=TIMEOUT)
    at.session_state["key"] = key
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    images = image_alts(at)
    charts = [json.loads(c.proto.spec).get("description") for c in at.get("vega_lite_chart")]
    assert images or charts, key
    assert all(a and len(a) > 40 for a in images + charts), (key, images, charts)
    again = []
    for _ in range(
        3
    ):  # the next students: cached PNG bytes or Vega-Lite specs, no drawing, no model call
        at.run()
        again.append(at.session_state["cpu"])
    assert min(again) < CPU_BUDGET, (key, again)


# --- the "see it in the lesson" links
# ----------------------------------------------------------------


def _widgets(at) -> dict[str, object]:
    """Every keyed widget's value on the page (main and sidebar)."""
    out = {}

    def walk(node):
        key = getattr(node, "key", None)
        if key and hasattr(node, "value"):
            out[key] = node.value
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


def _same(value: object, raw: str) -> bool:
    try:
        return math.isclose(float(value), float(raw))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value) == raw


SETTINGS = sorted({(q.lesson, json.dumps(q.setting, sort_keys=True)) for q in questions.QUESTIONS})


@pytest.mark.slow
@pytest.mark.parametrize(
    "lesson,setting", SETTINGS, ids=[f"{Path(p).stem}-{s}" for p, s in SETTINGS]
)
def test_setting_is_accepted_by_its_page(lesson, setting):
    query = json.loads(setting)
    at = app(lesson, query)  # no exception (pageutil.assert_ok)
    said = " ".join(str(t.value) for t in at.toast) + " ".join(str(w.value) for w in at.warning)
    assert "Ignored link parameter" not in said and "could not" not in said.lower(), said
    widgets = _widgets(at)
    for k, raw in query.items():
        if (
            k in widgets
        ):  # a bound widget shows the link's value (grid_lo / grid_hi: one range slider)
            assert _same(widgets[k], raw), (k, widgets[k], raw)
    if "grid_lo" in query:
        assert tuple(widgets["grid_range"]) == (float(query["grid_lo"]), float(query["grid_hi"]))
