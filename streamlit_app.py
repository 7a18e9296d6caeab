"""latent-lab home page: what the app teaches, how the models were trained, how to use it in class.

Run with ``streamlit run streamlit_app.py``; the lessons are the files in ``pages/`` (Streamlit's
automatic page discovery).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import common as ui
from ui.lessons import GROUPS, LESSONS
from vae import zoo
from vae.artefacts import CacheError
from vae.config import to_dict

HOME = ui.setup_page(__file__, "how an autoencoder and a variational autoencoder organise "
                     "handwritten digits in a latent space, and why only the VAE can *generate*.")
st.page_link(LESSONS[0].path, label=f"Start the first lesson: {LESSONS[0].title}", icon=":material/play_arrow:",
             query_params=ui.link_params())

ui.secondary(
    "Every picture here comes from small convolutional models trained on the 60,000 MNIST training "
    "digits and shown on the 10,000 test digits. Models, codes and embeddings are precomputed in `cache/`, "
    "so every page answers at once on a laptop; only *Train it yourself* trains a model, a small one, while you watch."
)

st.header("The lessons")
st.caption("In order: the five core lessons build on each other; the explorations can be taken in any order.")
for group, core in GROUPS:
    st.subheader(group)
    items = [l for l in LESSONS if l.core == core]
    cols = st.columns(3)
    for i, lesson in enumerate(items):
        with cols[i % 3].container(border=True):
            st.page_link(lesson.path, label=f"**{lesson.title}**", icon=lesson.icon,
                         query_params=ui.link_params())
            st.caption(lesson.question)

def budget_sentence(names: list[str]) -> str:
    """Whether every built model has the registry's one budget (true once `python -m vae.build` is done)."""
    configs = ui.train_configs(names)
    same = [n for n, c in configs.items() if c == to_dict(zoo.BUDGET)]
    if len(same) == len(configs):
        return (f"**One training budget for every model**: {ui.budget_words()}, on all 60,000 training images, "
                "so any two models a lesson compares were trained alike.")
    return (f"**One training budget** ({ui.budget_words()}) is being applied to the zoo: {len(same)} of "
            f"{len(configs)} models have it so far; the others still carry an older, shorter budget (the epochs "
            "column), and the lessons say so where they compare them.")


st.header("How the models were trained")
st.markdown(
    "One convolutional family for all models (PyTorch):\n\n"
    "- **encoder** `28×28 → conv 32 (4×4, stride 2) → conv 64 (4×4, stride 2) → dense 256 → (μ, log σ²)`;\n"
    "- **decoder** the mirror image with transposed convolutions, ending in one Bernoulli logit per pixel;\n"
    "- **loss** per image, in nats: binary cross-entropy summed over the 784 pixels plus β × KL(q(z|x) ‖ N(0, I)); "
    "the AE has no KL term and a deterministic code; the conditional VAE also sees the digit label.\n\n"
    + budget_sentence(zoo.names()) + " The numbers below are measured on the 10,000 test images (lower is better)."
)
rows = []
for name in zoo.names():
    try:
        meta = ui.info(name)
    except CacheError as exc:
        rows.append({"model": name, "about": zoo.entry(name).blurb, "problem": f"{exc.path.name} {exc.problem}"})
        continue
    cfg, tc, m = meta["model_config"], meta["train_config"], meta["metrics"]
    vae_like = cfg["kind"] != "ae"
    rows.append({"model": name, "about": zoo.entry(name).blurb, "latent": cfg["latent_dim"],
                 "beta": f"{cfg['beta']:g}" if vae_like else "—", "epochs": tc["epochs"],
                 "test −ELBO (nats)": m["test_elbo"] if vae_like else None,
                 "reconstruction": m["test_recon"],
                 "KL": m["test_kl"] if vae_like else None,
                 "−ELBO, 500 images": m.get("subset_elbo"),
                 "−log p(x) bound, k = 1,000": m.get("subset_iwae"),
                 "train time (min)": round(meta["seconds"] / 60, 1)})
table = pd.DataFrame(rows)
if "problem" in table:
    st.warning("Some model files in `cache/` cannot be used; the pages that need them say so. "
               "Rebuild with `python -m vae.build`.")
NATS = {"test −ELBO (nats)": "{:.1f}", "reconstruction": "{:.1f}", "KL": "{:.2f}", "−ELBO, 500 images": "{:.1f}",
        "−log p(x) bound, k = 1,000": "{:.1f}"}
shown = table.copy()  # as text, so that a model without a number shows "—" (the CSV keeps the numbers)
for col, fmt in NATS.items():
    if col in shown:
        shown[col] = [fmt.format(v) if isinstance(v, (int, float)) and v == v else "—" for v in shown[col]]
st.dataframe(shown, hide_index=True, width="stretch")
ui.download_csv(table, "latent-lab-models.csv", key="home_models_csv")
ui.nats_note()
ui.caveat(
    "For scale: the PyTorch examples VAE (an MLP with a 20-D latent, 10 epochs) reaches about 105 nats "
    "on this measure, and even a perfect reconstruction of these grey-level images costs about 45.5 nats "
    "(the pixels' own entropy), so these numbers can't approach 0. The last two columns compare like with like on "
    "a fixed subset (the first 50 test images of each digit): the one-sample −ELBO and the importance-weighted "
    "bound with 1,000 samples (Burda et al. 2016), which is closer to the model's true −log p(x); the gap "
    "between them is what the ELBO leaves out."
)

st.header("How to use this in class")
st.markdown(
    "- **Project it**: *Presenter mode* at the bottom of the sidebar (or `?present=1` in the address): "
    "larger text, charts and figures, the sidebar folded away, explanations folded into *Explanation* boxes "
    "(caveats stay); the links and the sidebar keep the mode.\n"
    "- **Send a view**: every page keeps its main settings in the address bar (model, beta, grid size, "
    "digits, seed…). Copy the URL and your students open exactly the picture you are looking at.\n"
    "- **Same randomness for everyone**: random views have a seed control.\n"
    "- **A 50-minute route**: AE vs VAE → KL weighting → Grid vs ppf → Prototypes → Embeddings; "
    "then let students try *Your own digit* and *Train it yourself*."
)
st.caption("Data: MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), CC BY-SA 3.0. "
           "Code: latent-lab · see README for credits.")
ui.share({})  # the home page keeps no settings in the URL, but says when it ignored one (?present=…)
ui.lesson_links(HOME)
