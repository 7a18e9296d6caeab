"""Interpolation: walk from one code to another in latent space, along the straight line (lerp) and
the great circle (slerp; Shoemake 1985, White 2016), against blending the pixels; and measure how
empty the space is along each path (distance to the 25th nearest test code, in units of the same
distance among the test codes), for encoder means and for endpoints drawn from the prior.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import MODEL_CACHE_ENTRIES, PPF_COLOR
from ui.lessons import words
from ui.lessons.interpolation import claims
from ui.lessons.model_facts import SPACING_K as K_NEAR
from ui.lessons.model_facts import code_spacing
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import latent, paths, pixels, units, zoo

LESSON = frame.setup_page(
    __file__,
    "why walking between two codes gives a sequence of plausible digits while blending pixels only "
    "cross-fades two pictures, and whether the great circle (slerp) stays closer to the "
    "data than the straight line (lerp): measured along the whole path for each pair, not assumed.",
)

MODELS, BUILT, DEFAULT_MODEL = links.model_choices(
    lambda e: e.model.kind != "cvae", prefer="vae-2d"
)
MODES = ["class", "index", "prototype", "prior"]
MODE_LABELS = {
    "class": "two test digits, by class",
    "index": "two test digits, by index",
    "prototype": "two digit prototypes",
    "prior": "two draws from N(0, I), a VAE's prior",
}
DEFAULT_DIGITS, DEFAULT_INDICES = (1, 0), (0, 1)
STEPS = (5, 20, 11)  # min, max, default (odd: t = 0.5 is a frame)
SEED_MAX, N_TEST = 9999, 10_000
DENSE = 60  # points per path for the emptiness curve
COLORS = {"lerp": "ink", "slerp": PPF_COLOR}  # "ink": the theme's text colour
PATH_NAMES = {"lerp": "straight line (lerp)", "slerp": "great circle (slerp)"}

ENDPOINT_KEYS = ("interp_a_digit", "interp_b_digit", "interp_a_index", "interp_b_index")
for k in ENDPOINT_KEYS:  # keep the hidden mode's endpoints when the mode changes
    if k in st.session_state:
        st.session_state[k] = st.session_state[k]
# A and B are one parameter each whose meaning depends on the mode (a digit, or a test index):
# links.state_from_url + links.state_to_url.
# Everything else is one widget, bound to the URL parameter named by its key
# (ui.page.links.url_widget).
qp_mode, _ = link_values.parse_choice(st.query_params.get("interp_mode"), MODES, "class")
digits_in_url = qp_mode != "index"
for key, d_digit, d_index in (
    ("a", DEFAULT_DIGITS[0], DEFAULT_INDICES[0]),
    ("b", DEFAULT_DIGITS[1], DEFAULT_INDICES[1]),
):
    links.state_from_url(
        f"interp_{key}_digit",
        f"interp_{key}",
        lambda raw, d=d_digit: link_values.parse_int(raw, 0, 9, d) if digits_in_url else (d, True),
    )
    links.state_from_url(
        f"interp_{key}_index",
        f"interp_{key}",
        lambda raw, d=d_index: (
            link_values.parse_int(raw, 0, N_TEST - 1, d) if not digits_in_url else (d, True)
        ),
    )

c_model, c_mode = st.columns([1, 2])
model_name = links.model_picker(
    c_model.selectbox,
    "Model",
    MODELS,
    BUILT,
    DEFAULT_MODEL,
    key="interp_model",
    help="VAEs and plain autoencoders (the conditional VAE has its own lesson).",
)
c_model.caption(zoo.entry(model_name).blurb)
mode = links.url_widget(
    c_mode.radio,
    "Endpoints",
    MODES,
    key="interp_mode",
    captions=[MODE_LABELS[m] for m in MODES],
    horizontal=True,
    parse=lambda raw: link_values.parse_choice(raw, MODES, "class"),
)
c_a, c_b, c_steps, c_seed = st.columns(4)
if mode == "index":
    a = c_a.number_input("From test image #", 0, N_TEST - 1, step=1, key="interp_a_index")
    b = c_b.number_input("To test image #", 0, N_TEST - 1, step=1, key="interp_b_index")
elif mode == "prior":
    a, b = 0, 1
    c_a.markdown("A and B: z ~ N(0, I),  \ndrawn with the seed →")
else:
    a = c_a.selectbox("From digit", list(range(10)), key="interp_a_digit")
    b = c_b.selectbox("To digit", list(range(10)), key="interp_b_digit")
steps = links.url_widget(
    c_steps.slider,
    "Steps",
    STEPS[0],
    STEPS[1],
    value=STEPS[2],
    key="interp_steps",
    parse=lambda raw: link_values.parse_int(raw, STEPS[0], STEPS[1], STEPS[2]),
)
seed = links.url_widget(
    c_seed.number_input,
    "Seed",
    0,
    SEED_MAX,
    value=0,
    step=1,
    key="interp_seed",
    disabled=mode not in ("class", "prior"),
    parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
    help="Which member of each digit class is drawn (by class), or which N(0, I) draws (prior).",
)
a, b, steps, seed = int(a), int(b), int(steps), int(seed)
links.state_to_url({"interp_a": a, "interp_b": b})

with frame.cache_guard():
    images = loaders.test_images_float()
    _, labels = loaders.test_set()
    codes = loaders.codes(model_name)["mu"]  # (N, d), read-only
    loaders.model(model_name)
    sub = loaders.scatter_subset()
cfg = zoo.entry(model_name).model
d, is_vae = cfg.latent_dim, cfg.kind == "vae"


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_points(name: str) -> bytes:
    """The scatter subset of a 2-D model's codes, as the Arrow bytes its map is sent (once per
    model)."""
    sub = loaders.scatter_subset()
    return altair_charts.points_arrow(
        loaders.codes(name)["mu"][sub], loaders.test_set()[1][sub], sub
    )


if mode in ("class", "index"):
    ia, ib = paths.pick_pair(labels, a, b, seed) if mode == "class" else (a, b)
    za, zb = codes[ia].astype(np.float64), codes[ib].astype(np.float64)
    xa, xb = images[ia], images[ib]
    name_a, name_b = (
        f"test #{ia} ({words.a_digit(labels[ia])})",
        f"test #{ib} ({words.a_digit(labels[ib])})",
    )
else:
    if mode == "prototype":
        za, zb = latent.prototypes(codes.astype(np.float64), labels)[[a, b]]  # (d,) each
        name_a, name_b = f"the prototype of {a}", f"the prototype of {b}"
    else:
        za, zb = np.random.default_rng(seed).standard_normal((2, d))
        name_a, name_b = ("a prior draw" if is_vae else "a draw from N(0, I)"), "another"
    xa, xb = model_calls.decode(
        model_name, np.stack([za, zb])
    )  # decoded endpoints, for the pixel blend
same = bool(np.allclose(za, zb))
if same:
    st.info(
        "A and B are the same point, so every step shows the same image. Pick two different "
        + ("test images." if mode == "index" else "digits.")
    )
t = np.linspace(0.0, 1.0, steps)
walks = {"lerp": paths.lerp(za, zb, t), "slerp": paths.slerp(za, zb, t)}  # (T, d) each
decoded = model_calls.decode(
    model_name, np.concatenate([walks["lerp"], walks["slerp"]])
)  # (2T, 28, 28)
frames = {"lerp": decoded[:steps], "slerp": decoded[steps:], "pixels": paths.pixel_blend(xa, xb, t)}

# --- the picture: three strips
# ----------------------------------------------------------------------------------

st.markdown(
    f"**From {name_a} to {name_b}**"
    + (f" (seed {seed})" if mode in ("class", "prior") else "")
    + ". Top two rows: the decoder's drawing of each code on the way; bottom: the two "
    + ("pictures" if mode in ("class", "index") else "decoded endpoints")
    + " cross-faded."
)
png = render.png(
    png_figures.image_rows,
    {
        "latent, lerp": frames["lerp"],
        "latent, slerp": frames["slerp"],
        "pixel blend": frames["pixels"],
    },
    captions=[[f"t={v:.2f}" for v in t]] * 3,
    size=0.9,
    fontsize=10,
)
render.show(
    png,
    alt=f"From {name_a} to {name_b} in {steps} steps, t from 0 to 1, decoded by {model_name}. By "
    "the nearest test code, the straight line (lerp) passes digits "
    f"{alt_text.digits(alt_text.nearest_digits(model_name, walks['lerp']))}; "
    "the great circle (slerp) "
    f"{alt_text.digits(alt_text.nearest_digits(model_name, walks['slerp']))}. Bottom row: "
    "the two endpoint pictures cross-faded pixel by pixel.",
)
downloads.download_png(png, f"interpolation_{model_name}_{mode}_{a}_{b}.png", key="interp_png")
st.latex(
    r"\text{lerp: } z_t = (1-t)\,z_A + t\,z_B \qquad \text{slerp: } z_t = \big((1-t)\lVert "
    r"z_A\rVert + t\lVert z_B\rVert\big)"
    r"\,\frac{\sin((1-t)\Omega)\,\hat z_A + \sin(t\Omega)\,\hat z_B}{\sin\Omega}"
)

# --- how empty is the way
# -----------------------------------------------------------------------------------------

dense = np.linspace(0.0, 1.0, DENSE)
usual = code_spacing(model_name, K_NEAR)
tree = loaders.code_tree(model_name)
empty = {
    k: tree.query(f(za, zb, dense), k=K_NEAR)[0][:, -1]
    / max(usual, 1e-12)  # paths.emptiness, the tree built once
    for k, f in (("lerp", paths.lerp), ("slerp", paths.slerp))
}
rows = pd.concat(
    [pd.DataFrame({"t": dense, "path": PATH_NAMES[k], "emptiness": v}) for k, v in empty.items()]
)
c_empty, c_map = st.columns(2) if d == 2 else (st.container(), None)
render.draw(
    render.fill(render.spec(altair_charts.emptiness_chart, PATH_NAMES, COLORS, K_NEAR), rows=rows),
    c_empty,
    width="stretch",
    alt=alt_text.listing_sentence(
        f"Emptiness along each path from {name_a} to {name_b} (the distance to the {K_NEAR}th "
        "nearest test code ÷ the usual, about 1 among the data)",
        (
            f"{PATH_NAMES[k]}: {v[0]:.2f} at A, highest {v.max():.2f} at t = "
            f"{dense[v.argmax()]:.2f}, {v[-1]:.2f} at B"
            for k, v in empty.items()
        ),
    ),
)
if c_map is not None:
    lines = pd.concat(
        [
            pd.DataFrame(
                {"x": p[:, 0], "y": p[:, 1], "order": np.arange(steps), "path": PATH_NAMES[k]}
            )
            for k, p in walks.items()
        ]
    )
    ends = pd.DataFrame({"x": [za[0], zb[0]], "y": [za[1], zb[1]], "name": ["A", "B"]})
    spec = altair_charts.with_domains(
        render.spec(altair_charts.paths_map, PATH_NAMES, COLORS),
        altair_charts.square_domains(np.vstack([codes[sub], lines[["x", "y"]].to_numpy()])),
    )
    render.draw(
        render.fill(spec, points=code_points(model_name), lines=lines, ends=ends),
        c_map,
        width="content",
        alt=alt_text.scatter(
            f"{model_name}'s test codes and both paths from A at ({za[0]:.2f}, {za[1]:.2f}) to B "
            f"at ({zb[0]:.2f}, {zb[1]:.2f})",
            codes[sub],
            labels[sub],
        ),
    )
frame.caveat(
    f"Emptiness: the distance from each point of a path to its {K_NEAR}th nearest test code, "
    "divided by the same "
    f"distance measured from the test codes themselves (median {usual:.2f}): about 1 among the "
    "data, large in gaps."
)

# --- what to notice
# --------------------------------------------------------------------------------------------------

mid = int(np.argmin(np.abs(t - 0.5)))
notes = []
if not same:
    r2 = pixels.mix_r2(frames["lerp"][mid], frames["lerp"][0], frames["lerp"][-1])
    notes.append(
        f"At t = {t[mid]:.2f} the pixel blend is A and B superposed "
        f"({words.pct(pixels.half_tone_share(frames['pixels'][mid]))} "
        "of its ink at half strength). The decoded lerp frame is "
        + (
            "a new drawing: a mix a·A + b·B of the decoded endpoints explains only "
            f"{words.pct(r2)} of it (R²); the "
            "strokes move instead of fading."
            if r2 < 0.8
            else f"close to a mix of the decoded endpoints (R² = {words.pct(r2)}): these two "
            "drawings are similar enough "
            "that walking and fading look alike; try a more different pair."
        )
    )
    verdict = claims.verdict(claims.PathFacts(tuple(empty["lerp"]), tuple(empty["slerp"])))
    notes.append(
        claims.path_sentence(verdict, PATH_NAMES, DENSE)
        + (
            " (The shell argument for slerp is about draws from the prior; these "
            "endpoints are encoder means.)"
            if mode != "prior" and is_vae and d > 2
            else ""
        )
    )
    norm = {k: paths.norms(p) for k, p in walks.items()}
    ends_norm = (norm["lerp"][0] + norm["lerp"][-1]) / 2
    unused = int((~units.activity(codes)[1]).sum())
    med = float(np.median(paths.norms(codes)))
    notes.append(
        f"Halfway, lerp's code has norm {norm['lerp'][mid]:.2f} against the endpoints' average "
        f"{ends_norm:.2f}; slerp keeps {norm['slerp'][mid]:.2f}. "
        + (
            (
                f"Prior draws in {d}-D sit near √d = {np.sqrt(d):.2f}, and a straight line between "
                "two of them cuts inside that shell"
                + (
                    f"; but the test codes sit inside it too (median norm {med:.2f}"
                    + (f"; {unused} of {d} dimensions unused" if unused else "")
                    + "), so going inside is not going away from the data."
                    if med < 0.8 * np.sqrt(d)
                    else "."
                )
                if mode == "prior"
                else f"The test codes' median norm is {med:.2f}, against √d = {np.sqrt(d):.2f} for "
                "prior draws"
                + (
                    f": {unused} of {d} dimensions are unused (their μ is about 0), which pulls "
                    "every code inward."
                    if unused
                    else "."
                )
            )
            if is_vae
            else "A plain autoencoder has no prior, so no shell to stay in: neither path is "
            "privileged."
        )
    )
else:
    notes.append("Choose two different endpoints to see the paths diverge.")
frame.notice(notes)


@st.fragment
def animation(frames: dict[str, np.ndarray], stem: str, what: str) -> None:
    c_which, c_speed = st.columns([3, 2])
    options = {
        "lerp": "latent, straight line (lerp)",
        "slerp": "latent, great circle (slerp)",
        "pixels": "pixel blend",
    }
    which = c_which.radio(
        "Animate", list(options), format_func=options.get, horizontal=True, key="interp_gif_path"
    )
    ms = c_speed.slider("Milliseconds per frame", 40, 400, 120, step=20, key="interp_gif_ms")
    gif = pixels.gif_bytes(frames[which], scale=8, duration_ms=ms)
    st.image(
        gif,
        caption=f"{options[which]}, A → B → A, looping",
        width="content",
        alt=f"Looping animation, {ms} ms per frame: the {options[which]} {what}, "
        f"{len(frames[which])} frames there and back.",
    )
    st.download_button(
        "Download GIF",
        gif,
        file_name=f"{stem}_{which}.gif",
        mime="image/gif",
        key="interp_gif_download",
        on_click="ignore",
    )


with st.expander("As an animation", icon=":material/animation:"):
    animation(
        frames,
        f"interpolation_{model_name}_{mode}_{a}_{b}",
        f"from {name_a} to {name_b} ({model_name})",
    )
with st.expander("Why a great circle? The shell of the prior", icon=":material/public:"):
    st.markdown(
        "Under the prior $\\mathcal N(0, I_d)$ the norm of a code concentrates around $\\sqrt d$: "
        "in 10 dimensions "
        "almost every draw lies in a shell of radius about 3.2 and the centre is practically never "
        "visited. A "
        "straight line between two draws cuts through the inside (for two nearly orthogonal ones "
        "its midpoint has "
        "$1/\\sqrt 2$ of their norm); slerp turns along the great circle and changes the norm "
        "linearly. In 2-D there "
        "is no thin shell (the prior is densest at the centre). Encoder means are not prior draws: "
        "their norms and "
        "directions are whatever training left, which is why the emptiness above is measured, not "
        "assumed."
    )
    norm_df = pd.DataFrame(
        {
            "path": np.repeat(list(walks), steps),
            "t": np.tile(t, 2),
            **{
                words.z(j): np.concatenate([walks["lerp"][:, j], walks["slerp"][:, j]])
                for j in range(d)
            },
        }
    )
    downloads.download_csv(
        norm_df,
        f"interpolation_{model_name}_codes.csv",
        key="interp_csv",
        label="Download the path codes (CSV)",
    )
frame.lesson_links(LESSON)
