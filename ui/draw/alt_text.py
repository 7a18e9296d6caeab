"""Text alternatives of the pictures (WCAG 2.1, 1.1.1): what a picture shows in this setting, in
words built from the same numbers it is drawn from, for ``charts.show(png, alt=...)`` and
Streamlit's ``st.image(..., alt=...)``.

A picture's alt text starts with a page-written summary (which model, which digits, what turned
into what) and goes on with what the picture itself writes on it (``rows`` / ``strip``: each row's
name and the caption under each image), so a screen reader hears what a sighted student reads.
Everything here is string work on numbers the page has already computed (microseconds per run);
the one search, ``looks_like``, is cached per distinct set of images.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

import numpy as np
import streamlit as st

from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons.words import a_digit
from vae import neighbours


def flat(text: object) -> str:
    """One line of text: line breaks and runs of spaces as one space."""
    return " ".join(str(text).split())


def listing(items: Iterable[object]) -> str:
    """``a, b and c`` (``a`` alone, or nothing)."""
    words = [flat(i) for i in items if flat(i)]
    return (
        words[0]
        if len(words) == 1
        else (", ".join(words[:-1]) + " and " + words[-1] if words else "")
    )


def _sentence(text: str) -> str:
    text = flat(text)
    return text if not text or text[-1] in ".!?:" else text + "."


def rows(
    summary: str, names: Iterable[str], captions: Sequence[Sequence[str]] | None = None
) -> str:
    """A picture of labelled rows (``charts.image_rows``): the summary, then each row's name with
    the captions under its images, in the picture's order."""
    parts = []
    for i, name in enumerate(names):
        caps = listing(captions[i]) if captions and i < len(captions) else ""
        parts.append(f"{flat(name)}: {caps}" if caps else flat(name))
    return _sentence(summary) + (" Rows, " + "; ".join(parts) + "." if parts else "")


def strip(summary: str, captions: Sequence[str] | None = None) -> str:
    """One row of images (``charts.image_strip``): the summary, then the captions left to right."""
    caps = listing(captions or [])
    return _sentence(summary) + (f" Left to right: {caps}." if caps else "")


def digits(labels: Iterable[int]) -> str:
    """The digits in order: ``7, 2, 1, 0 and 4``."""
    return listing(int(k) for k in labels)


def changes(
    labels: Iterable[int],
    seen: Iterable[int],
    who: str = "",
    index: Iterable[int] | None = None,
    verb: str = "comes back as",
) -> str:
    """Which pictures look like another digit (``seen``: the digit each looks like, 1-NN) than
    their own (``labels``): "the 4 (test #12) comes back as a 9" for each, or "every digit comes
    back as itself"; ``who`` leads ("vae-2d: ...")."""
    labels, seen = [int(k) for k in labels], [int(s) for s in seen]
    index = [None] * len(labels) if index is None else [int(i) for i in index]
    moved = [
        f"the {k}" + (f" (test #{i})" if i is not None else "") + f" {verb} {a_digit(s)}"
        for k, s, i in zip(labels, seen, index)
        if k != s
    ]
    head = f"{who}: " if who else ""
    if not moved:
        return head + (
            f"every digit {verb} itself" if len(labels) > 1 else f"the {labels[0]} {verb} itself"
        )
    return head + listing(moved)


def shares(share: np.ndarray, top: int = 3) -> str:
    """The largest shares of a digit mix (10,), largest first: "4 (62 %), 9 (30 %) and 7 (8 %)"
    (shares as ``words.pct`` writes them; digits with no share left out)."""
    from ui.lessons.words import pct

    share = np.asarray(share, dtype=float)
    order = [int(k) for k in np.argsort(-share, kind="stable")[:top] if share[k] > 0]
    return listing(f"{k} ({pct(share[k])})" for k in order)


def nearest_digits(name: str, z: np.ndarray) -> np.ndarray:
    """The digit of each code's nearest test code (z (M, d) among the model ``name``'s codes, ties
    to the lower index; the KD-tree built once per model): roughly what the decoder draws there. ->
    (M,)"""
    from ui.page import loaders

    _, idx = neighbours.nearest_one_in(loaders.code_tree(name), z)
    return loaders.test_set()[1][idx]


def landed(name: str, z: np.ndarray) -> str:
    """ "vae-2d's land on 7, 1 and 3": the digit of each code's nearest test code
    (``nearest_digits``)."""
    return f"{name}'s land on {digits(nearest_digits(name, z))}"


