"""Fast tier: the Posterior spread lesson's sentences (``ui.lessons.posterior.claims``), each branch
on
synthetic numbers, and a premise sweep over every built VAE, its default pair and a small set of
seeds and sample counts, with the facts recomputed here from cache/ (checkpoint, codes, 1-NN)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ui.lessons.posterior import claims as pc
from ui.page import links
from vae import artefacts, latent, neighbours, units, zoo
from vae.pixels import pixel_spread

GAP = 0.015


def img(
    tag: str = "A",
    label: int = 3,
    top: int = 3,
    share: float = 1.0,
    sigma: float = 0.02,
    mu: tuple[float, ...] = (0.5, -0.5),
    sd: float = 0.3,
    second: int = 8,
) -> pc.ImageFacts:
    s = np.zeros(10)
    s[top] = share
    s[second] += 1 - share
    return pc.ImageFacts(tag, label, tuple(s), (sigma,) * len(mu), mu, sd)


def test_same_width_is_never_called_wider():
    f = pc.PairFacts(img("A", sigma=0.015), img("B", sigma=0.016, share=0.4), 64, GAP)
    branch, text = pc.width_sentence(f)
    assert branch == "same" and "about as wide" in text
    assert "not the wider one" in pc.verdict(f)  # B splits: by where μ lies, not by σ


def test_a_wider_posterior_is_said_with_its_ratio():
    f = pc.PairFacts(img("A", sigma=0.015), img("B", sigma=0.06, share=0.4), 64, GAP)
    branch, text = pc.width_sentence(f)
    assert branch == "wider" and text.startswith("B's posterior is 4.0× as wide")
    assert "the wider posterior, cross into other digits" in pc.verdict(f)


def test_points_and_no_exploding_ratio():
    f = pc.PairFacts(img("A", sigma=1e-13), img("B", sigma=1e-9), 64, GAP)
    assert pc.width_sentence(f)[0] == "points"
    g = pc.PairFacts(img("A", sigma=1e-13), img("B", sigma=0.05), 64, GAP)
    assert "more than 1,000×" in pc.width_sentence(g)[1]
    branch, text = pc.reach_sentence("A", 64, None, 0.3, 1e-13, 7)
    assert branch == "point" and "more than 1,000 σ" in text and "e+" not in text.split("σ =")[0]


def test_samples_that_barely_differ_are_one_picture_not_a_disagreement():
    p = img("B", label=8, top=3, share=0.39, sd=0.09)
    assert pc.looks_branch(p) == "one picture"
    text = pc.looks_sentence(p, 64)
    assert "barely differ" in text and "between digits, not samples that disagree" in text
    f = pc.PairFacts(img("A", sd=0.05), p, 64, GAP)
    assert "σ changes nothing you can see" in pc.verdict(f) and "disagree about" not in pc.verdict(
        f
    )


def test_all_samples_one_wrong_digit_is_agreement_on_that_digit():
    p = img("B", label=8, top=4, share=1.0, sd=0.3)  # vae-2d-beta0's 8 whose samples are all 4s
    assert pc.looks_branch(p) == "agree"
    assert pc.looks_sentence(p, 64).endswith("look like a 4, though it is an 8")


def test_kl_branches():
    same = pc.PairFacts(img("A", sigma=0.02), img("B", sigma=0.02), 64, GAP)
    assert pc.kl_sentence(same)[0] == "same"
    width = pc.PairFacts(img("A", sigma=0.01), img("B", sigma=0.1), 64, GAP)
    assert pc.kl_sentence(width)[0] == "width" and "A's narrower" in pc.kl_sentence(width)[1]
    mu = pc.PairFacts(img("A", mu=(3.0, 0.0)), img("B", mu=(0.1, 0.0)), 64, GAP)
    assert pc.kl_sentence(mu)[0] == "mu" and "A's μ lies farther" in pc.kl_sentence(mu)[1]


def test_reach_ring_and_unused_branches():
    assert pc.reach_sentence("A", 64, 0.9, 0.3, 0.02, 1)[0] == "apart"
    assert pc.reach_sentence("A", 64, 0.9, 0.03, 0.02, 1)[0] == "reaches"
    assert "switch on the zoom" in pc.ring_sentence({"A": 1.0, "B": 2.0}, False)
    assert "Even zoomed" in pc.ring_sentence({"A": 1.0, "B": 2.0}, True)
    assert "about A's 30 px" in pc.ring_sentence({"A": 30.0, "B": 2.0}, False)
    assert "carries something" in pc.unused_sentence(10, {"A": 0, "B": 0}, 0.9, None)
    assert "is the prior" in pc.unused_sentence(10, {"A": 2, "B": 0}, 0.9, 0.01)
    assert "still say a little" in pc.unused_sentence(10, {"A": 2, "B": 0}, 0.9, 0.4)


# --- the 2-D reach note and the unused-dimensions note, from the page's arrays ----------------

CODES = np.array([[0.0, 0.0], [0.3, 0.0], [0.0, 0.5], [2.0, 2.0]])  # image 0's own code first


def test_reach_facts_count_the_samples_inside_2_sigma_and_leave_the_image_out():
    mu, sigma = np.zeros(2), np.full(2, 0.1)
    z = np.array([[0.05, 0.0], [0.0, 0.19], [0.25, 0.0], [0.15, 0.15]])  # |ε| 0.5, 1.9, 2.5, 2.1
    f = pc.reach_facts("A", mu, sigma, z, CODES, 0)
    assert f.inside == 0.5 and f.n == 4 and f.sigma_mean == 0.1
    assert f.nearest == 1 and f.dist == 0.3  # not image 0 itself, at distance 0
    branch, text = pc.reach_sentence(f.tag, f.n, f.inside, f.dist, f.sigma_mean, f.nearest)
    assert branch == "reaches" and f.dist / f.sigma_mean <= pc.APART
    assert pc.reach_notice(f) == text and text.startswith("50 % of A's 4 samples")


def test_reach_notice_apart():
    f = pc.reach_facts("A", np.zeros(2), np.full(2, 0.05), np.zeros((8, 2)), CODES, 0)
    assert pc.APART < f.dist / f.sigma_mean <= pc.HUGE
    assert "6.0 σ: A's cloud does not reach it." in pc.reach_notice(f)


def test_a_sigma_below_the_precision_of_mu_gives_no_share_and_a_point():
    mu = np.array([2.0, 2.0])
    f = pc.reach_facts("A", mu, np.full(2, 1e-12), np.tile(mu, (8, 1)), CODES, 3)
    assert f.sigma_mean <= pc.PRECISION * (1 + 2.0) and f.inside is None
    text = pc.reach_notice(f)
    assert "ellipse" not in text and "is a point in effect" in text


def test_unused_notice_none_unused():
    f = pc.UnusedFacts(
        3, {"A": (0.1, 0.2, 0.3), "B": (0.5, 0.1, 0.2)}, {"A": (2.0,) * 3, "B": (1.0,) * 3}
    )
    assert all(max(s) < units.UNUSED_SIGMA for s in f.sigma.values())
    assert pc.unused_notice(f) == (
        "0 of 3 dimensions of A have σ ≥ 0.9; 0 of 3 dimensions of B have σ ≥ 0.9: every dimension "
        "carries something about both images."
    )


def test_unused_notice_at_the_prior():
    f = pc.UnusedFacts(
        3,
        {"A": (0.1, 0.95, 1.0), "B": (0.1, 0.2, 0.99)},
        {"A": (2.0, 0.01, 0.0), "B": (2.0, 1.0, 0.04)},
    )
    assert pc.unused_notice(f).startswith("2 of 3 dimensions of A have σ ≥ 0.9; 1 of 3")
    assert "is the prior" in pc.unused_notice(f) and "at most 0.04 nats" in pc.unused_notice(f)


def test_unused_notice_near_the_prior_but_paid_for():
    f = pc.UnusedFacts(
        3,
        {"A": (0.1, 0.95, 1.0), "B": (0.1, 0.2, 0.3)},
        {"A": (2.0, 0.3, 0.0), "B": (2.0, 1.0, 5.0)},
    )
    assert 0.3 > pc.NO_KL  # the largest KL among the unused ones; B's 5.0 is in a used dimension
    assert "their KL reaches 0.30 nats" in pc.unused_notice(f)


# --- premise sweep: every built VAE, its default pair, seeds and sample counts ---------------

VAES = [n for n in zoo.names() if zoo.entry(n).model.kind == "vae"]
SETTINGS = (
    (64, 0, 0),
    (16, 3, 0),
    (256, 1, 0),
    (64, 0, 1),
)  # (samples, seed, pick): "Another pair" once


@pytest.fixture(scope="module")
def test_set():
    images, labels = artefacts.load_test_set()
    return images.astype(np.float32) / 255, labels


@pytest.mark.parametrize("name", VAES)
def test_premise_sweep(name, test_set):
    if not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    import torch

    from ui.lessons.posterior import pairs as posterior
    from ui.page import model_calls

    x, labels = test_set
    mu_all = np.load(artefacts.codes_path(name))["mu"].astype(np.float64)
    gap = (
        neighbours.spacing(mu_all, 1)
        if mu_all.shape[1] <= 10
        else neighbours.spacing_sample(mu_all, 1, np.arange(len(mu_all)))
    )
    c, a = posterior.pairs(model_calls.model_key(name))
    model = zoo.load(name)
    for n, seed, k in SETTINGS:
        facts = []
        for tag, i in (("A", int(c[k])), ("B", int(a[k]))):
            with torch.inference_mode():
                mu, lv = (
                    t[0].double().numpy() for t in model.encode(torch.from_numpy(x[i][None, None]))
                )
                z = latent.posterior_samples(mu, lv, n, seed)
                imgs = model.decode(torch.as_tensor(z, dtype=torch.float32))[:, 0].numpy()
            shares = (
                np.bincount(neighbours.looks_like(imgs, x, labels, exclude=i), minlength=10)[:10]
                / n
            )
            facts.append(
                pc.ImageFacts(
                    tag,
                    int(labels[i]),
                    tuple(shares),
                    tuple(np.exp(0.5 * lv)),
                    tuple(mu),
                    float(pixel_spread(imgs)[1].max()),
                )
            )
        f = pc.PairFacts(*facts, n, gap)
        wa, wb = (float(np.exp(np.mean(np.log(p.sigma)))) / gap for p in facts)
        branch = pc.width_sentence(f)[0]
        if branch == "same":
            assert max(wa, wb) / min(wa, wb) < pc.WIDER
        elif branch == "wider":
            assert max(wa, wb) / min(wa, wb) >= pc.WIDER
        else:
            assert max(wa, wb) < pc.POINT
        for p in facts:  # a label split is read only where the samples differ visibly
            b = pc.looks_branch(p)
            assert (b == "one picture") == (p.sd_max < pc.VISIBLE_SD)
            if b == "split":
                assert max(p.shares) < pc.AGREE and p.sd_max >= pc.VISIBLE_SD
        text = pc.verdict(f)
        assert "e+" not in text and "inf" not in text and "nan" not in text
        kb, kt = pc.kl_sentence(f)
        kl = [
            float(
                np.sum(
                    0.5 * (np.square(p.mu) + np.square(p.sigma) - 1 - np.log(np.square(p.sigma)))
                )
            )
            for p in facts
        ]
        assert f"KL = {kl[0]:.1f} nats" in kt
        assert (kb == "same") == (abs(kl[0] - kl[1]) < pc.SAME_KL)
        if mu_all.shape[1] == 2:  # the map's note: the nearest other code, in A's σ
            i = int(c[k])
            others = np.delete(np.arange(len(mu_all)), i)
            dist = float(np.min(np.linalg.norm(mu_all[others] - np.asarray(facts[0].mu), axis=1)))
            s_a = float(np.mean(facts[0].sigma))
            rb = pc.reach_sentence("A", n, None, dist, s_a, 0)[0]
            ratio = dist / s_a
            assert {
                "point": ratio > pc.HUGE,
                "apart": pc.APART < ratio <= pc.HUGE,
                "reaches": ratio <= pc.APART,
            }[rb]


def test_point_posteriors_are_not_sent_to_the_zoom():
    text = pc.ring_sentence({"A": 0.0, "B": 0.0}, False, points=True)
    assert "no zoom shows them" in text and "switch on the zoom" not in text


# --- premise sweep of the controls the sweep above leaves out: the page's own computation -----

SEED_MAX = links.SEED_MAX  # the seed box's maximum
CONTROLS = (
    # (samples, seed, pick, same image twice): every 16th count, seeds 0, 1, a middle one and
    # the maximum, "Another pair" at its first, a middle and its last (49) click, and A = B
    (16, 0, 0, False),
    (48, 1, 49, False),
    (112, SEED_MAX // 2, 25, False),
    (240, SEED_MAX, 2, False),
    (32, SEED_MAX, 0, True),
)
N_ALL = range(16, 257, 16)


def _page_notices(name: str, n: int, seed: int, ia: int, ib: int, zoom: bool):
    """The notices as the page computes them: computed.posterior, pair_facts, code_spacing and,
    on a 2-D map, the ring sizes of views.posterior_map."""
    from ui.draw import altair_charts
    from ui.lessons.model_facts import code_spacing
    from ui.lessons.posterior import computed, views
    from ui.page import loaders
    from vae.latent import ellipse

    mu_all = loaders.codes(name)["mu"]
    post = {t: computed.posterior(name, i, n, seed) for t, i in (("A", ia), ("B", ib))}
    pair = computed.pair_facts(post, n, code_spacing(name, 1))
    notes = [pc.verdict(pair), pc.kl_sentence(pair)[1]]
    ring = None
    if mu_all.shape[1] == 2:
        a = post["A"]
        notes.append(pc.reach_notice(pc.reach_facts("A", a["mu"], a["sigma"], a["z"], mu_all, ia)))
        px = {}
        for z in (True, False):  # the page's ring sizes, zoomed and not
            rings = np.vstack(
                [ellipse(p["mu"], p["lv"], k=float(k)) for p in post.values() for k in (1, 2)]
            )
            around = np.vstack([rings, *(p["mu"][None] for p in post.values())])
            sub = loaders.scatter_subset()
            dom = altair_charts.square_domains(
                around if z else np.vstack([mu_all[sub], around]), margin=0.15 if z else 0.05
            )
            px[z] = {
                t: float(np.ptp(ellipse(p["mu"], p["lv"], k=2.0), axis=0).max())
                * views.MAP_PX
                / (dom[0][1] - dom[0][0])
                for t, p in post.items()
            }
        ring = (
            px,
            pc.ring_sentence(
                px[zoom], zoom, pc.width_sentence(pair)[0] == "points", zoomed_px=px[True]
            ),
        )
        notes.append(ring[1])
    else:
        sigma, kl = ({t: tuple(p[k]) for t, p in post.items()} for k in ("sigma", "kl"))
        notes.append(pc.unused_notice(pc.UnusedFacts(mu_all.shape[1], sigma, kl)))
    return post, pair, notes, ring


def _check_page(name: str, n: int, seed: int, ia: int, ib: int, zoom: bool) -> None:
    from ui.lessons.words import pct
    from ui.page import loaders

    post, pair, notes, ring = _page_notices(name, n, seed, ia, ib, zoom)
    for t in notes:
        assert not re.search(r"nan|inf|e\+", t), t
    a, b = post["A"], post["B"]
    assert len(a["z"]) == len(b["z"]) == n
    wa, wb = (float(np.exp(np.log(p["sigma"]).mean())) / pair.gap for p in (a, b))
    branch = pc.width_sentence(pair)[0]
    r = max(wa, wb) / min(wa, wb)
    assert {"same": r < pc.WIDER, "wider": r >= pc.WIDER, "points": max(wa, wb) < pc.POINT}[branch]
    if ia == ib:  # one image twice: the same posterior, never "wider"
        assert branch != "wider" and pc.kl_sentence(pair)[0] == "same"
    for p, facts in ((a, pair.a), (b, pair.b)):
        sd = float(p["imgs"].std(axis=0).max())
        assert np.isclose(facts.sd_max, sd, atol=1e-5)
        if pc.looks_branch(facts) == "split":
            assert sd >= pc.VISIBLE_SD and p["shares"].max() < pc.AGREE
    if "cross into other digits" in notes[0]:  # the split one is the wider posterior
        assert r >= pc.WIDER
    d = len(a["mu"])
    if d == 2:
        eps = (a["z"] - a["mu"]) / a["sigma"]
        inside = float(np.mean((eps**2).sum(axis=1) <= 4.0))
        if "ellipse" in notes[2]:
            assert notes[2].startswith(pct(inside))
        mu_all = np.asarray(loaders.codes(name)["mu"], dtype=np.float64)
        dist = np.linalg.norm(np.delete(mu_all, ia, axis=0) - a["mu"], axis=1).min()
        ratio = dist / float(np.mean(a["sigma"]))
        if "cloud reaches" in notes[2]:
            assert ratio <= pc.APART
        elif "does not reach" in notes[2]:
            assert pc.APART < ratio <= pc.HUGE
        else:
            assert "a point in effect" in notes[2] and ratio > pc.HUGE
        px, text = ring
        shown = px[zoom]
        if max(shown.values()) >= 12.0:
            assert "across." in text and "only" not in text
        elif "no zoom shows them" in text:
            assert branch == "points"
        elif "Even zoomed" in text:  # far apart compared with their σ
            assert max(px[True].values()) < 12.0 and np.linalg.norm(
                a["mu"] - b["mu"]
            ) > 5 * 4 * max(a["sigma"].max(), b["sigma"].max())
        else:  # the zoom does show them
            assert "switch on the zoom" in text and not zoom
            assert max(px[True].values()) >= 12.0, (name, n, seed, ia, ib, px)
    else:
        big = {t: p["sigma"] >= units.UNUSED_SIGMA for t, p in post.items()}
        for t, m in big.items():
            assert f"{int(m.sum())} of {d} dimensions of {t}" in notes[2]
        kls = [p["kl"][big[t]] for t, p in post.items() if big[t].any()]
        if not kls:
            assert "every dimension carries something" in notes[2]
        elif "is the prior" in notes[2]:
            assert max(k.max() for k in kls) <= pc.NO_KL
        else:
            assert max(k.max() for k in kls) > pc.NO_KL


@pytest.mark.parametrize("name", VAES)
def test_controls_sweep(name):
    """Every offered VAE at CONTROLS, with the zoom on and off: the page's computation, each
    notice's premise from the arrays (2-D: the share inside 2σ, the nearest other code in σ, the
    ring sizes; more dimensions: the σ ≥ 0.9 count and their KL)."""
    if not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    from ui.lessons.posterior import pairs as posterior
    from ui.page import model_calls

    c, a = posterior.pairs(model_calls.model_key(name))
    for i, (n, seed, k, same) in enumerate(CONTROLS):
        ia, ib = int(c[k]), int(c[k] if same else a[k])
        _check_page(name, n, seed, ia, ib, zoom=bool(i % 2))


@pytest.mark.slow
@pytest.mark.parametrize("name", VAES)
def test_every_sample_count(name):
    if not artefacts.checkpoint_path(name).exists():
        pytest.skip(f"{name} is not built")
    from ui.lessons.posterior import pairs as posterior
    from ui.page import model_calls

    c, a = posterior.pairs(model_calls.model_key(name))
    for i, n in enumerate(N_ALL):
        k = (0, 1, 25, 49)[i % 4]
        for zoom in (True, False):
            _check_page(name, n, (0, 1, SEED_MAX // 2, SEED_MAX)[i % 4], int(c[k]), int(a[k]), zoom)


def test_the_zoom_is_suggested_only_where_it_shows_the_rings():
    unzoomed, zoomed = {"A": 0.3, "B": 1.1}, {"A": 2.3, "B": 6.8}  # vae-2d-beta0.1, n 16, seed 0
    assert max(zoomed.values()) < 12.0
    text = pc.ring_sentence(unzoomed, False, zoomed_px=zoomed)
    assert "Even zoomed" in text and "A's 2 px, B's 7 px" in text and "switch on" not in text
    helps = pc.ring_sentence(unzoomed, False, zoomed_px={"A": 20.0, "B": 30.0})
    assert "switch on the zoom" in helps
