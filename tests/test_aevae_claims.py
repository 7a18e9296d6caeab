"""Fast tier: AE vs VAE's sentences on prior draws (``ui.lessons.ae_vs_vae.claims``), each branch on
synthetic
numbers, and a premise sweep over a small set of seeds with the facts recomputed here from the codes
in cache/: every distance is said in a named unit, and compared only within one unit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.spatial import cKDTree

from ui.lessons.ae_vs_vae import claims as ac
from ui.page import links
from vae import artefacts, latent, neighbours, prior, zoo

SEEDS = (0, 1, 7, links.SEED_MAX)
H = tuple([0.1] * 10)


def facts(**kw) -> ac.DrawFacts:
    h_ae = (0.34, 0.004) + tuple([0.082] * 8)
    base = ac.DrawFacts(
        2000, 3.0, h_ae, H, H, 0.39, 0.05, 0.037, 0.0145, 0.13, 0.24, 0.034, 0.022, 0.51, 0.96, 0.07
    )
    return dataclasses.replace(base, **kw)


def test_mix_branches_and_the_about_premise():
    assert (
        ac.mix_note(facts())[0] == "vae"
        and "in about the test set's mix" in ac.mix_note(facts())[1]
    )
    far = ac.mix_note(facts(tv_vae=0.2))[1]
    assert "closer to the test set's than the AE's" in far and "about the test set's" not in far
    assert ac.mix_note(facts(tv_vae=0.5))[0] == "ae"


def test_distances_name_their_unit_and_compare_within_one():
    branch, text = ac.cover_note(facts())
    assert (
        branch == "ae near"
        and "own* typical gaps" in text
        and "0.037 for the AE and 0.0145" in text
    )
    assert "In latent units" in text and "the VAE's draws are the closer ones" in text
    assert "the AE's draws are the closer ones" in ac.cover_note(facts(med_ae=0.01))[1]
    assert "about as close" in ac.cover_note(facts(med_ae=0.023))[1]
    assert ac.cover_note(facts(far_ae=0.7))[0] == "ae far"
    assert "about as well as codes drawn from the prior" in ac.cover_note(facts(far_vae=0.08))[1]
    assert "latent units" in ac.draw_caption(0.037, 0.0145)


def test_recon_the_vae_pays():
    f = ac.ReconFacts(ae=142.3, vae=150.8)
    branch, text = ac.recon_note(f)
    assert f.vae > f.ae and branch == "vae pays"
    assert "AE 142.3 nats, VAE 150.8" in text and f"; {f.vae - f.ae:.1f} nats" in text
    assert "buy a latent space you can sample from" in text


@pytest.mark.parametrize("vae", [140.0, 142.3])
def test_recon_no_price(vae):
    """The VAE no worse (equal included): no price claimed, and no negative "price" printed."""
    f = ac.ReconFacts(ae=142.3, vae=vae)
    branch, text = ac.recon_note(f)
    assert f.vae <= f.ae and branch == "no price"
    assert "the AE does not even reconstruct better" in text and "buy a latent space" not in text


def test_posterior_caption_hidden_gives_sigma_in_typical_gaps():
    """Hidden under the marker, σ's geometric mean is said in the VAE's own typical gaps."""
    f = ac.PosteriorFacts(pick=0, n=6, sd=(0.04, 0.09), hidden=True, gap_vae=0.02)
    branch, text = ac.posterior_caption(f)
    assert branch == "hidden" and "hidden under the marker" in text
    ratio = np.sqrt(f.sd[0] * f.sd[1]) / f.gap_vae  # 0.06 / 0.02 = 3 gaps
    assert f"σ is about {ratio:.1f} typical gaps" in text and "σ = (0.040, 0.090)" in text
    assert text.startswith("Test digit #0,") and "and 6 samples" in text and text.endswith(").")


def test_posterior_caption_seen_says_nothing_of_the_marker():
    f = ac.PosteriorFacts(pick=77, n=6, sd=(0.4, 0.3), hidden=False, gap_vae=0.02)
    branch, text = ac.posterior_caption(f)
    assert not f.hidden and branch == "seen"
    assert "marker" not in text and text.endswith("(μ ± 2σ).") and "#77" in text


@pytest.fixture(scope="module")
def codes():
    labels = artefacts.load_test_set()[1]
    mu = {}
    for name in ("ae-2d", "vae-2d"):
        if not artefacts.codes_path(name).exists():
            pytest.skip(f"{name}'s codes are not built")
        mu[name] = np.load(artefacts.codes_path(name))["mu"].astype(np.float64)
    return mu, labels


@pytest.mark.parametrize("seed", SEEDS)
def test_premise_sweep(seed, codes):
    mu, labels = codes
    zz = np.random.default_rng([seed, 1]).standard_normal(
        (2000, 2)
    )  # ui.page.model_calls.prior_draws
    h_test = np.bincount(labels, minlength=10)[:10] / len(labels)
    dist, gap, h, far = {}, {}, {}, {}
    for n, m in mu.items():
        dist[n], idx = neighbours.nearest_one(m, zz)
        gap[n] = neighbours.spacing(m, 1)
        h[n] = np.bincount(labels[idx], minlength=10)[:10] / len(idx)
        far[n] = float((dist[n] / gap[n] > 3.0).mean())
    tv = {n: latent.total_variation(h[n], h_test) for n in mu}
    f = ac.DrawFacts(
        2000,
        3.0,
        tuple(h["ae-2d"]),
        tuple(h["vae-2d"]),
        tuple(h_test),
        tv["ae-2d"],
        tv["vae-2d"],
        gap["ae-2d"],
        gap["vae-2d"],
        far["ae-2d"],
        far["vae-2d"],
        float(np.median(dist["ae-2d"])),
        float(np.median(dist["vae-2d"])),
        prior.share_inside(mu["ae-2d"], 0.99),
        prior.share_inside(mu["vae-2d"], 0.99),
        latent.matched_far_share(10_000, 2000, 2, 3.0),
    )
    mb, mt = ac.mix_note(f)
    assert (mb == "vae") == (tv["vae-2d"] < tv["ae-2d"])
    if "in about the test set's mix" in mt:
        assert tv["vae-2d"] <= ac.CLOSE_MIX
    cb, ct = ac.cover_note(f)
    assert (cb == "ae near") == (far["ae-2d"] < 0.5)
    d = ac.distance_branch(f)  # the latent-unit comparison: the same z for both models
    m_ae, m_vae = np.median(dist["ae-2d"]), np.median(dist["vae-2d"])
    assert {"vae": m_vae < 0.9 * m_ae, "ae": m_ae < 0.9 * m_vae}.get(
        d, abs(m_ae - m_vae) <= 0.1 * max(m_ae, m_vae)
    )


# --- the premise sweep over every control, the facts as the page computes them -------------------

BAD = ("nan", "inf", "e+")  # never in a shown text


def page_seeds() -> list[int]:
    """Every seed the seed box offers (``links.seed_input``: the bank, 0 … SEED_MAX)."""
    return list(range(links.SEED_BANK))


@pytest.fixture(scope="module")
def page_numbers(codes):
    """What the page computes once per server (its own calls): the codes, the typical gaps, the
    VAE's log-variances; None where a checkpoint is missing (the page stops at its cache guard)."""
    from ui.page import loaders

    for name in ("ae-2d", "vae-2d"):
        if not artefacts.checkpoint_path(name).exists():
            pytest.skip(f"{name} is not built")
    mu, labels = codes
    vae_lv = np.asarray(loaders.codes("vae-2d")["logvar"], dtype=np.float64)
    return mu["ae-2d"], mu["vae-2d"], vae_lv, labels


