"""Digit prototypes (pages/04_Prototypes.py): the lesson's views, each drawing one part of the page
from the numbers the page passes: the three averages' rows, the prototypes' heatmap, the
traversals, the 2-D slice (with its neighbours drawn ahead in the background) and the table and
histograms of each dimension's use. The traversals, the slice and the table are fragments: their
controls rerun only their own part. Widget keys start with ``protos_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import DIGITS, SLIDER_RANGE, SLIDER_STEP
from ui.lessons import words
from ui.lessons.prototypes import claims
from ui.lessons.prototypes import computed as cached
from ui.page import downloads, frame, link_values, links, model_calls
from ui.server import prefetch
from vae import latent, units


def averages(
    name: str,
    pixel_avg: np.ndarray,
    decoded: np.ndarray,
    med_recon: np.ndarray,
    med_idx: np.ndarray,
) -> None:
    """The picture: per digit (10, 28, 28 each) the pixel average, the decoded prototype and the
    medoid's reconstruction (test images ``med_idx``), with its PNG download."""
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
        alt=f"For each digit 0 to 9 (columns): the pixel average of its test images, {name}'s "
        "decoded prototype (the decoder at the mean code), and its medoid's reconstruction (test "
        f"{alt_text.listing(f'#{i}' for i in med_idx)}). "
        "By the nearest test image, of the decoded prototypes "
        f"{alt_text.changes(DIGITS, alt_text.looks_like(decoded), verb='looks like')}.",
    )
    downloads.download_png(png, f"prototypes-{name}.png", key="protos_rows_png")


def prototype_table(name: str, P: np.ndarray, of_mu: bool) -> None:
    """The prototypes (10, d) as a heatmap, digits by dimensions, and their CSV download;
    ``of_mu``: averages of μ (else of one sampled z per image)."""
    what = "μ" if of_mu else "sampled z"
    dim_names = [words.z(j) for j in range(P.shape[1])]
    render.draw(
        render.spec(
            altair_charts.prototype_heatmap,
            P,
            dim_names,
            f"Prototypes of {name}: mean {what} per digit",
        ),
        width="stretch",
        alt=alt_text.heatmap(
            f"Prototypes of {name}: mean {what} per digit (rows) and dimension",
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


@st.fragment
def traversal_view(
    name: str, base: np.ndarray, mu: np.ndarray, digit: int, unused: frozenset[int]
) -> None:
    """One latent dimension at a time swept from the prototype ``base`` (d,) of ``digit``: its
    controls, the picture and how much each row changes it."""
    f1, f2, f3 = st.columns(3)
    lo, hi = f1.slider(
        "Sweep range", -5.0, 5.0, value=SLIDER_RANGE, step=SLIDER_STEP, key="protos_range"
    )
    steps = links.int_slider(f2, "Steps per dimension", 3, 25, "protos_steps", 10)
    by_use = links.url_widget(
        f3.toggle,
        "Most used dimensions first",
        value=False,
        key="protos_sort",
        parse=lambda raw: link_values.parse_bool(raw, False),
    )
    draw_unused = (
        len(base) <= claims.FOLD_UNUSED
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
    st.caption(claims.traversal_caption(order, change, unused))


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
    """Two dimensions swept on a grid around the prototype ``base`` (d,), the others kept: its
    controls (the pair of dimensions one link parameter, ``protos_dims``) and the picture."""
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
    n = links.int_slider(g3, "Grid size n (n × n)", 5, 25, "protos_n", 15)
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
        png, f"slice-{name}-z{dx + 1}-z{dy + 1}-digit{digit}.png", key="protos_manifold_png"
    )
    # the slices for every other horizontal dimension are drawn in the background, one job each
    # (the worker takes the newest first, so the next dimension up comes first)
    for j in sorted((j for j in range(d) if j not in (dx, dy)), key=lambda j: -((j - dx) % d)):
        prefetch.later(slice_png, key, xs, base, j, dy, digit)


@st.fragment
def usage_view(
    name: str,
    mu: np.ndarray,
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
    if st.session_state.get("protos_hist_dim") not in range(d):  # first view, or a bigger model's
        # start with the most used dimension
        st.session_state["protos_hist_dim"] = int(np.argmax(var_mu))
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
