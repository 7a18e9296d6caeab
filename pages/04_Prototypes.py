"""Digit prototypes: the mean code of each digit, decoded, beside the pixel average of the same test
images and the medoid's reconstruction; then what each latent dimension does, swept one at a time
(traversals) and two at a time (a 2-D slice) around a prototype. Dimensions a model leaves unused
(Burda et al. 2016's activity test) are marked as such.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import DIGITS, SLIDER_RANGE, SLIDER_STEP
from ui.lessons import words
from ui.lessons.prototypes import computed as cached
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from ui.server import prefetch
from vae import latent, units, zoo

DEFAULT_MODEL = "vae-10d"
DEFAULT_DIGIT = 3
FOLD_UNUSED = (
    12  # with more dimensions than this, the traversals leave the unused ones out unless asked
)
# two mean grey shares closer than this are "about as grey" (a clear change is 0.1 or more)
SAME_GREY = 0.05
SOURCES = {
    "mu": "posterior means μ",
    "z": "one sampled z per image (as in the original notebook)",
}  # what is averaged

LESSON = frame.setup_page(
    __file__,
    "average the codes of one digit and decode the average: a *prototype*, an average taken in "
    "latent space, not of pixels; then sweep one latent dimension at a time to see what it "
    "controls.",
)


candidates = loaders.models_where(lambda e: e.model.kind == "vae" and e.model.latent_dim >= 3)
candidates.sort(key=lambda n: (zoo.entry(n).model.latent_dim, zoo.entry(n).model.beta))
# the lesson's controls are bound to the URL parameters named by their keys (links.url_widget); the
# slice's
# pair of dimensions, two selectboxes written as one parameter, is links.state_from_url /
# links.state_to_url (manifold_view)
c1, c2 = st.columns([1, 2])
name = links.model_picker(
    c1.selectbox,
    "Model (VAEs with at least 3 latent dimensions)",
    candidates,
    [n for n in candidates if loaders.built(n)],
    DEFAULT_MODEL,
    key="protos_model",
)
c1.caption(f"{name}: {zoo.entry(name).model.latent_dim}-D, β = {zoo.entry(name).model.beta:g}")
c2.markdown(
    "Each column is one digit, over all its test images. **Top:** the average of their pixels. "
    "**Middle:** the average of their codes μ, decoded: the prototype. **Bottom:** the *medoid* "
    "(the test image whose μ is nearest the prototype, #n) passed through the same model."
)


with frame.cache_guard():
    codes = loaders.codes(name)
    _, labels = loaders.test_set()
    images_f = loaders.test_images_float()
    mkey = model_calls.model_key(name)
    view = cached.model_view(mkey)
mu, logvar = codes["mu"], codes["logvar"]  # (N, d) each, read-only
d = mu.shape[1]
proto_mu, med_idx, decoded, med_recon = (
    view["proto_mu"],
    view["med_idx"],
    view["decoded"],
    view["med_recon"],
)
pixel_avg = cached.pixel_average()  # (10, 28, 28)

# --- the picture: the three averages
# -----------------------------------------------------------------------

png = render.png(
    png_figures.image_rows,
    {
        "pixel average": pixel_avg,
        "decoded\nprototype": decoded,
        "medoid,\nreconstructed": med_recon,
    },
    captions=[[f"digit {k}" for k in DIGITS], [], [f"#{i}" for i in med_idx]],
    size=1.0,
    fontsize=11,
)
render.show(
    png,
    alt=f"For each digit 0 to 9 (columns): the pixel average of its test images, {name}'s decoded "
    "prototype (the decoder at the mean code), and its medoid's reconstruction (test "
    f"{alt_text.listing(f'#{i}' for i in med_idx)}). "
    "By the nearest test image, of the decoded prototypes "
    f"{alt_text.changes(DIGITS, alt_text.looks_like(decoded), verb='looks like')}.",
)
downloads.download_png(png, f"prototypes-{name}.png", key="protos_rows_png")
st.latex(
    r"\bar z_k \;=\; \frac{1}{n_k} \sum_{i\,:\,y_i = k} \mu_i, \qquad \hat x_k \;=\; "
    r"\operatorname{decoder}(\bar z_k)"
)
frame.secondary(
    "Averaging pixels lays $n_k$ strokes, each in its own place, on top of each other. Averaging "
    "codes gives one point of the latent space, and the decoder draws one digit for it."
)

# --- what to notice
# ---------------------------------------------------------------------------------------

(g_avg, g_dec, g_rec), g_med, n_sharper = view["grey"], view["g_med"], view["n_sharper"]
var_mu, active, kl = view["var_mu"], view["active"], view["kl"]  # (d,) each; kl in nats
unused = frozenset(int(j) for j in np.flatnonzero(~active))
notes = [
    (
        f"The pixel average is a blur: {words.pct(g_avg)} of its inked pixels are grey (between "
        "0.2 and 0.8), against "
        f"{words.pct(g_dec)} for the decoded prototype; it is greyer for {n_sharper} of 10 digits."
        if g_avg > g_dec + SAME_GREY
        else f"Here the decoded prototypes are as grey as the pixel averages ({words.pct(g_dec)} "
        f"against {words.pct(g_avg)} "
        "of inked pixels grey): averaging codes did not sharpen them."
    )
]
if abs(g_dec - g_rec) <= SAME_GREY and g_rec > g_med + SAME_GREY:
    notes.append(
        "What grey the prototype keeps comes from the decoder, not from averaging: the medoid's "
        "reconstruction "
        f"is about as grey ({words.pct(g_rec)} against {words.pct(g_dec)}), while the medoid "
        "itself, a real "
        f"test image, is {words.pct(g_med)} grey."
    )
else:
    notes.append(
        "The decoded prototypes are "
        f"{words.compare(g_dec, g_rec, SAME_GREY, 'greyer than', 'less grey than', 'as grey as')} "
        f"the medoids' reconstructions ({words.pct(g_dec)} against {words.pct(g_rec)} of inked "
        "pixels grey; "
        f"the real medoids {words.pct(g_med)})."
    )
used = [j for j in range(d) if j not in unused]
notes.append(
    f"{len(used)} of {d} dimensions are in use in {name} (their μ varies over the test images; "
    f"KL {kl[used].min():.1f} to {kl[used].max():.1f} nats each)"
    + (
        "; "
        + (
            ", ".join(words.z(j) for j in sorted(unused))
            if len(unused) <= 6
            else f"the other {len(unused)}"
        )
        + " "
        f"{'carries' if len(unused) == 1 else 'carry'} "
        f"{kl[sorted(unused)].max():.2f} nats or less and {'is' if len(unused) == 1 else 'are'} "
        + (
            "left out of the traversals below (a switch there draws them)."
            if d > FOLD_UNUSED and not st.session_state.get("protos_unused", False)
            else "marked unused in the traversals below."
        )
        if unused
        else ": every row of the traversals below is a dimension the model uses."
    )
)
frame.notice(notes)

with st.expander("Why average μ and not one sampled z per image?", icon=":material/casino:"):
    source = links.url_widget(
        st.radio,
        "Average over",
        list(SOURCES),
        index=0,
        key="protos_source",
        horizontal=True,
        captions=list(SOURCES.values()),
        parse=lambda raw: link_values.parse_choice(raw, list(SOURCES), "mu"),
    )
    seed = int(
        links.url_widget(
            st.number_input,
            "Seed of the sampled codes",
            min_value=0,
            max_value=2**31 - 1,
            value=0,
            step=1,
            key="protos_seed",
            parse=lambda raw: link_values.parse_int(raw, 0, 2**31 - 1, 0),
        )
    )
    with frame.cache_guard():
        proto_z = cached.sampled_prototypes(mkey, seed)  # (10, d)
    diff = np.abs(proto_z - proto_mu)  # (10, d)
    se = view["se"]  # (10, d)
    st.markdown(
        "A sampled code is $z_i = \\mu_i + \\sigma_i\\varepsilon_i$, so the average of the samples "
        "is the average of the μ plus the average of $n_k$ independent noises, which shrinks as "
        "$1/\\sqrt{n_k}$:"
    )
    st.latex(
        r"\frac{1}{n_k}\sum_i z_i \;=\; \bar z_k \;+\; \underbrace{\frac{1}{n_k}\sum_i "
        r"\sigma_i\varepsilon_i}"
        r"_{\text{sd}\;=\;\sqrt{\overline{\sigma^2}/n_k}}"
    )
    st.markdown(
        f"With about {int(np.bincount(labels).mean()):,} test images per digit the two averages "
        "differ by at "
        f"most **{diff.max():.3f}** in any of the {10 * d} numbers below (the noise level is "
        f"{np.median(se):.3f}). Both decode to the same picture: averaging μ is the noise-free "
        "limit, and needs no seed."
    )
    P = proto_mu if source == "mu" else proto_z
    dim_names = [words.z(j) for j in range(d)]
    render.draw(
        render.spec(
            altair_charts.prototype_heatmap,
            P,
            dim_names,
            f"Prototypes of {name}: mean {'μ' if P is proto_mu else 'sampled z'} per digit",
        ),
        width="stretch",
        alt=alt_text.heatmap(
            f"Prototypes of {name}: mean {'μ' if P is proto_mu else 'sampled z'} per digit (rows) "
            "and dimension",
            [f"digit {k}" for k in DIGITS],
            dim_names,
            P,
        ),
    )
    downloads.download_csv(
        pd.DataFrame(P, columns=dim_names).assign(digit=list(DIGITS))[["digit", *dim_names]],
        f"prototypes-{name}.csv",
        key="protos_proto_csv",
        label="Download prototypes (CSV)",
    )

# --- what each dimension does
# -------------------------------------------------------------------------------

st.subheader("What each dimension does: traversals")
digit = links.url_widget(
    st.selectbox,
    "Prototype to start from: digit",
    list(DIGITS),
    index=DIGITS.index(DEFAULT_DIGIT),
    key="protos_digit",
    parse=lambda raw: link_values.parse_choice(raw, list(DIGITS), DEFAULT_DIGIT),
)
st.latex(r"z(t) \;=\; \bar z_k + t\,e_j")
frame.secondary(
    f"Every row starts at the prototype of {digit} and moves along one dimension $e_j$ only; the "
    "outlined tile is nearest the prototype's own value of that dimension."
)


@st.fragment
def traversal_view(
    name: str, base: np.ndarray, mu: np.ndarray, digit: int, unused: frozenset[int]
) -> None:
    f1, f2, f3 = st.columns(3)
    lo, hi = f1.slider(
        "Sweep range", -5.0, 5.0, value=SLIDER_RANGE, step=SLIDER_STEP, key="protos_range"
    )
    steps = links.url_widget(
        f2.slider,
        "Steps per dimension",
        3,
        25,
        value=10,
        key="protos_steps",
        parse=lambda raw: link_values.parse_int(raw, 3, 25, 10),
    )
    by_use = links.url_widget(
        f3.toggle,
        "Most used dimensions first",
        value=False,
        key="protos_sort",
        parse=lambda raw: link_values.parse_bool(raw, False),
    )
    draw_unused = (
        len(base) <= FOLD_UNUSED
        or not unused
        or f3.toggle(
            f"Draw the {len(unused)} unused dimensions too", value=False, key="protos_unused"
        )
    )
    if not lo < hi:
        st.warning("The sweep range needs two different ends: move one handle of the slider.")
        return
    values = latent.linear_axis(steps, lo, hi)  # (S,)
    order = [j for j in latent.traversal_order(mu, by_use) if draw_unused or j not in unused]
    with frame.cache_guard():  # (d * S, 28, 28) and (d,), once per input
        imgs, change = cached.traversal_images(
            model_calls.model_key(name),
            tuple(map(float, base)),
            tuple(map(float, values)),
            tuple(order),
        )
    png = render.png(png_figures.traversal_figure, imgs, order, values, base, digit, unused)
    render.show(
        png, natural=True, alt=png_figures.traversal_alt(name, order, values, digit, change)
    )
    downloads.download_png(png, f"traversal-{name}-digit{digit}.png", key="protos_traversal_png")
    top = int(np.argmax(change))
    rows_unused = [r for r, j in enumerate(order) if j in unused]
    st.caption(
        f"How much a row changes the picture (mean |Δ| per pixel, summed over its steps): most for "
        f"{words.z(order[top])} ({change[top]:.3f})"
        + (
            f"; at most {change[rows_unused].max():.3f} for the unused dimensions."
            if rows_unused
            else "."
        )
    )


traversal_view(name, proto_mu[digit], mu, digit, unused)

st.subheader("Two dimensions at once: a 2-D slice")
frame.secondary(
    "Two dimensions are swept on a grid while all the others keep the prototype's values: a small "
    "map of the "
    "latent space around the digit, in latent units, the second dimension pointing up; the cross "
    "is the prototype."
)


def slice_png(
    key: tuple[str, str, int], xs: np.ndarray, base: np.ndarray, dx: int, dy: int, digit: int
) -> bytes:
    """The 2-D slice as PNG, decoded and drawn once per input (see ``png_figures.slice_figure``)."""
    imgs = render.lazy(
        model_calls.decoded, key, latent.manifold(base, dx, dy, xs, xs)
    )  # (n * n, 28, 28), on a miss
    return render.png(png_figures.slice_figure, imgs, xs, base, dx, dy, digit)


@st.fragment
def manifold_view(name: str, base: np.ndarray, default_pair: tuple[int, int], digit: int) -> None:
    d = len(base)

    def part(i: int):  # the URL names dimensions as the page does, z1 ... zd
        return lambda raw: (lambda r: (r[0][i], r[1]))(
            link_values.parse_dim_pair(raw, d, default_pair, first=1)
        )

    for i, key in enumerate(("protos_dim_x", "protos_dim_y")):
        links.state_from_url(key, "protos_dims", part(i))
        if st.session_state.get(key) not in range(d):  # left over from a model with more dimensions
            st.session_state[key] = default_pair[i]
    g1, g2, g3, g4 = st.columns(4)
    dx = g1.selectbox(
        "Horizontal dimension", list(range(d)), key="protos_dim_x", format_func=words.z
    )
    dy = g2.selectbox("Vertical dimension", list(range(d)), key="protos_dim_y", format_func=words.z)
    n = links.url_widget(
        g3.slider,
        "Grid size n (n × n)",
        5,
        25,
        value=15,
        key="protos_n",
        parse=lambda raw: link_values.parse_int(raw, 5, 25, 15),
    )
    lo, hi = g4.slider(
        "Range of both axes", -5.0, 5.0, value=SLIDER_RANGE, step=SLIDER_STEP, key="protos_mrange"
    )
    links.state_to_url(
        {"protos_dims": [dx + 1, dy + 1]}
    )  # after the page's last bound control: the toast of a bad link
    if dx == dy:
        st.warning(
            f"Both axes are {words.z(dx)}: choose two **different** dimensions for a 2-D slice."
        )
        return
    if not lo < hi:
        st.warning("The range needs two different ends: move one handle of the slider.")
        return
    xs = latent.linear_axis(n, lo, hi)
    key = model_calls.model_key(name)
    with frame.cache_guard():
        png = slice_png(key, xs, base, dx, dy, digit)
    render.show(png, natural=True, alt=png_figures.slice_alt(name, xs, base, dx, dy, digit))
    downloads.download_png(
        png, f"slice-{name}-{words.z(dx)}-{words.z(dy)}-digit{digit}.png", key="protos_manifold_png"
    )
    # the slices for every other horizontal dimension are drawn in the background, one job each
    # (the worker takes the newest first, so the next dimension up comes first)
    for j in sorted((j for j in range(d) if j not in (dx, dy)), key=lambda j: -((j - dx) % d)):
        prefetch.later(slice_png, key, xs, base, j, dy, digit)


most_used = sorted(int(j) for j in np.argsort(-var_mu, kind="stable")[:2])
manifold_view(name, proto_mu[digit], (most_used[0], most_used[1]), digit)


@st.fragment
def usage_view(
    name: str,
    mu: np.ndarray,
    logvar: np.ndarray,
    labels: np.ndarray,
    var_mu: np.ndarray,
    active: np.ndarray,
    kl: np.ndarray,
    proto_mu: np.ndarray,
) -> None:
    """The activation table and the histograms (their controls rerun only this part)."""
    d = mu.shape[1]
    t1, t2 = st.columns([1, 3])
    table_choice = t1.selectbox(
        "Images",
        ["all digits", *DIGITS],
        key="protos_table_digit",
        format_func=lambda v: v if isinstance(v, str) else f"digit {v}",
    )
    sel_digit = None if table_choice == "all digits" else int(table_choice)
    with frame.cache_guard():
        table = cached.activation_table(model_calls.model_key(name), sel_digit).copy()
    if sel_digit is None:
        table["KL (nats)"], table["in use"] = kl, active
    t2.caption(
        f"pandas `describe()` of μ per latent dimension, over {int(table['count'].iloc[0]):,} test "
        "images"
        f"{'' if sel_digit is None else f' of digit {sel_digit}'}; 'mean σ' is the average "
        "posterior spread. "
        f"In use: Var(μ) above {units.ACTIVE_UNIT_THRESHOLD:g} (Burda et al. 2016)."
    )
    num_cfg = {
        c: st.column_config.NumberColumn(format="%.3f")
        for c in table.columns
        if c not in ("dimension", "count", "in use")
    }
    st.dataframe(table, hide_index=True, width="stretch", column_config=num_cfg)
    downloads.download_csv(
        table,
        f"activations-{name}-{'all' if sel_digit is None else sel_digit}.csv",
        key="protos_table_csv",
        label="Download table (CSV)",
    )
    if st.session_state.get("protos_hist_dim") not in range(
        d
    ):  # first view, or left over from a bigger model
        st.session_state["protos_hist_dim"] = int(
            np.argmax(var_mu)
        )  # start with the most used dimension
    h1, h2 = st.columns([1, 2])
    hist_dim = h1.selectbox(
        "Dimension for the histogram", list(range(d)), key="protos_hist_dim", format_func=words.z
    )
    layout = h2.radio(
        "Layout",
        ["stacked, with the prior", "one panel per digit"],
        key="protos_hist_layout",
        horizontal=True,
    )
    stacked = layout.startswith("stacked")
    render.draw(
        render.spec(
            altair_charts.digit_histogram, mu[:, hist_dim], labels, words.z(hist_dim), stacked
        ),
        width="stretch" if stacked else "content",
        alt=alt_text.histogram(
            f"Histogram of {words.z(hist_dim)} of {name}'s test codes, {layout}",
            mu[:, hist_dim],
            labels,
        ),
    )
    means = proto_mu[:, hist_dim]
    st.caption(
        f"Digit means of {words.z(hist_dim)}: lowest for {int(means.argmin())} "
        f"({means.min():.2f}), highest for {int(means.argmax())} ({means.max():.2f})."
    )


with st.expander("How each dimension is used: a table and histograms", icon=":material/table:"):
    usage_view(name, mu, logvar, labels, var_mu, active, kl, proto_mu)
frame.lesson_links(LESSON)
