"""Digit prototypes: the mean code of each digit decoded, what each latent dimension is used for,
traversals of every dimension around a prototype and a 2-D slice of the latent space."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, figures, frames, params, plots, prefetch
from ui import common as ui
from vae import artefacts, latent, units, zoo
from vae.losses import ACTIVE_UNIT_THRESHOLD
from ui.style import DIGITS, SLIDER_RANGE, SLIDER_STEP

DEFAULT_MODEL = "vae-10d"
DEFAULT_DIGIT = 3

LESSON = ui.setup_page(__file__,
              "how to average the codes of one digit into a *prototype* and decode it, and how to read "
              "what each latent dimension of a VAE controls by sweeping it while the others stay put.")

st.header("The idea")
st.markdown(
    "The encoder of a VAE turns each test image $x_i$ into a Gaussian "
    "$q(z \\mid x_i) = \\mathcal N(\\mu_i, \\operatorname{diag}\\sigma_i^2)$. "
    "Average the means of all $n_k$ test images of digit $k$ and you get that digit's **prototype**:")
st.latex(r"\bar z_k \;=\; \frac{1}{n_k} \sum_{i\,:\,y_i = k} \mu_i")
st.markdown(
    "Decoding $\\bar z_k$ shows the *average $k$* as the model sees it: an average taken in latent space, "
    "not of pixels. To see what one coordinate $j$ does, start at a prototype and move along that axis only:")
st.latex(r"z(t) \;=\; \bar z_k + t\,e_j, \qquad t \in [a, b]")
ui.secondary(
    "Each row of such a *traversal* is one dimension swept from $a$ to $b$. A dimension the model uses "
    "changes the picture (slant, width, thickness, or even which digit it is); an unused one leaves it as it is. "
    "A 2-D *slice* sweeps two dimensions at once and shows a small map of the latent space around the prototype."
)

# --- controls ---------------------------------------------------------------------------------------


def _built(name: str) -> bool:
    return artefacts.checkpoint_path(name).exists() and artefacts.codes_path(name).exists()


def _model_label(name: str) -> str:
    cfg = zoo.entry(name).model
    return f"{name}  ·  {cfg.latent_dim}-D, β = {cfg.beta:g}"


candidates = ui.models_where(lambda e: e.model.kind == "vae" and e.model.latent_dim >= 3)
candidates.sort(key=lambda n: (zoo.entry(n).model.latent_dim, zoo.entry(n).model.beta))
model_options = [n for n in candidates if n == DEFAULT_MODEL or _built(n)]  # the default always: it says what is missing

c1, c2, c3 = st.columns([2, 1, 1])
ui.bind("protos_model", "model", lambda raw: params.parse_choice(raw, model_options, DEFAULT_MODEL))
name = c1.selectbox("Model (VAEs with at least 3 latent dimensions that are built)", model_options,
                    key="protos_model", format_func=_model_label)
ui.bind("protos_digit", "digit", lambda raw: params.parse_choice(raw, list(DIGITS), DEFAULT_DIGIT))
digit = c2.selectbox("Prototype to start from (traversal and slice)", list(DIGITS), key="protos_digit")
ui.bind("protos_seed", "seed", lambda raw: params.parse_int(raw, 0, 2**31 - 1, 0))
seed = int(c3.number_input("Seed (sampled codes, random members)", min_value=0, max_value=2**31 - 1, step=1,
                           key="protos_seed"))
ui.share({"model": name, "digit": digit, "seed": seed})

with ui.cache_guard():
    codes = ui.codes(name)
    ui.model(name)
    _, labels = ui.test_set()
    images_f = ui.test_images_float()
mu, logvar = codes["mu"], codes["logvar"]  # (N, d) each, read-only
d = mu.shape[1]
dim_names = [f"z{j}" for j in range(d)]


# --- 1. the average digit ---------------------------------------------------------------------------

st.header("The average of each digit")
source = st.radio("Average over", ["posterior means μ", "one sampled z per image (as in the original notebook)"],
                  key="protos_source", horizontal=True)
proto_mu = latent.prototypes(mu, labels)  # (10, d)
z_sampled = latent.sampled_codes(mu, logvar, seed)  # (N, d)
proto_z = latent.prototypes(z_sampled, labels)  # (10, d)
P = proto_mu if source.startswith("posterior") else proto_z
diff = np.abs(proto_z - proto_mu)  # (10, d)
se = latent.prototype_standard_error(logvar, labels)  # (10, d)
max_diff = float(diff.max())
max_z = float((diff / se).max())
se_med = float(np.median(se))

m1, m2, m3 = st.columns(3)
m1.metric("largest |difference| between the two averages", f"{max_diff:.3f}")
m2.metric("noise expected from sampling, σ/√n (median)", f"{se_med:.3f}")
m3.metric("largest difference in units of that noise", f"{max_z:.1f}")
st.markdown(
    "Why the two averages differ: each sampled code is $z_i = \\mu_i + \\sigma_i\\varepsilon_i$, so the mean of "
    "the samples is the mean of the $\\mu_i$ plus the mean of $n_k$ independent noises:")
st.latex(r"\frac{1}{n_k}\sum_i z_i \;=\; \bar z_k \;+\; \underbrace{\frac{1}{n_k}\sum_i \sigma_i\varepsilon_i}"
         r"_{\text{sd}\;=\;\sqrt{\overline{\sigma^2}/n_k}}")
ui.caveat(
    f"With about {int(np.bincount(labels).mean()):,} test images per digit that noise is small "
    f"(median {se_med:.3f} here) and shrinks as $1/\\sqrt{{n}}$: the sampled average converges to the average of μ. "
    f"The largest of the {10 * d} differences is {max_diff:.3f}, {max_z:.1f} times its noise level; the seed "
    "above changes the sampled average, never the average of μ."
)

proto_df = frames.heatmap_frame(P, [str(k) for k in DIGITS], dim_names, "digit", "dimension")
st.altair_chart(plots.heatmap(proto_df, "digit", "dimension", [str(k) for k in DIGITS], dim_names,
                        "digit", "latent dimension", "mean code",
                        title=f"Prototypes of {name}: mean {'μ' if P is proto_mu else 'sampled z'} per digit"),
                width="stretch")
ui.download_csv(pd.DataFrame(P, columns=dim_names).assign(digit=list(DIGITS))[["digit", *dim_names]],
                f"prototypes-{name}.csv", key="protos_proto_csv", label="Download prototypes (CSV)")

with ui.cache_guard():
    decoded = ui.decode(name, P)  # (10, 28, 28)
med_idx = latent.medoids(mu, labels, P)  # (10,)
rand_idx = latent.random_members(labels, seed)  # (10,)


png = charts.png(charts.image_rows,
                 {"prototype": decoded, "medoid": images_f[med_idx], "random member": images_f[rand_idx]},
                 captions=[[f"digit {k}" for k in DIGITS], [f"#{i}" for i in med_idx],
                           [f"#{i}" for i in rand_idx]], size=1.0)
charts.show(png)
ui.download_png(png, f"prototypes-{name}.png", key="protos_rows_png")
st.caption("Top: the decoded prototype. Middle: the *medoid*, the real test image whose μ is nearest the prototype. "
           "Bottom: a random test image of the digit (change the seed for another). #n is the test index.")


def grey_share(imgs: np.ndarray) -> float:
    """Share of inked pixels (> 0.2) that are grey (< 0.8): a simple blur measure."""
    ink = imgs > 0.2
    return float(((imgs < 0.8) & ink).sum() / max(ink.sum(), 1))


grey_proto, grey_medoid = grey_share(decoded), grey_share(images_f[med_idx])

# --- 2. how each dimension is used ------------------------------------------------------------------

st.header("How each latent dimension is used")
var_mu, active = units.activity(mu)
n_active = int(active.sum())
st.markdown(
    f"A dimension is **active** when its μ varies across images (variance over the test set above "
    f"{ACTIVE_UNIT_THRESHOLD:g}, Burda et al. 2016): **{n_active} of {d}** are active in {name}. An inactive one "
    "has μ ≈ 0 and σ ≈ 1 for every image: the encoder says nothing there and the KL term costs nothing.")


@st.fragment
def usage_view(name: str, mu: np.ndarray, logvar: np.ndarray, labels: np.ndarray, proto_mu: np.ndarray,
               var_mu: np.ndarray, active: np.ndarray) -> None:
    """The activation table and the histograms (their controls rerun only this part)."""
    d = mu.shape[1]
    t1, t2 = st.columns([1, 3])
    table_choice = t1.selectbox("Images", ["all digits", *DIGITS], key="protos_table_digit",
                                format_func=lambda v: v if isinstance(v, str) else f"digit {v}")
    sel_digit = None if table_choice == "all digits" else int(table_choice)
    table = units.activation_table(mu, logvar, labels, sel_digit)
    if sel_digit is None:
        table["active"] = active
    t2.caption(f"pandas `describe()` of μ per latent dimension, over {int(table['count'].iloc[0]):,} test images"
               f"{'' if sel_digit is None else f' of digit {sel_digit}'}; 'mean σ' is the average posterior spread.")
    num_cfg = {c: st.column_config.NumberColumn(format="%.3f") for c in table.columns
               if c not in ("dimension", "count", "active")}
    st.dataframe(table, hide_index=True, width="stretch", column_config=num_cfg)
    ui.download_csv(table, f"activations-{name}-{'all' if sel_digit is None else sel_digit}.csv",
                    key="protos_table_csv", label="Download table (CSV)")

    if st.session_state.get("protos_hist_dim") not in range(d):  # first view, or left over from a bigger model
        st.session_state["protos_hist_dim"] = int(np.argmax(var_mu))  # start with the most used dimension
    h1, h2 = st.columns([1, 2])
    hist_dim = h1.selectbox("Dimension for the histogram", list(range(d)), key="protos_hist_dim",
                            format_func=lambda j: f"z{j}")
    layout = h2.radio("Layout", ["stacked, with the prior", "one panel per digit"], key="protos_hist_layout",
                      horizontal=True)
    vals = mu[:, hist_dim]
    hist = frames.histogram_counts(vals, labels, bins=40)
    x_enc = alt.X("start:Q", bin="binned", title=f"μ of z{hist_dim}")
    tooltip = [alt.Tooltip("digit:N"), alt.Tooltip("count:Q", title="images"),
               alt.Tooltip("start:Q", format=".2f", title="from"), alt.Tooltip("end:Q", format=".2f", title="to")]
    if layout.startswith("stacked"):
        bars = alt.Chart(hist).mark_bar().encode(x=x_enc, x2="end:Q", y=alt.Y("count:Q", title="test images"),
                                                 color=charts.DIGIT_COLOR, tooltip=tooltip)
        width = float(hist["end"].iloc[0] - hist["start"].iloc[0])
        xs = np.linspace(float(hist["start"].min()), float(hist["end"].max()), 200)
        prior = pd.DataFrame({"start": xs, "count": len(vals) * width * np.exp(-0.5 * xs ** 2) / np.sqrt(2 * np.pi)})
        curve = alt.Chart(prior).mark_line(color="gray", strokeDash=[5, 3]).encode(x="start:Q", y="count:Q")
        st.altair_chart((bars + curve).properties(
            height=300, title=f"μ of z{hist_dim} over the test images, by digit (dashed: the prior N(0, 1))"),
            width="stretch")
    else:
        coarse = frames.histogram_counts(vals, labels, bins=25)  # panels are small: fewer, wider bars
        facet = alt.Chart(coarse).mark_bar(binSpacing=0).encode(
            x=x_enc, x2="end:Q", y=alt.Y("count:Q", title="images"), color=charts.DIGIT_COLOR, tooltip=tooltip
        ).properties(width=160, height=90).facet(
            facet=alt.Facet("digit:N", title=f"μ of z{hist_dim}, one panel per digit",
                            header=alt.Header(labelExpr="'digit ' + datum.value")), columns=5)
        st.altair_chart(facet, width="content")
    means_by_digit = proto_mu[:, hist_dim]
    st.caption(f"Digit means of z{hist_dim}: lowest for {int(means_by_digit.argmin())} "
               f"({means_by_digit.min():.2f}), highest for {int(means_by_digit.argmax())} ({means_by_digit.max():.2f}).")


usage_view(name, mu, logvar, labels, proto_mu, var_mu, active)

# --- 3. traversals ------------------------------------------------------------------------------------

st.header("Traversals: one dimension at a time")
ui.secondary(f"Every row starts from the prototype of the digit chosen above ({digit}) and sweeps one dimension; "
             "the outlined tile is the one nearest the prototype's own value of that dimension.")


@st.fragment
def traversal_view(name: str, base: np.ndarray, mu: np.ndarray, digit: int) -> None:
    f1, f2, f3 = st.columns(3)
    lo, hi = f1.slider("Sweep range", -5.0, 5.0, value=SLIDER_RANGE, step=SLIDER_STEP, key="protos_range")
    steps = f2.slider("Steps per dimension", 3, 25, value=10, key="protos_steps")
    by_use = f3.toggle("Most used dimensions first", value=False, key="protos_sort")
    if not lo < hi:
        st.warning("The sweep range needs two different ends: move one handle of the slider.")
        return
    values = latent.linear_axis(steps, lo, hi)  # (S,)
    order = latent.traversal_order(mu, by_use)
    with ui.cache_guard():
        imgs = ui.decode(name, latent.traversal(base, values, order))  # (d * S, 28, 28)
    png = charts.png(figures.traversal_figure, imgs, order, values, base, digit)
    charts.show(png)
    ui.download_png(png, f"traversal-{name}-digit{digit}.png", key="protos_traversal_png")
    change = np.abs(np.diff(imgs.reshape(len(order), steps, -1), axis=1)).mean(axis=(1, 2)) * (steps - 1)
    top, low = int(np.argmax(change)), int(np.argmin(change))
    st.caption(f"Total pixel change along a row (mean |Δ| per pixel, summed over the steps): largest for "
               f"z{order[top]} ({change[top]:.3f}), smallest for z{order[low]} ({change[low]:.3f}).")


traversal_view(name, proto_mu[digit], mu, digit)

# --- 4. a 2-D slice -------------------------------------------------------------------------------------

st.header("A 2-D slice through the prototype")
ui.secondary("Two dimensions are swept on a grid while all the others keep the prototype's values: a small map "
             "of the latent space around the digit. Axes are in latent units, the second dimension points up; "
             "the orange cross marks the prototype itself.")


def slice_png(key: tuple[str, str, int], xs: np.ndarray, base: np.ndarray, dx: int, dy: int, digit: int) -> bytes:
    """The 2-D slice as PNG, decoded and drawn once per input (see ``figures.slice_figure``)."""
    imgs = charts.lazy(ui.decoded, key, latent.manifold(base, dx, dy, xs, xs))  # (n * n, 28, 28), on a miss
    return charts.png(figures.slice_figure, imgs, xs, base, dx, dy, digit)


@st.fragment
def manifold_view(name: str, base: np.ndarray, default_pair: tuple[int, int], digit: int) -> None:
    d = len(base)

    def part(i: int):
        return lambda raw: (lambda r: (r[0][i], r[1]))(params.parse_dim_pair(raw, d, default_pair))

    for i, key in enumerate(("protos_dim_x", "protos_dim_y")):
        ui.bind(key, "dims", part(i))
        if st.session_state.get(key) not in range(d):  # left over from a model with more dimensions
            st.session_state[key] = default_pair[i]
    ui.bind("protos_n", "n", lambda raw: params.parse_int(raw, 5, 25, 15))
    g1, g2, g3, g4 = st.columns(4)
    dx = g1.selectbox("Horizontal dimension", list(range(d)), key="protos_dim_x", format_func=lambda j: f"z{j}")
    dy = g2.selectbox("Vertical dimension", list(range(d)), key="protos_dim_y", format_func=lambda j: f"z{j}")
    n = g3.slider("Grid size n (n × n)", 5, 25, key="protos_n")
    lo, hi = g4.slider("Range of both axes", -5.0, 5.0, value=SLIDER_RANGE, step=SLIDER_STEP, key="protos_mrange")
    ui.share({"dims": [dx, dy], "n": n})
    if dx == dy:
        st.warning(f"Both axes are z{dx}: choose two **different** dimensions for a 2-D slice.")
        return
    if not lo < hi:
        st.warning("The range needs two different ends: move one handle of the slider.")
        return
    xs = latent.linear_axis(n, lo, hi)
    key = ui.model_key(name)
    with ui.cache_guard():
        png = slice_png(key, xs, base, dx, dy, digit)
    charts.show(png)
    ui.download_png(png, f"slice-{name}-z{dx}-z{dy}-digit{digit}.png", key="protos_manifold_png")
    # the slices for every other horizontal dimension are drawn in the background, one job each
    # (the worker takes the newest first, so the next dimension up comes first)
    for j in sorted((j for j in range(d) if j not in (dx, dy)), key=lambda j: -((j - dx) % d)):
        prefetch.later(slice_png, key, xs, base, j, dy, digit)


most_used = sorted(int(j) for j in np.argsort(-var_mu, kind="stable")[:2])
manifold_view(name, proto_mu[digit], (most_used[0], most_used[1]), digit)

# --- what to notice -------------------------------------------------------------------------------------

order_all = np.argsort(-var_mu, kind="stable")
inactive = [f"z{j}" for j in range(d) if not active[j]]
ui.notice([
    f"Averaging μ or one sampled z per image gives prototypes that differ by at most {max_diff:.3f}, "
    f"{max_z:.1f} times the sampling noise σ/√n ≈ {se_med:.3f}: "
    + ("the same prototype plus noise; averaging μ gives its noise-free limit, with no seed needed."
       if max_z < 4.5 else "more than noise alone usually gives, so look at the σ of those images."),
    f"{n_active} of {d} dimensions are active in {name}; the most used are z{order_all[0]} "
    f"(variance of μ {var_mu[order_all[0]]:.2f}) and z{order_all[1]} ({var_mu[order_all[1]]:.2f})"
    + (f", while {', '.join(inactive)} {'is' if len(inactive) == 1 else 'are'} unused: "
       "sweeping them barely changes the image." if inactive else ": every row of the traversal changes the image."),
    f"The decoded prototypes are {'blurrier than' if grey_proto > grey_medoid else 'no blurrier than'} real digits: "
    f"{100 * grey_proto:.0f} % of their inked pixels are grey (between 0.2 and 0.8) against "
    f"{100 * grey_medoid:.0f} % for the medoids, the real images nearest to them in latent space.",
])
ui.lesson_links(LESSON)
