"""2-D embeddings of latent codes (PCA, t-SNE, UMAP) and their quality, and a new code's place.

``vae.build`` computes the maps and their quality once (``embed_all``); the pages place a new code
and its posterior in the PCA map (``pca_project``, ``pca_project_cov``: PCA is linear, so unlike
t-SNE and UMAP it can place a point it was not fitted on) and measure how stable PC1 is.

PCA and t-SNE come from scikit-learn (van der Maaten & Hinton 2008), UMAP from umap-learn
(McInnes et al. 2018); all with fixed seeds. Quality: scikit-learn's ``trustworthiness``
(Venna & Kaski 2001) and the leave-one-out 5-nearest-neighbour digit accuracy in 2-D, for each
map, for t-SNE at other perplexities and another seed, and for a random map (the floor).
scikit-learn and umap-learn are slow to import (UMAP compiles with numba): they are imported
inside the functions that need them, so a page may call the NumPy-only ``pc_angles``.
"""

from __future__ import annotations

import numpy as np

from vae import neighbours

SEED = 0
TSNE_PERPLEXITY = 30  # the main t-SNE map
# further t-SNE maps a student compares with the main one: key -> (perplexity, seed)
TSNE_VARIANTS = {"tsne_p5": (5, SEED), "tsne_p100": (100, SEED), "tsne_seed1": (TSNE_PERPLEXITY, 1)}
TRUST_SAMPLE = 5000  # trustworthiness is O(N^2): measured on a fixed random half of the test set
TRUST_K = 10  # neighbourhood size for trustworthiness


def principal_axes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PCA of codes (N, d) in plain NumPy, cheap enough for a page: (mean (d,), components (d, d)
    with rows the principal directions, largest variance first, explained-variance ratios (d,)).
    The same subspaces as scikit-learn's ``PCA`` (a component's sign is arbitrary)."""
    x = np.asarray(codes, dtype=np.float64)
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    var = s**2
    return mean, vt, var / var.sum() if var.sum() > 0 else var


def pca(codes: np.ndarray) -> dict[str, np.ndarray]:
    """2-D PCA coordinates, explained-variance ratio of every component, and the loadings."""
    mean, comps, ratio = principal_axes(codes)
    coords = (np.asarray(codes, dtype=np.float64) - mean) @ comps[:2].T  # (N, 2)
    return {
        "pca": coords.astype(np.float32),
        "pca_explained_variance_ratio": ratio.astype(np.float32),  # (d,)
        "pca_components": comps.astype(np.float32),
    }  # (d, d): rows are components


def pca_project(codes: np.ndarray, components: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Place a new code in a 2-D PCA embedding of ``codes``: (point - mean) @ first 2 components.

    PCA is linear, so unlike t-SNE and UMAP it can place a point it was not fitted on. The
    embedding was fitted on the test codes, whose mean is recomputed here. -> (2,)
    """
    mean = np.asarray(codes, dtype=np.float64).mean(axis=0)  # (d,)
    comps = np.asarray(components, dtype=np.float64)[:2]  # (2, d)
    return (np.asarray(point, dtype=np.float64).reshape(-1) - mean) @ comps.T


