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

import time

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, words
from ui import common as ui
from ui import memory, params, slots
from vae import artefacts, live, neighbours, units, zoo
from vae.artefacts import CacheError
from ui.style import CHART_HEIGHT, LATENT_RANGE
from vae.train import Progress, history_frame, train

SPLIT_NAMES = {"train": "training", "test": "held-out"}  # how the loss chart names the two sets of digits

LESSON = ui.setup_page(__file__,
              "what happens while a VAE learns, epoch by epoch: how reconstruction and KL trade off, "
              "how the latent space organises itself, and how far a minute of training gets you.")

SESSION_KEY = "train_session"
COLLAPSED_KL = 0.01  # nats: a dimension whose mean KL on the held-out digits is below this has collapsed to the prior
REDRAW_STEPS = 40  # steps between two redraws of the codes and reconstructions while training
LOSS_HEIGHT = CHART_HEIGHT - 100
TRAIN_COLOR, HELD_COLOR = "#4e79a7", "#e15759"
SPLIT_COLORS = alt.Scale(domain=["training", "held-out"], range=[TRAIN_COLOR, HELD_COLOR])

sess: live.TrainingSession = st.session_state.setdefault(SESSION_KEY, live.TrainingSession())
sess.recover()  # a running flag seen now belongs to an interrupted run (see live.TrainingSession)

ui.bind("train_d", "d", lambda raw: params.parse_choice(raw, live.LATENT_DIMS, 2))
def parse_beta(raw: str | None) -> tuple[float, bool]:
    """One of live.BETAS however it is written ("1", "1.0", "2e0"), else 1."""
    v, ok = params.parse_float(raw, min(live.BETAS), max(live.BETAS), 1.0)
    return (v, True) if ok and v in live.BETAS else (1.0, False)


ui.bind("train_beta", "beta", parse_beta)
ui.bind("train_size", "size", lambda raw: params.parse_choice(raw, live.TRAIN_SIZES, live.DEFAULT_TRAIN))
ui.bind("train_epochs", "epochs", lambda raw: params.parse_int(raw, *live.EPOCH_RANGE, live.DEFAULT_EPOCHS))
ui.bind("train_batch", "batch", lambda raw: params.parse_choice(raw, live.BATCH_SIZES, live.DEFAULT_BATCH))


def settings_from_state() -> live.LiveSettings:
    s = st.session_state
    return live.LiveSettings(latent_dim=int(s["train_d"]), beta=float(s["train_beta"]),
                             train_size=int(s["train_size"]), epochs=int(s["train_epochs"]),
                             batch_size=int(s["train_batch"]))


def request_training() -> None:
    """The start button's callback: runs before the script, so the button is drawn disabled."""
    sess.request(settings_from_state())


def pretrained_for(d: int, beta: float) -> tuple[str, bool]:
    """The zoo's model of this size and beta, else the beta-1 one: (name, same beta?)."""
    name = zoo.beta_name(d, beta)
    return (name, True) if name in zoo.REGISTRY else (zoo.beta_name(d, 1.0), False)


# --- controls ---------------------------------------------------------------------------------------

busy = sess.busy
PRESETS = {  # a guided experiment: its settings and what to expect
    "Overfit it": ({"train_size": 256, "train_epochs": 20, "train_beta": 1.0}, "256 digits seen 20 times: the training "
                   "reconstruction keeps falling while the held-out one stalls, and the gap between them opens."),
    "No KL": ({"train_beta": 0.0}, "β = 0, an autoencoder with noise: the best reconstructions, but the codes spread "
              "far beyond the prior and nothing ties them to N(0, I)."),
    "Too much KL": ({"train_beta": 5.0}, "β = 5: the KL term wins, dimensions collapse to the prior (KL near 0) and "
                    "the reconstructions turn into blurred averages."),
}


def apply_preset(name: str) -> None:
    for k, v in PRESETS[name][0].items():
        st.session_state[k] = v
    st.session_state["train_preset"] = name



c1, c2, c3 = st.columns(3)
with c1:
    st.radio("Latent size d", live.LATENT_DIMS, key="train_d", horizontal=True, disabled=busy,
             help="2: you can watch the codes move on a plane. 10: better reconstructions, no direct picture.")
    st.select_slider("β (weight of the KL term)", live.BETAS, key="train_beta", disabled=busy,
                     help="0: a plain autoencoder with noise; 1: the standard VAE; above 1: a tidier but "
                          "blurrier latent space.")
