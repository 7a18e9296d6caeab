"""The Latent explorer's words and map extent, pure functions of the model's kind and codes (no
Streamlit): what a VAE's page says about the prior, the KL term and posterior means, and what an
autoencoder's says instead (it has none of them); the latent pad's square box, sized to show the
model's codes, and the sentence that says which codes, if any, lie outside it; the notices on the
code set by hand (``CodeFacts``: its nearest test code in typical gaps, its neighbours' digit, the
norms of random codes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.lessons import words
from vae import neighbours, prior

MIN_HALF = 4.0  # the pad is at least +-4 (a VAE's codes and the prior's mass fit in it)
KEEP = 0.999  # the box holds at least this share of the codes on both axes (a few far outliers
# would otherwise shrink everything else to a dot)


@dataclass(frozen=True)
class Wording:
    """The sentences that depend on whether the model has a prior."""

    origin: str  # the origin as a starting point
    code_of: str  # what a test image's code is
    pad_title: str  # the pad's title
    formula: str  # LaTeX: how the model makes an image
    decoder_note: str  # the paragraph under the formula


def wording(is_ae: bool) -> Wording:
    """A VAE's words, or an autoencoder's, which has no prior, no KL term and no posterior."""
    if is_ae:
        return Wording(
            "the origin, z = 0 (nothing in an autoencoder's training makes this point special)",
            "code (the encoder's output)",
            "Test codes (the encoder's outputs): click anywhere",
            r"\hat x = \mathrm{decoder}(z), \qquad z = \mathrm{encoder}(x)",
            "The decoder is a function from a code to pixel values; here you set the code "
            "yourself. An autoencoder is trained only to rebuild each image from its own code: "
            "there is no prior and no KL term, so nothing in training says what it draws between "
            "or away from the test codes.",
        )
    return Wording(
        "the origin, z = 0, the centre of the prior",
        "code (posterior mean)",
        "Test codes (posterior means): click anywhere",
        r"z \sim p(z) = \mathcal{N}(0, I_d), \qquad x \sim p_\theta(x \mid z) = "
        r"\mathrm{Bernoulli}\big(\mathrm{decoder}(z)\big)",
        "The decoder is a function from a code to pixel probabilities; here you set the code "
        "yourself. The KL term pulls the training codes toward the prior, so a VAE's decoder "
        "learns to draw wherever the prior puts its mass; drawing codes from the prior, below, is "
        "how a VAE *generates*.",
    )


def pad_half(mu: np.ndarray) -> float:
    """Half the side of the pad's square box centred on 0: at least MIN_HALF, else the KEEP
    quantile of |z| over both axes, rounded up to a whole unit."""
    q = float(np.quantile(np.abs(np.asarray(mu, dtype=np.float64)), KEEP))
    return float(max(MIN_HALF, np.ceil(q)))


@dataclass(frozen=True)
class PadFacts:
    """The pad's box and the test codes outside it."""

    half: float  # the box is [-half, half] on both axes
    n: int  # test codes
    outside: tuple[int, ...]  # per digit 0..9, codes outside the box


def pad_facts(mu: np.ndarray, labels: np.ndarray, half: float) -> PadFacts:
    """Count the codes (N, 2) outside the square [-half, half]^2, per digit."""
    out = np.abs(np.asarray(mu, dtype=np.float64)).max(axis=1) > half
    return PadFacts(
        float(half), len(mu), tuple(int(v) for v in np.bincount(labels[out], minlength=10))
    )


def pad_note(f: PadFacts) -> str:
    """What the map shows: its box and the codes left out (how many, which digits)."""
    box = f"The map spans {-f.half:g} … {f.half:g} on both axes (the same scale on each, z₂ up)"
    lost = sum(f.outside)
    if lost == 0:
        return box + f": all {f.n:,} test codes are on it."
    digits = [str(k) for k in np.argsort(f.outside)[::-1] if f.outside[k] > 0]
    return (
        box
        + f"; {lost:,} of the {f.n:,} test codes ({words.pct(lost / f.n)}) lie beyond it and are "
        f"not drawn (digits {', '.join(digits)}, most first)."
    )


