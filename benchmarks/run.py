"""latent-lab benchmarks: one command prints a table and writes benchmarks/results/latest.json.

    python benchmarks/run.py

Measures, on this machine: server start to the home page rendered in Chromium; first and repeat
render of every page; server round trips of the main interactions (a latent slider, the beta
select, the grid size, the traversal dimension); decoder time for one image and a 30 x 30
mosaic; the server's resident memory after every page was visited; and the training time of the
zoo as recorded in the checkpoints (a full ``python -m vae.build``).
Targets: repeat render < 1 s, interactions < 150 ms, server memory < 1 GB.
"""
from __future__ import annotations

import json
import platform
import statistics
import time

from common import BROWSER_ARGS, CHROMIUM, IDLE_JS, REPO, rss_mb, start_server, url_path


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector("h1", timeout=timeout_ms)
    page.wait_for_timeout(150)  # let a rerun start
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)


def decoder_times() -> dict[str, float]:
    import numpy as np
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


INTERACTIONS = [  # (page file, description, slider index on the page)
    ("pages/07_Latent_explorer.py", "latent slider", 0),
    ("pages/02_KL_weighting.py", "beta select", 0),
    ("pages/03_Grid_vs_ppf.py", "grid size", 0),
    ("pages/04_Prototypes.py", "traversal range", 0),
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    from ui.lessons import LESSONS

    results: dict = {"machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
                                f"{__import__('os').cpu_count()} cores", "date": time.strftime("%Y-%m-%d %H:%M")}
    results.update(decoder_times())
    t0 = time.perf_counter()
    proc, base = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base, timeout=120_000)
            wait_idle(page)
            results["server_start_to_home_s"] = time.perf_counter() - t0
            renders = {}
            for lesson in [None, *LESSONS]:
                url = f"{base}/{url_path(lesson.path)}" if lesson else base
                name = lesson.title if lesson else "Home"
                t = time.perf_counter()
                page.goto(url, timeout=120_000)
                wait_idle(page)
                first = time.perf_counter() - t
                t = time.perf_counter()
                page.reload()
                wait_idle(page)
                repeat = time.perf_counter() - t
                errors = page.locator('[data-testid="stException"]').count()
                renders[name] = {"first_s": first, "repeat_s": repeat, "exceptions": errors}
            results["renders"] = renders
            inter = {}
            for path, what, idx in INTERACTIONS:
                page.goto(f"{base}/{url_path(path)}", timeout=120_000)
                wait_idle(page)
                slider = page.locator('[data-testid="stSlider"] input[type="range"]').nth(idx)
                ts = []
                for k in range(4):
                    slider.focus()
                    t = time.perf_counter()
                    slider.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
                    page.wait_for_timeout(60)
                    page.wait_for_function(IDLE_JS, timeout=60_000)
                    ts.append(time.perf_counter() - t - 0.06)
                inter[what] = {"page": path, "median_ms": 1000 * statistics.median(ts)}
            results["interactions"] = inter
            results["server_rss_mb_after_all_pages"] = rss_mb(proc.pid)
            browser.close()
    finally:
        proc.terminate()
    import torch

    from vae import zoo

    results["zoo_training_minutes_sum"] = sum(zoo.info(n)["seconds"] for n in zoo.names()) / 60
    manifest = json.loads((REPO / "cache" / "manifest.json").read_text())
    results["last_build_minutes"] = manifest.get("build_seconds_last", float("nan")) / 60
    results["torch"] = torch.__version__
    out = REPO / "benchmarks" / "results" / "latest.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"machine: {results['machine']}")
    print(f"server start -> home rendered : {results['server_start_to_home_s']:.1f} s")
    print(f"decode 1 image                : {results['decode_1_image_ms']:.2f} ms")
    print(f"decode 30x30 mosaic           : {results['decode_30x30_mosaic_ms']:.1f} ms")
    print(f"{'page':28s} {'first (s)':>10s} {'repeat (s)':>10s}")
    for name, r in results["renders"].items():
        print(f"{name:28s} {r['first_s']:10.2f} {r['repeat_s']:10.2f}" + ("  EXCEPTION" if r["exceptions"] else ""))
    for what, r in results["interactions"].items():
        print(f"interaction {what:17s} {r['median_ms']:8.0f} ms (round trip incl. browser)")
    print(f"server RSS after every page   : {results['server_rss_mb_after_all_pages']:.0f} MB")
    print(f"zoo training (sum of models)  : {results['zoo_training_minutes_sum']:.1f} min")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
