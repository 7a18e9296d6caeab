"""latent-lab benchmarks: one command prints a table and writes benchmarks/results/latest.json.

    python benchmarks/run.py [--out benchmarks/results/latest.json]

Measures, on this machine, with the server and Chromium sharing its cores: server start to the
home page rendered; for every page the first render (cold server), the repeat render (the median
of three reloads, each a new session on a warm server), a sidebar navigation within one session
(what a student does), and the server's own time for that page (wall and CPU of the script run,
logged by
``timed_server.py``); the server time and browser round trip of the main interactions (a latent
slider, the beta select, the grid size, the traversal dimension); decoder time for one image and a
30 x 30 mosaic; the server's resident memory after every page was visited; and the zoo's training
time as recorded in the checkpoints (a full ``python -m vae.build``).
Each page's repeat render is also compared with a bare Streamlit page (``bare_page.py``: a title and
a line, the same settings) reloaded the same way in the same run, on its own server started after
the app's has stopped: the ratio is what the page costs beyond Streamlit itself.
Targets: repeat render < 1 s and at most 1.3x the bare page, interactions < 150 ms, server memory <
1 GB.

Interactions: three steps to values not shown before ("new"), three back over them ("seen"), and
for sliders a jump to the far end ("far"). A new value may already have been drawn by the prefetch
worker (``ui/prefetch.py``), as it would be for a student: the next step of every slider, and on
the Grid page every grid size once the worker has had about 7 s. So the grid size is also timed
with nothing drawn ahead (``grid_size_uncached``: the page in-process, the worker off).

Each page and each interaction starts on a quiet server (``wait_quiet``: the prefetch worker has
finished what the pages before asked for; the load test, ``load.py``, measures pages under
contention).

"Rendered" means: Streamlit reports its script not running, the websocket is connected, the page
heading is there and every image has loaded.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path

from common import (
    BROWSER_ARGS,
    CHROMIUM,
    IDLE_JS,
    REPO,
    read_runs,
    rss_mb,
    start_server,
    tracebacks,
    url_path,
    wait_quiet,
)

RUN_LOG = REPO / "benchmarks" / "results" / "runs.tsv"  # one line per script run (timed_server.py)
SERVER_LOG = (
    REPO / "benchmarks" / "results" / "run-server.log"
)  # the server's output: tracebacks fail the run
RELOADS = 3  # repeat renders per page; the table shows their median


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(IDLE_JS, timeout=timeout_ms, polling=25)


def wait_logged(since: float, timeout_s: float = 120) -> None:
    """Wait until the server has logged a script run that ended after ``since`` (unix time)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if any(r[0] >= since for r in read_runs(RUN_LOG)):
            return
        time.sleep(0.01)
    raise TimeoutError("no script run logged")


def last_run(after: float, page_file: str | None = None) -> tuple[float, float]:
    """(wall s, CPU s) of the last script run logged after ``after`` (for ``page_file`` if
    given)."""
    rows = [
        r
        for r in read_runs(RUN_LOG)
        if r[0] >= after and (page_file is None or r[1].endswith(page_file))
    ]
    return (rows[-1][3], rows[-1][4]) if rows else (float("nan"), float("nan"))


def decoder_times() -> dict[str, float]:
    import torch

    from vae import zoo
    from vae.latent import grid_2d, ppf_axis

    m = zoo.load("vae-2d")
    z1 = torch.zeros(1, 2)
    grid = torch.as_tensor(grid_2d(ppf_axis(30), ppf_axis(30)), dtype=torch.float32)  # (900, 2)
    out = {}
    for label, z in (("decode_1_image_ms", z1), ("decode_30x30_mosaic_ms", grid)):
        with torch.inference_mode():
            m.decode(z)
            ts = []
            for _ in range(20):
                t = time.perf_counter()
                m.decode(z)
                ts.append(time.perf_counter() - t)
        out[label] = 1000 * statistics.median(ts)
    return out


def grid_size_uncached() -> dict[str, float]:
    """Server time of the grid-size slider when nothing was drawn ahead (the prefetch worker off,
    fresh caches): the Grid page run in-process (Streamlit's AppTest) at n = 15, then at 16 (one
    step)
    and 30 (the far end). The app in a browser meets this only when a student beats the worker."""
    import os
    from unittest import mock

    from streamlit.testing.v1 import AppTest

    with mock.patch.dict(os.environ, {"LATENT_LAB_PREFETCH": "0"}):
        # from the entrypoint, as `streamlit run` does: the sidebar's page links resolve only there
        at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
        at.switch_page("pages/03_Grid_vs_ppf.py")
        at.run()
        out = {}
        for n in (16, 30):
            t = time.perf_counter()
            at.slider(key="grid_n").set_value(n).run()
            out[f"grid_size_uncached_to_{n}_ms"] = 1000 * (time.perf_counter() - t)
            if at.exception:
                raise RuntimeError(at.exception[0].value)
    return out


