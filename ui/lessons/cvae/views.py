"""Conditional VAE (pages/10_Conditional_VAE.py): the lesson's views, what each section draws once
the page's widgets have chosen: the manifold of one digit with its stroke-measure table, the style
grid with its shares, both code maps (a click picks an image) and the picked image's hand writing
every digit. The numbers come from ``ui.lessons.cvae.computed``, the axis names from ``claims``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.draw.style import LATENT_RANGE, PPF_P_DEFAULT
from ui.lessons import words
from ui.lessons.cvae import claims, computed
from ui.page import downloads, frame, loaders, model_calls
from vae import latent, pixels, prior

MODEL, BASE = "cvae-2d", "vae-2d"  # the lesson's model, and the plain 2-D VAE it is compared with
N_STYLES = 8  # rows of the style grid


def manifold(digit: int, n: int) -> None:
    """The decoder's ``digit`` on the n x n ppf grid, its axes named after the stroke measure each
    moves most, beside the share of tiles that look like the digit and the measures' table."""
    xs = latent.ppf_axis(n, PPF_P_DEFAULT)  # (n,)
    with frame.cache_guard():
        imgs, r, looks = computed.manifold(
            model_calls.model_key(MODEL), digit, n
        )  # (n * n, 28, 28), once per server and input
    png = render.png(
        png_figures.axes_mosaic,
        imgs,
        n,
        n,
        xs,
        xs,
        f"z₁{claims.axis_word(r, 0)}",
        f"z₂{claims.axis_word(r, 1)}",
        f"cvae-2d: decoder(z, y = {digit}), {n} × {n} ppf grid",
        column_px=style.column_px(0.6, 2),
    )
    c_fig, c_txt = st.columns([3, 2])
    render.show(
        png,
        c_fig,
        alt=alt_text.grid(MODEL, xs, xs, " (a ppf grid)", y=digit)
        + f" By the nearest test image, {looks:.0%} "
        f"of the tiles look like {words.a_digit(digit)}. "
        + " ".join(
            f"{claims.strongest(r, j).split(' (')[0]} follows "
            f"{words.z(j)} most closely (r = {r[claims.strongest(r, j)][j]:+.2f})."
            for j in range(2)
        ),
    )
    with c_fig:
        downloads.download_png(png, f"cvae_manifold_digit{digit}_n{n}.png", key="cvae_manifold_png")
    c_txt.markdown(
        claims.identity_sentence(looks, n * n, digit) + "\n\n"
        "Correlation of three stroke measures with the tile's z₁ and z₂ (an axis is named on the "
        "figure after the "
        f"measure it moves most, when |r| ≥ {claims.NAMED_R:g}):\n\n"
        "| | with z₁ | with z₂ |\n|---|---|---|\n"
        + "\n".join(f"| {k} | {v[0]:+.2f} | {v[1]:+.2f} |" for k, v in r.items())
    )


def style_grid(seed: int, c_fig: Any, c_side: Any) -> None:
    """``N_STYLES`` seeded codes, each decoded with all ten labels (in ``c_fig``), and the shares
    of slant and ink that the row (z) and the column (digit) explain (in ``c_side``)."""
    z = prior.samples(N_STYLES, 2, seed)  # (8, 2): the codes computed.styles decodes
    with frame.cache_guard():
        imgs = computed.styles(
            model_calls.model_key(MODEL), seed, N_STYLES
        )  # (8, 10, 28, 28), once per seed
    rows = {f"z = ({v[0]:+.2f}, {v[1]:+.2f})": imgs[r] for r, v in enumerate(z)}
    captions = [[] for _ in range(N_STYLES - 1)] + [[f"y = {k}" for k in range(10)]]
    png = render.png(
        png_figures.image_rows,
        rows,
        captions=captions,
        size=0.8,
        column_px=style.column_px(0.75, 2),
    )
    render.show(
        png,
        c_fig,
        alt=alt_text.rows(
            f"{N_STYLES} codes z ~ N(0, I) (seed {seed}), one per row, each decoded by "
            f"{MODEL} with every label y = 0 to 9 (columns)",
            rows,
        ),
    )
    with c_side:
        downloads.download_png(png, f"cvae_style_grid_seed{seed}.png", key="cvae_grid_png")
    s_row, s_col = pixels.row_share(pixels.slant(imgs.reshape(-1, 28, 28)).reshape(N_STYLES, 10))
    i_row, i_col = pixels.row_share(pixels.ink(imgs.reshape(-1, 28, 28)).reshape(N_STYLES, 10))
    c_side.markdown(
        "**Measured on this grid** (share of the variation explained by the row, i.e. the z, and "
        "by the column, i.e. the digit; the rest is how the two interact):\n\n"
        f"| | row (z) | column (digit) |\n|---|---|---|\n| slant | {s_row:.0%} | {s_col:.0%} |\n"
        f"| ink | {i_row:.0%} | {i_col:.0%} |"
    )


