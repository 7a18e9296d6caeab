"""Conditional VAE: the decoder is told the digit, so the latent code is left with the style."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import (
    GRID_N_DEFAULT,
    GRID_N_RANGE,
    LATENT_RANGE,
    MODEL_CACHE_ENTRIES,
    PPF_P_DEFAULT,
)
from ui.lessons import words
from ui.lessons.cvae import computed
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import latent, neighbours, pixels

LESSON = frame.setup_page(
    __file__,
    "what a conditional VAE's latent code holds once the decoder is told which digit to draw: "
    "not the digit any more, but its style (slant, thickness, width).",
)

MODEL, BASE = "cvae-2d", "vae-2d"
SEED_MAX = 9999
N_STYLES = 8  # rows of the style grid
K = 5  # neighbours in the k-NN test
N_SURVEY = 100  # random codes for the style statistics in "what to notice"
DEFAULT_DIGIT, DEFAULT_PICK = 3, 0


st.header("The idea")
st.markdown(
    "A conditional VAE (Sohn et al. 2015) is a VAE that is handed the label $y$ at both ends: the "
    "encoder "
    "$q(z \\mid x, y)$ sees the image *and* its digit, and the decoder $p(x \\mid z, y)$ draws "
    "from a code *and* a "
    "digit. It is trained on the conditional evidence lower bound, with a prior p(z) = N(0, I) "
    "that does not depend on y (as in the M2 model of Kingma et al. 2014):"
)
st.latex(
    r"\log p(x \mid y) \;\ge\; \mathbb{E}_{q(z \mid x, y)}\big[\log p(x \mid z, y)\big]"
    r" \;-\; \mathrm{KL}\big(q(z \mid x, y)\,\|\,p(z)\big)"
)
st.markdown(
    "The KL term charges for every bit of information that $z$ carries about the image. The "
    "decoder already "
    "knows **which** digit to draw from $y$, so putting the digit's identity into $z$ would cost "
    "KL and buy "
    "nothing. What is left for $z$ is everything the label does not say: **how** the digit is "
    "written."
)
frame.secondary(
    "With cvae-2d you can therefore pick the digit and the style separately: fix $y$ and move $z$ "
    "to change the "
    "handwriting, or fix $z$ and change $y$ to write another digit in the same hand. The 2-D plain "
    "VAE "
    "(vae-2d) has to squeeze identity *and* style into the same two numbers, which is why its map "
    "is a patchwork of digit regions."
)

with frame.cache_guard():
    loaders.model(MODEL)
    codes_c = loaders.codes(MODEL)["mu"]  # (N, 2), read-only
    codes_v = loaders.codes(BASE)["mu"]  # (N, 2), read-only
    images = loaders.test_images_float()
    _, labels = loaders.test_set()
    sub = loaders.scatter_subset()


# --- 1. one manifold per digit ------------------------------------------------------------------

st.header("One manifold per digit")
st.markdown(
    "Choose a digit: the decoder draws it at every point of a grid over the latent plane. The grid "
    "is "
    "spaced by equal steps of prior probability (ppf), so it covers where the codes actually are."
)


@st.fragment
def manifold_section() -> None:
    c_digit, c_n = st.columns(
        2
    )  # both bound to the URL parameter named by the key (ui.page.links.url_widget)
    digit = int(
        links.url_widget(
            c_digit.selectbox,
            "Digit y",
            list(range(10)),
            index=DEFAULT_DIGIT,
            key="cvae_digit",
            parse=lambda raw: link_values.parse_int(raw, 0, 9, DEFAULT_DIGIT),
        )
    )
    n = int(
        links.url_widget(
            c_n.slider,
            "Grid size n (n × n tiles)",
            GRID_N_RANGE[0],
            GRID_N_RANGE[1],
            value=GRID_N_DEFAULT,
            key="cvae_n",
            parse=lambda raw: link_values.parse_int(raw, *GRID_N_RANGE, GRID_N_DEFAULT),
        )
    )
    xs = latent.ppf_axis(n, PPF_P_DEFAULT)  # (n,)
    with frame.cache_guard():
        imgs, r, looks = computed.manifold(
            model_calls.model_key(MODEL), digit, n
        )  # (n * n, 28, 28), once per server and input
    axis_words = []
    for j in range(2):  # name an axis after the measure it moves most, when it clearly moves one
        best = max(r, key=lambda k: abs(r[k][j]))
        axis_words.append(
            f" → {'more' if r[best][j] > 0 else 'less'} {best.split(' ')[0]}"
            if abs(r[best][j]) >= 0.5
            else ""
        )
    png = render.png(
        png_figures.axes_mosaic,
        imgs,
        n,
        n,
        xs,
        xs,
        f"z₁{axis_words[0]}",
        f"z₂{axis_words[1]}",
        f"cvae-2d: decoder(z, y = {digit}), {n} × {n} ppf grid",
    )
    c_fig, c_txt = st.columns([3, 2])
    render.show(
        png,
        c_fig,
        alt=alt_text.grid(MODEL, xs, xs, " (a ppf grid)", y=digit)
        + f" By the nearest test image, {looks:.0%} "
        f"of the tiles look like a {digit}. "
        + " ".join(
            f"{max(r, key=lambda k: abs(r[k][j])).split(' (')[0]} follows "
            f"z{'₁₂'[j]} most closely (r = {r[max(r, key=lambda k: abs(r[k][j]))][j]:+.2f})."
            for j in range(2)
        ),
    )
    with c_fig:
        downloads.download_png(png, f"cvae_manifold_digit{digit}_n{n}.png", key="cvae_manifold_png")
    c_txt.markdown(
        f"The label fixes the identity: for **{looks:.0%}** of the {n * n} tiles the closest test "
        "image "
        f"(in pixel space) is {words.a_digit(digit)}. The position in the plane changes how it is "
        "written.\n\n"
        "Correlation of three stroke measures with the tile's z₁ and z₂ (an axis is named on the "
        "figure after the "
        f"measure it moves most, when |r| ≥ 0.5):\n\n| | with z₁ | with z₂ |\n|---|---|---|\n"
        + "\n".join(f"| {k} | {v[0]:+.2f} | {v[1]:+.2f} |" for k, v in r.items())
    )
    frame.secondary(
        "Slant is the shear of the ink from its image moments (positive leans like /); width is 4 "
        "× the ink's "
        "horizontal spread once the slant is taken out; ink is the mean pixel brightness, which "
        "for digits of one size grows with the stroke width."
    )


manifold_section()

# --- 2. same z, every digit ---------------------------------------------------------------------

st.header("Same z, every digit")
st.markdown(
    f"Draw {N_STYLES} codes z ~ N(0, I) and decode each with all ten labels: one row per z, one "
    "column per digit. If z holds the style, each row should look written by one hand."
)


@st.fragment
def style_grid_section() -> None:
    c_fig, c_side = st.columns([3, 1])
    seed = int(
        links.url_widget(
            c_side.number_input,
            "Seed for the random codes",
            0,
            SEED_MAX,
            value=0,
            step=1,
            key="cvae_seed",
            parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
        )
    )
    z = np.random.default_rng(seed).standard_normal((N_STYLES, 2))  # (8, 2)
    with frame.cache_guard():
        imgs = computed.styles(
            model_calls.model_key(MODEL), seed, N_STYLES
        )  # (8, 10, 28, 28), once per seed
    rows = {f"z = ({v[0]:+.2f}, {v[1]:+.2f})": imgs[r] for r, v in enumerate(z)}
    captions = [[] for _ in range(N_STYLES - 1)] + [[f"y = {k}" for k in range(10)]]
    png = render.png(png_figures.image_rows, rows, captions=captions, size=0.8)
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


style_grid_section()

# --- 3. the latent maps ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def knn_scores(names: tuple[str, ...], k: int) -> dict[str, float]:
    """Leave-one-out k-NN digit accuracy of each model's 2-D codes on the scatter subset."""
    _, lab = loaders.test_set()
    s = loaders.scatter_subset()
    return {
        name: neighbours.knn_accuracy(loaders.codes(name)["mu"][s], lab[s], k=k) for name in names
    }


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def style_survey(name: str, n: int, seed: int) -> dict[str, float]:
    """Share of slant / ink variation explained by z and by the digit over n random codes x 10
    digits."""
    z = np.random.default_rng(seed).standard_normal((n, 2))
    imgs = model_calls.decode(
        name, np.repeat(z, 10, axis=0), np.tile(np.arange(10), n)
    )  # (10 n, 28, 28)
    s_row, s_col = pixels.row_share(pixels.slant(imgs).reshape(n, 10))
    ink_table = pixels.ink(imgs).reshape(n, 10)
    i_row, i_col = pixels.row_share(ink_table)
    test_images, test_labels = loaders.test_images_float(), loaders.test_set()[1]
    match = float(
        (neighbours.looks_like(imgs, test_images, test_labels) == np.tile(np.arange(10), n)).mean()
    )
    return {
        "slant_z": s_row,
        "slant_digit": s_col,
        "ink_z": i_row,
        "ink_digit": i_col,
        "label_match": match,
        "least_ink": int(ink_table.mean(axis=0).argmin()),
        "most_ink": int(ink_table.mean(axis=0).argmax()),
    }


