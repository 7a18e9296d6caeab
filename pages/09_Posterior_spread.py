"""Posterior spread: what sigma means for one image.

For one test image and a VAE, draw many codes z ~ q(z|x), decode them all and look at how much
the decoded digits vary (per-pixel spread), where the samples sit among the test codes (2-D
models, with the 1- and 2-sigma ellipses) and how sigma compares with the prior and with a
digit class's spread of means.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, figures, plots, words
from ui import common as ui
from ui import params
from vae import artefacts, zoo
from vae import neighbours
from vae.pixels import pixel_spread
from vae.latent import pick_digit
from vae.units import unused_dims
from vae.latent import ellipse, posterior_samples
from ui.style import CHART_HEIGHT

MODES = ("index", "digit")
MODE_LABELS = {"index": "by test index", "digit": "a random example of a digit"}
N_RANGE = (16, 256)
N_DEFAULT = 64
IDX_DEFAULT = 0
SEED_MAX = 1_000_000
GRID_SHOWN = 32  # decoded samples shown in the mosaic

LESSON = ui.setup_page(__file__,
              "what the encoder's σ says about a single image: how unsure the encoder is about where the "
              "image lives in latent space, and what that uncertainty looks like once decoded.")


VAES, BUILT, DEFAULT_MODEL = ui.model_choices(lambda e: e.model.kind == "vae", prefer="vae-2d")
ss = st.session_state

ui.bind("post_model", "model", lambda raw: params.parse_choice(raw, VAES, DEFAULT_MODEL))
ui.bind("post_idx", "idx", lambda raw: params.parse_int(raw, 0, artefacts.N_TEST - 1, IDX_DEFAULT))


def parse_n(raw: str | None) -> tuple[int, bool]:
    """A sample count on the slider's steps of 16, else the default."""
    v, ok = params.parse_int(raw, *N_RANGE, N_DEFAULT)
    return (v, True) if ok and v % 16 == 0 else (N_DEFAULT, False)


ui.bind("post_n", "n", parse_n)
ui.bind("post_seed", "seed", lambda raw: params.parse_int(raw, 0, SEED_MAX, 0))
ss.setdefault("post_mode", "index")
ss.setdefault("post_digit", 3)
ss.setdefault("post_pick", 0)
ss.setdefault("post_zoom", True)
options = BUILT + [n for n in [ss["post_model"]] if n not in BUILT]

st.header("The idea")
st.markdown(
    "A VAE's encoder does not give one code per image but a whole distribution, a Gaussian with a mean "
    "and a standard deviation per latent dimension:"
)
st.latex(r"q_\phi(z \mid x) = \mathcal{N}\big(\mu(x),\ \mathrm{diag}\,\sigma(x)^2\big), \qquad "
         r"z = \mu(x) + \sigma(x) \odot \varepsilon,\ \ \varepsilon \sim \mathcal{N}(0, I)")
ui.secondary(
    "**σ is the encoder's uncertainty about where this image lives.** A small σ says: codes in a tight "
    "neighbourhood of μ all explain this image. σ = 1 with μ = 0 says nothing at all: that is the prior "
    "N(0, I), and the KL term rewards the encoder for staying close to it. Training the decoder on samples "
    "from the whole cloud forces nearby codes to decode to similar digits, which is what makes the latent "
    "space smooth. Below, the cloud of one image is sampled many times and every sample decoded."
)

# --- controls ---------------------------------------------------------------------------------------

st.header("Choose an image and a model")


def _another() -> None:
    ss["post_pick"] = int(ss["post_pick"]) + 1


c1, c2, c3 = st.columns([2, 2, 3])
with c1:
    name = st.selectbox("Model (VAEs only)", options, key="post_model",
                        format_func=lambda n: n if ui.built(n) else f"{n} (not built yet)",
                        help="  \n".join(f"**{n}**: {zoo.entry(n).blurb}" for n in options))
    st.caption(zoo.entry(name).blurb)
with c2:
    mode = st.radio("Which test image", MODES, key="post_mode", format_func=MODE_LABELS.get)
