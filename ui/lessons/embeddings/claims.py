"""What the Embeddings lesson may say: its notices as pure functions of one model's numbers.

``MapFacts`` holds the numbers of one 10-D model (AE or VAE) and its maps, ``WalkFacts`` those of
one walk along a line drawn on a map; each function returns the sentences that are true for them,
so that every branch can be tested without Streamlit. The only computation here is
``kept_counts``, the exact neighbour overlap of every code (NumPy and SciPy), and the few sums of
``facts_from`` and ``walk_facts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

K = 10  # neighbours compared, as trustworthiness uses (vae.embed.TRUST_K)
NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
PERPLEXITIES = {"tsne_p5": 5, "tsne": 30, "tsne_p100": 100}
FLAT_RATIO = 2.5  # largest over smallest component share at most this: "nearly flat"
EVEN = (0.8, 1.25)  # a per-dimension variance in this band counts as "near the prior's 1"
PC_NOISE_DEG = 10.0  # PC1 turning by a median above this under resampling: its direction is noise
MANY_NONE = 0.25  # a map where more than this share of codes keeps no neighbour gets it named


@dataclass(frozen=True)
class MapFacts:
    """One model's numbers, as the page shows them. Maps are keyed as in the embeddings file."""

    is_ae: bool
    trust: dict[str, float]  # map -> trustworthiness (k = K, on a fixed half of the test set)
    knn: dict[str, float]  # map -> leave-one-out 5-NN digit accuracy
    kept_mean: dict[str, float]  # map -> mean exact overlap of the K nearest in 10-D and on the map
    kept_none: dict[str, float]  # map -> share of codes that keep none of their K neighbours
    floor: tuple[float, float] | None  # a random map's trustworthiness and 5-NN accuracy
    knn_10d: float  # 5-NN accuracy of the 10-D codes themselves
    evr: tuple[float, ...]  # PCA's explained-variance ratios, largest first
    var_mu: tuple[float, ...]  # Var(mu_j) per dimension: what PCA sees
    mean_s2: tuple[float, ...] | None  # E[sigma_j^2] per dimension; None for an AE
    angles: tuple[float, ...]  # PC1's turn (degrees) under bootstrap resamples
    seed_shift: float | None = None  # largest coordinate difference, t-SNE seed 0 against seed 1
    width: float = 1.0  # the t-SNE map's width, for seed_shift


def _knn(x: np.ndarray, k: int) -> np.ndarray:
    """(N, k) indices of each row's k nearest other rows (the row itself left out)."""
    x = np.asarray(x, np.float64)
    return cKDTree(x).query(x, k + 1)[1][:, 1:]


def kept_counts(
    codes: np.ndarray | None, coords: np.ndarray, k: int = K, latent_knn: np.ndarray | None = None
) -> np.ndarray:
    """For every code: how many of its k nearest other codes in the latent space are also among its
    k nearest on the map (exact overlap). (N, d), (N, 2) -> (N,) ints. ``latent_knn``: the codes'
    own neighbours when already known (the 10-D query is the costly half)."""
    a = _knn(codes, k) if latent_knn is None else latent_knn
    b = _knn(coords, k)
    return (a[:, :, None] == b[:, None, :]).any(axis=2).sum(axis=1)


def facts_from(
    emb: Mapping[str, np.ndarray], mu: np.ndarray, logvar: np.ndarray | None
) -> MapFacts:
    """The numbers of one model from its embeddings file and its test codes (logvar None: an AE)."""
    from vae import embed, units  # NumPy only

    var_mu, mean_s2 = units.variance_budget(mu, logvar)
    maps = [m for m in ("pca", "tsne", "umap", *PERPLEXITIES) if m in emb]
    near = _knn(mu, K)  # once for every map
    kept = {m: kept_counts(None, emb[m], latent_knn=near) for m in dict.fromkeys(maps)}
    tsne = np.asarray(emb["tsne"], np.float64)
    return MapFacts(
        is_ae=logvar is None,
        trust={m: float(emb[f"{m}_trustworthiness"]) for m in kept},
        knn={m: float(emb[f"{m}_knn_accuracy"]) for m in kept},
        kept_mean={m: float(v.mean()) for m, v in kept.items()},
        kept_none={m: float((v == 0).mean()) for m, v in kept.items()},
        floor=(
            (float(emb["random_trustworthiness"]), float(emb["random_knn_accuracy"]))
            if "random_trustworthiness" in emb
            else None
        ),
        knn_10d=float(emb["latent_knn_accuracy"]),
        evr=tuple(float(v) for v in emb["pca_explained_variance_ratio"]),
        var_mu=tuple(float(v) for v in var_mu),
        mean_s2=None if logvar is None else tuple(float(v) for v in mean_s2),
        angles=tuple(float(v) for v in embed.pc_angles_cov(mu)),
        seed_shift=(float(np.abs(tsne - emb["tsne_seed1"]).max()) if "tsne_seed1" in emb else None),
        width=float(np.ptp(tsne, axis=0).max()),
    )


