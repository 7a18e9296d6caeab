"""``streamlit run`` with a log line per script run: ``python benchmarks/timed_server.py LOG
[streamlit args]``.

Wraps the call that executes a page once (``ui.compat.time_script_runs``) and appends
``<time> <page script path> <full|fragment> <wall seconds> <thread CPU seconds>`` to LOG after
every run, so the benchmarks can separate the server's time from the browser's. Nothing else
changes.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from streamlit.web.cli import main  # noqa: E402

from ui.compat import time_script_runs  # noqa: E402

_lock = threading.Lock()


def _log_line(page: str, kind: str, wall: float, cpu: float) -> None:
    with _lock, open(LOG, "a") as f:
        f.write(f"{time.time():.3f}\t{page}\t{kind}\t{wall:.4f}\t{cpu:.4f}\n")


if __name__ == "__main__":
    LOG = sys.argv[1]
    time_script_runs(_log_line)
    sys.argv = ["streamlit", "run", *sys.argv[2:]]
    main()
