"""ui.server.run_gate: page runs take turns (at most LIMIT at once), a run gives its slot back while
it waits in the heavy queue or trains, and every slot comes back when its run ends, however it
ends."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from ui.server import env_count, heavy_queue, run_gate, training_slots


@pytest.fixture
def gate(monkeypatch):
    """A fresh gate of two slots (the module's own is shared with every AppTest of the session)."""
    monkeypatch.setattr(run_gate, "LIMIT", 2)
    monkeypatch.setattr(run_gate, "_slots", threading.BoundedSemaphore(2))
    return run_gate


def _free(gate) -> int:
    return gate._slots._value  # the module's own semaphore: how many slots are free


def _page_run(gate, body) -> threading.Thread:
    """A page run in its own script thread: the wrapper ``install`` puts around every run, then
    the page frame's ``enter``, then the page's body."""

    def run() -> None:
        gate._around(lambda: (gate.enter(), body()))

    t = threading.Thread(target=run)
    t.start()
    return t


def test_at_most_limit_runs_execute_at_once_and_the_others_wait_their_turn(gate):
    lock, now, most, done = threading.Lock(), [0], [0], []
    go = threading.Event()

    def body() -> None:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        go.wait(5)
        time.sleep(0.01)
        with lock:
            now[0] -= 1
            done.append(1)

    runs = [_page_run(gate, body) for _ in range(5)]
    deadline = time.monotonic() + 5
    while gate.waiting() < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert gate.waiting() == 3  # two run, three wait
    assert now[0] == 2
    go.set()
    for t in runs:
        t.join(5)
    assert len(done) == 5 and most[0] == 2
    assert _free(gate) == 2 and gate.waiting() == 0


def test_a_slot_comes_back_when_the_run_raises(gate):
    raised = []

    def run() -> None:
        try:
            gate._around(lambda: (gate.enter(), 1 / 0))  # a page error
        except ZeroDivisionError:
            raised.append(gate.holding())

    t = threading.Thread(target=run)
    t.start()
    t.join(5)
    assert raised == [False] and _free(gate) == 2


def test_enter_outside_a_page_run_takes_nothing_and_a_second_enter_takes_nothing_more(gate):
    gate.enter()  # the test's own thread runs no page
    assert not gate.holding() and _free(gate) == 2
    seen = []

    def body() -> None:
        gate.enter()  # a rerun in the same script run (Streamlit's loop inside one run)
        seen.append((gate.holding(), _free(gate)))

    _page_run(gate, body).join(5)
    assert seen == [(True, 1)] and _free(gate) == 2


def test_a_run_waiting_in_the_heavy_queue_gives_its_slot_to_the_class(gate, monkeypatch):
    monkeypatch.setattr(run_gate, "LIMIT", 1)
    monkeypatch.setattr(run_gate, "_slots", threading.BoundedSemaphore(1))
    inside, release, seen = threading.Event(), threading.Event(), []

    def heavy() -> None:
        with heavy_queue.turn():
            seen.append(("in the queue", gate.holding()))
            inside.set()
            release.wait(5)
        seen.append(("after", gate.holding()))

    t = _page_run(gate, heavy)
    assert inside.wait(5)
    light = _page_run(gate, lambda: seen.append(("light", gate.holding())))
    light.join(5)
    assert not light.is_alive()  # the light run did not wait for the heavy one
    release.set()
    t.join(5)
    assert seen == [("in the queue", False), ("light", True), ("after", True)]
    assert _free(gate) == 1


def test_a_rerun_raised_while_released_does_not_take_a_slot_again(gate):
    class Rerun(Exception):
        pass

    seen = []

    def body() -> None:
        try:
            with gate.released():
                raise Rerun
        except Rerun:
            seen.append((gate.holding(), _free(gate)))

    _page_run(gate, body).join(5)
    assert seen == [(False, 2)] and _free(gate) == 2


def test_a_training_run_gives_its_slot_back_while_it_trains(gate):
    seen = []

    def body() -> None:
        with training_slots.training_slot(on_wait=lambda r, w: None, check=lambda: None):
            seen.append(("training", gate.holding(), _free(gate)))
        seen.append(("after", gate.holding(), _free(gate)))

    _page_run(gate, body).join(5)
    assert seen == [("training", False, 2), ("after", True, 1)]
    assert _free(gate) == 2


def test_every_page_run_of_the_app_takes_a_slot_and_gives_it_back():
    """``ui.page.frame`` installs the gate once per process; Streamlit's own script runner (here
    AppTest's) then runs each page inside it."""

    def page() -> None:
        import streamlit as st

        from ui.server import run_gate

        run_gate.enter()
        st.write(f"holding={run_gate.holding()}")

    import ui.page.frame  # noqa: F401  (installs the gate, as every page's import does)

    if run_gate.LIMIT == 0:
        pytest.skip("LATENT_LAB_RUN_SLOTS=0: no gate in this process")
    at = AppTest.from_function(page).run()
    assert [m.value for m in at.markdown] == ["holding=True"]
    assert _free(run_gate) == run_gate.LIMIT and not run_gate.holding()


def test_a_run_that_waited_too_long_goes_ahead_without_a_slot(gate, monkeypatch):
    """Two runs that hang while holding both slots slow the class down; they do not stop it."""
    monkeypatch.setattr(run_gate, "MAX_WAIT_S", 0.05)
    hang, seen = threading.Event(), []
    hung = [_page_run(gate, lambda: hang.wait(5)) for _ in range(2)]
    deadline = time.monotonic() + 5
    while _free(gate) > 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    late = _page_run(gate, lambda: seen.append((gate.holding(), _free(gate))))
    late.join(5)
    assert seen == [(False, 0)]  # it ran, holding nothing, and gave nothing back
    hang.set()
    for t in hung:
        t.join(5)
    assert _free(gate) == 2


@pytest.mark.parametrize(
    ("raw", "least", "expected"),
    [
        (None, 1, 7),
        ("3", 1, 3),
        (" 4 ", 1, 4),
        ("0", 1, 7),
        ("0", 0, 0),
        ("-2", 0, 7),
        ("two", 1, 7),
    ],
)
def test_a_limit_from_the_environment_falls_back_to_its_default(monkeypatch, raw, least, expected):
    """The run gate's, the heavy queue's and the training slots' limits are read by one function:
    a whole number at least ``least``, else the default (7 here)."""
    if raw is None:
        monkeypatch.delenv("LATENT_LAB_TEST_SLOTS", raising=False)
    else:
        monkeypatch.setenv("LATENT_LAB_TEST_SLOTS", raw)
    assert env_count("LATENT_LAB_TEST_SLOTS", 7, least=least) == expected
