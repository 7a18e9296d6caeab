"""Neighbours in code space: nearest codes, the typical spacing of a set of codes, and the
leave-one-out k-nearest-neighbour accuracy of the digit labels.

One convention everywhere: the *reference* codes come first, the *queries* second, as in
scikit-learn's ``NearestNeighbors().fit(codes).kneighbors(queries)``; distances are Euclidean;
equally distant neighbours are ordered by index. k-NN accuracy is leave-one-out: each code is
classified by the majority label of its k nearest *other* codes (a duplicate of it counts as a
neighbour), ties go to the smallest label, as scikit-learn's ``KNeighborsClassifier`` does.
KD-trees come from ``scipy.spatial`` (scikit-learn is not imported on a page's path).
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def _as_codes(codes: np.ndarray) -> np.ndarray:
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) == 0:
        raise ValueError(f"codes must be a non-empty (N, d) array, got shape {codes.shape}")
    return codes


def nearest(codes: np.ndarray, queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The k codes nearest each query, nearest first: (distances (M, k), indices (M, k)).

    ``codes`` (N, d), ``queries`` (M, d) or one query (d,). k is capped at N.
    """
    codes = _as_codes(codes)
    q = np.asarray(queries, dtype=np.float64).reshape(-1, codes.shape[1])  # (M, d)
    k = max(1, min(int(k), len(codes)))
    # a few extra neighbours, so that ties at the k-th distance can be ordered by index
    extra = min(len(codes), k + 8)
    dist, idx = cKDTree(codes).query(q, k=extra)
    dist, idx = dist.reshape(len(q), extra), idx.reshape(len(q), extra)
    order = np.lexsort((idx, np.round(dist, 12)), axis=1)[:, :k]  # by distance, then index
    return np.take_along_axis(dist, order, 1), np.take_along_axis(idx, order, 1)


def nearest_one(codes: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to the nearest code and its index, for each query. -> (M,), (M,)"""
    dist, idx = nearest(codes, queries, 1)
    return dist[:, 0], idx[:, 0]


def kth_distance(codes: np.ndarray, queries: np.ndarray, k: int = 1) -> np.ndarray:
    """Distance from each query to its k-th nearest code (k = 1: the nearest). -> (M,)"""
    return nearest(codes, queries, k)[0][:, -1]


def spacing(codes: np.ndarray, k: int = 1) -> float:
    """Median distance from a code to its k-th nearest *other* code: the scale on which "close
    to the data" is judged for this set of codes (duplicates count as distance 0). -> float"""
    codes = _as_codes(codes)
    if len(codes) < k + 1:
        raise ValueError(f"need more than k = {k} codes")
    dist, _ = cKDTree(codes).query(codes, k=[k + 1])  # the first neighbour is the code itself
    return float(np.median(dist[:, 0]))


def knn_labels(codes: np.ndarray, labels: np.ndarray, k: int = 5) -> np.ndarray:
    """Leave-one-out k-NN prediction of each code's label (see the module docstring). -> (N,)"""
    codes = _as_codes(codes)
    labels = np.asarray(labels).astype(np.int64)
    n = len(codes)
    if n <= k or k < 1:
        raise ValueError(f"need more than k = {k} codes and k >= 1")
    _, idx = cKDTree(codes).query(codes, k=k + 1)  # (N, k + 1): usually the code itself first
    own = idx == np.arange(n)[:, None]
    # drop the code itself wherever it sits (a duplicate may come first); else the farthest
    keep = np.where(own.any(axis=1)[:, None], ~own, np.arange(k + 1)[None, :] < k)
    votes = labels[idx][keep].reshape(n, k)  # (N, k)
    width = int(labels.max()) + 1
    counts = np.zeros((n, width), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(n), k), votes.ravel()), 1)
    return counts.argmax(axis=1)  # ties: the smallest label


