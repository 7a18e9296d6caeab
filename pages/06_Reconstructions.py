"""Reconstructions: test digits next to what the model makes of them, with the loss in nats.

Choose test digits (at random, by digit class or by index) and a model; rows show the original,
its binarized version, the reconstruction (decoded posterior mean; the AE's code) and the
binarized reconstruction, each with its reconstruction loss.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import charts
from ui import common as ui
from ui import params
import torch  # noqa: E402 - after ui, which sets OMP_NUM_THREADS first
from vae import zoo
from vae.pixels import binarize, grey_fraction
from vae.latent import pick_digit, pick_random
from vae.losses import recon_bce

MODES = ("random", "digit", "index")
MODE_LABELS = {"random": "random test digits", "digit": "examples of one digit", "index": "by test index"}
N_RANGE = (4, 16)
N_DEFAULT = 8
IDX_DEFAULT = "0, 1, 2, 3, 4, 5, 6, 7"
T_DEFAULT = 0.5
SEED_MAX = 1_000_000

LESSON = ui.setup_page(__file__,
              "what a model keeps of a digit after squeezing its 784 pixels into a few numbers, "
              "and how the reconstruction loss (in nats) measures what it loses.")


# --- which models ----------------------------------------------------------------------------------


ALL = zoo.names()
BUILT = [n for n in ALL if ui.built(n)]
DEFAULT_MODEL = BUILT[0] if BUILT else ALL[0]

ui.bind("rec_model", "model", lambda raw: params.parse_choice(raw, ALL, DEFAULT_MODEL))
ui.bind("rec_mode", "mode", lambda raw: params.parse_choice(raw, MODES, "random"))
ui.bind("rec_n", "n", lambda raw: params.parse_int(raw, *N_RANGE, N_DEFAULT))
ui.bind("rec_seed", "seed", lambda raw: params.parse_int(raw, 0, SEED_MAX, 0))
ui.bind("rec_digit", "digit", lambda raw: params.parse_choice(raw, list(range(10)), 3))
ui.bind("rec_idx", "idx", lambda raw: (IDX_DEFAULT if raw is None else raw[:300], True))
ui.bind("rec_t", "t", lambda raw: params.parse_float(raw, 0.05, 0.95, T_DEFAULT))
options = BUILT + [n for n in [st.session_state["rec_model"]] if n not in BUILT]

# --- the idea ---------------------------------------------------------------------------------------

st.header("The idea")
st.markdown(
    "The encoder turns a 28×28 image $x$ into a short code (the VAE's posterior mean $\\mu(x)$, the "
    "plain autoencoder's code $z$); the decoder turns the code back into one probability per pixel, "
    "$\\hat x = \\sigma(\\text{logits})$. How well $\\hat x$ explains $x$ is the **reconstruction loss**, "
    "the binary cross-entropy summed over the 784 pixels (nats per image):"
)
st.latex(r"-\log p(x \mid z) \;=\; -\sum_{i=1}^{784} \Big[x_i \log \hat x_i + (1 - x_i)\log(1 - \hat x_i)\Big]")
ui.caveat(
    "Lower is better, but it never reaches 0: MNIST pixels are grey levels, not just black and white, so "
    "even a perfect copy pays for the grey edge pixels (about 45 nats per image on average). "
    "**Binarizing** (every pixel at least the threshold becomes ink, the rest paper) shows the shape the "
    "model committed to, without the grey haze where it hedged."
)

# --- controls ---------------------------------------------------------------------------------------

st.header("Choose digits and a model")
c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    name = st.selectbox("Model", options, key="rec_model",
                        format_func=lambda n: n if ui.built(n) else f"{n} (not built yet)",
                        help="Every model of the zoo that is built in cache/models.  \n\n"
                             + "  \n".join(f"**{n}**: {zoo.entry(n).blurb}" for n in options))
    st.caption(zoo.entry(name).blurb)
with c2:
    mode = st.radio("Which test digits", MODES, key="rec_mode", format_func=MODE_LABELS.get)
with c3:
    if mode == "index":
        st.text_input("Test indices (0–9999, comma separated, up to 16)", key="rec_idx")
    else:
        if mode == "digit":
            st.selectbox("Digit", list(range(10)), key="rec_digit")
        cc1, cc2 = st.columns(2)
        cc1.slider("How many", *N_RANGE, key="rec_n")
        cc2.number_input("Seed", 0, SEED_MAX, step=1, key="rec_seed",
                         help="Same seed, same digits: send the link and everyone sees this set.")

with ui.cache_guard():
    _, labels = ui.test_set()
    x_all = ui.test_images_float()
    model = ui.model(name)

n_test = len(labels)
seed, n, digit = int(st.session_state["rec_seed"]), int(st.session_state["rec_n"]), int(st.session_state["rec_digit"])
if mode == "index":
    idx, rejected = params.parse_indices(st.session_state["rec_idx"], n_test, max_len=N_RANGE[1])
    if rejected:
        st.warning(f"Ignored {len(rejected)} entr{'y' if len(rejected) == 1 else 'ies'}: "
                   f"{', '.join(params.echo(r) for r in rejected[:8])}{' …' if len(rejected) > 8 else ''}. "
                   f"Test indices are whole numbers from 0 to {n_test - 1}, at most {N_RANGE[1]} of them.")
    if not idx:
        idx = params.parse_indices(IDX_DEFAULT, n_test)[0]
        st.info(f"No usable test index, so showing the default ones ({IDX_DEFAULT}).")
    idx = np.array(idx)
elif mode == "digit":
    idx = pick_digit(labels, digit, n, seed)
else:
    idx = pick_random(n_test, n, seed)

ui.share({"model": name, "mode": mode, "n": n, "seed": seed, "digit": digit,
          "idx": ",".join(str(i) for i in idx) if mode == "index" else st.session_state["rec_idx"],
          "t": float(st.session_state["rec_t"])})


# --- reconstructions ----------------------------------------------------------------------------------

def reconstruct(name: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode the posterior mean (AE: the code) of images (M, 28, 28) -> (recon (M, 28, 28), BCE (M,))."""
    m = ui.model(name)
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).reshape(-1, 1, 28, 28)  # (M, 1, 28, 28)
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))  # (M,), read by the conditional VAE only
    with torch.inference_mode():
        mu, _ = m.encode(xt, yt)  # (M, d): the posterior mean, or the AE's code
        logits = m.decode_logits(mu, yt)
        loss = recon_bce(logits, xt)  # (M,)
        recon = torch.sigmoid(logits)[:, 0]  # (M, 28, 28)
    return recon.numpy(), loss.numpy()


