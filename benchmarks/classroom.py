"""A class at once: N simulated students (default 30) follow a lecture through every lesson.

    python benchmarks/classroom.py [--students 30] [--seed 0] [--think 1 3] [--replicas 1]

No browser: each student is a websocket client that speaks Streamlit's own protocol (the
``BackMsg`` / ``ForwardMsg`` protobufs, reached through ``ui.compat.streamlit_protocol``), so the
server's two cores serve the class alone, as they would when every student brings a laptop. A
student opens Home, then each lesson of ``ROUTE`` in order (as the sidebar's link would), and on
each page moves the page's controls to values of their own (a seed, β, a grid size, a digit, a
method, a model, a clicked point), with 1-3 s of think time between moves. Each run is timed from
the message that asks for it to the server's "script finished", plus the images it shows
(fetched over HTTP as the browser would).

Prints p50 / p95 / max per page and overall, the server's CPU seconds per run (the process's
CPU over the class divided by its runs, and each run's own thread CPU from ``timed_server.py``),
and its resident memory before the class, at its peak and after. Exits 1 on any error: a failed
run, an exception or error box on a page, a traceback in the server's log, a missing image.
Writes ``benchmarks/results/classroom-<N>.json``. Only talks to loopback addresses.

``--replicas R`` (R > 1) serves the class as ``deploy/`` does: R replicas of the app on the same
machine (127.0.0.2, 127.0.0.3, ...) behind Debian's HAProxy with ``deploy/haproxy.cfg`` as it is
(affinity cookie, fewest connections first; a small DNS server names the replicas). Students open
the proxy and send its cookie with every image request, as a browser does; the teacher's walk
before class is made on each replica; CPU and memory are the replicas' sums (HAProxy's own CPU
is counted too). Writes ``classroom-<N>-<R>replicas.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from common import (
    REPLICAS_NAME,
    REPO,
    PeakRss,
    cache_mb,
    cpu_s,
    dns_server,
    free_port,
    free_udp_port,
    maps_torch,
    read_runs,
    replica_addresses,
    rss_mb,
    start_proxy,
    start_server,
    tracebacks,
    wait_quiet,
)

from ui.compat import streamlit_protocol

P = streamlit_protocol()
RUN_LOG = REPO / "benchmarks" / "results" / "classroom-runs.tsv"
SERVER_LOG = REPO / "benchmarks" / "results" / "classroom-server.log"
RUN_TIMEOUT_S = 300  # a run that has not finished by then is an error
SESSION_TTL_S = 5
AFFINITY_COOKIE = "LATENT_LAB_REPLICA"  # deploy/haproxy.cfg's: which replica holds the session


@dataclass(frozen=True)
class Move:
    """A control a student moves: the widget keyed ``key`` to a value of their own, or, for a
    chart, a click (``click(rng) -> selection dict``) on the chart keyed ``key``."""

    key: str  # the widget's key (page-prefixed)
    click: Callable[[random.Random], dict[str, Any]] | None = None  # a chart's selection state


def _point(param: str, hi: int) -> Callable[[random.Random], dict[str, Any]]:
    """A click on a scatter of test codes: the point of a random test index (its x, y unused)."""
    return lambda rng: {"selection": {param: [{"index": rng.randrange(hi), "x": 0.0, "y": 0.0}]}}


# The lecture: the page's URL path and the controls a student moves there, in order.
ROUTE: list[tuple[str, list[Move]]] = [
    ("", []),  # Home
    ("AE_vs_VAE", [Move("aevae_seed"), Move("aevae_chart_vae", _point("aevae_sel_vae", 10_000))]),
    ("KL_weighting", [Move("kl_beta"), Move("kl_seed")]),
    ("Grid_vs_ppf", [Move("grid_n"), Move("grid_p")]),
    ("Prototypes", [Move("protos_digit"), Move("protos_model")]),
    ("Embeddings", [Move("emb_method"), Move("emb_model")]),
    ("Reconstructions", [Move("rec_seed"), Move("rec_n")]),
    ("Latent_explorer", [Move("lex_model"), Move("lex_seed")]),
    ("Interpolation", [Move("interp_seed"), Move("interp_model")]),
    ("Posterior_spread", [Move("post_seed"), Move("post_model")]),
    ("Conditional_VAE", [Move("cvae_seed"), Move("cvae_digit")]),
    ("Latent_size", [Move("ls_thr"), Move("ls_topk_d")]),
    ("Your_own_digit", [Move("own_model")]),
    ("Train_it_yourself", [Move("train_d")]),
    ("ELBO_bound", [Move("elbo_model"), Move("elbo_k")]),
    ("Blurry_samples", [Move("blur_seed"), Move("blur_model")]),
]
WIDGETS = ("number_input", "slider", "selectbox", "radio", "checkbox")


def pick_value(kind: str, proto: Any, rng: random.Random) -> Any:
    """A value of the student's own for a widget, from its own range or options, other than the
    one it shows. Returns (WidgetState field, value)."""
    if kind == "number_input":
        lo = proto.min if proto.has_min else 0
        hi = proto.max if proto.has_max else 10_000
        hi = min(hi, lo + 10_000)  # a box without a maximum: one of 10,000 (a seed box has 0-31)
        if proto.data_type == proto.INT:
            return "double_value", float(rng.randint(int(lo), int(hi)))
        return "double_value", round(rng.uniform(lo, hi) / proto.step) * proto.step
    if kind == "slider":
        if proto.options:  # a select_slider: its labels
            return "string_array_value", [rng.choice(list(proto.options))]
        n = int(round((proto.max - proto.min) / proto.step))
        return "double_array_value", [proto.min + rng.randint(0, n) * proto.step]
    if kind in ("selectbox", "radio"):
        options = list(proto.options)
        return "string_value", rng.choice(options)
    return "bool_value", not bool(getattr(proto, "default", False))


@dataclass
class Run:
    page: str  # URL path ("" for Home)
    what: str  # "view" or the moved key
    seconds: float
    ok: bool
    note: str = ""


@dataclass
class Student:
    """One websocket session: its pages, its widgets' states, the runs it timed."""

    base: str
    rng: random.Random
    runs: list[Run] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # URL path -> page script hash
    states: dict[str, tuple[str, Any]] = field(default_factory=dict)  # widget id -> (field, value)
    widgets: dict[str, tuple[str, Any]] = field(
        default_factory=dict
    )  # key -> (kind, proto), this page
    ids: dict[str, str] = field(default_factory=dict)  # key -> widget id, this page
    cookie: str = ""  # the proxy's affinity cookie ("name=value"), sent with every image request

    def _widget_states(self) -> Any:
        ws = P.WidgetStates()
        for wid, (fld, value) in self.states.items():
            if wid not in self.ids.values():
                continue
            s = ws.widgets.add()
            s.id = wid
            if fld == "double_array_value":
                s.double_array_value.data.extend(value)
            elif fld == "string_array_value":
                s.string_array_value.data.extend(value)
            else:
                setattr(s, fld, value)
        return ws

    async def rerun(self, ws: Any, page: str, what: str) -> None:
        """Ask for a run of ``page`` and read until it has finished and its images have loaded."""
        msg = P.BackMsg()
        cs = msg.rerun_script
        cs.query_string = ""
        cs.page_name = page
        cs.page_script_hash = self.pages.get(page, "")
        cs.widget_states.CopyFrom(self._widget_states())
        t0 = time.perf_counter()
        await ws.send(msg.SerializeToString())
        images: list[str] = []
        problem = ""
        self.widgets, self.ids = {}, {}
        try:
            async with asyncio.timeout(RUN_TIMEOUT_S):
                while True:
                    fwd = P.ForwardMsg()
                    fwd.ParseFromString(await ws.recv())
                    kind = fwd.WhichOneof("type")
                    if kind == "new_session":
                        for p in fwd.new_session.app_pages:
                            self.pages[p.url_pathname] = p.page_script_hash
                    elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                        el = fwd.delta.new_element
                        etype = el.WhichOneof("type")
                        if etype == "imgs":
                            images += [i.url for i in el.imgs.imgs if i.url.startswith("/media/")]
                        elif etype == "exception":
                            problem = f"exception on the page: {el.exception.message[:200]}"
                        elif etype == "alert" and el.alert.format == el.alert.ERROR:
                            problem = f"error box: {el.alert.body[:200]}"
                        elif etype in WIDGETS or etype == "vega_lite_chart":
                            proto = getattr(el, etype)
                            key = proto.id.rsplit("-", 1)[-1] if proto.id.startswith("$$ID") else ""
                            if key:
                                self.widgets[key], self.ids[key] = (etype, proto), proto.id
                    elif kind == "script_finished":
                        status = fwd.script_finished
                        if status == P.ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue
                        if status != P.ForwardMsg.FINISHED_SUCCESSFULLY:
                            problem = problem or f"script finished with status {status}"
                        break
            for url in images:  # the browser fetches each image once it is in the page
                await asyncio.to_thread(_fetch, self.base + url, self.cookie)
        except TimeoutError:
            problem = f"no answer in {RUN_TIMEOUT_S} s"
        except Exception as exc:  # a dropped socket, a missing image
            problem = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - t0
        self.runs.append(Run(page, what, seconds, not problem, problem))
        if problem:
            self.errors.append(f"{page or 'Home'} / {what}: {problem}")

    async def move(self, ws: Any, page: str, move: Move) -> None:
        if move.key not in self.widgets:
            self.errors.append(f"{page}: no control keyed {move.key!r} on the page")
            return
        kind, proto = self.widgets[move.key]
        if move.click is not None:
            self.states[proto.id] = ("string_value", json.dumps(move.click(self.rng)))
        else:
            self.states[proto.id] = pick_value(kind, proto, self.rng)
        await self.rerun(ws, page, move.key)

    async def attend(
        self,
        think: tuple[float, float],
        start_delay: float,
        route: list[tuple[str, list[Move]]] = ROUTE,
    ) -> None:
        import websockets

        await asyncio.sleep(start_delay)
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        try:
            async with websockets.connect(
                url,
                subprotocols=["streamlit"],
                max_size=None,
                open_timeout=RUN_TIMEOUT_S,
                ping_interval=None,
            ) as ws:
                for header in ws.response.headers.get_all("Set-Cookie"):
                    if header.startswith(AFFINITY_COOKIE + "="):
                        self.cookie = header.split(";", 1)[0]
                for page, moves in route:
                    await self.rerun(ws, page, "view")
                    for move in moves:
                        await asyncio.sleep(self.rng.uniform(*think))
                        await self.move(ws, page, move)
                    await asyncio.sleep(self.rng.uniform(*think))
        except Exception as exc:
            self.errors.append(f"session: {type(exc).__name__}: {exc}")