def _gap(m: np.ndarray) -> float:
    """Median distance from a code to its nearest other code (duplicates at 0), by a KD-tree of
    scipy's own, not vae.neighbours."""
    d, _ = cKDTree(m).query(m, k=2)
    return float(np.median(d[:, 1]))


def check_draw_notes(f: ac.DrawFacts, seed: int, ae_mu, vae_mu, labels, gaps) -> set[str]:
    """Every branch the draws' notices show, its premise from numbers recomputed here.
    -> the branches"""
    zz = np.random.default_rng([seed, 1]).standard_normal((f.n, 2))  # prior.samples, by hand
    h_test = np.bincount(labels, minlength=10)[:10] / len(labels)
    dist, h, far = {}, {}, {}
    for name, m in (("ae", ae_mu), ("vae", vae_mu)):
        dist[name], idx = cKDTree(m).query(zz)
        h[name] = np.bincount(labels[idx], minlength=10)[:10] / f.n
        far[name] = float((dist[name] > 3.0 * gaps[name]).mean())
    tv = {k: 0.5 * np.abs(h[k] - h_test).sum() for k in h}
    assert f.h_ae == pytest.approx(tuple(h["ae"])) and f.h_vae == pytest.approx(tuple(h["vae"]))
    assert (f.tv_ae, f.tv_vae) == pytest.approx((tv["ae"], tv["vae"]))
    assert (f.gap_ae, f.gap_vae) == pytest.approx((gaps["ae"], gaps["vae"]))
    assert (f.far_ae, f.far_vae) == pytest.approx((far["ae"], far["vae"]))
    med = {k: float(np.median(dist[k])) for k in dist}  # latent units, the same z for both
    assert (f.med_ae, f.med_vae) == pytest.approx((med["ae"], med["vae"]), rel=1e-9)
    r99 = np.sqrt(-2 * np.log(0.01))
    inside = {
        k: float(((m**2).sum(1) <= r99**2).mean()) for k, m in (("ae", ae_mu), ("vae", vae_mu))
    }
    assert (f.inside_ae, f.inside_vae) == pytest.approx((inside["ae"], inside["vae"]))
    branches = set()

    mb, mt = ac.mix_note(f)
    branches.add("mix " + mb)
    if mb == "vae":  # the closer, and reads so
        assert tv["vae"] < tv["ae"] and ac.pct(tv["vae"]) != ac.pct(tv["ae"])
        assert ("in about the test set's mix" in mt) == (tv["vae"] <= ac.CLOSE_MIX)
        over, under = np.argmax(h["ae"] - h_test), np.argmin(h["ae"] - h_test)
        assert h["ae"][over] >= h_test[over] and h["ae"][under] <= h_test[under]
        assert f"a {over} for {ac.pct(h['ae'][over])} of them" in mt
    else:
        assert tv["ae"] <= tv["vae"] or ac.pct(tv["vae"]) == ac.pct(tv["ae"])

    cb, ct = ac.cover_note(f)
    branches.add("cover " + cb)
    assert (cb == "ae near") == (far["ae"] < 0.5)
    if cb == "ae near":
        assert f"({ac.pct(1 - far['ae'])} within" in ct
    else:
        assert f"({ac.pct(far['ae'])} farther" in ct
        assert ("only" in ct.split("of its codes")[0]) == (inside["ae"] < inside["vae"])
    # both units named, each model's own gap given (the past defect compared them unnamed)
    assert f"is {gaps['ae']:.3g} for the AE and {gaps['vae']:.3g} for the VAE" in ct
    d = ac.distance_branch(f)  # compared in latent units only
    branches.add("closer " + d)
    assert {
        "vae": med["vae"] < 0.9 * med["ae"],
        "ae": med["ae"] < 0.9 * med["vae"],
        "same": 0.9 * med["ae"] <= med["vae"] and 0.9 * med["vae"] <= med["ae"],
    }[d]
    assert f"AE {med['ae']:.3f}, VAE {med['vae']:.3f}" in ct
    cov = ac.coverage(f)
    branches.add("coverage " + cov)
    assert {
        "gaps": far["vae"] > ac.COVER_RATIO * f.matched,
        "better": far["vae"] * ac.COVER_RATIO < f.matched,
        "as well": f.matched / ac.COVER_RATIO <= far["vae"] <= ac.COVER_RATIO * f.matched,
    }[cov]
    for t in (mt, ct, ac.draw_caption(f.gap_ae, f.gap_vae)):
        assert not any(w in t.lower() for w in BAD), t
    return branches


