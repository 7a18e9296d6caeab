"""Latent size (pages/11_Latent_size.py): the lesson's views, what each section draws once the
page's widgets have chosen: the reconstructions by every size, the loss and the KL-per-dimension
charts against the size, and a large code cut down to its top k dimensions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.lessons import ladders
from ui.lessons.model_facts import keep_top_curve, size_name
from ui.page import frame, loaders, model_calls
from vae import units
from vae.artefacts import CacheError


def reconstructions(seed: int, sizes: Iterable[int], problems: dict[str, CacheError]) -> None:
    """The seed's ten test digits reconstructed by every size that loads, each with its cost; the
    sizes left out named below."""
    shown = {f"d = {d}": size_name(d) for d in sizes if size_name(d) not in problems}
    n_rows, failed = ladders.show_rows(
        seed,
        shown,
        "Each test digit is encoded to its mean code μ and decoded by the VAE with latent size d. "
        "Under each reconstruction: its reconstruction cost (BCE summed over the 784 pixels, nats; "
        "lower is more faithful).",
        download=(f"reconstructions-latent-size-seed{seed}.png", "ls_rec_png"),
    )
    if n_rows == 1:
        st.info(
            "No model of the latent-size ladder is built yet, so there is nothing to reconstruct.",
            icon=":material/hourglass_empty:",
        )
    frame.missing_note({**problems, **failed}, "the reconstructions")


def loss_chart(table: pd.DataFrame, sizes: list[int], where: Any) -> None:
    """Test −ELBO, reconstruction and KL against the latent size (``table``: the ladder's rows)."""
    render.draw(
        render.spec(altair_charts.size_loss_chart, table, sizes),
        where,
        width="stretch",
        key="ls_loss_chart",
        alt=alt_text.listing_sentence(
            "Test −ELBO, reconstruction and KL (nats per test image) against the latent size",
            (
                f"{r['latent size']} dimensions: −ELBO {r['test −ELBO (nats)']:.1f}, "
                f"reconstruction {r['reconstruction (nats)']:.1f}, KL {r['KL (nats)']:.1f}"
                for _, r in table.sort_values("latent size").iterrows()
            ),
        ),
    )


def kl_dims_chart(kl_dims: dict[int, np.ndarray], thr: float) -> None:
    """Each size's KL per dimension, sorted, with the threshold ``thr`` (nats) dashed, and how
    many dimensions of each size are above it."""
    used = {d: units.count_above(v, thr) for d, v in kl_dims.items()}
    render.draw(
        render.fill(
            render.spec(altair_charts.kl_dims_chart, kl_dims),
            threshold=pd.DataFrame({"y": [thr]}),
        ),
        width="stretch",
        key="ls_kl_dims_chart",
        alt=alt_text.listing_sentence(
            f"Each dimension's mean KL, sorted, per latent size; threshold {thr:g} nats",
            (
                f"{d} dimensions: largest {v[0]:.2f} nats, smallest {v[-1]:.3f}, {used[d]} "
                "above the threshold"
                for d, v in kl_dims.items()
            ),
        ),
    )
    st.caption(
        "Each dimension's KL(q(zᵢ|x) ‖ N(0, 1)), averaged over the test images and sorted, on "
        "a log scale; "
        f"dashed: the threshold. In use at {thr:g} nats: "
        + ", ".join(f"{used[d]} of {d}" for d in kl_dims)
        + "."
    )


def top_k(d: int, k: int) -> None:
    """The ten test digits of the reconstructions (their seed's) through the size-d model with
    only its k dimensions of most KL kept, and with all d; beside them the reconstruction loss
    against k, k marked."""
    name = size_name(d)
    curve = keep_top_curve(name)  # (d,) mean reconstruction loss for k = 1 .. d
    idx = ladders.test_digits(int(st.session_state.get("ls_seed", 0)))[0]  # the ten shown above
    mu = loaders.codes(name)["mu"][idx]  # (10, d)
    order = np.argsort(-ladders.mean_kl_of_model(name), kind="stable")
    rows = {
        f"top {k}": model_calls.decode(name, units.keep_top(mu, order, k)),
        f"all {d}": model_calls.decode(name, mu),
    }
    left, right = st.columns([3, 2])
    render.show(
        render.png(
            png_figures.image_rows,
            rows,
            None,
            size=0.8,
            fontsize=10,
            column_px=style.column_px(0.6, 2),
        ),
        left,
        alt=alt_text.rows(
            f"The ten test digits above through {name}, decoded with only its {k} "
            "dimensions of most KL kept (top row), "
            f"and with all {d} (bottom). By the nearest test image, "
            + "; ".join(
                alt_text.changes(loaders.test_set()[1][idx], alt_text.looks_like(r, idx), w)
                for w, r in rows.items()
            ),
            rows,
        ),
    )
    render.draw(
        render.fill(
            render.spec(altair_charts.keep_top_chart, curve),
            mark=pd.DataFrame({"k": [k], "loss": [curve[k - 1]]}),
        ),
        right,
        width="stretch",
        alt=alt_text.curve(
            f"Reconstruction loss of {name} with only its top k dimensions kept, k = {k} marked",
            range(1, d + 1),
            curve,
            "k",
            "nats",
            ".1f",
        ),
    )