with c3:
    if mode == "index":
        st.number_input("Test index (0–9999)", 0, artefacts.N_TEST - 1, step=1, key="post_idx")
    else:
        cc1, cc2 = st.columns(2, vertical_alignment="bottom")
        cc1.selectbox("Digit", list(range(10)), key="post_digit")
        cc2.button("Another one", key="post_another", on_click=_another, width="stretch",
                   help="Another random test image of this digit.")

with ui.cache_guard():
    ui.model(name)
    codes = ui.codes(name)
    _, labels = ui.test_set()
    x_all = ui.test_images_float()

if mode == "index":
    idx = int(ss["post_idx"])
else:
    idx = int(pick_digit(labels, int(ss["post_digit"]), 1, int(ss["post_pick"]))[0])
label = int(labels[idx])
d = zoo.entry(name).model.latent_dim
x = np.array(x_all[idx])  # (28, 28), a copy
mu_all, lv_all = codes["mu"], codes["logvar"]  # (N, d) each, read-only
mu_x, lv_x = ui.encode(name, x[None])  # (1, d) each
mu_x, lv_x = mu_x[0].astype(np.float64), lv_x[0].astype(np.float64)
sigma = np.exp(0.5 * lv_x)  # (d,)
class_sd = mu_all[labels == label].astype(np.float64).std(axis=0)  # (d,) spread of the digit's means
if mode == "digit":
    st.caption(f"Picked test image #{idx}, a {label}.")

ui.share({"model": name, "idx": idx, "n": int(ss["post_n"]), "seed": int(ss["post_seed"])})


def posterior_chart(mu_x: np.ndarray, lv_x: np.ndarray, z: np.ndarray, zoom: bool) -> alt.Chart:
    """Test codes, this image's 1- and 2-sigma ellipses, its samples and its mean (2-D models)."""
    sub = ui.scatter_subset()
    dots = charts.scatter(charts.codes_frame(mu_all[sub], labels[sub], sub), opacity=0.35,
                          title=f"q(z|x) of test #{idx} among the test codes (scroll to zoom, drag to pan)")
    if zoom:  # the same width on both axes, centred on mu, so the ellipse keeps its shape
        half = max(4.0 * float(np.exp(0.5 * lv_x).max()), 0.15)
        dots = dots.encode(
            x=alt.X("x:Q", title="z₁", scale=alt.Scale(domain=[float(mu_x[0]) - half, float(mu_x[0]) + half])),
            y=alt.Y("y:Q", title="z₂", scale=alt.Scale(domain=[float(mu_x[1]) - half, float(mu_x[1]) + half])))
    dots.mark = dots.mark.copy()
    dots.mark.clip = True
    rings = pd.concat([pd.DataFrame({"x": e[:, 0], "y": e[:, 1], "order": np.arange(len(e)), "ring": f"{k}σ"})
                       for k in (1, 2) for e in [ellipse(mu_x, lv_x, k=float(k))]])
    ring = alt.Chart(rings).mark_line(color=charts.ink(), strokeWidth=2, clip=True).encode(
        x="x:Q", y="y:Q", order="order:Q", detail="ring:N",
        strokeDash=alt.StrokeDash("ring:N", title="posterior", scale=alt.Scale(domain=["1σ", "2σ"],
                                                                                range=[[1, 0], [5, 3]])))
    sdf = pd.DataFrame({"x": z[:, 0], "y": z[:, 1], "sample": np.arange(1, len(z) + 1)})
    samples = alt.Chart(sdf).mark_point(shape="cross", size=25, color=charts.ink(), opacity=0.7, clip=True).encode(
        x="x:Q", y="y:Q", tooltip=[alt.Tooltip("sample:Q"), alt.Tooltip("x:Q", format=".3f", title="z₁"),
                                   alt.Tooltip("y:Q", format=".3f", title="z₂")])
    centre = charts.markers(pd.DataFrame({"x": [mu_x[0]], "y": [mu_x[1]], "what": ["μ"]}), color="crimson",
                            label="what")
    # about square plot area (legends take more room than title and axis title), so that the
    # ellipse keeps its true shape
    return alt.layer(dots, ring, samples, centre).properties(width=CHART_HEIGHT + 180,
                                                            height=CHART_HEIGHT + 120).interactive()


