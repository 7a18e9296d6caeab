"""Train it yourself: a small VAE trained live in the page (its pictures redrawn every few dozen
steps, guided presets, earlier runs kept to compare, collapsed dimensions named), then compared with
the pretrained model of the same latent size and beta.

The app never loads the MNIST training set at run time: the learner's model trains on the first
N of 8,000 cached *test* digits (a fixed random order) and is evaluated on the other 2,000 (a fixed
random sample, stratified by digit, ``vae.live.split_indices``), which it never sees.
The trained model lives in this browser session only (``st.session_state``); one training at a
time per session, guarded by :class:`vae.live.TrainingSession`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, png_figures, render
from ui.lessons.training import claims, live_view
from ui.page import downloads, frame, link_values, links, loaders
from vae import live, neighbours, units, zoo

LESSON = frame.setup_page(
    __file__,
    "what happens while a VAE learns, epoch by epoch: how reconstruction and KL trade off, "
    "how the latent space organises itself, and how far a minute of training gets you.",
)

SESSION_KEY = "train_session"
# nats: a dimension whose mean KL on the held-out digits is below this has collapsed to the prior
COLLAPSED_KL = 0.01

sess: live.TrainingSession = st.session_state.setdefault(SESSION_KEY, live.TrainingSession())
sess.recover()  # a running flag seen now belongs to an interrupted run (see live.TrainingSession)


def settings_from_state() -> live.LiveSettings:
    s = st.session_state
    return live.LiveSettings(
        latent_dim=int(s["train_d"]),
        beta=float(s["train_beta"]),
        train_size=int(s["train_size"]),
        epochs=int(s["train_epochs"]),
        batch_size=int(s["train_batch"]),
    )


def request_training() -> None:
    """The start button's callback: runs before the script, so the button is drawn disabled."""
    sess.request(settings_from_state())


# --- controls
# ---------------------------------------------------------------------------------------

busy = sess.busy
PRESETS = {  # a guided experiment: its settings and what to expect
    "Overfit it": (
        {"train_size": 256, "train_epochs": 20, "train_beta": 1.0},
        "256 digits seen 20 times: the training "
        "reconstruction keeps falling while the held-out one stalls, and the gap between them "
        "opens.",
    ),
    "No KL": (
        {"train_beta": 0.0},
        "β = 0, an autoencoder with noise: the best reconstructions, but the codes spread "
        "far beyond the prior and nothing ties them to N(0, I).",
    ),
    "Too much KL": (
        {"train_beta": 5.0},
        "β = 5: the KL term wins, dimensions collapse to the prior (KL near 0) and "
        "the reconstructions turn into blurred averages.",
    ),
}


def apply_preset(name: str) -> None:
    for k, v in PRESETS[name][0].items():
        st.session_state[k] = v
    st.session_state["train_preset"] = name


c1, c2, c3 = st.columns(
    3
)  # each control bound to the URL parameter named by its key (ui.page.links.url_widget)
with c1:
    links.url_widget(
        st.radio,
        "Latent size d",
        live.LATENT_DIMS,
        index=live.LATENT_DIMS.index(2),
        key="train_d",
        horizontal=True,
        disabled=busy,
        parse=lambda raw: link_values.parse_choice(raw, live.LATENT_DIMS, 2),
        help="2: you can watch the codes move on a plane. 10: better reconstructions, no direct "
        "picture.",
    )
    links.url_widget(
        st.select_slider,
        "β (weight of the KL term)",
        live.BETAS,
        value=1.0,
        key="train_beta",
        disabled=busy,
        format_func=lambda b: f"{b:g}",
        parse=lambda raw: link_values.parse_choice(raw, live.BETAS, 1.0),  # "1.0" is 1
        help="0: a plain autoencoder with noise; 1: the standard VAE; above 1: a tidier but "
        "blurrier latent space.",
    )
with c2:
    links.url_widget(
        st.select_slider,
        f"Training digits N (of the {live.MAX_TRAIN:,} not held out)",
        live.TRAIN_SIZES,
        value=live.DEFAULT_TRAIN,
        key="train_size",
        disabled=busy,
        parse=lambda raw: link_values.parse_choice(raw, live.TRAIN_SIZES, live.DEFAULT_TRAIN),
    )
    links.url_widget(
        st.slider,
        "Epochs",
        *live.EPOCH_RANGE,
        value=live.DEFAULT_EPOCHS,
        key="train_epochs",
        disabled=busy,
        parse=lambda raw: link_values.parse_int(raw, *live.EPOCH_RANGE, live.DEFAULT_EPOCHS),
    )
