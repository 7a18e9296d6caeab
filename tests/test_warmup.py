"""ui.server.warmup: per-model numbers computed once per server, queued in the background by the
prefetcher (ui.server.prefetch)."""

from __future__ import annotations

import importlib
import threading

from ui.server import prefetch, warmup


def test_warmup_queues_each_job_once_and_only_with_the_background_prefetcher(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "_jobs", [])
    monkeypatch.setattr(warmup, "MODULES", ())
    monkeypatch.setattr(warmup, "_started", threading.Event())
    monkeypatch.setattr(
        prefetch, "later", lambda fn, *a, idle=False, warm=False: calls.append((fn, warm))
    )
    job = lambda: None  # noqa: E731
    warmup.register(job)
    warmup.register(job)
    monkeypatch.setattr(prefetch, "mode", lambda: "off")
    assert warmup.start() is False and calls == []
    monkeypatch.setattr(prefetch, "mode", lambda: "background")
    assert warmup.start() is True and calls == [(job, True)]
    assert warmup.start() is False and len(calls) == 1  # once per process


def test_the_warmup_modules_register_their_jobs():
    for module in warmup.MODULES:
        importlib.import_module(module)
    assert warmup._jobs, "no module registered a warm-up job"