def code_mix(name: str, z: np.ndarray) -> np.ndarray:
    """The share of codes z (M, 2) whose nearest test code is each digit (``nearest_digits``). ->
    (10,)"""
    near = nearest_digits(name, z)
    return np.bincount(near, minlength=10)[:10] / len(near)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _grid_mix(name: str, xs: tuple[float, ...], ys: tuple[float, ...]) -> np.ndarray:
    """``code_mix`` of a grid's codes, once per model and grid (a 30 x 30 grid's search costs 7
    ms)."""
    from vae import latent

    return code_mix(name, latent.grid_2d(np.asarray(xs), np.asarray(ys)))


def grid(name: str, xs: np.ndarray, ys: np.ndarray, how: str = "", y: int | None = None) -> str:
    """A 2-D model's decoded grid (``latent.grid_2d(xs, ys)``: z₁ = xs across, z₂ = ys up): its
    size, its ranges, and which digits the tiles' codes lie nearest (``code_mix``; for a
    conditional model, its label ``y`` instead)."""
    head = (
        f"A {len(ys)} × {len(xs)} mosaic of the images {name}'s decoder draws"
        + (f" with label y = {y}" if y is not None else "")
        + f" at a grid of codes{how}: z₁ from {xs[0]:.2f} at the left to {xs[-1]:.2f} at the "
        "right, "
        f"z₂ from {ys[0]:.2f} at the bottom to {ys[-1]:.2f} at the top."
    )
    if y is not None:
        return head
    mix = _grid_mix(name, tuple(float(v) for v in xs), tuple(float(v) for v in ys))
    return head + f" By the digit of the nearest test code, the tiles are mostly {shares(mix)}."


def where_mass(img: np.ndarray) -> str:
    """The region of a (28, 28) map that holds most of its mass, in words (upper left, centre,
    ...)."""
    w = np.clip(np.asarray(img, dtype=np.float64), 0, None)
    if w.sum() <= 0:
        return "nowhere"
    r = (np.arange(28) @ w.sum(1)) / w.sum()
    c = (np.arange(28) @ w.sum(0)) / w.sum()
    v = "upper " if r < 11 else ("lower " if r > 16 else "")
    h = "left" if c < 11 else ("right" if c > 16 else "")
    return (v + h).strip() or "centre"


def looks_like(images: np.ndarray, exclude: np.ndarray | int | None = None) -> np.ndarray:
    """The digit each image looks like: the label of its nearest test image in pixels
    (``vae.neighbours.looks_like``, ``exclude`` as there), once per distinct set of images. ->
    (M,)"""
    ex = (
        None
        if exclude is None
        else tuple(np.broadcast_to(np.asarray(exclude, dtype=np.int64), (len(images),)).tolist())
    )
    return _looks(np.ascontiguousarray(images, dtype=np.float32), ex)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _looks(images: np.ndarray, exclude: tuple[int, ...] | None) -> np.ndarray:
    from ui.page import loaders

    return neighbours.looks_like(
        images,
        loaders.test_images_float(),
        loaders.test_set()[1],
        exclude=None if exclude is None else np.asarray(exclude),
    )


