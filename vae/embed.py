"""2-D embeddings of latent codes (PCA, t-SNE, UMAP) and their quality, for ``vae.build`` only.

PCA and t-SNE come from scikit-learn (van der Maaten & Hinton 2008), UMAP from umap-learn
(McInnes et al. 2018); all with fixed seeds. Quality: scikit-learn's ``trustworthiness``
(Venna & Kaski 2001) and the leave-one-out 5-nearest-neighbour digit accuracy in 2-D.
These imports are slow (UMAP compiles with numba), so no page imports this module.
"""
from __future__ import annotations

import numpy as np

from vae import neighbours

SEED = 0
TRUST_SAMPLE = 5000  # trustworthiness is O(N^2): measured on a fixed random half of the test set
TRUST_K = 10  # neighbourhood size for trustworthiness


def pca(codes: np.ndarray) -> dict[str, np.ndarray]:
    """2-D PCA coordinates, explained-variance ratio of every component, and the loadings."""
    from sklearn.decomposition import PCA

    p = PCA(n_components=codes.shape[1], random_state=SEED).fit(codes)
    coords = p.transform(codes)[:, :2]  # (N, 2)
    return {"pca": coords.astype(np.float32),
            "pca_explained_variance_ratio": p.explained_variance_ratio_.astype(np.float32),  # (d,)
            "pca_components": p.components_.astype(np.float32)}  # (d, d): rows are components


def tsne(codes: np.ndarray) -> np.ndarray:
    from sklearn.manifold import TSNE

    return TSNE(n_components=2, perplexity=30, init="pca", random_state=SEED,
                n_jobs=2).fit_transform(codes).astype(np.float32)  # (N, 2)


def umap(codes: np.ndarray) -> np.ndarray:
    import umap as umap_lib

    return umap_lib.UMAP(n_components=2, n_neighbors=15, min_dist=0.1,
                         random_state=SEED).fit_transform(codes).astype(np.float32)  # (N, 2)


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
    for method in ("pca", "tsne", "umap"):
        out[f"{method}_trustworthiness"] = np.float32(trustworthiness(codes, out[method]))
        out[f"{method}_knn_accuracy"] = np.float32(neighbours.knn_accuracy(out[method], labels))
    out["latent_knn_accuracy"] = np.float32(neighbours.knn_accuracy(codes, labels))
    return out
