"""Seeded training of the AE / VAE / CVAE with Adam and a cosine learning-rate schedule.

The loop follows pytorch/examples' ``vae/main.py`` (per-image nats, one posterior sample per
image) with a per-epoch history of train and test terms. The same seed, config and thread count
give the same weights on the same machine. ``callback`` receives a :class:`Progress` after every
step and every epoch, so a Streamlit page can draw a progress bar and live charts; the command
line gets a tqdm bar.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor

from vae import arrays
from vae.config import ModelConfig, TrainConfig
from vae.history import TERM_NAMES, TERMS, history_frame, new_history  # noqa: F401 (re-exported)
from vae.losses import LossTerms, active_units, loss_terms, mean_terms
from vae.models import Model, build_model


@dataclass
class Progress:
    epoch: int  # 1-based epoch being trained
    epochs: int  # epochs in the run
    step: int  # steps done in the run
    steps: int  # total steps in the run
    history: dict[str, list[float]]  # per-epoch history so far (see ``new_history``)
    model: Model  # the model being trained (do not modify)
    epoch_done: bool = False  # True once per epoch, after the test evaluation
    batch_recon: float = float(
        "nan"
    )  # the last batch's reconstruction term, nats per image (not on epoch_done)
    batch_kl: float = float("nan")  # the last batch's KL term (unweighted), nats per image
    snapshot: Callable[[], "TrainState"] | None = (
        None  # on epoch_done: the state to continue from (a copy)
    )


@torch.inference_mode()
def evaluate(
    model: Model, x: Tensor, y: Tensor, beta: float, seed: int = 0, batch_size: int = 1000
) -> LossTerms:
    """Per-image test terms (each (N,)), one posterior sample with a fixed noise seed."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    out: list[LossTerms] = []
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]  # (b, 1, 28, 28), (b,)
        mu, logvar = model.encode(xb, yb)  # (b, d), (b, d) or None (AE)
        z = model.reparameterize(
            mu, logvar, generator=gen
        )  # (b, d); the AE's code is its own sample
        logits = model.decode_logits(z, yb)  # (b, 1, 28, 28)
        out.append(loss_terms(logits, xb, mu, logvar, beta))
    return LossTerms(*(torch.cat([t[k] for t in out]) for k in range(3)))


@dataclass
class TrainState:
    """Everything a run needs to continue from the end of an epoch as if it had never stopped:
    weights, Adam's moments, the schedule, both random streams (shuffling, and the global one that
    draws the reparameterization noise) and the history. Copies: the run may go on changing its
    own."""

    epochs_done: int  # epochs finished so far
    step: int  # optimiser steps taken so far
    model_state: dict  # model.state_dict(), copied
    opt_state: dict  # the optimiser's state_dict(), copied
    sched_state: dict  # the learning-rate schedule's state_dict() (its step count)
    shuffle_state: Tensor  # the shuffling generator's state
    noise_state: Tensor  # torch's global generator state (the reparameterization noise)
    history: dict[str, list[float]]


@dataclass
class TrainResult:
    model: Model
    history: dict[str, list[float]]
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    state: TrainState | None = (
        None  # where the run stopped (with ``until_epoch`` before the end), to continue
    )


def final_metrics(
    model: Model, x_test: Tensor, y_test: Tensor, likelihood: bool = False
) -> dict[str, float]:
    """Test-set metrics in nats per image: recon, kl, elbo (= recon + KL, beta 1), total, active
    units; with ``likelihood`` (the zoo's build) also :func:`likelihood_metrics` (about 2 min)."""
    beta = model.config.beta if model.config.kind != "ae" else 0.0
    t = evaluate(model, x_test, y_test, beta)
    m = {
        "test_recon": float(t.recon.mean()),
        "test_kl": float(t.kl.mean()),
        "test_elbo": float((t.recon + t.kl).mean()),
        "test_total": float(t.total.mean()),
    }
    mu, logvar = arrays.encode(model, x_test, y_test)  # (N, d), (N, d) or None (AE)
    if logvar is not None:  # a VAE: active units and the likelihood bound
        m["active_units"] = float(active_units(mu)[0])
        if likelihood:
            m.update(likelihood_metrics(model, x_test, y_test))
    return m


def likelihood_metrics(model: Model, x_test: Tensor, y_test: Tensor) -> dict[str, float]:
    """The k = 1,000 importance-weighted bound and the one-sample ELBO on the same fixed
    stratified subset (``vae.likelihood``), in nats per image: their difference is the gap. Beside
    them, ``subset_iwae_k{k}`` for the smaller k of ``IWAE_CURVE_K`` (the same weights, in groups):
    the bound's climb from the ELBO (k = 1, a many-sample average) to k = 1,000."""
    from vae.likelihood import IWAE_CURVE_K, IWAE_K, iwae_bounds, stratified_subset

    idx = stratified_subset(y_test)
    xs, ys = x_test[idx], y_test[idx]
    t = evaluate(model, xs, ys, 1.0)
    bounds = iwae_bounds(model, xs, IWAE_K, IWAE_CURVE_K, ys)
    return {
        "subset_elbo": float((t.recon + t.kl).mean()),
        "subset_iwae": float(bounds[IWAE_K].mean()),
        "iwae_k": float(IWAE_K),
        "subset_images": float(len(idx)),
        **{f"subset_iwae_k{k}": float(bounds[k].mean()) for k in IWAE_CURVE_K},
    }


def kl_weight(beta: float, step: int, warmup_steps: int) -> float:
    """The KL term's weight at optimiser step ``step`` (0-based): beta, or during a warm-up of
    ``warmup_steps`` steps beta * step / warmup_steps, rising linearly from 0 (Bowman et al. 2016,
    Sonderby et al. 2016: the decoder learns to use the code before the KL term can switch it
    off)."""
    return beta if warmup_steps <= 0 or step >= warmup_steps else beta * step / warmup_steps


