"""Memory under hostile variation: a visitor cycles URL values (and uploads pictures) to make the
server cache ever more. Every cache keyed by user input has a size limit, so the server's memory
must level off instead of growing with the number of distinct values.

    python benchmarks/hostile.py [--values 1000] [--uploads 100]

Part 1 opens ``--values`` distinct links (grid sizes and ranges, test indices, codes; seeds go
round the seed boxes' bank of 32, ``ui.page.links.SEED_BANK``, and digits round 0-9), each
a new session of the page, in this process with Streamlit's AppTest: the same page code and the
same bounded caches as the server, without a browser (1,000 visits in minutes instead of half an
hour), and records this process's resident memory as it goes. Part 2 starts the server and uploads
``--uploads`` distinct pictures in one Chromium session of *Your own digit*, recording the server's
memory. Writes ``benchmarks/results/hostile.json``; exits 1 on a failed visit or a traceback in the
server's log.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

from common import BROWSER_ARGS, CHROMIUM, IDLE_JS, REPO, rss_mb, start_server, tracebacks

SERVER_LOG = REPO / "benchmarks" / "results" / "hostile-server.log"


def distinct_urls(n: int) -> list[str]:
    """n different links, cycling over the pages whose caches a link's values key."""
    from ui.page.links import SEED_BANK as bank  # a seed past the bank is refused: no new cache

    out: list[str] = []
    i = 0
    while len(out) < n:
        lo = -3.0 - 0.5 * (i % 5)
        out += [
            f"Grid_vs_ppf?grid_n={5 + i % 26}&grid_lo={lo:g}&grid_hi={3.0 + 0.5 * ((i // 5) % 5):g}"
            f"&grid_p={(0.001, 0.005, 0.01, 0.02, 0.05)[i % 5]}",
            f"AE_vs_VAE?aevae_seed={i % bank}",
            f"Conditional_VAE?cvae_seed={i % bank}&cvae_digit={i % 10}",
            f"Reconstructions?rec_mode=index&rec_idx={i},{i + 1},{(7 * i) % 10_000}",
            f"Prototypes?protos_seed={i % bank}&protos_digit={i % 10}",
            f"Latent_explorer?lex_z={(i % 61 - 30) / 10:g},{((7 * i) % 61 - 30) / 10:g}",
            f"KL_weighting?kl_seed={i % bank}",
            f"Posterior_spread?post_idx={(13 * i) % 10_000}&post_seed={i % bank}",
        ]
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


def own_rss_mb() -> float:
    return rss_mb(os.getpid())


def visit_links(n: int) -> tuple[list[tuple[int, float]], list[str]]:
    """Part 1: n distinct links, each a fresh AppTest session of its page, in this process."""
    os.environ.setdefault("LATENT_LAB_PREFETCH", "0")
    from streamlit.testing.v1 import AppTest

    samples: list[tuple[int, float]] = []
    errors: list[str] = []
    urls = distinct_urls(n)
    for i, url in enumerate(urls, 1):
        path, _, query = url.partition("?")
        page = next(f for f in (REPO / "pages").glob("*.py") if f.stem.split("_", 1)[1] == path)
        at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
        at.switch_page(str(page.relative_to(REPO)))
        for part in query.split("&"):
            k, _, v = part.partition("=")
            at.query_params[k] = v
        at.run()
        if at.exception:
            errors.append(f"{url}: {at.exception[0].value[:200]}")
        if i == 1 or i % 100 == 0:
            samples.append((i, own_rss_mb()))
            print(f"{i:5d} links: {samples[-1][1]:.0f} MB", flush=True)
    return samples, errors


def upload_pictures(n: int) -> tuple[list[tuple[int, float]], list[str], list[str]]:
    """Part 2: n distinct uploads in one Chromium session; the server's memory after every 20."""
    from playwright.sync_api import sync_playwright

    proc, base = start_server(server_log=SERVER_LOG)
    samples: list[tuple[int, float]] = []
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/Your_own_digit", timeout=120_000)
            page.wait_for_function(IDLE_JS, timeout=120_000)
            page.get_by_text("my own picture").click()
            page.wait_for_selector(
                '[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=60_000
            )
            samples.append((0, rss_mb(proc.pid)))
            for i in range(n):
                page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                    files=[
                        {"name": f"digit-{i}.png", "mimeType": "image/png", "buffer": picture(i)}
                    ]
                )
                page.wait_for_timeout(300)
                page.wait_for_function(IDLE_JS, timeout=120_000, polling=100)
                if page.locator('[data-testid="stException"]').count():
                    errors.append(f"upload {i}: stException")
                if (i + 1) % 20 == 0:
                    samples.append((i + 1, rss_mb(proc.pid)))
                    print(f"{i + 1:5d} uploads: {samples[-1][1]:.0f} MB", flush=True)
            browser.close()
    finally:
        proc.terminate()
    return samples, errors, tracebacks(SERVER_LOG)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--values", type=int, default=1000)
    ap.add_argument("--uploads", type=int, default=100)
    args = ap.parse_args()
    t0 = time.perf_counter()
    link_rss, link_errors = visit_links(args.values)
    t1 = time.perf_counter()
    upload_rss, upload_errors, found = upload_pictures(args.uploads)
    res = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "links": args.values,
        "uploads": args.uploads,
        "rss_mb_by_links (AppTest process)": link_rss,
        "rss_mb_by_uploads (server)": upload_rss,
        "errors": len(link_errors) + len(upload_errors),
        "error_samples": (link_errors + upload_errors)[:10],
        "server_tracebacks": found,
        "seconds_links": t1 - t0,
        "seconds_uploads": time.perf_counter() - t1,
    }
    (REPO / "benchmarks" / "results" / "hostile.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))
    return 1 if res["errors"] or found else 0


if __name__ == "__main__":
    sys.exit(main())