x = np.array(x_all[idx])  # (M, 28, 28), a copy
y = np.array(labels[idx])
recon, loss = reconstruct(name, x, y)
d = model.config.latent_dim
kind = model.config.kind

st.header("Original and reconstruction")
ui.secondary(
    f"**{name}** keeps {d} number{'s' if d > 1 else ''} per image: a {784 / d:.0f}× compression of the "
    "784 pixels. "
    + ("Its decoder is also told the digit label, so the code only needs to hold the style. "
       if kind == "cvae" else "")
    + "Under each reconstruction: its loss in nats. Move the threshold to see where the model is sure."
)


@st.fragment
def pictures(name: str, idx: np.ndarray, x: np.ndarray, y: np.ndarray, recon: np.ndarray,
             loss: np.ndarray, d: int) -> None:
    t = st.slider("Binarization threshold", 0.05, 0.95, step=0.05, key="rec_t",
                  help="A pixel at least this bright becomes ink (1), the rest paper (0).")
    ui.share({"t": float(t)})
    bx, br = binarize(x, t), binarize(recon, t)
    ink = bx.reshape(len(x), -1).sum(axis=1).astype(int)  # (M,)
    differ = (bx != br).reshape(len(x), -1).sum(axis=1).astype(int)  # (M,)
    rows = {"original": x, "binarized\noriginal": bx, "reconstruction": recon, "binarized\nreconstruction": br}
    captions = [[f"#{i} · a {k}" for i, k in zip(idx, y)], [f"{v} ink px" for v in ink],
                [f"{v:.1f} nats" for v in loss], [f"{v} px differ" for v in differ]]
    png = charts.png(charts.image_rows, rows, captions, size=1.15)
    charts.show(png)
    ui.download_png(png, f"reconstructions-{name}.png", key="rec_png")

    table = pd.DataFrame({"test index": idx.astype(int), "digit": y.astype(int),
                          "reconstruction loss (nats)": np.round(loss.astype(np.float64), 2),
                          "ink pixels (binarized original)": ink,
                          f"pixels that differ at t = {t:.2f}": differ})
    with st.expander("The numbers as a table"):
        st.dataframe(table, hide_index=True, width="stretch")
        ui.download_csv(table, f"reconstructions-{name}.csv", key="rec_csv")
        ui.nats_note()

    hi, lo = int(np.argmax(loss)), int(np.argmin(loss))
    g_r, g_x = grey_fraction(recon), grey_fraction(x)
    obs = [
        f"Across these {len(idx)} digits the loss runs from **{loss[lo]:.1f} nats** (test #{idx[lo]}, a {y[lo]}) "
        f"to **{loss[hi]:.1f} nats** (test #{idx[hi]}, a {y[hi]}), mean {loss.mean():.1f}: compare those two "
        f"columns to see which shapes {d} number{'s' if d > 1 else ''} could not hold."
        if len(idx) > 1 else f"This digit costs **{loss[0]:.1f} nats** to reconstruct.",
        (f"**{g_r:.0%}** of the reconstructions' pixels are grey (between 0.1 and 0.9) against {g_x:.0%} in the "
         "originals: where the decoder is unsure it hedges with grey, which is the blur you see."
         if g_r > g_x else
         f"{g_r:.0%} of the reconstructions' pixels are grey (between 0.1 and 0.9), no more than the "
         f"originals' {g_x:.0%}: for these digits the decoder commits to ink or paper."),
        f"At threshold {t:.2f} the binarized reconstruction differs from the binarized original in "
        f"**{differ.mean():.0f} of 784 pixels** on average ({differ.mean() / 784:.1%}), "
        f"while the originals have {ink.mean():.0f} ink pixels each.",
    ]
    ui.notice(obs)


pictures(name, idx, x, y, recon, loss, d)
ui.lesson_links(LESSON)
