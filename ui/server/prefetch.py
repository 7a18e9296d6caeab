"""Warm the shared caches in the background for the values a student is likely to pick next.

A slider moved one step asks for figures nobody has drawn yet: decoding and drawing a grid of
mosaics costs 0.1-0.5 s, more than the 150 ms a control should take. After a page has answered,
it names the neighbouring values (``later(fn, *args)``, for instance the grid sizes n - 1 and
n + 1) and a :class:`Prefetcher` computes them through the same cached functions the page uses
(``render.png``, ``render.spec``, ``ui.grid_png``), so the next step is a cache hit. A request
for a figure the worker is still drawing waits for it (Streamlit holds one compute lock per
cache key) instead of drawing it twice. Decoding happens outside the drawing lock
(``render.lazy``), so background work never holds up another session's figures for longer
than the drawing itself.

Lifecycle: the server's one prefetcher starts a worker thread on the first job and the thread
ends when the queue is empty (a thread that stays alive keeps its malloc arena's buffers grown
for the largest decode); ``stop()`` (at exit) drops what waits and lets a running job finish.
Before each job the worker watches the process for ``BUSY_WINDOW_S`` and waits while the other
threads (students' script runs, the web server) use more than ``BUSY_SHARE`` of a core: in a class,
students pick values of their own, so most guesses ahead are wasted, and the worker's CPU would
only delay real answers (a class of 20 spent a fifth of the server's CPU in it). The queue holds
jobs that wait or run; nothing remembers finished jobs (the caches do: a job
asked again is a cheap cache hit, and after a cache eviction it really is drawn again). Jobs run
newest first; idle jobs (``later(..., idle=True)``) only when no other job waits; at most
``MAX_PENDING`` jobs wait (``MAX_IDLE`` idle ones; the oldest are dropped: the student has moved
on). A job must not call Streamlit elements (it has no session); it runs with the theme and
presenter mode of the session that asked, so cached figures are keyed and drawn for those.

``LATENT_LAB_PREFETCH``: ``1`` (default) background worker; ``0`` off; ``sync`` runs every job
at once in the asking thread and re-raises its errors (the tests use it to run every page's
jobs). A failing background job is logged as a warning.
"""

from __future__ import annotations

import atexit
import collections
import logging
import os
import threading
import time
from typing import Any, Callable

from ui import compat
from ui.draw import render
from ui.server import memory

MAX_PENDING = 24  # jobs waiting; older ones are dropped
BUSY_SHARE = (
    0.5  # of a core used by the process's other threads: the server is busy, the worker waits
)
BUSY_WINDOW_S = 0.2  # how long the worker watches the process before each job
MAX_IDLE = 64  # low-priority jobs waiting (``later(..., idle=True)``); older ones are dropped
WORKER = "latent-lab-prefetch"  # the worker thread's name

_log = logging.getLogger(__name__)
Job = tuple[str, bool, Callable[..., Any], tuple]  # (theme, presenting, fn, args)


def mode() -> str:
    """ "background", "off" or "sync", from ``LATENT_LAB_PREFETCH``."""
    raw = os.environ.get("LATENT_LAB_PREFETCH", "1").strip().lower()
    return {"0": "off", "sync": "sync"}.get(raw, "background")


def enabled() -> bool:
    return mode() != "off"


