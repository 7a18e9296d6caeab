"""The server-wide limit on live training runs (ui.server.training_slots)."""

from __future__ import annotations

import threading
import time

import pytest

from ui.server import training_slots


class GiveUp(Exception):
    pass


def _take_every_slot() -> tuple[threading.Event, list[threading.Thread]]:
    """Threads holding every slot until the returned event is set."""
    release = threading.Event()
    inside = threading.Semaphore(0)

    def hold():
        with training_slots.training_slot(on_wait=lambda r, w: None, check=lambda: None):
            inside.release()
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(training_slots.TRAINING_SLOTS)]
    for t in holders:
        t.start()
    for _ in holders:
        assert inside.acquire(timeout=10)
    return release, holders


def test_runs_beyond_the_limit_wait_and_say_so():
    n = training_slots.TRAINING_SLOTS
    release, holders = _take_every_slot()
    assert training_slots.state() == (n, 0)

    seen: list[tuple[int, int]] = []
    started = threading.Event()

    def waiter():
        with training_slots.training_slot(
            on_wait=lambda r, w: seen.append((r, w)), check=lambda: None
        ):
            started.set()

    w = threading.Thread(target=waiter)
    w.start()
    time.sleep(3 * training_slots.POLL_S)
    assert not started.is_set() and seen and seen[-1] == (n, 1)
    release.set()
    for t in holders:
        t.join(10)
    w.join(10)
    assert started.is_set() and training_slots.state() == (0, 0)


def test_a_waiting_run_can_give_up_and_an_error_frees_the_slot():
    n = training_slots.TRAINING_SLOTS
    release, holders = _take_every_slot()

    def check():
        raise GiveUp

    with pytest.raises(GiveUp):
        with training_slots.training_slot(on_wait=lambda r, w: None, check=check):
            pytest.fail("must not start without a slot")
    assert training_slots.state() == (n, 0)
    release.set()
    for t in holders:
        t.join(10)

    with pytest.raises(RuntimeError):
        with training_slots.training_slot(on_wait=lambda r, w: None, check=lambda: None):
            raise RuntimeError("training failed")
    assert training_slots.state() == (0, 0)
    for _ in range(n):  # every slot is free again
        assert training_slots._slots_free.acquire(timeout=1)
    for _ in range(n):
        training_slots._slots_free.release()