def flat(evr: tuple[float, ...]) -> bool:
    """The spectrum is nearly flat: the largest share at most FLAT_RATIO times the smallest."""
    return max(evr) <= FLAT_RATIO * max(min(evr), 1e-12)


def within(values: tuple[float, ...], band: tuple[float, float] = EVEN) -> bool:
    return band[0] <= min(values) and max(values) <= band[1]


def total_spread(f: MapFacts) -> tuple[float, ...] | None:
    """Var(mu_j) + E[sigma_j^2] per dimension (the aggregate posterior's variance); None: an AE."""
    return None if f.mean_s2 is None else tuple(v + s for v, s in zip(f.var_mu, f.mean_s2))


def pc1_verdict(angles: tuple[float, ...]) -> str:
    """ "noise" (median turn above PC_NOISE_DEG), "stable" (every turn within it), else "loose"."""
    if float(np.median(angles)) > PC_NOISE_DEG:
        return "noise"
    return "stable" if max(angles) <= PC_NOISE_DEG else "loose"


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %" if x < 0.1 else f"{100 * x:.0f} %"


def neighbour_notice(f: MapFacts, pick: int, pick_kept: dict[str, int]) -> str:
    """Both measures of neighbourhood keeping, what each counts, and the picked code's overlap."""
    t = {m: f.trust[m] for m in NAMES}
    best, worst = max(t, key=t.get), min(t, key=t.get)
    s = (
        f"By trustworthiness {NAMES[best]} keeps neighbourhoods best ({t[best]:.3f}), "
        f"{NAMES[worst]} worst ({t[worst]:.3f})"
        + (f"; a random map scores {f.floor[0]:.2f}." if f.floor else ".")
        + " "
    )
    by_count = sorted(NAMES, key=lambda m: -f.kept_mean[m])
    s += (
        "Counting exact overlap is stricter: on average a code keeps "
        + ", ".join(
            f"{f.kept_mean[m]:.2f} of its {K} nearest 10-D neighbours on {NAMES[m]}"
            if i == 0
            else f"{f.kept_mean[m]:.2f} on {NAMES[m]}"
            for i, m in enumerate(by_count)
        )
        + " (among its 10 nearest there)"
    )
    many_none = [m for m in by_count if f.kept_none[m] > MANY_NONE]
    if many_none:
        s += "; " + " and ".join(
            f"on {NAMES[m]} {_pct(f.kept_none[m])} of codes keep none" for m in many_none
        )
    top = f.kept_mean[by_count[0]]
    s += (
        ". No map keeps even half of them on average. "
        if top < K / 2
        else f". {NAMES[by_count[0]]} keeps more than half on average. "
    )
    if by_count[0] != best or by_count[-1] != worst:
        s += "The two measures rank the maps differently. "
    s += (
        "The gap between the measures is by design: trustworthiness charges a map neighbour that "
        "is "
        "not a 10-D neighbour only by how far down the 10-D list it really is, so near misses cost "
        "little, while the overlap count drops them altogether. "
    )
    s += (
        f"Here #{pick} keeps {pick_kept[by_count[0]]} of {K} on {NAMES[by_count[0]]} and "
        f"{pick_kept[by_count[-1]]} on {NAMES[by_count[-1]]}."
    )
    return s


