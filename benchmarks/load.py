"""A classroom at once: N concurrent browser sessions (default 25) against one local server.

    python benchmarks/load.py [--sessions 25]

One Chromium, one context per student; each visits every page and moves one control. Reports
p50/p95 page render time, errors (must be 0; each with the page's state when it happened), sidebar
clicks lost in the crowd and clicked again, and the server's peak resident memory, sampled
every 0.5 s. Memory per session: the server's memory after one student, then after each of
``--rounds`` classes of N students (the same pages again): models and arrays are shared through
``st.cache_resource``, so a second class must not add what the first one did. Memory is read
after each class has left and its sessions were closed (the server runs with
``--server.disconnectedSessionTTL 5``). Also reported: the server's own time per script run under
this load (p50/p95, from ``timed_server.py``) and its CPU seconds per page visit, which say what
a class costs the server when the students' browsers run on their own machines.
Only talks to 127.0.0.1; bounded in sessions and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time

from common import (
    BROWSER_ARGS,
    CHROMIUM,
    IDLE_JS,
    REPO,
    cpu_s,
    read_runs,
    rss_mb,
    start_server,
    tracebacks,
    url_path,
)

RUN_LOG = REPO / "benchmarks" / "results" / "load-runs.tsv"  # one line per script run
SERVER_LOG = (
    REPO / "benchmarks" / "results" / "load-server.log"
)  # the server's output: tracebacks of failed runs
SESSION_TTL_S = (
    5  # forget a closed session after 5 s (Streamlit's default keeps it 120 s for a reconnect)
)


ARRIVED_JS = (
    """([title, previous]) => { const h = document.querySelector('h1');
  return !!h && h.innerText !== previous && h.innerText.includes(title) && (%s)(); }"""
    % IDLE_JS
)


STATE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  const h = document.querySelector('h1');
  return {heading: h ? h.innerText : null, script: a ? a.dataset.testScriptState : null,
          connection: a ? a.dataset.testConnectionState : null,
          images_loading: Array.from(document.images).filter(i => !i.complete).length}; }"""
# a sidebar click that changed nothing in this time, with no script running, is clicked again
LOST_CLICK_S = 120


async def _state(page) -> dict:
    """The page's heading, script and connection state and images still loading (or why not)."""
    try:
        return await page.evaluate(STATE_JS)
    except Exception as exc:
        return {"unreadable": type(exc).__name__}