def test_premise_sweep_every_seed_and_option(page_numbers):
    """Sampled seeds of the seed box (its ends included), the draws' notices with the facts as the
    page computes them (``model_calls.prior_draw_stats``, ``views.draw_facts``), every premise
    recomputed here by scipy's KD-tree and numpy. The AE map's axes radio ("codes", "prior") and
    the whole-map grid size move pictures only: no notice reads them."""
    from ui.lessons.ae_vs_vae import views
    from ui.page import model_calls

    ae_mu, vae_mu, _, labels = page_numbers
    gaps = {"ae": _gap(ae_mu), "vae": _gap(vae_mu)}
    matched = latent.matched_far_share(len(vae_mu), views.N_MIX, 2, views.FAR)
    seen: set[str] = set()
    for seed in page_seeds():
        assert np.array_equal(
            model_calls.prior_draws(seed),
            np.random.default_rng([seed, 1]).standard_normal((2000, 2)),
        )
        st_ae, st_vae = (model_calls.prior_draw_stats(m, seed) for m in (views.AE, views.VAE))
        f = views.draw_facts(st_ae, st_vae, labels, ae_mu, vae_mu)
        assert f.n == 2000 and f.far_gaps == 3.0 and f.matched == matched
        seen |= check_draw_notes(f, seed, ae_mu, vae_mu, labels, gaps)
    assert {"mix vae", "cover ae near", "closer vae", "coverage gaps"} <= seen


