"""Your own digit: a picture from outside MNIST through the MNIST recipe and a pretrained VAE.

Upload a picture (or pick a bundled example); it is turned into an MNIST-like 28x28 input by
``vae.preprocess``, reconstructed by the chosen VAE, scored by its negative ELBO against the
10,000 test digits (an out-of-distribution probe) and placed among the test codes: on the 2-D
latent scatter, or through its nearest test codes and the embeddings of a 10-D model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons.own_digit import landing, pad, picture
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import artefacts, live, neighbours, ood, pixels, prior

LESSON = frame.setup_page(
    __file__,
    "how a VAE trained on MNIST sees a digit it has never met (yours), and how its negative "
    "ELBO can tell a picture that is unlike anything it was trained on.",
)

K_NEAREST = 5
VAES, BUILT, DEFAULT_MODEL = links.model_choices(lambda e: e.model.kind == "vae", prefer="vae-2d")
EXAMPLES, DEFAULT_EXAMPLE = picture.EXAMPLES, picture.DEFAULT_EXAMPLE


@st.cache_data(show_spinner=False, max_entries=1)
def server_constants() -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The "Try these" images and each test digit's ink (``vae.pixels.ink``): the same for every
    model."""
    return ood.probe_images(loaders.test_images_float()), pixels.ink(loaders.test_images_float())


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def probe_row(key: tuple[str, str, int]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The "Try these" images and their negative ELBO under the model ``key`` names."""
    probes = server_constants()[0]
    return probes, live.image_terms(loaders.model(key[0]), np.stack(list(probes.values())))["elbo"]


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def test_scores(key: tuple[str, str, int]) -> tuple[np.ndarray, pd.DataFrame]:
    """The test digits' negative ELBO under the model ``key`` names (N,), and its percentiles by
    digit."""
    codes, labels = loaders.codes(key[0]), loaders.test_set()[1]
    elbo = np.asarray(codes["recon"], dtype=np.float64) + np.asarray(
        codes["kl"], dtype=np.float64
    )  # (N,)
    return elbo, pd.DataFrame(
        [
            {
                "digit": d,
                **{
                    f"p{q}": float(np.percentile(elbo[labels == d], q)) for q in (5, 25, 50, 75, 95)
                },
            }
            for d in range(10)
        ]
    )


ss = st.session_state
if (
    "own_source" not in ss and st.query_params.get("own_example") is not None
):  # a link naming an example, opened
    if "own_source" not in st.query_params:
        ss["own_source"] = (
            "example"  # shows it; otherwise the page opens on the pad, with a digit already drawn
        )
    elif st.query_params["own_source"] != "example":  # (not bound yet: no control shows an example)
        del st.query_params[
            "own_example"
        ]  # the address says what is shown: a drawing is not a bundled example
ss.setdefault("own_strokes", pad.STARTER)

# --- the picture and the model
# ----------------------------------------------------------------------

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

example = st.session_state.get("own_example", DEFAULT_EXAMPLE)
# the notice of ignored link parameters, before reading the picture (which may stop the page)
links.state_to_url()


# --- the picture
# --------------------------------------------------------------------------------------

pic = picture.read(source, upload, strokes, example, right)
x = pic["x"]  # (28, 28), a copy

with frame.cache_guard():
    model = loaders.model(name)
    codes = loaders.codes(name)
    images, labels = loaders.test_set()
    x_test = loaders.test_images_float()

d = model.config.latent_dim
t = live.image_terms(model, x)
mu, lv, recon_img = t["mu"][0], t["logvar"][0], t["recon_mu"][0]  # (d,), (d,), (28, 28)
recon, kl, elbo = float(t["recon"][0]), float(t["kl"][0]), float(t["elbo"][0])
test_elbo, stats = test_scores(
    model_calls.model_key(name)
)  # (N,), percentiles by digit: once per model
pct = round(
    live.percentile_of(test_elbo, elbo), 1
)  # as shown: every threshold below reads the number on screen
matched = ood.ink_matched(server_constants()[1], float(pixels.ink(x[None])[0]))
pct_ink = live.percentile_of(test_elbo[matched], elbo) if len(matched) >= ood.MIN_MATCHED else None
probes, probe_elbo = probe_row(model_calls.model_key(name))  # (P,) scores, computed once per model
probe_scores = [(float(v), live.percentile_of(test_elbo, float(v))) for v in probe_elbo]
near = neighbours.nearest(codes["mu"], mu, K_NEAREST)[1][0]  # (K,) test indices, nearest first
near_labels = labels[near]
said = alt_text.own_digit(
    name, x, t, pct, near, codes["mu"], probes, probe_scores, pic
)  # the pictures' alt texts

with right:
    for col, img, cap, alt in zip(
        st.columns(2),
        (x, recon_img),
        ("the MNIST-like input (28×28)", f"{name}'s reconstruction (decoded at z = μ)"),
        (said["input"], said["recon"]),
    ):
        col.image(downloads.upscale(img, 8), caption=cap, clamp=True, width=210, alt=alt)
    downloads.download_png(
        model_calls.tile(np.stack([x, recon_img]), 2),
        f"own-digit-{name}.png",
        key="own_png",
        label="Download input and reconstruction (PNG)",
    )
    if pic["thumb"] is not None:
        st.image(
            pic["thumb"],
            caption=f"{link_values.echo(pic['name'])}: the picture as grayscale "
            f"({pic['size'][0]}×{pic['size'][1]} px)",
            width=160,
            alt=said["thumb"],
        )

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
    "the "
    "score works as an **out-of-distribution probe**. It is not a perfect one: likelihood models "
    "can give "
    "*simpler* foreign images a better score than real data (Nalisnick et al., 2019, *Do deep "
    "generative models know what they don't know?*), so read it as a hint, not a verdict."
)

# --- out-of-distribution probe
# ------------------------------------------------------------------------

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

src = pic.get("source")
if src is not None and 0 <= src < len(test_elbo):
    src_elbo = float(test_elbo[src])
    st.caption(
        f"This example was made from **test digit #{src}** (a {labels[src]}); as MNIST prepared "
        "it, that "
        f"digit scores {src_elbo:.1f} nats."
    )
else:
    src = None

render.draw(
    render.fill(
        render.spec(altair_charts.class_box_chart),
        **altair_charts.class_box_rows(stats, elbo, f"yours: {elbo:.0f}"),
    ),
    width="stretch",
    key="own_classes",
    alt=alt_text.listing_sentence(
        f"Negative ELBO of the test digits under {name} by digit (median, 25-75 % in brackets), "
        f"yours at {elbo:.0f} nats as a dashed line",
        (
            f"{int(r['digit'])}: {r['p50']:.0f} ({r['p25']:.0f}-{r['p75']:.0f})"
            for _, r in stats.iterrows()
        ),
    ),
)
st.caption(
    f"Negative ELBO of the 10,000 test digits under {name}, by digit: whiskers 5-95 %, box 25-75 "
    "%, tick the "
    "median; the dashed line is yours. A 1 has little ink and is cheap to explain: the score "
    "measures ink as much as digit-ness."
)

st.markdown(
    "**Try these.** Non-digits (and a digit turned upside down) through the same recipe, scored "
    f"by {name}: "
    "under each, its negative ELBO in nats and the share of test digits that score lower. The "
    "score alone does not tell a digit from a non-digit."
)
render.show(
    render.png(
        png_figures.image_strip,
        np.stack(list(probes.values())),
        said["probe_captions"],
        size=1.25,
        fontsize=8,
    ),
    alt=said["probes"],
)
downloads.download_csv(
    pd.DataFrame(
        {
            "test index": np.arange(len(test_elbo)),
            "digit": labels.astype(int),
            "negative ELBO (nats)": np.round(test_elbo, 3),
        }
    ),
    f"test-elbo-{name}.csv",
    key="own_hist_csv",
    label="Download the test values (CSV)",
)

# --- where it lands
# ------------------------------------------------------------------------------------

st.subheader("Where it lands among the test digits")
st.markdown(
    f"Its **{K_NEAREST} nearest test codes** (Euclidean distance between posterior means μ in the "
    f"{d}-D latent space):"
)
dist = np.linalg.norm(np.asarray(codes["mu"], dtype=np.float64)[near] - mu[None, :], axis=1)
png = render.png(
    png_figures.image_strip,
    np.asarray(x_test[near]),
    [f"#{i} · a {k}\nd = {v:.2f}" for i, k, v in zip(near, near_labels, dist)],
    size=1.3,
)
downloads.download_png(png, f"own-digit-neighbours-{name}.png", key="own_near_png")
render.show(png, alt=said["near"])
samples = model_calls.decode(name, said["z"])  # (8, 28, 28)
render.show(
    render.png(
        png_figures.image_strip,
        samples,
        [f"sample {i + 1}" for i in range(8)],
        size=1.1,
        fontsize=9,
    ),
    caption="Eight codes drawn from its posterior, z = μ + σ·ε, decoded: what the model is unsure "
    "about varies.",
    alt=said["samples"],
)

sub = loaders.scatter_subset()
inside = None
if d == 2:
    inside = landing.plane(name, mu, lv, near, elbo, pct)
else:
    emb_path = artefacts.embeddings_path(name)
    if not emb_path.exists():
        st.info(
            f"The 2-D embeddings of {name}'s codes (`cache/embeddings/{emb_path.name}`) are not "
            "built, so "
            f"there is no map to place your digit on; the {K_NEAREST} nearest codes above still "
            "say where it lands."
            + (
                " Pick **vae-10d** for the embeddings."
                if name != "vae-10d"
                else " Rebuild with `python -m vae.build`."
            )
        )
    else:
        landing.embedding(name, mu, lv, near, K_NEAREST)
links.state_to_url()  # once more after the page's last bound control, the embedding's radio

# --- what to notice
# ------------------------------------------------------------------------------------

share_kl = kl / elbo if elbo > 0 else 0.0
bar_score = probe_scores[0][0]  # the plain vertical bar: the pitfall every verdict is read against
if pct >= 99:
    verdict = (
        f"That is in the far tail: only {100 - pct:.1f} % of the test digits cost more. The model "
        "finds this picture unlike MNIST (or the recipe could not make it MNIST-like)."
    )
elif pct_ink is not None and pct_ink >= 95:
    verdict = (
        (
            "Against all test digits that score is unremarkable, but "
            if pct < 90
            else f"Only {100 - pct:.1f} % of all test digits cost more, and "
        )
        + (
            f"it is worse than every one of the {len(matched):,} test digits with about as much ink"
            if pct_ink >= 99.95
            else f"among the {len(matched):,} test digits with about as much ink only "
            f"{100 - pct_ink:.1f} % score worse"
        )
        + ": for its amount of ink, the model finds it surprising."
    )
elif pct <= 5:
    verdict = (
        "A low score does not make it a digit: the plain vertical bar below scores "
        f"{bar_score:.0f} nats, "
        "better than almost every test digit. Little ink is simply cheap to explain."
    )
else:
    verdict = (
        "By this score the model cannot tell it from a digit"
        + (
            f" (among test digits with as much ink, {np.floor(pct_ink * 10) / 10:.1f} % score "
            "better)"
            if pct_ink is not None
            else ""
        )
        + "; the score cannot say whether it is one."
    )
counts = np.bincount(near_labels, minlength=10)
top = int(np.argmax(counts))
kl_part = (
    f" Only {kl:.1f} of those nats ({share_kl:.0%}) are KL: most of the surprise is in pixels the "
    "decoder could not redraw."
    if share_kl < 0.5
    else f" {kl:.1f} of those nats ({share_kl:.0%}) are KL: the encoder had to push this posterior "
    "far from the prior to describe it."
)
near_part = f"{counts[top]} of its {K_NEAREST} nearest test codes are **{top}s**" + (
    f" (the others: {', '.join(str(int(k)) for k in near_labels if k != top)})"
    if counts[top] < K_NEAREST
    else ""
)
if src is not None:  # a bundled example: what it is, is known
    truth = int(labels[src])
    near_part += (
        f", and it is a {truth}: the neighbourhood agrees."
        if top == truth and counts[top] >= 3
        else f", yet it is a {truth} (test digit #{src}): the neighbourhood is wrong about it."
    )
else:
    near_part += (
        (
            f": the model places it among the {top}s"
            if counts[top] >= 4
            else ": a mixed neighbourhood"
        )
        + ". Every picture has nearest codes, a non-digit too: this places it, it does not "
        "classify it."
    )
if inside is not None:
    near_part += (
        f" Its code lies at radius {np.sqrt(float((mu**2).sum())):.2f} from the origin, "
        + ("inside" if inside else "**outside**")
        + f" the circle (radius {prior.radius(0.99):.2f}) that holds 99 % of the prior N(0, I)."
    )
whose = {"draw": "Your drawing's", "example": "This example's"}.get(source, "Your picture's")
obs = [
    f"{whose} negative ELBO is **{elbo:.0f} nats**, higher than **{pct:.1f} %** of the 10,000 test "
    "digits. " + verdict + kl_part,
    near_part,
]
if src is not None:
    where = (
        "its nearest test code is that very digit"
        if near[0] == src
        else f"that digit is number {int(np.flatnonzero(near == src)[0]) + 1} of its {K_NEAREST} "
        "nearest codes"
        if src in near
        else f"that digit is not among its {K_NEAREST} nearest codes"
    )
    obs.append(
        f"This example is test digit #{src} dressed up as an upload: as MNIST prepared it, the "
        "digit scores "
        f"{src_elbo:.0f} nats, this version {elbo:.0f} ("
        + (
            f"{elbo - src_elbo:.0f} more for what was done to it and what the recipe could not undo"
            if elbo > src_elbo
            else f"{src_elbo - elbo:.0f} fewer"
        )
        + f"), and {where}."
    )
frame.notice(obs)
frame.lesson_links(LESSON)