with c3:
    links.url_widget(
        st.select_slider,
        "Batch size",
        live.BATCH_SIZES,
        value=live.DEFAULT_BATCH,
        key="train_batch",
        disabled=busy,
        parse=lambda raw: link_values.parse_choice(raw, live.BATCH_SIZES, live.DEFAULT_BATCH),
        help="Images per Adam step: smaller batches take more (noisier) steps per epoch.",
    )
    settings = settings_from_state()
    st.caption(live_view.cost_words(settings))
links.state_to_url()
p_cols = st.columns([1, 1, 1, 3])
for col, pname in zip(p_cols, PRESETS):
    col.button(
        pname,
        key=f"train_preset_{pname}",
        on_click=apply_preset,
        args=(pname,),
        disabled=busy,
        icon=":material/science:",
        help=PRESETS[pname][1],
    )
if st.session_state.get("train_preset") in PRESETS:
    p_cols[3].caption(
        f"**{st.session_state['train_preset']}**: {PRESETS[st.session_state['train_preset']][1]} "
        "Press **Train**."
    )

b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1.4, 2.6])
b1.button(
    "Train",
    key="train_start",
    type="primary",
    icon=":material/play_arrow:",
    disabled=busy,
    on_click=request_training,
    help="Start a new training run with these settings. One run at a time.",
)
b2.button(
    "Pause",
    key="train_stop",
    icon=":material/pause:",
    disabled=not busy,
    help="Stop the run at once and keep it as it was at the end of its last finished epoch (a run "
    "stopped in "
    "its first epoch is discarded). Changing a setting or leaving the page pauses it too.",
)
paused = sess.paused is not None and not busy
b3.button(
    "Resume",
    key="train_resume",
    icon=":material/resume:",
    disabled=not paused,
    on_click=lambda: sess.request_continue(),
    help="Continue the paused run to its last epoch.",
)
b4.button(
    "One more epoch",
    key="train_step",
    icon=":material/skip_next:",
    disabled=not paused,
    on_click=lambda: sess.request_continue(epochs=1),
    help="Continue the paused run for one epoch, then pause again.",
)

with st.expander("What a run does, and where its digits come from", icon=":material/info:"):
    st.latex(
        r"\mathcal L(x) \;=\; \underbrace{-\log p(x \mid z)}_{\text{reconstruction}} \;+\; "
        r"\beta\;\underbrace{\mathrm{KL}\big(q(z\mid x)\,\|\,\mathcal N(0, I)\big)}_{\text{KL}}"
    )
    st.markdown(
        "Training repeats one move: take a batch of images, encode, sample $z = \\mu + "
        "\\sigma\\,\\varepsilon$, decode, "
        "and take an Adam step down the loss (nats per image, averaged over the batch; learning "
        "rate 0.002, decaying to 0 along a cosine, as for the pretrained models).\n\n"
        "**Where the digits come from.** This app never loads the 60,000 MNIST training digits. A "
        "fixed random "
        f"**{live.HELDOUT:,} of the 10,000 test digits** (each digit in proportion) are held out "
        "to judge the model you train; "
        f"it trains on the first N of the other {live.MAX_TRAIN:,}, in a fixed random order. The "
        "pretrained models "
        f"learned from the 60,000 training digits, so the held-out {live.HELDOUT:,} are new to "
        "both.\n\n"
        "One **epoch** is one pass over your training digits. The page measures both terms on the "
        "training digits "
        "(averaged over the epoch, while the weights were still moving) and on the held-out digits "
        "(at the epoch's "
        "end); a gap that opens between them is overfitting. While it trains, the curves (with "
        "each batch's terms as a thin line), the codes and the reconstructions are redrawn every "
        f"{live_view.REDRAW_STEPS} steps."
    )

