"""Embeddings (pages/05_Embeddings.py): the lesson's views, each drawing one part of the page from
the numbers the page passes: one map with the picked code and its 10-D neighbours (a click picks
another), PCA's spectrum beside each dimension's variance, the walk along a line drawn on a map (a
fragment: its controls rerun only that part) and the pair plot. Widget keys start with ``emb_``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render, style
from ui.draw.style import LATENT_RANGE
from ui.lessons import words
from ui.lessons.embeddings import claims, computed
from ui.lessons.embeddings.computed import METHODS, points
from ui.lessons.words import a_digit
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from ui.server import warmup
from vae import artefacts, paths, zoo

K = claims.K  # neighbours lit up and kept-neighbour counts (trustworthiness uses the same k)
LINE_KEYS = ("emb_x0", "emb_y0", "emb_x1", "emb_y1")


@dataclass(frozen=True, eq=False)
class Picked:
    """What every map of one run shows: the model's maps, the fixed subset of its test codes drawn,
    and the picked code with its K nearest neighbours in 10-D."""

    name: str  # the model
    emb: Mapping[str, np.ndarray]  # its embeddings file: each map (N, 2) and its scores
    labels: np.ndarray  # (N,) the test digits' labels
    subset: np.ndarray  # (n,) the test indices drawn on every map
    pick: int  # the picked test index
    near: np.ndarray  # (K,) its nearest test indices in 10-D


def on_click(chart_key: str) -> None:
    """A click on a map picks the code under it (``emb_pick``, the link's ``emb_idx``)."""
    try:
        pts = st.session_state[chart_key]["selection"]["pick"]
    except (TypeError, KeyError):
        return
    if pts:
        st.session_state["emb_pick"] = int(pts[0]["index"])


def draw_map(
    where: Any, p: Picked, m: str, title: str, side: int, select: str | None, legend: bool, **kw
) -> None:
    """One map: a spec per layout (``altair_charts.embedding_map``), this map's points, domains and
    pick filled in."""
    xy, pick, near = p.emb[m], p.pick, p.near  # (N, 2); the domains: its points, near and pick
    s = altair_charts.with_domains(
        render.spec(altair_charts.embedding_map, title, side, select, legend),
        altair_charts.square_domains(np.vstack([xy[p.subset], xy[near], xy[[pick]]])),
    )
    rows = altair_charts.landing_rows(
        you=(float(xy[pick, 0]), float(xy[pick, 1])),
        you_label=f"#{pick}",
        near=pd.DataFrame({"x": xy[near, 0], "y": xy[near, 1]}),
    )
    render.draw(
        render.fill(s, points=points(p.name, m), you=rows["you"], near=rows["near"]),
        where,
        width="content",
        **kw,
        alt=alt_text.scatter(
            f"{title} map of {p.name}'s test codes, #{pick} ({a_digit(p.labels[pick])}) "
            f"marked, its {K} "
            "nearest 10-D neighbours ringed" + ("; a click on a dot picks it" if select else ""),
            xy[p.subset],
            p.labels[p.subset],
            f"{title} 1",
            f"{title} 2",
            legend,
        ),
    )


def _spectrum_data(
    emb: Mapping[str, np.ndarray], var_mu: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """PCA's share of the variance per component (d,), its loadings (d, d) and the dimensions'
    names, from a model's embeddings file."""
    return (
        np.asarray(emb["pca_explained_variance_ratio"], float),
        np.asarray(emb["pca_components"], float),
        [words.z(j) for j in range(len(var_mu))],
    )


def spectrum_specs(
    emb: Mapping[str, np.ndarray], is_ae: bool, var_mu: np.ndarray, mean_s2: np.ndarray | None
) -> tuple[dict, dict, dict]:
    """The spectrum's three charts (Vega-Lite specs, each built once per input): PCA's share of
    the variance per component, each dimension's Var(μⱼ) + E[σⱼ²] (an AE has no σ and no prior:
    Var(μⱼ) alone) and the loadings."""
    evr, comps, dims = _spectrum_data(emb, var_mu)
    s2 = None if is_ae else mean_s2
    return (
        render.spec(altair_charts.variance_chart, evr),
        render.spec(altair_charts.budget_chart, var_mu, s2, dims),
        render.spec(altair_charts.loadings_chart, comps, dims),
    )


def spectrum(
    name: str,
    emb: Mapping[str, np.ndarray],
    is_ae: bool,
    var_mu: np.ndarray,
    mean_s2: np.ndarray | None,
    angles: np.ndarray,
) -> None:
    """PCA's share of the variance per component beside each dimension's variance (an AE: Var(μⱼ)
    alone), the loadings, and how far PC1 turns under bootstrap resamples (``angles``, degrees)."""
    evr, comps, dims = _spectrum_data(emb, var_mu)  # (d,), (d, d), the names z1 ... zd
    variance, budget, loadings = spectrum_specs(emb, is_ae, var_mu, mean_s2)
    v1, v2 = st.columns(2)
    render.draw(
        variance,
        v1,
        width="stretch",
        alt=alt_text.bars(
            f"Share of the variance of {name}'s codes per principal component",
            [f"PC{j + 1}" for j in range(len(evr))],
            100 * evr,
            " %",
        ),
    )
    render.draw(
        budget,
        v2,
        width="stretch",
        alt=alt_text.bars(
            "Per dimension, Var(μⱼ) (an AE: no σ, no prior)"
            if is_ae
            else "Per dimension, Var(μⱼ) + E[σⱼ²] (the prior's is 1)",
            dims,
            var_mu if is_ae else var_mu + mean_s2,
        ),
    )
    render.draw(
        loadings,
        width="stretch",
        alt=alt_text.heatmap(
            "PCA loadings: each principal component's weight on each dimension",
            [f"PC{j + 1}" for j in range(len(comps))],
            dims,
            comps,
        ),
    )
    st.caption(
        "PC1's direction under 20 bootstrap resamples of the test codes: median turn "
        f"{np.median(angles):.1f}°, "
        f"largest {angles.max():.1f}°. A component's sign is arbitrary: only the pattern matters."
    )


def on_line_pick() -> None:
    """A click on the line map: the last two clicked points become the line."""
    try:
        picked = st.session_state["emb_line_chart"]["selection"]["pick"]
    except (KeyError, TypeError):
        return
    if picked:
        clicks = link_values.push_click(
            st.session_state.get("emb_clicks", []), (picked[0]["x"], picked[0]["y"])
        )
        st.session_state["emb_clicks"] = clicks
        if len(clicks) == 2:
            for k, v in zip(LINE_KEYS, (*clicks[0], *clicks[1])):
                st.session_state[k] = round(float(v), 3)


@st.fragment
def line_view(
    name: str,
    emb: Mapping[str, np.ndarray],
    mu: np.ndarray,
    labels: np.ndarray,
    subset: np.ndarray,
    images_f: np.ndarray,
) -> None:
    """A line drawn on one map (typed or clicked, the link's ``emb_line``), the real codes nearest
    its samples decoded beside the straight 10-D line between the first and last of them."""
    c1, c2 = st.columns(2)
    method = links.url_widget(
        c1.selectbox,
        "Map",
        list(METHODS),
        index=list(METHODS).index("tsne"),
        key="emb_method",
        format_func=METHODS.get,
        parse=lambda raw: link_values.parse_label(raw, METHODS, "tsne"),
    )
    n = links.int_slider(c2, "Samples along the line", 2, 24, "emb_n", 10)
    coords = emb[method]  # (N, 2)
    default = paths.default_line(coords, labels, 0, 1)
    here = f"{name}/{method}"
    if st.session_state.get("emb_line_for") not in (None, here):  # another map: its own default
        for k, v in zip(LINE_KEYS, default):
            st.session_state[k] = v
        st.session_state["emb_clicks"] = []
    st.session_state["emb_line_for"] = here
    extent = max(float(np.ptp(coords, axis=0).max()), 1e-6)
    step = float(10 ** np.floor(np.log10(extent / 50)))
    xy = []
    for i, (col, key, label) in enumerate(
        zip(st.columns(4), LINE_KEYS, ("start x", "start y", "end x", "end y"))
    ):
        links.state_from_url(
            key,
            "emb_line",
            lambda raw, i=i: (lambda r: (r[0][i], r[1]))(
                link_values.parse_float_list(raw, -1e4, 1e4, 4, default)
            ),
        )
        xy.append(
            float(
                col.number_input(
                    label, min_value=-1e4, max_value=1e4, step=step, format="%.3f", key=key
                )
            )
        )
    # here, so that a rerun of this fragment alone rewrites the link too
    links.state_to_url({"emb_line": xy})
    one = len(st.session_state.get("emb_clicks", [])) == 1
    st.caption(
        "Type the ends, or **click two points** on the map: the line runs from the first click to "
        "the second"
        f"{' (one click so far)' if one else ''}. The default runs from the middle of the 0s to "
        "the middle of the 1s."
    )
    s = paths.line_samples(coords, xy[:2], xy[2:], n)
    idx, pts = s["index"], s["points"]
    chosen = pd.DataFrame(
        {"x": coords[idx, 0], "y": coords[idx, 1], "step": [str(k + 1) for k in range(n)]}
    )
    title = METHODS[method]
    chart = render.spec(altair_charts.line_map, f"{title} 1", f"{title} 2", 460)
    chart["layer"][0]["title"] = (
        f"{title} map of {name}: the line and the nearest real codes (numbered)"
    )
    render.draw(
        render.fill(
            chart,
            points=points(name, method),
            chosen=chosen,
            path=pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1], "order": np.arange(n)}),
        ),
        width="content",
        key="emb_line_chart",
        on_select=on_line_pick,
        selection_mode="pick",
        alt=alt_text.scatter(
            f"{title} map of {name}: a line from ({xy[0]:.3g}, {xy[1]:.3g}) to "
            f"({xy[2]:.3g}, {xy[3]:.3g}) and the {n} real codes nearest its steps, numbered; "
            "click two points to set the line",
            coords[subset],
            labels[subset],
            f"{title} 1",
            f"{title} 2",
        ),
    )
    with frame.cache_guard():
        decoded = model_calls.decode(name, mu[idx])  # (n, 28, 28)
        straight = model_calls.decode(name, paths.line(mu[idx[0]], mu[idx[-1]], n))  # (n, 28, 28)
    png = render.png(png_figures.walk_figure, decoded, images_f[idx], idx, labels[idx], straight)
    render.show(png, alt=png_figures.walk_alt(name, idx, labels[idx], True, title))
    downloads.download_png(png, f"line-{name}-{method}.png", key="emb_line_png")
    far = s["dist"] > claims.FAR * extent  # (n,) samples in empty parts of the map
    walk = claims.walk_facts(xy[:2] == xy[2:], far, coords, mu, labels, idx)
    alert = claims.walk_alert(walk)
    if alert is not None:
        (st.info if alert[0] == "info" else st.warning)(alert[1])
    st.caption(claims.walk_caption(walk))


