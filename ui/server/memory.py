"""Keep the server's resident memory flat as sessions come and go (glibc only; a no-op elsewhere).

Streamlit runs every script rerun in a fresh thread. glibc's malloc gives threads their own
arenas (up to 8 per core) and, after a large block is freed, raises its mmap threshold so that
later arrays of that size come from those arenas: memory freed by one session's decode then
stays resident, fragmented over many arenas, and the server grows with every session. Two
``mallopt`` settings stop that (the same as ``MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=...``,
which Streamlit Community Cloud gives no place to set):

- at most two arenas, shared by all script threads;
- a fixed mmap threshold, so every block over it is a private mapping returned to the system
  as soon as it is freed (decoded mosaics, activations, PNG buffers).

``trim()`` hands free heap pages back after a burst of work (the prefetch worker calls it when
its queue runs empty). See ``mallopt(3)`` and ``malloc_trim(3)``.

``freeze_heap()`` is about CPU, not memory: once the start-up warm-up has loaded what the server
keeps for good (modules, models, per-model numbers and figures: about half a million Python
objects), it moves them out of the garbage collector's sight (``gc.freeze``). Otherwise every
full collection walks them all, 0.2-0.4 s of CPU charged to whichever student's run triggered it:
the random slow runs of a class. Objects made later (sessions, a student's figures) are collected
as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import threading

M_MMAP_THRESHOLD = -3  # from <malloc.h>
M_ARENA_MAX = -8
ARENAS = 2  # arenas shared by all threads
MMAP_THRESHOLD = 256 * 1024  # bytes; blocks at least this large are mmapped and unmapped on free


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``; musl does not), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        lib.mallopt, lib.malloc_trim  # AttributeError off glibc
    except (OSError, AttributeError):
        return None
    return lib


def tune() -> bool:
    """Apply the settings above; True when they took effect (glibc), False elsewhere."""
    lib = _glibc()
    if lib is None:
        return False
    ok_arenas = lib.mallopt(M_ARENA_MAX, ARENAS) == 1
    ok_mmap = lib.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return ok_arenas and ok_mmap


def trim() -> None:
    """Hand free heap memory back to the system (glibc ``malloc_trim(0)``: every arena, including
    free pages inside a heap, not only at its top). A few milliseconds; a no-op off glibc."""
    lib = _glibc()
    if lib is not None:
        lib.malloc_trim(0)


_frozen = threading.Event()


def freeze_heap() -> bool:
    """Collect the garbage there is, then freeze every object left (``gc.freeze``): once per
    process, after the start-up warm-up (the last job of ``ui.server.warmup.start``). Returns
    whether this call froze it. A frozen object is never collected, so this runs once: session
    objects frozen later could leak when their session ends."""
    if _frozen.is_set():
        return False
    _frozen.set()
    gc.collect()
    gc.freeze()
    return True
