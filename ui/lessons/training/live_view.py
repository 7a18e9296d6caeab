"""The live run of Train it yourself as the page shows it: a progress bar, the loss curves, the
held-out codes (2-D) and reconstructions redrawn while :func:`vae.train.train` runs, the wait for a
training slot (``ui.server.training_slots``), and the pretrained model of the same size that a
finished run is
compared with. The run itself and its session bookkeeping live in :mod:`vae.live` and
:mod:`vae.train`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import compat
from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import CHART_HEIGHT
from ui.lessons import words
from ui.lessons.training import claims
from ui.page import downloads, frame, loaders, model_calls
from ui.server import memory, training_slots, warmup
from vae import arrays, artefacts, live, stored_numbers, zoo
from vae.artefacts import CacheError
from vae.history import history_frame
from vae.numpy_model import ArrayModel

if TYPE_CHECKING:  # torch loads only when someone trains (``run``)
    from vae.train import Progress, TrainResult

REDRAW_STEPS = 40  # steps between two redraws of the codes and reconstructions while training
LOSS_HEIGHT = CHART_HEIGHT - 100
CODES_SIDE = 320  # px, a code map's square plot area beside another
LIVE_SIDE = 240  # px, the live code map, third of a row while training


def loss_charts(
    history: dict[str, list[float]],
    epochs: int,
    trace: list[tuple[float, float, float]] | None = None,
) -> tuple[alt.Chart, alt.Chart]:
    """Reconstruction and KL per epoch, training vs held-out (separate charts: different scales);
    while training, ``trace`` adds each training batch's terms, (epochs done, reconstruction, KL),
    as a thin line, so the curves move every few dozen steps and not once per epoch."""
    df = history_frame(history, split_names=altair_charts.SPLIT_NAMES)
    out = []
    for term, col in (("reconstruction", 1), ("KL", 2)):
        batches = (
            pd.DataFrame({"epoch": [t[0] for t in trace], "nats": [t[col] for t in trace]})
            if trace
            else None
        )
        out.append(altair_charts.live_loss_chart(df, term, epochs, batches, LOSS_HEIGHT))
    return out[0], out[1]


@dataclass(frozen=True, eq=False)
class CodeMap:
    """A square map of held-out codes: what ``codes_chart`` draws and ``draw_map`` shows and puts in
    words. (eq=False: arrays; ``render.spec`` keys it by its fields' values.)"""

    mu: np.ndarray  # (n, 2) the codes
    y: np.ndarray  # (n,) their digits
    index: np.ndarray  # (n,) their test indices, each named in its point's tooltip
    title: str
    half: float  # the map shows -half..half on both axes; codes outside are not drawn
    side: int = CODES_SIDE  # px, the square plot area


def codes_chart(m: CodeMap) -> alt.Chart:
    """The codes on a square map of -half..half on both axes (equal scales, z₂ up)."""
    dom = (-m.half, m.half)
    return altair_charts.square(
        altair_charts.scatter(
            altair_charts.codes_frame(m.mu, m.y, m.index),
            x_title=words.z(0),
            y_title=words.z(1),
            domain=dom,
            title=m.title,
        ),
        m.side,
    )


def draw_map(where: Any, m: CodeMap, once: bool = False) -> None:
    """Show a code map (``codes_chart``) at its own size, narrower on a phone (``render.draw``);
    ``once``: a map many learners see (a pretrained model's), its spec built once per server."""
    chart_spec = render.spec(codes_chart, m) if once else compat.altair_to_vega_lite(codes_chart(m))
    mu, half = m.mu, m.half
    said = alt_text.scatter(m.title, mu, m.y, words.z(0), words.z(1))
    out = claims.left_out(mu, half)
    render.draw(
        chart_spec,
        where,
        width="content",
        alt=f"{said} The map shows −{half:g} … {half:g} on "
        f"both axes{f', {out} codes outside it' if out else ''}.",
    )


def heldout_index(labels: np.ndarray) -> np.ndarray:
    """The test index of each held-out digit, in the held-out set's order. -> (HELDOUT,)"""
    return live.split_indices(labels)[0]


def run(
    sess: live.TrainingSession,
    s: live.LiveSettings,
    run_id: int,
    x_float: np.ndarray,
    labels: np.ndarray,
) -> TrainResult:
    """Train ``s`` on its share of the test digits with live progress, loss charts and (2-D) codes,
    after waiting for a training slot; ``sess.check`` stops it when a newer script run takes
    over."""
    from vae.train import train  # imports torch: the first run of the server loads it

    x_tr, y_tr, x_ho, y_ho = live.split_test_set(x_float, labels, s.train_size)
    y_np = y_ho.numpy()
    bar = st.progress(0.0, text=f"Training {s.label()}…")
    cols = st.columns(3 if s.latent_dim == 2 else 2)
    recon_ph, kl_ph = cols[0].empty(), cols[1].empty()
    codes_ph = cols[2].empty() if s.latent_dim == 2 else None
    if codes_ph is not None:  # redrawn at every REDRAW_STEPS-th step and at each epoch's end
        first = min(REDRAW_STEPS, -(-s.train_size // s.batch_size))
        codes_ph.caption(
            f"The held-out codes appear after {first} step{'s' if first != 1 else ''}."
        )
    strip_ph = st.empty()
    pick = live.one_per_digit(y_np)  # one held-out digit of each class
    held = heldout_index(labels)
    originals = x_ho[pick, 0].numpy()  # (10, 28, 28); x_ho: the run's tensors
    last = [0.0]
    trace: list[tuple[float, float, float]] = []  # (epochs done, batch reconstruction, batch KL)
    t0 = [time.perf_counter()]

    def callback(p: Progress) -> None:
        sess.check(run_id)  # a newer script run took over: stop at once
        now = time.perf_counter()
        if p.epoch_done or p.step == p.steps or now - last[0] > 0.25:
            last[0] = now
            bar.progress(
                p.step / p.steps,
                text=f"Epoch {p.epoch} of {p.epochs} · step {p.step:,} of "
                f"{p.steps:,} · {now - t0[0]:.0f} s",
            )
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
                mu = arrays.posterior_means(p.model, x_ho)
                half = claims.extent(mu)
                out = claims.left_out(mu, half)  # said in the title: the map holds 99.5 % at least
                title = f"Held-out codes {when}" + (f" ({out} outside)" if out else "")
                draw_map(codes_ph, CodeMap(mu, y_np, held, title, half, LIVE_SIDE))
            recs = arrays.reconstructions(p.model, x_ho[pick])
            strip_ph.image(
                downloads.upscale(
                    model_calls.tile(np.concatenate([originals, recs]), len(pick)), 3
                ),
                clamp=True,
                caption=f"Held-out digits (top) and their reconstructions {when} (bottom)",
                alt=f"Held-out test digits {alt_text.digits(y_np[pick])} (top row) and "
                "your model's "
                f"reconstructions of them {when} (bottom row), while it trains.",
            )

    shown = [None]

    def waiting(running: int, queued: int) -> None:
        if shown[0] == (running, queued):
            # redraw only when the queue changed: a waiting session costs the server next to nothing
            return
        shown[0] = (running, queued)
        bar.progress(
            0.0,
            text=f"Waiting for a free training slot: {running} run{'s' if running != 1 else ''} "
            f"training on this server, {queued} waiting (yours included). It starts by itself.",
        )

    with training_slots.training_slot(on_wait=waiting, check=lambda: sess.check(run_id)):
        t0[0] = (
            time.perf_counter()
        )  # the clock in the progress text starts when the run has its slot
        result = train(
            s.model_config(),
            s.train_config(live.THREADS),
            x_tr,
            y_tr,
            x_ho,
            y_ho,
            callback=callback,
            resume=sess.resume,
            until_epoch=sess.until,
        )
    bar.progress(1.0, text=f"Done: {s.label()} in {result.seconds:.1f} s.")
    return result


@st.cache_resource(show_spinner=False)
def heldout() -> tuple[np.ndarray, np.ndarray]:
    """The held-out digits every run is scored on (``live.heldout_set`` of the cached test set),
    once per server and read-only: every session's page reads the same 6 MB, where each had kept
    copies of its own (a page's globals live on in its widgets' callbacks)."""
    x, y = live.heldout_set(loaders.test_images_float(), loaders.test_set()[1])
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def pretrained_for(d: int, beta: float) -> tuple[str, bool]:
    """The zoo's model of this size and beta, else the beta-1 one: (name, same beta?)."""
    name = zoo.beta_name(d, beta)
    return (name, True) if name in zoo.REGISTRY else (zoo.beta_name(d, 1.0), False)


def pretrained(name: str) -> tuple[ArrayModel | None, str | None]:
    """The pretrained model to compare with, or None and the reason it cannot be used."""
    if not artefacts.checkpoint_path(name).exists():
        return None, (
            f"The pretrained **{name}** is not in `cache/models/` yet, so there is nothing to "
            "compare with. Rebuild it with `python -m vae.build`."
        )
    try:
        return loaders.model(name), None
    except CacheError as exc:
        return (
            None,
            f"`{exc.path.name}` {exc.problem}. Rebuild it with `{exc.rebuild}`; the comparison is "
            "skipped.",
        )


@st.cache_data(
    show_spinner="Measuring the pretrained model on the held-out digits…", max_entries=32
)
def _heldout_metrics(name: str, signature: tuple[int, ...]) -> dict[str, float]:
    try:
        return stored_numbers.heldout(loaders.numbers(name))
    except (CacheError, KeyError, ValueError):  # no usable stored numbers: measured, with torch
        return live.heldout_metrics(loaders.torch_model(name), *heldout())


def pretrained_heldout(name: str) -> dict[str, float]:
    """Held-out metrics of a pretrained model (``live.heldout_metrics``: the same noise seed as a
    live run), as ``vae.build`` stored them (``vae.stored_numbers``), cached per checkpoint
    file."""
    return _heldout_metrics(name, artefacts.signature(artefacts.checkpoint_path(name)))


def _warm() -> None:
    """Warm-up job (``ui.server.warmup``): the held-out metrics of every pretrained model a run can
    be compared with (each latent size x each β, ``pretrained_for``), so that choosing a setting
    evaluates nothing: a model nobody had compared with cost its student about 0.5 s (the
    held-out digits through the model)."""
    names = {pretrained_for(d, beta)[0] for d in live.LATENT_DIMS for beta in live.BETAS}
    for name in sorted(names):
        if artefacts.checkpoint_path(name).exists():
            try:
                pretrained_heldout(name)
            except CacheError:
                continue  # the page says so when a student asks for it


warmup.register(_warm)


def score_row(
    model: str, trained_on: str, d: int, beta: float, m: dict[str, Any]
) -> dict[str, Any]:
    """One row of the held-out score table (metrics ``recon``, ``kl``, ``elbo`` in nats)."""
    return {
        "model": model,
        "trained on": trained_on,
        "latent d": d,
        "β": beta,
        "held-out −ELBO (nats)": round(m["elbo"], 1),
        "reconstruction": round(m["recon"], 1),
        "KL": round(m["kl"], 2),
    }


def train_pending(sess: live.TrainingSession, x_float: np.ndarray, labels: np.ndarray) -> None:
    """Run the training the Train / Resume buttons asked for, then rerun the page to show it; a
    newer script run that took over ends this one quietly, a real failure is said in the page."""
    st.header("Training")
    run_id = sess.begin()
    result, failed, superseded = None, None, False
    try:
        result = run(sess, sess.running, run_id, x_float, labels)
    except live.Superseded:
        superseded = True
    except Exception as exc:  # a real failure (not a rerun or stop: those are BaseExceptions)
        failed = exc
    finally:
        sess.finish(run_id, result)  # clears the running flag; no result = interrupted
        memory.trim()  # a run frees tens of MB of activations and Adam state: hand the pages back
    if superseded:
        frame.stop()
    if failed is not None:
        sess.take_interrupted()
        st.error(f"The training failed ({type(failed).__name__}: {failed}). Try smaller settings.")
    else:
        st.rerun()  # redraw with the button enabled and the result below


def loss_view(history: dict[str, list[float]], epochs: int) -> None:
    """A finished run's two loss charts side by side, and its history as CSV."""
    for col, chart in zip(st.columns(2), loss_charts(history, epochs)):
        col.altair_chart(chart, width="stretch")
    downloads.download_csv(
        history_frame(history, split_names=altair_charts.SPLIT_NAMES),
        "my-vae-history.csv",
        key="train_hist_csv",
        label="Download the history (CSV)",
    )


def runs_view(runs: list[tuple[str, dict[str, list[float]]]]) -> None:
    """The session's last runs (label, history) on one held-out −ELBO chart."""
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "epoch": np.arange(1, len(h["test_total"]) + 1),
                    "run": f"{i + 1}. {label}",
                    "held-out −ELBO": np.add(h["test_recon"], h["test_kl"]),
                }
            )
            for i, (label, h) in enumerate(runs)
        ]
    )
    st.altair_chart(altair_charts.runs_chart(frame), width="stretch")
    st.caption(
        f"The last {live.KEEP_RUNS} runs of this session, the newest last, all on the same "
        "held-out digits."
    )