def pair_png(
    mu: np.ndarray, labels: np.ndarray, few: np.ndarray, dims: list[int], is_ae: bool
) -> bytes:
    """The pair plot's PNG (drawn once per input and theme): the codes ``few`` (test indices), two
    of the dimensions ``dims`` at a time."""
    return render.png(
        png_figures.pair_figure,
        np.asarray(mu[few][:, dims], float),
        labels[few],
        list(dims),
        None if is_ae else LATENT_RANGE,
        column_px=style.column_px(0.6, 2, style.EXPANDER_PX),
    )


def pair_plot(
    name: str, mu: np.ndarray, labels: np.ndarray, few: np.ndarray, dims: list[int], is_ae: bool
) -> None:
    """The codes ``few`` (test indices), two of the dimensions ``dims`` at a time, and the PNG's
    download; the VAE's axes share the prior's range."""
    png = pair_png(mu, labels, few, dims, is_ae)
    render.show(
        png,
        st.columns([3, 2])[0],
        alt=png_figures.pair_alt(name, mu[few][:, dims], labels[few], list(dims)),
    )
    downloads.download_png(
        png, f"pair-plot-{name}-{'-'.join(f'z{j + 1}' for j in dims)}.png", key="emb_pairs_png"
    )
    st.caption(
        f"{len(few):,} test codes ({len(few) // 10} per digit); the diagonal counts them per bin."
    )


