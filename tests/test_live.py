"""Unit tests of vae.live: the settings, the test-set split, the session guard and a short live
training run on cached test images (no streamlit)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from vae import arrays, live
from vae.artefacts import load_test_set
from vae.config import ModelConfig
from vae.train import Progress, train


@pytest.fixture(scope="module")
def test_set():
    images, labels = load_test_set()
    images.setflags(write=False)  # like the app's cached arrays
    labels.setflags(write=False)
    return images, labels


def test_settings_validate_and_configs():
    s = live.LiveSettings()
    assert (s.latent_dim, s.beta, s.train_size, s.epochs, s.batch_size) == (2, 1.0, 4000, 3, 32)
    assert s.steps() == 125 * 3
    assert s.model_config() == ModelConfig(kind="vae", latent_dim=2, beta=1.0)
    tc = s.train_config(threads=1)
    assert (tc.epochs, tc.batch_size, tc.train_size, tc.threads) == (3, 32, 4000, 1)
    for bad in (
        {"latent_dim": 3},
        {"beta": 0.7},
        {"train_size": 0},
        {"train_size": 8001},
        {"epochs": 0},
        {"epochs": 21},
        {"batch_size": 0},
    ):
        with pytest.raises(ValueError):
            live.LiveSettings(**bad)
    assert "β = 0.5" in live.LiveSettings(beta=0.5).label()


def test_split_uses_test_images_without_overlap(test_set):
    images, labels = test_set
    x_tr, y_tr, x_ho, y_ho = live.split_test_set(images, labels, 8000)
    assert x_tr.shape == (8000, 1, 28, 28) and y_tr.shape == (8000,)
    assert x_ho.shape == (live.HELDOUT, 1, 28, 28) and y_ho.shape == (live.HELDOUT,)
    assert x_tr.dtype == torch.float32 and float(x_tr.max()) <= 1.0
    held, order = live.split_indices(labels)
    assert len(held) == live.HELDOUT and len(order) == len(labels) - live.HELDOUT
    assert not set(held) & set(order) and set(held) | set(order) == set(
        range(len(labels))
    )  # a partition
    np.testing.assert_array_equal(x_ho[:, 0].numpy(), images[held] / np.float32(255))
    np.testing.assert_array_equal(y_ho.numpy(), labels[held])
    np.testing.assert_array_equal(y_tr.numpy(), labels[order[:8000]])
    # stratified: each digit held out in proportion to its share of the test set (within one image)
    share = np.bincount(labels, minlength=10) / len(labels)
    assert np.abs(np.bincount(labels[held], minlength=10) - live.HELDOUT * share).max() < 1
    assert (
        held.min() < 1000 and held.max() > 9000
    )  # spread over the whole set, not its last writers
    x_tr[0] += 1  # copies: the read-only cache is untouched
    assert images[0].max() <= 255
    xf = images.astype(np.float32) / 255
    _, _, xh2, _ = live.split_test_set(xf, labels, 10)
    assert torch.equal(xh2, x_ho)
    xh3, yh3 = live.heldout_set(xf, labels)  # NumPy: the page shows them without torch
    np.testing.assert_array_equal(xh3, x_ho.numpy())
    np.testing.assert_array_equal(yh3, y_ho.numpy())
    with pytest.raises(ValueError):
        live.split_test_set(images, labels, 8001)
    with pytest.raises(ValueError):
        live.split_test_set(images[:100], labels[:100], 10)


def test_training_session_guard():
    sess = live.TrainingSession()
    s = live.LiveSettings(train_size=256, epochs=1)
    assert not sess.busy and not sess.recover()
    assert sess.request(s) and sess.busy
    assert not sess.request(live.LiveSettings())  # one at a time
    with pytest.raises(RuntimeError):
        live.TrainingSession().begin()  # nothing requested
    rid = sess.begin()
    assert rid == 1 and sess.running == s and sess.pending is None and sess.run_id == 1
    sess.check(rid)  # current: no exception
    with pytest.raises(RuntimeError):
        sess.begin()
    assert sess.finish(rid, None)  # interrupted: the flag is cleared, the run reported once
    assert not sess.busy and sess.model is None
    assert sess.take_interrupted() == s and sess.take_interrupted() is None
    fake = dataclasses.make_dataclass("R", ["model", "history", "metrics", "seconds"])
    sess.request(s)
    rid = sess.begin()
    assert sess.finish(rid, fake("m", {"train_recon": [1.0]}, {"test_elbo": 2.0}, 3.0))
    assert sess.settings == s and sess.model == "m" and sess.metrics == {"test_elbo": 2.0}
    assert sess.seconds == 3.0 and sess.take_interrupted() is None and not sess.busy


def test_training_session_fast_rerun_supersedes_the_old_run():
    """Streamlit starts the next script run before the interrupted one unwinds: the new run
    clears the stale flag, and the old run can neither stop nor overwrite what comes next."""
    sess = live.TrainingSession()
    s1, s2 = (
        live.LiveSettings(train_size=256, epochs=1),
        live.LiveSettings(train_size=500, epochs=2),
    )
    sess.request(s1)
    old = sess.begin()
    assert sess.recover() and not sess.busy  # the new script run
    assert sess.take_interrupted() == s1
    with pytest.raises(live.Superseded):
        sess.check(old)  # the old thread's next training step stops it
    sess.request(s2)  # the learner starts again at once
    new = sess.begin()
    assert not sess.finish(old, None)  # the old run's `finally` changes nothing
    assert sess.running == s2 and sess.take_interrupted() is None
    sess.check(new)
    fake = dataclasses.make_dataclass("R", ["model", "history", "metrics", "seconds"])
    assert not sess.finish(old, fake("old", {}, {}, 1.0))
    assert sess.finish(new, fake("new", {}, {}, 2.0))
    assert sess.model == "new" and sess.settings == s2 and not sess.busy


def test_one_per_digit():
    y = np.array([3, 1, 3, 0, 9, 1])
    assert list(live.one_per_digit(y)) == [3, 1, 0, 4]


def test_short_live_training_run(test_set):
    """What the page does: split, train with a callback, store in the session, measure held-out."""
    images, labels = test_set
    s = live.LiveSettings(latent_dim=2, beta=1.0, train_size=256, epochs=2, batch_size=64)
    x_tr, y_tr, x_ho, y_ho = live.split_test_set(images, labels, s.train_size)
    seen: list[Progress] = []
    sess = live.TrainingSession()
    sess.request(s)
    rid = sess.begin()
    run = sess.running
    result = None

    def callback(p: Progress) -> None:
        sess.check(rid)
        seen.append(p)

    try:
        result = train(
            run.model_config(),
            run.train_config(live.THREADS),
            x_tr,
            y_tr,
            x_ho,
            y_ho,
            callback=callback,
        )
    finally:
        sess.finish(rid, result)
    assert not sess.busy and sess.settings == s and sess.model is result.model
    assert [p.epoch for p in seen if p.epoch_done] == [1, 2]
    assert seen[-1].step == seen[-1].steps == s.steps() == 8
    assert all(len(v) == 2 for v in sess.history.values())
    assert torch.get_num_threads() >= 1
    m = live.heldout_metrics(sess.model, x_ho, y_ho)
    assert all(math.isfinite(v) for v in m.values())
    assert m["elbo"] == pytest.approx(m["recon"] + m["kl"], rel=1e-5)
    assert m["elbo"] == pytest.approx(sess.metrics["test_elbo"], rel=1e-5)  # same seed, same set
    assert m["elbo"] < 784 * math.log(2)  # better than a coin-flip decoder
    mu = arrays.posterior_means(sess.model, x_ho)
    assert mu.shape == (live.HELDOUT, 2) and np.isfinite(mu).all()
    rec = arrays.reconstructions(sess.model, x_ho[:10])
    assert rec.shape == (10, 28, 28) and 0 <= rec.min() and rec.max() <= 1
    assert not sess.model.training


def test_superseded_run_stops_at_the_next_step(test_set):
    images, labels = test_set
    s = live.LiveSettings(train_size=256, epochs=3, batch_size=64)
    x_tr, y_tr, x_ho, y_ho = live.split_test_set(images, labels, s.train_size)
    sess = live.TrainingSession()
    sess.request(s)
    rid = sess.begin()
    steps: list[int] = []

    def callback(p: Progress) -> None:
        sess.check(rid)
        steps.append(p.step)
        if p.step == 2:
            sess.recover()  # a newer script run takes over

    threads = torch.get_num_threads()
    with pytest.raises(live.Superseded):
        train(s.model_config(), s.train_config(1), x_tr, y_tr, x_ho, y_ho, callback=callback)
    assert steps == [1, 2] and torch.get_num_threads() == threads
    assert not sess.finish(rid, None) and not sess.busy


def test_a_paused_run_continues_where_it_stopped(test_set):
    """Pause (a rerun while training) keeps the last finished epoch; one more epoch, then the rest,
    end with the weights of a run straight through; a run stopped in its first epoch keeps
    nothing."""
    images, labels = test_set
    s = live.LiveSettings(train_size=256, epochs=3, batch_size=128)
    x_tr, y_tr, x_ho, y_ho = live.split_test_set(images, labels, s.train_size)
    straight = train(s.model_config(), s.train_config(1), x_tr, y_tr, x_ho, y_ho)

    sess = live.TrainingSession()
    sess.request(s)
    rid = sess.begin()
    seen = []

    def cb(p):
        if p.epoch_done:
            sess.epoch_done(rid, p.snapshot())
            seen.append(p.epoch)
            if p.epoch == 1:
                raise KeyboardInterrupt  # the learner presses Pause: the script run is stopped

    with pytest.raises(KeyboardInterrupt):
        train(s.model_config(), s.train_config(1), x_tr, y_tr, x_ho, y_ho, callback=cb)
    assert sess.recover() and sess.paused is not None and sess.paused.epochs_done == 1
    assert sess.take_interrupted() is None and sess.adopt_pause((x_ho, y_ho))
    assert len(sess.history["test_total"]) == 1 and "test_elbo" in sess.metrics
    assert sess.request_continue(epochs=1)  # one more epoch
    rid = sess.begin()
    r = train(
        s.model_config(),
        s.train_config(1),
        x_tr,
        y_tr,
        x_ho,
        y_ho,
        resume=sess.resume,
        until_epoch=sess.until,
    )
    assert sess.finish(rid, r) and sess.paused is not None and sess.paused.epochs_done == 2
    assert sess.request_continue()  # and the rest
    rid = sess.begin()
    r = train(
        s.model_config(),
        s.train_config(1),
        x_tr,
        y_tr,
        x_ho,
        y_ho,
        resume=sess.resume,
        until_epoch=sess.until,
    )
    assert sess.finish(rid, r) and sess.paused is None and len(sess.runs) == 1
    for a, b in zip(straight.model.state_dict().values(), sess.model.state_dict().values()):
        assert torch.equal(a, b)

    sess.request(s)
    rid = sess.begin()
    assert (
        sess.finish(rid, None) and sess.paused is None and sess.take_interrupted() == s
    )  # nothing finished
