"""Live training of "Train it yourself": what a learner trains, on which images, measured how.

Pure numpy / torch (no streamlit), used by the page "Train it yourself" and
``ui/lessons/training/live_view.py``, tested in ``tests/test_live.py``: the settings a learner
picks (:class:`LiveSettings`), the split of the cached *test* set into training images and a
held-out evaluation set (the app never needs the MNIST training set at run time), held-out
metrics comparable between two models, and the one-training-at-a-time bookkeeping of a session
(:class:`TrainingSession`). The model calls on the held-out digits (their codes and
reconstructions) are :mod:`vae.arrays`'.

``python -m vae.live`` times a live training run with the page's default settings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vae.arrays import NOISE_SEED
from vae.config import ModelConfig, TrainConfig

if TYPE_CHECKING:
    import torch

    from vae.models import Model

HELDOUT = 2_000  # test images held out for evaluation: a fixed random sample, stratified by digit
MAX_TRAIN = 8_000  # the other 8,000, in a fixed random order: a run trains on the first N of them
KEEP_RUNS = 5  # finished runs a session keeps to overlay their curves
SPLIT_SEED = 0  # the held-out sample and the training order (the same for every learner and run)
TRAIN_SIZES = (256, 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000)
# with 3 epochs at batch 32: held-out -ELBO 170.0 in 11 s of one core (2,000 x 5 at batch 64: 194.6,
# a blob)
DEFAULT_TRAIN = 4_000
LATENT_DIMS = (2, 10)
BETAS = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0)
EPOCH_RANGE = (1, 20)
DEFAULT_EPOCHS = 3
BATCH_SIZES = (32, 64, 128, 256)
DEFAULT_BATCH = 32
THREADS = 1  # torch threads for a live run: leaves the other core to the rest of the server
DEFAULT_CPU_SECONDS = (
    11.0  # `python -m vae.live`: CPU time of a default run, 1 thread (measured 11.1 s, 2026-12-02)
)
SEED = 0


@dataclass(frozen=True)
class LiveSettings:
    """What the learner chose on the page."""

    latent_dim: int = 2
    beta: float = 1.0
    train_size: int = DEFAULT_TRAIN
    epochs: int = DEFAULT_EPOCHS
    batch_size: int = DEFAULT_BATCH
    seed: int = SEED

    def __post_init__(self) -> None:
        if self.latent_dim not in LATENT_DIMS:
            raise ValueError(f"latent size must be one of {LATENT_DIMS}")
        if self.beta not in BETAS:
            raise ValueError(f"beta must be one of {BETAS}")
        if not 1 <= self.train_size <= MAX_TRAIN:
            raise ValueError(f"training-set size must be in 1..{MAX_TRAIN}")
        if not EPOCH_RANGE[0] <= self.epochs <= EPOCH_RANGE[1]:
            raise ValueError(f"epochs must be in {EPOCH_RANGE[0]}..{EPOCH_RANGE[1]}")
        if not 1 <= self.batch_size <= 1024:
            raise ValueError("batch size must be in 1..1024")

    def model_config(self) -> ModelConfig:
        return ModelConfig(kind="vae", latent_dim=self.latent_dim, beta=self.beta)

    def train_config(self, threads: int = THREADS) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            seed=self.seed,
            train_size=self.train_size,
            threads=threads,
        )

    def steps(self) -> int:
        """Adam steps of the run."""
        return -(-self.train_size // self.batch_size) * self.epochs

    def label(self) -> str:
        return (
            f"{self.latent_dim}-D, β = {self.beta:g}, {self.train_size:,} images, "
            f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}, batch {self.batch_size}"
        )


def _arrays(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copies of (M, 28, 28) images (float in [0, 1] or uint8) and labels as float32
    (M, 1, 28, 28) and int64 (M,)."""
    images = np.asarray(images)
    x = (
        images.astype(np.float32) / 255.0
        if images.dtype == np.uint8
        else np.array(images, dtype=np.float32)
    )
    return x.reshape(-1, 1, 28, 28), np.asarray(labels).astype(np.int64)


