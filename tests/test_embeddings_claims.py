"""The Embeddings lesson's notices (ui.lessons.embeddings.claims), fast tier: for every 10-D model
offered,
the numbers recomputed from cache/ must hold up the premise of every sentence shown; and each
branch once on made-up numbers."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from scipy.spatial import cKDTree

from ui.lessons.embeddings import claims as ec
from vae import artefacts, embed, neighbours, paths, units, zoo

OFFERED = [
    n
    for n in zoo.names()
    if zoo.entry(n).model.latent_dim == 10 and zoo.entry(n).model.kind in ("vae", "ae")
]
PICKS = (0, 1, 123, 4567, artefacts.N_TEST // 2, artefacts.N_TEST - 1)  # first, middle, last


def _built(name: str) -> bool:
    return artefacts.codes_path(name).exists() and artefacts.embeddings_path(name).exists()


@pytest.fixture(scope="module", params=OFFERED)
def model(request):
    """(name, embeddings, codes, facts as the page computes them) of one offered model."""
    name = request.param
    if not _built(name):
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(f"{name}: codes or embeddings not built")
        pytest.fail(f"{name}: codes or embeddings not built (python -m vae.build)")
    emb = dict(np.load(artefacts.embeddings_path(name)))
    codes = dict(np.load(artefacts.codes_path(name)))
    is_ae = zoo.entry(name).model.kind == "ae"
    return name, emb, codes, ec.facts_from(emb, codes["mu"], None if is_ae else codes["logvar"])


@pytest.fixture(scope="module")
def kept_by_pick(model):
    """For each pick, the page's kept-neighbour counts per map (``neighbours.kept_in`` on the 10-D
    μ and each map's KD-tree, as the page computes them): built once per model, for every test."""
    _, emb, codes, _ = model
    mu = codes["mu"].astype(np.float64)
    trees = {"mu": neighbours.tree(mu), **{m: neighbours.tree(emb[m]) for m in ec.NAMES}}
    return {
        pick: {m: neighbours.kept_in(trees["mu"], trees[m], pick, ec.K) for m in ec.NAMES}
        for pick in PICKS
    }


