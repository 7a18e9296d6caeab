"""Work shared by every session of the server: background warm-up at start (``warmup``), drawing
ahead of the next slider value (``prefetch``), the server-wide queue of costly requests
(``heavy_queue``), the limit on live training runs (``training_slots``), the limit on page runs
executing at once (``run_gate``) and flat memory (``memory``). Their limits are read here, one way
(``env_count``).
"""

from __future__ import annotations

import os

# one per core but one, at least one: the limits of the work that costs seconds (the heavy queue,
# training) leave the last core to everyone else's page runs
ALL_CORES_BUT_ONE = max(1, (os.cpu_count() or 2) - 1)


def env_count(name: str, default: int, least: int = 1) -> int:
    """The whole number in the environment variable ``name`` (a limit a deployment may set), or
    ``default`` where it is unset, not a whole number, or below ``least``."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= least else default