with c2:
    st.select_slider(f"Training digits N (of the {live.MAX_TRAIN:,} not held out)", live.TRAIN_SIZES, key="train_size",
                     disabled=busy, format_func=lambda n: f"{n:,}")
    st.slider("Epochs", *live.EPOCH_RANGE, key="train_epochs", disabled=busy)
with c3:
    st.select_slider("Batch size", live.BATCH_SIZES, key="train_batch", disabled=busy,
                     help="Images per Adam step: smaller batches take more (noisier) steps per epoch.")
    settings = settings_from_state()
    views = settings.train_size * settings.epochs
    default_views = live.DEFAULT_TRAIN * live.DEFAULT_EPOCHS
    st.caption(f"{settings.steps():,} Adam steps over {views:,} image views"
               + ("" if views == default_views else f", {views / default_views:.1f}× the defaults")
               + f". The defaults ({default_views:,} views) take about {live.DEFAULT_CPU_SECONDS:.0f} s of computing "
               "on one CPU core; time grows in proportion, and on a busy server it can take several times "
               "longer.")

ui.share({"d": settings.latent_dim, "beta": settings.beta, "size": settings.train_size,
          "epochs": settings.epochs, "batch": settings.batch_size})
p_cols = st.columns([1, 1, 1, 3])
for col, pname in zip(p_cols, PRESETS):
    col.button(pname, key=f"train_preset_{pname}", on_click=apply_preset, args=(pname,), disabled=busy,
               icon=":material/science:", help=PRESETS[pname][1])
if st.session_state.get("train_preset") in PRESETS:
    p_cols[3].caption(f"**{st.session_state['train_preset']}**: {PRESETS[st.session_state['train_preset']][1]} "
                      "Press **Train**.")

b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1.4, 2.6])
b1.button("Train", key="train_start", type="primary", icon=":material/play_arrow:", disabled=busy, on_click=request_training,
          help="Start a new training run with these settings. One run at a time.")
b2.button("Pause", key="train_stop", icon=":material/pause:", disabled=not busy,
          help="Stop the run at once and keep it as it was at the end of its last finished epoch (a run stopped in "
               "its first epoch is discarded). Changing a setting or leaving the page pauses it too.")
paused = sess.paused is not None and not busy
b3.button("Resume", key="train_resume", icon=":material/resume:", disabled=not paused,
          on_click=lambda: sess.request_continue(), help="Continue the paused run to its last epoch.")
b4.button("One more epoch", key="train_step", icon=":material/skip_next:", disabled=not paused,
          on_click=lambda: sess.request_continue(epochs=1), help="Continue the paused run for one epoch, then pause again.")

with st.expander("What a run does, and where its digits come from", icon=":material/info:"):
    st.latex(r"\mathcal L(x) \;=\; \underbrace{-\log p(x \mid z)}_{\text{reconstruction}} \;+\; "
             r"\beta\;\underbrace{\mathrm{KL}\big(q(z\mid x)\,\|\,\mathcal N(0, I)\big)}_{\text{KL}}")
    st.markdown(
        "Training repeats one move: take a batch of images, encode, sample $z = \\mu + \\sigma\\,\\varepsilon$, decode, "
        "and take an Adam step down the loss (nats per image, averaged over the batch; learning rate 0.002, decaying "
        "to 0 along a cosine, as for the pretrained models).\n\n"
        f"**Where the digits come from.** This app never loads the 60,000 MNIST training digits. A fixed random "
        f"**{live.HELDOUT:,} of the 10,000 test digits** (each digit in proportion) are held out to judge the model you train; "
        f"it trains on the first N of the other {live.MAX_TRAIN:,}, in a fixed random order. The pretrained models "
        f"learned from the 60,000 training digits, so the held-out {live.HELDOUT:,} are new to both.\n\n"
        "One **epoch** is one pass over your training digits. The page measures both terms on the training digits "
        "(averaged over the epoch, while the weights were still moving) and on the held-out digits (at the epoch's "
        "end); a gap that opens between them is overfitting. While it trains, the curves (with each batch's "
        f"terms as a thin line), the codes and the reconstructions are redrawn every {REDRAW_STEPS} steps.")

