"""The background prefetcher (ui/prefetch.py): jobs run in the asking theme and mode, a job asked
while it waits is queued once, errors are logged as warnings (and re-raised in sync mode), idle jobs
wait for the others, the worker ends when idle and a stopped prefetcher takes no jobs; every page's
jobs run without error; on the Grid page every grid size's mosaics are drawn before the slider
moves, on the KL page the neighbouring rungs'."""

from __future__ import annotations

import threading
import time

import pytest

from tests.pageutil import app, assert_ok, need
from ui.draw import render
from ui.server import prefetch


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "1")
    assert prefetch.wait_idle(60)
    yield
    assert prefetch.wait_idle(60)


def test_jobs_run_in_the_background_with_the_theme_and_mode(on):
    seen = []

    def job(tag: str) -> None:
        seen.append((tag, render.theme(), render.presenting(), threading.current_thread().name))

    with render.as_theme("dark"), render.as_present(True):
        prefetch.later(job, "a")
        assert prefetch.wait_idle(30)
        prefetch.later(job, "b")
        assert prefetch.wait_idle(30)
    assert seen == [
        ("a", "dark", True, "latent-lab-prefetch"),
        ("b", "dark", True, "latent-lab-prefetch"),
    ]


def test_a_job_asked_while_it_waits_is_queued_once_and_nothing_remembers_finished_jobs():
    """No bookkeeping that can disagree with the caches: a finished job asked again runs again
    (for a real job, a cheap cache hit; after a cache eviction, a real redraw)."""
    p = prefetch.Prefetcher(name="test-prefetch-once")
    seen, gate = [], threading.Event()

    def hold() -> None:
        gate.wait(30)  # keeps the worker busy while the rest is queued

    def job(tag: str) -> None:
        seen.append(tag)

    p.submit(hold)
    for _ in range(3):
        p.submit(job, "x")
    gate.set()
    assert p.wait_idle(30) and seen == ["x"]
    p.submit(job, "x")
    assert p.wait_idle(30) and seen == ["x", "x"]
    p.stop()


def test_lifecycle_worker_ends_when_idle_and_a_stopped_prefetcher_takes_no_jobs():
    p = prefetch.Prefetcher(name="test-prefetch-life")
    seen = []

    def job(v: int) -> None:
        seen.append(v)

    p.submit(job, 1)
    assert p.wait_idle(30)
    assert p._worker is None and not any(
        t.name == "test-prefetch-life" for t in threading.enumerate()
    )
    p.stop()
    p.submit(job, 2)
    assert p.wait_idle(5) and seen == [1]


def test_sync_mode_runs_at_once_and_reraises(monkeypatch):
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "sync")
    seen = []
    with render.as_theme("dark"):
        prefetch.later(lambda: seen.append((render.theme(), threading.current_thread().name)))
    assert seen == [("dark", threading.current_thread().name)]

    def bad() -> None:
        raise RuntimeError("a broken job")

    with pytest.raises(RuntimeError, match="a broken job"):
        prefetch.later(bad)


def test_a_failing_job_is_a_warning_and_does_not_stop_the_worker(on, caplog):
    seen = []

    def bad() -> None:
        raise RuntimeError("a missing model, say")

    def good() -> None:
        seen.append(1)

    with caplog.at_level("WARNING", logger="ui.server.prefetch"):
        prefetch.later(bad)
        prefetch.later(good)
        assert prefetch.wait_idle(30)
    assert seen == [1]
    assert any(r.levelname == "WARNING" and "bad" in r.getMessage() for r in caplog.records)


def test_switched_off_it_does_nothing(monkeypatch):
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "0")
    seen = []
    prefetch.later(lambda: seen.append(1))
    assert prefetch.wait_idle(5) and seen == []


def test_idle_jobs_wait_for_the_others(on):
    seen = []
    gate = threading.Event()

    def hold() -> None:
        gate.wait(30)  # keeps the worker busy while the rest is queued

    def job(tag: str) -> None:
        seen.append(tag)

    prefetch.later(hold)
    prefetch.later(job, "far", idle=True)
    prefetch.later(job, "near", idle=True)
    prefetch.later(job, "next")
    gate.set()
    assert prefetch.wait_idle(30)
    assert seen == ["next", "near", "far"]  # other jobs first; then the newest idle job first


