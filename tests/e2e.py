"""Shared pieces of the real-browser tests: a ``streamlit run`` server whose log is checked for
tracebacks, Debian's Chromium through Playwright, and waiting for Streamlit to be idle.

The app hides tracebacks from the page (``client.showErrorDetails = "none"``), so a page that
only looks for an on-screen exception would miss a crash: every test that uses :func:`server`
also fails when the server's log gained a traceback while the test ran.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

# the repository, the browser and its flags, and the server's CPU: as the benchmarks use them
from benchmarks.common import BROWSER_ARGS, CHROMIUM, REPO, cpu_s, wait_quiet  # noqa: F401

# Streamlit marks its root element with the script's state and the connection's (its own e2e
# tests wait on these); "idle" also needs the heading and every image loaded.
IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  return !!a && a.dataset.testScriptState === 'notRunning'
    && a.dataset.testConnectionState === 'CONNECTED' && document.querySelector('h1') !== null
    && Array.from(document.images).every(i => i.complete); }"""
# What the page shows, counted: its elements and images (``wait_idle`` waits for these to settle)
DRAWN_JS = """() => [document.querySelectorAll('[data-testid="stElementContainer"]').length,
  document.images.length]"""
CONNECTION_JS = "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testConnectionState"

# Every text a canvas draws (add it with ``context.add_init_script``): its font size in CSS pixels
# (the context's scale, rotation included, over the canvas's pixel ratio), its anchor point (x, y),
# its alignment, and its box in canvas CSS pixels (from the text's measured width, its alignment and
# baseline); rotated texts are marked. ``__drawn`` keeps every text drawn (where a legend's label
# was put, to tap it); in ``__texts`` only what the canvas still shows counts: a clearRect forgets
# the texts inside the area it clears, all of them when it clears the whole canvas (as Vega does
# before each full render). Without that, a chart drawn first at one size and again at its final
# one (Streamlit sizes a chart to its column after the first render) kept the first render's
# labels, and they "overlapped" the final ones, though no one ever sees the two together.
TEXT_HOOK = """(() => {
  const P = CanvasRenderingContext2D.prototype, fill = P.fillText, clear = P.clearRect;
  const css = (c, m, x, y) => {
    const ratio = c.width / (c.offsetWidth || c.width) || 1;
    return [(m.a * x + m.c * y + m.e) / ratio, (m.b * x + m.d * y + m.f) / ratio];
  };
  P.clearRect = function (x, y, w, h) {
    const c = this.canvas, m = this.getTransform();
    if (c.__texts) {
      const [ax, ay] = css(c, m, x, y), [bx, by] = css(c, m, x + w, y + h);
      const [x0, x1, y0, y1] = [Math.min(ax, bx), Math.max(ax, bx), Math.min(ay, by),
                                Math.max(ay, by)];
      const ratio = c.width / (c.offsetWidth || c.width) || 1;
      const all = x0 <= 1 && y0 <= 1 && x1 >= c.width / ratio - 1 && y1 >= c.height / ratio - 1;
      c.__texts = all ? [] : c.__texts.filter(t => !(t.box[0] >= x0 - 1 && t.box[2] <= x1 + 1
                                                      && t.box[1] >= y0 - 1 && t.box[3] <= y1 + 1));
    }
    return clear.call(this, x, y, w, h);
  };
  P.fillText = function (text, x, y, w) {
    const s = String(text);
    if (s.trim()) {
      const c = this.canvas, m = this.getTransform();
      const ratio = c.width / (c.offsetWidth || c.width) || 1;
      const k = Math.hypot(m.a, m.b) / ratio;
      const px = parseFloat((this.font.match(/([\\d.]+)px/) || [0, 0])[1]) * k;
      const width = this.measureText(s).width * k;
      const left = {left: 0, start: 0, center: -0.5, right: -1, end: -1}[this.textAlign] || 0;
      const tops = {top: 0, hanging: 0, middle: -0.5, bottom: -1, ideographic: -1};
      const top = tops[this.textBaseline];
      const x0 = (m.a * x + m.c * y + m.e) / ratio + left * width;
      const y0 = (m.b * x + m.d * y + m.f) / ratio + (top === undefined ? -0.8 : top) * px;
      const [ax, ay] = [(m.a * x + m.c * y + m.e) / ratio, (m.b * x + m.d * y + m.f) / ratio];
      const t = {text: s, px, x: ax, y: ay, box: [x0, y0, x0 + width, y0 + px],
                 rotated: Math.abs(m.b) > 1e-6, align: this.textAlign};
      (c.__texts = c.__texts || []).push(t);
      (c.__drawn = c.__drawn || []).push(t);
    }
    return fill.call(this, text, x, y, w);
  };
})();"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_path(page_file: str) -> str:
    """Streamlit's URL for a pages/ file: the stem without its number prefix."""
    return re.sub(r"^\d+_", "", Path(page_file).stem)


@dataclass
class Server:
    base: str
    proc: subprocess.Popen
    log: Path
    _checked: int = 0  # bytes of the log already checked

    def new_tracebacks(self) -> list[str]:
        """Tracebacks the server logged since the last call (each cut to its last 1,500
        characters)."""
        text = self.log.read_text(errors="replace")
        new, self._checked = text[self._checked :], len(text)
        parts = re.split(r"(?m)^(?=Traceback \(most recent call last\))", new)
        return [p[-1500:] for p in parts if p.startswith("Traceback")]