cut_short = sess.take_interrupted()
if cut_short is not None:
    st.info(f"Your last training ({cut_short.label()}) was stopped in its first epoch, before there was anything "
            "to keep. Press **Train** to start again.", icon=":material/stop:")

with ui.cache_guard():
    images, labels = ui.test_set()
    x_float = ui.test_images_float()
sess.adopt_pause(live.heldout_set(x_float, labels))  # a pause just now: its last finished epoch becomes the result
if sess.paused is not None and not sess.busy and sess.settings is not None:
    st.info(f"Paused after epoch {sess.paused.epochs_done} of {sess.settings.epochs} ({sess.settings.label()}): below is "
            "the model as it was then. **Resume** to finish the run, or take **one more epoch**.", icon=":material/pause:")


# --- live training -------------------------------------------------------------------------------------

def loss_charts(history: dict[str, list[float]], epochs: int, trace: list[tuple[float, float, float]] | None = None
                ) -> tuple[alt.Chart, alt.Chart]:
    """Reconstruction and KL per epoch, training vs held-out (separate charts: different scales);
    while training, ``trace`` adds each training batch's terms, (epochs done, reconstruction, KL),
    as a thin line, so the curves move every few dozen steps and not once per epoch."""
    df = history_frame(history, split_names=SPLIT_NAMES)
    out = []
    for term, col in (("reconstruction", 1), ("KL", 2)):
        x = alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0 if trace else 1, max(2, epochs)]),
                  axis=alt.Axis(tickMinStep=1, format="d"))
        y = alt.Y("nats:Q", title=f"{term} (nats)", scale=alt.Scale(zero=False))
        chart = alt.Chart(df[df["term"] == term]).mark_line(point=True).encode(
            x=x, y=y, color=alt.Color("split:N", scale=SPLIT_COLORS, title="digits", legend=alt.Legend(orient="top")),
            tooltip=["epoch:Q", "split:N", alt.Tooltip("nats:Q", format=".2f")])
        if trace:
            batches = pd.DataFrame({"epoch": [t[0] for t in trace], "nats": [t[col] for t in trace]})
            chart = alt.Chart(batches).mark_line(color=TRAIN_COLOR, strokeWidth=1, opacity=0.45).encode(
                x=x, y=y) + chart
        out.append(chart.properties(height=LOSS_HEIGHT, title=f"{term} (nats per image)"))
    return out[0], out[1]


def codes_chart(mu: np.ndarray, y: np.ndarray, title: str) -> tuple[alt.Chart, bool]:
    """Held-out codes on the shared latent axes, or on their own axes if many fall outside."""
    lo, hi = LATENT_RANGE
    fits = float(((mu >= lo) & (mu <= hi)).all(axis=1).mean()) >= 0.98
    df = charts.codes_frame(mu, y, np.arange(live.HELDOUT, dtype=int) + len(labels) - live.HELDOUT)
    return charts.scatter(df, title=title, domain=LATENT_RANGE if fits else None, height=LOSS_HEIGHT), fits


