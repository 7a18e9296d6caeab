"""Fast tier: AE vs VAE's sentences on prior draws (``ui.lessons.ae_vs_vae.claims``), each branch on
synthetic
numbers, and a premise sweep over a small set of seeds with the facts recomputed here from the codes
in cache/: every distance is said in a named unit, and compared only within one unit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ui.lessons.ae_vs_vae import claims as ac
from vae import artefacts, latent, neighbours, prior

SEEDS = (0, 1, 7, 999_999)
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
