"""Per-model numbers computed once per server, in the background, when the server starts.

Some lessons need numbers that depend only on the model (the Posterior lesson's candidate pairs,
say): a second of CPU per model, the same for every student. Computed at a student's first model
switch, they would cost that student (and, in a class, everyone waiting behind them) that second.
Instead, the modules that define them ``register`` a job, and the first script run of the server
process (``start``, from ``common.setup_page``) hands every job to the prefetch worker's warm-up
queue (kept in order, never dropped, after the jobs pages ask for, while the server is not busy),
through the same ``st.cache_data`` functions the pages
call, so a later model switch is a cache hit. Only with the background prefetcher
(``LATENT_LAB_PREFETCH`` unset or 1): tests run with it off, or synchronously where it is the
subject.
"""

from __future__ import annotations

import importlib
import threading
from typing import Callable

from ui.draw import render
from ui.server import memory, prefetch

# the modules whose import registers warm-up jobs (imported by ``start``, so that every lesson's
# jobs are queued whichever page the server's first visitor opens)
MODULES = (
    "ui.lessons.posterior.pairs",
    "ui.lessons.model_facts",
    "ui.lessons.elbo.computed",
    "ui.lessons.grid.mosaics",
    "ui.lessons.prototypes.computed",
    "ui.lessons.embeddings.views",
    "ui.lessons.training.live_view",
    "ui.classmode.views",
)
_jobs: list[Callable[[], None]] = []
_started = threading.Event()


def register(job: Callable[[], None]) -> None:
    """A job (no arguments) that fills some shared cache for every model it concerns."""
    if job not in _jobs:
        _jobs.append(job)


def start() -> bool:
    """Queue every registered job once per process (idle priority). Returns whether this call queued
    them."""
    if _started.is_set() or prefetch.mode() != "background":
        return False
    _started.set()
    for module in MODULES:
        importlib.import_module(module)
    # figures and charts drawn for the view most students open (light theme, normal size), whoever
    # the first visitor is (a job runs in the theme and mode it was queued in)
    with render.as_theme("light"), render.as_present(False):
        for job in _jobs:
            prefetch.later(job, warm=True)  # never dropped by a page's many idle guesses
        # last, once every job above has run (warm jobs run in order): what they loaded is kept
        # for good, so the garbage collector stops walking it (``memory.freeze_heap``)
        prefetch.later(memory.freeze_heap, warm=True)
    return True
