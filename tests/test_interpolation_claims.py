"""The Interpolation lesson's path comparison (ui.lessons.interpolation.claims): one test per branch
on
synthetic numbers, and a premise sweep over every model the page offers and each kind of endpoint,
with the codes from cache/ (fast tier)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.spatial import cKDTree

from ui.lessons.interpolation import claims as C
from ui.page import links
from vae import artefacts, latent, paths, pixels, prior, units, zoo

NAMES = C.PATH_NAMES
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
        return prior.samples(2, codes.shape[1], seed)  # the page's draws (computed.endpoints)
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


# --- the notices around the verdict (claims.notices), one test per branch -------------------


def walk(**kw) -> C.WalkFacts:
    base = dict(
        same=False,
        t_mid=0.5,
        half_tone=0.6,
        r2=0.5,
        paths=C.PathFacts((1.0, 2.0, 1.0), (1.0, 1.5, 1.0)),
        shell_caveat=False,
        d=2,
        is_vae=True,
        prior=False,
        lerp_mid=0.7,
        slerp_mid=1.0,
        ends=1.0,
        median=1.1,
        unused=0,
    )
    return C.WalkFacts(**{**base, **kw})


def test_one_point_asks_for_two():
    f = walk(same=True)
    assert f.same and C.notices(f) == ["Choose two different endpoints to see the paths diverge."]


def test_the_lerp_frame_is_a_new_drawing():
    f = walk(r2=0.5)
    assert f.r2 < C.NEW_DRAWING
    text = C.notices(f)[0]
    assert "At t = 0.50" in text and "60 % of its ink at half strength" in text
    assert "explains only 50 % of it (R²); the strokes move" in text


def test_the_lerp_frame_is_close_to_a_mix():
    f = walk(r2=0.9)
    assert f.r2 >= C.NEW_DRAWING
    assert "close to a mix of the decoded endpoints (R² = 90 %)" in C.notices(f)[0]


def test_the_path_sentence_is_the_verdicts_and_the_caveat_only_for_encoder_means_past_2d():
    plain, caveated = walk(), walk(shell_caveat=True)
    expect = C.path_sentence(C.verdict(plain.paths), C.PATH_NAMES, 3)
    assert C.notices(plain)[1] == expect
    assert C.notices(caveated)[1] == expect + (
        " (The shell argument for slerp is about draws from the prior; these endpoints are "
        "encoder means.)"
    )


def test_an_autoencoder_has_no_shell():
    f = walk(is_vae=False)
    text = C.notices(f)[2]
    assert text.startswith("Halfway, lerp's code has norm 0.70 against the endpoints' average 1.00")
    assert "no shell to stay in" in text and "√d" not in text


def test_prior_draws_with_the_codes_inside_the_shell():
    f = walk(prior=True, d=10, median=1.5, unused=3)
    assert f.median < C.INSIDE * np.sqrt(f.d) and f.unused
    text = C.notices(f)[2]
    assert "Prior draws in 10-D sit near √d = 3.16" in text
    assert "(median norm 1.50; 3 of 10 dimensions unused), so going inside" in text


def test_prior_draws_with_the_codes_inside_the_shell_and_every_dimension_used():
    f = walk(prior=True, d=10, median=1.5, unused=0)
    assert f.median < C.INSIDE * np.sqrt(f.d) and not f.unused
    assert "(median norm 1.50), so going inside" in C.notices(f)[2]


def test_prior_draws_with_the_codes_on_the_shell():
    f = walk(prior=True, d=10, median=3.0)
    assert f.median >= C.INSIDE * np.sqrt(f.d)
    assert C.notices(f)[2].endswith("cuts inside that shell.")


def test_encoder_means_with_unused_dimensions():
    f = walk(d=10, median=1.2, unused=4)
    assert not f.prior and f.unused
    assert C.notices(f)[2].endswith(
        "median norm is 1.20, against √d = 3.16 for prior draws: 4 of 10 dimensions are unused "
        "(their μ is about 0), which pulls every code inward."
    )


def test_encoder_means_with_every_dimension_used():
    f = walk(d=2, median=1.1, unused=0)
    assert not f.prior and not f.unused
    assert C.notices(f)[2].endswith(
        "median norm is 1.10; in 2-D the prior has no thin shell to hold it against (it is "
        "densest at the centre)."
    )  # not "against √d = 1.41 for prior draws": in 2-D no shell is there to compare with


def test_walk_facts_measure_the_arrays():
    rng = np.random.default_rng(0)
    codes = rng.standard_normal((300, 2)) * np.array([1.0, 1e-4])  # one dimension unused
    za, zb = codes[0], codes[1]
    t = np.linspace(0.0, 1.0, 5)
    walks = {"lerp": paths.lerp(za, zb, t), "slerp": paths.slerp(za, zb, t)}
    xa, xb = rng.random((2, 28, 28))
    frames = {"lerp": rng.random((5, 28, 28)), "pixels": paths.pixel_blend(xa, xb, t)}
    empty = {"lerp": np.array([1.0, 2.0]), "slerp": np.array([1.0, 1.5])}
    f = C.walk_facts(t, frames, walks, empty, codes, same=False, is_vae=True, prior=False)
    assert f.t_mid == 0.5 and f.d == 2 and f.unused == 1 and not f.shell_caveat
    assert f.lerp_mid == np.linalg.norm((za + zb) / 2)
    assert np.isclose(f.slerp_mid, (np.linalg.norm(za) + np.linalg.norm(zb)) / 2)
    assert np.isclose(f.ends, (np.linalg.norm(za) + np.linalg.norm(zb)) / 2)
    assert f.median == np.median(np.linalg.norm(codes, axis=1))
    assert f.paths == C.PathFacts((1.0, 2.0), (1.0, 1.5))
    assert f.half_tone == pixels.half_tone_share(frames["pixels"][2])
    assert f.r2 == pixels.mix_r2(frames["lerp"][2], frames["lerp"][0], frames["lerp"][-1])
    wide = rng.standard_normal((300, 10))  # encoder means past 2-D: the caveat; prior draws: none
    g = C.walk_facts(t, frames, walks, empty, wide, same=False, is_vae=True, prior=False)
    h = C.walk_facts(t, frames, walks, empty, wide, same=False, is_vae=True, prior=True)
    assert g.d == 10 and g.shell_caveat and not h.shell_caveat
    same = C.walk_facts(t, frames, walks, empty, codes, same=True, is_vae=True, prior=False)
    assert same.same and C.notices(same) == [
        "Choose two different endpoints to see the paths diverge."
    ]


def test_an_even_step_count_has_no_halfway_frame_and_says_its_t():
    f = walk(t_mid=0.4, lerp_mid=0.7, slerp_mid=0.9, ends=1.0)
    assert not np.isclose(f.t_mid, 0.5)
    text = C.notices(f)[2]
    assert text.startswith("At t = 0.40 (no frame halfway), lerp's code has norm 0.70; slerp's")
    assert "Halfway" not in text and "slerp keeps" not in text


def test_prior_draws_in_2d_have_no_shell():
    f = walk(prior=True, d=2, median=0.9)
    assert f.prior and f.d <= 2
    text = C.notices(f)[2]
    assert "no thin shell" in text and "cuts inside that shell" not in text


# --- premise sweep: every offered model x every endpoint kind, pair, step count and seed -------

SEEDS = (0, 1, links.SEED_MAX // 2, links.SEED_MAX)  # the seed box's 0, 1, middle and maximum
STEPS = range(5, 21)  # the Steps slider, every value
INDICES = (0, 1, 5000, 9999)  # test indices: the first two, a middle one, the last


def _walk_settings(full: bool):
    """(mode, a, b, seed) for every endpoint kind: by class and prototype every digit as A and as
    B (full: all 100 pairs), each seed; by index pairs of INDICES, the same one twice included;
    prior draws by each seed. The step count runs through every value along the list."""
    pairs = (
        [(a, b) for a in range(10) for b in range(10)]
        if full
        else [(k, (k + 1 + k % 3) % 10) for k in range(10)] + [(0, 0), (9, 9)]
    )
    out = [("class", a, b, SEEDS[i % len(SEEDS)]) for i, (a, b) in enumerate(pairs)]
    out += [("prototype", a, b, 0) for a, b in pairs]
    out += [("index", a, b, 0) for a in INDICES for b in INDICES if full or a <= b]
    out += [("prior", 0, 1, s) for s in SEEDS]
    return [(*s, STEPS[i % len(STEPS)]) for i, s in enumerate(out)]


def _sweep_walks(name: str, full: bool) -> None:
    """The page's own computation (computed.endpoints, paths, model_calls.decode,
    computed.emptiness, claims.walk_facts) at each setting; each notice's premise recomputed here
    from the arrays with numpy."""
    from ui.lessons.interpolation import computed
    from ui.page import loaders, model_calls

    images, labels = loaders.test_images_float(), loaders.test_set()[1]
    codes = loaders.codes(name)["mu"]
    cfg = zoo.entry(name).model
    d, is_vae = cfg.latent_dim, cfg.kind == "vae"
    c64 = np.asarray(codes, dtype=np.float64)
    sq = (c64**2).sum(axis=1)
    median = float(np.median(np.sqrt((c64**2).sum(axis=1))))
    var = np.asarray(codes, dtype=np.float32).astype(np.float64).var(axis=0, ddof=1)
    dense = np.linspace(0.0, 1.0, DENSE)
    for mode, a, b, seed, steps in _walk_settings(full):
        za, zb, xa, xb, _, _ = computed.endpoints(
            name, mode, a, b, seed, codes, labels, images, is_vae
        )
        same = bool(np.allclose(za, zb))
        t = np.linspace(0.0, 1.0, steps)
        walks = {"lerp": paths.lerp(za, zb, t), "slerp": paths.slerp(za, zb, t)}
        dec = model_calls.decode(name, np.concatenate([walks["lerp"], walks["slerp"]]))
        frames = {"lerp": dec[:steps], "slerp": dec[steps:], "pixels": paths.pixel_blend(xa, xb, t)}
        empty, _ = computed.emptiness(name, za, zb, dense)
        f = C.walk_facts(
            t, frames, walks, empty, codes, same=same, is_vae=is_vae, prior=mode == "prior"
        )
        text = C.notices(f)
        where = (name, mode, a, b, seed, steps)
        for s in text:
            assert not re.search(r"nan|inf|e\+", s), (where, s)
        if same:  # only the request for two points
            assert np.allclose(za, zb) and len(text) == 1, where
            continue
        assert not np.allclose(za, zb) and len(text) == 3, where
        mid = int(np.argmin(np.abs(t - 0.5)))
        tm = t[mid]
        assert f.t_mid == tm and abs(tm - 0.5) <= 0.5 / (steps - 1) + 1e-12
        blend = (1 - tm) * xa + tm * xb  # the pixel blend halfway: A and B superposed
        assert np.allclose(frames["pixels"][mid], blend, atol=1e-6)
        shown = frames["pixels"][mid]  # its ink (> 0.2) at half strength (0.3 to 0.7)
        half = ((shown > 0.3) & (shown < 0.7)).sum() / max((shown > 0.2).sum(), 1)
        assert np.isclose(f.half_tone, half)
        y = frames["lerp"][mid].astype(np.float64).ravel()
        x = np.stack([frames["lerp"][0].ravel(), frames["lerp"][-1].ravel()], 1).astype(float)
        res = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        r2 = 1 - (res**2).sum() / ((y - y.mean()) ** 2).sum() if y.std() > 0 else 1.0
        assert np.isclose(f.r2, r2, atol=1e-6), where
        assert ("a new drawing" in text[0]) == (r2 < C.NEW_DRAWING), where
        e = {k: _kth(c64, sq, p(za, zb, dense)) for k, p in PATHS}  # brute force, not a tree
        m = {k: float(v.mean()) for k, v in e.items()}
        if "neither path" in text[1]:
            assert abs(m["lerp"] - m["slerp"]) < C.MEAN_MARGIN * min(m.values()) * 1.0001, where
        else:
            win = "lerp" if "(lerp) stays closer" in text[1] else "slerp"
            assert f"the {NAMES[win]} stays closer" in text[1], where
            other = "slerp" if win == "lerp" else "lerp"
            assert m[other] - m[win] >= C.MEAN_MARGIN * m[win] * 0.9999, where
        caveat = "these endpoints are encoder means" in text[1]
        assert caveat == (mode != "prior" and is_vae and d > 2), where
        na, nb = np.linalg.norm(za), np.linalg.norm(zb)
        assert np.isclose(f.lerp_mid, np.linalg.norm((1 - tm) * za + tm * zb))
        assert np.isclose(f.slerp_mid, (1 - tm) * na + tm * nb)
        assert np.isclose(f.ends, (na + nb) / 2) and np.isclose(f.median, median)
        assert text[2].startswith("Halfway") == (tm == 0.5), where
        if not is_vae:
            assert "no prior" in text[2] and "√d" not in text[2], where
        elif mode == "prior" and d <= 2:  # no shell: nearer the origin is denser under the prior
            assert "no thin shell" in text[2] and f.lerp_mid <= max(na, nb) + 1e-9, where
        elif mode == "prior":
            assert "cuts inside that shell" in text[2] and f.lerp_mid < f.ends, where
            assert ("so going inside is not going away" in text[2]) == (
                median < C.INSIDE * np.sqrt(d)
            )
        else:
            assert f"median norm is {median:.2f}" in text[2], where
            assert ("√d" in text[2]) == (d > 2), where  # a shell to compare with only above 2-D
        unused = int((var <= units.ACTIVE_UNIT_THRESHOLD).sum())
        assert f.unused == unused and (f"{unused} of {d} dimensions" in text[2]) == (
            bool(unused) and is_vae and not (mode == "prior" and d <= 2)
        ), where


PATHS = (("lerp", paths.lerp), ("slerp", paths.slerp))


def _kth(codes: np.ndarray, sq: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Distance from each query to its K-th nearest code, by brute force."""
    d2 = sq[None] + (q**2).sum(axis=1)[:, None] - 2 * q @ codes.T
    return np.sqrt(np.maximum(np.partition(d2, K - 1, axis=1)[:, K - 1], 0))


@pytest.mark.parametrize("name", OFFERED)
def test_notices_sweep_every_endpoint_kind_step_count_and_seed(name):
    if not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    _sweep_walks(name, full=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", OFFERED)
def test_notices_sweep_every_digit_pair(name):
    if not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    _sweep_walks(name, full=True)
