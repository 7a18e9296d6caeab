"""Where a new picture lands among the test codes (Your own digit): its code on the 2-D latent plane
with its posterior's 2-sigma ellipse, or, for a larger latent, on the PCA / t-SNE / UMAP maps of the
test codes (PCA places the point itself; t-SNE and UMAP only light up its nearest test codes).
Widget keys start with ``own_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, render
from ui.draw.style import LATENT_RANGE
from ui.page import downloads, link_values, links, loaders, model_calls
from vae import embed, latent, prior
from vae.artefacts import CacheError

EMBED_LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


def plane(
    name: str, mu: np.ndarray, lv: np.ndarray, near: np.ndarray, elbo: float, pct: float
) -> bool:
    """A 2-D model's test codes, the picture's code μ (clipped to the axes), its μ ± 2σ ellipse and
    its
    nearest test codes ``near``; returns whether μ lies inside the prior's 99 % circle."""
    codes, labels, sub = loaders.codes(name), loaders.test_set()[1], loaders.scatter_subset()
    lo, hi = LATENT_RANGE
    shown = np.clip(mu, lo, hi)
    ring = latent.ellipse(mu, lv, k=2.0)  # (100, 2): mu +- 2 sigma, to scale
    chart = (
        render.fill(  # the spec once per model; this picture's code, ellipse and neighbours as rows
            render.spec(
                altair_charts.landing_chart,
                model_calls.subset_codes(name),
                altair_charts.SLOT,
                altair_charts.SLOT,
                altair_charts.SLOT,
                (LATENT_RANGE, LATENT_RANGE),
                "z₁",
                "z₂",
                f"Test codes of {name} (μ, {len(sub):,} digits) and yours",
                prior_circle=True,
            ),
            **altair_charts.landing_rows(
                (float(shown[0]), float(shown[1])),
                ring=ring,
                near=altair_charts.codes_frame(np.asarray(codes["mu"])[near], labels[near], near),
            ),
        )
    )
    s1, s2 = st.columns([3, 2])
    with s1:
        render.draw(
            chart,
            key="own_map",
            width="content",
            alt=alt_text.scatter(
                f"Test codes of {name} and yours at μ = ({mu[0]:.2f}, {mu[1]:.2f}) with its 2σ "
                "ellipse; its nearest test codes, "
                f"ringed, are {alt_text.digits(labels[near])}",
                np.asarray(codes["mu"])[sub],
                labels[sub],
            ),
        )
    with s2:
        st.markdown(
            f"**Large cross** (labelled *yours*): your digit's code μ = ({mu[0]:.2f}, {mu[1]:.2f})"
            + (" (outside the plotted square, drawn at its edge)" if (shown != mu).any() else "")
            + ". **Dashed ellipse**: its posterior q(z|x) at μ ± 2σ, to scale"
            + (
                " (hidden under the cross here: the model is sure where this digit goes)"
                if altair_charts.hidden_by_marker(ring, (LATENT_RANGE, LATENT_RANGE))
                else ""
            )
            + ". **Grey circles**: its nearest test codes, drawn even when they are not among the "
            "plotted subset. **Dotted grey circle**: where 99 % of the prior N(0, I) lies. Hover a "
            "point for its digit and test index."
        )
        downloads.download_csv(
            pd.DataFrame(
                {"z1": [mu[0]], "z2": [mu[1]], "negative_elbo": [elbo], "percentile": [pct]}
            ),
            f"own-digit-code-{name}.csv",
            key="own_code_csv",
            label="Download your code (CSV)",
        )
    return float((mu**2).sum()) <= prior.radius(0.99) ** 2


@st.fragment
def embedding(name: str, mu: np.ndarray, lv: np.ndarray, near: np.ndarray, k: int) -> None:
    """The picture on an embedding of a d-D model's test codes (a fragment: switching the map reruns
    only it)."""
    codes, labels, sub, d = (
        loaders.codes(name),
        loaders.test_set()[1],
        loaders.scatter_subset(),
        len(mu),
    )
    try:
        emb = loaders.embeddings(name)
    except CacheError as exc:
        st.warning(
            f"`{exc.path.name}` {exc.problem}; rebuild it with `{exc.rebuild}`. "
            "The embedding view is skipped."
        )
        return
    method = links.url_widget(
        st.radio,
        "Embedding",
        list(EMBED_LABELS),
        key="own_embed",
        horizontal=True,  # in the link
        format_func=EMBED_LABELS.get,
        parse=lambda raw: link_values.parse_label(raw, EMBED_LABELS, "pca"),
    )
    coords = np.asarray(emb[method])
    you = ring = None
    if method == "pca":
        you = embed.pca_project(codes["mu"], emb["pca_components"], mu)  # (2,)
        ring = latent.gaussian_ellipse(you, embed.pca_project_cov(emb["pca_components"], lv), k=2.0)
    shown_xy = np.concatenate([coords[sub], *([you[None], ring] if ring is not None else [])])
    domains = altair_charts.square_domains(shown_xy)
    label = EMBED_LABELS[method]
    e1, e2 = st.columns([3, 2])
    with e1:
        chart = render.spec(
            altair_charts.landing_chart,
            altair_charts.codes_frame(coords[sub], labels[sub], sub),
            altair_charts.SLOT,
            altair_charts.SLOT,
            altair_charts.SLOT,
            domains,
            f"{label} 1",
            f"{label} 2",
            f"{label} of {name}'s test codes",
        )
        render.draw(
            render.fill(
                chart,
                **altair_charts.landing_rows(
                    None if you is None else (float(you[0]), float(you[1])),
                    ring=ring,
                    near=altair_charts.codes_frame(coords[near], labels[near], near),
                ),
            ),
            key=f"own_embed_{method}",
            width="content",
            alt=alt_text.scatter(
                f"{label} map of {name}'s test codes"
                + (f" and yours at ({you[0]:.2f}, {you[1]:.2f})" if you is not None else "")
                + f"; your {len(near)} nearest test codes, ringed, are "
                f"{alt_text.digits(labels[near])}",
                coords[sub],
                labels[sub],
                f"{label} 1",
                f"{label} 2",
            ),
        )
    if ring is not None:
        e2.markdown(
            "PCA is a linear map, so your digit itself is placed: the **large cross** (labelled "
            "*yours*). **Dashed ellipse**: its posterior q(z|x) at μ ± 2σ, mapped by the same "
            "projection, to scale"
            + (
                " (hidden under the cross here: the model is sure where this digit goes)"
                if altair_charts.hidden_by_marker(ring, domains)
                else ""
            )
            + f". **Grey circles**: its {k} nearest test codes in the {d}-D space."
        )
    else:
        e2.markdown(
            f"{label} cannot place a point it was not fitted on, so the **grey circles** mark your "
            f"digit's {k} nearest test codes (in the {d}-D space) instead. Choose **PCA** to "
            "see the digit itself and its posterior."
        )