def maps_csv(name: str, emb: Mapping[str, np.ndarray], labels: np.ndarray) -> None:
    """The download of all three maps of every test code (CSV)."""
    downloads.download_csv(
        pd.DataFrame(
            {
                "index": np.arange(len(labels)),
                "digit": labels,
                **{f"{m}_{a}": emb[m][:, i] for m in METHODS for i, a in enumerate("xy")},
            }
        ),
        f"embeddings-{name}.csv",
        key="emb_csv",
        label="Download all three maps (CSV)",
    )


PAIR_DIMS_DEFAULT = (0, 1, 2)  # the pair plot's dimensions until a student picks others
PAIR_POINTS = 1500  # the pair plot's test codes (``loaders.scatter_subset``): up to 16 small plots


def _warm() -> None:
    """Warm-up job (``ui.server.warmup``): for every model the page offers, what its first view
    builds that depends on the model alone: the KD-trees of its codes and maps, each map's points as
    sent, the spectrum's charts and the pair plot at its default dimensions. The figures are drawn
    in the light theme at normal size (``ui.server.warmup.start`` queues every job so), the view
    most students open. A model nobody had opened cost its student 0.5-0.9 s of CPU, most of it
    these."""
    from ui.lessons.model_facts import variance_facts  # (model_facts imports the lessons' claims)

    labels = loaders.test_set()[1]
    for name in computed.offered_models():
        if not (loaders.built(name) and artefacts.embeddings_path(name).exists()):
            continue
        emb, mu = loaders.embeddings(name), loaders.codes(name)["mu"]
        computed.trees(name)
        for m in (*METHODS, *computed.KNOBS):
            if m in emb:
                points(name, m)
        is_ae = zoo.entry(name).model.kind == "ae"
        var_mu, mean_s2, _ = variance_facts(name)
        spectrum_specs(emb, is_ae, var_mu, mean_s2)
        pair_png(mu, labels, loaders.scatter_subset(PAIR_POINTS), list(PAIR_DIMS_DEFAULT), is_ae)


warmup.register(_warm)