def codes_pair(
    mine_mu: np.ndarray | None,
    pre_mu: np.ndarray | None,
    y: np.ndarray,
    index: np.ndarray,
    pre_name: str,
) -> None:
    """The held-out codes of the learner's 2-D model beside the pretrained model's, on one square
    extent (each its own where their spreads differ more than ``claims.SHARED`` times)."""
    maps = [
        (mu, name)
        for mu, name in ((mine_mu, "your model"), (pre_mu, f"{pre_name} (pretrained)"))
        if mu is not None
    ]
    if not maps:
        return
    halves = claims.shared_extents([claims.extent(mu) for mu, _ in maps])
    for col, (mu, title), half in zip(st.columns(2), maps, halves):
        draw_map(col, CodeMap(mu, y, index, title, half), once=title != "your model")
    st.caption(
        claims.map_caption(
            [n.split(" (")[0] for _, n in maps],
            halves,
            [claims.left_out(mu, h) for (mu, _), h in zip(maps, halves)],
        )
    )


@st.cache_data(
    show_spinner="Encoding the held-out digits with the pretrained model…", max_entries=32
)
def _heldout_codes(name: str, signature: tuple[int, ...]) -> np.ndarray:
    xh, _ = heldout()
    return arrays.posterior_means(loaders.model(name), xh)