def own_digit(
    name: str,
    x: np.ndarray,
    terms: dict[str, np.ndarray],
    pct: float,
    near: np.ndarray,
    codes: np.ndarray,
    probes: dict[str, np.ndarray],
    probe_scores: list[tuple[float, float]],
    pic: dict,
) -> dict:
    """The text alternatives of *Your own digit*'s pictures, from the numbers the page shows: the
    input ``x``, its reconstruction (``terms``: ``vae.arrays.image_terms`` of it), the probes, the
    nearest test digits (``near`` among ``codes``, their distances to μ as the page writes them),
    the given picture ``pic`` and the posterior samples, whose codes come as ``"z"`` (the page
    decodes those)."""
    from ui.page import loaders
    from ui.page.link_values import echo
    from vae import latent

    mu, lv, elbo = terms["mu"][0], terms["logvar"][0], float(terms["elbo"][0])
    near_labels = loaders.test_set()[1][near]
    dist = np.linalg.norm(np.asarray(codes, dtype=np.float64)[near] - mu[None, :], axis=1)
    z = latent.posterior_samples(mu, lv, 8, seed=0)  # (8, d)
    return {
        "z": z,
        "input": "Your picture made MNIST-like, 28 × 28, white on black, its ink mostly toward "
        f"the {where_mass(x)}; under {name} its nearest test code is {a_digit(near_labels[0])}.",
        "recon": f"{name}'s reconstruction of your picture, decoded at z = μ; its negative ELBO is "
        f"{elbo:.1f} nats, more than {pct:g} % of the test digits score.",
        "thumb": f"The picture given ({echo(pic['name'])}) in grayscale, {pic['size'][0]} × "
        f"{pic['size'][1]} px.",
        "probe_captions": [
            f"{k.split(' ', 1)[-1]}\n{v:.0f} · {p:.0f} %" for k, (v, p) in zip(probes, probe_scores)
        ],
        "probes": strip(
            f"Non-digit probes made MNIST-like, scored by {name}: each one's negative ELBO and the "
            "share of test digits that score lower",
            [
                f"{k.split(' ', 1)[-1]}: {v:.0f} nats, {p:.0f} %"
                for k, (v, p) in zip(probes, probe_scores)
            ],
        ),
        "near": strip(
            f"The {len(near)} test digits whose codes lie nearest yours under {name}, nearest "
            "first: "
            f"{digits(near_labels)}",
            [f"#{i}, {a_digit(k)}, distance {v:.2f}" for i, k, v in zip(near, near_labels, dist)],
        ),
        "samples": f"{len(z)} codes drawn from your picture's posterior under {name}, decoded; "
        "their nearest test "
        f"codes are digits {digits(nearest_digits(name, z))}.",
    }


# --- chart descriptions: ``charts.draw(..., alt=...)``, the chart's accessible name
# -----------------------
#
# A Vega-Lite chart's name says what it plots in this setting and its main numbers, from the rows it
# is
# drawn from: a scatter's digits and where each digit's codes centre, a curve's ends and extremes, a
# bar
# chart's largest bars. A few microseconds to a millisecond per chart (numpy on at most a few
# thousand rows).

GENERIC_NAMES = ("", "chart", "vega visualization", "visualization", "image", "graphic")


def _num(v: float, fmt: str = ".2g") -> str:
    """A number as a chart's axis would write it (a minus sign, not a hyphen)."""
    return format(float(v), fmt).replace("-", "−")


_SCATTER_FACTS: dict[
    tuple, str
] = {}  # a scatter's numbers in words, by its points' digest (the same maps every run)
_SCATTER_FACTS_MAX = 4 * MODEL_CACHE_ENTRIES


def _scatter_facts(xy: np.ndarray, labels: np.ndarray, x: str, y: str, fmt: str) -> str:
    """How many points, the axes' spans and each digit's centre, in words; once per distinct points
    (a page's maps are the same every run: a 16-byte digest, 30 µs, where the words cost 1 ms)."""
    key = (
        hashlib.blake2b(xy.tobytes() + labels.tobytes(), digest_size=16).digest(),
        xy.shape,
        x,
        y,
        fmt,
    )
    said = _SCATTER_FACTS.get(key)
    if said is None:
        count = np.bincount(labels, minlength=10)
        cx = np.bincount(labels, weights=xy[:, 0], minlength=10) / np.maximum(count, 1)
        cy = np.bincount(labels, weights=xy[:, 1], minlength=10) / np.maximum(count, 1)
        centres = listing(
            f"{k} at ({_num(cx[k], fmt)}, {_num(cy[k], fmt)})"
            for k in range(len(count))
            if count[k]
        )
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        said = (
            f"{len(labels):,} points coloured by digit, {x} from {_num(lo[0], fmt)} to "
            f"{_num(hi[0], fmt)}, "
            f"{y} from {_num(lo[1], fmt)} to {_num(hi[1], fmt)}. Each digit's centre: {centres}."
        )
        if len(_SCATTER_FACTS) >= _SCATTER_FACTS_MAX:
            _SCATTER_FACTS.clear()
        _SCATTER_FACTS[key] = said
    return said


