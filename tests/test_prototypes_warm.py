"""Prototypes' warm-up job (``ui.lessons.prototypes.computed._warm``, queued by
``ui.server.warmup`` at the server's start): what the page shows for each offered model alone is
computed once, so a model switch decodes nothing and builds no table."""

from __future__ import annotations

import pytest

from tests.pageutil import need
from ui.lessons.prototypes import computed
from ui.page import model_calls
from ui.server import warmup

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_the_prototypes_lesson_registers_its_warm_up():
    assert "ui.lessons.prototypes.computed" in warmup.MODULES and computed._warm in warmup._jobs


def test_offered_models_are_the_vaes_of_three_dimensions_or_more_by_size():
    from vae import zoo

    names = computed.offered_models()
    assert names and all(
        zoo.entry(n).model.kind == "vae" and zoo.entry(n).model.latent_dim >= 3 for n in names
    )
    sizes = [(zoo.entry(n).model.latent_dim, zoo.entry(n).model.beta) for n in names]
    assert sizes == sorted(sizes)


def test_after_the_warm_up_a_model_switch_decodes_nothing(monkeypatch):
    names = computed.offered_models()[:2]
    need(*names)
    monkeypatch.setattr(computed, "offered_models", lambda: names)  # two models: less CPU
    decoded = []
    decode = model_calls.decode
    monkeypatch.setattr(
        model_calls, "decode", lambda name, z, y=None: decoded.append(name) or decode(name, z, y)
    )
    computed._warm()
    assert sorted(decoded) == sorted(names * 2)  # prototypes and medoids, once per model
    decoded.clear()
    for name in names:  # what the page asks for at a model switch
        key = model_calls.model_key(name)
        view = computed.model_view(key)
        assert view["decoded"].shape == (10, 28, 28)
        assert len(computed.activation_table(key, None)) > 0
        assert computed.sampled_prototypes(key, 0).shape == view["proto_mu"].shape
    assert decoded == []