def pca_project_cov(components: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Covariance, in a 2-D PCA embedding, of a diagonal Gaussian posterior N(mu,
    diag(exp(logvar))): W diag(sigma^2) W^T with W the first 2 components (a linear map of a
    Gaussian is Gaussian), so its ellipse is drawn to the embedding's scale around
    ``pca_project``'s point. -> (2, 2)"""
    comps = np.asarray(components, dtype=np.float64)[:2]  # (2, d)
    var = np.exp(np.asarray(logvar, dtype=np.float64).reshape(-1))  # (d,)
    return (comps * var[None, :]) @ comps.T


def pc_angles(codes: np.ndarray, n_boot: int = 20, seed: int = SEED) -> np.ndarray:
    """How far the first principal direction moves when the codes are resampled: the angle, in
    degrees, between PC1 of all codes and PC1 of each of ``n_boot`` bootstrap resamples (a sign
    flip is no move). Plain NumPy, cheap enough for a page. (N, d) -> (n_boot,)"""
    x = np.asarray(codes, dtype=np.float64)
    ref = principal_axes(x)[1][0]  # (d,) unit vector
    rng = np.random.default_rng(seed)
    cos = [
        abs(float(principal_axes(x[rng.integers(0, len(x), len(x))])[1][0] @ ref))
        for _ in range(n_boot)
    ]
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def tsne(codes: np.ndarray, perplexity: float = TSNE_PERPLEXITY, seed: int = SEED) -> np.ndarray:
    from sklearn.manifold import TSNE

    return (
        TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, n_jobs=2)
        .fit_transform(codes)
        .astype(np.float32)
    )  # (N, 2)


def random_map(n: int, seed: int = SEED) -> np.ndarray:
    """A map that keeps nothing: points placed uniformly at random. Its scores are the floor of
    every quality measure. -> (n, 2)"""
    return np.random.default_rng(seed).random((n, 2)).astype(np.float32)


def umap(codes: np.ndarray) -> np.ndarray:
    import umap as umap_lib

    return (
        umap_lib.UMAP(n_components=2, n_neighbors=15, min_dist=0.1, random_state=SEED)
        .fit_transform(codes)
        .astype(np.float32)
    )  # (N, 2)


def trustworthiness(codes: np.ndarray, coords: np.ndarray) -> float:
    from sklearn.manifold import trustworthiness as tw

    rng = np.random.default_rng(SEED)
    pick = rng.choice(len(codes), size=min(TRUST_SAMPLE, len(codes)), replace=False)
    return float(tw(codes[pick], coords[pick], n_neighbors=TRUST_K))


def embed_all(codes: np.ndarray, labels: np.ndarray, log=print) -> dict[str, np.ndarray]:
    """Everything ``cache/embeddings/NAME.npz`` holds for one model's test codes (N, d)."""
    import time

    out = pca(codes)
    t = time.perf_counter()
    out["tsne"] = tsne(codes)
    log(f"    t-SNE {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    out["umap"] = umap(codes)
    log(f"    UMAP {time.perf_counter() - t:.1f} s")
    for key, (perplexity, seed) in TSNE_VARIANTS.items():
        t = time.perf_counter()
        out[key] = tsne(codes, perplexity, seed)
        log(f"    t-SNE, perplexity {perplexity}, seed {seed}: {time.perf_counter() - t:.1f} s")
    out["random"] = random_map(len(codes))
    for method in ("pca", "tsne", "umap", *TSNE_VARIANTS, "random"):
        out[f"{method}_trustworthiness"] = np.float32(trustworthiness(codes, out[method]))
        out[f"{method}_knn_accuracy"] = np.float32(neighbours.knn_accuracy(out[method], labels))
    del out["random"]  # only its scores are kept
    out["latent_knn_accuracy"] = np.float32(neighbours.knn_accuracy(codes, labels))
    return out


def pc_angles_cov(codes: np.ndarray, n_boot: int = 20, seed: int = SEED) -> np.ndarray:
    """``pc_angles`` (the same resamples, the same angles up to rounding) from each resample's
    covariance matrix (d, d), weighted by how often each code was drawn, instead of an SVD of the
    resampled (N, d) codes: a few ms instead of 0.2 s. (N, d) -> (n_boot,)"""
    x = np.asarray(codes, dtype=np.float64)
    n = len(x)
    ref = principal_axes(x)[1][0]  # (d,) unit vector
    rng = np.random.default_rng(seed)
    cos = []
    for _ in range(n_boot):
        w = (
            np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64) / n
        )  # (N,) resample weights
        mean = w @ x
        cov = (x * w[:, None]).T @ x - np.outer(mean, mean)  # (d, d)
        cos.append(abs(float(np.linalg.eigh(cov)[1][:, -1] @ ref)))
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))