def run_training(s: live.LiveSettings, run_id: int) -> object:
    """Train with live progress, loss charts and (2-D) codes; returns vae.train.TrainResult."""
    x_tr, y_tr, x_ho, y_ho = live.split_test_set(x_float, labels, s.train_size)
    bar = st.progress(0.0, text=f"Training {s.label()}…")
    cols = st.columns(3 if s.latent_dim == 2 else 2)
    recon_ph, kl_ph = cols[0].empty(), cols[1].empty()
    codes_ph = cols[2].empty() if s.latent_dim == 2 else None
    if codes_ph is not None:
        codes_ph.caption("The held-out codes appear after the first epoch.")
    strip_ph = st.empty()
    pick = live.one_per_digit(y_ho.numpy())  # one held-out digit of each class
    originals = x_ho[pick, 0].numpy()
    last = [0.0]
    trace: list[tuple[int, float, float]] = []  # (step, batch reconstruction, batch KL)

    def callback(p: Progress) -> None:
        sess.check(run_id)  # a newer script run took over: stop at once
        now = time.perf_counter()
        if p.epoch_done or p.step == p.steps or now - last[0] > 0.25:
            last[0] = now
            bar.progress(p.step / p.steps, text=f"Epoch {p.epoch} of {p.epochs} · step {p.step:,} of "
                                               f"{p.steps:,} · {now - t0:.0f} s")
        if not p.epoch_done:
            trace.append((p.step / (p.steps / p.epochs), p.batch_recon, p.batch_kl))  # x in epochs
        if p.epoch_done:
            sess.epoch_done(run_id, p.snapshot())  # a pause continues from here
        if p.epoch_done or p.step % REDRAW_STEPS == 0:
            rc, kc = loss_charts(p.history, p.epochs, trace)
            recon_ph.altair_chart(rc, width="stretch")
            kl_ph.altair_chart(kc, width="stretch")
            when = f"after epoch {p.epoch}" if p.epoch_done else f"at step {p.step:,}"
            if codes_ph is not None:
                mu = live.posterior_means(p.model, x_ho)
                chart, _ = codes_chart(mu, y_ho.numpy(), f"Held-out codes {when}")
                codes_ph.altair_chart(chart, width="stretch")
            recs = live.reconstructions(p.model, x_ho[pick])
            strip_ph.image(ui.upscale(ui.tile(np.concatenate([originals, recs]), len(pick)), 3), clamp=True,
                           caption=f"Held-out digits (top) and their reconstructions {when} (bottom)")

    shown = [None]

    def waiting(running: int, queued: int) -> None:
        if shown[0] == (running, queued):
            return  # redraw only when the queue changed: a waiting session costs the server next to nothing
        shown[0] = (running, queued)
        bar.progress(0.0, text=f"Waiting for a free training slot: {running} run{'s' if running != 1 else ''} "
                               f"training on this server, {queued} waiting (yours included). It starts by itself.")

    with slots.training_slot(on_wait=waiting, check=lambda: sess.check(run_id)):
        t0 = time.perf_counter()  # the clock in the progress text starts when the run has its slot
        result = train(s.model_config(), s.train_config(live.THREADS), x_tr, y_tr, x_ho, y_ho, callback=callback,
                       resume=sess.resume, until_epoch=sess.until)
    bar.progress(1.0, text=f"Done: {s.label()} in {result.seconds:.1f} s.")
    return result


if sess.pending is not None:
    st.header("Training")
    run_id = sess.begin()
    result, failed, superseded = None, None, False
    try:
        result = run_training(sess.running, run_id)
    except live.Superseded:
        superseded = True
    except Exception as exc:  # a real failure (not a rerun or stop: those are BaseExceptions)
        failed = exc
    finally:
        sess.finish(run_id, result)  # clears the running flag; no result = interrupted
        memory.trim()  # a run frees tens of MB of activations and Adam state: hand the pages back
    if superseded:
        ui.stop()
    if failed is not None:
        sess.take_interrupted()
        st.error(f"The training failed ({type(failed).__name__}: {failed}). Try smaller settings.")
    else:
        st.rerun()  # redraw with the button enabled and the result below

if sess.model is None:
    st.info("No model trained in this session yet: choose settings and press **Train**. Your model stays in this "
            "browser session only, until you reload the page.")
    ui.stop()

# --- your model and the pretrained one -------------------------------------------------------------------

s = sess.settings
st.header("Your model")
st.markdown(f"**{s.label()}**, " + (f"paused after epoch {sess.paused.epochs_done}." if sess.paused is not None
                                    else f"trained in {sess.seconds:.1f} s."))
if s != settings:
    st.caption("The settings above have changed since: press **Train** to train with them.")
rc, kc = loss_charts(sess.history, s.epochs)
l1, l2 = st.columns(2)
l1.altair_chart(rc, width="stretch")
l2.altair_chart(kc, width="stretch")
hist_df = history_frame(sess.history, split_names=SPLIT_NAMES)
ui.download_csv(hist_df, "my-vae-history.csv", key="train_hist_csv", label="Download the history (CSV)")

x_ho, y_ho = live.heldout_set(x_float, labels)
pick = live.one_per_digit(y_ho.numpy())  # (10,) positions in the held-out set
mine = sess.model
rows = {"held-out\ndigit": x_ho[pick, 0].numpy(), "your\nmodel": live.reconstructions(mine, x_ho[pick])}

