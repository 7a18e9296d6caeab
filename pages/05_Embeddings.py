"""Embeddings: PCA, t-SNE and UMAP maps of the 10-D test codes (precomputed), what they keep and
distort, walking along a line drawn on a map, PCA's variance and loadings, and a pair plot."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, figures, frames, params
from ui import common as ui
from vae import artefacts, paths, zoo
from ui.style import LATENT_RANGE

DEFAULT_MODEL = "vae-10d"
METHODS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
LINE_KEYS = ("emb_x0", "emb_y0", "emb_x1", "emb_y1")

LESSON = ui.setup_page(__file__,
              "how PCA, t-SNE and UMAP flatten the 10-D codes of the test digits into 2-D maps, how to "
              "measure what each map keeps, and why a point of such a map cannot be decoded directly.")

st.header("The idea")
st.markdown(
    "A 10-D code can't be drawn, so we *embed* the 10,000 test codes in a plane. The three methods keep "
    "different things:\n\n"
    "- **PCA** projects onto the two directions of largest variance: a linear map that keeps large distances "
    "but squashes everything the other directions hold;\n"
    "- **t-SNE** (van der Maaten & Hinton 2008) and **UMAP** (McInnes et al. 2018) place points so that "
    "*neighbours stay neighbours*: clusters come out clean, but distances between clusters and their sizes mean little.\n\n"
    "Two numbers say how faithful a map is. **Trustworthiness** (Venna & Kaski 2001) penalises points that are "
    "neighbours in the map but not in 10-D, by how far down the true neighbour list $r(i, j)$ they are:")
st.latex(r"T(k) \;=\; 1 - \frac{2}{n k (2n - 3k - 1)} \sum_{i=1}^{n} \sum_{j \in U_i^{(k)}} \bigl(r(i, j) - k\bigr)")
st.markdown(
    "where $U_i^{(k)}$ are the $k$ nearest map neighbours of $i$ that are not among its $k$ nearest code "
    "neighbours ($k = 10$, 1 is perfect). **5-NN accuracy** asks whether the 5 nearest map neighbours of each image "
    "vote for its digit.")

# --- model -----------------------------------------------------------------------------------------------


def _has_embeddings(name: str) -> bool:
    return all(p.exists() for p in (artefacts.checkpoint_path(name), artefacts.codes_path(name),
                                    artefacts.embeddings_path(name)))


candidates = ui.models_where(lambda e: e.model.latent_dim == 10 and e.model.kind in ("vae", "ae"))
model_options = [n for n in candidates if n == DEFAULT_MODEL or _has_embeddings(n)]  # the default always


def _model_label(name: str) -> str:
    cfg = zoo.entry(name).model
    return f"{name}  ·  plain autoencoder" if cfg.kind == "ae" else f"{name}  ·  VAE, β = {cfg.beta:g}"


ui.bind("emb_model", "model", lambda raw: params.parse_choice(raw, model_options, DEFAULT_MODEL))
name = st.selectbox("Model (10-D models whose embeddings are built)", model_options, key="emb_model",
                    format_func=_model_label)
ui.share({"model": name})

with ui.cache_guard():
    emb = ui.embeddings(name)
    codes = ui.codes(name)
    ui.model(name)
    _, labels = ui.test_set()
    images_f = ui.test_images_float()
    subset = ui.scatter_subset()
mu = codes["mu"]  # (N, 10), read-only
d = mu.shape[1]
is_ae = zoo.entry(name).model.kind == "ae"
quality = {m: (float(emb[f"{m}_trustworthiness"]), float(emb[f"{m}_knn_accuracy"])) for m in METHODS}
knn_10d = float(emb["latent_knn_accuracy"]) if "latent_knn_accuracy" in emb else None

# --- 1. three maps ----------------------------------------------------------------------------------------

st.header("Three maps of the same codes")
st.caption(f"{len(subset):,} of the 10,000 test codes of {name} (a fixed subset, {len(subset) // 10} per digit); "
           "hover for digit and test index, drag to pan, scroll to zoom, double-click to reset.")


def map_chart(xy: np.ndarray, digits: np.ndarray, index: np.ndarray, title: str) -> alt.Chart:
    """One 2-D map of the codes, with pan and zoom."""
    return charts.scatter(charts.codes_frame(xy, digits, index), x_title=f"{title} 1", y_title=f"{title} 2",
                          domain=None, title=title, height=330).interactive()


cols = st.columns(3)
for col, (m, title) in zip(cols, METHODS.items()):
    charts.draw(charts.spec(map_chart, emb[m][subset], labels[subset], subset, title), col, width="stretch",
                key=f"emb_map_{m}")
    t, a = quality[m]
    q1, q2 = col.columns(2)
    q1.metric("trustworthiness", f"{t:.3f}")
    q2.metric("5-NN accuracy", f"{100 * a:.1f} %")
if knn_10d is not None:
    st.caption(f"For comparison, the 5-NN accuracy in the full 10-D code space is {100 * knn_10d:.1f} %. "
               "Both numbers are computed once, when the cache is built (trustworthiness on a fixed half of the test set).")
ui.download_csv(pd.DataFrame({"index": np.arange(len(labels)), "digit": labels,
                              **{f"{m}_{a}": emb[m][:, i] for m in METHODS for i, a in enumerate("xy")}}),
                f"embeddings-{name}.csv", key="emb_csv", label="Download all three maps (CSV)")

# --- 2. walking along a line -------------------------------------------------------------------------------

st.header("Walking along a line in a map")
st.info("**A map can't be inverted.** Many different 10-D codes land near the same point, and t-SNE and UMAP "
        "have no formula from a point back to a code at all. So each point of the line is replaced by the "
        "**real test code whose map position is nearest**, and that code is decoded.", icon=":material/undo:")


def _on_pick() -> None:
    """A click on the map: remember the last two clicked points; two of them become the line."""
    event = st.session_state.get("emb_line_chart")
    try:
        picked = event["selection"]["pick"]
    except (KeyError, TypeError):
        return
    if not picked:
        return
    p = picked[0]
    clicks = params.push_click(st.session_state.get("emb_clicks", []), (p["x"], p["y"]))
    st.session_state["emb_clicks"] = clicks
    if len(clicks) == 2:
        for k, v in zip(LINE_KEYS, (*clicks[0], *clicks[1])):
            st.session_state[k] = round(float(v), 3)


@st.fragment
def line_view(name: str, emb: dict[str, np.ndarray], mu: np.ndarray, labels: np.ndarray, subset: np.ndarray,
              images_f: np.ndarray, typical_distance: float) -> None:
    ui.bind("emb_method", "method", lambda raw: params.parse_choice(raw, list(METHODS), "tsne"))
    c1, c2 = st.columns([1, 1])
    method = c1.selectbox("Map", list(METHODS), key="emb_method", format_func=METHODS.get)
    ui.bind("emb_n", "n", lambda raw: params.parse_int(raw, 2, 24, 10))
    n = c2.slider("Samples along the line", 2, 24, key="emb_n")
    coords = emb[method]  # (N, 2)
    default = paths.default_line(coords, labels, 0, 1)
    here = f"{name}/{method}"
    if st.session_state.get("emb_line_for") not in (None, here):  # another map: its own default line
        for k, v in zip(LINE_KEYS, default):
            st.session_state[k] = v
        st.session_state["emb_clicks"] = []
    st.session_state["emb_line_for"] = here
    extent = max(float(np.ptp(coords, axis=0).max()), 1e-6)
    step = float(10 ** np.floor(np.log10(extent / 50)))
    inputs = st.columns(4)
    xy = []
    for i, (key, label) in enumerate(zip(LINE_KEYS, ("start x", "start y", "end x", "end y"))):
        ui.bind(key, "line", lambda raw, i=i: (lambda r: (r[0][i], r[1]))(
            params.parse_float_list(raw, -1e4, 1e4, 4, default)))
        xy.append(float(inputs[i].number_input(label, min_value=-1e4, max_value=1e4, step=step,
                                               format="%.3f", key=key)))
    ui.share({"method": method, "line": xy, "n": n})
    clicks = st.session_state.get("emb_clicks", [])
    st.caption("Type the ends, or **click two points** on the map: the line runs from the first click to the second "
               f"(the last two clicks count{'; one click so far' if len(clicks) == 1 else ''}). The default runs "
               "from the middle of the 0s to the middle of the 1s.")

    s = paths.line_samples(coords, xy[:2], xy[2:], n)
    idx, pts = s["index"], s["points"]
    df = charts.codes_frame(coords[subset], labels[subset], subset)
    line_df = pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1], "order": np.arange(n)})
    chosen = pd.DataFrame({"x": coords[idx, 0], "y": coords[idx, 1], "step": [str(k + 1) for k in range(n)]})
    chart = (charts.scatter(df, x_title=f"{METHODS[method]} 1", y_title=f"{METHODS[method]} 2", domain=None,
                            select="pick", opacity=0.45, title=f"{METHODS[method]} map of {name}: the line and "
                            "the nearest real codes (numbered)")
             + charts.path(line_df) + charts.markers(chosen, label="step", size=160)).interactive()
    st.altair_chart(chart, width="stretch", key="emb_line_chart", on_select=_on_pick, selection_mode="pick")

    with ui.cache_guard():
        decoded = ui.decode(name, mu[idx])  # (n, 28, 28)
    png = charts.png(figures.walk_figure, decoded, images_f[idx], idx, labels[idx])
    charts.show(png)
    ui.download_png(png, f"line-{name}-{method}.png", key="emb_line_png")
    ui.download_csv(pd.DataFrame({"step": np.arange(1, n + 1), "x": pts[:, 0], "y": pts[:, 1],
                                  "nearest index": idx, "digit": labels[idx], "distance in map": s["dist"]}),
                    f"line-{name}-{method}.csv", key="emb_line_csv")

    far = s["dist"] > 0.05 * extent
    if xy[:2] == xy[2:]:
        st.info("Start and end are the same point, so every sample picks the same code.")
    elif far.all():
        st.warning("The whole line lies away from every code of this map (check the coordinates: this map spans "
                   f"about {coords[:, 0].min():.1f} … {coords[:, 0].max():.1f} horizontally and "
                   f"{coords[:, 1].min():.1f} … {coords[:, 1].max():.1f} vertically).")
    jumps = paths.code_jumps(mu, idx)
    digits_seen = list(dict.fromkeys(int(labels[i]) for i in idx))
    st.caption(
        f"Top row: the decoded codes; bottom row: the test images they belong to (step, #test index, digit). "
        f"The walk visits {paths.distinct_in_order(idx)} different codes and digits {', '.join(map(str, digits_seen))}"
        + (f"; {int(far.sum())} of {n} points lie in empty parts of the map, farther than 5 % of its width from any code"
           if far.any() else "")
        + (f". Largest jump between consecutive codes: {jumps.max():.2f} in 10-D "
           f"(typical distance between two random codes: {typical_distance:.2f})." if n > 1 else "."))


rng = np.random.default_rng(0)
pairs = rng.integers(0, len(mu), size=(2000, 2))
typical_distance = float(np.median(np.linalg.norm(mu[pairs[:, 0]] - mu[pairs[:, 1]], axis=1)))
line_view(name, emb, mu, labels, subset, images_f, typical_distance)

# --- 3. PCA --------------------------------------------------------------------------------------------------

st.header("What PCA's two axes keep")
evr = np.asarray(emb["pca_explained_variance_ratio"], float)  # (d,)
comps = np.asarray(emb["pca_components"], float)  # (d, d), rows are components
pc_names = [f"PC{i + 1}" for i in range(len(evr))]
var_df = pd.DataFrame({"component": pc_names, "share": evr, "cumulative": np.cumsum(evr)})
x_pc = alt.X("component:N", sort=pc_names, title="principal component", axis=alt.Axis(labelAngle=0))
bars = alt.Chart(var_df).mark_bar(color="#4e79a7").encode(
    x=x_pc, y=alt.Y("share:Q", title="share of the variance of the codes", scale=alt.Scale(domain=[0, 1])),
    tooltip=[alt.Tooltip("component:N"), alt.Tooltip("share:Q", format=".1%"),
             alt.Tooltip("cumulative:Q", format=".1%")])
cum = alt.Chart(var_df).mark_line(color="#f28e2b", point=True).encode(x=x_pc, y="cumulative:Q")
v1, v2 = st.columns(2)
v1.altair_chart((bars + cum).properties(height=300, title="Explained variance: each component (bars), "
                                        "cumulative (line)"), width="stretch")
v1.caption(f"PC1 and PC2 together hold {100 * evr[:2].sum():.1f} % of the variance; "
           f"{int(np.searchsorted(np.cumsum(evr), 0.9) + 1)} components are needed for 90 %.")

dim_names = [f"z{j}" for j in range(d)]
load_df = frames.heatmap_frame(comps[:2], pc_names[:2], dim_names, "component", "dimension")
m = float(max(np.abs(load_df["value"]).max(), 1e-6))
base = alt.Chart(load_df, title="Loadings of PC1 and PC2 on the latent dimensions").encode(
    x=alt.X("dimension:N", sort=dim_names, title="latent dimension", axis=alt.Axis(labelAngle=0)),
    y=alt.Y("component:N", sort=pc_names[:2], title="component"))
heat = base.mark_rect().encode(
    color=alt.Color("value:Q", title="loading", scale=alt.Scale(scheme="redblue", reverse=True, domain=[-m, m])),
    tooltip=[alt.Tooltip("component:N"), alt.Tooltip("dimension:N"), alt.Tooltip("value:Q", format=".3f")])
text = base.mark_text(fontSize=charts.fs(12)).encode(
    text=alt.Text("value:Q", format=".2f"),
    color=alt.condition(f"abs(datum.value) > {0.55 * m}", alt.value("white"), alt.value("black")))
v2.altair_chart((heat + text).properties(height=alt.Step(36)), width="stretch")  # fixed row height
top1, top2 = (int(np.argmax(np.abs(comps[i]))) for i in range(2))
v2.caption(f"PC1 leans most on z{top1} (loading {comps[0, top1]:+.2f}), PC2 on z{top2} ({comps[1, top2]:+.2f}). "
           "A component's sign is arbitrary: only the pattern matters.")
ui.download_csv(pd.DataFrame(comps, columns=dim_names).assign(component=pc_names, explained=evr)
                [["component", "explained", *dim_names]], f"pca-{name}.csv", key="emb_pca_csv")

# --- 4. pair plot ------------------------------------------------------------------------------------------------

PAIR_POINTS = 1500  # codes in the pair plot (a stratified subset, as for the maps)

st.header("The codes themselves, two dimensions at a time")
ui.secondary("Before any projection: scatter plots of pairs of latent dimensions (a *pair plot*), the diagonal "
             "showing each dimension's histogram. Each small plot is an axis-aligned 2-D shadow of the 10-D cloud.")


def _parse_dims(raw: str | None) -> tuple[list[int], bool]:
    v, ok = params.parse_int_list(raw, 0, d - 1, [0, 1, 2], max_len=4)
    if ok and (len(v) < 2 or len(set(v)) != len(v)):
        return [0, 1, 2], False
    return v, ok


ui.bind("emb_dims", "dims", _parse_dims)
dims = st.multiselect("Latent dimensions (2 to 4)", list(range(d)), key="emb_dims", max_selections=4,
                      format_func=lambda j: f"z{j}")
ui.share({"dims": dims})
if len(dims) < 2:
    st.warning("Choose at least two dimensions for a pair plot.")
else:
    few = ui.scatter_subset(PAIR_POINTS)  # up to 16 small plots of one cloud
    pp = pd.DataFrame(np.asarray(mu[few], float), columns=dim_names)
    pp["digit"] = labels[few].astype(str)
    pp["index"] = few
    png = charts.png(figures.pair_figure, np.asarray(mu[few][:, dims], float), labels[few], list(dims),
                     None if is_ae else LATENT_RANGE)
    left, _ = st.columns([3, 2])
    charts.show(png, left)
    ui.download_png(png, f"pair-plot-{name}-{'-'.join(f'z{j}' for j in dims)}.png", key="emb_pairs_png")
    st.caption(f"{len(few):,} test codes ({len(few) // 10} per digit); the diagonal counts them per bin.")
    ui.download_csv(pp[["index", "digit", *[f"z{j}" for j in dims]]], f"codes-{name}.csv", key="emb_pairs_csv",
                    label="Download these codes (CSV)")

# --- what to notice ---------------------------------------------------------------------------------------------

best_t = max(METHODS, key=lambda k: quality[k][0])
worst_t = min(METHODS, key=lambda k: quality[k][0])
if quality[best_t][0] == quality[worst_t][0]:
    trust_note = f"All three maps are equally trustworthy here ({quality[best_t][0]:.3f})."
else:
    trust_note = (f"{METHODS[best_t]} keeps neighbourhoods best (trustworthiness {quality[best_t][0]:.3f}), "
                  f"{METHODS[worst_t]} worst ({quality[worst_t][0]:.3f}); "
                  + ("PCA, the only linear map, is the least trustworthy: its plane brings together codes that are "
                     "far apart in 10-D." if worst_t == "pca" else "here the linear map is not the least trustworthy."))
ui.notice([
    trust_note,
    f"Digits stay separable in 2-D to different degrees: 5-NN accuracy is {100 * quality['pca'][1]:.1f} % on PCA, "
    f"{100 * quality['tsne'][1]:.1f} % on t-SNE and {100 * quality['umap'][1]:.1f} % on UMAP"
    + (f", against {100 * knn_10d:.1f} % in the 10-D codes themselves." if knn_10d is not None else "."),
    f"PCA's plane holds {100 * evr[:2].sum():.1f} % of the variance of the codes"
    + (" (less than half: most of what the codes vary in is squashed)" if evr[:2].sum() < 0.5 else "")
    + "; t-SNE and UMAP are not projections at all: their gaps and cluster sizes are not distances, so a line "
    "across a gap can jump between unrelated codes (see the walk above).",
])
ui.lesson_links(LESSON)
