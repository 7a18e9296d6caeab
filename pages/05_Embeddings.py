"""Embeddings: PCA, t-SNE and UMAP maps of the 10-D test codes (precomputed by ``vae.build``), what
each keeps and distorts, measured (trustworthiness, Venna & Kaski 2001; 5-NN accuracy; both against
a
random map's floor) and shown: a clicked code's ten nearest neighbours *in 10-D* light up on every
map. Then t-SNE's knobs, PCA's spectrum against each dimension's variance, and a walk along a map
line next to
the straight line between the same codes in 10-D.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import LATENT_RANGE, MODEL_CACHE_ENTRIES
from ui.lessons import model_facts, words
from ui.lessons.embeddings import claims
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import artefacts, neighbours, paths, zoo

DEFAULT_MODEL = "vae-10d"
METHODS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
KNOBS = {
    "tsne_p5": "perplexity 5",
    "tsne": "perplexity 30",
    "tsne_p100": "perplexity 100",
    "tsne_seed1": "30, seed 1",
}
LINE_KEYS = ("emb_x0", "emb_y0", "emb_x1", "emb_y1")
K = claims.K  # neighbours lit up and kept-neighbour counts (trustworthiness uses the same k)
SIDE = 250  # plot side of each of the three maps, CSS pixels

LESSON = frame.setup_page(
    __file__,
    "how PCA, t-SNE and UMAP flatten the 10-D codes of the test digits into 2-D maps, what each "
    "keeps and what it distorts, and why a point of such a map cannot be decoded.",
)

candidates = loaders.models_where(
    lambda e: e.model.latent_dim == 10 and e.model.kind in ("vae", "ae")
)
# controls: links.url_widget (URL parameter = key); the clicked code and the line (four inputs) are
# links.state_from_url / links.state_to_url
links.state_from_url(
    "emb_pick", "emb_idx", lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, 0)
)


def _on_click(chart_key: str) -> None:
    try:
        pts = st.session_state[chart_key]["selection"]["pick"]
    except (TypeError, KeyError):
        return
    if pts:
        st.session_state["emb_pick"] = int(pts[0]["index"])


c1, c2 = st.columns([1, 2])
name = links.model_picker(
    c1.selectbox,
    "Model (10-D models whose maps are built)",
    candidates,
    [n for n in candidates if loaders.built(n) and artefacts.embeddings_path(n).exists()],
    DEFAULT_MODEL,
    key="emb_model",
)
c1.caption(
    f"{name}: "
    + (
        "plain autoencoder"
        if zoo.entry(name).model.kind == "ae"
        else f"VAE, β = {zoo.entry(name).model.beta:g}"
    )
)
with frame.cache_guard():
    emb, codes = loaders.embeddings(name), loaders.codes(name)
    loaders.model(name)
    _, labels = loaders.test_set()
    images_f = loaders.test_images_float()
    subset = loaders.scatter_subset()
mu = codes["mu"]  # (N, 10), read-only
pick = int(st.session_state["emb_pick"])
c2.markdown(
    f"The same {len(subset):,} test codes (a fixed subset) placed by three methods. **Click a "
    "dot** on any map "
    f"to pick a code (now **#{pick}**, a {labels[pick]}): the grey rings are its {K} nearest "
    "neighbours *in 10-D*, drawn wherever each map put them."
)


# --- the picture: three maps, one picked neighbourhood
# ----------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _trees(name: str) -> dict:  # KD-trees of the 10-D codes and of every 2-D map, once per server
    e = loaders.embeddings(name)
    return {
        "mu": neighbours.tree(loaders.codes(name)["mu"]),
        **{m: neighbours.tree(e[m]) for m in (*METHODS, *KNOBS) if m in e},
    }


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def _points(
    name: str, m: str
) -> bytes:  # the subset's rows of one map as sent (Arrow), once per map
    return altair_charts.points_arrow(loaders.embeddings(name)[m][subset], labels[subset], subset)


def draw_map(where, m: str, title: str, side: int, select: str | None, legend: bool, **kw) -> None:
    """One map: a spec per layout (``altair_charts.embedding_map``), this map's points, domains and
    pick filled in."""
    xy = emb[m]  # below: the square domains of its points, neighbours and pick
    s = altair_charts.with_domains(
        render.spec(altair_charts.embedding_map, title, side, select, legend),
        altair_charts.square_domains(np.vstack([xy[subset], xy[near], xy[[pick]]])),
    )
    rows = altair_charts.landing_rows(
        you=(float(xy[pick, 0]), float(xy[pick, 1])),
        you_label=f"#{pick}",
        near=pd.DataFrame({"x": xy[near, 0], "y": xy[near, 1]}),
    )
    render.draw(
        render.fill(s, points=_points(name, m), you=rows["you"], near=rows["near"]),
        where,
        width="content",
        **kw,
        alt=alt_text.scatter(
            f"{title} map of {name}'s test codes, #{pick} (a {labels[pick]}) marked, its {K} "
            "nearest 10-D neighbours ringed" + ("; a click on a dot picks it" if select else ""),
            xy[subset],
            labels[subset],
            f"{title} 1",
            f"{title} 2",
            legend,
        ),
    )


trees = _trees(name)
near = neighbours.neighbours_in(trees["mu"], pick, K)  # (K,) in 10-D
quality = {
    m: (float(emb[f"{m}_trustworthiness"]), float(emb[f"{m}_knn_accuracy"]))
    for m in (*METHODS, *KNOBS, "random")
    if f"{m}_trustworthiness" in emb
}
floor = quality.get("random")  # a random map's scores (built with the extra maps)
kept = {m: neighbours.kept_in(trees["mu"], trees[m], pick, K) for m in METHODS}
for col, (m, title) in zip(
    st.columns([1, 1, 1.2]), METHODS.items()
):  # the last one carries the legend
    draw_map(
        col,
        m,
        title,
        SIDE,
        "pick",
        m == "umap",
        key=f"emb_map_{m}",
        on_select=lambda m=m: _on_click(f"emb_map_{m}"),
        selection_mode="pick",
    )
    t, a = quality[m]
    col.caption(
        f"Keeps **{kept[m]} of {K}** of #{pick}'s 10-D neighbours among its {K} nearest here. "
        f"Trustworthiness **{t:.3f}**, 5-NN accuracy **{words.pct(a)}**"
        + (f" (a random map: {floor[0]:.2f} and {words.pct(floor[1])})." if floor else ".")
    )
knn_10d = float(emb["latent_knn_accuracy"])
st.latex(r"T(k) = 1 - \tfrac{2}{nk(2n-3k-1)} \sum_i \sum_{j \in U_i^{(k)}} \bigl(r(i,j) - k\bigr)")
frame.secondary(
    f"Trustworthiness (Venna & Kaski 2001, $k = {K}$) charges every map neighbour $j$ of $i$ that "
    "is not among "
    "its $k$ nearest in 10-D by how far down the 10-D list, $r(i, j)$, it really is: 1 is perfect "
    "(measured on a fixed half of the test codes). 5-NN "
    "accuracy asks whether the 5 nearest map neighbours vote for the digit; in 10-D it is "
    f"{words.pct(knn_10d)}."
)

# --- what to notice
# -------------------------------------------------------------------------------------------------

evr = np.asarray(emb["pca_explained_variance_ratio"], float)  # (d,)
is_ae = zoo.entry(name).model.kind == "ae"
var_mu, mean_s2, angles = model_facts.variance_facts(name)  # (d,), (d,), (20,) degrees
facts = model_facts.map_facts(name)  # once per server: every code's neighbour overlap on every map
frame.notice(claims.notices(facts, pick, kept))

with st.expander("t-SNE's knobs: three perplexities and another seed", icon=":material/tune:"):
    if not all(m in emb for m in KNOBS):
        st.info(f"These maps are not built for {name} yet (`python -m vae.build` adds them).")
    else:
        st.markdown(claims.knobs_text(facts))
        for col, (m, title) in zip(st.columns([1, 1, 1, 1.3]), KNOBS.items()):
            draw_map(col, m, f"t-SNE, {title}", 170, None, m == "tsne_seed1")
            col.caption(
                f"trustworthiness {quality[m][0]:.3f}, 5-NN {words.pct(quality[m][1])}; "
                f"keeps {neighbours.kept_in(trees['mu'], trees[m], pick, K)} of {K}"
            )

with st.expander(claims.spectrum_title(facts), icon=":material/bar_chart:"):
    dims = [words.z(j) for j in range(mu.shape[1])]
    v1, v2 = st.columns(2)
    render.draw(
        render.spec(altair_charts.variance_chart, evr),
        v1,
        width="stretch",
        alt=alt_text.bars(
            f"Share of the variance of {name}'s codes per principal component",
            [f"PC{j + 1}" for j in range(len(evr))],
            100 * evr,
            " %",
        ),
    )
    s2 = None if is_ae else mean_s2  # an AE has no σ and no prior: Var(μⱼ) alone
    render.draw(
        render.spec(altair_charts.budget_chart, var_mu, s2, dims),
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
        render.spec(
            altair_charts.loadings_chart, comps := np.asarray(emb["pca_components"], float), dims
        ),
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

# --- a walk along a map line
# ----------------------------------------------------------------------------------------

st.subheader("Walking along a line drawn on a map")
frame.caveat(
    "**A map can't be inverted**: many 10-D codes land near the same point, and t-SNE and UMAP "
    "have no formula "
    "back. Each point of the line is replaced by the **real test code whose map position is "
    "nearest**, and that "
    "code is decoded. The top row decodes the straight line in 10-D between the first and last of "
    "those codes."
)


def _on_line_pick() -> None:
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
    emb: dict[str, np.ndarray],
    mu: np.ndarray,
    labels: np.ndarray,
    subset: np.ndarray,
    images_f: np.ndarray,
) -> None:
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
    n = links.url_widget(
        c2.slider,
        "Samples along the line",
        2,
        24,
        value=10,
        key="emb_n",
        parse=lambda raw: link_values.parse_int(raw, 2, 24, 10),
    )
    coords = emb[method]  # (N, 2)
    default = paths.default_line(coords, labels, 0, 1)
    here = f"{name}/{method}"
    if st.session_state.get("emb_line_for") not in (
        None,
        here,
    ):  # another map: its own default line
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
    links.state_to_url(
        {"emb_line": xy}
    )  # here, so that a rerun of this fragment alone rewrites the link too
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
    chart = render.spec(altair_charts.line_map, f"{METHODS[method]} 1", f"{METHODS[method]} 2", 460)
    chart["layer"][0]["title"] = (
        f"{METHODS[method]} map of {name}: the line and the nearest real codes (numbered)"
    )
    render.draw(
        render.fill(
            chart,
            points=_points(name, method),
            chosen=chosen,
            path=pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1], "order": np.arange(n)}),
        ),
        width="content",
        key="emb_line_chart",
        on_select=_on_line_pick,
        selection_mode="pick",
        alt=alt_text.scatter(
            f"{METHODS[method]} map of {name}: a line from ({xy[0]:.3g}, {xy[1]:.3g}) to "
            f"({xy[2]:.3g}, {xy[3]:.3g}) and the {n} real codes nearest its steps, numbered; "
            "click two points to set the line",
            coords[subset],
            labels[subset],
            f"{METHODS[method]} 1",
            f"{METHODS[method]} 2",
        ),
    )
    with frame.cache_guard():
        decoded = model_calls.decode(name, mu[idx])  # (n, 28, 28)
        straight = model_calls.decode(name, paths.line(mu[idx[0]], mu[idx[-1]], n))  # (n, 28, 28)
    png = render.png(png_figures.walk_figure, decoded, images_f[idx], idx, labels[idx], straight)
    render.show(png, alt=png_figures.walk_alt(name, idx, labels[idx], True, METHODS[method]))
    downloads.download_png(png, f"line-{name}-{method}.png", key="emb_line_png")
    far = s["dist"] > 0.05 * extent
    if xy[:2] == xy[2:]:
        st.info("Start and end are the same point, so every sample picks the same code.")
    elif far.all():
        st.warning(
            "The whole line lies away from every code of this map (check the coordinates: this map "
            "spans "
            f"about {coords[:, 0].min():.1f} … {coords[:, 0].max():.1f} horizontally and "
            f"{coords[:, 1].min():.1f} … {coords[:, 1].max():.1f} vertically)."
        )
    jumps = paths.code_jumps(mu, idx)
    digits_seen = list(dict.fromkeys(int(labels[i]) for i in idx))
    st.caption(
        f"The map walk visits {paths.distinct_in_order(idx)} different codes and digits "
        f"{', '.join(map(str, digits_seen))}"
        + (
            f"; {int(far.sum())} of {n} points lie in empty parts of the map, farther than 5 % of "
            "its width from any code"
            if far.any()
            else ""
        )
        + (
            f". Its largest jump between consecutive codes is {jumps.max():.2f} in 10-D; the "
            "straight line's steps "
            f"are all {np.linalg.norm(mu[idx[-1]] - mu[idx[0]]) / (n - 1):.2f}: a map line is a "
            "lookup, a latent line is a path."
            if n > 1
            else "."
        )
    )


line_view(name, emb, mu, labels, subset, images_f)

with st.expander(
    "The codes themselves, two dimensions at a time (a pair plot)", icon=":material/grid_view:"
):
    d = mu.shape[1]

    def _linked_dims(
        links: list[str],
    ) -> tuple[list[int], bool]:  # the URL names dimensions z1 ... zd
        names = [words.z(j) for j in range(d)]
        ok = set(links) <= set(names) and 2 <= len(set(links)) <= 4
        return ([names.index(v) for v in links], True) if ok else ([0, 1, 2], False)

    dims = links.url_widget(
        st.multiselect,
        "Latent dimensions (2 to 4)",
        list(range(d)),
        default=[0, 1, 2],
        key="emb_dims",
        max_selections=4,
        format_func=words.z,
        parse=_linked_dims,
        many=True,
    )
    if len(dims) < 2:
        st.warning("Choose at least two dimensions for a pair plot.")
    else:
        few = loaders.scatter_subset(1500)  # up to 16 small plots of one cloud
        png = render.png(
            png_figures.pair_figure,
            np.asarray(mu[few][:, dims], float),
            labels[few],
            list(dims),
            None if is_ae else LATENT_RANGE,
        )
        render.show(
            png,
            st.columns([3, 2])[0],
            alt=png_figures.pair_alt(name, mu[few][:, dims], labels[few], list(dims)),
        )
        downloads.download_png(
            png, f"pair-plot-{name}-{'-'.join(words.z(j) for j in dims)}.png", key="emb_pairs_png"
        )
        st.caption(
            f"{len(few):,} test codes ({len(few) // 10} per digit); the diagonal counts them per "
            "bin."
        )

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
links.state_to_url(
    {"emb_idx": pick}
)  # after the page's last bound control: the toast of a bad link
frame.lesson_links(LESSON)