class Prefetcher:
    """One queue of cache-warming jobs and the worker thread that runs them (see the module
    docstring)."""

    def __init__(
        self, max_pending: int = MAX_PENDING, max_idle: int = MAX_IDLE, name: str = WORKER
    ) -> None:
        self.max_pending, self.max_idle, self.name = max_pending, max_idle, name
        self._cond = threading.Condition()
        self._pending: collections.OrderedDict[Any, Job] = collections.OrderedDict()
        self._idle: collections.OrderedDict[Any, Job] = collections.OrderedDict()
        self._warm: collections.OrderedDict[Any, Job] = (
            collections.OrderedDict()
        )  # never dropped, first in first out
        self._running: Any = None  # key of the job being run
        self._worker: threading.Thread | None = None
        self._stopped = False
        compat.quiet_no_session_warning(
            name
        )  # cached functions warn "missing ScriptRunContext" here

    def submit(
        self, fn: Callable[..., Any], *args: Any, idle: bool = False, warm: bool = False
    ) -> None:
        """Queue ``fn(*args)`` in the caller's theme unless the same job waits or runs already. A
        ``warm`` job (``ui.server.warmup``: once per server) is never dropped and runs after the
        jobs asked
        for by pages, before the idle ones."""
        job: Job = (render.theme(), render.presenting(), fn, args)
        key = (render.builder_id(fn), job[0], job[1], render.fingerprint(args))
        with self._cond:
            if (
                self._stopped
                or key == self._running
                or key in self._pending
                or key in self._idle
                or key in self._warm
            ):
                return
            queue, limit = (
                (self._warm, len(self._warm) + 1)
                if warm
                else (self._idle, self.max_idle)
                if idle
                else (self._pending, self.max_pending)
            )
            queue[key] = job
            while len(queue) > limit:
                queue.popitem(last=False)  # the oldest request
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._worker.start()

    @staticmethod
    def run_now(fn: Callable[..., Any], *args: Any) -> None:
        """Run one job in the calling thread with its theme (the ``sync`` mode); errors
        propagate."""
        with render.as_theme(render.theme()), render.as_present(render.presenting()):
            fn(*args)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no job waits or runs (tests and benchmarks); False on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: (
                    not self._pending and not self._idle and not self._warm and self._worker is None
                ),
                timeout=timeout,
            )

    def stop(self, timeout: float = 10.0) -> None:
        """Drop what waits, refuse new jobs and let a running one finish (a daemon thread killed
        inside torch aborts the interpreter)."""
        with self._cond:
            self._stopped = True
            self._pending.clear()
            self._idle.clear()
            self._warm.clear()
            self._cond.notify_all()
        self.wait_idle(timeout)

    def _next(self) -> tuple[Any, Job] | None:
        with self._cond:
            if (
                not self._pending and self._warm and not self._stopped
            ):  # warm-up: in the order asked
                key, job = self._warm.popitem(last=False)
                self._running = key
                return key, job
            queue = self._pending or self._idle
            if not queue or self._stopped:
                return None
            key, job = queue.popitem(last=True)  # the newest first
            self._running = key
            return key, job

    def _work(self) -> None:
        while True:
            item = self._next()
            if item is None:
                # a burst of decoding and drawing is over: give its freed heap pages back
                memory.trim()
                with self._cond:
                    if (
                        self._pending or self._idle or self._warm
                    ) and not self._stopped:  # asked for more meanwhile
                        continue
                    self._worker = None
                    self._cond.notify_all()
                    return
            key, (kind, present, fn, args) = item
            while (
                server_busy() and not self._stopped
            ):  # students' runs first: a class's random values
                # make most guesses ahead useless, and the worker's CPU would delay real answers
                pass
            try:
                with render.as_theme(kind), render.as_present(present):
                    fn(*args)
            except Exception:  # a missing model, say: the page itself reports it when asked
                _log.warning("prefetch job %s failed", key[0], exc_info=True)
            finally:
                with self._cond:
                    self._running = None


def server_busy(window_s: float = BUSY_WINDOW_S) -> bool:
    """Whether, over the next ``window_s``, the process's other threads (script runs, the web
    server) use more than ``BUSY_SHARE`` of a core. Called from the worker thread: its own CPU is
    left out."""
    p0, t0, w0 = time.process_time(), time.thread_time(), time.perf_counter()
    time.sleep(window_s)
    p1, t1, w1 = time.process_time(), time.thread_time(), time.perf_counter()
    return ((p1 - p0) - (t1 - t0)) / max(w1 - w0, 1e-6) > BUSY_SHARE


PREFETCHER = Prefetcher()
atexit.register(PREFETCHER.stop)


def later(fn: Callable[..., Any], *args: Any, idle: bool = False, warm: bool = False) -> None:
    """Run ``fn(*args)`` ahead of need (``LATENT_LAB_PREFETCH`` says how). ``fn`` must be a pure
    function of its arguments that fills caches and shows nothing. An ``idle`` job (the rest of a
    slider's range, say) runs only when no other job waits."""
    how = mode()
    if how == "sync":
        PREFETCHER.run_now(fn, *args)
    elif how == "background":
        PREFETCHER.submit(fn, *args, idle=idle, warm=warm)


def wait_idle(timeout: float = 60.0) -> bool:
    """Block until the server's prefetcher has nothing left to do; False on timeout."""
    return PREFETCHER.wait_idle(timeout)