def _fetch(url: str, cookie: str = "") -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=RUN_TIMEOUT_S) as r:
        if r.status != 200 or not r.read():
            raise OSError(f"{url}: HTTP {r.status}")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(pct(values, 0.5), 3),
        "p95": round(pct(values, 0.95), 3),
        "max": round(max(values), 3) if values else float("nan"),
    }


def _caches(bases: list[str]) -> dict[str, float]:
    """MB of ``st.cache_data`` values per cached function, summed over the replicas."""
    total: dict[str, float] = {}
    for base in bases:
        for name, mb in cache_mb(base).items():
            total[name] = total.get(name, 0.0) + mb
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--think", type=float, nargs=2, default=(1.0, 3.0), help="seconds between moves"
    )
    ap.add_argument(
        "--arrive", type=float, default=1.0, help="students arrive within this many seconds"
    )
    ap.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="replicas of the app behind HAProxy (deploy/haproxy.cfg), all on this machine",
    )
    args = ap.parse_args()
    results = REPO / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    addresses = replica_addresses(args.replicas) if args.replicas > 1 else ("127.0.0.1",)
    logs = (
        [(RUN_LOG, SERVER_LOG)]
        if args.replicas == 1
        else [
            (results / f"classroom-runs-{ip}.tsv", results / f"classroom-server-{ip}.log")
            for ip in addresses
        ]
    )
    for run_log, _ in logs:
        run_log.unlink(missing_ok=True)
    procs: list[Any] = []
    dns = proxy = None
    port = free_port() if args.replicas > 1 else None  # every replica on the same port
    try:
        bases = []
        for ip, (run_log, server_log) in zip(addresses, logs):
            proc, base = start_server(
                run_log=run_log,
                server_log=server_log,
                args=("--server.disconnectedSessionTTL", str(SESSION_TTL_S)),
                address=ip,
                port=port,
            )
            procs.append(proc)
            bases.append(base)
        entry = bases[0]
        if args.replicas > 1:
            dns_port = free_udp_port()
            dns = dns_server(dns_port, REPLICAS_NAME, addresses)
            proxy, entry, _ = start_proxy(
                port, addresses, dns_port, results / "classroom-haproxy.log"
            )
        pids = [p.pid for p in procs] + ([proxy.pid] if proxy else [])
        # the teacher opened every lesson once before class: one student's walk on each replica,
        # not timed
        teachers = [Student(base, random.Random(-1)) for base in bases]
        for teacher in teachers:
            asyncio.run(teacher.attend((0.0, 0.0), 0.0))
        time.sleep(SESSION_TTL_S + 2)
        # the server's start-up warm-up (ui.server.warmup) is done: no job left, so 2 s without work
        warm_s = sum(wait_quiet(pid, timeout_s=600, window_s=2.0) for pid in pids)
        rss_before = sum(rss_mb(pid) for pid in pids)
        caches_before = _caches(bases)
        cpu_before = sum(cpu_s(pid) for pid in pids)
        n_runs_before = [len(read_runs(run_log)) for run_log, _ in logs]
        peak = PeakRss(*pids).start()
        rng = random.Random(args.seed)
        students = [Student(entry, random.Random(rng.random())) for _ in range(args.students)]

        async def lecture() -> None:
            await asyncio.gather(
                *(s.attend(tuple(args.think), rng.uniform(0, args.arrive)) for s in students)
            )

        t0 = time.perf_counter()
        asyncio.run(lecture())
        wall = time.perf_counter() - t0
        cpu = sum(cpu_s(pid) for pid in pids) - cpu_before
        time.sleep(SESSION_TTL_S + 2)
        peak.stop()
        rss_after = sum(rss_mb(pid) for pid in pids)
        torch_loaded = any(maps_torch(pid) for pid in pids)
        caches_after = _caches(bases)
        server_runs = [
            row for (run_log, _), n in zip(logs, n_runs_before) for row in read_runs(run_log)[n:]
        ]
    finally:
        for proc in procs + ([proxy] if proxy else []):
            proc.terminate()
            proc.wait(timeout=30)
        if dns is not None:
            dns.stop()
    runs = [r for s in students for r in s.runs]
    errors = [e for s in students for e in s.errors] + [e for t in teachers for e in t.errors]
    errors += [f"server traceback:\n{t}" for _, log in logs for t in tracebacks(log)]
    by_page: dict[str, list[float]] = {}
    for r in runs:
        by_page.setdefault(r.page or "Home", []).append(r.seconds)
    run_cpu = [c for *_, c in server_runs]
    cpu_by_page: dict[str, list[float]] = {}
    for _, path, _, _, c in server_runs:
        cpu_by_page.setdefault(path.rsplit("/", 1)[-1], []).append(c)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}",
        "cores": len(__import__("os").sched_getaffinity(0)),
        "students": args.students,
        "replicas": args.replicas,
        "runs": len(runs),
        "wall_s": round(wall, 1),
        "warmup_wait_s": round(warm_s, 1),
        "errors": len(errors),
        "overall": summary([r.seconds for r in runs]),
        "pages": {p: summary(v) for p, v in by_page.items()},
        "server_cpu_per_run_s": round(cpu / max(len(runs), 1), 3),
        "run_thread_cpu_s": {
            "median": round(statistics.median(run_cpu), 3) if run_cpu else None,
            "p95": round(pct(run_cpu, 0.95), 3),
            "max": round(max(run_cpu, default=0), 3),
        },
        "run_thread_cpu_by_page": {
            p: round(statistics.median(v), 3) for p, v in sorted(cpu_by_page.items())
        },
        "rss_mb": {
            "before": round(rss_before),
            "peak": round(peak.peak),
            "after": round(rss_after),
        },
        "cache_data_mb": {
            "before": round(sum(caches_before.values()), 1),
            "after": round(sum(caches_after.values()), 1),
            "largest_after": {
                k: round(v, 1) for k, v in sorted(caches_after.items(), key=lambda kv: -kv[1])[:8]
            },
        },
        "torch": __import__("importlib.metadata").metadata.version("torch"),
        "torch_loaded_by_server": torch_loaded,  # the NumPy models serve without it
        "slowest": [
            f"{r.page or 'Home'} / {r.what}: {r.seconds:.2f} s"
            for r in sorted(runs, key=lambda r: -r.seconds)[:15]
        ],
    }
    tag = (
        f"{args.students}"
        + (f"-{args.replicas}replicas" if args.replicas > 1 else "")
        + ("-cpu-torch" if "+cpu" in result["torch"] else "")  # PyTorch's CPU-only wheel
    )
    out = results / f"classroom-{tag}.json"
    out.write_text(json.dumps({**result, "error_list": errors[:50]}, indent=1) + "\n")
    where = f" ({args.replicas} replicas behind HAProxy)" if args.replicas > 1 else ""
    print(
        f"{args.students} students{where}, {len(runs)} runs in {wall:.0f} s; errors: {len(errors)}"
    )
    print(f"{'page':<20} {'runs':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for p, s in [*result["pages"].items(), ("overall", result["overall"])]:
        print(f"{p:<20} {s['n']:>5} {s['p50']:>7.2f} {s['p95']:>7.2f} {s['max']:>7.2f}")
    print(
        f"server CPU per run: {result['server_cpu_per_run_s']:.3f} s (process CPU / runs); "
        f"a run's own thread CPU: median {result['run_thread_cpu_s']['median']} s, "
        f"p95 {result['run_thread_cpu_s']['p95']} s, max {result['run_thread_cpu_s']['max']} s"
    )
    print("thread CPU per run by page (median):", result["run_thread_cpu_by_page"])
    print(
        f"RSS: {result['rss_mb']['before']} MB before, {result['rss_mb']['peak']} MB peak, "
        f"{result['rss_mb']['after']} MB after (torch {result['torch']} installed; loaded by "
        f"the server: {'yes' if result['torch_loaded_by_server'] else 'no'})"
    )
    c = result["cache_data_mb"]
    print(
        f"st.cache_data values: {c['before']} MB before, {c['after']} MB after; largest after:",
        ", ".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in c["largest_after"].items()),
    )
    if args.students == 1 and len(server_runs) == len(
        runs
    ):  # one student: each run's own CPU, in order
        for r, (_, path, _, _, c) in zip(runs, server_runs):
            print(f"  {r.page or 'Home':<20} {r.what:<18} {c:6.3f} s CPU {r.seconds:6.2f} s")
    for e in errors[:10]:
        print("ERROR:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
