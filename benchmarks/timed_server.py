"""``streamlit run`` with a log line per script run: ``python benchmarks/timed_server.py LOG [streamlit args]``.

Wraps Streamlit's ``ScriptRunner._run_script`` (the call that executes a page once) and appends
``<page script path> <wall seconds> <thread CPU seconds>`` to LOG after every run, so the
benchmarks can separate the server's time from the browser's. Nothing else changes.
"""
from __future__ import annotations

import sys
import threading
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web.cli import main

_lock = threading.Lock()
_original = script_runner.ScriptRunner._run_script


def _timed(self, rerun_data):  # noqa: ANN001 - Streamlit's own signature
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        return _original(self, rerun_data)
    finally:
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        try:  # which page ran: pages/…py, or the entrypoint
            pm = self._pages_manager
            page = pm.get_pages()[pm.current_page_script_hash].get("script_path", "?")
        except Exception:
            page = "?"
        frag = "fragment" if rerun_data.fragment_id_queue else "full"
        with _lock, open(LOG, "a") as f:
            f.write(f"{time.time():.3f}\t{page}\t{frag}\t{wall:.4f}\t{cpu:.4f}\n")


if __name__ == "__main__":
    LOG = sys.argv[1]
    script_runner.ScriptRunner._run_script = _timed
    sys.argv = ["streamlit", "run", *sys.argv[2:]]
    main()