cut_short = sess.take_interrupted()
if cut_short is not None:
    st.info(
        f"Your last training ({cut_short.label()}) was stopped in its first epoch, before there "
        "was anything to keep. Press **Train** to start again.",
        icon=":material/stop:",
    )

with frame.cache_guard():
    images, labels = loaders.test_set()
    x_float = loaders.test_images_float()
sess.adopt_pause(
    live.heldout_set(x_float, labels)
)  # a pause just now: its last finished epoch becomes the result
if sess.paused is not None and not sess.busy and sess.settings is not None:
    st.info(
        f"Paused after epoch {sess.paused.epochs_done} of {sess.settings.epochs} "
        f"({sess.settings.label()}): below is "
        "the model as it was then. **Resume** to finish the run, or take **one more epoch**.",
        icon=":material/pause:",
    )


# --- live training
# -------------------------------------------------------------------------------------

if sess.pending is not None:
    live_view.train_pending(sess, x_float, labels)

if sess.model is None:
    st.info(
        "No model trained in this session yet: choose settings and press **Train**. Your model "
        "stays in this browser session only, until you reload the page."
    )
    live_view.preview(settings, labels, *live.heldout_set(x_float, labels))
    frame.stop()

# --- your model and the pretrained one
# -------------------------------------------------------------------

s = sess.settings
st.header("Your model")
st.markdown(
    f"**{s.label()}**, "
    + (
        f"paused after epoch {sess.paused.epochs_done}."
        if sess.paused is not None
        else f"trained in {sess.seconds:.1f} s."
    )
)
if s != settings:
    st.caption("The settings above have changed since: press **Train** to train with them.")
live_view.loss_view(sess.history, s.epochs)

x_ho, y_ho = live.heldout_set(x_float, labels)
pick = live.one_per_digit(y_ho.numpy())  # (10,) positions in the held-out set
mine = sess.model
rows = {
    "held-out\ndigit": x_ho[pick, 0].numpy(),
    "your\nmodel": live.reconstructions(mine, x_ho[pick]),
}

pre_name, same_beta = live_view.pretrained_for(s.latent_dim, s.beta)
pre_model, pre_problem = live_view.pretrained(pre_name)
mine_m = {
    "recon": sess.metrics["test_recon"],
    "kl": sess.metrics["test_kl"],
    "elbo": sess.metrics["test_elbo"],
}
table_rows = [
    live_view.score_row(
        "yours", f"{s.train_size:,} test digits × {s.epochs} epochs", s.latent_dim, s.beta, mine_m
    )
]
pre_m = None
if pre_model is not None:
    pre_m = live_view.pretrained_heldout(pre_name)
    rows[f"{pre_name}\n(pretrained)"] = live.reconstructions(pre_model, x_ho[pick])
    tc = zoo.entry(pre_name).train
    table_rows.append(
        live_view.score_row(
            pre_name,
            f"60,000 training digits × {tc.epochs} epochs",
            s.latent_dim,
            pre_model.config.beta,
            pre_m,
        )
    )

st.subheader("Reconstructions of held-out digits")
if pre_problem:
    st.error(pre_problem, icon=":material/build:")
elif not same_beta:
    st.caption(
        f"The zoo has no {s.latent_dim}-D model with β = {s.beta:g}, so yours is compared with "
        f"**{pre_name}** (β = 1)."
    )
png = render.png(png_figures.image_rows, rows, size=1.0)
downloads.download_png(png, "my-vae-reconstructions.png", key="train_recon_png")
held = live.split_indices(labels)[0][
    pick
]  # their test indices: each one's own original is left out below
render.show(
    png,
    alt=alt_text.rows(
        f"One held-out test digit of each class ({alt_text.digits(labels[held])}) and its "
        "reconstructions. By the nearest test image (its own original left out), "
        + "; ".join(
            alt_text.changes(labels[held], alt_text.looks_like(r, held), alt_text.flat(w))
            for w, r in list(rows.items())[1:]
        ),
        rows,
    ),
)

st.subheader("Held-out score")
table = pd.DataFrame(table_rows)
st.dataframe(table, hide_index=True, width="stretch")
downloads.download_csv(table, "my-vae-vs-pretrained.csv", key="train_table_csv")
frame.nats_note()
st.caption(
    claims.score_caption(
        claims.ScoreFacts(
            len(y_ho),
            len(labels),
            tuple(np.bincount(y_ho.numpy(), minlength=10).tolist()),
            pre_name if pre_m is not None else None,
            True,
            s.beta,
        )
    )
)  # both: live.heldout_set

