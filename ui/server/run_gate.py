"""A server-wide limit on page runs executing at once: a class's runs take turns instead of all
sharing the interpreter at the same time.

Python runs one thread at a time (the GIL). A hundred students' script runs in flight on one
server each got a hundredth of it: every run, the 0.03 s ones too, finished only when the
slowest around it did, and the switching between a hundred threads cost about 40 % more CPU per
run than at thirty students (``benchmarks/classroom.py``). Here a page run takes one of
:data:`LIMIT` slots when its page frame starts (``frame.setup_page`` calls :func:`enter`, so the
browser already shows the page as running) and gives it back when the run ends; the others wait
(a freed slot wakes the run that has waited longest), for a few tenths of a second each at thirty
students.

A run that is about to wait for a long time or to work for seconds gives its slot back for that
part (:func:`released`): the server-wide queue of costly requests (``heavy_queue.turn``) and the
training slots (``training_slots.training_slot``) have their own limits, and a run waiting in them
must not hold up everyone else's.

Fragment reruns (class mode's polling) never call ``setup_page`` and do not take a slot: they are
a few milliseconds each. ``LATENT_LAB_RUN_SLOTS`` sets the limit (0: no limit).

A run that has waited :data:`MAX_WAIT_S` goes ahead without a slot: should some run ever hang while
holding one, the class gets slower, not stuck.

A module global, like ``ui.server.training_slots``: Streamlit imports ``ui`` once per server
process, and :func:`install` wraps its script runs once (``ui.compat.around_script_runs``).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ui import compat
from ui.server import env_count

# Two page runs at once by default: one runs Python while the other is in NumPy, Pillow or the zlib
# of a PNG (which let go of the GIL); more only share the interpreter. 0: no limit.
LIMIT = env_count("LATENT_LAB_RUN_SLOTS", 2, least=0)
MAX_WAIT_S = 30.0  # a run waits at most this long for a slot, then runs without one

_slots = threading.BoundedSemaphore(max(LIMIT, 1))
_local = threading.local()  # .in_run: this thread runs a page run; .holding: it holds a slot
_lock = threading.Lock()
_installed = False
_waiting = 0  # runs waiting for a slot now, over the server (``waiting()``)


def install() -> None:
    """Wrap every later script run of this process so that the slot it takes is given back when it
    ends (once per process; a no-op with ``LATENT_LAB_RUN_SLOTS=0``)."""
    global _installed
    with _lock:
        if _installed or LIMIT == 0:
            return
        _installed = True
    compat.around_script_runs(_around)


def _around(run: Callable[[], Any]) -> Any:
    _local.in_run, _local.holding = True, False
    try:
        return run()
    finally:
        _local.in_run = False
        if getattr(_local, "holding", False):
            _local.holding = False
            _slots.release()


def enter() -> None:
    """Take a slot for the rest of this page run (waiting for one if all are taken, at most
    :data:`MAX_WAIT_S`). A no-op outside a wrapped run, and for a run that holds one already."""
    global _waiting
    if not getattr(_local, "in_run", False) or getattr(_local, "holding", False):
        return
    with _lock:
        _waiting += 1
    try:
        _local.holding = _slots.acquire(timeout=MAX_WAIT_S)  # False: runs without one
    finally:
        with _lock:
            _waiting -= 1


def holding() -> bool:
    """Whether this thread's page run holds a slot now."""
    return bool(getattr(_local, "holding", False))


def waiting() -> int:
    """Page runs waiting for a slot now, over the whole server."""
    with _lock:
        return _waiting


@contextmanager
def released() -> Iterator[None]:
    """Give this run's slot back for the block (a long wait, or seconds of work behind a limit of
    its own), and take one again afterwards. A no-op for a run without a slot."""
    if not holding():
        yield
        return
    _local.holding = False
    _slots.release()
    yield  # a rerun raised in the block ends this run: the next one takes a slot in setup_page
    enter()