def test_posterior_caption_every_pick(page_numbers):
    """Every test digit the map or the link can pick: the caption's branch from its posterior as
    the page draws it (``latent.ellipse`` at 2σ on the VAE map's axes), the premise from μ and σ:
    hidden only when the ellipse spans less than a 15th of the axes, "off" exactly when μ is off
    the axes, where the marker sits at their edge (30 codes of vae-2d reach past 4)."""
    from ui.draw import altair_charts
    from ui.lessons.ae_vs_vae import views

    _, vae_mu, vae_lv, _ = page_numbers
    gap = _gap(vae_mu)
    (x0, x1), (y0, y1) = views.VAE_DOMAINS
    seen = set()
    for pick in range(len(vae_mu)):
        ring = latent.ellipse(vae_mu[pick], vae_lv[pick], k=2.0)
        sd = np.exp(0.5 * vae_lv[pick])
        f = ac.PosteriorFacts(
            pick,
            views.N_POSTERIOR,
            (float(sd[0]), float(sd[1])),
            altair_charts.hidden_by_marker(ring, views.VAE_DOMAINS),
            gap,
            (float(vae_mu[pick, 0]), float(vae_mu[pick, 1])),
            views.VAE_DOMAINS,
        )
        branch, text = ac.posterior_caption(f)
        seen.add(branch)
        off = not (x0 <= vae_mu[pick, 0] <= x1 and y0 <= vae_mu[pick, 1] <= y1)
        span = 4 * sd.max()  # the 2σ ellipse's widest extent
        if branch == "off":
            assert off and f"μ = ({vae_mu[pick, 0]:.2f}, {vae_mu[pick, 1]:.2f})" in text
        elif branch == "hidden":
            assert not off and span < max(x1 - x0, y1 - y0) / 15 + 1e-9
            assert f"about {np.sqrt(sd.prod()) / gap:.1f} typical gaps" in text
            assert np.sqrt(sd.prod()) / gap >= 0.05  # never "about 0.0"
        else:
            assert not off and span >= max(x1 - x0, y1 - y0) / 15 - 1e-9
        assert f"σ = ({sd[0]:.3f}, {sd[1]:.3f})" in text and f"#{pick}," in text
        assert not any(w in text.lower() for w in BAD)
    assert {"hidden", "seen"} <= seen
    assert ("off" in seen) == bool((np.abs(vae_mu) > 4).any())


