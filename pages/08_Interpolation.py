"""Interpolation: walk from one code to another in latent space, along the straight line (lerp) and
the great circle (slerp; Shoemake 1985, White 2016), against blending the pixels; and measure how
empty the space is along each path (distance to the 25th nearest test code, in units of the same
distance among the test codes), for encoder means and for endpoints drawn from the prior.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.lessons.interpolation import claims, computed, views
from ui.lessons.model_facts import SPACING_K as K_NEAR
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import paths, zoo

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
N_TEST = 10_000
DENSE = 60  # points per path for the emptiness curve

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
mode = links.captioned_radio(
    c_mode, "Endpoints", MODES, MODE_LABELS, "interp_mode", "class", horizontal=True
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
seed = links.seed_input(
    c_seed,
    "Seed",
    "interp_seed",
    disabled=mode not in ("class", "prior"),
    help="Which member of each digit class is drawn (by class), or which N(0, I) draws (prior). "
    + links.SEED_HELP,
)
a, b, steps, seed = int(a), int(b), int(steps), int(seed)
links.state_to_url({"interp_a": a, "interp_b": b})

with frame.cache_guard():
    images = loaders.test_images_float()
    _, labels = loaders.test_set()
    codes = loaders.codes(model_name)["mu"]  # (N, d), read-only
    loaders.model(model_name)
    loaders.scatter_subset()
cfg = zoo.entry(model_name).model
d, is_vae = cfg.latent_dim, cfg.kind == "vae"

za, zb, xa, xb, name_a, name_b = computed.endpoints(
    model_name, mode, a, b, seed, codes, labels, images, is_vae
)
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
stem = f"interpolation_{model_name}_{mode}_{a}_{b}"
views.strips(model_name, frames, walks, t, name_a, name_b, stem)
st.latex(
    r"\text{lerp: } z_t = (1-t)\,z_A + t\,z_B \qquad \text{slerp: } z_t = \big((1-t)\lVert "
    r"z_A\rVert + t\lVert z_B\rVert\big)"
    r"\,\frac{\sin((1-t)\Omega)\,\hat z_A + \sin(t\Omega)\,\hat z_B}{\sin\Omega}"
)

# --- how empty is the way
# -----------------------------------------------------------------------------------------

dense = np.linspace(0.0, 1.0, DENSE)
empty, usual = computed.emptiness(model_name, za, zb, dense)
c_empty, c_map = st.columns(2) if d == 2 else (st.container(), None)
views.emptiness_chart(c_empty, empty, dense, name_a, name_b)
if c_map is not None:
    views.paths_map(c_map, model_name, walks, za, zb, codes, labels)
frame.caveat(
    f"Emptiness: the distance from each point of a path to its {K_NEAR}th nearest test code, "
    "divided by the same "
    f"distance measured from the test codes themselves (median {usual:.2f}): about 1 among the "
    "data, large in gaps."
)

# --- what to notice
# --------------------------------------------------------------------------------------------------

facts = claims.walk_facts(
    t, frames, walks, empty, codes, same=same, is_vae=is_vae, prior=mode == "prior"
)
frame.notice(claims.notices(facts))

frame.folded(
    "As an animation",
    "interp_gif_open",
    ":material/animation:",
    views.animation,
    frames,
    stem,
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
    norm_df = computed.path_codes(walks, t)
    downloads.download_csv(
        norm_df,
        f"interpolation_{model_name}_codes.csv",
        key="interp_csv",
        label="Download the path codes (CSV)",
    )
frame.lesson_links(LESSON)