@st.fragment
def spread(name: str, idx: int, label: int, x: np.ndarray, mu_x: np.ndarray, lv_x: np.ndarray,
           sigma: np.ndarray, class_sd: np.ndarray, d: int) -> None:
    st.header("Many samples from q(z|x), decoded")
    s1, s2 = st.columns([3, 2])
    n = int(s1.slider("Samples z ~ q(z|x)", *N_RANGE, step=16, key="post_n"))
    seed = int(s2.number_input("Seed", 0, SEED_MAX, step=1, key="post_seed"))
    ui.share({"n": n, "seed": seed})

    z = posterior_samples(mu_x, lv_x, n, seed)  # (n, d)
    imgs = ui.decode(name, z)  # (n, 28, 28)
    recon_mu = ui.decode(name, mu_x[None])[0]  # (28, 28)
    mean_img, std_img = pixel_spread(imgs)  # (28, 28) each

    a, b = st.columns([3, 2], gap="large")
    with a:
        png = charts.png(charts.image_strip, np.stack([x, recon_mu, mean_img]),
                         [f"test #{idx} (a {label})", "decoder(μ)", f"mean of {n} decoded"], size=1.9)
        charts.show(png)
        ui.download_png(png, f"posterior-{name}-{idx}.png", key="post_png")
    with b:
        vmax = max(float(std_img.max()), 1e-6)
        std_png = charts.png(figures.std_figure, std_img, vmax)
        charts.show(std_png)
        ui.download_png(std_png, f"posterior-std-{name}-{idx}.png", key="post_std_png")

    k = min(GRID_SHOWN, n)
    grid_png = charts.png(charts.mosaic_figure, imgs[:k], -(-k // 8), 8, title=f"{k} of the {n} decoded samples",
                          size=6.5)
    m1, m2 = st.columns([3, 2], gap="large")
    with m1:
        charts.show(grid_png)
        ui.download_png(grid_png, f"posterior-samples-{name}-{idx}.png", key="post_mosaic_png")
    seen = neighbours.looks_like(imgs, x_all, labels, exclude=idx)  # (n,) the digit each sample looks like
    shares = np.bincount(seen, minlength=10)[:10] / n
    with m2:
        looks = pd.DataFrame({"digit": [str(k) for k in range(10)], "source": "samples", "share": shares})
        charts.draw(charts.spec(plots.mix_chart, looks, ("samples",), ("ink",),
                                f"What the {n} samples look like", height=170), key="post_looks", width="stretch")
        st.caption(f"Each decoded sample counts as the digit of its nearest test image in pixels (1-nearest "
                   f"neighbour, Euclidean; test #{idx} itself left out).")
        ui.secondary("Every tile decodes a different code drawn from this image's posterior. Where they agree, "
                     "the std map is dark; the bright pixels are where the samples disagree.")

    if d == 2:
        st.header("The posterior among the test codes")
        zoom = st.toggle("Zoom to this image's posterior", key="post_zoom")
        st.altair_chart(posterior_chart(mu_x, lv_x, z, zoom), width="content")
        ui.secondary("Solid ring: 1σ (holds 39 % of the samples in 2-D); dashed: 2σ (86 %). Crosses: the samples "
                     "decoded above; red: μ, the code the other pages use for this image.")

    st.header("σ in numbers")
    table = pd.DataFrame({"dimension": [f"z{i + 1}" for i in range(d)], "μ": np.round(mu_x, 3),
                          "σ": np.round(sigma, 3), "prior σ": 1.0,
                          f"spread of the {label}s' means": np.round(class_sd, 3)})
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_csv(table, f"posterior-{name}-{idx}.csv", key="post_csv")
    ui.secondary(
        f"Compare σ with two widths: the prior's (1, the encoder's starting point and what the KL term pulls "
        f"towards) and the spread of the means of all test {label}s (how far apart different {label}s are "
        "put). A σ much smaller than the class spread means the encoder tells this image apart from other "
        f"{label}s; σ close to 1 with μ close to 0 means the dimension says nothing about it."
    )

    # --- what to notice ---------------------------------------------------------------------------
    used = [i for i in range(d) if i not in unused_dims(sigma)]
    top = int(np.argmax(shares))
    agree = (f"**{words.pct(shares[label])}** of the {n} decoded samples look like a {label}, the digit test #{idx} is")
    if shares[label] >= 0.9:
        agree += (": the samples agree on the digit and differ in its details (the std map: "
                  f"{std_img.mean():.3f} per pixel on average, at most {std_img.max():.2f}).")
    elif top != label:
        agree += (f"; most look like a **{top}** ({words.pct(shares[top])}): from this posterior the decoder draws "
                  "another digit than the one the image is.")
    else:
        second = int(np.argsort(shares)[-2])
        agree += (f"; the rest mostly a {second} ({words.pct(shares[second])}): the samples disagree about which "
                  "digit this is, not only about its edges.")
    obs = [agree]
    if used:
        ratio = float(np.exp(np.mean(np.log(class_sd[used] / sigma[used]))))
        obs.append(
            f"σ runs from **{sigma.min():.3f}** to **{sigma.max():.3f}** against the prior's 1. "
            f"In the dimension{'s' if len(used) > 1 else ''} the encoder uses, the test {label}s' means spread "
            f"{ratio:.1f}× as wide as this image's σ (geometric mean)"
            + (": the encoder places this image much more precisely than the class is spread out." if ratio > 3 else
               ": the encoder places this image more precisely than the class is spread out." if ratio > 1 else
               ": this image's cloud is as wide as its whole class.")
        )
    unused = unused_dims(sigma)
    if d > 2:
        if unused:
            dims = "; ".join(f"z{i + 1}: σ = {sigma[i]:.2f}, μ = {mu_x[i]:+.2f}" for i in unused[:6])
            redrawn = np.repeat(mu_x[None, :], 16, axis=0)  # (16, d): the unused dims drawn from the prior
            redrawn[:, unused] = np.random.default_rng(seed).standard_normal((16, len(unused)))
            change = float(np.abs(ui.decode(name, redrawn) - recon_mu[None]).mean())
            obs.append(f"{len(unused)} of {d} dimensions have σ ≥ 0.9 ({dims}{'; …' if len(unused) > 6 else ''}): "
                       "there the posterior is the prior, so they say nothing about this image. Redrawing them "
                       f"from the prior changes the decoded digit by {change:.3f} per pixel on average"
                       + (": unused dimensions, which the decoder ignores." if change < 0.01 else
                          ", so the decoder still reads them a little."))
        else:
            obs.append(f"All {d} dimensions have σ below 0.9 (largest {sigma.max():.2f}): every one of them "
                       "carries some information about this image.")
    else:
        inside = float(np.mean(((z - mu_x) ** 2 / sigma ** 2).sum(axis=1) <= 4.0))
        others = np.delete(np.arange(len(mu_all)), idx)
        dists, rows = neighbours.nearest_one(mu_all[others], mu_x)
        j, dist = int(rows[0]), float(dists[0])
        j = int(others[j])
        in_sigma = dist / float(sigma.mean())
        obs.append(f"{inside:.0%} of the {n} samples fall inside the 2σ ellipse (86 % expected). The nearest "
                   f"other test code (test #{j}, a {labels[j]}) is {dist:.3f} away, about {in_sigma:.1f} σ"
                   + (": the clouds of different images barely overlap." if in_sigma > 4 else
                      ": this image's cloud reaches its neighbours' codes."))
    ui.notice(obs)


spread(name, idx, label, x, mu_x, lv_x, sigma, class_sd, d)
ui.lesson_links(LESSON)
