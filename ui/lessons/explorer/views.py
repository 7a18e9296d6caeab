"""The Latent explorer's views (Streamlit): the clickable pad of a 2-D model, a slider's preview
strip, the decoded code with its place on the codes' principal axes, and the random codes drawn
from the prior with their table. The page keeps the widgets and the layout; each function draws
one section from the numbers it is given.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.draw.style import PAD_N, SLIDER_RANGE
from ui.lessons import words
from ui.lessons.explorer import codepad
from ui.lessons.explorer.claims import Wording
from ui.lessons.model_facts import code_scale
from ui.page import downloads, frame, loaders, model_calls
from vae import latent


def pad(
    name: str,
    mu: np.ndarray,
    labels: np.ndarray,
    keys: list[str],
    half: float,
    say: Wording,
    pad_note: str,
) -> None:
    """A 2-D model's latent pad, the current code marked; a click decodes the spot
    (``codepad.clicked``)."""
    pad_key = codepad.pad_key()
    render.draw(
        codepad.pad_spec(mu, labels, codepad.current(keys), half, say.pad_title),
        key=pad_key,
        on_select=partial(codepad.clicked, pad_key),
        width="content",
        alt=codepad.pad_alt(name, mu, labels, codepad.current(keys)),
    )
    step = 2 * half / (PAD_N - 1)  # the pad's cell: a click lands on a cell's centre
    frame.secondary(
        f"{pad_note} Hover a dot for its digit and test index. A click on empty "
        f"space decodes that spot (to the nearest {step:.2g}); a click on a dot "
        "decodes that test image's code."
    )


def previews(name: str, z: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What moving each slider would decode: per dimension, ``values`` in it and the others as in
    ``z`` (d,). -> strips (d, len(values), 28, 28), nearest test digits (d, len(values))"""
    d = len(z)
    tz = latent.traversal(z, values)  # (d * len(values), d)
    strips = model_calls.decode(name, tz).reshape(d, len(values), 28, 28)
    return strips, alt_text.nearest_digits(name, tz).reshape(d, len(values))


def preview(
    col: Any, name: str, i: int, strip: np.ndarray, near: np.ndarray, values: np.ndarray
) -> None:
    """Slider z_{i+1}'s preview strip, drawn under it in its column ``col``."""
    col.image(
        np.hstack(list(strip)),
        clamp=True,
        width="stretch",
        caption=f"{words.z(i)} at {values[0]:g} … {values[-1]:g}, the rest as set",
        alt=f"What {name} decodes with {words.z(i)} at "
        f"{alt_text.listing(f'{v:g}' for v in values)} "
        "and the other dimensions as set; the nearest test codes are digits "
        f"{alt_text.digits(near)}.",
    )


def decoded(
    name: str, z: np.ndarray, exact: list[float] | None, mu: np.ndarray, labels: np.ndarray
) -> None:
    """The decoder's image of z, the code in numbers, its download, and for more than 2 dimensions
    the code on the test codes' first two principal axes."""
    d = len(z)
    img = model_calls.decode(name, z[None])[0]  # (28, 28)
    shown = ", ".join(f"{v:.2f}" for v in z)
    st.image(
        downloads.upscale(img, 8),
        caption="decoder(z)",
        width=224,
        alt=f"The image {name}'s decoder draws at z = "
        f"({shown}); the nearest test code is "
        f"{words.a_digit(alt_text.nearest_digits(name, z)[0])}.",
    )
    st.markdown(f"**z** = ({shown})")
    if exact is not None:
        st.caption(
            "Decoded at the clicked, linked or starting point exactly; the sliders show it "
            "rounded to their 0.1 steps and "
            f"clipped to {SLIDER_RANGE[0]:g}…{SLIDER_RANGE[1]:g}."
        )
    downloads.download_png(downloads.upscale(img, 8), f"latent-explorer-{name}.png", key="lex_png")
    if d > 2:  # the code on a map: the test codes' first two principal axes
        _, mean, comps = code_scale(name)
        sub = loaders.scatter_subset()
        render.draw(
            altair_charts.pca_code_chart(mu[sub], labels[sub], sub, mean, comps, z),
            width="content",
            alt=codepad.pca_alt(name, mu, labels, mean, comps, z),
        )
        st.caption(
            "Seen along the test codes' two main directions; a point that looks near the data "
            "here can "
            f"still be far from it in the other {d - 2} dimensions (the distance below is in "
            f"all {d})."
        )


def samples(name: str, zs: np.ndarray, seed: int) -> None:
    """The random codes ``zs`` (n, d) decoded, in rows, beside their table (sample, |z|, z)."""
    n, d = zs.shape
    imgs = model_calls.decode(name, zs)  # (n, 28, 28)
    rows, caps = png_figures.wrap_rows(imgs, min(n, 4))
    table = pd.DataFrame(np.round(zs, 3), columns=[words.z(i) for i in range(d)])
    table.insert(0, "sample", np.arange(1, n + 1))
    table.insert(1, "|z|", np.round(np.linalg.norm(zs, axis=1), 3))
    a, b = st.columns([3, 2], gap="large")
    with a:
        png = render.png(
            png_figures.image_rows,
            rows,
            caps,
            size=1.2,
            column_px=style.column_px(0.6, 2, gap="large"),
        )
        render.show(
            png,
            alt=alt_text.rows(
                f"{n} codes z ~ N(0, I) (seed {seed}) decoded by {name}, |z| from "
                f"{np.linalg.norm(zs, axis=1).min():.1f} to "
                f"{np.linalg.norm(zs, axis=1).max():.1f}. "
                f"By the nearest test code, samples 1 to {n} land on "
                f"{alt_text.digits(alt_text.nearest_digits(name, zs))}",
                rows,
                caps,
            ),
        )
        downloads.download_png(png, f"prior-samples-{name}-seed{seed}.png", key="lex_samples_png")
    with b:
        st.dataframe(table, hide_index=True, width="stretch")
        downloads.download_csv(table, f"prior-samples-{name}-seed{seed}.csv", key="lex_samples_csv")
