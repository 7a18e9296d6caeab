"""The Interpolation lesson's path comparison (ui.lessons.interpolation.claims): one test per branch
on
synthetic numbers, and a premise sweep over every model the page offers and each kind of endpoint,
with the codes from cache/ (fast tier)."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from ui.lessons.interpolation import claims as C
from vae import artefacts, latent, paths, zoo

NAMES = {"lerp": "straight line (lerp)", "slerp": "great circle (slerp)"}  # the page's PATH_NAMES
OFFERED = [n for n in zoo.names() if zoo.entry(n).model.kind != "cvae"]
K, DENSE = 25, 60  # the page's K_NEAR and points per path


def test_lerp_wins_on_average_though_slerp_peaks_lower():
    lerp = (1.0,) * 50 + (3.0,) * 10
    slerp = (2.0,) * 50 + (2.5,) * 10
    v = C.verdict(C.PathFacts(lerp, slerp))
    assert (
        v.winner == "lerp" and v.worst["slerp"] < v.worst["lerp"]
    )  # the maxima alone would say slerp
    text = C.path_sentence(v, NAMES, 60)
    assert (
        "On average the straight line (lerp) stays closer" in text
        and "at 83 % of the points" in text
    )


def test_slerp_wins():
    v = C.verdict(C.PathFacts((2.0, 3.0, 2.0), (1.0, 1.5, 1.0)))
    assert v.winner == "slerp" and v.closer_share["slerp"] == 1.0
    assert "On average the great circle (slerp) stays closer" in C.path_sentence(v, NAMES, 3)


def test_neither_when_the_means_are_close():
    v = C.verdict(C.PathFacts((1.0, 2.0), (1.05, 1.9)))
    assert v.winner is None
    assert "neither path stays clearly closer" in C.path_sentence(v, NAMES, 2)


def _endpoints(name: str, codes: np.ndarray, labels: np.ndarray, mode: str, seed: int):
    if mode == "prior":
        return np.random.default_rng(seed).standard_normal((2, codes.shape[1]))
    if mode == "prototype":
        return latent.prototypes(codes, labels)[[1, 0]]
    ia, ib = paths.pick_pair(labels, 1, 0, seed)
    return codes[ia], codes[ib]


def test_premises_on_every_offered_model_and_endpoint_kind():
    """Every offered model, endpoints by class (seeds 0, 1), prototypes, prior draws (seeds 0-3):
    the verdict's premise (the named path's mean emptiness lower by the margin; neither: within
    it) and the shares it states. The usual distance scales both paths alike, so raw k-th
    distances decide the same verdict."""
    labels = np.load(artefacts.test_set_path())["labels"]
    t = np.linspace(0.0, 1.0, DENSE)
    seen = set()
    for name in OFFERED:
        path = artefacts.codes_path(name)
        if not path.exists():
            continue
        codes = np.load(path)["mu"].astype(np.float64)
        tree = cKDTree(codes)
        for mode, seeds in (("class", (0, 1)), ("prototype", (0,)), ("prior", (0, 1, 2, 3))):
            for seed in seeds:
                za, zb = _endpoints(name, codes, labels, mode, seed)
                e = {
                    k: tree.query(f(za, zb, t), k=K)[0][:, -1]
                    for k, f in (("lerp", paths.lerp), ("slerp", paths.slerp))
                }
                v = C.verdict(C.PathFacts(tuple(e["lerp"]), tuple(e["slerp"])))
                m = {k: float(x.mean()) for k, x in e.items()}
                text = C.path_sentence(v, NAMES, DENSE)
                seen.add(v.winner)
                if v.winner is None:
                    assert abs(m["lerp"] - m["slerp"]) < C.MEAN_MARGIN * min(m.values()), (
                        name,
                        mode,
                        seed,
                    )
                    assert "neither path" in text
                else:
                    other = "slerp" if v.winner == "lerp" else "lerp"
                    assert m[other] - m[v.winner] >= C.MEAN_MARGIN * m[v.winner], (name, mode, seed)
                    assert f"the {NAMES[v.winner]} stays closer" in text
                assert v.closer_share["lerp"] + v.closer_share["slerp"] <= 1.0
                assert f"lerp is {e['lerp'].max():.1f}× and slerp {e['slerp'].max():.1f}×" in text
    assert seen, "no model in cache/"
