"""The Interpolation lesson's views (Streamlit): the three strips (lerp, slerp, pixel blend), the
emptiness along both paths, the map of both paths among a 2-D model's codes, and the walk as a
looping GIF. The page keeps its prose, widgets and layout; each function draws one section.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import MODEL_CACHE_ENTRIES, PPF_COLOR
from ui.lessons.interpolation.claims import PATH_NAMES
from ui.lessons.interpolation.computed import code_points
from ui.lessons.model_facts import SPACING_K
from ui.page import downloads, loaders
from vae import pixels

COLORS = {"lerp": "ink", "slerp": PPF_COLOR}  # "ink": the theme's text colour


def strips(
    name: str,
    frames: dict[str, np.ndarray],
    walks: dict[str, np.ndarray],
    t: np.ndarray,
    name_a: str,
    name_b: str,
    stem: str,
) -> None:
    """The decoded lerp and slerp frames and the pixel blend, one row each, and its download."""
    png = render.png(
        png_figures.image_rows,
        {
            "latent, lerp": frames["lerp"],
            "latent, slerp": frames["slerp"],
            "pixel blend": frames["pixels"],
        },
        captions=[[f"t={v:.2f}" for v in t]] * 3,
        size=0.9,
        fontsize=10,
    )
    render.show(
        png,
        alt=f"From {name_a} to {name_b} in {len(t)} steps, t from 0 to 1, decoded by {name}. By "
        "the nearest test code, the straight line (lerp) passes digits "
        f"{alt_text.digits(alt_text.nearest_digits(name, walks['lerp']))}; "
        "the great circle (slerp) "
        f"{alt_text.digits(alt_text.nearest_digits(name, walks['slerp']))}. Bottom row: "
        "the two endpoint pictures cross-faded pixel by pixel.",
    )
    downloads.download_png(png, f"{stem}.png", key="interp_png")


def emptiness_chart(
    where: Any, empty: dict[str, np.ndarray], t: np.ndarray, name_a: str, name_b: str
) -> None:
    """Emptiness along each path (``computed.emptiness``) against t, in ``where``."""
    keys = list(empty)
    rows = pd.DataFrame(  # one frame from whole arrays: cheaper per run than concatenating three
        {
            "t": np.tile(t, len(keys)),
            "path": np.repeat([PATH_NAMES[k] for k in keys], len(t)),
            "emptiness": np.concatenate([empty[k] for k in keys]),
        }
    )
    render.draw(
        render.fill(
            render.spec(altair_charts.emptiness_chart, PATH_NAMES, COLORS, SPACING_K), rows=rows
        ),
        where,
        width="stretch",
        alt=alt_text.listing_sentence(
            f"Emptiness along each path from {name_a} to {name_b} (the distance to the "
            f"{SPACING_K}th nearest test code ÷ the usual, about 1 among the data)",
            (
                f"{PATH_NAMES[k]}: {v[0]:.2f} at A, highest {v.max():.2f} at t = "
                f"{t[v.argmax()]:.2f}, {v[-1]:.2f} at B"
                for k, v in empty.items()
            ),
        ),
    )


def paths_map(
    where: Any,
    name: str,
    walks: dict[str, np.ndarray],
    za: np.ndarray,
    zb: np.ndarray,
    codes: np.ndarray,
    labels: np.ndarray,
) -> None:
    """Both paths of a 2-D model among its test codes (the scatter subset), A and B marked."""
    sub = loaders.scatter_subset()
    xy = np.concatenate(list(walks.values()))  # (paths x steps, 2)
    lines = pd.DataFrame(  # one frame from whole arrays: cheaper per run than concatenating
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "order": np.concatenate([np.arange(len(p)) for p in walks.values()]),
            "path": np.repeat([PATH_NAMES[k] for k in walks], [len(p) for p in walks.values()]),
        }
    )
    ends = pd.DataFrame({"x": [za[0], zb[0]], "y": [za[1], zb[1]], "name": ["A", "B"]})
    spec = altair_charts.with_domains(
        render.spec(altair_charts.paths_map, PATH_NAMES, COLORS),
        altair_charts.square_domains(np.vstack([codes[sub], xy])),
    )
    render.draw(
        render.fill(spec, points=code_points(name), lines=lines, ends=ends),
        where,
        width="content",
        alt=alt_text.scatter(
            f"{name}'s test codes and both paths from A at ({za[0]:.2f}, {za[1]:.2f}) to B "
            f"at ({zb[0]:.2f}, {zb[1]:.2f})",
            codes[sub],
            labels[sub],
        ),
    )


@st.cache_data(max_entries=MODEL_CACHE_ENTRIES, show_spinner=False)
def _gif(frames: np.ndarray, ms: int) -> bytes:
    """The looping GIF of ``frames`` (n, 28, 28) at ``ms`` per frame, encoded once per walk and
    speed for every session (an encoding is about 10 ms; a repeat run of the page needs none)."""
    return pixels.gif_bytes(frames, scale=8, duration_ms=ms)


@st.fragment
def animation(frames: dict[str, np.ndarray], stem: str, what: str) -> None:
    """One of the three walks as a looping GIF (A → B → A), its speed chosen, and its download."""
    c_which, c_speed = st.columns([3, 2])
    options = {
        "lerp": "latent, straight line (lerp)",
        "slerp": "latent, great circle (slerp)",
        "pixels": "pixel blend",
    }
    which = c_which.radio(
        "Animate", list(options), format_func=options.get, horizontal=True, key="interp_gif_path"
    )
    ms = c_speed.slider("Milliseconds per frame", 40, 400, 120, step=20, key="interp_gif_ms")
    gif = _gif(frames[which], ms)
    st.image(
        gif,
        caption=f"{options[which]}, A → B → A, looping",
        width="content",
        alt=f"Looping animation, {ms} ms per frame: the {options[which]} {what}, "
        f"{len(frames[which])} frames there and back.",
    )
    st.download_button(
        "Download GIF",
        gif,
        file_name=f"{stem}_{which}.gif",
        mime="image/gif",
        key="interp_gif_download",
        on_click="ignore",
    )
