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
import streamlit as st

from ui.lessons.training import claims, controls, live_view, results
from ui.page import frame, link_values, links, loaders
from vae import arrays, live, zoo

LESSON = frame.setup_page(
    __file__,
    "what happens while a VAE learns, epoch by epoch: how reconstruction and KL trade off, "
    "how the latent space organises itself, and how far a minute of training gets you.",
)

SESSION_KEY = "train_session"

sess: live.TrainingSession = st.session_state.setdefault(SESSION_KEY, live.TrainingSession())
sess.recover()  # a running flag seen now belongs to an interrupted run (see live.TrainingSession)


def request_training() -> None:
    """The start button's callback: runs before the script, so the button is drawn disabled."""
    sess.request(controls.settings_from_state())


def about_a_run() -> None:
    """The loss, where the digits come from and what an epoch measures: folded, below the pictures
    (the lesson pattern keeps the maths under the main picture)."""
    with st.expander("What a run does, and where its digits come from", icon=":material/info:"):
        st.latex(
            r"\mathcal L(x) \;=\; \underbrace{-\log p(x \mid z)}_{\text{reconstruction}} \;+\; "
            r"\beta\;\underbrace{\mathrm{KL}\big(q(z\mid x)\,\|\,\mathcal N(0, I)\big)}_{\text{KL}}"
        )
        st.markdown(
            "Training repeats one move: take a batch of images, encode, sample "
            "$z = \\mu + \\sigma\\,\\varepsilon$, decode, and take an Adam step down the loss "
            "(nats per image, averaged over the batch; learning rate 0.002, decaying to 0 along a "
            "cosine, as for the pretrained models).\n\n"
            "**Where the digits come from.** This app never loads the 60,000 MNIST training "
            f"digits. A fixed random **{live.HELDOUT:,} of the 10,000 test digits** (each digit "
            "in proportion) are held out to judge the model you train; it trains on the first N "
            f"of the other {live.MAX_TRAIN:,}, in a fixed random order. The pretrained models "
            f"learned from the 60,000 training digits, so the held-out {live.HELDOUT:,} are new "
            "to both.\n\n"
            "One **epoch** is one pass over your training digits. The page measures both terms on "
            "the training digits (averaged over the epoch, while the weights were still moving) "
            "and on the held-out digits (at the epoch's end); a gap that opens between them is "
            "overfitting. While it trains, the curves (with each batch's terms as a thin line), "
            f"the codes and the reconstructions are redrawn every {live_view.REDRAW_STEPS} steps."
        )


# --- controls ------------------------------------------------------------------------------------

busy = sess.busy

# each control bound to the URL parameter named by its key (ui.page.links.url_widget)
c1, c2, c3 = st.columns(3)
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
    settings = controls.settings_from_state()
    st.caption(live_view.cost_words(settings))
links.state_to_url()
controls.preset_row(busy)
controls.run_buttons(sess, busy, request_training)

cut_short = sess.take_interrupted()
if cut_short is not None:
    st.info(
        f"Your last training ({cut_short.label()}) was stopped in its first epoch, before there "
        "was anything to keep. Press **Train** to start again.",
        icon=":material/stop:",
    )

with frame.cache_guard():
    labels = loaders.test_set()[1]
    x_float = loaders.test_images_float()
# a pause just now: its last finished epoch becomes the result
sess.adopt_pause(live_view.heldout())
if sess.paused is not None and not sess.busy and sess.settings is not None:
    st.info(
        f"Paused after epoch {sess.paused.epochs_done} of {sess.settings.epochs} "
        f"({sess.settings.label()}): below is "
        "the model as it was then. **Resume** to finish the run, or take **one more epoch**.",
        icon=":material/pause:",
    )


# --- live training -------------------------------------------------------------------------------

if sess.pending is not None:
    live_view.train_pending(sess, x_float, labels)

if sess.model is None:
    st.info("No model trained in this session yet: choose settings and press **Train**.")
    live_view.preview(settings, labels, *live_view.heldout())
    st.caption("Your model stays in this browser session only, until you reload the page.")
    about_a_run()
    frame.stop()

# --- your model and the pretrained one ----------------------------------------------------------

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

x_ho, y_ho = live_view.heldout()  # shared by every session, read-only
mine = sess.model
pre_name, same_beta = live_view.pretrained_for(s.latent_dim, s.beta)
pre_model, pre_problem = live_view.pretrained(pre_name)
mine_m = {k: sess.metrics[f"test_{k}"] for k in ("recon", "kl", "elbo")}
pre_m = live_view.pretrained_heldout(pre_name) if pre_model is not None else None
rows = results.reconstructions(mine, pre_model, pre_name, x_ho, y_ho)

st.subheader("Reconstructions of held-out digits")
if pre_problem:
    st.error(pre_problem, icon=":material/build:")
elif not same_beta:
    st.caption(
        f"The zoo has no {s.latent_dim}-D model with β = {s.beta:g}, so yours is compared with "
        f"**{pre_name}** (β = 1)."
    )
results.reconstructions_view(rows, labels, y_ho)

st.subheader("Held-out score")
results.score_table(results.score_rows(s, mine_m, pre_name, pre_model, pre_m))
frame.nats_note()
st.caption(
    claims.score_caption(
        claims.ScoreFacts(
            len(y_ho),
            len(labels),
            tuple(np.bincount(y_ho, minlength=10).tolist()),
            pre_name if pre_m is not None else None,
            True,  # both: live.heldout_set
            s.beta,
        )
    )
)

if len(sess.runs) > 1:
    st.subheader("Your runs, side by side")
    live_view.runs_view(sess.runs)

mine_mu, mine_lv = arrays.encode(mine, x_ho)  # (HELDOUT, d) each
pre_mu = live_view.pretrained_codes(pre_name) if pre_model is not None else None  # once per server
if s.latent_dim == 2:
    st.subheader("Held-out codes")
    live_view.codes_pair(mine_mu, pre_mu, y_ho, live_view.heldout_index(labels), pre_name)

about_a_run()

# --- what to notice -----------------------------------------------------------------------------

pre = pre_m is not None and pre_mu is not None
facts = claims.run_facts(
    sess.history,
    mine_m["elbo"],
    s.train_size,
    s.beta,
    mine_mu,
    mine_lv,
    y_ho,
    pre_name if pre else None,
    pre_m["elbo"] if pre else None,
    pre_mu,
    60_000 * zoo.entry(pre_name).train.epochs,
)
frame.notice(claims.notes(facts))
frame.lesson_links(LESSON)