def _overlap_by_sets(mu: np.ndarray, xy: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The overlap counted another way: Python sets of each row's 10 nearest (a KD-tree each)."""
    a = cKDTree(mu.astype(np.float64)).query(mu[rows].astype(np.float64), 11)[1][:, 1:]
    b = cKDTree(xy.astype(np.float64)).query(xy[rows].astype(np.float64), 11)[1][:, 1:]
    return np.array([len(set(p) & set(q)) for p, q in zip(a, b)])


def test_overlap_counts_match_a_set_count(model):
    _, emb, codes, _ = model
    rows = np.random.default_rng(0).choice(len(codes["mu"]), 300, replace=False)
    for m in ("pca", "tsne_p100"):  # the others are built alike (one is enough for the time budget)
        assert (
            ec.kept_counts(codes["mu"], emb[m])[rows] == _overlap_by_sets(codes["mu"], emb[m], rows)
        ).all()


def test_every_notice_holds_for_every_offered_model_and_pick(model, kept_by_pick):
    name, emb, codes, f = model
    mu = codes["mu"].astype(np.float64)
    is_ae = zoo.entry(name).model.kind == "ae"
    for pick, kept in kept_by_pick.items():
        trust_s, pca_s, knn_s = ec.notices(f, pick, kept)
        t = {m: float(emb[f"{m}_trustworthiness"]) for m in ec.NAMES}
        assert f"{ec.NAMES[max(t, key=t.get)]} keeps neighbourhoods best" in trust_s
        assert f"{ec.NAMES[min(t, key=t.get)]} worst" in trust_s
        means = [
            float(v)
            for v in re.findall(
                r"(\d+\.\d\d)(?: of its 10 nearest 10-D neighbours)? on ",
                trust_s.split("Counting")[1].split("(among")[0],
            )
        ]
        assert means == sorted(means, reverse=True) and len(means) == 3  # best first, as it reads
        if "No map keeps even half" in trust_s:
            assert max(f.kept_mean[m] for m in ec.NAMES) < ec.K / 2
        for m, share in re.findall(r"on (PCA|t-SNE|UMAP) ([\d.]+) % of codes keep none", trust_s):
            key = {v: k for k, v in ec.NAMES.items()}[m]
            assert (
                f.kept_none[key] > ec.MANY_NONE and abs(100 * f.kept_none[key] - float(share)) < 0.6
            )
        by_count = sorted(ec.NAMES, key=lambda m: -f.kept_mean[m])
        m = re.search(r"Here #(\d+) keeps (\d+) of 10 on (\S+) and (\d+) on (\S+)\.$", trust_s)
        assert int(m.group(1)) == pick
        assert (int(m.group(2)), int(m.group(4))) == (kept[by_count[0]], kept[by_count[-1]])
    evr = np.asarray(emb["pca_explained_variance_ratio"], np.float64)
    var_mu = mu.var(axis=0)
    if "nearly flat" in pca_s:
        assert evr.max() <= 2.5 * evr.min()
    assert ("no prior and no KL term" in pca_s) == is_ae
    if "pulls each dimension's total spread" in pca_s:
        total = var_mu + np.exp(codes["logvar"].astype(np.float64)).mean(axis=0)
        assert not is_ae and 0.8 <= total.min() and total.max() <= 1.25
    if "in every dimension" in pca_s:
        assert 0.8 <= var_mu.min() and var_mu.max() <= 1.25
    if (
        "correlations between dimensions" in pca_s
    ):  # a diagonal covariance would give var_mu's spread
        assert var_mu.max() / var_mu.min() < evr.max() / evr.min()
    angles = embed.pc_angles_cov(mu)
    assert ("is noise" in pca_s) == (np.median(angles) > 10)
    if "is stable" in pca_s:
        assert angles.max() <= 10
    if "different degrees" in knn_s:
        acc = [float(emb[f"{m}_knn_accuracy"]) for m in ec.NAMES]
        assert max(acc) - min(acc) >= 0.02
    assert f"against {round(100 * float(emb['latent_knn_accuracy']))} % in 10-D" in knn_s


def test_the_knobs_text_and_the_title_hold(model):
    name, emb, codes, f = model
    text = ec.knobs_text(f)
    best = int(re.search(r"perplexity (\d+) keeps the most", text).group(1))
    key = {v: k for k, v in ec.PERPLEXITIES.items()}[best]
    assert f.kept_mean[key] == max(f.kept_mean[m] for m in ec.PERPLEXITIES)
    assert ("identical" in text) == bool((emb["tsne"] == emb["tsne_seed1"]).all())
    assert "islands" not in text  # perplexity 5 makes fewer islands here, not more (see the report)
    if ec.spectrum_title(f).startswith("Why"):
        evr = emb["pca_explained_variance_ratio"]
        assert zoo.entry(name).model.kind == "vae" and evr.max() <= 2.5 * evr.min()


# --- each branch once, on made-up numbers ------------------------------------------------------


def _facts(**kw) -> ec.MapFacts:
    base = dict(
        is_ae=False,
        trust={"pca": 0.8, "tsne": 0.99, "umap": 0.97},
        knn={"pca": 0.5, "tsne": 0.96, "umap": 0.95},
        kept_mean={"pca": 0.3, "tsne": 4.5, "umap": 2.5, "tsne_p5": 4.2, "tsne_p100": 4.0},
        kept_none={"pca": 0.7, "tsne": 0.0, "umap": 0.1, "tsne_p5": 0.0, "tsne_p100": 0.0},
        floor=(0.5, 0.1),
        knn_10d=0.96,
        evr=(0.14, 0.12) + (0.093,) * 8,
        var_mu=(0.95,) * 10,
        mean_s2=(0.05,) * 10,
        angles=(2.0,) * 20,
        seed_shift=0.0,
        width=150.0,
    )
    base["trust"] = {**base["trust"], "tsne_p5": 0.98, "tsne_p100": 0.985}
    return ec.MapFacts(**{**base, **kw})


PICK = {"pca": 1, "tsne": 5, "umap": 3}


def test_branch_no_map_keeps_half_and_many_keep_none():
    s = ec.neighbour_notice(_facts(), 7, PICK)
    assert "No map keeps even half" in s and "on PCA 70 % of codes keep none" in s
    assert (
        "rank the maps differently" not in s and "Here #7 keeps 5 of 10 on t-SNE and 1 on PCA" in s
    )


def test_branch_a_map_keeps_more_than_half_and_the_ranks_differ():
    f = _facts(
        kept_mean={"pca": 0.3, "tsne": 4.5, "umap": 6.0},
        kept_none={"pca": 0.1, "tsne": 0, "umap": 0},
    )
    s = ec.neighbour_notice(f, 7, PICK)
    assert (
        "UMAP keeps more than half" in s
        and "rank the maps differently" in s
        and "keep none" not in s
    )


def test_branch_ae_has_no_prior():
    s = ec.pca_notice(
        _facts(
            is_ae=True,
            mean_s2=None,
            var_mu=(3.5, 7.7) + (5.0,) * 8,
            evr=(0.23, 0.2, 0.13, 0.12, 0.1, 0.07, 0.06, 0.04, 0.03, 0.027),
        )
    )
    assert "no prior and no KL term" in s and "prior's 1" not in s and "E[σ" not in s
    assert "8.5 times" in s and "correlations" in s and "nearly flat" not in s


def test_branch_vae_even_means():
    s = ec.pca_notice(_facts())
    assert (
        "nearly flat" in s
        and "pulls each dimension's total spread" in s
        and "in every dimension" in s
    )


def test_branch_vae_sigma_takes_part_of_the_spread():
    s = ec.pca_notice(_facts(var_mu=(0.45,) * 5 + (0.95,) * 5, mean_s2=(0.55,) * 5 + (0.05,) * 5))
    assert "takes 0.05 to 0.55 of it" in s and "Var(μⱼ) runs from 0.45 to 0.95" in s


def test_branch_vae_spread_not_held_at_one():
    s = ec.pca_notice(_facts(var_mu=(0.88, 1.35) + (1.0,) * 8, mean_s2=(0.0,) * 10))
    assert "not held near the prior's 1" in s and "pulls" not in s


@pytest.mark.parametrize(
    "angles, verdict",
    [((2.0,) * 20, "stable"), ((8.0,) * 15 + (24.0,) * 5, "loose"), ((12.0,) * 20, "noise")],
)
def test_branch_pc1(angles, verdict):
    assert ec.pc1_verdict(angles) == verdict
    s = ec.pca_notice(_facts(angles=angles))
    assert {"stable": "is stable", "loose": "only roughly fixed", "noise": "is noise"}[verdict] in s
    assert f"median {np.median(angles):.1f}°" in s or f"median of {np.median(angles):.1f}°" in s


def test_branch_knn_equal_and_knobs_seed():
    f = _facts(knn={"pca": 0.95, "tsne": 0.96, "umap": 0.955})
    assert "about equally well" in ec.knn_notice(f)
    assert "identical" in ec.knobs_text(f) and "perplexity 30 keeps the most" in ec.knobs_text(f)
    moved = ec.knobs_text(_facts(seed_shift=40.0))
    assert "moves points by up to 40.0 on a map 150 wide" in moved and "identical" not in moved


def test_branch_title():
    assert ec.spectrum_title(_facts()).startswith("Why PCA's spectrum is flat")
    assert (
        ec.spectrum_title(_facts(is_ae=True, mean_s2=None))
        == "PCA's spectrum and the variance of each dimension"
    )
    uneven = _facts(var_mu=(0.45,) * 5 + (0.95,) * 5, mean_s2=(0.55,) * 5 + (0.05,) * 5)
    assert not ec.spectrum_title(uneven).startswith("Why")


# --- the walk along a line drawn on a map: each branch on made-up numbers -----------------------


def _walk(**kw) -> ec.WalkFacts:
    base = dict(
        same_ends=False,
        n=10,
        n_far=0,
        span=(-94.5, 80.8, -82.8, 68.2),
        distinct=10,
        digits=(0, 5, 8, 7, 1),
        largest_jump=4.83,
        straight_step=0.76,
    )
    return ec.WalkFacts(**{**base, **kw})


def test_walk_alert_same_ends():
    f = _walk(same_ends=True, distinct=1, digits=(8,), largest_jump=0.0, straight_step=0.0)
    kind, s = ec.walk_alert(f)
    assert kind == "info" and f.same_ends and "every sample picks the same code" in s


def test_walk_alert_whole_line_away_quotes_the_maps_span():
    f = _walk(n_far=10, distinct=1, digits=(7,))
    kind, s = ec.walk_alert(f)
    assert kind == "warning" and f.n_far == f.n and not f.same_ends
    assert "spans about -94.5 … 80.8 horizontally and -82.8 … 68.2 vertically" in s


def test_walk_alert_none_when_some_points_are_near_codes():
    f = _walk(n_far=3)
    assert ec.walk_alert(f) is None and 0 < f.n_far < f.n


def test_walk_caption_without_empty_parts():
    f = _walk()
    s = ec.walk_caption(f)
    assert f.n_far == 0 and "empty parts" not in s
    assert s.startswith("The map walk visits 10 different codes and digits 0, 5, 8, 7, 1. ")
    assert "largest jump between consecutive codes is 4.83 in 10-D" in s
    assert "steps are all 0.76: a map line is a lookup" in s and f.largest_jump > f.straight_step


def test_walk_caption_counts_the_points_in_empty_parts():
    f = _walk(n_far=3)
    s = ec.walk_caption(f)
    assert "; 3 of 10 points lie in empty parts of the map, farther than 5 % of its width" in s


def test_walk_caption_of_one_sample_has_no_jumps():
    f = _walk(n=1, distinct=1, digits=(4,), largest_jump=0.0, straight_step=0.0)
    s = ec.walk_caption(f)
    assert s == "The map walk visits 1 different codes and digits 4." and f.n == 1


def test_walk_facts_from_a_walk_recounted():
    rng = np.random.default_rng(3)
    mu, coords = rng.normal(size=(50, 10)), rng.normal(size=(50, 2)) * 10
    labels, idx = rng.integers(0, 10, 50), np.array([4, 4, 17, 9, 17, 30])
    far = np.array([False, True, False, False, True, True])
    f = ec.walk_facts(False, far, coords, mu, labels, idx)
    assert (f.n, f.n_far, f.distinct) == (6, 3, 4)
    assert f.digits == tuple(dict.fromkeys(int(labels[i]) for i in idx))
    steps = [np.linalg.norm(mu[b] - mu[a]) for a, b in zip(idx, idx[1:])]
    assert f.largest_jump == pytest.approx(max(steps))
    assert f.straight_step == pytest.approx(np.linalg.norm(mu[30] - mu[4]) / 5)
    assert f.span == pytest.approx(
        (*np.sort(coords[:, 0])[[0, -1]], *np.sort(coords[:, 1])[[0, -1]])
    )


# --- premise sweep: every offered model, every notice, the walk at every map and sample count ----

BAD = ("nan", "inf", "e+")  # what no shown sentence may contain


def _clean(text: str) -> None:
    assert not any(b in text.lower() for b in BAD), text


def test_every_shown_text_is_finite_and_the_pca_branches_hold(model, kept_by_pick):
    """Every pick, the pca branches' premises from Var(mu) and E[sigma^2] recomputed here (an AE:
    no prior, no sigma anywhere), the knobs and the title; no "nan", "inf" or "e+" anywhere."""
    name, emb, codes, f = model
    mu = codes["mu"].astype(np.float64)
    is_ae = zoo.entry(name).model.kind == "ae"
    for pick, kept in kept_by_pick.items():
        for text in ec.notices(f, pick, kept):
            _clean(text)
    pca_s, title, knobs = ec.pca_notice(f), ec.spectrum_title(f), ec.knobs_text(f)
    for text in (title, knobs):
        _clean(text)
    var_mu = mu.var(axis=0)
    np.testing.assert_allclose(f.var_mu, var_mu, rtol=1e-5)  # the page's numbers, recomputed
    if is_ae:
        assert f.mean_s2 is None and f.is_ae
        for word in ("prior's 1", "σ", "KL term pulls"):
            assert word not in pca_s and word not in title
        assert not title.startswith("Why")
        return
    s2 = np.exp(codes["logvar"].astype(np.float64)).mean(axis=0)
    np.testing.assert_allclose(f.mean_s2, s2, rtol=1e-5)
    total = var_mu + s2
    held = 0.8 <= total.min() and total.max() <= 1.25
    assert ("pulls each dimension's total spread" in pca_s) == held
    assert ("not held near the prior's 1" in pca_s) == (not held)
    if "takes" in pca_s and "of it, so Var(μⱼ) runs" in pca_s:
        assert held and not (0.8 <= var_mu.min() and var_mu.max() <= 1.25)
    if title.startswith("Why"):  # flat, and the KL is why: the means themselves even
        evr = np.asarray(emb["pca_explained_variance_ratio"])
        assert held and evr.max() <= 2.5 * evr.min() and 0.8 <= var_mu.min()
        assert var_mu.max() <= 1.25
    if "moves points by up to" in knobs:
        shift = float(np.abs(emb["tsne"].astype(np.float64) - emb["tsne_seed1"]).max())
        assert shift > 1e-6 * float(np.ptp(emb["tsne"], axis=0).max())


def test_the_walk_holds_at_every_map_and_every_sample_count(model):
    """The walk as the page draws it (views.line_view): each map, each n of its slider (2 to 24)
    on the default line, plus a line with both ends at one point and one far off the map; the
    alert's and caption's premises from the samples recounted here."""
    name, emb, codes, _ = model
    labels = artefacts.load_test_set()[1]
    mu = codes["mu"].astype(np.float64)
    for m in ec.NAMES:
        coords = emb[m]
        extent = max(float(np.ptp(coords, axis=0).max()), 1e-6)
        default = paths.default_line(coords, labels, 0, 1)
        far_off = [v + 3 * extent for v in default]  # the whole line beyond the map's corner
        lines = [(default, n) for n in range(2, 25)]
        lines += [(default[:2] * 2, 10), (far_off, 10), (far_off, 2)]
        for xy, n in lines:
            s = paths.line_samples(coords, xy[:2], xy[2:], n)
            far = s["dist"] > ec.FAR * extent
            w = ec.walk_facts(xy[:2] == xy[2:], far, coords, mu, labels, s["index"])
            alert, caption = ec.walk_alert(w), ec.walk_caption(w)
            _clean(caption)
            idx = s["index"]
            assert w.distinct == len(set(idx.tolist())) and w.n_far == int(far.sum())
            if alert is not None:
                _clean(alert[1])
                if alert[0] == "info":
                    assert xy[:2] == xy[2:] and len(set(idx.tolist())) == 1
                else:
                    assert (s["dist"] > ec.FAR * extent).all()
            if "empty parts of the map" in caption:
                assert far.any()
            steps = np.linalg.norm(np.diff(mu[idx], axis=0), axis=1)
            straight = np.linalg.norm(mu[idx[-1]] - mu[idx[0]]) / (n - 1)
            if "a map line is a lookup" in caption:  # the walk does jump more than the line
                assert n > 2 and steps.max() > straight + 0.004, (name, m, n)
            if "no more than the straight line" in caption:
                assert steps.max() <= straight + 0.006
            if "picks the same code" in caption:
                assert len(set(idx.tolist())) == 1


def test_branch_walk_caption_two_samples_and_one_code():
    two = ec.walk_caption(
        _walk(n=2, distinct=2, digits=(0, 1), largest_jump=5.82, straight_step=5.82)
    )
    assert "lookup" not in two and "no more than the straight line's even steps of 5.82" in two
    assert "with two samples both are the one step" in two
    one = ec.walk_caption(
        _walk(same_ends=True, distinct=1, digits=(8,), largest_jump=0.0, straight_step=0.0)
    )
    assert "lookup" not in one and "picks the same code" in one


def test_variance_budget_is_what_the_facts_hold(model):
    name, _, codes, f = model
    is_ae = zoo.entry(name).model.kind == "ae"
    var_mu, s2 = units.variance_budget(codes["mu"], None if is_ae else codes["logvar"])
    assert f.var_mu == tuple(float(v) for v in var_mu)