def pca_notice(f: MapFacts) -> str:
    """PCA's spectrum, why it has that shape for this kind of model, and whether PC1 is stable."""
    evr = f.evr
    s = (
        f"PCA's plane holds {_pct(evr[0] + evr[1])} of the variance of the means μ (PC1 "
        f"{_pct(evr[0])}, PC2 {_pct(evr[1])}); its {len(evr)} components hold {_pct(max(evr))} "
        f"down to {_pct(min(evr))}"
    )
    s += (
        f", nearly flat (a flat spectrum gives each {_pct(1 / len(evr))}). "
        if flat(evr)
        else f": PC1 holds {max(evr) / max(min(evr), 1e-12):.1f} times as much as PC{len(evr)}. "
    )
    vm = f.var_mu
    total = total_spread(f)
    if total is None:
        s += (
            "An autoencoder has no prior and no KL term, so nothing evens out its dimensions: "
            f"Var(μⱼ) runs from {min(vm):.1f} to {max(vm):.1f}. "
        )
    elif within(total):
        s += (
            "The KL term pulls each dimension's total spread Var(μⱼ) + E[σⱼ²] toward the prior's 1 "
            f"(here {min(total):.2f} to {max(total):.2f}), but PCA sees only the means: "
        )
        s += (
            f"E[σⱼ²] is at most {max(f.mean_s2):.2f}, so Var(μⱼ) is {min(vm):.2f} to "
            f"{max(vm):.2f} in every dimension. "
            if within(vm)
            else f"E[σⱼ²] takes {min(f.mean_s2):.2f} to {max(f.mean_s2):.2f} of it, so Var(μⱼ) "
            "runs "
            f"from {min(vm):.2f} to {max(vm):.2f}. "
        )
    else:
        s += (
            f"This model's total spread per dimension, Var(μⱼ) + E[σⱼ²], is not held near the "
            f"prior's 1: it runs from {min(total):.2f} to {max(total):.2f}, and Var(μⱼ), what PCA "
            f"sees, from {min(vm):.2f} to {max(vm):.2f}. "
        )
    if not flat(evr) and max(vm) / max(min(vm), 1e-12) < max(evr) / max(min(evr), 1e-12):
        s += (
            "The dimensions' own variances differ less than the components do, so the uneven "
            "spectrum comes from correlations between dimensions. "
        )
    med, top = float(np.median(f.angles)), max(f.angles)
    verdict = pc1_verdict(f.angles)
    if verdict == "noise":
        s += (
            f"Resample the test set and PC1 turns by a median of {med:.1f}° (up to {top:.1f}°), "
            f"above the {PC_NOISE_DEG:g}° we call noise: which dimension it leans on is noise."
        )
    elif verdict == "stable":
        s += (
            f"Resampling the test set turns PC1 by at most {top:.1f}° (median {med:.1f}°): its "
            "direction is stable."
        )
    else:
        s += (
            f"Resampling the test set turns PC1 by a median of {med:.1f}° but up to {top:.1f}°: "
            "its direction is only roughly fixed, so read its loadings loosely."
        )
    return s


def knn_notice(f: MapFacts) -> str:
    """5-NN digit accuracy on each map against the 10-D codes."""
    acc = {m: f.knn[m] for m in NAMES}
    spread = max(acc.values()) - min(acc.values())
    s = (
        "Digits stay apart to different degrees"
        if spread >= 0.02
        else "Digits stay apart about equally well on all three maps"
    )
    s += (
        f": 5-NN accuracy is {_pct(acc['pca'])} on PCA, {_pct(acc['tsne'])} on t-SNE and "
        f"{_pct(acc['umap'])} on UMAP, against {_pct(f.knn_10d)} in 10-D. "
    )
    return s + "t-SNE's and UMAP's gaps and cluster sizes are not distances: see the walk below."


def notices(f: MapFacts, pick: int, pick_kept: dict[str, int]) -> list[str]:
    """The "what to notice" bullets, in the page's order."""
    return [neighbour_notice(f, pick, pick_kept), pca_notice(f), knn_notice(f)]


def knobs_text(f: MapFacts) -> str:
    """The t-SNE expander's text: what perplexity does here, measured, and what the seed changes."""
    p = [m for m in PERPLEXITIES if m in f.kept_mean]
    s = (
        "Perplexity is roughly how many neighbours each point weighs when t-SNE places it. Here, "
        "at perplexity "
        + ", ".join(str(PERPLEXITIES[m]) for m in p)
        + ", a code keeps on average "
        + ", ".join(f"{f.kept_mean[m]:.2f}" for m in p)
        + f" of its {K} nearest 10-D neighbours "
        "(trustworthiness " + ", ".join(f"{f.trust[m]:.3f}" for m in p) + "); "
    )
    most = max(p, key=lambda m: f.kept_mean[m])
    s += f"perplexity {PERPLEXITIES[most]} keeps the most. "
    if f.seed_shift is not None:
        s += (
            f"The seed-1 map is identical to the seed-0 one here (largest difference "
            f"{f.seed_shift:.2g}): this t-SNE starts from the PCA layout, which no seed changes."
            if f.seed_shift <= 1e-6 * f.width
            else f"Another seed moves points by up to {f.seed_shift:.1f} on a map {f.width:.0f} "
            "wide: another map of the same codes."
        )
    return s


