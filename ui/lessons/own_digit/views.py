"""The pictures and charts of *Your own digit*, each a view the page calls in its place: the input
beside its reconstruction, the test digits' scores by digit with the picture's, the "Try these"
strip and the test values as CSV, the nearest test codes, the posterior's samples, and the note
when a larger model's embeddings are not built. Widget keys start with ``own_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.lessons.words import a_digit
from ui.page import downloads, link_values, model_calls
from vae import artefacts


def input_and_reconstruction(
    x: np.ndarray, recon_img: np.ndarray, name: str, said: dict[str, Any], pic: dict[str, Any]
) -> None:
    """The MNIST-like input (28, 28) beside its reconstruction at z = μ, both as one PNG to
    download, and the picture as it came (a thumbnail) when there is one."""
    for col, img, cap, alt in zip(
        st.columns(2),
        (x, recon_img),
        ("the MNIST-like input (28×28)", f"{name}'s reconstruction (decoded at z = μ)"),
        (said["input"], said["recon"]),
    ):
        col.image(downloads.upscale(img, 8), caption=cap, clamp=True, width=210, alt=alt)
    downloads.download_png(
        model_calls.tile(np.stack([x, recon_img]), 2),
        f"own-digit-{name}.png",
        key="own_png",
        label="Download input and reconstruction (PNG)",
    )
    if pic["thumb"] is not None:
        st.image(
            pic["thumb"],
            caption=f"{link_values.echo(pic['name'])}: the picture as grayscale "
            f"({pic['size'][0]}×{pic['size'][1]} px)",
            width=160,
            alt=said["thumb"],
        )


def class_box(stats: pd.DataFrame, elbo: float, name: str) -> None:
    """The test digits' negative ELBO by digit (percentiles ``stats``) with the picture's as a
    dashed line."""
    render.draw(
        render.fill(
            render.spec(altair_charts.class_box_chart),
            **altair_charts.class_box_rows(stats, elbo, f"yours: {elbo:.0f}"),
        ),
        width="stretch",
        key="own_classes",
        alt=alt_text.listing_sentence(
            f"Negative ELBO of the test digits under {name} by digit (median, 25-75 % in "
            f"brackets), yours at {elbo:.0f} nats as a dashed line",
            (
                f"{int(r['digit'])}: {r['p50']:.0f} ({r['p25']:.0f}-{r['p75']:.0f})"
                for _, r in stats.iterrows()
            ),
        ),
    )


def probes(
    probes: dict[str, np.ndarray],
    said: dict[str, Any],
    test_elbo: np.ndarray,
    labels: np.ndarray,
    name: str,
) -> None:
    """The "Try these" pictures with their scores (captions ``said["probe_captions"]``), and every
    test digit's negative ELBO (N,) as CSV."""
    render.show(
        render.png(
            png_figures.image_strip,
            np.stack(list(probes.values())),
            said["probe_captions"],
            size=1.25,
            fontsize=8,
        ),
        alt=said["probes"],
    )
    downloads.download_csv(
        pd.DataFrame(
            {
                "test index": np.arange(len(test_elbo)),
                "digit": labels.astype(int),
                "negative ELBO (nats)": np.round(test_elbo, 3),
            }
        ),
        f"test-elbo-{name}.csv",
        key="own_hist_csv",
        label="Download the test values (CSV)",
    )


def neighbours(
    x_test: np.ndarray,
    codes_mu: np.ndarray,
    mu: np.ndarray,
    near: np.ndarray,
    labels: np.ndarray,
    name: str,
    said: dict[str, Any],
) -> None:
    """The nearest test digits ``near`` (K,), each with its distance from μ in the latent space,
    and eight codes drawn from the posterior (``said["z"]``), decoded."""
    dist = np.linalg.norm(np.asarray(codes_mu, dtype=np.float64)[near] - mu[None, :], axis=1)
    png = render.png(
        png_figures.image_strip,
        np.asarray(x_test[near]),
        [f"#{i} · {a_digit(k)}\ndistance {v:.2f}" for i, k, v in zip(near, labels[near], dist)],
        size=1.3,
    )
    downloads.download_png(png, f"own-digit-neighbours-{name}.png", key="own_near_png")
    render.show(png, alt=said["near"])
    samples = model_calls.decode(name, said["z"])  # (8, 28, 28)
    render.show(
        render.png(
            png_figures.image_strip,
            samples,
            [f"sample {i + 1}" for i in range(8)],
            size=1.1,
            fontsize=9,
        ),
        caption="Eight codes drawn from its posterior, z = μ + σ·ε, decoded: what the model is "
        "unsure about varies.",
        alt=said["samples"],
    )


def no_embeddings(name: str, k: int) -> None:
    """A larger model whose 2-D embeddings are not built: no map, and what to pick or run."""
    st.info(
        f"The 2-D embeddings of {name}'s codes (`cache/embeddings/"
        f"{artefacts.embeddings_path(name).name}`) are not built, so there is no map to place "
        f"your digit on; the {k} nearest codes above still say where it lands."
        + (
            " Pick **vae-10d** for the embeddings."
            if name != "vae-10d"
            else " Rebuild with `python -m vae.build`."
        )
    )
