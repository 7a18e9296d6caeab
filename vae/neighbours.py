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

import threading
from collections import OrderedDict

import numpy as np
from scipy.spatial import cKDTree


def _as_codes(codes: np.ndarray) -> np.ndarray:
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) == 0:
        raise ValueError(f"codes must be a non-empty (N, d) array, got shape {codes.shape}")
    return codes


_SMALL_SEARCH = 1 << 20  # queries x codes x dimensions searched by brute force (8 MB of floats)


def nearest(codes: np.ndarray, queries: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The k codes nearest each query, nearest first: (distances (M, k), indices (M, k)), ties at
    the same distance (rounded to 12 decimals) ordered by index.

    ``codes`` (N, d), ``queries`` (M, d) or one query (d,). k is capped at N. A few queries are
    measured against every code (a KD-tree of 10,000 codes costs 3-4 ms to build, every distance
    of one query 0.1-0.6 ms); more go through a KD-tree.
    """
    codes = _as_codes(codes)
    q = np.asarray(queries, dtype=np.float64).reshape(-1, codes.shape[1])  # (M, d)
    k = max(1, min(int(k), len(codes)))
    # a few extra neighbours, so that ties at the k-th distance can be ordered by index
    extra = min(len(codes), k + 8)
    if q.size * len(codes) <= _SMALL_SEARCH:  # a few queries: every distance costs less than a tree
        diff = codes[None, :, :] - q[:, None, :]  # (M, N, d)
        every = np.sqrt(np.einsum("mnd,mnd->mn", diff, diff))  # (M, N)
        idx = (
            np.argpartition(every, extra - 1, axis=1)[:, :extra]
            if extra < len(codes)
            else (np.broadcast_to(np.arange(len(codes)), every.shape))
        )
        dist = np.take_along_axis(every, idx, 1)  # the ``extra`` nearest, in no order
    else:
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


def vote(
    codes: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int = 1
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


_REFERENCES: OrderedDict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_REFERENCES_LOCK = threading.Lock()
_REFERENCES_KEPT = 4  # read-only reference sets whose squared norms are kept


def _frozen(a: object) -> bool:
    """Whether an array can no longer change: read-only, and so is the array it views (if any)."""
    while isinstance(a, np.ndarray):
        if a.flags.writeable:
            return False
        a = a.base
    return True


def _reference(reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A reference set as its flat float32 pixels transposed, (P, N) (a view: no copy of a float32
    array; a product with the view runs as fast as with a C-ordered copy, 14 ms for 100 queries
    against the 10,000 test images either way, and the copy held 31 MB), and their squared norms
    (N,) float32. The norms are worked out once per *read-only* array (the app's cached test
    images: the 10,000 norms cost more than a search) and kept by the array's identity, the array
    itself held so that its id cannot be reused; a writable array is worked out on every call."""
    keep = isinstance(reference, np.ndarray) and _frozen(reference)
    if keep:
        with _REFERENCES_LOCK:
            hit = _REFERENCES.get(id(reference))
            if hit is not None and hit[0] is reference:
                _REFERENCES.move_to_end(id(reference))
                return hit[1], hit[2]
    r = np.asarray(reference, dtype=np.float32).reshape(
        len(reference), -1
    )  # (N, P), no copy if float32
    r2 = np.einsum("ij,ij->i", r, r)  # (N,)
    if not keep:
        return r.T, r2
    rt = r.T  # (P, N), a view
    r2.setflags(write=False)
    with _REFERENCES_LOCK:
        _REFERENCES[id(reference)] = (reference, rt, r2)
        while len(_REFERENCES) > _REFERENCES_KEPT:
            _REFERENCES.popitem(last=False)
    return rt, r2


def nearest_pixels(
    images: np.ndarray,
    reference: np.ndarray,
    exclude: int | np.ndarray | None = None,
    chunk: int = 512,
) -> np.ndarray:
    """Index of each image's nearest reference image in pixel space: exact Euclidean 1-NN, equally
    distant references ordered by index, ``exclude`` as in ``looks_like``.

    A float32 screen (|r|^2 - 2 q.r, brute force, in chunks) keeps, for each image, the references
    within a bound of float32's rounding of the smallest value; those few are then measured exactly
    (float64 differences), so rounding never decides between two near neighbours.
    (M, 28, 28), (N, 28, 28) -> (M,) int64"""
    q = np.asarray(images, dtype=np.float32).reshape(len(images), -1)  # (M, P)
    rt, r2 = _reference(reference)  # (P, N), (N,)
    ex = (
        None if exclude is None else np.broadcast_to(np.asarray(exclude, dtype=np.int64), (len(q),))
    )
    q64 = q.astype(np.float64)
    q2 = (q64**2).sum(1)  # (M,)
    # |error| of a float32 dot product of P terms <= P * eps * |q| |r| (and likewise |r|^2); 4x
    # margin
    slack = (
        4 * rt.shape[0] * float(np.finfo(np.float32).eps) * (q2 + float(r2.max(initial=0.0)))
    )  # (M,)
    out = np.empty(len(q), dtype=np.int64)
    for i in range(0, len(q), chunk):
        d2 = q[i : i + chunk] @ rt  # (B, N)
        d2 *= -2.0
        d2 += r2  # |r|^2 - 2 q.r: |q|^2 is the same along a row
        b = np.arange(len(d2))
        if ex is not None:
            d2[b, ex[i : i + chunk]] = np.inf
        out[i : i + chunk] = d2.argmin(axis=1)  # rows whose every reference is excluded keep this
        best = d2[b, out[i : i + chunk]]
        rows, cols = np.nonzero(d2 <= (best + 2 * slack[i : i + chunk])[:, None])  # the candidates
        exact = ((rt[:, cols].T.astype(np.float64) - q64[i + rows]) ** 2).sum(1)
        order = np.lexsort((cols, exact, rows))  # per row: nearest first, then smallest index
        first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]] if len(order) else order
        out[i + rows[first]] = cols[first]
    return out


