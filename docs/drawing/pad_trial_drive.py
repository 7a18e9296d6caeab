"""Drives docs/drawing/pad_trial_app.py (served on port 8630) in Chromium: a large and a small 7
stroked with
the mouse on both pads; prints the time from pen-up to the result and the ink of each result."""

import re
import time
from playwright.sync_api import sync_playwright

SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]


def stroke(pg, box, pts, steps=12):
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    pg.mouse.move(x0 + pts[0][0] * w, y0 + pts[0][1] * h)
    pg.mouse.down()
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        for i in range(1, steps + 1):
            t = i / steps
            pg.mouse.move(x0 + (ax + t * (bx - ax)) * w, y0 + (ay + t * (by - ay)) * h)
    pg.mouse.up()


def small(pts, s=0.3, ox=0.55, oy=0.55):
    return [(ox + s * x, oy + s * y) for x, y in pts]


with sync_playwright() as p:
    b = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    for label, pts in (("large", SEVEN), ("small", small(SEVEN))):
        pg = b.new_page(viewport={"width": 1400, "height": 1000})
        pg.goto("http://127.0.0.1:8630/", timeout=120000)
        pg.wait_for_selector("text=/runs: \\d+/", timeout=120000)
        time.sleep(4)
        boxes = sorted(
            [
                c.bounding_box()
                for c in pg.locator("canvas").all()
                if c.bounding_box() and c.bounding_box()["width"] >= 200
            ],
            key=lambda bb: bb["x"],
        )
        for name, box in (("sdc", boxes[0]), ("pad", boxes[-1])):
            t0 = time.perf_counter()
            stroke(pg, box, pts)
            t1 = time.perf_counter()
            seen = None
            for _ in range(200):
                if pg.get_by_text(re.compile(f"^{name} . MNIST, ink")).count():
                    seen = time.perf_counter() - t1
                    break
                time.sleep(0.05)
            print(
                label,
                name,
                "stroke %.2f s, result %.2f s after pen up" % (t1 - t0, seen) if seen else "none",
            )
        time.sleep(1.5)
        pg.screenshot(path=f"/tmp/pad-trial-{label}.png")
        print(label, [t for t in pg.get_by_text(re.compile("MNIST, ink")).all_inner_texts()])
        pg.close()