st.header("Does the latent map still sort the digits?")
with frame.cache_guard():
    acc = knn_scores((BASE, MODEL), K)
    survey = style_survey(MODEL, N_SURVEY, 0)
st.markdown(
    "Each test image's code, coloured by its digit, for the plain 2-D VAE and for the CVAE (the "
    "same "
    f"{len(sub):,} test images). The number: for each code, do its {K} nearest codes mostly have "
    "the same digit? High means the map sorts the digits; 10% is what guessing gets."
)
m1, m2 = st.columns(2)
m1.metric(f"{K}-NN digit accuracy from z, vae-2d", f"{acc[BASE]:.0%}")
m2.metric(
    f"{K}-NN digit accuracy from z, cvae-2d",
    f"{acc[MODEL]:.0%}",
    delta=f"{(acc[MODEL] - acc[BASE]) * 100:+.0f} points vs vae-2d",
    delta_color="off",
)


def _picked() -> None:
    try:
        pts = st.session_state["cvae_scatter"]["selection"]["cvae_pick"]
    except (TypeError, KeyError):
        return
    if pts and "index" in pts[0]:
        st.session_state["cvae_idx"] = int(pts[0]["index"])


@st.fragment
def maps_section() -> None:
    # a clicked point, no widget: links.state_from_url + links.state_to_url (after the page's last
    # bound control, in the sections above)
    links.state_from_url(
        "cvae_idx",
        "cvae_idx",
        lambda raw: link_values.parse_int(raw, 0, len(labels) - 1, DEFAULT_PICK),
    )
    idx = int(st.session_state["cvae_idx"])
    links.state_to_url({"cvae_idx": idx})
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
            f"{title}: its test codes, #{idx} (a {labels[idx]}) marked", codes[sub], labels[sub]
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

    st.subheader(f"Test image #{idx}'s hand, writing every digit")
    z = np.asarray(codes_c[idx], dtype=np.float64)
    with frame.cache_guard():
        imgs = model_calls.decode(
            MODEL, np.repeat(z[None], 10, axis=0), np.arange(10)
        )  # (10, 28, 28)
    strip = np.concatenate([images[idx][None], imgs])
    png = render.png(
        png_figures.image_strip,
        strip,
        labels=[f"original {labels[idx]}"] + [f"y = {k}" for k in range(10)],
        title=f"Encode test #{idx} with its own label, z = ({z[0]:+.2f}, {z[1]:+.2f}); "
        "decode that z with every label",
    )
    render.show(
        png,
        alt=f"Test #{idx}, a {labels[idx]}, encoded by {MODEL} with its own label to z = "
        f"({z[0]:+.2f}, "
        f"{z[1]:+.2f}); then that z decoded with each label y = 0 to 9: the same hand writing "
        "every digit.",
    )
    downloads.download_png(png, f"cvae_style_transfer_{idx}.png", key="cvae_transfer_png")
    st.caption(
        f"Test #{idx} is marked on both maps (a cross, at the edge if its code is off the axes). "
        "Click another point of the cvae-2d map to take its style."
    )


