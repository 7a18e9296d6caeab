"""Computations on what a learner brings to the app: their own digit, and their own training run.

Pure numpy / torch (no streamlit), shared by the pages "Your own digit" and "Train it yourself"
and tested in ``tests/test_live.py``.

- Own digit: the loss terms of one image under a model (negative ELBO = reconstruction + KL,
  one posterior sample with a fixed seed, as the cached test-set values), its percentile among
  the test images, its nearest test codes, its position in a PCA embedding.
- Live training: the settings a learner picks (:class:`LiveSettings`), the split of the cached
  *test* set into training images and a held-out evaluation set (the app never needs the MNIST
  training set at run time), held-out metrics comparable between two models, and the
  one-training-at-a-time bookkeeping of a session (:class:`TrainingSession`).

``python -m vae.live`` times a live training run with the page's default settings.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from vae.config import ModelConfig, TrainConfig
from vae.losses import kl_divergence, recon_bce
from vae.models import Model

REPO = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO / "assets" / "examples"
NOISE_SEED = 0  # the one posterior sample behind every per-image negative ELBO


# --- your own digit ------------------------------------------------------------------------------


def example_paths(folder: Path = EXAMPLES_DIR) -> dict[str, Path]:
    """The bundled example pictures, by file stem, in name order."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.png"))}


def example_source(path: Path) -> int | None:
    """The MNIST test index a bundled example was made from (its PNG text chunk), else None."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            raw = getattr(im, "text", {}).get("mnist_test_index")
        return int(raw) if raw is not None else None
    except (OSError, ValueError):
        return None


def read_picture(data: bytes, thumb: int = 224) -> tuple[bytes, np.ndarray, tuple[int, int]]:
    """An upload's bytes -> (PNG thumbnail of the picture as grayscale, MNIST-like input, picture
    size).

    The input is float32 (28, 28) in [0, 1] from :func:`vae.preprocess.to_mnist`; the size is the
    (width, height) the preprocessing worked on. Raises :class:`vae.preprocess.PreprocessError`,
    whose message is meant for the user, when the bytes are not a usable picture of a digit.
    """
    from PIL import Image

    from vae.preprocess import load_image, to_mnist

    gray = load_image(data)
    x = to_mnist(gray)
    small = gray.copy()
    small.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="PNG")
    return buf.getvalue(), x, gray.size


def _as_batch(images: np.ndarray) -> torch.Tensor:
    """(28, 28) or (M, 28, 28) floats in [0, 1] -> float32 tensor (M, 1, 28, 28)."""
    x = np.asarray(images, dtype=np.float32)
    if x.shape[-2:] != (28, 28):
        raise ValueError(f"expected 28 x 28 images, got shape {x.shape}")
    return torch.as_tensor(np.require(x, requirements=["C", "W"])).reshape(
        -1, 1, 28, 28
    )  # a read-only cache: copied


@torch.inference_mode()
def image_terms(model: Model, images: np.ndarray, seed: int = NOISE_SEED) -> dict[str, np.ndarray]:
    """Per-image loss terms of a VAE, in nats, the way the cached test-set values are computed.

    ``recon`` is -log p(x|z) for ONE posterior sample z ~ q(z|x) drawn with a fixed noise seed,
    ``kl`` is KL(q(z|x) || N(0, I)) in closed form, ``elbo`` their sum (the negative ELBO, beta 1).
    Also returns ``mu``, ``logvar`` (M, d), the sample ``z`` and ``recon_mu``: the decoder's
    image at z = mu (M, 28, 28), the deterministic reconstruction shown to the user.
    """
    if model.conditional:
        raise TypeError(
            "image_terms needs an unconditional model (no label is known for a new image)"
        )
    x = _as_batch(images)  # (M, 1, 28, 28)
    mu, logvar = model.encode(x)  # (M, d) each
    if logvar is None:
        raise TypeError("image_terms needs a VAE: an AE has no posterior, so no ELBO")
    gen = torch.Generator().manual_seed(seed)
    z = model.reparameterize(mu, logvar, generator=gen)  # (M, d)
    recon = recon_bce(model.decode_logits(z), x)  # (M,)
    kl = kl_divergence(mu, logvar)  # (M,)
    return {
        "recon": recon.numpy(),
        "kl": kl.numpy(),
        "elbo": (recon + kl).numpy(),
        "mu": mu.numpy(),
        "logvar": logvar.numpy(),
        "z": z.numpy(),
        "recon_mu": model.decode(mu)[:, 0].numpy(),
    }


def percentile_of(values: np.ndarray, v: float) -> float:
    """Share of ``values`` (in %) that are at most ``v``: 100 means higher than all of them."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no values to compare with")
    return float(100.0 * np.count_nonzero(values <= v) / values.size)