def looks_like(
    images: np.ndarray,
    reference: np.ndarray,
    labels: np.ndarray,
    exclude: int | np.ndarray | None = None,
    chunk: int = 512,
) -> np.ndarray:
    """The digit each image looks like: the label of its nearest reference image in pixel space
    (exact Euclidean 1-NN, ``nearest_pixels``). ``exclude`` leaves a reference out, one index for
    all images (e.g. the image some samples were decoded from) or one per image (M,) (e.g. each
    reconstruction's own original), so that a copy does not vote for itself. Pass many images in
    one call: the search is one matrix product. (M, 28, 28), (N, 28, 28), (N,) -> (M,)"""
    return np.asarray(labels)[nearest_pixels(images, reference, exclude, chunk)]


def neighbourhood(
    codes: np.ndarray, labels: np.ndarray, z: np.ndarray, k: int = 50
) -> tuple[int, float]:
    """Most common digit among the k codes nearest to z, and its share among them."""
    top, share = vote(codes, labels, z, k)
    return int(top[0]), float(share[0])


def agreement(codes: np.ndarray, labels: np.ndarray, index: np.ndarray, k: int = 50) -> np.ndarray:
    """For each code ``codes[i]``, i in ``index``: the share of its k nearest *other* codes that
    carry its own label (1: deep inside its digit's region; low: among other digits). -> (M,)"""
    codes, labels, index = _as_codes(codes), np.asarray(labels), np.asarray(index, dtype=np.int64)
    _, idx = nearest(codes, codes[index], k + 1)  # (M, k + 1), itself among them
    same = labels[idx] == labels[index][:, None]
    own = idx == index[:, None]
    return (same & ~own).sum(axis=1) / np.maximum((~own).sum(axis=1), 1)


def tree(codes: np.ndarray) -> cKDTree:
    """The KD-tree of a set of codes (N, d), built once and asked many times (``neighbours_in``)."""
    return cKDTree(_as_codes(codes))


BRUTE_DIM = 8  # from this many dimensions on, a KD-tree query visits most leaves: brute force wins
_BRUTE_ROWS = 256  # queries per matrix product of the brute-force search ((256, N) float64)