def scatter(
    what: str,
    xy: np.ndarray,
    labels: Iterable[int],
    x: str = "z₁",
    y: str = "z₂",
    legend: bool = True,
    fmt: str = ".1f",
) -> str:
    """A digit scatter (points (M, 2) coloured by their digits): what it is, how many points, the
    axes'
    spans, and where each digit's points centre (their mean); with ``legend``, that the legend
    filters."""
    xy = np.ascontiguousarray(xy, dtype=np.float64)
    labels = np.ascontiguousarray(
        labels if isinstance(labels, (np.ndarray, list, tuple)) else list(labels), dtype=np.int64
    )
    if len(labels) == 0:
        return _sentence(what)
    return (
        _sentence(what)
        + " "
        + _scatter_facts(xy, labels, x, y, fmt)
        + (" A click on a digit in the legend shows that digit alone." if legend else "")
    )


def curve(
    what: str,
    xs: Iterable[float],
    ys: Iterable[float],
    x: str,
    y: str,
    fmt: str = ".3g",
    x_fmt: str = "g",
) -> str:
    """A curve (y over x): what it is, where it starts and ends, and its lowest and highest
    points."""
    xs, ys = np.asarray(list(xs), dtype=np.float64), np.asarray(list(ys), dtype=np.float64)
    ok = np.isfinite(ys)
    if not ok.any():
        return _sentence(what)
    xs, ys = xs[ok], ys[ok]
    lo, hi = int(np.argmin(ys)), int(np.argmax(ys))
    at = lambda i: f"{_num(ys[i], fmt)} at {x} = {_num(xs[i], x_fmt)}"  # noqa: E731
    return (
        _sentence(what)
        + f" {y} against {x}: {at(0)}, {at(len(xs) - 1)}; lowest {at(lo)}, highest {at(hi)}."
    )


def bars(
    what: str,
    names: Iterable[object],
    values: Iterable[float],
    unit: str = "",
    fmt: str = ".3g",
    top: int = 10,
) -> str:
    """A bar chart: what it is and its bars, largest first (the ``top`` largest)."""
    names, values = [flat(n) for n in names], np.asarray(list(values), dtype=np.float64)
    order = [int(i) for i in np.argsort(-values, kind="stable")[:top]]
    more = f" and {len(values) - len(order)} smaller" if len(values) > len(order) else ""
    return (
        _sentence(what)
        + " Largest first: "
        + listing(f"{names[i]} {_num(values[i], fmt)}{unit}" for i in order)
        + more
        + "."
    )


def mix(what: str, sources: Sequence[str], shares_by_source: Sequence[np.ndarray]) -> str:
    """Digit mixes side by side (bars per digit and source): each source's largest shares."""
    return (
        _sentence(what)
        + " "
        + " ".join(
            f"{flat(s)}: mostly {shares(np.asarray(m))}." for s, m in zip(sources, shares_by_source)
        )
    )


def listing_sentence(what: str, items: Iterable[object]) -> str:
    """What a chart is, then its items in order: ``what: a; b; c.``"""
    parts = [flat(i) for i in items if flat(i)]
    return flat(what) + (": " + "; ".join(parts) + "." if parts else ".")


def heatmap(
    what: str, rows: Sequence[object], cols: Sequence[object], values: np.ndarray, top: int = 3
) -> str:
    """A heat map of ``values`` (rows, cols): its size, and its largest and smallest cells."""
    v = np.asarray(values, dtype=np.float64)
    order = np.argsort(v, axis=None, kind="stable")

    def cell(i: int) -> str:
        r, c = divmod(int(i), v.shape[1])
        return f"{flat(rows[r])} at {flat(cols[c])} ({_num(v.flat[i], '.2f')})"

    return (
        _sentence(what)
        + f" {v.shape[0]} rows by {v.shape[1]} columns. Largest: "
        + listing(cell(int(i)) for i in order[::-1][:top])
        + "; smallest: "
        + listing(cell(int(i)) for i in order[:top])
        + "."
    )


def histogram(what: str, values: np.ndarray, labels: np.ndarray) -> str:
    """A histogram of ``values`` coloured by digit (``labels``): the range, and the digits ordered
    by their mean."""
    values, labels = np.asarray(values, dtype=np.float64), np.asarray(labels, dtype=np.int64)
    count = np.bincount(labels, minlength=10)
    means = np.bincount(labels, weights=values, minlength=10) / np.maximum(count, 1)
    order = [int(k) for k in np.argsort(means, kind="stable") if count[k]]
    return (
        _sentence(what) + f" {len(values):,} values from {_num(values.min(), '.2f')} to "
        f"{_num(values.max(), '.2f')}, "
        "by digit; the digits' means from lowest to highest: "
        + listing(f"{k} ({_num(means[k], '.2f')})" for k in order)
        + "."
    )
