"""latent-lab home page: what the app teaches, how the models were trained, how to use it in class.

Run with ``streamlit run streamlit_app.py``; the lessons are the files in ``pages/`` (Streamlit's
automatic page discovery).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, render
from ui.page import downloads, frame, links, loaders, model_calls
from ui.page.catalogue import GROUPS, LESSONS
from vae import latent, zoo
from vae.artefacts import CacheError
from vae.config import to_dict

HERO_PX = 330  # side of the opening code map, CSS pixels
HERO_N = 15  # tiles per side of the opening manifold

HOME = frame.setup_page(
    __file__,
    "how an autoencoder and a variational autoencoder organise handwritten digits in a "
    "latent space, and why only the VAE is trained so that random codes decode to new digits.",
)


def hero() -> None:
    """The opening picture: the AE's code map beside the VAE's decoded manifold (skipped, with a
    message, when their files are missing: the rest of the home page still works)."""
    try:
        ae_mu = np.asarray(loaders.codes("ae-2d")["mu"], dtype=np.float64)  # (N, 2)
        labels = loaders.test_set()[1]
        loaders.model("vae-2d")
    except CacheError as exc:
        st.warning(
            f"The opening picture needs `{exc.path.name}`, which {exc.problem}; rebuild it with "
            f"`{exc.rebuild}`. The lessons below still list every page.",
            icon=":material/build:",
        )
        return
    sub = loaders.scatter_subset()
    left, right = st.columns(2)
    with left:
        render.draw(
            render.spec(
                altair_charts.landing_chart,
                altair_charts.codes_frame(ae_mu[sub], labels[sub], sub),
                None,
                None,
                None,
                altair_charts.square_domains(ae_mu[sub]),
                "z₁",
                "z₂",
                f"An autoencoder's codes of {len(sub):,} test digits",
                side=HERO_PX,
            ),
            key="home_codes",
            width="content",
            alt=alt_text.scatter(
                f"Where an autoencoder (ae-2d) puts {len(sub):,} test digits in its 2-D code",
                ae_mu[sub],
                labels[sub],
            ),
        )
    axis = latent.ppf_axis(HERO_N)
    render.show(
        model_calls.mosaic_png(
            "vae-2d",
            latent.grid_2d(axis, axis),
            HERO_N,
            HERO_N,
            xs=axis,
            ys=axis,
            xlabel="z₁",
            ylabel="z₂",
            title="A VAE's decoder on a grid of codes over its prior",
            size=4.6,
        ),
        right,
        alt=alt_text.grid("vae-2d", axis, axis, " spread over its prior N(0, I) (a ppf grid)"),
    )
    st.markdown(
        "Both models squeeze every digit into **two numbers**. Left, where an autoencoder puts the "
        "test digits; "
        "right, what a VAE's decoder draws across the whole prior N(0, I): every code a digit, "
        "neighbours alike. "
        "The lessons show how each gets there, and what the VAE's KL term has to do with it."
    )


hero()
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


def budget_sentence(names: list[str]) -> str:
    """Whether every built model has the registry's one budget (true once `python -m vae.build` is
    done)."""
    configs = loaders.train_configs(names)
    same = [n for n, c in configs.items() if c == to_dict(zoo.BUDGET)]
    if len(same) == len(configs):
        return (
            f"**One training budget for every model**: {loaders.budget_words()}, on all 60,000 "
            "training images, so any two models a lesson compares were trained alike."
        )
    return (
        f"**One training budget** ({loaders.budget_words()}) is being applied to the zoo: "
        f"{len(same)} of "
        f"{len(configs)} models have it so far; the others still carry an older, shorter budget "
        "(the epochs column), and the lessons say so where they compare them."
    )


st.header("How the models were trained")
st.markdown(
    "One convolutional family for all models (PyTorch): an **encoder** `28×28 → conv 32 → conv 64 "
    "→ dense 256 → "
    "(μ, log σ²)` (4×4 convolutions, stride 2), a **decoder** that mirrors it and ends in one "
    "Bernoulli logit per "
    "pixel, and a **loss** per image in nats: binary cross-entropy summed over the 784 pixels plus "
    "β × KL(q(z|x) ‖ "
    "N(0, I)). The AE has no KL term and a deterministic code; the conditional VAE also sees the "
    "digit label. " + budget_sentence(zoo.names())
)
rows = []
for name in zoo.names():
    try:
        meta = loaders.info(name)
    except CacheError as exc:
        rows.append(
            {
                "model": name,
                "problem": f"{exc.path.name} {exc.problem}",
                "about": zoo.entry(name).blurb,
            }
        )
        continue
    cfg, tc, m = meta["model_config"], meta["train_config"], meta["metrics"]
    vae_like = cfg["kind"] != "ae"
    rows.append(
        {
            "model": name,
            "latent": cfg["latent_dim"],
            "β": f"{cfg['beta']:g}" if vae_like else None,
            "epochs": tc["epochs"],
            "−ELBO": m["test_elbo"] if vae_like else None,
            "reconstruction": m["test_recon"],
            "KL": m["test_kl"] if vae_like else None,
            "−ELBO (500)": m.get("subset_elbo"),
            "bound, k = 1,000 (500)": m.get("subset_iwae"),
            "train min": round(meta["seconds"] / 60, 1),
            "about": zoo.entry(name).blurb,
        }
    )
table = pd.DataFrame(rows)
if "problem" in table:
    st.warning(
        "Some model files in `cache/` cannot be used; the pages that need them say so. "
        "Rebuild with `python -m vae.build`."
    )
FORMATS = {
    "−ELBO": "{:.1f}",
    "reconstruction": "{:.1f}",
    "KL": "{:.2f}",
    "−ELBO (500)": "{:.1f}",
    "bound, k = 1,000 (500)": "{:.1f}",
    "train min": "{:.1f}",
    "latent": "{:.0f}",
    "epochs": "{:.0f}",
}  # whole numbers may arrive as floats


def cell(column: str, v: object) -> str:
    """A table cell as text: a model without a number shows "—" (the CSV keeps the numbers)."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    return (
        FORMATS[column].format(v) if column in FORMATS and isinstance(v, (int, float)) else str(v)
    )


with st.expander(
    f"The {len(table)} models, measured on the 10,000 test images "
    "(nats per image, lower is better)",
    icon=":material/table:",
):
    shown = pd.DataFrame({c: [cell(c, v) for v in table[c]] for c in table.columns if c != "about"})
    st.dataframe(
        shown, hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3
    )  # every row, no scrolling
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
links.state_to_url(
    {}
)  # the home page keeps no settings in the URL, but says when it ignored one (?present=…)
frame.lesson_links(HOME)
