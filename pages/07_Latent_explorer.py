"""Latent explorer: set a VAE's code by hand and watch the decoder draw it.

One slider per latent dimension, a starting point (origin, a digit prototype, a random test
code), a clickable latent pad for the 2-D models, and random digits drawn from the prior.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import PAD_N, SLIDER_RANGE, SLIDER_STEP
from ui.lessons.explorer import claims, codepad
from ui.lessons.model_facts import code_scale
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from ui.page.link_values import to_slider
from vae import latent, neighbours, prior, zoo
from vae.neighbours import neighbourhood

STARTS = ("origin", "prototype", "random")
START_LABELS = {
    "origin": "the origin (z = 0)",
    "prototype": "a digit prototype",
    "random": "a random test code",
}
N_RANGE = (1, 16)
N_DEFAULT = 8
SEED_MAX = 1_000_000

LESSON = frame.setup_page(
    __file__,
    "what digit lives at each point of a VAE's latent space: move one slider per latent "
    "dimension, click on the 2-D map, or draw random codes from the prior.",
)


# the VAEs, and ae-2d as the contrast: a decoder trained without a prior
VAES, BUILT, DEFAULT_MODEL = links.model_choices(
    lambda e: e.model.kind == "vae" or e.name == "ae-2d", prefer="vae-2d"
)
ss = st.session_state
# Every control is bound to the URL parameter named by its key (links.url_widget); the code, one
# slider per
# dimension or a click on the pad, is one parameter, ?lex_z=1.2,-0.5 (codepad.from_link,
# links.state_to_url).


def _model_changed() -> None:
    ss["lex_need_apply"] = True
    ss["lex_exact"] = None


name = links.model_picker(
    st.selectbox,
    "Model (the VAEs, and ae-2d without a prior)",
    VAES,
    BUILT,
    DEFAULT_MODEL,
    key="lex_model",
    on_change=_model_changed,
    blurbs=True,
)
st.caption(zoo.entry(name).blurb)

with frame.cache_guard():
    loaders.model(name)
    codes = loaders.codes(name)
    _, labels = loaders.test_set()
mu = codes["mu"]  # (N, d), read-only
d = zoo.entry(name).model.latent_dim
is_ae = zoo.entry(name).model.kind == "ae"
say = claims.wording(is_ae)  # an autoencoder has no prior, no KL term, no posterior
half, pad_note = codepad.pad_box(name)  # the box holding the codes: the pad's, and the link's limit
PREVIEW = np.linspace(SLIDER_RANGE[0], SLIDER_RANGE[1], 7)  # values each slider's preview decodes


keys = [f"lex_z{i}" for i in range(d)]
codepad.from_link(keys, name, d, half)


def _new_samples() -> None:
    ss["lex_seed"] = min(int(ss["lex_seed"]) + 1, SEED_MAX)


# --- the explorer
# ----------------------------------------------------------------------------------


@st.fragment
def explorer(name: str, d: int) -> None:
    notice = ss.pop("lex_z_notice", None)
    if notice:
        st.warning(notice)

    c1, c2, c3, c4 = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    start = links.url_widget(
        c1.radio,
        "Start from",
        STARTS,
        index=0,
        key="lex_start",
        captions=[START_LABELS[s] for s in STARTS],
        horizontal=True,
        on_change=codepad.apply_later,
        parse=lambda raw: link_values.parse_choice(raw, STARTS, "origin"),
    )
    links.url_widget(
        c2.selectbox,
        "Digit",
        list(range(10)),
        index=3,
        key="lex_start_digit",
        on_change=codepad.apply_later,
        disabled=start != "prototype",
        parse=lambda raw: link_values.parse_choice(raw, list(range(10)), 3),
    )
    links.url_widget(
        c3.number_input,
        "Seed of the test code",
        0,
        SEED_MAX,
        value=0,
        step=1,
        key="lex_code_seed",
        on_change=codepad.apply_later,
        disabled=start != "random",
        parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
    )
    c4.button(
        "Reset to start",
        key="lex_reset",
        on_click=codepad.apply_later,
        width="stretch",
        help="Put every slider back at the starting point.",
    )

    if ss.pop("lex_need_apply", False):
        z0, _ = codepad.start_point(mu, labels, say)
        for k, v in zip(keys, to_slider(z0, *SLIDER_RANGE, SLIDER_STEP)):
            ss[k] = v
        # a start beyond the sliders (an AE's codes reach +-40) is decoded exactly, not clipped
        ss["lex_exact"] = [float(v) for v in z0] if np.abs(z0).max() > SLIDER_RANGE[1] else None
        codepad.fresh_pad()
    st.caption(f"Starting point: {codepad.start_point(mu, labels, say)[1]}.")

    exact = ss.get("lex_exact")
    left, right = st.columns([3, 2], gap="large")
    if d == 2:
        sliders_at = right
        with left:
            pad_key = codepad.pad_key()
            render.draw(
                codepad.pad_spec(mu, labels, codepad.current(keys), half, say.pad_title),
                key=pad_key,
                on_select=partial(codepad.clicked, pad_key),
                width="content",
                alt=codepad.pad_alt(name, mu, labels, codepad.current(keys)),
            )
            step = 2 * half / (PAD_N - 1)  # the pad's cell: a click lands on a cell's centre
            frame.secondary(
                f"{pad_note} Hover a dot for its digit and test index. A click on empty "
                f"space decodes that spot (to the nearest {step:.2g}); a click on a dot "
                "decodes that test image's code."
            )
    else:
        sliders_at = left
    with sliders_at:
        ncols = 1 if d <= 2 else (2 if d <= 10 else 4)
        cols = st.columns(ncols)
        z_cur = codepad.current(keys)
        if (
            d > 2
        ):  # what moving each slider would decode: its row of PREVIEW values, the others fixed
            tz = latent.traversal(z_cur, PREVIEW)  # (d * len(PREVIEW), d)
            strips = model_calls.decode(name, tz).reshape(d, len(PREVIEW), 28, 28)
            near = alt_text.nearest_digits(name, tz).reshape(d, len(PREVIEW))
        for i, k in enumerate(keys):
            cols[i % ncols].slider(
                f"z{i + 1}",
                *SLIDER_RANGE,
                step=SLIDER_STEP,
                key=k,
                format="%.1f",
                on_change=codepad.slider_moved,
            )
            if d > 2:
                cols[i % ncols].image(
                    np.hstack(list(strips[i])),
                    clamp=True,
                    width="stretch",
                    caption=f"z{i + 1} at {PREVIEW[0]:g} … {PREVIEW[-1]:g}, the rest as set",
                    alt=f"What {name} decodes with z{i + 1} at "
                    f"{alt_text.listing(f'{v:g}' for v in PREVIEW)} "
                    "and the other dimensions as set; the nearest test codes are digits "
                    f"{alt_text.digits(near[i])}.",
                )
    z = codepad.current(keys)

    img = model_calls.decode(name, z[None])[0]  # (28, 28)
    with right:
        shown = ", ".join(f"{v:.2f}" for v in z)
        st.image(
            downloads.upscale(img, 8),
            caption="decoder(z)",
            width=224,
            alt=f"The image {name}'s decoder draws at z = "
            f"({shown}); the nearest test code is a {alt_text.nearest_digits(name, z)[0]}.",
        )
        st.markdown(f"**z** = ({shown})")
        if exact is not None:
            st.caption(
                "Decoded at the clicked, linked or starting point exactly; the sliders show it "
                "rounded to their 0.1 steps and "
                f"clipped to {SLIDER_RANGE[0]:g}…{SLIDER_RANGE[1]:g}."
            )
        downloads.download_png(
            downloads.upscale(img, 8), f"latent-explorer-{name}.png", key="lex_png"
        )
        if d > 2:  # the code on a map: the test codes' first two principal axes
            _, mean, comps = code_scale(name)
            sub = loaders.scatter_subset()
            render.draw(
                render.spec(
                    altair_charts.pca_code_chart, mu[sub], labels[sub], sub, mean, comps, z
                ),
                width="content",
                alt=codepad.pca_alt(name, mu, labels, mean, comps, z),
            )
            st.caption(
                "Seen along the test codes' two main directions; a point that looks near the data "
                "here can "
                f"still be far from it in the other {d - 2} dimensions (the distance below is in "
                f"all {d})."
            )

    st.latex(say.formula)
    frame.secondary(say.decoder_note)

    # --- random generation --------------------------------------------------------------------
    st.header(
        "Random digits from the prior"
        if not is_ae
        else "Random codes from N(0, I), which this model never promised to fill"
    )
    frame.secondary(
        "Draw codes $z \\sim \\mathcal{N}(0, I)$ and decode them. Each row of the table is the "
        "code of the image with the same number."
    )
    g1, g2, g3 = st.columns([3, 2, 2], vertical_alignment="bottom")
    n = links.url_widget(
        g1.slider,
        "How many samples",
        *N_RANGE,
        value=N_DEFAULT,
        key="lex_n",
        parse=lambda raw: link_values.parse_int(raw, *N_RANGE, N_DEFAULT),
    )
    seed = links.url_widget(
        g2.number_input,
        "Seed",
        0,
        SEED_MAX,
        value=0,
        step=1,
        key="lex_seed",
        parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
    )
    g3.button(
        "New samples",
        key="lex_new",
        on_click=_new_samples,
        width="stretch",
        help="Next seed: a fresh set of random codes.",
    )
    links.state_to_url(
        {"lex_z": [round(float(v), 2) for v in z]}
    )  # after the page's last bound control: the toast of a bad link
    zs = prior.samples(int(n), d, int(seed))  # (n, d)
    imgs = model_calls.decode(name, zs)  # (n, 28, 28)

    rows, caps = png_figures.wrap_rows(imgs, min(int(n), 4))
    table = pd.DataFrame(np.round(zs, 3), columns=[f"z{i + 1}" for i in range(d)])
    table.insert(0, "sample", np.arange(1, int(n) + 1))
    table.insert(1, "|z|", np.round(np.linalg.norm(zs, axis=1), 3))
    a, b = st.columns([3, 2], gap="large")
    with a:
        png = render.png(png_figures.image_rows, rows, caps, size=1.2)
        render.show(
            png,
            alt=alt_text.rows(
                f"{int(n)} codes z ~ N(0, I) (seed {seed}) decoded by {name}, |z| from "
                f"{np.linalg.norm(zs, axis=1).min():.1f} to "
                f"{np.linalg.norm(zs, axis=1).max():.1f}. "
                f"By the nearest test code, samples 1 to {int(n)} land on "
                f"{alt_text.digits(alt_text.nearest_digits(name, zs))}",
                rows,
                caps,
            ),
        )
        downloads.download_png(png, f"prior-samples-{name}-seed{seed}.png", key="lex_samples_png")
    with b:
        st.dataframe(table, hide_index=True, width="stretch")
        downloads.download_csv(table, f"prior-samples-{name}-seed{seed}.csv", key="lex_samples_csv")

    # --- what to notice ---------------------------------------------------------------------------
    gap, _, _ = code_scale(name)
    dists, rows = neighbours.nearest_one(mu, z)
    i_near, dist = int(rows[0]), float(dists[0])
    ratio = dist / gap if gap > 0 else float("inf")
    top, share = neighbourhood(mu, labels, z, k=50)
    norms = np.linalg.norm(zs, axis=1)
    typical = prior.typical_norm(d)
    obs = [
        f"The nearest of the {len(mu):,} test codes is #{i_near}, a **{labels[i_near]}**, "
        f"{dist:.2f} away: "
        f"**{ratio:.1f}×** the typical gap between neighbouring test codes ({gap:.2f})"
        + (
            ": among the data, where the decoder was trained."
            if ratio < 2
            else ": in a gap between the codes, where the decoder saw few examples."
            if ratio < 5
            else ": far from every test code, so the decoder is guessing here."
        ),
        f"Among the 50 test codes nearest to yours, {share:.0%} are {top}s. Compare that with the "
        "digit drawn above.",
        f"The {int(n)} random code{'s have norms' if n > 1 else ' has norm'} "
        + (f"from {norms.min():.2f} to {norms.max():.2f}" if n > 1 else f"{norms[0]:.2f}")
        + f"; in {d} dimensions a draw from N(0, I) lies {typical:.2f} from the origin on average"
        + (
            ". An autoencoder has no prior: nothing in its training made these draws decode to "
            "digits (compare with vae-2d)."
            if is_ae
            else ", so the origin itself is not where random codes land."
            if d > 2
            else "."
        ),
    ]
    frame.notice(obs)


explorer(name, d)
frame.lesson_links(LESSON)