@pytest.mark.slow
def test_grid_page_draws_the_whole_size_range_ahead(on, monkeypatch):
    """After the page ran at n = 15 (with a range of its own, so nothing comes from another
    test's cache), the worker decodes n = 14 and 16 and then every other size; moving the slider
    to 16, or jumping to 30, then decodes nothing and converts no chart anew."""
    from ui.page import model_calls

    need("vae-2d", "ae-2d")
    at = app("pages/03_Grid_vs_ppf.py", {"grid_lo": "-2.7", "grid_hi": "2.9", "grid_p": "0.02"})
    assert at.slider(key="grid_n").value == 15
    assert prefetch.wait_idle(180)
    monkeypatch.setenv(
        "LATENT_LAB_PREFETCH", "0"
    )  # nothing more in the background: count these runs only
    work = []
    real_decode, real_spec = model_calls.decode, render._to_spec
    monkeypatch.setattr(
        model_calls, "decode", lambda *a, **k: work.append("decode") or real_decode(*a, **k)
    )
    monkeypatch.setattr(render, "_to_spec", lambda chart: work.append("spec") or real_spec(chart))
    for n in (16, 30, 5):
        at.slider(key="grid_n").set_value(n).run()
        assert_ok(at)
        assert f"of the {n * n} linear-grid points" in " ".join(m.value for m in at.markdown)
    assert work == []


@pytest.mark.slow
def test_kl_page_draws_the_next_rung_ahead(on, monkeypatch):
    """After the page ran at β = 1, the worker builds the figures and charts of β = 0.5 and 2;
    moving the slider to 2 then draws no figure and converts no chart anew."""
    from vae import zoo

    need(*(zoo.beta_name(2, b) for b in (0.5, 1.0, 2.0)))
    at = app("pages/02_KL_weighting.py")
    assert at.select_slider(key="kl_beta").value == 1.0
    assert prefetch.wait_idle(120)
    monkeypatch.setenv(
        "LATENT_LAB_PREFETCH", "0"
    )  # nothing more in the background: count this run only
    built = []
    real_png, real_spec = render.to_png, render._to_spec
    monkeypatch.setattr(render, "to_png", lambda fig: built.append("png") or real_png(fig))
    monkeypatch.setattr(render, "_to_spec", lambda chart: built.append("spec") or real_spec(chart))
    at.select_slider(key="kl_beta").set_value(2.0).run()
    assert_ok(at)
    assert "What `vae-2d-beta2` decodes" in " ".join(s.value for s in at.subheader)
    assert built == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "page, params",
    [
        ("pages/02_KL_weighting.py", {}),
        ("pages/03_Grid_vs_ppf.py", {"grid_n": "6"}),
        ("pages/04_Prototypes.py", {}),
    ],
)
def test_every_page_job_runs_without_error(page, params, monkeypatch):
    """In sync mode each job a page asks for runs inside the page's run: an error in one fails
    it."""
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "sync")
    calls = []
    real = prefetch.Prefetcher.run_now
    monkeypatch.setattr(
        prefetch.Prefetcher,
        "run_now",
        staticmethod(lambda fn, *a: calls.append(fn) or real(fn, *a)),
    )
    at = app(page, params)
    assert_ok(at)
    assert calls, f"{page} asked for no background work"


def test_the_worker_waits_while_the_process_is_busy(on, monkeypatch):
    """A job starts only once the other threads leave the core (the server is not busy)."""
    busy = threading.Event()
    busy.set()
    checks = []

    def fake_busy(window_s: float = prefetch.BUSY_WINDOW_S) -> bool:
        checks.append(busy.is_set())
        time.sleep(0.01)
        return busy.is_set()

    monkeypatch.setattr(prefetch, "server_busy", fake_busy)
    seen = []
    p = prefetch.Prefetcher(name="test-busy")
    p.submit(seen.append, "x")
    time.sleep(0.2)
    assert seen == [] and checks and all(checks)  # held back while busy
    busy.clear()
    assert p.wait_idle(10) and seen == ["x"]


def test_server_busy_measures_the_other_threads():
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(1000))

    assert not prefetch.server_busy(0.2)  # only this (sleeping) thread
    t = threading.Thread(target=spin)
    t.start()
    try:
        assert prefetch.server_busy(0.3)  # another thread at a full core
    finally:
        stop.set()
        t.join()


def test_warm_jobs_are_never_dropped_and_run_in_order_after_asked_ones(on, monkeypatch):
    monkeypatch.setattr(prefetch, "server_busy", lambda window_s=0.0: False)
    seen = []
    gate = threading.Event()
    p = prefetch.Prefetcher(max_pending=2, max_idle=2, name="test-warm")
    p.submit(lambda: gate.wait(5))  # holds the worker while the queues fill
    for k in range(5):
        p.submit(seen.append, f"warm{k}", warm=True)
    for k in range(5):
        p.submit(seen.append, f"idle{k}", idle=True)  # only the last two idle guesses are kept
    p.submit(seen.append, "asked")
    gate.set()
    assert p.wait_idle(10)
    assert seen == ["asked", "warm0", "warm1", "warm2", "warm3", "warm4", "idle4", "idle3"]