def knn_accuracy(codes: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Share of codes whose leave-one-out k-NN vote is their own label: high when the digits sit in
    separate regions of the code space, about 1 / (number of digits) when the codes carry no
    digit information. (N, d), (N,) -> float"""
    return float((knn_labels(codes, labels, k) == np.asarray(labels)).mean())


def vote(codes: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int = 1
         ) -> tuple[np.ndarray, np.ndarray]:
    """Majority label among the k codes nearest each query (ties: the smallest label), and the
    share of the k votes it got. ``queries`` (M, d) or one query (d,). -> (M,), (M,)"""
    _, idx = nearest(codes, queries, k)  # (M, k)
    votes = np.asarray(labels).astype(np.int64)[idx]  # (M, k)
    m, kk = votes.shape
    counts = np.zeros((m, int(votes.max()) + 1), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(m), kk), votes.ravel()), 1)
    top = counts.argmax(axis=1)
    return top, counts[np.arange(m), top] / kk


def looks_like(images: np.ndarray, reference: np.ndarray, labels: np.ndarray,
               exclude: int | np.ndarray | None = None, chunk: int = 512) -> np.ndarray:
    """The digit each image looks like: the label of its nearest reference image in pixel space
    (Euclidean 1-NN, brute force, in chunks). ``exclude`` leaves a reference out, one index for all
    images (e.g. the image some samples were decoded from) or one per image (M,) (e.g. each
    reconstruction's own original), so that a copy does not vote for itself.
    (M, 28, 28), (N, 28, 28), (N,) -> (M,)"""
    q = np.asarray(images, dtype=np.float32).reshape(len(images), -1)  # (M, 784)
    r = np.asarray(reference, dtype=np.float32).reshape(len(reference), -1)  # (N, 784)
    r2 = (r ** 2).sum(1)  # (N,)
    ex = None if exclude is None else np.broadcast_to(np.asarray(exclude, dtype=np.int64), (len(q),))
    out = np.empty(len(q), dtype=np.int64)
    for i in range(0, len(q), chunk):
        d2 = r2[None, :] - 2.0 * q[i:i + chunk] @ r.T  # (B, N); |q|^2 is the same along a row
        if ex is not None:
            d2[np.arange(len(d2)), ex[i:i + chunk]] = np.inf
        out[i:i + chunk] = d2.argmin(axis=1)
    return np.asarray(labels)[out]


def neighbourhood(codes: np.ndarray, labels: np.ndarray, z: np.ndarray, k: int = 50) -> tuple[int, float]:
    """Most common digit among the k codes nearest to z, and its share among them."""
    top, share = vote(codes, labels, z, k)
    return int(top[0]), float(share[0])


def neighbours_of(codes: np.ndarray, index: int, k: int = 10) -> np.ndarray:
    """Indices of the k codes nearest ``codes[index]``, itself left out, nearest first. -> (k,)"""
    _, idx = nearest(codes, np.asarray(codes)[index], k + 1)
    return np.array([i for i in idx[0] if i != index][:k])


def kept_neighbours(codes: np.ndarray, coords: np.ndarray, index: int, k: int = 10) -> int:
    """How many of the k nearest neighbours of one point in ``codes`` (d-D) are also among its k
    nearest in ``coords`` (a 2-D map of the same points): k when the map keeps its neighbourhood."""
    return len(set(neighbours_of(codes, index, k).tolist()) & set(neighbours_of(coords, index, k).tolist()))


def agreement(codes: np.ndarray, labels: np.ndarray, index: np.ndarray, k: int = 50) -> np.ndarray:
    """For each code ``codes[i]``, i in ``index``: the share of its k nearest *other* codes that
    carry its own label (1: deep inside its digit's region; low: among other digits). -> (M,)"""
    codes, labels, index = _as_codes(codes), np.asarray(labels), np.asarray(index, dtype=np.int64)
    _, idx = nearest(codes, codes[index], k + 1)  # (M, k + 1), itself among them
    same = labels[idx] == labels[index][:, None]
    own = idx == index[:, None]
    return (same & ~own).sum(axis=1) / np.maximum((~own).sum(axis=1), 1)