def pretrained_codes(name: str) -> np.ndarray:
    """The pretrained model's held-out codes μ (HELDOUT, d), once per server and checkpoint file."""
    return _heldout_codes(name, artefacts.signature(artefacts.checkpoint_path(name)))


@st.cache_data(show_spinner=False, max_entries=32)
def _heldout_recons(name: str, signature: tuple[int, ...]) -> np.ndarray:
    xh, yh = heldout()
    return arrays.reconstructions(loaders.model(name), xh[live.one_per_digit(yh)])


def pretrained_recons(name: str) -> np.ndarray:
    """The pretrained model's reconstructions of the page's ten held-out digits, once per server."""
    return _heldout_recons(name, artefacts.signature(artefacts.checkpoint_path(name)))


def preview(s: live.LiveSettings, labels: np.ndarray, x_ho: np.ndarray, y_ho: np.ndarray) -> None:
    """Before the first run: the pretrained model a run of these settings is compared with, on the
    held-out digits (score, reconstructions, 2-D codes), all computed once per server."""
    name, same_beta = pretrained_for(s.latent_dim, s.beta)
    st.header("Before you train: the model yours will meet")
    model, problem = pretrained(name)
    if model is None:
        st.error(problem, icon=":material/build:")
        return
    m = pretrained_heldout(name)
    epochs = zoo.entry(name).train.epochs
    other = "" if same_beta else f", the zoo has no {s.latent_dim}-D model with β = {s.beta:g}"
    st.markdown(
        f"**{name}** (β = {model.config.beta:g}{other}) learned from the 60,000 training "
        f"digits × {epochs} epochs. On the {live.HELDOUT:,} held-out digits your run is "
        f"scored on: −ELBO **{m['elbo']:.1f} nats** (reconstruction {m['recon']:.1f} + KL "
        f"{m['kl']:.2f}). How close does a run of the settings above come?"
    )
    pick = live.one_per_digit(y_ho)
    rows = {
        "held-out\ndigit": x_ho[pick, 0],
        f"{name}\n(pretrained)": pretrained_recons(name),
    }
    held = heldout_index(labels)
    render.show(
        render.png(png_figures.image_rows, rows, size=1.0),
        alt=alt_text.rows(
            f"One held-out test digit of each class ({alt_text.digits(labels[held[pick]])}) and "
            f"{name}'s "
            "reconstructions of them.",
            rows,
        ),
    )
    if s.latent_dim == 2:
        codes_pair(None, pretrained_codes(name), y_ho, held, name)


def cost_words(s: live.LiveSettings) -> str:
    """What a run of these settings costs, against the defaults' measured time."""
    views, default_views = s.train_size * s.epochs, live.DEFAULT_TRAIN * live.DEFAULT_EPOCHS
    return (
        f"{s.steps():,} Adam steps over {views:,} image views"
        + (
            "" if views == default_views else f", {views / default_views:.2g}× the defaults"
        )  # 0.021×, not 0.0×
        + f". The defaults ({default_views:,} views) take about {live.DEFAULT_CPU_SECONDS:.0f} s "
        "of computing "
        "on one CPU core; time grows in proportion, and on a busy server it can take several times "
        "longer."
    )