NEAR = 2.0  # nearest test code within this many typical gaps: among the data
GAP = 5.0  # within this many: in a gap between the codes; farther: far from every test code
ORIGIN = 0.25  # every random code at least this share of the typical norm from the origin: the
# origin is not where they land (in 3-D one of 16 draws can lie closer)


@dataclass(frozen=True)
class CodeFacts:
    """The code on screen, its neighbours among the test codes, and the random codes below it."""

    n_codes: int  # test codes
    nearest: int  # index of the nearest test code
    nearest_label: int  # its digit
    dist: float  # distance from the code to it
    gap: float  # typical gap between neighbouring test codes (median 1-NN distance)
    top: int  # most common digit among the 50 test codes nearest the code
    top_share: float  # its share among them
    n: int  # random codes drawn from N(0, I)
    norm_min: float  # their smallest and largest norm
    norm_max: float
    d: int  # latent dimensions
    typical: float  # a draw from N(0, I_d)'s mean distance from the origin
    is_ae: bool  # an autoencoder: no prior


def code_facts(
    mu: np.ndarray, labels: np.ndarray, z: np.ndarray, zs: np.ndarray, gap: float, is_ae: bool
) -> CodeFacts:
    """The numbers of the notices, from the test codes ``mu`` (N, d), the code ``z`` (d,) and the
    random codes ``zs`` (n, d)."""
    dists, rows = neighbours.nearest_one(mu, z)
    top, share = neighbours.neighbourhood(mu, labels, z, k=50)
    norms = np.linalg.norm(zs, axis=1)
    i = int(rows[0])
    return CodeFacts(
        n_codes=len(mu),
        nearest=i,
        nearest_label=int(labels[i]),
        dist=float(dists[0]),
        gap=float(gap),
        top=top,
        top_share=share,
        n=len(zs),
        norm_min=float(norms.min()),
        norm_max=float(norms.max()),
        d=int(mu.shape[1]),
        typical=float(prior.typical_norm(int(mu.shape[1]))),
        is_ae=bool(is_ae),
    )


def ratio(f: CodeFacts) -> float:
    """The distance to the nearest test code in typical gaps (infinite when the gap is 0)."""
    return f.dist / f.gap if f.gap > 0 else float("inf")


def notices(f: CodeFacts) -> list[str]:
    """What to notice: where the code lies among the test codes, what its neighbours are, and how
    far random codes land from the origin."""
    r = ratio(f)
    norms = (
        f"from {f.norm_min:.2f} to {f.norm_max:.2f}" if f.n > 1 else f"{f.norm_min:.2f}"
    )  # one code: its own norm
    return [
        f"The nearest of the {f.n_codes:,} test codes is #{f.nearest}, "
        f"{words.a_digit(f.nearest_label, bold=True)}, {f.dist:.3g} away: "
        f"**{r:.1f}×** the typical gap between neighbouring test codes ({f.gap:.3g})"
        + (
            ": among the data, where the decoder was trained."
            if r < NEAR
            else ": in a gap between the codes, where the decoder saw few examples."
            if r < GAP
            else ": far from every test code, so the decoder is guessing here."
        ),
        f"Among the 50 test codes nearest to yours, {f.top_share:.0%} are {f.top}s. Compare that "
        "with the digit drawn above.",
        f"The {f.n} random code{'s have norms' if f.n > 1 else ' has norm'} {norms}; in {f.d} "
        f"dimensions a draw from N(0, I) lies {f.typical:.2f} from the origin on average"
        + (
            ". An autoencoder has no prior: nothing in its training made these draws decode to "
            "digits (compare with vae-2d)."
            if f.is_ae
            else "."
            if f.d <= 2
            else ", so the origin itself is not where random codes land."
            if f.norm_min >= ORIGIN * f.typical
            else f"; the nearest of these, {f.norm_min:.2f} from the origin, is a rare exception: "
            "random codes seldom land this close to it."
        ),
    ]