def start_server(
    log: Path,
    *args: str,
    address: str = "127.0.0.1",
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Server:
    """``streamlit run streamlit_app.py`` headless on ``address`` and a free port (or ``port``), its
    output in ``log``; ``env``: settings added to this process's environment."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    port = port or free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                address,
                "--browser.gatherUsageStats",
                "false",
                "--browser.serverAddress",
                address,
                *args,
            ],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    base = f"http://{address}:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return Server(base, proc, log)
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("streamlit did not start: " + log.read_text()[-2000:])


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()


def assert_no_new_tracebacks(server: Server) -> None:
    found = server.new_tracebacks()
    assert not found, "traceback in the server log:\n" + "\n---\n".join(found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_idle(page, timeout: float = 90) -> None:
    """Wait until the script run finished and the page is drawn (a rerun gets 0.5 s to start).

    Streamlit marks the run finished a moment before React has drawn its last elements (measured:
    images came 100 ms after "notRunning", longer on a busy CI machine), so "drawn" also needs the
    page's elements and images to be the same in two checks 150 ms apart."""
    page.wait_for_timeout(500)
    deadline, last = time.monotonic() + timeout, None
    while True:
        left = max(deadline - time.monotonic(), 1)
        page.wait_for_function(IDLE_JS, timeout=left * 1000, polling=50)
        now = page.evaluate(DRAWN_JS)
        if now == last:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the page kept changing for {timeout} s")
        last = now
        page.wait_for_timeout(150)


def steady_box(page, element, timeout: float = 60) -> dict:
    """The element's box once it has stopped moving: the same in two checks 150 ms apart.

    On a busy machine a page is still laying out (an expander opening, images and charts above
    drawing in) after the script run ends, so a click or a tap at the element's first box can land
    where it no longer is."""
    element.wait_for(state="visible", timeout=timeout * 1000)
    box, deadline = None, time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = element.bounding_box()
        if now is not None and now == box:
            return now
        box = now
        page.wait_for_timeout(150)
    raise AssertionError(f"{element} kept moving for {timeout} s")


def download(page, button, timeout: float = 60):
    """Click a download button once it has stopped moving and return Playwright's download.

    A button in an expander slides down while the expander opens (longer on a busy machine): a
    click at the spot it left misses it, and no download comes. So the click waits for
    ``steady_box``."""
    steady_box(page, button, timeout)
    with page.expect_download(timeout=timeout * 1000) as info:
        button.click()
    return info.value


SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]  # a 7, as fractions of the pad's box


def draw_stroke(page, pad, points=SEVEN) -> None:
    """One mouse stroke through ``points`` (fractions of the pad's box) on the drawing pad."""
    box = steady_box(pad.page, pad)
    page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=10)
    page.mouse.up()


def finger_stroke(page, pad) -> None:
    """One finger stroke down the middle of the drawing pad (raw touch events through the DevTools
    protocol: a touchscreen with no mouse events, as on a phone)."""
    box = steady_box(page, pad)
    cdp = page.context.new_cdp_session(page)
    x = box["x"] + 0.5 * box["width"]
    ys = [box["y"] + (0.15 + 0.7 * i / 11) * box["height"] for i in range(12)]
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": ys[0]}]}
    )
    for y in ys[1:]:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def no_exception(page) -> None:
    n = page.locator('[data-testid="stException"]').count()
    assert n == 0, page.locator('[data-testid="stException"]').first.inner_text()[:2000]


def connection_errors(messages: list[str]) -> list[str]:
    """Console errors that mean the websocket died (the cached-message race among them)."""
    return [m for m in messages if "ForwardMsg MISS" in m or "fatal error" in m.lower()]


# --- fixtures (a browser-test module imports the ones it uses: ``from tests.e2e import browser``)
# ---


@pytest.fixture(scope="module")
def server_proc(tmp_path_factory):
    """One server per test module, its log in a temporary folder."""
    srv = start_server(tmp_path_factory.mktemp("server") / "server.log")
    yield srv
    stop_server(srv)


@pytest.fixture
def server(server_proc):
    """The module's server's address; the test fails if the server logged a traceback meanwhile."""
    server_proc.new_tracebacks()
    yield server_proc.base
    assert_no_new_tracebacks(server_proc)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


# Every picture shown in the main block: its address, natural and shown widths, top and text
# alternative.
IMAGES_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] img'))
  .filter(i => i.getBoundingClientRect().width > 0 && i.naturalWidth > 0)
  .map(i => ({src: i.currentSrc || i.src, natural: i.naturalWidth,
              shown: i.getBoundingClientRect().width, top: i.getBoundingClientRect().top,
              alt: (i.alt || '').slice(0, 60)}))"""


def png_text(page, src: str) -> tuple[float, int] | None:
    """A shown PNG's smallest text (its own pixels) and overlapping texts, as it recorded them;
    None for a picture without text (a bare mosaic, a photo)."""
    import io

    from PIL import Image

    from ui.draw import raster, render

    body = page.request.get(src).body()
    try:
        info = Image.open(io.BytesIO(body)).text
    except Exception:  # not a PNG with text chunks (an SVG icon, a JPEG)
        return None
    if render.MIN_TEXT_KEY not in info:
        return None
    return float(info[render.MIN_TEXT_KEY]), int(info.get(raster.OVERLAPS_KEY, "0"))


def shown_figures(page) -> list[dict]:
    """Every figure shown that records its smallest text (``png_text``): ``IMAGES_JS``'s fields,
    plus that text's size as shown (``px``: its own pixels times the shown width over the natural
    width) and its count of overlapping texts (``overlaps``)."""
    out = []
    for img in page.evaluate(IMAGES_JS):
        recorded = png_text(page, img["src"])
        if recorded is not None:
            least, overlaps = recorded
            out.append({**img, "px": least * img["shown"] / img["natural"], "overlaps": overlaps})
    return out
