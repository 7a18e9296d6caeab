"""Train it yourself's warm-up job (``ui.lessons.training.live_view._warm``, queued by
``ui.server.warmup`` at the server's start): the held-out metrics of every pretrained model a run
can be compared with are read once, from the numbers ``vae.build`` stored
(``vae.stored_numbers``), so neither the warm-up nor choosing a latent size or β evaluates a
model (or imports torch)."""

from __future__ import annotations

import pytest

from tests.pageutil import need
from ui.lessons.training import live_view
from ui.server import warmup
from vae import artefacts, live, stored_numbers

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_the_training_lesson_registers_its_warm_up():
    assert "ui.lessons.training.live_view" in warmup.MODULES and live_view._warm in warmup._jobs


def test_after_the_warm_up_every_comparison_is_there_and_nothing_was_measured(monkeypatch):
    names = sorted(
        {live_view.pretrained_for(d, b)[0] for d in live.LATENT_DIMS for b in live.BETAS}
    )
    assert "vae-2d" in names and "vae-10d" in names
    monkeypatch.setattr(live, "BETAS", (0.0, 1.0))  # two models: the same job, less CPU
    monkeypatch.setattr(live, "LATENT_DIMS", (2,))
    warm = {live_view.pretrained_for(2, b)[0] for b in (0.0, 1.0)}
    need(*warm)
    measured = []
    metrics = live.heldout_metrics
    monkeypatch.setattr(
        live, "heldout_metrics", lambda model, x, y: measured.append(1) or metrics(model, x, y)
    )
    live_view._warm()
    assert measured == []  # read from cache/numbers, not measured
    for b in (0.0, 1.0):
        name = live_view.pretrained_for(2, b)[0]
        m = live_view.pretrained_heldout(name)
        assert m == stored_numbers.heldout(artefacts.load_numbers(name))
    assert measured == [] and len(warm) == 2