maps_section()

# --- what to notice -----------------------------------------------------------------------------

frame.notice(
    [
        (
            f"The codes of vae-2d let a {K}-nearest-neighbour vote find the digit {acc[BASE]:.0%} "
            "of the time; the codes "
            f"of cvae-2d {'only ' if acc[MODEL] < acc[BASE] else ''}{acc[MODEL]:.0%} (chance is "
            "10%). "
            + (
                "Once the decoder gets the label, z stops encoding which digit it is."
                if acc[MODEL] < acc[BASE]
                else "Here the CVAE's map separates the digits at least as well; look at the maps."
            )
        ),
        (
            f"Across {N_SURVEY} random codes, each decoded as all ten digits, the code explains "
            f"{survey['slant_z']:.0%} of the variation in slant and the digit "
            f"{survey['slant_digit']:.0%}"
            + (
                ": slant is a property of z, carried across classes, as the rows of the grid show."
                if survey["slant_z"] > survey["slant_digit"]
                else "."
            )
            + f" For ink the split is {survey['ink_z']:.0%} (code) to {survey['ink_digit']:.0%} "
            "(digit)"
            + (
                ": the digit itself sets most of the ink "
                f"({words.a_digit(survey['least_ink']).capitalize()} uses the least, "
                f"{words.a_digit(survey['most_ink'])} the most), whatever the hand."
                if survey["ink_digit"] > survey["ink_z"]
                else ": thickness is mostly a property of z as well."
                if survey["slant_z"] > survey["slant_digit"]
                else ": thickness is mostly a property of z."
            )
        ),
        (
            f"For {survey['label_match']:.0%} of those {N_SURVEY * 10:,} decoded images the "
            "closest test image in pixel space has the requested digit: "
            + (
                "the label alone decides which digit appears, so the plane that vae-2d divides "
                "among ten digits is spent here on handwriting."
                if survey["label_match"] >= 0.8
                else "the label does not always win; the manifold above shows where the drawings "
                "become ambiguous."
            )
        ),
    ]
)
frame.lesson_links(LESSON)
