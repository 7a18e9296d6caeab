"""Your own digit: a picture from outside MNIST through the MNIST recipe and a pretrained VAE.

Upload a picture (or pick a bundled example); it is turned into an MNIST-like 28x28 input by
``vae.preprocess``, reconstructed by the chosen VAE, scored by its negative ELBO against the
10,000 test digits (an out-of-distribution probe) and placed among the test codes: on the 2-D
latent scatter, or through its nearest test codes and the embeddings of a 10-D model.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw import alt_text
from ui.lessons.own_digit import claims, computed, landing, pad, picture, views
from ui.lessons.words import a_digit
from ui.page import frame, links, loaders, model_calls
from vae import arrays, artefacts, neighbours, ood, prior

LESSON = frame.setup_page(
    __file__,
    "how a VAE trained on MNIST sees a digit it has never met (yours), and whether its negative "
    "ELBO can tell a picture that is unlike anything it was trained on.",
)

K_NEAREST = 5
VAES, BUILT, DEFAULT_MODEL = links.model_choices(lambda e: e.model.kind == "vae", prefer="vae-2d")

ss = st.session_state
# a link naming an example, opened: it shows it (otherwise the page opens on the pad, with a digit
# already drawn); with another source, the address says what is shown: a drawing is not a bundled
# example (not bound yet: no control shows an example)
if "own_source" not in ss and st.query_params.get("own_example") is not None:
    if "own_source" not in st.query_params:
        ss["own_source"] = "example"
    elif st.query_params["own_source"] != "example":
        del st.query_params["own_example"]
ss.setdefault("own_strokes", pad.STARTER)

# --- the picture and the model -----------------------------------------------------------------

left, right = st.columns([2, 3], gap="large")
with left:
    source, upload, strokes = picture.source_input()
    name = links.model_picker(
        st.selectbox,
        "Model",
        VAES,
        BUILT,
        DEFAULT_MODEL,
        key="own_model",
        help="The pretrained VAEs.",
        blurbs=True,
    )

example = ss.get("own_example", picture.DEFAULT_EXAMPLE)
# the notice of ignored link parameters, before reading the picture (which may stop the page)
links.state_to_url()


# --- the picture --------------------------------------------------------------------------------

pic = picture.read(source, upload, strokes, example, right)
x = pic["x"]  # (28, 28), a copy

with frame.cache_guard():
    model = loaders.model(name)
    codes = loaders.codes(name)
    labels = loaders.test_set()[1]
    x_test = loaders.test_images_float()

d = model.config.latent_dim
t = arrays.image_terms(model, x)
mu, lv, recon_img = t["mu"][0], t["logvar"][0], t["recon_mu"][0]  # (d,), (d,), (28, 28)
recon, kl, elbo = float(t["recon"][0]), float(t["kl"][0]), float(t["elbo"][0])
# (N,), percentiles by digit: once per model
test_elbo, stats = computed.test_scores(model_calls.model_key(name))
# as shown: every threshold below reads the number on screen
pct = round(ood.percentile_of(test_elbo, elbo), 1)
n_matched, pct_ink = computed.ink_percentile(test_elbo, x, elbo)
# (P,) scores, computed once per model
probes, probe_elbo = computed.probe_row(model_calls.model_key(name))
probe_scores = [(float(v), ood.percentile_of(test_elbo, float(v))) for v in probe_elbo]
near = neighbours.nearest(codes["mu"], mu, K_NEAREST)[1][0]  # (K,) test indices, nearest first
# the pictures' alt texts
said = alt_text.own_digit(name, x, t, pct, near, codes["mu"], probes, probe_scores, pic)

with right:
    views.input_and_reconstruction(x, recon_img, name, said, pic)

with st.expander("The idea: the MNIST recipe and the score", icon=":material/menu_book:"):
    st.markdown(
        "A model trained on MNIST has only ever seen digits prepared one way, so your picture gets "
        "the **MNIST recipe** first:\n\n"
        "1. **grayscale**, and **inverted** if needed, so the ink is white on black like MNIST;\n"
        "2. **cropped** to the ink (a frame, shadow or paper edge along the picture's edges "
        "dropped, and specks);\n"
        "3. **scaled** so the digit's longer side is 20 pixels, keeping its shape;\n"
        "4. **centred by mass**: pasted into a 28×28 field so that its centre of mass sits at the "
        "centre.\n\n"
        "A drawing is rendered with a pen a tenth of the drawing's size wide, so that after step 3 "
        "its strokes are about 2 pixels wide, like MNIST's, however large you drew."
    )
    st.markdown(
        "Then the VAE encodes it, $q(z\\mid x) = \\mathcal N(\\mu, \\sigma^2)$, decodes it, and "
        "scores it. "
        "The score is the **negative ELBO**, in nats: what the reconstruction costs plus how far "
        "the posterior strays from the prior. It is an upper bound on $-\\log p(x)$, the model's "
        "surprise:"
    )
    st.latex(
        r"-\mathrm{ELBO}(x) \;=\; \underbrace{\mathbb{E}_{q(z\mid x)}\big[-\log p(x\mid "
        r"z)\big]}_{\text{reconstruction}}"
        r" \;+\; \underbrace{\mathrm{KL}\big(q(z\mid x)\,\|\,\mathcal N(0, I)\big)}_{\text{KL}}"
        r" \;\ge\; -\log p(x)"
    )
frame.caveat(
    "A picture unlike the training digits usually costs more nats than almost every test digit, so "
    "the score works as an **out-of-distribution probe**. It is not a perfect one: likelihood "
    "models can give *simpler* foreign images a better score than real data (Nalisnick et al., "
    "2019, *Do deep generative models know what they don't know?*), so read it as a hint, not a "
    "verdict."
)

# --- out-of-distribution probe -------------------------------------------------------------------

with right:
    m1, m2 = st.columns(2)
    m3, m4 = st.columns(2)
    m1.metric("negative ELBO", f"{elbo:.1f} nats")
    m2.metric("reconstruction", f"{recon:.1f} nats")
    m3.metric("KL", f"{kl:.1f} nats")
    m4.metric("test digits scoring lower", f"{pct:.1f} %")
st.subheader("How surprising is it?")
st.caption(
    "Reconstruction term for **one posterior sample** z ~ q(z|x) with a fixed noise seed (0), KL "
    "in closed form: computed exactly as the test digits' values in the chart below. The picture "
    "above is decoded at the mean z = μ instead."
)

src = pic.get("source")  # a bundled example: the test digit it was made from
if src is not None and not 0 <= src < len(test_elbo):
    src = None
src_elbo = float(test_elbo[src]) if src is not None else None
if src is not None:
    st.caption(
        f"This example was made from **test digit #{src}** ({a_digit(labels[src])}); as MNIST "
        f"prepared it, that digit scores {src_elbo:.1f} nats."
    )

views.class_box(stats, elbo, name)
st.caption(
    f"Negative ELBO of the 10,000 test digits under {name}, by digit: whiskers 5-95 %, box 25-75 "
    "%, tick the median; the dashed line is yours. A 1 has little ink and is cheap to explain: "
    "the score measures ink as much as digit-ness."
)

st.markdown(
    "**Try these.** Non-digits (and a digit turned upside down) through the same recipe, scored "
    f"by {name}: under each, its negative ELBO in nats and the share of test digits that score "
    "lower (better). " + claims.probes_note([p for _, p in probe_scores])
)
views.probes(probes, said, test_elbo, labels, name)

# --- where it lands ------------------------------------------------------------------------------

st.subheader("Where it lands among the test digits")
st.markdown(
    f"Its **{K_NEAREST} nearest test codes** (Euclidean distance between posterior means μ in the "
    f"{d}-D latent space):"
)
views.neighbours(x_test, codes["mu"], mu, near, labels, name, said)

inside = None
if d == 2:
    inside = landing.plane(name, mu, lv, near, elbo, pct)
elif not artefacts.embeddings_path(name).exists():
    views.no_embeddings(name, K_NEAREST)
else:
    landing.embedding(name, mu, lv, near, K_NEAREST)
links.state_to_url()  # once more after the page's last bound control, the embedding's radio

# --- what to notice -----------------------------------------------------------------------------

facts = claims.DigitFacts(
    source=source,
    elbo=elbo,
    kl=kl,
    pct=pct,
    pct_ink=pct_ink,
    n_matched=n_matched,
    bar_score=probe_scores[0][0],  # the plain vertical bar: every verdict is read against it
    near=tuple(int(i) for i in near),
    near_labels=tuple(int(k) for k in labels[near]),
    src=src,
    src_label=int(labels[src]) if src is not None else None,
    src_elbo=src_elbo,
    radius=float(np.sqrt(float((mu**2).sum()))) if inside is not None else None,
    inside=inside,
    circle=prior.radius(0.99),
)
frame.notice(claims.notes(facts))
frame.lesson_links(LESSON)
