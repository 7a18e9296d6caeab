"""A server-wide limit on live training runs (Train it yourself), shared by every session.

Twelve sessions pressing *Train* at once cost 1 GB and left other visitors' pages loading for
23 s on two cores. A run now takes one of :data:`TRAINING_SLOTS` slots before it starts; the
others wait, saying so, and keep checking whether their learner has moved on (a rerun, Stop or
leaving the page ends the wait without ever taking a slot).

The semaphore is a module global: Streamlit imports ``ui`` once per server process, so every
session's script thread sees the same object (pages are re-executed, modules are not).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from ui.server import ALL_CORES_BUT_ONE, env_count, run_gate

TRAINING_SLOTS = env_count("LATENT_LAB_TRAINING_SLOTS", ALL_CORES_BUT_ONE)  # live runs at once
POLL_S = 0.25  # how often a waiting run re-checks (and redraws its "waiting" message)

_slots_free = threading.BoundedSemaphore(TRAINING_SLOTS)
_lock = threading.Lock()
_waiting = 0
_running = 0


def state() -> tuple[int, int]:
    """(runs training now, runs waiting for a slot), over the whole server."""
    with _lock:
        return _running, _waiting


@contextmanager
def training_slot(on_wait: Callable[[int, int], None], check: Callable[[], None]) -> Iterator[None]:
    """Hold one training slot for the duration of the ``with`` block.

    While none is free, calls ``on_wait(running, waiting)`` and then ``check()`` every
    :data:`POLL_S` seconds; ``check`` (or ``on_wait``) may raise to give up waiting, e.g.
    Streamlit's rerun exception or :class:`vae.live.Superseded`. The slot is released however the
    block ends. The page run gives its ``run_gate`` slot back for the wait and the training: these
    slots are their limit.
    """
    with run_gate.released(), _in_slot(on_wait, check):
        yield


@contextmanager
def _in_slot(on_wait: Callable[[int, int], None], check: Callable[[], None]) -> Iterator[None]:
    global _waiting, _running
    with _lock:
        _waiting += 1
    try:
        while not _slots_free.acquire(timeout=POLL_S):
            on_wait(*state())
            check()
    finally:
        with _lock:
            _waiting -= 1
    with _lock:
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
        _slots_free.release()