def _nearest_one_brute(codes: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``nearest_one`` by brute force, as ``nearest_pixels`` does it: a float64 screen (|q|^2 -
    2 q.r + |r|^2, one matrix product) keeps, for each query, the codes within a bound of its
    rounding (and of ``nearest``'s rounding to 12 decimals) of the smallest; those few are measured
    exactly, and the smallest rounded distance wins, ties to the lower index.
    (N, d), (M, d) -> (M,), (M,)"""
    n, d = codes.shape
    r2 = np.einsum("nd,nd->n", codes, codes)  # (N,)
    dist, idx = np.empty(len(q)), np.empty(len(q), dtype=np.int64)
    for i in range(0, len(q), _BRUTE_ROWS):
        qb = q[i : i + _BRUTE_ROWS]  # (B, d)
        q2 = np.einsum("bd,bd->b", qb, qb)  # (B,)
        d2 = qb @ codes.T  # (B, N)
        d2 *= -2.0
        d2 += r2
        d2 += q2[:, None]
        best = np.maximum(d2.min(axis=1), 0.0)  # (B,)
        # |error| of the expanded form <= a few d * eps * (|q|^2 + |r|^2); distances 1e-12 apart
        # round alike (``nearest``): their squares differ by up to 2e-12 * distance
        slack = 8 * d * float(np.finfo(np.float64).eps) * (q2 + r2.max()) + 4e-12 * (
            np.sqrt(best) + 1e-6
        )
        rows, cols = np.nonzero(d2 <= (best + 2 * slack)[:, None])  # the candidates
        exact = np.sqrt(((codes[cols] - qb[rows]) ** 2).sum(axis=1))
        order = np.lexsort((cols, np.round(exact, 12), rows))  # per row: nearest, then lowest index
        first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
        dist[i + rows[first]], idx[i + rows[first]] = exact[first], cols[first]
    return dist, idx


def nearest_one_in(codes_tree: cKDTree, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``nearest_one(codes, queries)`` with the codes' KD-tree built already (``tree(codes)``): the
    distance to the nearest code and its index, ties at the same (rounded) distance going to the
    lower index. Two neighbours answer every query whose nearest code is alone at its distance; the
    few others are asked again with ``nearest``'s nine. In ``BRUTE_DIM`` dimensions or more the
    tree's own points are searched by brute force instead (a 32-D query of 10,000 codes: 24 ms by
    the tree, well under 1 ms by brute force), with the same answers. -> (M,), (M,)"""
    q = np.asarray(queries, dtype=np.float64).reshape(-1, codes_tree.m)  # (M, d)
    if codes_tree.m >= BRUTE_DIM:
        return _nearest_one_brute(np.asarray(codes_tree.data, dtype=np.float64), q)
    dist, idx = codes_tree.query(q, k=2)  # (M, 2) each, nearest first
    tied = np.flatnonzero(np.round(dist[:, 0], 12) == np.round(dist[:, 1], 12))
    dist, idx = dist[:, 0].copy(), idx[:, 0].copy()
    if len(tied):  # as nearest: order by rounded distance, then index
        extra = min(codes_tree.n, 9)
        d9, i9 = (a.reshape(len(tied), extra) for a in codes_tree.query(q[tied], k=extra))
        first = np.lexsort((i9, np.round(d9, 12)), axis=1)[:, 0]
        rows = np.arange(len(tied))
        dist[tied], idx[tied] = d9[rows, first], i9[rows, first]
    return dist, idx


def neighbours_in(codes_tree: cKDTree, index: int, k: int = 10) -> np.ndarray:
    """Indices of the k codes nearest ``codes[index]``, itself left out, nearest first, ties at
    the same (rounded) distance ordered by index; the codes' KD-tree built already
    (``tree(codes)``). -> (k,)"""
    n = codes_tree.n
    kk = max(1, min(int(k) + 1, n))
    extra = min(n, kk + 8)
    dist, idx = codes_tree.query(codes_tree.data[index][None, :], k=extra)
    dist, idx = dist.reshape(1, extra), idx.reshape(1, extra)
    order = np.lexsort((idx, np.round(dist, 12)), axis=1)[:, :kk]
    return np.array([i for i in np.take_along_axis(idx, order, 1)[0] if i != index][:k])


def kept_in(codes_tree: cKDTree, map_tree: cKDTree, index: int, k: int = 10) -> int:
    """How many of the k nearest neighbours of one point among the codes (d-D, ``codes_tree``) are
    also among its k nearest in a 2-D map of the same points (``map_tree``): k when the map keeps
    its neighbourhood. Both KD-trees built already (``tree``)."""
    return len(
        set(neighbours_in(codes_tree, index, k).tolist())
        & set(neighbours_in(map_tree, index, k).tolist())
    )


def spacing_sample(codes: np.ndarray, k: int, queries: np.ndarray, chunk: int = 250) -> float:
    """``spacing`` measured from the codes ``codes[queries]`` only (a fixed sample of indices): the
    median over them of the distance to their k-th nearest *other* code among *all* the codes.
    Exact per query, by brute force in float64 chunks (a KD-tree is slow in 20-D and more)."""
    x = _as_codes(codes)
    q = np.asarray(queries, dtype=np.int64)
    sq = np.einsum("ij,ij->i", x, x)  # (N,)
    out = np.empty(len(q))
    for i in range(0, len(q), chunk):
        part = q[i : i + chunk]
        d2 = sq[part, None] + sq[None, :] - 2.0 * (x[part] @ x.T)  # (B, N)
        d2[np.arange(len(part)), part] = np.inf  # the code itself is no neighbour (a duplicate is)
        out[i : i + chunk] = np.partition(d2, k - 1, axis=1)[:, k - 1]
    return float(np.median(np.sqrt(np.maximum(out, 0.0))))
