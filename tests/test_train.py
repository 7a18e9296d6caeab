"""Tiny seeded training runs on 256 MNIST images (a few seconds each on one thread)."""

from __future__ import annotations

import math

import pytest
import torch

from vae.config import ModelConfig, TrainConfig
from vae.models import AE, CVAE, VAE
from vae.train import Progress, TrainResult, evaluate, history_frame, new_history, train

N_TRAIN = 256


@pytest.fixture(scope="module")
def split(mnist_small):
    x, y = mnist_small
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]  # 256 train, 256 test


def _run(split, model_cfg=None, epochs=3, seed=0, callback=None, kl_warmup=0) -> TrainResult:
    xtr, ytr, xte, yte = split
    model_cfg = model_cfg or ModelConfig(latent_dim=2)
    tc = TrainConfig(
        epochs=epochs, batch_size=64, seed=seed, train_size=N_TRAIN, kl_warmup=kl_warmup
    )
    return train(model_cfg, tc, xtr, ytr, xte, yte, callback=callback)


@pytest.fixture(scope="module")
def run_a(split) -> TrainResult:
    return _run(split)


def test_loss_decreases_and_history_complete(run_a):
    h = run_a.history
    assert set(h) == set(new_history())
    assert all(len(v) == 3 for v in h.values()), {k: len(v) for k, v in h.items()}
    assert h["train_total"][2] < h["train_total"][0]
    assert h["test_total"][2] < h["test_total"][0]
    assert all(math.isfinite(v) for vs in h.values() for v in vs)
    for split_ in ("train", "test"):  # beta 1: total = recon + kl
        for r, k, t in zip(h[f"{split_}_recon"], h[f"{split_}_kl"], h[f"{split_}_total"]):
            assert t == pytest.approx(r + k, rel=1e-5)
    assert h["lr"][0] == pytest.approx(2e-3)
    assert h["lr"][0] > h["lr"][1] > h["lr"][2] > 0  # cosine schedule


def test_result_model_and_metrics(run_a, split):
    assert isinstance(run_a.model, VAE) and not run_a.model.training
    m = run_a.metrics
    for k in ("test_recon", "test_kl", "test_elbo", "test_total", "active_units"):
        assert k in m and math.isfinite(m[k]), k
    assert m["test_elbo"] == pytest.approx(m["test_recon"] + m["test_kl"], rel=1e-5)
    assert 0 <= m["active_units"] <= 2
    assert 0 < m["test_recon"] < 544  # below the 784 * log 2 of a coin-flip decoder
    assert run_a.seconds > 0


def test_same_seed_is_bit_identical(run_a, split):
    run_b = _run(split)
    sa, sb = run_a.model.state_dict(), run_b.model.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    assert run_a.history["train_total"] == run_b.history["train_total"]


def test_different_seed_differs(run_a, split):
    run_c = _run(split, epochs=1, seed=1)
    run_a1 = _run(split, epochs=1, seed=0)
    sa, sc = run_a1.model.state_dict(), run_c.model.state_dict()
    assert any(not torch.equal(sa[k], sc[k]) for k in sa)


def test_kl_weight_rises_linearly_during_the_warm_up():
    from vae.train import kl_weight

    assert [kl_weight(2.0, s, 4) for s in range(6)] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.0]
    assert (
        kl_weight(1.0, 0, 0) == 1.0 and kl_weight(0.5, 10, 0) == 0.5
    )  # no warm-up: beta from the first step


def test_kl_warm_up_weights_the_kl_term_less_in_its_epochs(run_a, split):
    """Two warm-up epochs of three: the logged training loss weights KL by less than 1 in the first
    (recon <= total < recon + kl), by 1 in the last; the run differs from one without warm-up."""
    warm = _run(split, kl_warmup=2)
    h = warm.history
    assert h["train_recon"][0] <= h["train_total"][0] < h["train_recon"][0] + h["train_kl"][0]
    assert h["train_total"][2] == pytest.approx(h["train_recon"][2] + h["train_kl"][2], rel=1e-5)
    sa, sw = run_a.model.state_dict(), warm.model.state_dict()
    assert any(not torch.equal(sa[k], sw[k]) for k in sa)
    with pytest.raises(ValueError, match="kl_warmup"):
        TrainConfig(epochs=3, kl_warmup=4)


def test_restores_thread_count(split):
    before = torch.get_num_threads()
    _run(split, epochs=1)
    assert torch.get_num_threads() == before