def _in_training_threads(run: Callable[..., TrainResult]) -> Callable[..., TrainResult]:
    """``run`` with torch set to ``train_cfg.threads`` intra-op threads, as before afterwards."""

    @functools.wraps(run)
    def wrapped(model_cfg: ModelConfig, train_cfg: TrainConfig, *args: Any, **kwargs: Any):
        prev_threads = torch.get_num_threads()
        torch.set_num_threads(train_cfg.threads)
        try:
            return run(model_cfg, train_cfg, *args, **kwargs)
        finally:
            torch.set_num_threads(prev_threads)

    return wrapped


def _snapshot(
    epoch: int,
    step: int,
    model: Model,
    opt: torch.optim.Optimizer,
    sched: object,
    shuffle: torch.Generator,
    history: dict[str, list[float]],
) -> TrainState:
    import copy

    return TrainState(
        epoch,
        step,
        copy.deepcopy(model.state_dict()),
        copy.deepcopy(opt.state_dict()),
        copy.deepcopy(sched.state_dict()),
        shuffle.get_state(),
        torch.get_rng_state(),  # type: ignore[attr-defined]
        {k: list(v) for k, v in history.items()},
    )


@_in_training_threads
def train(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    x_train: Tensor,
    y_train: Tensor,
    x_test: Tensor,
    y_test: Tensor,
    callback: Callable[[Progress], None] | None = None,
    progress_bar: bool = False,
    desc: str = "",
    resume: TrainState | None = None,
    until_epoch: int | None = None,
) -> TrainResult:
    """Train a fresh model, or continue ``resume`` (a :class:`TrainState` of the same configs and
    data), up to epoch ``until_epoch`` (default: the last); images are float (N, 1, 28, 28) in
    [0, 1], labels (N,) int64. A run continued from a state ends with the same weights as one run
    straight through."""
    if train_cfg.train_size is not None:
        x_train, y_train = x_train[: train_cfg.train_size], y_train[: train_cfg.train_size]
    n = len(x_train)
    torch.manual_seed(train_cfg.seed)  # weight init and reparameterization noise
    shuffle = torch.Generator().manual_seed(train_cfg.seed + 1)
    model = build_model(model_cfg)
    beta = model_cfg.beta if model_cfg.kind != "ae" else 0.0
    opt = torch.optim.Adam(model.parameters(), lr=train_cfg.lr)
    steps_per_epoch = math.ceil(n / train_cfg.batch_size)
    steps = steps_per_epoch * train_cfg.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps))
    )
    history = new_history()
    first_epoch, last_epoch = 1, min(until_epoch or train_cfg.epochs, train_cfg.epochs)
    if (
        resume is not None
    ):  # continue where a run stopped: the same weights, moments, schedule and noise
        model.load_state_dict(resume.model_state)
        opt.load_state_dict(resume.opt_state)
        sched.load_state_dict(resume.sched_state)
        shuffle.set_state(resume.shuffle_state)
        torch.set_rng_state(resume.noise_state)
        history = {k: list(v) for k, v in resume.history.items()}
        first_epoch = resume.epochs_done + 1
    bar = None
    if progress_bar:
        from tqdm import tqdm

        bar = tqdm(
            total=steps, desc=desc or model_cfg.kind, unit="step", leave=True, mininterval=10
        )
    start = time.perf_counter()
    step = 0 if resume is None else resume.step

    def report(**extra: Any) -> None:
        """Tell ``callback`` where the run is (the epoch and step at the time of the call)."""
        if callback is not None:
            callback(Progress(epoch, train_cfg.epochs, step, steps, history, model, **extra))

    for epoch in range(first_epoch, last_epoch + 1):
        t0 = time.perf_counter()
        model.train()
        sums = torch.zeros(3, dtype=torch.float64)
        lr = opt.param_groups[0]["lr"]
        for idx in torch.randperm(n, generator=shuffle).split(train_cfg.batch_size):
            xb, yb = x_train[idx], y_train[idx]  # (b, 1, 28, 28), (b,)
            logits, mu, logvar = model(xb, yb)
            terms = loss_terms(
                logits, xb, mu, logvar, kl_weight(beta, step, steps_per_epoch * train_cfg.kl_warmup)
            )
            loss = terms.total.mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            sums += torch.stack([t.detach().sum() for t in terms]).double()
            step += 1
            if bar is not None:
                bar.update(1)
            report(
                batch_recon=float(terms.recon.detach().mean()),
                batch_kl=float(terms.kl.detach().mean()),
            )
        test = mean_terms(evaluate(model, x_test, y_test, beta))
        for name, value in zip(TERMS, sums / n):
            history[f"train_{name}"].append(float(value))
        for name, value in zip(TERMS, test):
            history[f"test_{name}"].append(float(value))
        history["seconds"].append(time.perf_counter() - t0)
        history["lr"].append(lr)
        if bar is not None:
            bar.set_postfix(test_total=f"{history['test_total'][-1]:.2f}")
        report(
            epoch_done=True,
            snapshot=lambda e=epoch, s=step: _snapshot(e, s, model, opt, sched, shuffle, history),
        )
    if bar is not None:
        bar.close()
    state = (
        _snapshot(last_epoch, step, model, opt, sched, shuffle, history)
        if last_epoch < train_cfg.epochs
        else None
    )
    model.zero_grad(
        set_to_none=True
    )  # the trained model carries no gradients (as large as its weights)
    model.eval()
    metrics = final_metrics(model, x_test, y_test)
    return TrainResult(model, history, metrics, time.perf_counter() - start, state)
