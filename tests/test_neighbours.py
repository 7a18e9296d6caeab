"""vae.neighbours, the one home of nearest codes, spacing and k-NN accuracy, against references:
brute force, scikit-learn's NearestNeighbors and a leave-one-out KNeighborsClassifier."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from vae import neighbours


def test_nearest_matches_brute_force_and_sklearn():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(500, 10)).astype(np.float32)
    p = codes[42] + 1e-3
    dist, idx = neighbours.nearest(codes, p, k=5)
    assert idx.shape == (1, 5) and idx[0, 0] == 42 and len(set(idx[0])) == 5
    brute = np.argsort(((codes - p) ** 2).sum(axis=1), kind="stable")[:5]
    assert list(idx[0]) == list(brute)
    q = rng.normal(size=(20, 10))
    d_ref, i_ref = NearestNeighbors(n_neighbors=3).fit(codes).kneighbors(q)
    d, i = neighbours.nearest(codes, q, k=3)
    np.testing.assert_allclose(d, d_ref, rtol=1e-6)
    assert np.array_equal(i, i_ref)
    assert neighbours.nearest(codes[:3], p, k=5)[1].shape == (1, 3)  # k capped at N
    with pytest.raises(ValueError):
        neighbours.nearest(codes, np.zeros(3))


@pytest.mark.parametrize("d", [2, 10, 32])
def test_a_few_queries_searched_by_brute_force_give_the_kd_trees_answers(d, monkeypatch):
    """``nearest`` measures a few queries against every code and sends many through a KD-tree:
    both give the same neighbours in the same order, ties (codes twice or three times, queries on
    a code or halfway between two) ordered by index. (Ties are kept fewer than the search's 8
    spare neighbours, which both ways share.)"""
    rng = np.random.default_rng(d)
    base = rng.standard_normal((400, d))
    codes = rng.permutation(np.vstack([base, base[:30], base[:10]]))
    queries = np.vstack(
        [
            base[:10],
            (base[10:20] + base[40:50]) / 2,
            base[20:25] + 1e-3,
            rng.standard_normal((10, d)),
        ]
    )
    for k in (1, 5, 40, len(codes)):
        brute = neighbours.nearest(codes, queries, k)
        monkeypatch.setattr(neighbours, "_SMALL_SEARCH", 0)  # every search through the tree
        tree = neighbours.nearest(codes, queries, k)
        monkeypatch.undo()
        np.testing.assert_array_equal(brute[1], tree[1])
        np.testing.assert_allclose(brute[0], tree[0], rtol=0, atol=1e-12)


def test_equally_distant_neighbours_are_ordered_by_index():
    codes = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    assert neighbours.nearest(codes, np.zeros(2), k=4)[1].tolist() == [[0, 1, 2, 3]]


def test_nearest_one_and_kth_distance_and_spacing():
    codes = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    d, i = neighbours.nearest_one(codes, np.array([[0.9, 0.0], [10.0, 0.0]]))
    assert np.allclose(d, [0.1, 7.0]) and list(i) == [1, 2]
    np.testing.assert_allclose(
        neighbours.kth_distance(codes, np.array([[0.0, 2.0], [2.5, 0.0]])), [2.0, 0.5]
    )
    np.testing.assert_allclose(neighbours.kth_distance(codes, np.array([[0.0, 0.0]]), k=2), [1.0])
    assert neighbours.spacing(codes) == pytest.approx(1.0)  # nearest-other distances 1, 1, 2
    assert neighbours.spacing(codes, k=2) == pytest.approx(
        3.0
    )  # second-nearest-other distances 3, 2, 3
    with pytest.raises(ValueError):
        neighbours.spacing(codes[:1])
    with pytest.raises(ValueError):
        neighbours.spacing(codes, k=3)


def _sklearn_loo(codes: np.ndarray, labels: np.ndarray, k: int) -> float:
    hits = 0
    for i in range(len(codes)):
        rest = np.arange(len(codes)) != i
        clf = KNeighborsClassifier(n_neighbors=k).fit(codes[rest], labels[rest])
        hits += int(clf.predict(codes[i : i + 1])[0] == labels[i])
    return hits / len(codes)


@pytest.mark.parametrize("k", [1, 2, 4, 5])
def test_knn_accuracy_is_sklearns_leave_one_out(k):
    """Even k makes label ties common: both break them towards the smallest label."""
    rng = np.random.default_rng(k)
    codes = rng.normal(size=(120, 3))
    labels = rng.integers(0, 4, size=120)
    assert neighbours.knn_accuracy(codes, labels, k) == pytest.approx(
        _sklearn_loo(codes, labels, k)
    )


def test_knn_accuracy_on_a_small_set_with_ties():
    """The 7-point set the three old copies disagreed on (0.29 / 0.57 / 0.29)."""
    codes = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [6.5]])
    labels = np.array([0, 1, 0, 1, 0, 1, 1])
    assert neighbours.knn_accuracy(codes, labels, 2) == pytest.approx(
        _sklearn_loo(codes, labels, 2)
    )


def test_knn_accuracy_separated_vs_mixed_codes():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 100)
    centres = 10 * rng.standard_normal((10, 2))
    separated = centres[labels] + 0.1 * rng.standard_normal((1000, 2))
    assert neighbours.knn_accuracy(separated, labels) == 1.0
    acc = neighbours.knn_accuracy(
        rng.standard_normal((1000, 2)), labels
    )  # codes independent of the digit
    assert 0.0 <= acc < 0.2  # about chance (0.1)


def test_knn_accuracy_excludes_the_point_itself():
    codes = np.array([[0.0], [0.1], [5.0], [5.1]])
    assert neighbours.knn_accuracy(codes, np.array([0, 0, 1, 1]), k=1) == 1.0
    assert neighbours.knn_accuracy(codes, np.array([0, 1, 0, 1]), k=1) == 0.0
    # duplicates: a point's own copy is a neighbour, the point itself is not
    dup = np.array([[0.0], [0.0], [9.0], [9.0]])
    assert neighbours.knn_accuracy(dup, np.array([0, 0, 1, 1]), k=1) == 1.0
    same = neighbours.knn_accuracy(
        np.zeros((30, 2)), np.arange(30) % 3
    )  # all codes equal: no crash
    assert 0.0 <= same <= 1.0
    with pytest.raises(ValueError):
        neighbours.knn_accuracy(codes[:1], np.array([0]))
    with pytest.raises(ValueError):
        neighbours.knn_accuracy(codes[:5], np.array([0, 0, 1, 1]), k=5)


def test_vote_majority_share_and_ties():
    codes = np.array([[0.0], [1.0], [2.0], [10.0]])
    labels = np.array([3, 3, 5, 5])
    top, share = neighbours.vote(codes, labels, np.array([[0.2], [9.0]]), k=3)
    assert top.tolist() == [3, 5] and share.tolist() == [pytest.approx(2 / 3), pytest.approx(2 / 3)]
    top, share = neighbours.vote(
        codes, labels, np.array([1.4]), k=2
    )  # one vote each: smallest label
    assert top.tolist() == [3] and share.tolist() == [0.5]


def test_looks_like_is_scikit_learns_one_nearest_neighbour_in_pixels():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(3)
    ref, lab = rng.random((300, 28, 28)), rng.integers(0, 10, 300)
    q = rng.random((40, 28, 28))
    want = (
        KNeighborsClassifier(n_neighbors=1, algorithm="brute")
        .fit(ref.reshape(300, -1), lab)
        .predict(q.reshape(40, -1))
    )
    np.testing.assert_array_equal(neighbours.looks_like(q, ref, lab), want)
    # a copy of reference 7 looks like reference 7's digit, unless 7 is excluded
    assert neighbours.looks_like(ref[7:8], ref, lab)[0] == lab[7]
    others = np.delete(np.arange(300), 7)
    alt = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(
        ref[others].reshape(299, -1), lab[others]
    )
    assert (
        neighbours.looks_like(ref[7:8], ref, lab, exclude=7)[0]
        == alt.predict(ref[7:8].reshape(1, -1))[0]
    )


def test_neighbours_in_and_kept_in_match_scikit_learn():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(3)
    codes = rng.normal(size=(500, 10))
    coords = codes[:, :2] + 0.3 * rng.normal(size=(500, 2))  # a lossy 2-D map of the same points
    for i in (0, 17, 499):
        ref = NearestNeighbors(n_neighbors=11).fit(codes).kneighbors(codes[i : i + 1])[1][0][1:]
        np.testing.assert_array_equal(neighbours.neighbours_in(neighbours.tree(codes), i, 10), ref)
        ref_map = (
            NearestNeighbors(n_neighbors=11).fit(coords).kneighbors(coords[i : i + 1])[1][0][1:]
        )
        kept = neighbours.kept_in(neighbours.tree(codes), neighbours.tree(coords), i, 10)
        assert kept == len(set(ref) & set(ref_map))
    same = neighbours.tree(codes)
    assert neighbours.kept_in(same, same, 5, 10) == 10  # a perfect map keeps them all


def test_looks_like_in_chunks_and_with_one_exclusion_per_image():
    rng = np.random.default_rng(0)
    refs = rng.random((30, 28, 28)).astype(np.float32)
    ref_labels = np.arange(30) % 10
    queries = refs[[4, 17, 29]] + 0.01 * rng.standard_normal((3, 28, 28))
    np.testing.assert_array_equal(
        neighbours.looks_like(queries, refs, ref_labels, chunk=2), [4, 7, 9]
    )
    assert neighbours.looks_like(refs, refs, ref_labels).tolist() == ref_labels.tolist()
    # each image with itself left out: scikit-learn's 1-NN over the other 29
    want = []
    for i in range(30):
        keep = np.arange(30) != i
        clf = KNeighborsClassifier(n_neighbors=1).fit(refs[keep].reshape(29, -1), ref_labels[keep])
        want.append(int(clf.predict(refs[i].reshape(1, -1))[0]))
    assert (
        neighbours.looks_like(refs, refs, ref_labels, exclude=np.arange(30), chunk=7).tolist()
        == want
    )


def test_looks_like_gives_the_old_float32_formulas_answers_on_mnist_and_near_ties_exactly():
    from vae import artefacts

    def old(q, r, exclude=None):  # the formula looks_like used before (float32, no exact re-check)
        q, r = q.reshape(len(q), -1).astype(np.float32), r.reshape(len(r), -1).astype(np.float32)
        d2 = (r**2).sum(1)[None, :] - 2.0 * q @ r.T
        if exclude is not None:
            d2[np.arange(len(q)), exclude] = np.inf
        return d2.argmin(axis=1)

    images, labels = artefacts.load_test_set()
    x = images.astype(np.float32) / 255
    x.setflags(write=False)  # as the app's cached test images: norms kept by identity
    rng = np.random.default_rng(0)
    sub = rng.choice(len(x), 600, replace=False)
    noisy = np.clip(x[sub] + 0.1 * rng.standard_normal(x[sub].shape).astype(np.float32), 0, 1)
    for _ in range(2):  # the second call uses the kept norms
        np.testing.assert_array_equal(neighbours.nearest_pixels(noisy, x), old(noisy, x))
        np.testing.assert_array_equal(
            neighbours.nearest_pixels(x[sub], x, exclude=sub), old(x[sub], x, sub)
        )
        np.testing.assert_array_equal(
            neighbours.looks_like(noisy, x, labels, exclude=sub), labels[old(noisy, x, sub)]
        )
    # two references equally near (up to float32 rounding): the exact distance decides, then the
    # index
    ref = np.zeros((3, 28, 28), np.float32)
    ref[0, 5, 5:7], ref[1, 0, 0], ref[2, 0, 1] = (
        1.0,
        1.0,
        1.0,
    )  # squared distances 2, 1, 1 from a blank
    q = np.zeros((1, 28, 28), np.float32)
    assert neighbours.nearest_pixels(q, ref).tolist() == [1]  # 1 and 2 tie: the smaller index
    assert neighbours.nearest_pixels(q, ref, exclude=1).tolist() == [2]
