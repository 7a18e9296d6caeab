"""Memory under hostile variation: a visitor cycles URL values (and uploads pictures) to make the
server cache ever more. Every cache keyed by user input has a size limit, so the server's memory
must level off instead of growing with the number of distinct values.

    python benchmarks/hostile.py [--values 1000] [--uploads 100]

Visits ``--values`` distinct URLs (seeds, grid sizes and ranges, test indices, codes; each visit a
new session, three tabs at a time), then uploads ``--uploads`` distinct pictures in one session
of *Your own digit*, and records the server's resident memory as it goes. Writes
``benchmarks/results/hostile.json``; exits 1 on a failed visit or a traceback in the server's log.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

from common import BROWSER_ARGS, CHROMIUM, IDLE_JS, REPO, rss_mb, start_server, tracebacks

SERVER_LOG = REPO / "benchmarks" / "results" / "hostile-server.log"
TABS = 3


def distinct_urls(n: int) -> list[str]:
    """n different links, cycling over the pages whose caches a link's values key."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        lo = -3.0 - 0.5 * (i % 5)
        out += [f"Grid_vs_ppf?n={5 + i % 26}&lo={lo:g}&hi={3.0 + 0.5 * ((i // 5) % 5):g}&p={(0.001, 0.005, 0.01, 0.02, 0.05)[i % 5]}",
                f"AE_vs_VAE?seed={i}",
                f"Conditional_VAE?seed={i}&digit={i % 10}",
                f"Reconstructions?mode=index&idx={i},{i + 1},{(7 * i) % 10_000}",
                f"Prototypes?seed={i}&digit={i % 10}",
                f"Latent_explorer?z={(i % 61 - 30) / 10:g},{((7 * i) % 61 - 30) / 10:g}",
                f"KL_weighting?seed={i}",
                f"Posterior_spread?idx={(13 * i) % 10_000}&seed={i}"]
        i += 1
    return out[:n]


def picture(i: int) -> bytes:
    """A distinct digit-like PNG: a ring of varying size, position and stroke."""
    from PIL import Image, ImageDraw

    im = Image.new("L", (200 + i % 50, 200 + (3 * i) % 50), 255)
    d = ImageDraw.Draw(im)
    x, y, r = 40 + i % 30, 40 + (7 * i) % 30, 50 + i % 40
    d.ellipse((x, y, x + r, y + r * 1.4), outline=0, width=8 + i % 10)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def main() -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--values", type=int, default=1000)
    ap.add_argument("--uploads", type=int, default=100)
    args = ap.parse_args()
    proc, base = start_server(server_log=SERVER_LOG)
    samples: list[tuple[int, float]] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            tabs = [browser.new_page(viewport={"width": 1400, "height": 1000}) for _ in range(TABS)]
            tabs[0].goto(base, timeout=120_000)
            tabs[0].wait_for_function(IDLE_JS, timeout=120_000)
            samples.append((0, rss_mb(proc.pid)))
            urls = distinct_urls(args.values)
            for k in range(0, len(urls), TABS):
                batch = list(zip(tabs, urls[k:k + TABS]))
                for tab, url in batch:
                    tab.goto(f"{base}/{url}", wait_until="commit", timeout=120_000)
                for tab, url in batch:
                    try:
                        tab.wait_for_timeout(300)
                        tab.wait_for_function(IDLE_JS, timeout=120_000, polling=100)
                        if tab.locator('[data-testid="stException"]').count():
                            errors.append(f"{url}: stException")
                    except Exception as exc:  # a visit that never finished
                        errors.append(f"{url}: {type(exc).__name__}")
                done = k + len(batch)
                if done % 100 < TABS:
                    samples.append((done, rss_mb(proc.pid)))
                    print(f"{done:5d} values: {samples[-1][1]:.0f} MB, {time.perf_counter() - t0:.0f} s", flush=True)
            page = tabs[0]
            page.goto(f"{base}/Your_own_digit", timeout=120_000)
            page.wait_for_function(IDLE_JS, timeout=120_000)
            page.get_by_text("my own picture").click()
            page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=60_000)
            before_uploads = rss_mb(proc.pid)
            for i in range(args.uploads):
                page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                    files=[{"name": f"digit-{i}.png", "mimeType": "image/png", "buffer": picture(i)}])
                page.wait_for_timeout(300)
                page.wait_for_function(IDLE_JS, timeout=120_000, polling=100)
            samples.append((args.values + args.uploads, rss_mb(proc.pid)))
            browser.close()
    finally:
        proc.terminate()
    res = {"date": time.strftime("%Y-%m-%d %H:%M"), "values": args.values, "uploads": args.uploads,
           "rss_mb": samples, "rss_mb_before_uploads": before_uploads, "errors": len(errors),
           "error_samples": errors[:10], "server_tracebacks": tracebacks(SERVER_LOG),
           "seconds": time.perf_counter() - t0}
    (REPO / "benchmarks" / "results" / "hostile.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 1 if errors or res["server_tracebacks"] else 0


if __name__ == "__main__":
    sys.exit(main())
