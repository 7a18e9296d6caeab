"""A room of 300: simulated students vote in a class session while a class follows the lessons.

    python benchmarks/class_vote.py [--voters 300] [--window 10] [--lesson-students 30]
                                    [--database sqlite|postgresql]

One server (``streamlit run``), or ``--replicas N`` on this machine, each student on one of them in
turn; the class database is SQLite in a temporary folder, or a PostgreSQL started from Debian's
packages by ``tests/pgserver.py`` (which replicas share). A teacher starts a session; N voters join
over ``--join`` seconds, each a websocket client speaking Streamlit's protocol (no browser on the
server's cores), each polling its page as the browser would (the view's ``run_every`` fragment);
then
all N vote within ``--window`` seconds. The teacher's page polls its count every second, as the
teacher's browser does. Meanwhile ``--lesson-students`` students follow the lecture route of
``classroom.py`` through the lessons.

Prints: each vote's time to answer (p50 / p95 / max), whether every vote was counted (the database's
tally against what was sent), how long after each vote the teacher's page showed it (max, p95), the
lesson students' p50 / p95 / max, server CPU and RSS. Exits 1 on any error or uncounted vote.
Writes ``benchmarks/results/class-vote-<N>-voters-<M>-students-<database>[-<R>-replicas].json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from classroom import ROUTE, Student, pct, summary
from common import REPO, PeakRss, cpu_s, rss_mb, start_server, tracebacks

from ui.compat import streamlit_protocol

P = streamlit_protocol()
PAGE = "Class_mode"  # the class-mode page's URL path
SERVER_LOG = REPO / "benchmarks" / "results" / "class-vote-server.log"
TIMEOUT_S = 120


@dataclass
class Client:
    """One browser tab on the class-mode page: its widgets, its polling fragment, its runs."""

    base: str
    query: str
    hashes: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # widget key -> widget id
    fragment: str = ""  # the page's run_every fragment
    interval: float = 0.0
    metric: str = ""  # the last "Votes" number shown
    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ws: Any = None

    async def connect(self) -> None:
        import websockets

        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(
            url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=TIMEOUT_S,
            ping_interval=None,
        )

    async def run(
        self, states: dict[str, tuple[str, Any]] | None = None, fragment: str = ""
    ) -> float:
        """A full run (or a fragment's), with these widget values; returns its seconds."""
        msg = P.BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = PAGE  # by name (the hash new_session reports is the entrypoint's)
        if fragment:
            cs.fragment_id = fragment
            cs.is_auto_rerun = True
        ws_states = P.WidgetStates()
        for key, (fld, value) in (states or {}).items():
            if key in self.ids:
                s = ws_states.widgets.add()
                s.id = self.ids[key]
                setattr(s, fld, value)
        cs.widget_states.CopyFrom(ws_states)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        if not fragment:
            self.texts = []
        try:
            async with asyncio.timeout(TIMEOUT_S):
                while True:
                    fwd = P.ForwardMsg()
                    fwd.ParseFromString(await self.ws.recv())
                    kind = fwd.WhichOneof("type")
                    if kind == "new_session":
                        for p in fwd.new_session.app_pages:
                            self.hashes[p.url_pathname] = p.page_script_hash
                    elif kind == "auto_rerun":
                        self.fragment, self.interval = (
                            fwd.auto_rerun.fragment_id,
                            fwd.auto_rerun.interval,
                        )
                    elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                        el = fwd.delta.new_element
                        etype = el.WhichOneof("type")
                        if etype == "metric":
                            self.metric = el.metric.body
                        elif etype == "exception":
                            self.errors.append(f"exception: {el.exception.message[:200]}")
                        elif etype == "alert":
                            self.texts.append(el.alert.body)
                        elif etype in ("radio", "button"):
                            proto = getattr(el, etype)
                            if proto.id.startswith("$$ID"):
                                self.ids[proto.id.rsplit("-", 1)[-1]] = proto.id
                    elif kind == "script_finished":
                        if fwd.script_finished == P.ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue
                        if fwd.script_finished not in (
                            P.ForwardMsg.FINISHED_SUCCESSFULLY,
                            P.ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                        ):
                            self.errors.append(f"script finished with status {fwd.script_finished}")
                        break
        except TimeoutError:
            self.errors.append(f"no answer in {TIMEOUT_S} s")
        return time.perf_counter() - t0


@dataclass
class Voter:
    client: Client
    choice: int
    label: str  # the choice as the radio shows it (the browser sends the label)
    vote_at: float  # seconds after the window opens
    join_s: float = float("nan")  # the first view's run time
    vote_s: float = float("nan")  # the vote's run time
    acked_at: float = float("nan")  # perf_counter when the vote's run finished
    polls: list[float] = field(default_factory=list)


async def attend(
    v: Voter,
    join_at: float,
    t_start: float,
    window_open: float,
    until: float,
    round_keys: tuple[str, str],
) -> None:
    c = v.client
    await asyncio.sleep(max(0.0, t_start + join_at - time.perf_counter()))
    try:
        await c.connect()
        v.join_s = await c.run()
        if round_keys[0] not in c.ids or round_keys[1] not in c.ids:
            c.errors.append(f"no vote form on the page (widgets: {sorted(c.ids)})")
            return
        voted = False
        next_poll = time.perf_counter() + (c.interval or 4.0)
        while time.perf_counter() < until:
            vote_time = window_open + v.vote_at
            if not voted and vote_time <= next_poll:
                await asyncio.sleep(max(0.0, vote_time - time.perf_counter()))
                v.vote_s = await c.run(
                    {
                        round_keys[0]: ("string_value", v.label),
                        round_keys[1]: ("trigger_value", True),
                    }
                )
                v.acked_at = time.perf_counter()
                voted = True
                if not any("Your vote" in t for t in c.texts):
                    c.errors.append(f"the vote was not confirmed: {c.texts[-3:]}")
                continue
            await asyncio.sleep(max(0.0, next_poll - time.perf_counter()))
            if c.fragment:
                v.polls.append(await c.run(fragment=c.fragment))
            next_poll += c.interval or 4.0
    except Exception as exc:  # a dropped socket
        c.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if c.ws is not None:
            await c.ws.close()


async def teacher_watch(t: Client, until: float, seen: list[tuple[float, int]]) -> None:
    await t.connect()
    await t.run()
    while time.perf_counter() < until:
        await asyncio.sleep(t.interval or 1.0)
        await t.run(fragment=t.fragment)
        seen.append((time.perf_counter(), int(t.metric or 0)))
    await t.ws.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--voters", type=int, default=300)
    ap.add_argument(
        "--window", type=float, default=10.0, help="every vote falls in this many seconds"
    )
    ap.add_argument(
        "--join", type=float, default=30.0, help="voters open the page over this many seconds"
    )
    ap.add_argument("--lesson-students", type=int, default=30)
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="app servers on this machine sharing the database (PostgreSQL), each student "
        "on one of them in turn, as the proxy's leastconn would place them",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.replicas > 1 and args.database != "postgresql":
        ap.error("replicas share one PostgreSQL: add --database postgresql")
    SERVER_LOG.parent.mkdir(exist_ok=True)
    pg = None
    env = {"LATENT_LAB_CLASS_DIR": tempfile.mkdtemp(prefix="latent-lab-class-")}
    if args.database == "postgresql":
        sys.path.insert(0, str(REPO / "tests"))
        import pgserver

        pg = pgserver.start()
        env["LATENT_LAB_DATABASE_URL"] = pg.url
    os.environ.update(env)
    from ui.classmode import questions, store

    db = store.Store(read_ttl_s=0.0)
    db.migrate()
    q = questions.QUESTIONS[0]
    code, secret = db.create([q.key])
    logs = [
        SERVER_LOG.with_name(f"class-vote-server-{i}.log") if i else SERVER_LOG
        for i in range(args.replicas)
    ]
    servers = [
        start_server(env=env, server_log=log, args=("--server.disconnectedSessionTTL", "5"))
        for log in logs
    ]
    procs, bases = [p for p, _ in servers], [b for _, b in servers]
    rng = random.Random(args.seed)
    from ui.classmode.views import choice_label

    picks = [rng.randrange(len(q.choices)) for _ in range(args.voters)]
    voters = [
        Voter(
            Client(bases[i % len(bases)], f"class={code}&voter={store.new_voter()}"),
            k,
            choice_label(q, k),
            rng.uniform(0, args.window),
        )
        for i, k in enumerate(picks)
    ]
    teacher = Client(bases[0], f"class={code}&teacher={secret}")
    lesson_students = [
        Student(bases[i % len(bases)], random.Random(rng.random()))
        for i in range(args.lesson_students)
    ]
    seen: list[tuple[float, int]] = []
    try:
        # the teacher opened the lessons before class (not timed), and the class page once
        for base in bases:
            asyncio.run(Student(base, random.Random(-1)).attend((0.0, 0.0), 0.0))
        rss_before = sum(rss_mb(p.pid) for p in procs)
        cpu_before = sum(cpu_s(p.pid) for p in procs)
        peaks = [PeakRss(p.pid).start() for p in procs]

        async def session() -> float:
            t_start = time.perf_counter()
            window_open = t_start + args.join
            until = window_open + args.window + 8.0
            keys = ("class_pick_0_0", "class_send_0_0")
            await asyncio.gather(
                teacher_watch(teacher, until, seen),
                *(
                    attend(v, rng.uniform(0, args.join), t_start, window_open, until, keys)
                    for v in voters
                ),
                *(s.attend((1.0, 3.0), rng.uniform(0, 1.0), ROUTE) for s in lesson_students),
            )
            return window_open

        t0 = time.perf_counter()
        window_open = asyncio.run(session())
        wall = time.perf_counter() - t0
        cpu = sum(cpu_s(p.pid) for p in procs) - cpu_before
        peak = sum(pk.stop() for pk in peaks)  # the sum of each replica's own peak
        rss_after = sum(rss_mb(p.pid) for p in procs)
        counted = db.tally(code, 0, 0, len(q.choices), fresh=True)
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
        if pg is not None:
            pg.remove()
    sent = [
        sum(1 for v in voters if v.choice == k and v.acked_at == v.acked_at)
        for k in range(len(q.choices))
    ]
    errors = [e for v in voters for e in v.client.errors] + teacher.errors
    errors += [e for s in lesson_students for e in s.errors]
    errors += [f"server traceback:\n{t}" for log in logs for t in tracebacks(log)]
    if counted != sent:
        errors.append(f"tally {counted} != votes sent {sent}")
    # when did the teacher's page first show each vote (the k-th acknowledged vote: a count >= k)
    acks = sorted(v.acked_at for v in voters if v.acked_at == v.acked_at)
    shown = []
    for k, t_ack in enumerate(acks, start=1):
        first = next((t for t, n in seen if n >= k and t >= t_ack), None)
        shown.append(first - t_ack if first is not None else float("inf"))
    vote_s = [v.vote_s for v in voters if v.vote_s == v.vote_s]
    polls = [p for v in voters for p in v.polls]
    lesson_runs = [r.seconds for s in lesson_students for r in s.runs]
    in_window = [v.acked_at - window_open for v in voters if v.acked_at == v.acked_at]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.node()} {platform.machine()}",
        "cores": len(os.sched_getaffinity(0)),
        "database": args.database,
        "replicas": args.replicas,
        "voters": args.voters,
        "window_s": args.window,
        "lesson_students": args.lesson_students,
        "wall_s": round(wall, 1),
        "votes_sent": sent,
        "votes_counted": counted,
        "all_counted": counted == sent,
        "last_vote_answered_s_after_window_opened": round(max(in_window, default=float("nan")), 2),
        "join_run": summary([v.join_s for v in voters if v.join_s == v.join_s]),
        "vote_run": summary(vote_s),
        "poll_run": summary(polls),
        "teacher_shows_vote_after_s": {
            "p95": round(pct(shown, 0.95), 2),
            "max": round(max(shown, default=0), 2),
        },
        "teacher_saw": seen[-1][1] if seen else 0,
        "lesson_runs": summary(lesson_runs),
        "server_cpu_s": round(cpu, 1),
        "rss_mb": {"before": round(rss_before), "peak": round(peak), "after": round(rss_after)},
        "errors": len(errors),
    }
    tag = f"-{args.replicas}-replicas" if args.replicas > 1 else ""
    out = (
        REPO
        / "benchmarks"
        / "results"
        / (
            f"class-vote-{args.voters}-voters-{args.lesson_students}"
            f"-students-{args.database}{tag}.json"
        )
    )
    out.write_text(json.dumps({**result, "error_list": errors[:50]}, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    for e in errors[:10]:
        print("ERROR:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
