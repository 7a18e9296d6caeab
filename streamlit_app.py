"""latent-lab home page: what the app teaches, how the models were trained, how to use it in class.

Run with ``streamlit run streamlit_app.py``; the lessons are the files in ``pages/`` (Streamlit's
automatic page discovery).
"""

from __future__ import annotations

import streamlit as st

from ui.lessons.home import claims, computed, views
from ui.page import downloads, frame, link_values, links
from ui.page.catalogue import GROUPS, LESSONS
from vae import zoo

HOME = frame.setup_page(
    __file__,
    "how an autoencoder and a variational autoencoder organise handwritten digits in a "
    "latent space, and why only the VAE is trained so that random codes decode to new digits.",
)


if views.hero():  # the picture is there: say what it shows
    st.markdown(
        "Both models squeeze every digit into **two numbers**. Left, where an autoencoder puts the "
        "test digits; "
        "right, what a VAE's decoder draws across the whole prior N(0, I): every code a digit, "
        "neighbours alike. "
        "The lessons show how each gets there, and what the VAE's KL term has to do with it."
    )
st.subheader("Try it: one code, two decoders")
c1, c2 = st.columns(2)
z1, z2 = (
    links.url_widget(
        col.select_slider,
        label,
        options=list(views.EXP_AXIS),
        value=default,
        format_func=lambda v: f"{v:g}",
        key=key,
        parse=lambda raw, d=default: link_values.parse_choice(raw, views.EXP_AXIS, d),
        help="The same code goes to both decoders: what each draws depends on whether its "
        "training put codes there.",
    )
    for col, label, key, default in ((c1, "z₁", "home_z1", 0.0), (c2, "z₂", "home_z2", -2.0))
)
views.experiment(z1, z2)
links.state_to_url()
st.page_link(
    LESSONS[0].path,
    label=f"Start the first lesson: {LESSONS[0].title}",
    icon=":material/play_arrow:",
    query_params=frame.link_params(),
)
st.caption(
    "Every picture comes from small convolutional models trained on the 60,000 MNIST training "
    "digits and "
    "shown on the 10,000 test digits. They are precomputed in `cache/`, so every page answers at "
    "once on a laptop; only *Train it yourself* trains a model (a small one) while you watch."
)

st.header("The lessons")
st.caption(
    "In order: the five core lessons build on each other; the explorations can be taken in any "
    "order."
)
for group, core in GROUPS:
    st.subheader(group)
    items = [lesson for lesson in LESSONS if lesson.core == core]
    cols = st.columns(3)
    for i, lesson in enumerate(items):
        with cols[i % 3].container(border=True):
            st.page_link(
                lesson.path,
                label=f"**{lesson.title}**",
                icon=lesson.icon,
                query_params=frame.link_params(),
            )
            st.caption(lesson.question)

st.header("How the models were trained")
st.markdown(
    "One convolutional family for all models (PyTorch): an **encoder** `28×28 → conv 32 → conv 64 "
    "→ dense 256 → "
    "(μ, log σ²)` (4×4 convolutions, stride 2), a **decoder** that mirrors it and ends in one "
    "Bernoulli logit per "
    "pixel, and a **loss** per image in nats: binary cross-entropy summed over the 784 pixels plus "
    "β × KL(q(z|x) ‖ "
    "N(0, I)). The AE has no KL term and a deterministic code; the conditional VAE also sees the "
    "digit label. " + claims.budget_sentence(computed.budget_facts(zoo.names()))
)
table = computed.models_table(zoo.names())  # numbers kept for the CSV
if "problem" in table:
    st.warning(
        "Some model files in `cache/` cannot be used; the pages that need them say so. "
        "Rebuild with `python -m vae.build`."
    )
with st.expander(
    f"The {len(table)} models, measured on the 10,000 test images "
    "(nats per image, lower is better)",
    icon=":material/table:",
):
    shown = computed.shown(table)  # every cell as text, "—" where a model has no such number
    # every row, no scrolling
    st.dataframe(shown, hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3)
    downloads.download_csv(
        table,
        "latent-lab-models.csv",
        key="home_models_csv",
        label="Download the table (CSV, with a line about each model)",
    )
    st.caption(
        "−ELBO = reconstruction + KL with one posterior sample (β = 1 whatever β the model was "
        "trained with). The "
        "two (500) columns compare like with like on a fixed subset, the first 50 test images of "
        "each digit: the "
        "one-sample −ELBO and the importance-weighted bound with 1,000 samples (Burda et al. "
        "2016), closer to the "
        "model's true −log p(x); their gap is what the ELBO leaves out. For scale: the PyTorch "
        "examples VAE (an MLP "
        "with a 20-D latent, 10 epochs) reaches about 105 nats on this measure, and even a perfect "
        "reconstruction of these grey-level images costs about 45.5 nats (the pixels' own entropy)."
    )
    frame.nats_note()

st.header("How to use this in class")
st.markdown(
    "- **Project it**: *Presenter mode* at the bottom of the sidebar (or `?present=1` in the "
    "address): larger text, charts and figures, the sidebar folded away, explanations folded into "
    "*Explanation* boxes (caveats stay); the links and the sidebar keep the mode.\n"
    "- **Send a view**: every page keeps its main settings in the address bar (model, beta, grid "
    "size, "
    "digits, seed…). Copy the URL and your students open exactly the picture you are looking at.\n"
    "- **Same randomness for everyone**: random views have a seed control.\n"
    "- **A 50-minute route**: AE vs VAE → KL weighting → Grid vs ppf → Prototypes → Embeddings; "
    "then let students try *Your own digit* and *Train it yourself*."
)
st.caption(
    "Data: MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0. "
    "Code: latent-lab · see README for credits."
)
# the home page keeps no settings in the URL, but says when it ignored one (?present=…)
links.state_to_url({})
frame.lesson_links(HOME)