pre_name, same_beta = pretrained_for(s.latent_dim, s.beta)
pre_model, pre_problem = None, None
if not artefacts.checkpoint_path(pre_name).exists():
    pre_problem = (f"The pretrained **{pre_name}** is not in `cache/models/` yet, so there is nothing to compare "
                   f"with. Rebuild it with `python -m vae.build`.")
else:
    try:
        pre_model = ui.model(pre_name)
    except CacheError as exc:
        pre_problem = (f"`{exc.path.name}` {exc.problem}. Rebuild it with `{exc.rebuild}`; "
                       "the comparison is skipped.")


@st.cache_data(show_spinner="Measuring the pretrained model on the held-out digits…", max_entries=32)
def pretrained_heldout(name: str, mtime: float) -> dict[str, float]:
    """Held-out metrics of a pretrained model (same noise seed as yours), cached per checkpoint file."""
    xh, yh = live.heldout_set(ui.test_images_float(), ui.test_set()[1])
    return live.heldout_metrics(ui.model(name), xh, yh)


mine_m = {"recon": sess.metrics["test_recon"], "kl": sess.metrics["test_kl"], "elbo": sess.metrics["test_elbo"]}
table_rows = [{"model": "yours", "trained on": f"{s.train_size:,} test digits × {s.epochs} epochs",
               "latent d": s.latent_dim, "β": s.beta, "held-out −ELBO (nats)": round(mine_m["elbo"], 1),
               "reconstruction": round(mine_m["recon"], 1), "KL": round(mine_m["kl"], 2)}]
pre_m = None
if pre_model is not None:
    pre_m = pretrained_heldout(pre_name, artefacts.checkpoint_path(pre_name).stat().st_mtime)
    rows[f"{pre_name}\n(pretrained)"] = live.reconstructions(pre_model, x_ho[pick])
    tc = zoo.entry(pre_name).train
    table_rows.append({"model": pre_name, "trained on": f"60,000 training digits × {tc.epochs} epochs",
                       "latent d": s.latent_dim, "β": pre_model.config.beta,
                       "held-out −ELBO (nats)": round(pre_m["elbo"], 1), "reconstruction": round(pre_m["recon"], 1),
                       "KL": round(pre_m["kl"], 2)})

st.subheader("Reconstructions of held-out digits")
if pre_problem:
    st.error(pre_problem, icon=":material/build:")
elif not same_beta:
    st.caption(f"The zoo has no {s.latent_dim}-D model with β = {s.beta:g}, so yours is compared with "
               f"**{pre_name}** (β = 1).")
png = charts.png(charts.image_rows, rows, size=1.0)
ui.download_png(png, "my-vae-reconstructions.png", key="train_recon_png")
charts.show(png)

st.subheader("Held-out score")
table = pd.DataFrame(table_rows)
st.dataframe(table, hide_index=True, width="stretch")
ui.download_csv(table, "my-vae-vs-pretrained.csv", key="train_table_csv")
ui.nats_note()
st.caption(f"Both measured on the same last {live.HELDOUT:,} test digits, one posterior sample per digit with the "
           "same noise seed; −ELBO = reconstruction + KL (β = 1 in the score whatever β was used in training). "
           "Lower is better.")

if len(sess.runs) > 1:
    st.subheader("Your runs, side by side")
    runs = pd.concat([pd.DataFrame({"epoch": np.arange(1, len(h["test_total"]) + 1), "run": f"{i + 1}. {label}",
                                    "held-out −ELBO": np.add(h["test_recon"], h["test_kl"])})
                      for i, (label, h) in enumerate(sess.runs)])
    st.altair_chart(charts.fit_width(alt.Chart(runs, title="Held-out −ELBO after each epoch, one line per run").mark_line(
        point=True).encode(x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1, format="d")),
                           y=alt.Y("held-out −ELBO:Q", title="held-out −ELBO (nats)", scale=alt.Scale(zero=False)),
                           color=alt.Color("run:N", title="", legend=alt.Legend(orient="bottom", columns=1, labelLimit=600)),
                           tooltip=["run:N", "epoch:Q", alt.Tooltip("held-out −ELBO:Q", format=".1f")]), 240),
        width="stretch")
    st.caption(f"The last {live.KEEP_RUNS} runs of this session, the newest last, all on the same held-out digits.")

