"""The background prefetch worker (ui/prefetch.py): jobs run once, in the asking theme, errors are
swallowed, idle jobs wait for the others; on the Grid page every grid size's mosaics are drawn before
the slider moves, on the KL page the neighbouring rungs'."""
from __future__ import annotations

import threading

import pytest

from pageutil import app, assert_ok, need
from ui import charts, prefetch


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "1")
    assert prefetch.wait_idle(60)
    yield
    assert prefetch.wait_idle(60)


def test_jobs_run_in_the_background_once_with_the_theme(on):
    seen = []

    def job(tag: str) -> None:
        seen.append((tag, charts.theme(), threading.current_thread().name))

    with charts.as_theme("dark"):
        prefetch.later(job, "a")
        assert prefetch.wait_idle(30)
        prefetch.later(job, "a")  # done already: not queued again
        prefetch.later(job, "b")
        assert prefetch.wait_idle(30)
    assert seen == [("a", "dark", "latent-lab-prefetch"), ("b", "dark", "latent-lab-prefetch")]


def test_a_failing_job_does_not_stop_the_worker(on):
    seen = []

    def bad() -> None:
        raise RuntimeError("a missing model, say")

    def good() -> None:
        seen.append(1)

    prefetch.later(bad)
    prefetch.later(good)
    assert prefetch.wait_idle(30)
    assert seen == [1]


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
    from ui import common

    need("vae-2d", "ae-2d")
    at = app("pages/03_Grid_vs_ppf.py", {"lo": "-2.7", "hi": "2.9", "p": "0.02"})
    assert at.slider(key="grid_n").value == 15
    assert prefetch.wait_idle(180)
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "0")  # nothing more in the background: count these runs only
    work = []
    real_decode, real_spec = common.decode, charts._to_spec
    monkeypatch.setattr(common, "decode", lambda *a, **k: work.append("decode") or real_decode(*a, **k))
    monkeypatch.setattr(charts, "_to_spec", lambda chart: work.append("spec") or real_spec(chart))
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
    monkeypatch.setenv("LATENT_LAB_PREFETCH", "0")  # nothing more in the background: count this run only
    built = []
    real_png, real_spec = charts.to_png, charts._to_spec
    monkeypatch.setattr(charts, "to_png", lambda fig: built.append("png") or real_png(fig))
    monkeypatch.setattr(charts, "_to_spec", lambda chart: built.append("spec") or real_spec(chart))
    at.select_slider(key="kl_beta").set_value(2.0).run()
    assert_ok(at)
    assert "Latent codes at β = 2" in " ".join(s.value for s in at.subheader)
    assert built == []
