"""What the Interpolation lesson computes: the two endpoints A and B of each kind (test digits by
class or index, digit prototypes, prior draws) with their pictures and names, the emptiness along
both paths (the distance to the K-th nearest test code ÷ the usual one), and, once per model and
server, the scatter subset of a 2-D model's codes as the Arrow bytes its map is sent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import altair_charts
from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons import words
from ui.lessons.model_facts import SPACING_K, code_spacing
from ui.page import loaders, model_calls
from vae import latent, paths, prior


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_points(name: str) -> bytes:
    """The scatter subset of a 2-D model's codes, as the Arrow bytes its map is sent (once per
    model)."""
    sub = loaders.scatter_subset()
    return altair_charts.points_arrow(
        loaders.codes(name)["mu"][sub], loaders.test_set()[1][sub], sub
    )


def endpoints(
    name: str,
    mode: str,
    a: int,
    b: int,
    seed: int,
    codes: np.ndarray,
    labels: np.ndarray,
    images: np.ndarray,
    is_vae: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, str]:
    """A and B for the mode ("class": a random test image of digits a and b by seed; "index": test
    images a and b; "prototype": the mean codes of digits a and b; "prior": two draws from N(0, I)
    by seed). -> their codes (d,) each, their pictures (28, 28) each (test images, or the decoded
    endpoints for the pixel blend), their names"""
    if mode in ("class", "index"):
        ia, ib = paths.pick_pair(labels, a, b, seed) if mode == "class" else (a, b)
        return (
            codes[ia].astype(np.float64),
            codes[ib].astype(np.float64),
            images[ia],
            images[ib],
            f"test #{ia} ({words.a_digit(labels[ia])})",
            f"test #{ib} ({words.a_digit(labels[ib])})",
        )
    if mode == "prototype":
        za, zb = latent.prototypes(codes.astype(np.float64), labels)[[a, b]]  # (d,) each
        name_a, name_b = f"the prototype of {a}", f"the prototype of {b}"
    else:
        za, zb = prior.samples(2, codes.shape[1], seed)
        name_a, name_b = ("a prior draw" if is_vae else "a draw from N(0, I)"), "another"
    xa, xb = model_calls.decode(name, np.stack([za, zb]))  # decoded endpoints, for the pixel blend
    return za, zb, xa, xb, name_a, name_b


def emptiness(
    name: str, za: np.ndarray, zb: np.ndarray, t: np.ndarray
) -> tuple[dict[str, np.ndarray], float]:
    """Emptiness along each path at ``t``, with the model's KD-tree built once: the distance to
    the SPACING_K-th nearest test code ÷ the usual one among the test codes, about 1 among the
    data. -> {"lerp": (T,), "slerp": (T,)}, the usual distance"""
    usual = code_spacing(name, SPACING_K)
    tree = loaders.code_tree(name)
    empty = {
        k: tree.query(f(za, zb, t), k=SPACING_K)[0][:, -1] / max(usual, 1e-12)
        for k, f in (("lerp", paths.lerp), ("slerp", paths.slerp))
    }
    return empty, usual


def path_codes(walks: dict[str, np.ndarray], t: np.ndarray) -> pd.DataFrame:
    """Both paths' codes in long form: path, t and one column per dimension."""
    d = walks["lerp"].shape[1]
    return pd.DataFrame(
        {
            "path": np.repeat(list(walks), len(t)),
            "t": np.tile(t, 2),
            **{
                words.z(j): np.concatenate([walks["lerp"][:, j], walks["slerp"][:, j]])
                for j in range(d)
            },
        }
    )
