"""A server-wide queue for the few requests that cost seconds of CPU, shared by every session.

Most runs cost well under 0.1 s of server CPU. A few cannot: the ELBO page's quadrature of an image
nobody has looked at, a model's per-model numbers that the background warm-up (``ui.server.warmup``)
has
not reached yet. Ten of those at once on two cores would stall every student's page behind them.
So they take a turn: at most :data:`LIMIT` run at once, the others wait in order of arrival and are
told how many are ahead of them (``turn(on_wait)``), instead of looking at a frozen page. A learner
who moves on (a rerun raises inside ``on_wait``) leaves the queue at once.

A module global, like ``ui.server.training_slots``: Streamlit imports ``ui`` once per server
process.
"""

from __future__ import annotations

import collections
import itertools
import threading
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator

from ui.server import ALL_CORES_BUT_ONE, env_count, run_gate

LIMIT = env_count("LATENT_LAB_HEAVY_SLOTS", ALL_CORES_BUT_ONE)  # heavy requests at once
POLL_S = 0.25  # how often a waiting request re-checks its place (and redraws its message)

_cond = threading.Condition()
_queue: collections.deque[int] = collections.deque()  # tickets, in order of arrival
_tickets = itertools.count()


def ahead_of(ticket: int) -> int:
    """How many requests must finish before ``ticket`` may run (0: it may run now)."""
    with _cond:
        return max(0, list(_queue).index(ticket) - LIMIT + 1) if ticket in _queue else 0


def waiting() -> int:
    """Requests queued or running, over the whole server."""
    with _cond:
        return len(_queue)


@contextmanager
def turn(on_wait: Callable[[int], None] = lambda ahead: None) -> Iterator[None]:
    """Run the block when it is this request's turn; until then call ``on_wait(ahead)`` every
    ``POLL_S`` with the number of requests ahead. Whatever ``on_wait`` raises (a rerun) leaves the
    queue. The page run gives its ``run_gate`` slot back meanwhile: this queue is its limit."""
    with run_gate.released(), _in_turn(on_wait):
        yield


@contextmanager
def _in_turn(on_wait: Callable[[int], None]) -> Iterator[None]:
    ticket = next(_tickets)
    with _cond:
        _queue.append(ticket)
    try:
        while True:
            ahead = ahead_of(ticket)
            if ahead == 0:
                break
            on_wait(ahead)
            with _cond:
                _cond.wait(POLL_S)
        yield
    finally:
        with _cond:
            _queue.remove(ticket)
            _cond.notify_all()


_done: dict[Hashable, None] = {}  # calls this process has made through ``call`` (insertion order)
MAX_DONE = 4096  # remembered calls; the oldest are forgotten (then taken in turn again, once)


def call(
    fn: Callable[..., Any], *args: Hashable, on_wait: Callable[[int], None] = lambda ahead: None
) -> Any:
    """``fn(*args)`` (a shared-cache function of small, hashable arguments, such as a model key and
    an image index): in turn (``turn``) the first time this process asks for those arguments, at
    once afterwards, when the shared cache has the answer and waiting would only hold the student
    up."""
    key = (getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)), args)
    with _cond:
        seen = key in _done
    if seen:
        return fn(*args)
    with turn(on_wait):
        out = fn(*args)
    with _cond:
        _done[key] = None
        while len(_done) > MAX_DONE:
            del _done[next(iter(_done))]
    return out