def _tensors(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """``_arrays`` as tensors, for training (the one place here that needs torch)."""
    import torch

    x, y = _arrays(images, labels)
    return torch.from_numpy(x), torch.from_numpy(y)


def _check(images: np.ndarray, labels: np.ndarray) -> int:
    n = len(images)
    if len(labels) != n:
        raise ValueError("images and labels differ in length")
    if n < HELDOUT + 1:
        raise ValueError(f"need more than {HELDOUT} images, got {n}")
    return n


def split_indices(labels: np.ndarray, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """The fixed split of the test set for live training: (held-out indices (HELDOUT,), each digit
    in proportion to its share of the set; training indices, every other image in a random order).

    Random, not the last 2,000 images: the test set is ordered by writer, and its last 2,000 come
    from other writers than the first (their mean images cost 196 against 211 nats), so a split
    by position would show a gap between training and held-out digits that is not overfitting."""
    labels = np.asarray(labels)
    n = len(labels)
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels, minlength=int(labels.max()) + 1)
    want = HELDOUT * counts / n
    take = np.floor(want).astype(int)
    take[np.argsort(-(want - take), kind="stable")[: HELDOUT - take.sum()]] += (
        1  # largest remainders
    )
    held = np.concatenate(
        [rng.permutation(np.flatnonzero(labels == k))[:t] for k, t in enumerate(take)]
    )
    rest = np.setdiff1d(np.arange(n), held)
    return np.sort(held), rng.permutation(rest)


def heldout_set(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The HELDOUT held-out test images and labels (``split_indices``): float32
    (HELDOUT, 1, 28, 28), int64 (HELDOUT,), copied (NumPy: the page shows and encodes them
    without torch; ``split_test_set`` gives them as tensors for a run)."""
    _check(images, labels)
    held, _ = split_indices(labels)
    return _arrays(np.asarray(images)[held], np.asarray(labels)[held])


def split_test_set(
    images: np.ndarray, labels: np.ndarray, train_size: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The first ``train_size`` images of the training order for training, the held-out sample for
    evaluation (never overlapping; ``split_indices``).

    ``images`` (N, 28, 28) float in [0, 1] (or uint8), ``labels`` (N,). Returns new tensors
    x_train (n, 1, 28, 28), y_train (n,), x_held (HELDOUT, 1, 28, 28), y_held (HELDOUT,);
    the inputs (read-only cached arrays) are copied, never modified.
    """
    n = _check(images, labels)
    if not 1 <= train_size <= n - HELDOUT:
        raise ValueError(f"training-set size must be in 1..{n - HELDOUT}")
    held, order = split_indices(labels)
    pick = order[:train_size]
    x_tr, y_tr = _tensors(np.asarray(images)[pick], np.asarray(labels)[pick])
    return (x_tr, y_tr, *_tensors(np.asarray(images)[held], np.asarray(labels)[held]))


def heldout_metrics(model: Model, x: Any, y: Any, seed: int = NOISE_SEED) -> dict[str, float]:
    """Mean reconstruction, KL and negative ELBO (beta 1) in nats per image, one posterior sample
    per image with a fixed noise seed (``vae.train.evaluate``: torch's noise, as a run measures
    itself), so two models of the same latent size see the same noise. ``x``, ``y``: tensors or
    arrays (``heldout_set``). The zoo's models' numbers are computed at build time
    (``vae.build``: ``artefacts.load_numbers``), so the page needs no torch for them."""
    import torch

    from vae.train import evaluate

    x, y = torch.as_tensor(np.asarray(x, dtype=np.float32)), torch.as_tensor(np.asarray(y))
    t = evaluate(model, x, y, beta=1.0, seed=seed)
    return {
        "recon": float(t.recon.mean()),
        "kl": float(t.kl.mean()),
        "elbo": float((t.recon + t.kl).mean()),
    }


def one_per_digit(labels: np.ndarray) -> np.ndarray:
    """Position of the first image of each digit 0..9 present in ``labels``. -> (<= 10,)"""
    labels = np.asarray(labels)
    return np.array(
        [int(np.flatnonzero(labels == k)[0]) for k in range(10) if (labels == k).any()],
        dtype=np.int64,
    )


def _result_from_state(
    settings: LiveSettings, state: Any, held: tuple[np.ndarray, np.ndarray]
) -> Any:
    """A TrainResult for a run paused at the end of an epoch: its model rebuilt from the state and
    measured on the held-out digits it was being evaluated on."""
    from vae.models import build_model
    from vae.train import TrainResult, final_metrics

    model = build_model(settings.model_config())
    model.load_state_dict(state.model_state)
    model.eval()
    metrics = final_metrics(model, *_tensors(*held))
    return TrainResult(model, {k: list(v) for k, v in state.history.items()}, metrics, 0.0, state)


class Superseded(Exception):
    """Raised inside a training callback whose run is no longer this session's current run."""


@dataclass
class TrainingSession:
    """A learner's live training, kept in ``st.session_state`` (never shared between sessions).

    One training at a time: :meth:`request` (the start button's callback) asks for a run,
    :meth:`begin` starts it and returns its run id, :meth:`finish` stores the result or, without
    one, records that the run was interrupted. Called in a ``try/finally`` around the training,
    :meth:`finish` always clears the flag.

    Streamlit's fast reruns start the next script run *before* the interrupted one has unwound
    (its thread stops at its next ``st`` call), so a running flag seen at the start of a script
    run is stale: :meth:`recover` clears it. The old run is then *superseded*: its
    :meth:`finish` changes nothing, and :meth:`check` (called from the training callback) stops
    it at the next step.
    """

    pending: LiveSettings | None = None  # asked for by the start button, not begun yet
    running: LiveSettings | None = None  # being trained now
    resume: Any | None = (
        None  # the vae.train.TrainState the pending or running training continues from
    )
    until: int | None = (
        None  # the epoch the pending or running training stops after (None: the last)
    )
    last_epoch: Any | None = None  # TrainState at the end of the running training's latest epoch
    paused: Any | None = (
        None  # TrainState a paused run continues from (with ``settings``), else None
    )
    rebuild: bool = (
        False  # a pause whose model is not yet rebuilt from ``paused`` (``adopt_pause``)
    )
    run_id: int = 0  # id of the current (or last) run: +1 per training begun or superseded
    interrupted: LiveSettings | None = None  # the last run that stopped early, until reported
    settings: LiveSettings | None = None  # of the last finished run
    model: Model | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    metrics: dict[str, float] = field(
        default_factory=dict
    )  # held-out metrics of the last finished run
    seconds: float = 0.0
    runs: list[tuple[str, dict[str, list[float]]]] = field(
        default_factory=list
    )  # finished runs' (label, history), oldest first

    @property
    def busy(self) -> bool:
        return self.pending is not None or self.running is not None

    def request(
        self, settings: LiveSettings, resume: Any | None = None, until: int | None = None
    ) -> bool:
        """Ask for a run (``resume``: a TrainState to continue, ``until``: the epoch to pause
        after);
        refused (False) while one is pending or running."""
        if self.busy:
            return False
        self.pending, self.resume, self.until = settings, resume, until
        self.paused = None
        return True

    def request_continue(self, epochs: int | None = None) -> bool:
        """Continue the paused run, to the end or for ``epochs`` more epochs."""
        if self.paused is None or self.settings is None:
            return False
        until = (
            None if epochs is None else min(self.paused.epochs_done + epochs, self.settings.epochs)
        )
        return self.request(self.settings, self.paused, until)

    def recover(self) -> bool:
        """At the start of a script run: clear a stale running flag. True if there was one. A run
        that had finished an epoch is paused there (``adopt_pause`` rebuilds its model); one that
        had not is reported as interrupted."""
        if self.running is None:
            return False
        self._stop(self.running)
        self.running = None
        self.run_id += 1  # supersede the old run: its finish() is ignored, check() stops it
        return True

    def _stop(self, settings: LiveSettings) -> None:
        self.resume = self.until = None
        if self.last_epoch is None:
            self.interrupted = settings
        else:
            self.settings, self.paused, self.rebuild = settings, self.last_epoch, True
            self.interrupted = None
        self.last_epoch = None

    def adopt_pause(self, held: tuple[np.ndarray, np.ndarray]) -> bool:
        """After a pause: the paused epoch's model, history and held-out metrics become the
        session's result (measured on ``held``). True if there was one to adopt."""
        if not self.rebuild or self.paused is None or self.settings is None:
            return False
        self._adopt(
            self.settings, _result_from_state(self.settings, self.paused, held), seconds=None
        )
        self.rebuild = False
        return True

    def _adopt(self, settings: LiveSettings, result: Any, seconds: float | None) -> None:
        self.settings, self.model = settings, result.model
        self.history = {k: list(v) for k, v in result.history.items()}
        self.metrics = dict(result.metrics)
        if seconds is not None:
            self.seconds = seconds
        self.paused = getattr(result, "state", None)  # None once the run reached its last epoch
        if self.paused is None:
            self.runs = [*self.runs, (settings.label(), self.history)][-KEEP_RUNS:]

    def begin(self) -> int:
        """Turn the pending request into the running training; returns the run's id."""
        if self.running is not None:
            raise RuntimeError("a training is already running in this session")
        if self.pending is None:
            raise RuntimeError("no training was requested")
        self.running, self.pending = self.pending, None
        self.last_epoch = None
        self.run_id += 1
        return self.run_id

    def current(self, run_id: int) -> bool:
        return run_id == self.run_id and self.running is not None

    def check(self, run_id: int) -> None:
        """Raise :class:`Superseded` if this run is no longer the session's current one."""
        if not self.current(run_id):
            raise Superseded(f"training run {run_id} was superseded")

    def finish(self, run_id: int, result: Any | None) -> bool:
        """End run ``run_id`` with its ``vae.train.TrainResult``, or None if it stopped early (then
        it pauses at its last finished epoch, as in ``recover``). Returns False (and changes
        nothing) for a superseded run."""
        if not self.current(run_id):
            return False
        settings, self.running = self.running, None
        if result is None:
            self._stop(settings)
            return True
        continued = self.resume is not None
        self.last_epoch, self.interrupted, self.rebuild, self.resume, self.until = (
            None,
            None,
            False,
            None,
            None,
        )
        self._adopt(settings, result, (self.seconds if continued else 0.0) + float(result.seconds))
        return True

    def epoch_done(self, run_id: int, state: Any) -> None:
        """Keep the running training's latest epoch-end state: a pause continues from it."""
        if self.current(run_id):
            self.last_epoch = state

    def take_interrupted(self) -> LiveSettings | None:
        """The interrupted run to report (once)."""
        s, self.interrupted = self.interrupted, None
        return s


def time_default_run(threads: int = THREADS) -> dict[str, float]:
    """Train with the page's default settings on the cached test set: wall and CPU seconds, held-out
    metrics."""
    from vae.artefacts import load_test_set
    from vae.train import train

    images, labels = load_test_set()
    s = LiveSettings()
    x_tr, y_tr, x_ho, y_ho = split_test_set(images, labels, s.train_size)
    t0, c0 = time.perf_counter(), time.process_time()
    result = train(s.model_config(), s.train_config(threads), x_tr, y_tr, x_ho, y_ho)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    # on a busy machine wall time measures the neighbours; with 1 thread, CPU time is what
    # the run would take on an idle core
    return {
        "threads": threads,
        "wall_s": wall,
        "cpu_s": cpu,
        "train_s": result.seconds,
        "epoch_s": float(np.mean(result.history["seconds"])),
        **heldout_metrics(result.model, x_ho, y_ho),
    }


if __name__ == "__main__":  # python -m vae.live [threads ...]
    import sys

    for th in [int(a) for a in sys.argv[1:]] or [THREADS]:
        print(time_default_run(th), flush=True)
