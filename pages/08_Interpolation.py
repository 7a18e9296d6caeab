"""Interpolation: walk from one digit to another in latent space (straight line and great
circle) and compare with blending the pixels."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, params
from ui import common as ui
from ui import words
from vae import latent, neighbours, paths, pixels, zoo
from ui.style import LATENT_RANGE, MODEL_CACHE_ENTRIES

LESSON = ui.setup_page(__file__,
              "why walking between two codes in latent space gives a sequence of plausible digits while blending "
              "the pixels only cross-fades two pictures, and why in many dimensions the walk should follow a great "
              "circle (slerp) instead of a straight line.")

MODELS = ui.models_where(lambda e: e.model.kind != "cvae")
DEFAULT_MODEL = "vae-2d"
MODES = ["class", "index", "prototype"]
MODE_LABELS = {"class": "two test digits, by class", "index": "two test digits, by index",
               "prototype": "two digit prototypes (mean codes)"}
DEFAULT_DIGITS = (1, 0)
DEFAULT_INDICES = (0, 1)
STEPS = (5, 20, 11)  # min, max, default (odd: t = 0.5 is a frame)
SEED_MAX = 9999
N_TEST = 10_000
LERP_COLOR, SLERP_COLOR = charts.ink(), "#d4007a"  # lerp in the theme's ink
PATH_NAMES = {"lerp": "straight line (lerp)", "slerp": "great circle (slerp)"}


st.header("The idea")
st.markdown(
    "Take two digits, A and B, and go from one to the other in small steps $t = 0 \\dots 1$. "
    "Blending the **pixels** mixes the two pictures; walking between their **codes** and decoding each step "
    "asks the decoder to draw every point on the way:"
)
st.latex(r"\text{pixels: } x_t = (1-t)\,x_A + t\,x_B \qquad\qquad "
         r"\text{lerp: } z_t = (1-t)\,z_A + t\,z_B,\quad \hat x_t = \mathrm{dec}(z_t)")
st.latex(r"\text{slerp: } z_t = \big((1-t)\,\lVert z_A\rVert + t\,\lVert z_B\rVert\big)\;"
         r"\frac{\sin\!\big((1-t)\,\Omega\big)\,\hat z_A + \sin(t\,\Omega)\,\hat z_B}{\sin\Omega},"
         r"\qquad \cos\Omega = \hat z_A \cdot \hat z_B")
ui.secondary(
    "Why a great circle? Under the VAE's prior $\\mathcal N(0, I_d)$ the norm of a code concentrates around "
    "$\\sqrt d$: in 10 dimensions almost every sample lies in a shell of radius about 3.2, and the centre is "
    "practically never visited. A straight line between two codes on that shell cuts through the inside (for two "
    "nearly orthogonal codes its midpoint has only $1/\\sqrt 2$ of their norm), where the decoder saw few codes "
    "in training. Spherical interpolation (Shoemake 1985; White 2016, *Sampling Generative Networks*) turns the "
    "direction along the great circle and changes the norm linearly, so the path stays in the shell. In 2-D there "
    "is no thin shell (the prior is densest at the centre), so lerp's dip does no harm there; slerp just takes "
    "another route, round the origin. A plain autoencoder has no prior at all: nothing makes "
    "the space *between* its codes decodable."
)

# --- controls -----------------------------------------------------------------------------------

ENDPOINT_KEYS = ("interp_a_digit", "interp_b_digit", "interp_a_index", "interp_b_index")
for k in ENDPOINT_KEYS:  # keep the hidden mode's endpoints when the mode changes
    if k in st.session_state:
        st.session_state[k] = st.session_state[k]

qp_mode, _ = params.parse_choice(st.query_params.get("mode"), MODES, "class")
digits_in_url = qp_mode != "index"
ui.bind("interp_model", "model", lambda raw: params.parse_choice(raw, MODELS, DEFAULT_MODEL))
ui.bind("interp_mode", "mode", lambda raw: params.parse_choice(raw, MODES, "class"))
for key, qp, d_digit, d_index in (("a", "a", DEFAULT_DIGITS[0], DEFAULT_INDICES[0]),
                                  ("b", "b", DEFAULT_DIGITS[1], DEFAULT_INDICES[1])):
    ui.bind(f"interp_{key}_digit", qp, lambda raw, d=d_digit: params.parse_int(raw, 0, 9, d)
            if digits_in_url else (d, True))
    ui.bind(f"interp_{key}_index", qp, lambda raw, d=d_index: params.parse_int(raw, 0, N_TEST - 1, d)
            if not digits_in_url else (d, True))
ui.bind("interp_steps", "steps", lambda raw: params.parse_int(raw, STEPS[0], STEPS[1], STEPS[2]))
ui.bind("interp_seed", "seed", lambda raw: params.parse_int(raw, 0, SEED_MAX, 0))

c_model, c_mode = st.columns([1, 2])
model_name = c_model.selectbox("Model", MODELS, key="interp_model",
                               format_func=lambda n: f"{n} — {zoo.entry(n).blurb}",
                               help="VAEs and plain autoencoders (the conditional VAE has its own lesson).")
mode = c_mode.radio("Endpoints", MODES, key="interp_mode", format_func=MODE_LABELS.get, horizontal=True)
c_a, c_b, c_steps, c_seed = st.columns(4)
if mode == "index":
    a = c_a.number_input("From test image #", 0, N_TEST - 1, step=1, key="interp_a_index")
    b = c_b.number_input("To test image #", 0, N_TEST - 1, step=1, key="interp_b_index")
else:
    a = c_a.selectbox("From digit", list(range(10)), key="interp_a_digit")
    b = c_b.selectbox("To digit", list(range(10)), key="interp_b_digit")
steps = c_steps.slider("Steps", STEPS[0], STEPS[1], key="interp_steps")
seed = c_seed.number_input("Seed", 0, SEED_MAX, step=1, key="interp_seed", disabled=mode != "class",
                           help="Which member of each digit class is drawn (used in the 'by class' mode).")
a, b, steps, seed = int(a), int(b), int(steps), int(seed)
ui.share({"model": model_name, "mode": mode, "a": a, "b": b, "steps": steps, "seed": seed})

# --- data ---------------------------------------------------------------------------------------

with ui.cache_guard():
    images = ui.test_images_float()
    _, labels = ui.test_set()
    codes = ui.codes(model_name)["mu"]  # (N, d), read-only
    ui.model(model_name)
    sub = ui.scatter_subset()
cfg = zoo.entry(model_name).model
d = cfg.latent_dim
is_vae = cfg.kind == "vae"


K_NEAR = 25  # neighbours asked along a path


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_spacing(name: str, k: int) -> float:
    """Median distance from a test code to its k-th nearest other test code (the model's own units)."""
    return neighbours.spacing(ui.codes(name)["mu"], k)


if mode == "class":
    ia, ib = paths.pick_pair(labels, a, b, seed)
    za, zb = codes[ia].astype(np.float64), codes[ib].astype(np.float64)
    xa, xb = images[ia], images[ib]
    name_a, name_b = f"test #{ia} ({words.a_digit(labels[ia])})", f"test #{ib} ({words.a_digit(labels[ib])})"
elif mode == "index":
    ia, ib = a, b
    za, zb = codes[ia].astype(np.float64), codes[ib].astype(np.float64)
    xa, xb = images[ia], images[ib]
    name_a, name_b = f"test #{ia} ({words.a_digit(labels[ia])})", f"test #{ib} ({words.a_digit(labels[ib])})"
else:
    protos = latent.prototypes(codes.astype(np.float64), labels)  # (10, d)
    za, zb = protos[a], protos[b]
    xa, xb = ui.decode(model_name, np.stack([za, zb]))  # the decoded prototypes, for the pixel blend
    name_a, name_b = f"the prototype of {a}", f"the prototype of {b}"

if mode != "index":
    st.caption(f"A = {name_a}, B = {name_b}" + (f" (seed {seed})." if mode == "class" else "."))
same = bool(np.allclose(za, zb))
if same:
    st.info("A and B are the same point, so every step shows the same image. Pick two different "
            + ("test images." if mode == "index" else "digits."))

t = np.linspace(0.0, 1.0, steps)
walks = {"lerp": paths.lerp(za, zb, t), "slerp": paths.slerp(za, zb, t)}  # (T, d) each
decoded = ui.decode(model_name, np.concatenate([walks["lerp"], walks["slerp"]]))  # (2T, 28, 28)
frames = {"lerp": decoded[:steps], "slerp": decoded[steps:], "pixels": paths.pixel_blend(xa, xb, t)}

# --- the three strips ---------------------------------------------------------------------------

st.header(f"From {name_a} to {name_b}")
st.markdown(
    "Top two rows: the decoder's drawing of each code on the path. Bottom row: the two pictures cross-faded "
    + ("(the endpoints are the original test images, so the latent rows start and end with their "
       "*reconstructions*)." if mode != "prototype" else "(between the two decoded prototypes).")
)
captions = [f"t={v:.2f}" for v in t]
png = charts.png(charts.image_rows, {"latent, lerp": frames["lerp"], "latent, slerp": frames["slerp"],
                  "pixel blend": frames["pixels"]}, captions=[captions] * 3, size=0.9)
charts.show(png)
ui.download_png(png, f"interpolation_{model_name}_{mode}_{a}_{b}.png", key="interp_png")

# --- where the paths go -------------------------------------------------------------------------

norm = {k: paths.norms(p) for k, p in walks.items()}


def coloured_path(df: pd.DataFrame, color: str) -> alt.Chart:
    """charts.path with its step markers in the line's colour (not the default blue of digit 0)."""
    return charts.path(df, color).mark_line(color=color, strokeWidth=2,
                                            point=alt.OverlayMarkDef(color=color, filled=True, size=30))


if d == 2:
    st.subheader("The two paths on the latent map")
    df = charts.codes_frame(codes[sub], labels[sub], sub)
    lines = {k: pd.DataFrame({"x": p[:, 0], "y": p[:, 1], "order": np.arange(steps)}) for k, p in walks.items()}
    ends = pd.DataFrame({"x": [za[0], zb[0]], "y": [za[1], zb[1]], "name": ["A", "B"]})
    chart = (charts.scatter(df, domain=LATENT_RANGE if is_vae else None, opacity=0.45)
             + coloured_path(lines["lerp"], LERP_COLOR) + coloured_path(lines["slerp"], SLERP_COLOR)
             + charts.markers(ends, label="name")
             ).properties(title=f"{model_name}: {len(sub):,} test codes and the two paths")
    st.altair_chart(chart, width="stretch")
    st.caption("Black: the straight line (lerp). Magenta: the great circle (slerp), which bends around the "
               "origin. Crosses: the endpoints A and B. Hover a point for its digit and test index.")
else:
    st.subheader("How far from the centre the paths go")
    rows = [{"t": float(tv), "path": PATH_NAMES[k], "norm": float(n)} for k in walks for tv, n in zip(t, norm[k])]
    ndf = pd.DataFrame(rows)
    med = float(np.median(paths.norms(codes)))
    refs = pd.DataFrame({"norm": [med] + ([np.sqrt(d)] if is_vae else []),
                         "what": ["median ‖μ‖, test images"]
                         + (["√d, radius of the prior's shell"] if is_vae else [])})
    lines_chart = alt.Chart(ndf, height=300).mark_line(point=True).encode(
        x=alt.X("t:Q", title="t (0 = A, 1 = B)"),
        y=alt.Y("norm:Q", title="‖z‖ (norm of the code)", scale=alt.Scale(zero=True)),
        color=alt.Color("path:N", title="path", scale=alt.Scale(domain=list(PATH_NAMES.values()),
                                                                 range=[LERP_COLOR, SLERP_COLOR])),
        tooltip=[alt.Tooltip("path:N"), alt.Tooltip("t:Q", format=".2f"),
                 alt.Tooltip("norm:Q", format=".2f", title="‖z‖")])
    rules = alt.Chart(refs).mark_rule(color="gray").encode(
        y="norm:Q",
        strokeDash=alt.StrokeDash("what:N", title="reference", legend=alt.Legend(labelLimit=220),
                                  scale=alt.Scale(range=[[6, 3], [2, 2]])),
        tooltip=[alt.Tooltip("what:N", title="reference"), alt.Tooltip("norm:Q", format=".2f")])
    c_chart, c_text = st.columns([3, 2])
    c_chart.altair_chart(lines_chart + rules, width="stretch")
    c_text.markdown(
        f"A {d}-D code can't be drawn on a map, but its distance from the origin tells the story. "
        + (f"Codes drawn from the prior sit near radius √d = {np.sqrt(d):.2f}; the encoder's means μ of the test "
           f"images have median norm {med:.2f}"
           + (" (a little inside: the posterior noise around each μ fills the rest)." if med < np.sqrt(d) else ".")
           if is_vae else
           f"A plain autoencoder has no prior; its test codes have median norm {med:.2f}.")
    )

path_df = pd.DataFrame({"path": np.repeat(list(walks), steps), "t": np.tile(t, 2),
                        **{f"z{j + 1}": np.concatenate([walks["lerp"][:, j], walks["slerp"][:, j]]) for j in range(d)},
                        "norm": np.concatenate([norm["lerp"], norm["slerp"]])})
ui.download_csv(path_df, f"interpolation_{model_name}_codes.csv", key="interp_csv",
                label="Download the path codes (CSV)")

# --- animation ----------------------------------------------------------------------------------

st.subheader("As an animation")


@st.fragment
def animation(frames: dict[str, np.ndarray], stem: str) -> None:
    c_which, c_speed = st.columns([3, 2])
    options = {"lerp": "latent, straight line (lerp)", "slerp": "latent, great circle (slerp)",
               "pixels": "pixel blend"}
    which = c_which.radio("Animate", list(options), format_func=options.get, horizontal=True, key="interp_gif_path")
    ms = c_speed.slider("Milliseconds per frame", 40, 400, 120, step=20, key="interp_gif_ms")
    gif = pixels.gif_bytes(frames[which], scale=8, duration_ms=ms)
    st.image(gif, caption=f"{options[which]}, A → B → A, looping", width="content")
    st.download_button("Download GIF", gif, file_name=f"{stem}_{which}.gif", mime="image/gif",
                       key="interp_gif_download", on_click="ignore")


animation(frames, f"interpolation_{model_name}_{mode}_{a}_{b}")

# --- what to notice -----------------------------------------------------------------------------

mid = int(np.argmin(np.abs(t - 0.5)))
observations = []
if not same:
    r2 = pixels.mix_r2(frames["lerp"][mid], frames["lerp"][0], frames["lerp"][-1])
    half = pixels.half_tone_share(frames["pixels"][mid])
    observations.append(
        f"At t = {t[mid]:.2f} the pixel blend is, by construction, just A and B superposed ({half:.0%} of its ink "
        "is at half strength: two faded pictures on top of each other). The decoded lerp frame is "
        + (f"a new drawing: the best mix of the two decoded endpoints, a·A + b·B, explains only {r2:.0%} of it "
           "(R²); the strokes move instead of fading." if r2 < 0.8 else
           f"close to a mix of the two decoded endpoints (R² = {r2:.0%}): these two drawings are similar enough "
           "that walking and fading look alike; try a more different pair.")
    )
    dense = np.linspace(0.0, 1.0, 60)
    seq_l = paths.regions_along(paths.lerp(za, zb, dense), codes, labels, k=K_NEAR, min_run=3)
    seq_s = paths.regions_along(paths.slerp(za, zb, dense), codes, labels, k=K_NEAR, min_run=3)
    reach = float(neighbours.kth_distance(codes, paths.lerp(za, zb, dense), k=K_NEAR).max())
    usual = code_spacing(model_name, K_NEAR)
    ratio = reach / usual if usual > 0 else float("inf")
    arrow = " → ".join
    via = list(dict.fromkeys(str(v) for v in seq_l[1:-1]))  # in order of first visit, each once
    observations.append(
        f"Asking the {K_NEAR} nearest test codes along the way, the straight path goes through the digits "
        f"{arrow(map(str, seq_l))}"
        + (f" and the great circle through {arrow(map(str, seq_s))}" if seq_s != seq_l
           else " (so does the great circle)")
        + (f": between A and B it crosses the region of {', '.join(via)}; look for them in the strip." if via else ".")
        + f" At its emptiest stretch the straight path has to reach {reach:.2f} latent units for its {K_NEAR} "
        f"nearest test codes, {ratio:.1f}× the usual radius around a test code ({usual:.2f})"
        + (": it stays among the data." if ratio < 2 else
           ": it passes through thinly populated space between the groups of codes." if ratio < 6 else
           ": it crosses space where almost no test digit lives, and the decoder has to guess.")
    )
    n_ends = (norm["lerp"][0] + norm["lerp"][-1]) / 2
    drop = 1 - norm["lerp"][mid] / n_ends if n_ends > 0 else 0.0
    apart = float(np.linalg.norm(walks["lerp"] - walks["slerp"], axis=1).max())
    if abs(drop) < 0.05:
        observations.append(
            f"Halfway, the straight path's code has norm {norm['lerp'][mid]:.2f}, within 5% of the endpoints' "
            f"average {n_ends:.2f}: here the straight path does not cut toward the centre, and the two paths are "
            f"at most {apart:.2f} latent units apart. Endpoints in different directions from the origin show the "
            "difference."
        )
    else:
        observations.append(
            f"Halfway, the straight path's code has norm {norm['lerp'][mid]:.2f}, {abs(drop):.0%} "
            f"{'below' if drop > 0 else 'above'} the endpoints' average {n_ends:.2f}; the great circle keeps "
            f"{norm['slerp'][mid]:.2f}."
            + (f" In {d}-D that dip takes lerp toward the empty centre of the prior (typical radius √d = "
               f"{np.sqrt(d):.2f}), which is why slerp is the usual choice for high-dimensional latents."
               if is_vae and d > 2 else
               f" In 2-D the prior has no thin shell (its density is highest at the centre), so the dip does no "
               f"harm; the two paths are at most {apart:.2f} latent units apart." if is_vae else
               " An autoencoder has no prior and so no shell to stay in: neither path is privileged.")
        )
else:
    observations.append("Choose two different endpoints to see the paths diverge.")
ui.notice(observations)
ui.lesson_links(LESSON)
