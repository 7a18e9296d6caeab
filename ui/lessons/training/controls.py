"""The run controls of *Train it yourself*: the settings its widgets hold, the guided presets (each
a setting and what to expect) with their buttons, and the Train / Pause / Resume / One more epoch
buttons of a :class:`vae.live.TrainingSession`. The settings' own widgets stay on the page.
Widget keys start with ``train_``.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from vae import live

PRESETS: dict[str, tuple[dict[str, Any], str]] = {  # a guided experiment: settings, what to expect
    "Overfit it": (
        {"train_size": 256, "train_epochs": 20, "train_beta": 1.0},
        "256 digits seen 20 times: the training reconstruction keeps falling while the held-out "
        "one stalls, and the gap between them opens.",
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


def settings_from_state() -> live.LiveSettings:
    """The settings the page's widgets hold now (their session-state keys)."""
    s = st.session_state
    return live.LiveSettings(
        latent_dim=int(s["train_d"]),
        beta=float(s["train_beta"]),
        train_size=int(s["train_size"]),
        epochs=int(s["train_epochs"]),
        batch_size=int(s["train_batch"]),
    )


def apply_preset(name: str) -> None:
    """A preset button's callback: its settings into the widgets' state, and its name kept."""
    for k, v in PRESETS[name][0].items():
        st.session_state[k] = v
    st.session_state["train_preset"] = name


def preset_row(busy: bool) -> None:
    """One button per preset (disabled while a run trains), and the chosen one's expectation."""
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
    chosen = st.session_state.get("train_preset")
    if chosen in PRESETS:
        p_cols[3].caption(f"**{chosen}**: {PRESETS[chosen][1]} Press **Train**.")


def run_buttons(sess: live.TrainingSession, busy: bool, on_train: Callable[[], None]) -> None:
    """Train (``on_train``: its callback), Pause (any click reruns the page, which stops the run),
    and, for a paused run, Resume and One more epoch."""
    b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1.4, 2.6])
    b1.button(
        "Train",
        key="train_start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=busy,
        on_click=on_train,
        help="Start a new training run with these settings. One run at a time.",
    )
    b2.button(
        "Pause",
        key="train_stop",
        icon=":material/pause:",
        disabled=not busy,
        help="Stop the run at once and keep it as it was at the end of its last finished epoch (a "
        "run stopped in its first epoch is discarded). Changing a setting or leaving the page "
        "pauses it too.",
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
