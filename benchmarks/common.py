"""Shared pieces of the benchmark scripts: start the app headless, drive Chromium, read memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    env: dict[str, str] | None = None,
    run_log: Path | None = None,
    args: tuple[str, ...] = (),
    server_log: Path | None = None,
    script: str = "streamlit_app.py",
) -> tuple[subprocess.Popen, str]:
    """``streamlit run streamlit_app.py`` (or ``script``) on a free local port; with ``run_log``,
    through
    ``timed_server.py``, which appends one line per script run (page, wall s, CPU s) to it; with
    ``server_log``, the server's own output (tracebacks of failed runs included) goes there."""
    port = free_port()
    launcher = (
        [str(REPO / "benchmarks" / "timed_server.py"), str(run_log)]
        if run_log
        else ["-m", "streamlit", "run"]
    )
    log = open(server_log, "w") if server_log else None
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                *launcher,
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.serverAddress",
                "127.0.0.1",
                *args,
            ],  # headless, no external-IP lookup
            cwd=REPO,
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    finally:
        if log:
            log.close()  # the server holds its own copy of the descriptor
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_quiet(
    pid: int, timeout_s: float = 60.0, window_s: float = 0.5, busy_share: float = 0.05
) -> float:
    """Wait until a process uses less than ``busy_share`` of a core over ``window_s`` (the server's
    background work, such as the prefetch worker drawing what an earlier page asked for, is done);
    returns the seconds waited."""
    t0 = time.perf_counter()
    last = cpu_s(pid)
    while time.perf_counter() - t0 < timeout_s:
        time.sleep(window_s)
        now = cpu_s(pid)
        if now - last < busy_share * window_s:
            break
        last = now
    return time.perf_counter() - t0


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PeakRss:
    """The highest resident memory of a process, sampled every 0.25 s from ``start()`` to
    ``stop()``."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.25)

    def start(self) -> "PeakRss":
        self._thread.start()
        return self

    def stop(self) -> float:
        self._done.set()
        self._thread.join(timeout=5)
        return self.peak


def url_path(page_file: str) -> str:
    return re.sub(r"^\d+_", "", Path(page_file).stem)


# The app is idle when Streamlit says its script is not running, the websocket is up, the page
# heading is there and every image has loaded (attributes Streamlit's own e2e tests wait on).
IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  return !!a && a.dataset.testScriptState === 'notRunning'
    && a.dataset.testConnectionState === 'CONNECTED' && document.querySelector('h1') !== null
    && Array.from(document.images).every(i => i.complete); }"""


def read_runs(run_log: Path) -> list[tuple[float, str, str, float, float]]:
    """The lines of a ``timed_server.py`` log: (unix time, page path, "full"/"fragment", wall s, CPU
    s)."""
    if not run_log.exists():
        return []
    rows = []
    for line in run_log.read_text().splitlines():
        t, page, kind, wall, cpu = line.split("\t")
        rows.append((float(t), page, kind, float(wall), float(cpu)))
    return rows


def tracebacks(server_log: Path, limit: int = 5) -> list[str]:
    """Each traceback in a server log, shortened to its last frames and the exception line."""
    found, block = [], None
    lines = server_log.read_text(errors="replace").splitlines() if server_log.exists() else []
    for line in lines:
        if line.startswith("Traceback"):
            block = []
        elif block is not None:
            block.append(line)
            if not line.startswith((" ", "\t")):  # the exception line ends a traceback
                found.append("\n".join(block[-5:]))
                block = None
    return found[:limit]