def spectrum_title(f: MapFacts) -> str:
    """The expander's title: "why ... flat" only where the spectrum is flat and the KL is why."""
    total = total_spread(f)
    if total is not None and flat(f.evr) and within(total) and within(f.var_mu):
        return "Why PCA's spectrum is flat: the variance of each dimension"
    return "PCA's spectrum and the variance of each dimension"


# --- the walk along a line drawn on a map -------------------------------------------------------

FAR = 0.05  # a line point farther than this share of the map's width from every code: empty map


@dataclass(frozen=True)
class WalkFacts:
    """One walk along a line drawn on a map: its samples and the real codes nearest them."""

    same_ends: bool  # the line's start and end are the same point
    n: int  # samples along the line
    n_far: int  # of those, points farther than FAR of the map's width from every code
    span: tuple[float, float, float, float]  # the map's codes: smallest, largest x; then y
    distinct: int  # different codes the walk visits
    digits: tuple[int, ...]  # their digits, in the order first visited
    largest_jump: float  # largest 10-D distance between consecutive codes of the walk
    straight_step: float  # the straight 10-D line's step between the walk's first and last codes


def walk_facts(
    same_ends: bool,
    far: np.ndarray,
    coords: np.ndarray,
    mu: np.ndarray,
    labels: np.ndarray,
    idx: np.ndarray,
) -> WalkFacts:
    """The walk's numbers: ``far`` (n,) which samples lie in empty parts of the map, ``coords``
    (N, 2) the map, ``mu`` (N, d) the codes, ``idx`` (n,) the code nearest each sample."""
    from vae import paths  # NumPy only

    n = len(idx)
    mu = np.asarray(mu, np.float64)  # the jumps and the straight step alike, so they compare
    jumps = paths.code_jumps(mu, idx)  # (n - 1,)
    return WalkFacts(
        same_ends=same_ends,
        n=n,
        n_far=int(far.sum()),
        span=(
            float(coords[:, 0].min()),
            float(coords[:, 0].max()),
            float(coords[:, 1].min()),
            float(coords[:, 1].max()),
        ),
        distinct=paths.distinct_in_order(idx),
        digits=tuple(dict.fromkeys(int(labels[i]) for i in idx)),
        largest_jump=float(jumps.max()) if n > 1 else 0.0,
        straight_step=float(np.linalg.norm(mu[idx[-1]] - mu[idx[0]]) / (n - 1)) if n > 1 else 0.0,
    )


def walk_alert(f: WalkFacts) -> tuple[str, str] | None:
    """("info", sentence) where both ends are one point, ("warning", sentence) where every sample
    lies in an empty part of the map, else None."""
    if f.same_ends:
        return "info", "Start and end are the same point, so every sample picks the same code."
    if f.n_far == f.n:
        x0, x1, y0, y1 = f.span
        return "warning", (
            "The whole line lies away from every code of this map (check the coordinates: this "
            f"map spans about {x0:.1f} … {x1:.1f} horizontally and {y0:.1f} … {y1:.1f} "
            "vertically)."
        )
    return None


JUMP_SEEN = 0.005  # a largest jump above the straight step by more than the 2 decimals shown


def jumps_more(f: WalkFacts) -> bool:
    """The walk's largest 10-D jump exceeds the straight line's even step, visibly."""
    return f.n > 1 and f.largest_jump > f.straight_step + JUMP_SEEN


def walk_caption(f: WalkFacts) -> str:
    """Under the walk: the codes and digits it visits, its points in empty parts of the map, and
    its largest jump in 10-D against the straight line's even steps ("a lookup, not a path" only
    where the walk does jump more than the straight line steps: not with one code, nor with two
    samples, whose one jump is the straight line's one step)."""
    if not f.n > 1:
        tail = "."
    elif jumps_more(f):
        tail = (
            f". Its largest jump between consecutive codes is {f.largest_jump:.2f} in 10-D; the "
            f"straight line's steps are all {f.straight_step:.2f}: a map line is a lookup, a "
            "latent line is a path."
        )
    elif f.distinct == 1:
        tail = ". Every sample picks the same code, so neither line moves in 10-D."
    else:
        tail = (
            f". Its largest jump between consecutive codes is {f.largest_jump:.2f} in 10-D, no "
            f"more than the straight line's even steps of {f.straight_step:.2f}"
            + (": with two samples both are the one step between the ends." if f.n == 2 else ".")
        )
    return (
        f"The map walk visits {f.distinct} different codes and digits "
        f"{', '.join(map(str, f.digits))}"
        + (
            f"; {f.n_far} of {f.n} points lie in empty parts of the map, farther than "
            f"{100 * FAR:g} % of its width from any code"
            if f.n_far
            else ""
        )
        + tail
    )
