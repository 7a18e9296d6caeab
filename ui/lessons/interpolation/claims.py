"""The Interpolation lesson's comparison of the two paths, a pure function of its numbers (no
Streamlit): how far each path runs from the data along its whole length (the mean emptiness and
the share of points where each is the closer one), not only at its emptiest point, and a verdict
that names a path only when the numbers show it; the notices around it (``WalkFacts``): the lerp
frame against the pixel blend halfway, and the codes' norms against the prior's shell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.lessons import words
from vae import paths, pixels, units

MEAN_MARGIN = (
    0.10  # a path is "closer" when its mean emptiness is lower by this share of the smaller
)
POINT_MARGIN = 0.05  # at one point, a path is the closer one when lower by this share of the other
NEW_DRAWING = 0.8  # the lerp frame's R² as a mix of the endpoints below this: a new drawing
INSIDE = 0.8  # test codes' median norm below this share of √d: they sit inside the prior's shell
PATH_NAMES = {"lerp": "straight line (lerp)", "slerp": "great circle (slerp)"}  # the page's words


@dataclass(frozen=True)
class PathFacts:
    """Emptiness along each path at the same points t (distance to the k-th nearest test code ÷ the
    usual one: about 1 among the data)."""

    lerp: tuple[float, ...]
    slerp: tuple[float, ...]


@dataclass(frozen=True)
class Verdict:
    """The two paths compared along their whole length."""

    mean: dict[str, float]  # mean emptiness per path
    worst: dict[str, float]  # highest emptiness per path
    closer_share: dict[str, float]  # share of the points where this path is the closer one
    winner: str | None  # "lerp", "slerp", or None when the means are within MEAN_MARGIN


def verdict(f: PathFacts) -> Verdict:
    """Compare lerp and slerp by mean emptiness (the verdict) and point by point (the shares)."""
    e = {
        "lerp": np.asarray(f.lerp, dtype=np.float64),
        "slerp": np.asarray(f.slerp, dtype=np.float64),
    }
    mean = {k: float(v.mean()) for k, v in e.items()}
    worst = {k: float(v.max()) for k, v in e.items()}
    share = {
        "lerp": float(np.mean(e["lerp"] < (1 - POINT_MARGIN) * e["slerp"])),
        "slerp": float(np.mean(e["slerp"] < (1 - POINT_MARGIN) * e["lerp"])),
    }
    lo = min(mean, key=mean.get)
    hi = "slerp" if lo == "lerp" else "lerp"
    winner = lo if mean[hi] - mean[lo] >= MEAN_MARGIN * mean[lo] else None
    return Verdict(mean, worst, share, winner)


def path_sentence(v: Verdict, names: dict[str, str], n: int) -> str:
    """The comparison in words: means along the path (the verdict's measure), shares of the
    points, maxima."""
    level = max(0.0, 1.0 - v.closer_share["lerp"] - v.closer_share["slerp"])
    head = (
        f"Along the whole path ({n} points), lerp is on average {v.mean['lerp']:.2f}× the usual "
        f"distance from the data and slerp {v.mean['slerp']:.2f}×; at its emptiest lerp is "
        f"{v.worst['lerp']:.1f}× and slerp {v.worst['slerp']:.1f}×. Point by point, lerp is the "
        f"closer one at {words.pct(v.closer_share['lerp'])} of the points, slerp at "
        f"{words.pct(v.closer_share['slerp'])}, and they are level (within "
        f"{POINT_MARGIN:.0%}) at {words.pct(level)}. "
    )
    if v.winner is None:
        return head + (
            f"On average neither path stays clearly closer to the data (means within "
            f"{MEAN_MARGIN:.0%})."
        )
    return head + f"On average the {names[v.winner]} stays closer to the data on this pair."


@dataclass(frozen=True)
class WalkFacts:
    """What the notices say about one walk from A to B (the numbers after ``same`` are meaningful
    only when A and B differ)."""

    same: bool  # A and B are the same point
    t_mid: float  # the frame nearest t = 0.5
    half_tone: float  # share of the pixel blend's ink at half strength there
    r2: float  # R² of the lerp frame there as a mix a·A + b·B of the decoded endpoints
    paths: PathFacts  # emptiness along each path
    shell_caveat: bool  # a VAE's encoder means in more than 2-D: the shell argument is not theirs
    d: int  # latent dimensions
    is_vae: bool  # a VAE (else a plain autoencoder: no prior)
    prior: bool  # the endpoints are prior draws
    lerp_mid: float  # lerp's code norm halfway
    slerp_mid: float  # slerp's code norm halfway
    ends: float  # the endpoints' average norm
    median: float  # the test codes' median norm
    unused: int  # dimensions with inactive μ (``vae.units.activity``)


def walk_facts(
    t: np.ndarray,
    frames: dict[str, np.ndarray],
    walks: dict[str, np.ndarray],
    empty: dict[str, np.ndarray],
    codes: np.ndarray,
    *,
    same: bool,
    is_vae: bool,
    prior: bool,
) -> WalkFacts:
    """The notices' numbers from the page's arrays: ``t`` (T,), ``frames`` "lerp" / "pixels"
    (T, 28, 28), ``walks`` "lerp" / "slerp" (T, d), ``empty`` "lerp" / "slerp" (DENSE,), the test
    codes (N, d)."""
    mid = int(np.argmin(np.abs(t - 0.5)))
    d = int(codes.shape[1])
    if same:  # no pair to compare: nothing is measured
        nan = float("nan")
        return WalkFacts(
            same=True,
            t_mid=float(t[mid]),
            half_tone=nan,
            r2=nan,
            paths=PathFacts((), ()),
            shell_caveat=False,
            d=d,
            is_vae=is_vae,
            prior=prior,
            lerp_mid=nan,
            slerp_mid=nan,
            ends=nan,
            median=nan,
            unused=0,
        )
    norm = {k: paths.norms(p) for k, p in walks.items()}
    return WalkFacts(
        same=False,
        t_mid=float(t[mid]),
        half_tone=float(pixels.half_tone_share(frames["pixels"][mid])),
        r2=float(pixels.mix_r2(frames["lerp"][mid], frames["lerp"][0], frames["lerp"][-1])),
        paths=PathFacts(tuple(empty["lerp"]), tuple(empty["slerp"])),
        shell_caveat=not prior and is_vae and d > 2,
        d=d,
        is_vae=is_vae,
        prior=prior,
        lerp_mid=float(norm["lerp"][mid]),
        slerp_mid=float(norm["slerp"][mid]),
        ends=float((norm["lerp"][0] + norm["lerp"][-1]) / 2),
        median=float(np.median(paths.norms(codes))),
        unused=int((~units.activity(codes)[1]).sum()),
    )


def blend_sentence(f: WalkFacts) -> str:
    """The pixel blend halfway against the decoded lerp frame: a new drawing, or close to a mix."""
    return (
        f"At t = {f.t_mid:.2f} the pixel blend is A and B superposed "
        f"({words.pct(f.half_tone)} of its ink at half strength). The decoded lerp frame is "
        + (
            "a new drawing: a mix a·A + b·B of the decoded endpoints explains only "
            f"{words.pct(f.r2)} of it (R²); the strokes move instead of fading."
            if f.r2 < NEW_DRAWING
            else f"close to a mix of the decoded endpoints (R² = {words.pct(f.r2)}): these two "
            "drawings are similar enough that walking and fading look alike; try a more "
            "different pair."
        )
    )


def norm_sentence(f: WalkFacts) -> str:
    """The codes' norms halfway, and what the prior's shell means for them (a VAE's prior draws,
    its encoder means, or an autoencoder, which has no prior)."""
    head = (
        f"Halfway, lerp's code has norm {f.lerp_mid:.2f} against the endpoints' average "
        f"{f.ends:.2f}; slerp keeps {f.slerp_mid:.2f}. "
        if np.isclose(f.t_mid, 0.5)
        else f"At t = {f.t_mid:.2f} (no frame halfway), lerp's code has norm {f.lerp_mid:.2f}; "
        f"slerp's has {f.slerp_mid:.2f}, the endpoints' norms blended in the same proportion "
        f"(their average is {f.ends:.2f}). "
    )
    if not f.is_vae:
        return head + (
            "A plain autoencoder has no prior, so no shell to stay in: neither path is privileged."
        )
    root = np.sqrt(f.d)
    unused = f"; {f.unused} of {f.d} dimensions unused" if f.unused else ""
    if f.prior and f.d <= 2:
        return head + (
            f"In {f.d}-D the prior has no thin shell (it is densest at the centre, √d = "
            f"{root:.2f} is no special radius): a code nearer the origin is more likely under "
            "the prior, not less."
        )
    if f.prior:
        return head + (
            f"Prior draws in {f.d}-D sit near √d = {root:.2f}, and a straight line between two of "
            "them cuts inside that shell"
            + (
                f"; but the test codes sit inside it too (median norm {f.median:.2f}{unused}), so "
                "going inside is not going away from the data."
                if f.median < INSIDE * root
                else "."
            )
        )
    if f.d <= 2:
        return head + (
            f"The test codes' median norm is {f.median:.2f}; in {f.d}-D the prior has no thin "
            "shell to hold it against (it is densest at the centre)"
            + (
                f". {f.unused} of {f.d} dimensions are unused (their μ is about 0), which pulls "
                "every code inward."
                if f.unused
                else "."
            )
        )
    return head + (
        f"The test codes' median norm is {f.median:.2f}, against √d = {root:.2f} for prior draws"
        + (
            f": {f.unused} of {f.d} dimensions are unused (their μ is about 0), which pulls every "
            "code inward."
            if f.unused
            else "."
        )
    )


def notices(f: WalkFacts, names: dict[str, str] = PATH_NAMES) -> list[str]:
    """What to notice: the blend, the two paths compared (with the shell caveat where the endpoints
    are a VAE's encoder means in more than 2-D), the norms; or, for one point, a request for two."""
    if f.same:
        return ["Choose two different endpoints to see the paths diverge."]
    caveat = (
        " (The shell argument for slerp is about draws from the prior; these endpoints are encoder "
        "means.)"
    )
    return [
        blend_sentence(f),
        path_sentence(verdict(f.paths), names, len(f.paths.lerp))
        + (caveat if f.shell_caveat else ""),
        norm_sentence(f),
    ]