INTERACTIONS = [  # (page file, what, widget kind, label of the widget)
    ("pages/07_Latent_explorer.py", "latent slider", "slider", "z₁"),
    ("pages/02_KL_weighting.py", "beta select", "slider", "β, the weight of the KL term"),
    ("pages/03_Grid_vs_ppf.py", "grid size", "slider", "Grid size n"),
    ("pages/04_Prototypes.py", "traversal dimension", "selectbox", "Horizontal dimension"),
]
OTHER_AXIS = {
    "Horizontal dimension": "Vertical dimension"
}  # a selectbox whose value to leave alone


def interact(page, kind: str, label: str, k: int) -> None:
    """Move a slider one step (three right, then three left), or pick options of a selectbox (three
    new ones, then the same three again)."""
    if kind == "slider":
        box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
        thumb = box.locator('input[type="range"]').first
        thumb.focus()
        # three new values, then back over them, then a jump to the far end (nothing drawn ahead
        # there)
        thumb.press("ArrowRight" if k < 3 else "ArrowLeft" if k < 6 else "End")
    else:

        def value(text: str) -> str:
            return (
                page.locator('[data-testid="stSelectbox"]')
                .filter(has_text=text)
                .first.locator('input[role="combobox"]')
                .input_value()
            )

        box = (
            page.locator('[data-testid="stSelectbox"]')
            .filter(has_text=label)
            .first.locator('input[role="combobox"]')
        )
        if k == 0:
            interact.start = value(label)

        def open_list():
            options = page.get_by_role("option")
            for attempt in range(
                6
            ):  # the list opens asynchronously; a click can land while it closes
                box.click() if attempt % 2 == 0 else box.press("ArrowDown")
                try:
                    options.nth(3).wait_for(timeout=3_000)
                    return options
                except Exception:
                    page.keyboard.press("Escape")
            raise RuntimeError(f"the options of {label!r} did not open")

        names = open_list().all_inner_texts()
        keep = (
            {interact.start, value(OTHER_AXIS[label])} if label in OTHER_AXIS else {interact.start}
        )
        target = [n for n in names if n not in keep][:3][[0, 1, 2, 0, 1, 2][k]]
        for attempt in range(3):  # the list may re-render under the pointer: find the option again
            try:
                page.get_by_role("option", name=target, exact=True).click(timeout=5_000)
                return
            except Exception:
                page.keyboard.press("Escape")
                open_list()
        raise RuntimeError(f"could not choose {target!r} in {label!r}")


