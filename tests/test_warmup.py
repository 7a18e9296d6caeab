"""ui.server.warmup: per-model numbers computed once per server, queued in the background by the
prefetcher (ui.server.prefetch)."""

from __future__ import annotations

import importlib
import threading

from ui.server import memory, prefetch, warmup


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
    # the jobs in order, then the heap frozen once they have run
    assert warmup.start() is True and calls == [(job, True), (memory.freeze_heap, True)]
    assert warmup.start() is False and len(calls) == 2  # once per process


def test_warm_jobs_draw_for_the_light_normal_view_whoever_starts_the_server(monkeypatch):
    from ui.draw import render

    queued = []
    monkeypatch.setattr(warmup, "_jobs", [lambda: None])
    monkeypatch.setattr(warmup, "MODULES", ())
    monkeypatch.setattr(warmup, "_started", threading.Event())
    monkeypatch.setattr(prefetch, "mode", lambda: "background")
    monkeypatch.setattr(
        prefetch,
        "later",
        lambda fn, *a, idle=False, warm=False: queued.append((render.theme(), render.presenting())),
    )
    with render.as_theme("dark"), render.as_present(True):  # a teacher in presenter mode, dark
        assert warmup.start() is True
    assert queued == [("light", False)] * 2  # the job and the heap's freeze


def test_the_warmup_modules_register_their_jobs():
    for module in warmup.MODULES:
        importlib.import_module(module)
    assert warmup._jobs, "no module registered a warm-up job"


def test_the_heap_is_frozen_once_so_full_collections_skip_what_the_warm_up_loaded(monkeypatch):
    import gc

    monkeypatch.setattr(memory, "_frozen", threading.Event())
    before = gc.get_freeze_count()
    try:
        assert memory.freeze_heap() is True
        # the objects alive now are out of the collector's way
        assert gc.get_freeze_count() > before
        assert memory.freeze_heap() is False  # once per process
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
