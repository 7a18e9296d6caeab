"""ui.server.heavy_queue: the server-wide queue for expensive requests ("N ahead of you"), and its
shared answers (a repeat request takes no turn)."""

from __future__ import annotations

import threading
import time

import pytest

from ui.server import heavy_queue


def test_requests_beyond_the_limit_wait_in_order_and_are_told_how_many_are_ahead(monkeypatch):
    monkeypatch.setattr(heavy_queue, "LIMIT", 1)
    monkeypatch.setattr(heavy_queue, "POLL_S", 0.01)
    order, told = [], {}
    release = threading.Event()

    def request(name: str, hold: bool) -> None:
        with heavy_queue.turn(lambda ahead: told.setdefault(name, []).append(ahead)):
            order.append(name)
            if hold:
                release.wait(5)

    first = threading.Thread(target=request, args=("first", True))
    first.start()
    while heavy_queue.waiting() < 1:
        time.sleep(0.005)
    others = []
    for name in ("second", "third"):
        t = threading.Thread(target=request, args=(name, False))
        t.start()
        others.append(t)
        while heavy_queue.waiting() < len(others) + 1:
            time.sleep(0.005)
    time.sleep(0.05)
    assert order == ["first"]
    assert told["second"][-1] == 1 and told["third"][-1] == 2  # the third has two ahead of it
    release.set()
    for t in (first, *others):
        t.join(5)
    assert order == ["first", "second", "third"] and heavy_queue.waiting() == 0


def test_a_request_that_gives_up_while_waiting_leaves_the_queue(monkeypatch):
    monkeypatch.setattr(heavy_queue, "LIMIT", 1)
    monkeypatch.setattr(heavy_queue, "POLL_S", 0.01)
    release = threading.Event()

    def hold() -> None:
        with heavy_queue.turn():
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    while heavy_queue.waiting() < 1:
        time.sleep(0.005)

    class Rerun(Exception):
        pass

    def give_up(ahead: int) -> None:
        raise Rerun  # what a Streamlit rerun does inside the waiting message

    with pytest.raises(Rerun):
        with heavy_queue.turn(give_up):
            pass
    assert heavy_queue.waiting() == 1  # only the one that holds its turn
    release.set()
    t.join(5)
    assert heavy_queue.waiting() == 0


def test_an_error_inside_a_turn_frees_it():
    with pytest.raises(ValueError):
        with heavy_queue.turn():
            raise ValueError
    assert heavy_queue.waiting() == 0


def test_call_takes_a_turn_only_the_first_time_it_is_asked(monkeypatch):
    monkeypatch.setattr(heavy_queue, "_done", {})
    turns = []
    real_turn = heavy_queue.turn

    def counting_turn(on_wait=lambda ahead: None):
        turns.append(1)
        return real_turn(on_wait)

    monkeypatch.setattr(heavy_queue, "turn", counting_turn)

    def square(x: int) -> int:
        return x * x

    assert heavy_queue.call(square, 3) == 9 and heavy_queue.call(square, 3) == 9
    assert heavy_queue.call(square, 4) == 16
    assert len(turns) == 2  # 3 once, 4 once: a repeat answers at once, from the shared cache