def pca_project(codes: np.ndarray, components: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Place a new code in a 2-D PCA embedding of ``codes``: (point - mean) @ first 2 components.

    PCA is linear, so unlike t-SNE and UMAP it can place a point it was not fitted on. The
    embedding was fitted on the test codes, whose mean is recomputed here. -> (2,)
    """
    mean = np.asarray(codes, dtype=np.float64).mean(axis=0)  # (d,)
    comps = np.asarray(components, dtype=np.float64)[:2]  # (2, d)
    return (np.asarray(point, dtype=np.float64).reshape(-1) - mean) @ comps.T


def pca_project_cov(components: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Covariance, in a 2-D PCA embedding, of a diagonal Gaussian posterior N(mu,
    diag(exp(logvar))):
    W diag(sigma^2) W^T with W the first 2 components (a linear map of a Gaussian is Gaussian), so
    its ellipse is drawn to the embedding's scale around ``pca_project``'s point. -> (2, 2)"""
    comps = np.asarray(components, dtype=np.float64)[:2]  # (2, d)
    var = np.exp(np.asarray(logvar, dtype=np.float64).reshape(-1))  # (d,)
    return (comps * var[None, :]) @ comps.T


def histogram_frame(values: np.ndarray, bins: int = 60, upper: float | None = None) -> pd.DataFrame:
    """Counts of ``values`` in equal bins from their minimum to max(their maximum, ``upper``)."""
    values = np.asarray(values, dtype=np.float64)
    hi = max(float(values.max()), float(upper) if upper is not None else -np.inf)
    counts, edges = np.histogram(values, bins=bins, range=(float(values.min()), hi))
    return pd.DataFrame({"start": edges[:-1], "end": edges[1:], "count": counts})


# --- train it yourself
# -----------------------------------------------------------------------------

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


def _tensors(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Copies of (M, 28, 28) images (float in [0, 1] or uint8) and labels as (M, 1, 28, 28),
    (M,)."""
    images = np.asarray(images)
    x = (
        images.astype(np.float32) / 255.0
        if images.dtype == np.uint8
        else np.array(images, dtype=np.float32)
    )
    return torch.from_numpy(x).reshape(-1, 1, 28, 28), torch.tensor(
        np.asarray(labels, dtype=np.int64)
    )


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


def heldout_set(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """The HELDOUT held-out test images and labels (``split_indices``): (HELDOUT, 1, 28, 28),
    (HELDOUT,), copied."""
    _check(images, labels)
    held, _ = split_indices(labels)
    return _tensors(np.asarray(images)[held], np.asarray(labels)[held])


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
    _, order = split_indices(labels)
    pick = order[:train_size]
    x_tr, y_tr = _tensors(np.asarray(images)[pick], np.asarray(labels)[pick])
    return (x_tr, y_tr, *heldout_set(images, labels))


@torch.inference_mode()
def posterior(model: Model, x: torch.Tensor, batch: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """mu and logvar of images (M, 1, 28, 28) under an unconditional VAE. -> (M, d), (M, d)"""
    was_training = model.training
    model.eval()
    try:
        parts = [model.encode(x[i : i + batch]) for i in range(0, len(x), batch)]
        return torch.cat([m for m, _ in parts]).numpy(), torch.cat([lv for _, lv in parts]).numpy()
    finally:
        model.train(was_training)


@torch.inference_mode()
def posterior_means(model: Model, x: torch.Tensor, batch: int = 1000) -> np.ndarray:
    """mu of images (M, 1, 28, 28) under an unconditional VAE. -> (M, d)"""
    was_training = model.training
    model.eval()
    try:
        return torch.cat(
            [model.encode(x[i : i + batch])[0] for i in range(0, len(x), batch)]
        ).numpy()
    finally:
        model.train(was_training)


@torch.inference_mode()
def reconstructions(model: Model, x: torch.Tensor) -> np.ndarray:
    """Decoder images at z = mu for images (M, 1, 28, 28). -> (M, 28, 28)"""
    mu = torch.as_tensor(posterior_means(model, x))
    return model.decode(mu)[:, 0].numpy()


@torch.inference_mode()
def recon_at_mean(model: Model, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    """Reconstruction loss of each image decoded from its posterior mean mu (an AE: its code), the
    deterministic reconstruction a picture shows: -log p(x | z = mu), Bernoulli, summed over the 784
    pixels, in nats. Unconditional models. (M, 28, 28) -> (M,) float64"""
    x = _as_batch(images)  # (M, 1, 28, 28)
    out = []
    for i in range(0, len(x), batch):
        mu, _ = model.encode(x[i : i + batch])  # (b, d)
        out.append(recon_bce(model.decode_logits(mu), x[i : i + batch]).double())  # (b,)
    return torch.cat(out).numpy()


@torch.inference_mode()
def reconstruct(
    model: Model,
    images: np.ndarray,
    y: np.ndarray | None = None,
    seed: int | None = None,
    batch: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """Each image through the model: decoded from its posterior mean (``seed`` None; an AE: its
    code), or from one sample z = mu + sigma * eps with a seeded eps, as the ELBO's reconstruction
    term is estimated. ``y``: labels, read by a conditional model only.
    -> (pixel probabilities (M, 28, 28) float32, -log p(x | z) (M,) float64 nats, Bernoulli,
    summed)"""
    x = _as_batch(images)  # (M, 1, 28, 28)
    yt = None if y is None else torch.as_tensor(np.asarray(y, dtype=np.int64))  # (M,)
    gen = None if seed is None else torch.Generator().manual_seed(int(seed))
    probs, losses = [], []
    for i in range(0, len(x), batch):
        xb, yb = x[i : i + batch], None if yt is None else yt[i : i + batch]
        mu, logvar = model.encode(xb, yb)  # (b, d) each; logvar None for an AE
        z = (
            mu
            if gen is None or logvar is None
            else mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)
        )
        logits = model.decode_logits(z, yb)  # (b, 1, 28, 28)
        probs.append(torch.sigmoid(logits)[:, 0])
        losses.append(recon_bce(logits, xb).double())
    return torch.cat(probs).numpy(), torch.cat(losses).numpy()


def heldout_metrics(
    model: Model, x: torch.Tensor, y: torch.Tensor, seed: int = NOISE_SEED
) -> dict[str, float]:
    """Mean reconstruction, KL and negative ELBO (beta 1) in nats per image, one posterior sample
    per image with a fixed noise seed, so two models of the same latent size see the same noise."""
    from vae.train import evaluate

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
    settings: LiveSettings, state: Any, held: tuple[torch.Tensor, torch.Tensor]
) -> Any:
    """A TrainResult for a run paused at the end of an epoch: its model rebuilt from the state and
    measured on the held-out digits it was being evaluated on."""
    from vae.models import build_model
    from vae.train import TrainResult, final_metrics

    model = build_model(settings.model_config())
    model.load_state_dict(state.model_state)
    model.eval()
    metrics = final_metrics(model, *held)
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

    def adopt_pause(self, held: tuple[torch.Tensor, torch.Tensor]) -> bool:
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
