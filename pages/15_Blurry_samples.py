"""Why VAE samples look blurry: the picture every page shows is the decoder's mean, p = E[x | z],
not a
sample from the model's own p(x|z) (784 independent Bernoulli pixels). Side by side for the same
codes: the mean, a pixel sample and the binarized mean; the per-pixel entropy that makes the mean
grey; a temperature on the logits that sharpens or blurs on purpose. Pixel maths in ``vae.pixels``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw import alt_text, png_figures, render, style
from ui.lessons.blurry import claims, computed
from ui.page import frame, links, loaders, model_calls
from vae import prior, zoo
from vae.pixels import bernoulli_samples, pixel_entropy, with_temperature

N_CODES = 8  # codes side by side
N_SAMPLES = 10  # pixel samples of one code
TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)
SOURCES = ("prior", "test")
SOURCE_LABELS = {
    "prior": "drawn from the prior, z ~ N(0, I)",
    "test": "the codes μ(x) of test images",
}

LESSON = frame.setup_page(
    __file__,
    'the grey digits a VAE "generates" are the decoder\'s mean image, the average of '
    "what its model allows; a sample from the model itself is a speckled pattern of black and "
    "white pixels.",
)


VAES, BUILT, DEFAULT_MODEL = links.model_choices(lambda e: e.model.kind == "vae", prefer="vae-10d")

left, right = st.columns([1, 3], gap="large")
with left:  # each control is bound to the URL parameter named by its key (ui.page.links.url_widget)
    name = links.model_picker(
        st.selectbox, "Model (VAEs)", VAES, BUILT, DEFAULT_MODEL, key="blur_model"
    )
    source = links.captioned_radio(st, "Codes", SOURCES, SOURCE_LABELS, "blur_source", "prior")
    seed = links.seed_input(st, "Seed", "blur_seed")
    t = float(
        links.choice_slider(
            st,
            "Temperature of the pixel model",
            TEMPERATURES,
            "blur_t",
            1.0,
            format_func=lambda v: f"{v:g}",
            help="Divides the decoder's logits: below 1 sharpens every pixel towards black or "
            "white, above 1 blurs it towards grey. 1 is the model as trained.",
        )
    )
links.state_to_url()

with frame.cache_guard():
    loaders.model(name)
    d = zoo.entry(name).model.latent_dim
    if source == "prior":
        z = prior.samples(N_CODES, d, seed)  # (N_CODES, d)
        what = [f"draw {i + 1}" for i in range(N_CODES)]
    else:
        _, labels = loaders.test_set()
        idx = np.random.default_rng(seed).choice(len(labels), N_CODES, replace=False)
        z = loaders.codes(name)["mu"][idx]
        what = [f"#{i} ({labels[i]})" for i in idx]
    x_test = loaders.test_images_float()

p1 = model_calls.decode(name, z).astype(np.float64)  # (N_CODES, 28, 28) the model's own pixel means
p = with_temperature(p1, t)  # (N_CODES, 28, 28)
sample = bernoulli_samples(p, 1, seed)[0]  # (N_CODES, 28, 28)
binar = (p > 0.5).astype(np.float32)
t_word = (
    "the model as trained"
    if t == 1
    else (f"sharpened, T = {t:g}" if t < 1 else f"blurred, T = {t:g}")
)
top = "mean p" if t == 1 else f"p at T = {t:g}"  # at T != 1 not the decoder's own E[x|z]
rows = {top: p, "sample": sample, "p > 0.5": binar}
with right:
    fig = render.png(
        png_figures.image_rows,
        rows,
        [what, [""] * N_CODES, [""] * N_CODES],
        size=0.6,
        fontsize=10,
        column_px=style.column_px(0.75, 2, gap="large"),
    )
    render.show(
        fig,
        caption=f"The same {N_CODES} codes, three ways ({t_word}): "
        + (
            "the decoder's mean p"
            if t == 1
            else f"the decoder's mean with its logits divided by T = {t:g}"
        )
        + ", one sample x drawn pixel by pixel from it, and that mean binarized at 0.5.",
        alt=alt_text.rows(
            f"{N_CODES} codes ({SOURCE_LABELS[source]}, seed {seed}) decoded by {name}, {t_word}. "
            f"{top[0].upper()}{top[1:]}: "
            f"{((p > 0.1) & (p < 0.9)).mean():.1%} of its pixels grey (0.1 to 0.9). One sample: "
            f"{sample.mean():.1%} of the pixels ink, speckled. p > 0.5: {binar.mean():.1%} ink",
            rows,
            [what],
        ),
    )

st.latex(
    r"p(x \mid z) = \prod_{i=1}^{784} p_i^{\,x_i} (1 - p_i)^{1 - x_i}, \qquad "
    r"p = \text{decoder}(z) = \mathbb{E}[x \mid z], \qquad H(p_i) = -p_i \ln p_i - (1 - p_i) \ln(1 "
    r"- p_i)"
)
frame.secondary(
    "The decoder outputs one probability per pixel. The grey image every page shows is that list "
    "of probabilities drawn as brightness: the *average* image of the model at z. The model itself "
    "says an image "
    "is 784 independent coin flips with those probabilities: the middle row. A pixel at p = 0.5 is "
    "the model's shrug about whether the stroke passes there."
)

st.subheader("One code, ten samples")
one = p[0]
many = bernoulli_samples(one, N_SAMPLES, seed + 1)  # (N_SAMPLES, 28, 28)
c1, c2 = st.columns([3, 1], gap="large")
with c1:
    render.show(
        render.png(
            png_figures.image_strip,
            np.concatenate([one[None], many]),
            ["mean"] + [str(i + 1) for i in range(N_SAMPLES)],
            size=0.55,
            fontsize=10,
            column_px=style.column_px(0.75, 2, gap="large"),
        ),
        alt=f"The first code's mean image, then {N_SAMPLES} samples drawn from it pixel by pixel: "
        "each differs from "
        f"the mean binarized at 0.5 in {((many > 0.5) != (one > 0.5)).sum(axis=(1, 2)).mean():.0f} "
        "pixels on average.",
    )
with c2:
    render.show(
        render.png(
            png_figures.entropy_figure,
            pixel_entropy(one),
            column_px=style.column_px(0.25, 2, gap="large"),
        ),
        alt=png_figures.entropy_alt(pixel_entropy(one)),
    )
h_one = float(pixel_entropy(one).sum())
floor = computed.test_floor()
frame.secondary(
    "Right: each pixel's entropy H(pᵢ), in nats (fixed scale, 0 to ln 2 ≈ 0.69). Summed over the "
    "image it is "
    f"**{h_one:.1f} nats**: the cost, in BCE, of reproducing the mean image exactly. The test "
    "images are "
    f"grey-level too: their own pixels sum to **{floor:.1f} nats** on average, a floor no "
    "reconstruction can go below (a perfect copy still pays it)."
)

# --- what to notice -----------------------------------------------------------------------------
frame.notice(claims.notices(claims.blur_facts(p1, p, sample, t, h_one, floor)))

with st.expander("A note on nats: grey-level vs binarized MNIST", icon=":material/info:"):
    st.markdown(
        "- Every model here is trained on **grey-level** MNIST (pixels in [0, 1]) with the "
        "Bernoulli loss, BCE. For "
        "a grey pixel that loss is a *cross-entropy*, not a likelihood: the Bernoulli is a "
        "distribution over 0 and 1, "
        "not over [0, 1], so the numbers are not log-densities of the images and never reach 0 "
        "(the floor above).\n"
        "- Papers usually report nats on **binarized** MNIST (pixels sampled or thresholded to "
        "0/1), where BCE is a "
        "true negative log-likelihood: about 85 nats for a one-layer VAE in Burda et al. (2016). "
        "Those numbers and this app's are **not comparable**.\n"
        "- The **continuous Bernoulli** (Loaiza-Ganem & Cunningham, 2019) adds the missing "
        "normalising constant, making the loss a proper likelihood for grey-level pixels.\n"
        "- Within this app every number uses the same data and the same loss, so comparisons "
        "between its models are like with like."
    )
frame.lesson_links(LESSON)
