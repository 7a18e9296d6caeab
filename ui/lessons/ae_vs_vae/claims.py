"""The AE vs VAE lesson's sentences (no Streamlit, so the fast tier tests every branch): about prior
draws, the digit mix they land on and how far they land from each model's codes, always naming
the unit: each model's own typical gap (the median distance between neighbouring test codes, which
differs between the models) or latent units, in which a draw is the same point for both; the price
in reconstruction; and the caption of a picked digit's posterior samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ui.lessons.words import a_digit, pct

CLOSE_MIX = 0.1  # total variation from the test set's mix at most this: "in about its mix"
SAME_DIST = 0.1  # median distances within this share of each other: "about as close"


@dataclass(frozen=True)
class DrawFacts:
    """One seed's prior draws among both models' test codes."""

    n: int  # draws
    far_gaps: float  # "far": more than this many of the model's own typical gaps from every code
    h_ae: tuple[float, ...]  # (10,) digit mix of the draws' nearest AE codes
    h_vae: tuple[float, ...]
    h_test: tuple[float, ...]  # the test set's mix
    tv_ae: float  # total variation from the test set's mix
    tv_vae: float
    gap_ae: float  # typical gap, latent units
    gap_vae: float
    far_ae: float  # share of draws farther than far_gaps own typical gaps from every code
    far_vae: float
    med_ae: float  # median distance of a draw to the nearest test code, latent units
    med_vae: float
    inside_ae: float  # codes inside the prior's 99 % circle
    inside_vae: float
    matched: (
        float  # far share for codes spread exactly like the prior (``latent.matched_far_share``)
    )


def vae_mix_closer(f: DrawFacts) -> bool:
    """Whether the VAE's mix is the closer to the test set's, and reads so: its total variation is
    the smaller and the two do not print as the same percentage."""
    return f.tv_vae < f.tv_ae and pct(f.tv_vae) != pct(f.tv_ae)


def mix_note(f: DrawFacts) -> tuple[str, str]:
    """(branch, sentence): "vae" (the VAE's mix is the closer, said to match only when it does) or
    "ae" (the AE's is as close, or the two read the same)."""
    h_ae, h_test = np.asarray(f.h_ae), np.asarray(f.h_test)
    over, under = int(np.argmax(h_ae - h_test)), int(np.argmin(h_ae - h_test))
    if vae_mix_closer(f):
        how = (
            "in about the test set's mix"
            if f.tv_vae <= CLOSE_MIX
            else "in a mix closer to the test set's than the AE's"
        )
        return "vae", (
            f"**The mix is what the KL term buys.** The VAE's draws land on the digits {how} "
            f"({pct(f.tv_vae)} off in total variation); the AE's are {pct(f.tv_ae)} off: "
            f"{a_digit(over)} for {pct(h_ae[over])} of them, {a_digit(under)} for "
            f"{pct(h_ae[under])} (test set: "
            f"{pct(h_test[over])} and {pct(h_test[under])}). Nothing in the AE's training refers "
            "to N(0, I)."
        )
    return "ae", (
        f"**Here the AE's mix is as close as the VAE's** ({pct(f.tv_ae)} vs {pct(f.tv_vae)} off in "
        "total variation): by where its codes happen to lie, not by its training, which never "
        "refers to N(0, I)."
    )


def distance_branch(f: DrawFacts) -> str:
    """Which model's draws are closer to its codes in latent units: "vae", "ae" or "same"."""
    if f.med_vae < (1 - SAME_DIST) * f.med_ae:
        return "vae"
    if f.med_ae < (1 - SAME_DIST) * f.med_vae:
        return "ae"
    return "same"


def cover_note(f: DrawFacts) -> tuple[str, str]:
    """(branch, sentence) on where the draws land, in each model's own gaps and in latent units.
    Branches: "ae near" (most AE draws within far_gaps of its own gaps) or "ae far"."""
    own = f"{f.far_gaps:g} of the model's *own* typical gaps"
    units = (
        " Those counts use two units: a typical gap (the median distance between neighbouring test "
        f"codes) is {f.gap_ae:.3g} for the AE and {f.gap_vae:.3g} for the VAE."
    )
    d = distance_branch(f)
    closer = {
        "vae": "the VAE's draws are the closer ones",
        "ae": "the AE's draws are the closer ones",
        "same": "both models' draws land about as close",
    }[d]
    # like with like first: in latent units a draw is the same point for both models
    out = (
        f"**In latent units, where each draw is the same point for both models, {closer}**: the "
        f"median distance to the nearest test code is AE {f.med_ae:.3f}, VAE {f.med_vae:.3f}. "
    )
    if f.far_ae < 0.5:
        branch = "ae near"
        out += (
            "Most of the AE's draws land among its codes too when each model is measured in its "
            f"own unit ({pct(1 - f.far_ae)} within {own} of a test code; VAE: "
            f"{pct(1 - f.far_vae)}), and {pct(f.inside_ae)} of its codes happen to lie inside the "
            f"prior's 99 % circle (VAE: {pct(f.inside_vae)}): an AE *can* be sampled, with no "
            "promise of what comes out."
        )
    else:
        branch = "ae far"
        out += (
            "Most of the AE's draws land far from its codes when each model is measured in its "
            f"own unit ({pct(f.far_ae)} farther than {own} from every test code; VAE: "
            f"{pct(f.far_vae)}): "
            + ("only " if f.inside_ae < f.inside_vae else "")
            + f"{pct(f.inside_ae)} of its codes lie inside the prior's 99 % circle (VAE: "
            f"{pct(f.inside_vae)})."
        )
    out += units
    if coverage(f) == "gaps":
        out += (
            " The KL term pulls each posterior toward the prior but does not make the codes fill "
            "it "
            f"together: {pct(f.far_vae)} of the VAE's draws land farther than {f.far_gaps:g} of "
            "its gaps "
            f"from its codes, against {pct(f.matched)} for codes spread exactly like the prior "
            "(its sparse tails): look for the empty patches."
        )
    elif coverage(f) == "as well":
        out += (
            " The VAE's codes cover its prior about as well as codes drawn from the prior itself "
            "would "
            f"({pct(f.far_vae)} of its draws that far, against {pct(f.matched)})."
        )
    else:
        out += (
            " The VAE's codes leave fewer of its draws that far than codes drawn from the prior "
            f"itself would ({pct(f.far_vae)}, against {pct(f.matched)})."
        )
    return branch, out


COVER_RATIO = 1.5  # far shares within this factor of the prior's own: "about as well"


def coverage(f: DrawFacts) -> str:
    """The VAE's far share against codes spread exactly like the prior: "gaps" (more than
    COVER_RATIO times theirs), "better" (less than theirs over COVER_RATIO) or "as well"."""
    if f.far_vae > COVER_RATIO * f.matched:
        return "gaps"
    if f.far_vae * COVER_RATIO < f.matched:
        return "better"
    return "as well"


def draw_caption(gap_ae: float, gap_vae: float) -> str:
    """Under the decoded draws: the unit of the distances printed under each image."""
    return (
        "Under each image: how far z is from the nearest test code of that model, in latent units "
        "(the "
        "same unit for both rows: each column is one z). For scale, each model's typical gap, the "
        "median "
        f"distance between a test code and its nearest neighbour: AE {gap_ae:.3g}, VAE "
        f"{gap_vae:.3g}."
    )


@dataclass(frozen=True)
class ReconFacts:
    """Each model's mean reconstruction loss over the 10,000 test digits, each decoding its own code
    (the VAE its mean μ), in nats (``arrays.recon_at_mean``)."""

    ae: float
    vae: float


def recon_note(f: ReconFacts) -> tuple[str, str]:
    """(branch, sentence) on the price in reconstruction: "vae pays" (the VAE's loss is the larger)
    or "no price"."""
    out = (
        "**The price in reconstruction**, like with like (each decoding its code, the VAE its mean "
        f"μ, all 10,000 test digits): AE {f.ae:.1f} nats, VAE {f.vae:.1f}"
    )
    price = round(float(f"{f.vae:.1f}") - float(f"{f.ae:.1f}"), 1)  # as the two are printed
    if f.vae > f.ae and price > 0:
        return "vae pays", out + (
            f"; {price:.1f} nats of reconstruction buy a latent space you can sample from."
        )
    if f.vae > f.ae:  # the VAE's loss the larger by less than the printed 0.1 nats
        return "same", out + (
            ": the AE's is lower by less than 0.1 nats, so the orderly latent space costs next to "
            "nothing in reconstruction here."
        )
    return "no price", out + (
        ": with two dimensions the AE does not even reconstruct better, so the orderly latent "
        "space costs nothing in reconstruction here."
    )


@dataclass(frozen=True)
class PosteriorFacts:
    """The picked digit's posterior q(z|x) in the VAE, as its samples' caption says it."""

    pick: int  # the picked test digit's index
    n: int  # samples of its posterior decoded
    sd: tuple[float, float]  # its posterior's σ per axis, latent units
    hidden: bool  # its μ ± 2σ ellipse lies under the map's marker (``hidden_by_marker``)
    gap_vae: float  # the VAE's typical gap between neighbouring test codes, latent units
    mu: tuple[float, float] | None = None  # its posterior's mean, latent units
    domains: tuple[tuple[float, float], tuple[float, float]] | None = None  # the VAE map's axes


def off_map(f: PosteriorFacts) -> bool:
    """Whether the picked digit's μ lies outside the VAE map's axes: the marker then sits at their
    edge and the (clipped) ellipse is not drawn around it. False when μ or the axes are not
    given."""
    if f.mu is None or f.domains is None:
        return False
    return any(not lo <= m <= hi for m, (lo, hi) in zip(f.mu, f.domains))


def posterior_caption(f: PosteriorFacts) -> tuple[str, str]:
    """(branch, caption) under the posterior's samples: "hidden" (then σ's geometric mean in the
    VAE's typical gaps, so a posterior too small to see is not taken for a sure one), "seen", or
    "off" (μ off the map's axes, where the marker is drawn at their edge: only the part of the
    ellipse inside them is drawn, around no marker, whatever its size)."""
    head = (
        f"Test digit #{f.pick}, each model's reconstruction from its code, and {f.n} samples: "
        "codes drawn from the VAE's posterior, z = μ + σ·ε with σ = "
        f"({f.sd[0]:.3f}, {f.sd[1]:.3f})"
    )
    if off_map(f) and f.mu is not None and f.domains is not None:
        (x0, x1), (y0, y1) = f.domains
        return "off", head + (
            f". Its μ = ({f.mu[0]:.2f}, {f.mu[1]:.2f}) lies off the VAE map's axes (z₁ {x0:g} … "
            f"{x1:g}, z₂ {y0:g} … {y1:g}): the marker sits at their edge, and of the ellipse "
            "μ ± 2σ only what reaches inside them is drawn."
        )
    out = head + ": the dashed ellipse on the VAE's map (μ ± 2σ"
    if f.hidden:
        return "hidden", out + (
            ", hidden under the marker at this scale, though σ is about "
            f"{math.sqrt(f.sd[0] * f.sd[1]) / f.gap_vae:.1f} typical gaps between neighbouring "
            "VAE codes)."
        )
    return "seen", out + ")."