if len(sess.runs) > 1:
    st.subheader("Your runs, side by side")
    live_view.runs_view(sess.runs)

mine_mu, mine_lv = live.posterior(mine, x_ho)  # (HELDOUT, d) each
kl_dims = units.mean_kl_per_dim(mine_mu, mine_lv)  # (d,) nats on the held-out digits
collapsed = [j for j in range(len(kl_dims)) if kl_dims[j] < COLLAPSED_KL]
pre_mu = live_view.pretrained_codes(pre_name) if pre_model is not None else None  # once per server
if s.latent_dim == 2:
    st.subheader("Held-out codes")
    live_view.codes_pair(mine_mu, pre_mu, y_ho.numpy(), live_view.heldout_index(labels), pre_name)

# --- what to notice
# --------------------------------------------------------------------------------------

h = sess.history
obs = []
if len(h["test_total"]) >= 2:
    first, final = h["test_recon"][0] + h["test_kl"][0], h["test_recon"][-1] + h["test_kl"][-1]
    obs.append(
        f"Held-out −ELBO went from **{first:.1f} nats** after epoch 1 to **{final:.1f}** after "
        "epoch "
        f"{len(h['test_total'])}"
        + (
            f" ({first - final:.1f} nats better)."
            if final < first
            else f": no better ({final - first:.1f} nats worse)."
        )
    )
else:
    obs.append(
        f"One epoch brought the held-out −ELBO to **{h['test_recon'][0] + h['test_kl'][0]:.1f} "
        "nats**; train for more epochs to watch it fall."
    )
gap = h["test_recon"][-1] - h["train_recon"][-1]
obs.append(
    f"In the last epoch the held-out reconstruction was {abs(gap):.1f} nats "
    + (
        "**worse** than on the training digits: the model fits its own digits better than new ones."
        if gap > 0
        else "better than the training average: no sign of overfitting yet (the training "
        "average includes the epoch's early, worse steps)."
    )
    + f" The KL ended at {h['test_kl'][-1]:.2f} nats per held-out digit."
)
acc_mine = neighbours.knn_accuracy(mine_mu, y_ho.numpy())
together = (
    f"digits of a kind already sit together in your codes: for **{acc_mine:.0%}** of the held-out "
    "digits most of the 5 nearest codes are the same digit"
    if acc_mine >= 0.5
    else f"your codes barely keep the digits apart yet: for only **{acc_mine:.0%}** of the "
    "held-out digits are most of the 5 nearest codes the same digit"
)
if pre_m is not None and pre_mu is not None:
    diff = mine_m["elbo"] - pre_m["elbo"]
    views_pre = 60_000 * zoo.entry(pre_name).train.epochs
    acc_pre = neighbours.knn_accuracy(pre_mu, y_ho.numpy())
    obs.append(
        f"The pretrained **{pre_name}** scores {pre_m['elbo']:.1f} nats, "
        + (
            f"{diff:.1f} nats better than yours"
            if diff > 0
            else f"{-diff:.1f} nats worse than yours"
        )
        + f", after {views_pre / (s.train_size * s.epochs):.0f}× as many image views "
        f"({views_pre:,} against {s.train_size * s.epochs:,}). No labels were used, yet {together} "
        f"({acc_pre:.0%} for {pre_name}; chance is about 10%)."
    )
else:
    obs.append(f"No labels were used, yet {together} (chance is about 10%).")
if collapsed:
    obs.append(
        f"{', '.join(claims.z(j) for j in collapsed)} {'has' if len(collapsed) == 1 else 'have'} "
        "**collapsed**: "
        f"mean KL {max(kl_dims[j] for j in collapsed):.3f} nats or less on the held-out digits, so "
        "q(z|x) there is the prior for every image, and the decoder ignores "
        + ("it." if len(collapsed) == 1 else "them.")
        + (" At β > 1 the KL term can afford fewer dimensions." if s.beta > 1 else "")
    )
frame.notice(obs[-3:] if collapsed else obs)
frame.lesson_links(LESSON)