def test_recon_note_as_the_page_computes_it(page_numbers):
    """The price in reconstruction (no control moves it): the page's per-digit loss checked by
    hand on every tenth digit (decoder at each model's code), the branch from both means, the
    difference the printed one."""
    import torch

    from ui.lessons.ae_vs_vae import views
    from ui.page import loaders
    from vae import arrays

    f = views.recon_facts()
    x = torch.from_numpy(loaders.test_images_float()[::10, None].copy())  # 1,000 digits
    for name, got in (("ae-2d", f.ae), ("vae-2d", f.vae)):  # recon_facts: arrays.recon_at_mean
        model = zoo.load(name)  # the torch twin of the page's NumPy model
        with torch.inference_mode():  # the loss at the code by hand, on every tenth digit
            logits = model.decode_logits(model.encode(x, None)[0], None)
            bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none")
        page = arrays.recon_at_mean(loaders.model(name), loaders.test_images_float()[::10])
        assert page == pytest.approx(bce.sum((1, 2, 3)).numpy(), rel=1e-4)
        assert np.isfinite(got) and got > 0  # the mean of that loss over all 10,000 digits
    branch, text = ac.recon_note(f)
    price = round(float(f"{f.vae:.1f}") - float(f"{f.ae:.1f}"), 1)
    assert {"vae pays": f.vae > f.ae and price > 0, "same": f.vae > f.ae and price == 0}.get(
        branch, f.vae <= f.ae
    )
    if branch == "vae pays":
        assert f"; {price:.1f} nats" in text


def test_edges_of_the_draw_and_recon_notes():
    """A VAE mix closer by less than the printed percentage is not called the closer; "only" only
    when the AE has the fewer codes inside; "about as well" only within a factor 1.5 either way;
    a price of less than the printed 0.1 nats is not printed as 0.0."""
    assert ac.mix_note(facts(tv_ae=0.052, tv_vae=0.05))[0] == "ae"
    far = ac.cover_note(facts(far_ae=0.7, inside_ae=0.97))[1]
    assert "only" not in far.split("of its codes")[0]
    assert ac.coverage(facts(far_vae=0.01, matched=0.07)) == "better"
    assert "fewer of its draws" in ac.cover_note(facts(far_vae=0.01, matched=0.07))[1]
    assert ac.coverage(facts(far_vae=0.08, matched=0.07)) == "as well"
    b, text = ac.recon_note(ac.ReconFacts(ae=142.31, vae=142.34))  # both printed 142.3
    assert b == "same" and "0.0 nats" not in text
    b, text = ac.recon_note(ac.ReconFacts(ae=142.34, vae=150.86))  # printed 142.3 and 150.9
    assert b == "vae pays" and "; 8.6 nats" in text


def test_a_posterior_off_the_axes_is_said_to_be():
    """Past defect (found by the sweep): for a digit whose μ lies past the VAE map's ±4 the caption
    spoke of "the dashed ellipse on the VAE's map", hidden under a marker that sits at the edge."""
    dom = ((-4.0, 4.0), (-4.0, 4.0))
    f = ac.PosteriorFacts(5, 6, (0.01, 0.01), True, 0.0145, (4.71, 0.5), dom)
    branch, text = ac.posterior_caption(f)
    assert ac.off_map(f) and branch == "off" and "hidden under the marker" not in text
    assert "μ = (4.71, 0.50)" in text
    inside = dataclasses.replace(f, mu=(3.9, 0.5))
    assert not ac.off_map(inside) and ac.posterior_caption(inside)[0] == "hidden"


def test_the_axes_radio_and_the_grid_size_feed_no_notice():
    """The controls the sweep does not vary: on the page, the AE map's axes (``axes``) go to
    ``views.code_maps`` alone and the whole-map grid size (``n``) to ``views.whole_maps`` alone,
    so no notice or caption of claims.py reads them."""
    import ast
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "pages" / "01_AE_vs_VAE.py"
    tree = ast.parse(page.read_text())
    for var, callee in (("axes", "code_maps"), ("n", "whole_maps")):
        users = set()
        for call in (c for c in ast.walk(tree) if isinstance(c, ast.Call)):
            if any(isinstance(a, ast.Name) and a.id == var for a in call.args):
                users.add(ast.unparse(call.func))
        reads = [
            x
            for x in ast.walk(tree)
            if isinstance(x, ast.Name) and x.id == var and isinstance(x.ctx, ast.Load)
        ]
        assert users == {f"views.{callee}"} and len(reads) == 1, (var, users, len(reads))