mine_mu, mine_lv = live.posterior(mine, x_ho)  # (HELDOUT, d) each
kl_dims = units.mean_kl_per_dim(mine_mu, mine_lv)  # (d,) nats on the held-out digits
collapsed = [j for j in range(len(kl_dims)) if kl_dims[j] < COLLAPSED_KL]
pre_mu = live.posterior_means(pre_model, x_ho) if pre_model is not None else None
if s.latent_dim == 2:
    st.subheader("Held-out codes")
    k1, k2 = st.columns(2)
    mine_chart, mine_fits = codes_chart(mine_mu, y_ho.numpy(), "your model")
    k1.altair_chart(mine_chart, width="stretch")
    if not mine_fits:
        k1.caption("Many of your codes fall outside the usual −4…4 square, so this chart has its own axes.")
    if pre_model is not None:
        pre_chart, pre_fits = codes_chart(pre_mu, y_ho.numpy(), f"{pre_name} (pretrained)")
        k2.altair_chart(pre_chart, width="stretch")
        if not pre_fits:
            k2.caption("Many codes fall outside the usual −4…4 square, so this chart has its own axes.")

# --- what to notice --------------------------------------------------------------------------------------

h = sess.history
obs = []
if len(h["test_total"]) >= 2:
    first, final = h["test_recon"][0] + h["test_kl"][0], h["test_recon"][-1] + h["test_kl"][-1]
    obs.append(f"Held-out −ELBO went from **{first:.1f} nats** after epoch 1 to **{final:.1f}** after epoch "
               f"{len(h['test_total'])}" + (f" ({first - final:.1f} nats better)." if final < first else
                                             f": no better ({final - first:.1f} nats worse)."))
else:
    obs.append(f"One epoch brought the held-out −ELBO to **{h['test_recon'][0] + h['test_kl'][0]:.1f} nats**; "
               "train for more epochs to watch it fall.")
gap = h["test_recon"][-1] - h["train_recon"][-1]
obs.append(f"In the last epoch the held-out reconstruction was {abs(gap):.1f} nats "
           + ("**worse** than on the training digits: the model fits its own digits better than new ones."
              if gap > 0 else "better than the training average: no sign of overfitting yet (the training "
                              "average includes the epoch's early, worse steps).")
           + f" The KL ended at {h['test_kl'][-1]:.2f} nats per held-out digit.")
acc_mine = neighbours.knn_accuracy(mine_mu, y_ho.numpy())
together = (f"digits of a kind already sit together in your codes: for **{acc_mine:.0%}** of the held-out digits "
            "most of the 5 nearest codes are the same digit" if acc_mine >= 0.5 else
            f"your codes barely keep the digits apart yet: for only **{acc_mine:.0%}** of the held-out digits are "
            "most of the 5 nearest codes the same digit")
if pre_m is not None and pre_mu is not None:
    diff = mine_m["elbo"] - pre_m["elbo"]
    views_pre = 60_000 * zoo.entry(pre_name).train.epochs
    acc_pre = neighbours.knn_accuracy(pre_mu, y_ho.numpy())
    obs.append(f"The pretrained **{pre_name}** scores {pre_m['elbo']:.1f} nats, "
               + (f"{diff:.1f} nats better than yours" if diff > 0 else f"{-diff:.1f} nats worse than yours")
               + f", after {views_pre / (s.train_size * s.epochs):.0f}× as many image views "
               f"({views_pre:,} against {s.train_size * s.epochs:,}). No labels were used, yet {together} "
               f"({acc_pre:.0%} for {pre_name}; chance is about 10%).")
else:
    obs.append(f"No labels were used, yet {together} (chance is about 10%).")
if collapsed:
    obs.append(f"{', '.join(words.z(j) for j in collapsed)} {'has' if len(collapsed) == 1 else 'have'} **collapsed**: "
               f"mean KL {max(kl_dims[j] for j in collapsed):.3f} nats or less on the held-out digits, so q(z|x) there is "
               "the prior for every image, and the decoder ignores "
               + ("it." if len(collapsed) == 1 else "them.") + (" At β > 1 the KL term can afford fewer dimensions."
                                                                  if s.beta > 1 else ""))
ui.notice(obs[-3:] if collapsed else obs)
ui.lesson_links(LESSON)