def _picked() -> None:
    """A click on the cvae-2d map: its point's test index becomes the picked image."""
    try:
        pts = st.session_state["cvae_scatter"]["selection"]["cvae_pick"]
    except (TypeError, KeyError):
        return
    if pts and "index" in pts[0]:
        st.session_state["cvae_idx"] = int(pts[0]["index"])


def maps(idx: int) -> None:
    """vae-2d's and cvae-2d's maps of the scatter subset's codes side by side, test image ``idx``
    marked on both (a click on cvae-2d's picks another), and both maps' codes as a CSV."""
    codes_v, codes_c = loaders.codes(BASE)["mu"], loaders.codes(MODEL)["mu"]  # (N, 2), read-only
    labels, sub = loaders.test_set()[1], loaders.scatter_subset()
    left, right = st.columns(2)
    for col, codes, name, title, select in (
        (left, codes_v, BASE, "vae-2d: z must hold the digit", None),
        (right, codes_c, MODEL, "cvae-2d: z holds the style (click a point)", "cvae_pick"),
    ):
        at = (
            float(np.clip(codes[idx, 0], *LATENT_RANGE)),
            float(np.clip(codes[idx, 1], *LATENT_RANGE)),
        )
        spec = render.fill(
            render.spec(computed.code_map, model_calls.model_key(name), title, select),
            **altair_charts.landing_rows(you=at, you_label=f"#{idx}"),
        )
        said = alt_text.scatter(
            f"{title}: its test codes, #{idx} ({words.a_digit(labels[idx])}) marked",
            codes[sub],
            labels[sub],
        )
        with col:
            if select:
                render.draw(spec, key="cvae_scatter", width="content", on_select=_picked, alt=said)
            else:
                render.draw(spec, key="cvae_scatter_vae", width="content", alt=said)
    downloads.download_csv(
        pd.DataFrame(
            {
                "index": sub,
                "digit": labels[sub],
                "vae_z1": codes_v[sub, 0],
                "vae_z2": codes_v[sub, 1],
                "cvae_z1": codes_c[sub, 0],
                "cvae_z2": codes_c[sub, 1],
            }
        ),
        "cvae_vs_vae_codes.csv",
        key="cvae_codes_csv",
        label="Download both maps' codes (CSV)",
    )


def style_transfer(idx: int) -> None:
    """Test image ``idx`` encoded with its own label, and that code decoded with every label."""
    labels = loaders.test_set()[1]
    z = np.asarray(loaders.codes(MODEL)["mu"][idx], dtype=np.float64)
    with frame.cache_guard():
        imgs = model_calls.decode(
            MODEL, np.repeat(z[None], 10, axis=0), np.arange(10)
        )  # (10, 28, 28)
    strip = np.concatenate([loaders.test_images_float()[idx][None], imgs])
    png = render.png(
        png_figures.image_strip,
        strip,
        labels=[f"original {labels[idx]}"] + [f"y = {k}" for k in range(10)],
        title=f"Encode test #{idx} with its own label, z = ({z[0]:+.2f}, {z[1]:+.2f}); "
        "decode that z with every label",
    )
    render.show(
        png,
        alt=f"Test #{idx}, {words.a_digit(labels[idx])}, encoded by {MODEL} with its own label "
        "to z = "
        f"({z[0]:+.2f}, "
        f"{z[1]:+.2f}); then that z decoded with each label y = 0 to 9: the same hand writing "
        "every digit.",
    )
    downloads.download_png(png, f"cvae_style_transfer_{idx}.png", key="cvae_transfer_png")
