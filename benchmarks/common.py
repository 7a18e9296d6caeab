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
    address: str = "127.0.0.1",
    port: int | None = None,
) -> tuple[subprocess.Popen, str]:
    """``streamlit run streamlit_app.py`` (or ``script``) on ``address`` and a free local port (or
    ``port``); with ``run_log``,
    through
    ``timed_server.py``, which appends one line per script run (page, wall s, CPU s) to it; with
    ``server_log``, the server's own output (tracebacks of failed runs included) goes there."""
    port = port or free_port()
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
                address,
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
    base = f"http://{address}:{port}"
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


def maps_torch(pid: int) -> bool:
    """Whether a process has loaded torch (its shared library is mapped: /proc/<pid>/maps)."""
    try:
        return "libtorch" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def cache_mb(base: str) -> dict[str, float]:
    """Streamlit's own census of ``st.cache_data`` (its pickled values, MB per cached function),
    from the server's ``/_stcore/metrics`` endpoint; ``st.cache_resource`` values are not sized
    by Streamlit (they read 0) and are left out."""
    url = f"{base.rstrip('/')}/_stcore/metrics?families=cache_memory_bytes"
    with urllib.request.urlopen(url, timeout=30) as r:
        text = r.read().decode()
    out: dict[str, float] = {}
    for m in re.finditer(r"cache_memory_bytes\{([^}]*)\}\s+([0-9.e+]+)", text):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if labels.get("cache_type") == "st_cache_data":
            name = labels.get("cache", "?")
            out[name] = out.get(name, 0.0) + float(m.group(2)) / 1e6
    return out


class PeakRss:
    """The highest resident memory of a process (of several together: their sum), sampled every
    0.25 s from ``start()`` to ``stop()``."""

    def __init__(self, *pids: int) -> None:
        import threading

        self.pids, self.peak = pids, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, sum(rss_mb(pid) for pid in self.pids))
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


# --- replicas behind HAProxy, on one machine ---------------------------------------------------
# deploy/haproxy.cfg as it is: it finds the replicas by DNS (every A record of one name), as
# Docker's or Kubernetes' DNS would give them; here a small DNS server (dnslib) answers that name
# with one loopback address per replica, all on the same port.
REPLICAS_NAME = "replicas.latent-lab.test"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replica_addresses(n: int) -> tuple[str, ...]:
    """One loopback address per replica (127.0.0.2, 127.0.0.3, ...)."""
    return tuple(f"127.0.0.{2 + i}" for i in range(n))


def dns_server(port: int, name: str, addresses: tuple[str, ...]):
    """A DNS server on 127.0.0.1:port answering ``name`` with one A record per address (dnslib's
    server thread; ``.stop()`` ends it)."""
    from dnslib import QTYPE, RR, A
    from dnslib.server import BaseResolver, DNSLogger, DNSServer

    class Replicas(BaseResolver):
        def resolve(self, request, handler):
            reply = request.reply()
            if str(request.q.qname).rstrip(".") == name and request.q.qtype == QTYPE.A:
                for ip in addresses:
                    reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(ip), ttl=1))
            return reply

    server = DNSServer(
        Replicas(),
        port=port,
        address="127.0.0.1",
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data,-log_prefix"),
    )
    server.start_thread()
    return server


def proxy_servers(stats: str) -> dict[str, str]:
    """HAProxy's view of the replicas (its statistics page as CSV): address -> UP / DOWN, empty
    slots left out."""
    import csv
    import io

    text = urllib.request.urlopen(f"{stats};csv", timeout=5).read().decode()
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {
        r["addr"].split(":")[0]: r["status"]
        for r in rows
        if r["pxname"] == "replicas" and r.get("addr") and r["svname"].startswith("replica")
    }


def start_proxy(
    replicas_port: int, addresses: tuple[str, ...], dns_port: int, log: Path
) -> tuple[subprocess.Popen, str, str]:
    """Debian's HAProxy with ``deploy/haproxy.cfg`` in front of the replicas ``addresses`` (all on
    ``replicas_port``, named by the DNS server on ``dns_port``); returns once it sees every one UP:
    (process, the address students open, its statistics page)."""
    import shutil

    exe = shutil.which("haproxy") or "/usr/sbin/haproxy"
    proxy_port, stats_port = free_port(), free_port()
    env = {
        **os.environ,
        "LATENT_LAB_BIND": f"127.0.0.1:{proxy_port}",
        "LATENT_LAB_DNS": f"127.0.0.1:{dns_port}",
        "LATENT_LAB_REPLICAS": f"{REPLICAS_NAME}:{replicas_port}",
        "LATENT_LAB_STATS_BIND": f"127.0.0.1:{stats_port}",
        "LATENT_LAB_COOKIE_KEY": "benchmark-only-key",
    }
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [exe, "-db", "-f", str(REPO / "deploy" / "haproxy.cfg")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stats = f"http://127.0.0.1:{stats_port}/stats"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if proxy_servers(stats) == {ip: "UP" for ip in addresses}:
                return proc, f"http://127.0.0.1:{proxy_port}", stats
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"HAProxy did not find every replica UP: {log.read_text()[-2000:]}")
