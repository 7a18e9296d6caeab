"""Reconstructions (pages/06_Reconstructions.py): the lesson's views, each drawing one part of the
page from the numbers the page passes: the rows of originals and reconstructions (a changed digit
framed), the binarized rows (a fragment: its threshold reruns only that part) and the table.
Widget keys start with ``rec_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, png_figures, render
from ui.lessons.words import a_digit
from ui.page import downloads, link_values, links
from vae import zoo
from vae.pixels import binarize, image_entropy

T_DEFAULT = 0.5  # the binarization threshold a link without one gets


def rows(
    idx: np.ndarray, y: np.ndarray, x: np.ndarray, res: dict[str, dict[str, np.ndarray]]
) -> None:
    """The test digits ``idx`` (labels ``y``, images ``x``) and each model's reconstructions, one
    row each, under each its excess loss; a reconstruction that looks like another digit framed.
    ``res``: ``computed.results``."""
    names = list(res)
    picture = {
        "original": x,
        **{f"{n}\n{zoo.entry(n).model.latent_dim} numbers": r["recon"] for n, r in res.items()},
    }
    captions = [[f"#{i} · {k}" for i, k in zip(idx, y)]] + [
        [
            f"+{e:.0f}" + ("" if ok else f" → {s}")
            for e, ok, s in zip(r["excess"], r["kept"], r["seen"])
        ]
        for r in res.values()
    ]
    marks = [[False] * len(idx)] + [list(~r["kept"]) for r in res.values()]
    png = render.png(png_figures.image_rows, picture, captions, size=1.0, fontsize=10, marks=marks)
    render.show(
        png,
        alt=alt_text.rows(
            f"{len(idx)} test digits and their reconstructions by {alt_text.listing(names)}, under "
            "each its excess loss in nats. By the nearest test image (its own original left out), "
            + "; ".join(alt_text.changes(y, r["seen"], n, idx) for n, r in res.items()),
            picture,
            [captions[0]]
            + [
                [
                    f"{e:.0f} nats more" + ("" if ok else f", looks like {a_digit(s)}")
                    for e, ok, s in zip(r["excess"], r["kept"], r["seen"])
                ]
                for r in res.values()
            ],
        ),
    )
    downloads.download_png(png, "reconstructions.png", key="rec_png")


@st.fragment
def binarized(idx: np.ndarray, x: np.ndarray, res: dict[str, dict[str, np.ndarray]]) -> None:
    """The same rows binarized at a threshold the student picks, with the pixels that differ."""
    t = float(
        links.url_widget(
            st.slider,
            "Binarization threshold",
            0.05,
            0.95,
            value=T_DEFAULT,
            step=0.05,
            key="rec_t",
            help="A pixel at least this bright becomes ink (1), the rest paper (0).",
            parse=lambda raw: link_values.parse_float(raw, 0.05, 0.95, T_DEFAULT),
        )
    )
    bx = binarize(x, t)
    picture = {"original": bx, **{n: binarize(r["recon"], t) for n, r in res.items()}}
    differ = {
        n: (binarize(r["recon"], t) != bx).reshape(len(x), -1).sum(axis=1) for n, r in res.items()
    }
    caps = [[f"{int(v)} ink px" for v in bx.reshape(len(x), -1).sum(axis=1)]] + [
        [f"{int(v)} differ" for v in d] for d in differ.values()
    ]
    render.show(
        render.png(png_figures.image_rows, picture, caps, size=1.0, fontsize=10),
        alt=alt_text.rows(
            f"The same digits and reconstructions binarized at {t:.2f}: each pixel ink or paper. "
            "Pixels that differ from the binarized original, mean per image: "
            + ", ".join(f"{n} {d.mean():.0f}" for n, d in differ.items()),
            picture,
            caps,
        ),
    )
    st.caption(
        f"Every pixel at least {t:.2f} becomes ink: the shape each model committed to, without the "
        "grey where it hedged. Under each: the pixels that differ from the binarized original."
    )


def table(
    idx: np.ndarray, y: np.ndarray, x: np.ndarray, res: dict[str, dict[str, np.ndarray]]
) -> None:
    """The numbers as a table (one row per test digit) and its CSV download."""
    frame = pd.DataFrame(
        {
            "test index": idx.astype(int),
            "digit": y.astype(int),
            "own entropy H(x) (nats)": np.round(image_entropy(x), 1),
            **{
                f"{n}: {c}": v
                for n, r in res.items()
                for c, v in (
                    ("loss at μ", np.round(r["loss"], 1)),
                    ("excess", np.round(r["excess"], 1)),
                    ("looks like", r["seen"]),
                )
            },
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    downloads.download_csv(frame, "reconstructions.csv", key="rec_csv")