async def student(
    browser,
    base: str,
    pages: list[tuple[str, str]],
    times: list[float],
    errors: list[str],
    retries: list[str],
) -> None:
    """One student: opens the home page, then every page from the sidebar (one session, as in
    class), moving the page's first slider one step when it has one. A sidebar click after which,
    ``LOST_CLICK_S`` later, the heading is unchanged and no script runs (the link was re-drawn under
    the pointer: 25 browsers on two cores) is clicked once more and counted in ``retries``. A page
    that has not arrived 300 s after that, or shows an exception, is an error, recorded with the
    page's state at that moment."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    try:
        previous = ""
        for i, (path, title) in enumerate(pages):
            t = time.perf_counter()
            try:
                # the app's own sidebar (st.page_link): relative links, "" for Home
                link = page.locator(f'[data-testid="stSidebar"] a[href="{path}"]').first
                if i == 0:
                    await page.goto(f"{base}/{path}", timeout=300_000)
                else:
                    await link.click(timeout=300_000)  # 25 browsers on two cores: clicks wait too
                try:
                    await page.wait_for_function(
                        ARRIVED_JS, arg=[title, previous], timeout=LOST_CLICK_S * 1000, polling=50
                    )
                except Exception:  # slow, or the click was lost: nothing changed and nothing runs
                    state = await _state(page)
                    if (
                        i > 0
                        and state.get("heading") == previous
                        and state.get("script") == "notRunning"
                    ):
                        retries.append(f"{path}: {json.dumps(state, ensure_ascii=False)}")
                        await link.click(timeout=300_000)
                    await page.wait_for_function(
                        ARRIVED_JS, arg=[title, previous], timeout=300_000, polling=50
                    )
                times.append(time.perf_counter() - t)
                previous = await page.locator("h1").first.inner_text()
                slider = page.locator('[data-testid="stSlider"] input[type="range"]')
                if await slider.count():
                    await slider.first.focus(timeout=300_000)
                    await slider.first.press("ArrowRight", timeout=300_000)
                    await page.wait_for_timeout(300)
                    await page.wait_for_function(IDLE_JS, timeout=300_000)
                if await page.locator('[data-testid="stException"]').count():
                    errors.append(f"{path}: stException")
            except Exception as exc:  # a timeout counts as an error, the run goes on
                errors.append(
                    f"{path or 'home'}: {type(exc).__name__} after {time.perf_counter() - t:.0f} "
                    "s, "
                    f"page state {json.dumps(await _state(page), ensure_ascii=False)}"
                )
    finally:
        await ctx.close()


async def run(n: int, base: str) -> tuple[list[float], list[str], list[str]]:
    from playwright.async_api import async_playwright

    from ui.page.catalogue import LESSONS

    pages = [("", "latent-lab")] + [
        (url_path(lesson.path), lesson.title) for lesson in LESSONS if "Train" not in lesson.title
    ]
    times: list[float] = []
    errors: list[str] = []
    retries: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        await asyncio.gather(
            *(student(browser, base, pages, times, errors, retries) for _ in range(n))
        )
        await browser.close()
    return times, errors, retries


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=25)
    ap.add_argument(
        "--rounds", type=int, default=2, help="classes of N students, one after the other"
    )
    args = ap.parse_args()
    RUN_LOG.unlink(missing_ok=True)
    proc, base = start_server(
        run_log=RUN_LOG,
        args=("--server.disconnectedSessionTTL", str(SESSION_TTL_S)),
        server_log=SERVER_LOG,
    )
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(proc.pid))
            time.sleep(0.5)

    threading.Thread(target=sample, daemon=True).start()
    try:
        t1, e1, r1 = asyncio.run(run(1, base))
        time.sleep(SESSION_TTL_S + 25)
        after_one = rss_mb(proc.pid)
        times, errors, retries, walls, after_round = [], [], list(r1), [], []
        cpu0, since = cpu_s(proc.pid), time.time()
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            t, e, r = asyncio.run(run(args.sessions, base))
            walls.append(time.perf_counter() - t0)
            times += t
            errors += e
            retries += r
            time.sleep(
                SESSION_TTL_S + 25
            )  # the class has left: its sessions are closed and dropped
            after_round.append(rss_mb(proc.pid))
        server_cpu = cpu_s(proc.pid) - cpu0
        runs = [r[3] for r in read_runs(RUN_LOG) if r[0] >= since and r[2] == "full"]
    finally:
        stop.set()
        proc.terminate()
    q = statistics.quantiles(times, n=20) if len(times) > 1 else [float("nan")] * 19
    res = {
        "sessions": args.sessions,
        "page_visits": len(times),
        "p50_s": statistics.median(times),
        "p95_s": q[18],
        "errors": len(errors) + len(e1),
        "error_samples": (e1 + errors)[:10],
        "lost_clicks_retried": len(retries),
        "lost_click_samples": retries[:5],
        "server_tracebacks": tracebacks(SERVER_LOG),
        "rss_mb_after_1_session": after_one,
        "rss_mb_after_each_round": after_round,
        "rss_mb_peak": peak[0],
        "wall_s_per_round": walls,
        "rounds": args.rounds,
        "server_run_p50_s": statistics.median(runs) if runs else float("nan"),
        "server_run_p95_s": statistics.quantiles(runs, n=20)[18] if len(runs) > 1 else float("nan"),
        "server_cpu_s_per_page_visit": server_cpu / max(len(times), 1),
    }
    (REPO / "benchmarks" / "results" / "load.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    # a failed visit or a traceback in the server's log (hidden from the page) fails the run
    return 1 if res["errors"] or res["server_tracebacks"] else 0


if __name__ == "__main__":
    sys.exit(main())
