"""Warm the shared caches in the background for the values a student is likely to pick next.

A slider moved one step asks for figures nobody has drawn yet: decoding and drawing a grid of
mosaics costs 0.1-0.5 s, more than the 150 ms a control should take. After a page has answered,
it names the neighbouring values (``later(fn, *args)``, for instance the grid sizes n - 1 and
n + 1) and one worker thread per server computes them through the same cached functions the page
uses (``charts.png``, ``charts.spec``, ``ui.grid_png``), so the next step is a cache hit. A
request for a figure the worker is still drawing waits for it (Streamlit holds one compute lock
per cache key) instead of drawing it twice.

The worker runs one job at a time, newest first; idle jobs (``later(..., idle=True)``: the rest
of the Grid page's size slider) run only when no other job waits. It runs at normal priority: a
thread niced down can be descheduled while it holds the GIL and stall the server's other threads,
and niced or not measured the same here. At most ``MAX_PENDING`` jobs wait (``MAX_IDLE`` idle
ones; the oldest are dropped: the student has moved on), and a job done recently is not queued
again. A job must not call Streamlit elements (it has no session); it runs with the theme of the
session that asked, so cached figures are keyed and drawn for that theme. Set
``LATENT_LAB_PREFETCH=0`` to switch it off.
"""
from __future__ import annotations

import atexit
import collections
import logging
import os
import threading
from typing import Any, Callable

from ui import charts, compat, memory

MAX_PENDING = 24  # jobs waiting; older ones are dropped
MAX_IDLE = 64  # low-priority jobs waiting (``later(..., idle=True)``); older ones are dropped
DONE_MEMORY = 160  # keys of recent finished jobs, so that a rerun at the same value does not queue them again

WORKER = "latent-lab-prefetch"  # the worker thread's name
_log = logging.getLogger(__name__)


# the worker has no session by design; Streamlit warns "missing ScriptRunContext" when a cached
# function there would show a spinner (a model's first load): drop that warning for it
compat.quiet_no_session_warning(WORKER)
_lock = threading.Condition()
_pending: collections.OrderedDict[Any, tuple[str, Callable[..., Any], tuple]] = collections.OrderedDict()
_idle: collections.OrderedDict[Any, tuple[str, Callable[..., Any], tuple]] = collections.OrderedDict()
_done: collections.OrderedDict[Any, None] = collections.OrderedDict()
_worker: threading.Thread | None = None  # the running worker; None when idle


def enabled() -> bool:
    return os.environ.get("LATENT_LAB_PREFETCH", "1") != "0"


def later(fn: Callable[..., Any], *args: Any, idle: bool = False) -> None:
    """Run ``fn(*args)`` in the background, in the current theme, unless it ran or waits already.
    ``fn`` must be a pure function of its arguments that fills caches and shows nothing. An
    ``idle`` job (the rest of a slider's range, say) runs only when no other job waits."""
    if not enabled() or _stopping:
        return
    kind = charts.theme()
    key = (charts.builder_id(fn), kind, charts.fingerprint(args))
    global _worker
    with _lock:
        if key in _done or key in _pending or key in _idle:
            return
        queue, limit = (_idle, MAX_IDLE) if idle else (_pending, MAX_PENDING)
        queue[key] = (kind, fn, args)
        while len(queue) > limit:
            queue.popitem(last=False)  # the oldest request
        if _worker is None:
            _worker = threading.Thread(target=_work, name=WORKER, daemon=True)
            _worker.start()


def _stop() -> None:
    """At exit: drop what waits and let a running job finish (a daemon thread killed inside torch
    aborts the interpreter)."""
    global _stopping
    with _lock:
        _stopping = True
        _pending.clear()
        _idle.clear()
        _lock.notify_all()
    wait_idle(timeout=10.0)


_stopping = False
atexit.register(_stop)


def wait_idle(timeout: float = 60.0) -> bool:
    """Block until no job is pending or running (for tests and benchmarks); False on timeout."""
    with _lock:
        return _lock.wait_for(lambda: not _pending and not _idle and _worker is None, timeout=timeout)


def _work() -> None:
    """Run jobs until none is left, then hand freed memory back and end: a thread that stays
    alive keeps the per-thread buffers torch and its libraries grew for the largest decode (tens of
    MB); the next ``later`` starts a fresh worker."""
    global _worker
    while True:
        with _lock:
            queue = _pending or _idle
            job = queue.popitem(last=True) if queue and not _stopping else None  # the newest first
        if job is None:
            memory.trim()  # a burst of decoding and drawing is over: give its freed heap pages back
            with _lock:
                if (_pending or _idle) and not _stopping:  # asked for more meanwhile
                    continue
                _worker = None
                _lock.notify_all()
                return
        key, (kind, fn, args) = job
        try:
            with charts.as_theme(kind):
                fn(*args)
        except Exception:  # a missing model, say: the page itself reports it when asked
            _log.debug("prefetch %s failed", key[0], exc_info=True)
        with _lock:
            _done[key] = None
            while len(_done) > DONE_MEMORY:
                _done.popitem(last=False)