def open_page(p, base: str):
    """Debian's Chromium (Playwright ``p``) with one 1400 x 1000 tab showing ``base``, rendered."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(base, timeout=120_000)
    wait_idle(page)
    return browser, page


def bare_page_repeat() -> float:
    """The median repeat render (of RELOADS reloads) of ``bare_page.py`` on its own server."""
    from playwright.sync_api import sync_playwright

    proc, base = start_server(script="benchmarks/bare_page.py")
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, base)
            repeats = []
            for _ in range(RELOADS):
                wait_quiet(proc.pid)
                t = time.perf_counter()
                page.reload()
                wait_idle(page)
                repeats.append(time.perf_counter() - t)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return statistics.median(repeats)


def main() -> list[str]:
    """Run every measurement; returns the tracebacks found in the server's log (none: success)."""
    import argparse

    from playwright.sync_api import sync_playwright

    from ui.page.catalogue import LESSONS

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "latest.json")
    out = ap.parse_args().out.resolve()
    results: dict = {
        "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{__import__('os').cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    results.update(decoder_times())
    results.update(grid_size_uncached())
    RUN_LOG.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc, base = start_server(run_log=RUN_LOG, server_log=SERVER_LOG)
    pages = [("Home", "streamlit_app.py", f"{base}/")] + [
        (lesson.title, lesson.path, f"{base}/{url_path(lesson.path)}") for lesson in LESSONS
    ]
    try:
        with sync_playwright() as p:
            browser, page = open_page(p, base)
            results["server_start_to_home_s"] = time.perf_counter() - t0
            renders = {}
            for name, path, url in pages:
                wait_quiet(proc.pid)  # what the pages before asked the prefetch worker for is done
                t = time.perf_counter()
                page.goto(url, timeout=120_000)
                wait_idle(page)
                first = time.perf_counter() - t
                repeats, walls, cpus = [], [], []
                for _ in range(RELOADS):  # the median of three: one reload varies by ±50 % here
                    since = time.time()
                    t = time.perf_counter()
                    page.reload()
                    wait_idle(page)
                    repeats.append(time.perf_counter() - t)
                    wall, cpu = last_run(since, path)
                    walls.append(wall)
                    cpus.append(cpu)
                repeat, wall, cpu = (statistics.median(v) for v in (repeats, walls, cpus))
                errors = page.locator('[data-testid="stException"]').count()
                renders[name] = {
                    "first_s": first,
                    "repeat_reload_s": repeat,
                    "repeat_reloads_s": repeats,
                    "server_wall_s": wall,
                    "server_cpu_s": cpu,
                    "exceptions": errors,
                }
            # what a student does: move between pages in the sidebar, in one session
            page.goto(base, timeout=120_000)
            wait_idle(page)
            for name, path, url in pages[1:] + pages[:1]:
                # the app's own sidebar (st.page_link): relative links, "" for Home
                link = page.locator(
                    f'[data-testid="stSidebar"] a[href="{url[len(base) + 1 :]}"]'
                ).first
                since = time.time()
                t = time.perf_counter()
                link.click()
                wait_logged(since)
                wait_idle(page)
                renders[name]["navigate_s"] = time.perf_counter() - t
            results["renders"] = renders
            inter = {}
            for path, what, kind, label in INTERACTIONS:
                wait_quiet(proc.pid)
                page.goto(f"{base}/{url_path(path)}", timeout=120_000)
                wait_idle(page)
                walls, cpus, trips = [], [], []
                # three values never shown before (new), the same again (seen), and for a slider the
                # far end
                for k in range(7 if kind == "slider" else 6):
                    since = time.time()
                    t = time.perf_counter()
                    interact(page, kind, label, k)
                    wait_logged(since)
                    wait_idle(page)
                    trips.append(time.perf_counter() - t)
                    wall, cpu = last_run(since)
                    walls.append(wall)
                    cpus.append(cpu)
                inter[what] = {
                    "page": path,
                    "server_cold_ms": 1000 * statistics.median(walls[:3]),
                    "server_warm_ms": 1000 * statistics.median(walls[3:]),
                    "server_cpu_cold_ms": 1000 * statistics.median(cpus[:3]),
                    "server_cpu_warm_ms": 1000 * statistics.median(cpus[3:]),
                    "round_trip_median_ms": 1000 * statistics.median(trips[:6]),
                }
                if len(walls) > 6:  # the jump: a value far from any shown, so not prefetched
                    inter[what].update(
                        server_far_ms=1000 * walls[6], server_cpu_far_ms=1000 * cpus[6]
                    )
            results["interactions"] = inter
            results["server_rss_mb_after_all_pages"] = rss_mb(proc.pid)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    results["bare_page_repeat_s"] = bare_page_repeat()
    for r in results["renders"].values():
        r["repeat_vs_bare"] = r["repeat_reload_s"] / results["bare_page_repeat_s"]
    import torch

    from vae import zoo

    results["zoo_training_minutes_sum"] = sum(zoo.info(n)["seconds"] for n in zoo.names()) / 60
    manifest = json.loads((REPO / "cache" / "manifest.json").read_text())
    results["last_build_minutes"] = manifest.get("build_seconds_last", float("nan")) / 60
    results["torch"] = torch.__version__
    results["server_tracebacks"] = tracebacks(SERVER_LOG)
    out.write_text(json.dumps(results, indent=1))
    print(f"machine: {results['machine']}")
    print(f"server start -> home rendered : {results['server_start_to_home_s']:.1f} s")
    print(f"decode 1 image                : {results['decode_1_image_ms']:.2f} ms")
    print(f"decode 30x30 mosaic           : {results['decode_30x30_mosaic_ms']:.1f} ms")
    print(f"bare Streamlit page, reload   : {results['bare_page_repeat_s']:.2f} s")
    print(
        f"{'page':22s} {'first':>7s} {'reload':>7s} {'x bare':>7s} {'navigate':>9s} "
        f"{'server wall':>12s} {'server CPU':>11s}  (s)"
    )
    for name, r in results["renders"].items():
        print(
            f"{name:22s} {r['first_s']:7.2f} {r['repeat_reload_s']:7.2f} "
            f"{r['repeat_vs_bare']:7.2f} "
            f"{r['navigate_s']:9.2f} {r['server_wall_s']:12.2f} {r['server_cpu_s']:11.2f}"
            + ("  EXCEPTION" if r["exceptions"] else "")
        )
    for what, r in results["interactions"].items():
        print(
            f"interaction {what:20s} server: new value {r['server_cold_ms']:4.0f} ms, seen before "
            f"{r['server_warm_ms']:4.0f} ms (CPU {r['server_cpu_cold_ms']:.0f} / "
            f"{r['server_cpu_warm_ms']:.0f} ms); "
            f"round trip incl. browser {r['round_trip_median_ms']:4.0f} ms"
            + (
                f"; jump to the far end {r['server_far_ms']:4.0f} ms"
                if "server_far_ms" in r
                else ""
            )
        )
    print(
        f"grid size, nothing drawn ahead: one step {results['grid_size_uncached_to_16_ms']:.0f} "
        "ms, "
        f"to the far end {results['grid_size_uncached_to_30_ms']:.0f} ms (in-process AppTest)"
    )
    print(f"server RSS after every page   : {results['server_rss_mb_after_all_pages']:.0f} MB")
    print(f"zoo training (sum of models)  : {results['zoo_training_minutes_sum']:.1f} min")
    print(f"wrote {out}")
    return results["server_tracebacks"]


if __name__ == "__main__":
    found = main()
    if found:  # the app hides tracebacks from the page (showErrorDetails = "none"): the log tells
        print("FAILED: tracebacks in the server log:\n" + "\n".join(found))
        sys.exit(1)