def test_callback_progress(split):
    seen: list[Progress] = []
    _run(split, epochs=2, callback=seen.append)
    assert all(isinstance(p, Progress) for p in seen)
    done = [p for p in seen if p.epoch_done]
    assert [p.epoch for p in done] == [1, 2]
    steps = 2 * math.ceil(N_TRAIN / 64)
    assert all(p.steps == steps and p.epochs == 2 for p in seen)
    step_calls = [p for p in seen if not p.epoch_done]
    assert [p.step for p in step_calls] == list(range(1, steps + 1))
    assert done[-1].step == steps
    # history grows by one entry per completed epoch
    assert len(done[-1].history["train_total"]) == 2


@pytest.mark.parametrize("kind,cls", [("ae", AE), ("cvae", CVAE)])
def test_other_kinds_train(split, kind, cls):
    res = _run(split, ModelConfig(kind=kind, latent_dim=2), epochs=1)
    assert isinstance(res.model, cls)
    assert all(len(v) == 1 for v in res.history.values())
    assert math.isfinite(res.history["train_total"][0])
    assert math.isfinite(res.metrics["test_elbo"])
    if kind == "ae":
        assert res.history["train_kl"][0] == 0.0
        assert res.metrics["test_kl"] == 0.0
        assert "active_units" not in res.metrics


def test_evaluate_is_seeded(run_a, split):
    _, _, xte, yte = split
    a = evaluate(run_a.model, xte[:50], yte[:50], beta=1.0, seed=5)
    b = evaluate(run_a.model, xte[:50], yte[:50], beta=1.0, seed=5, batch_size=16)
    for t, u in zip(a, b):
        assert t.shape == (50,)
    torch.testing.assert_close(a.kl, b.kl)  # KL does not depend on the noise
    c = evaluate(run_a.model, xte[:50], yte[:50], beta=1.0, seed=5)
    assert all(torch.equal(t, u) for t, u in zip(a, c))


def test_trained_model_carries_no_gradients(run_a):
    """A live run's model stays in its learner's session: its gradients (as large as the weights)
    are dropped, so five sessions with a model cost 5 x 7 MB, not 5 x 14 MB."""
    assert all(p.grad is None for p in run_a.model.parameters())


def test_history_frame():
    h = {
        "train_recon": [150.0, 140.0],
        "test_recon": [151.0, 141.0],
        "train_kl": [3.0, 4.0],
        "test_kl": [3.5, 4.5],
        "lr": [1e-3, 5e-4],
    }
    f = history_frame(h)
    assert list(f.columns) == ["epoch", "term", "split", "nats"]
    assert len(f) == 8
    assert set(f["term"]) == {"reconstruction", "KL"} and set(f["split"]) == {"train", "test"}
    assert f[(f.term == "KL") & (f.split == "test") & (f.epoch == 2)]["nats"].item() == 4.5
    assert history_frame({}).empty
    assert history_frame(new_history()).empty
    named = history_frame(h, split_names={"train": "training", "test": "held-out"})
    assert set(named["split"]) == {"training", "held-out"}
    row = named[(named["epoch"] == 2) & (named["term"] == "KL") & (named["split"] == "held-out")]
    assert float(row["nats"].iloc[0]) == 4.5
    assert set(history_frame(h, terms=("total",))["term"]) <= {"total"}


def test_a_run_continued_from_its_state_ends_with_the_same_weights():
    """Pause and step: two epochs, then the third from the stored state, equal one run of three."""
    from vae.config import ModelConfig, TrainConfig
    from vae.train import train

    g = torch.Generator().manual_seed(0)
    x = (torch.rand(96, 1, 28, 28, generator=g) > 0.7).float()
    y = torch.randint(0, 10, (96,), generator=g)
    mc, tc = (
        ModelConfig(kind="vae", latent_dim=2, beta=1.0),
        TrainConfig(epochs=3, batch_size=32, seed=3, threads=1),
    )
    straight = train(mc, tc, x, y, x[:32], y[:32])
    assert straight.state is None  # ran to the end: nothing to continue
    first = train(mc, tc, x, y, x[:32], y[:32], until_epoch=2)
    assert (
        first.state is not None
        and first.state.epochs_done == 2
        and len(first.history["test_total"]) == 2
    )
    rest = train(mc, tc, x, y, x[:32], y[:32], resume=first.state)
    for a, b in zip(straight.model.state_dict().values(), rest.model.state_dict().values()):
        assert torch.equal(a, b)
    assert rest.history["test_total"] == straight.history["test_total"]
    assert rest.state is None
