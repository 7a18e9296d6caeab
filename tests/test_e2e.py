"""Real-browser end-to-end test: ``streamlit run`` headless, every page opened in Debian's
Chromium through Playwright, one control moved per page, no ``stException``, the heading
present, a deep link restoring its view, and a screenshot per page saved to docs/screenshots/.

Playwright's own browser download doesn't work on these machines: the test uses
/usr/bin/chromium (``apt-get install chromium``; .ci/run does it) and skips without it.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ui.lessons import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "docs" / "screenshots"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_path(page_file: str) -> str:
    """Streamlit's URL for a pages/ file: the stem without its number prefix."""
    return re.sub(r"^\d+_", "", Path(page_file).stem)


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode()[-2000:])
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


# Streamlit marks its root element with the script's state and the connection's (its own e2e
# tests wait on these); "idle" also needs the heading and every image loaded.
IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  return !!a && a.dataset.testScriptState === 'notRunning' && a.dataset.testConnectionState === 'CONNECTED'
    && document.querySelector('h1') !== null && Array.from(document.images).every(i => i.complete); }"""


def wait_idle(page, timeout: float = 90) -> None:
    """Wait until the script run finished and the page is drawn (a rerun gets 0.5 s to start)."""
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE_JS, timeout=timeout * 1000, polling=50)


def no_exception(page) -> None:
    n = page.locator('[data-testid="stException"]').count()
    assert n == 0, page.locator('[data-testid="stException"]').first.inner_text()[:2000]


def move_one_control(page) -> str:
    """Move the first slider one step (else toggle the first checkbox / radio); returns what moved."""
    slider = page.locator('[data-testid="stSlider"] input[type="range"]')
    if slider.count():
        slider.first.focus()
        slider.first.press("ArrowRight")
        return "slider"
    radio = page.locator('[data-testid="stRadio"] label')
    if radio.count() > 1:
        radio.nth(1).click()
        return "radio"
    return "none"


PAGES = [("streamlit_app.py", "", "latent-lab")] + [(l.path, url_path(l.path), l.title) for l in LESSONS]


@pytest.mark.parametrize("path,url,title", PAGES, ids=[p[1] or "home" for p in PAGES])
def test_page_in_browser(server, browser, path, url, title):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/{url}", timeout=90_000)
        wait_idle(page)
        heading = page.locator("h1").first.inner_text()
        assert title in heading
        no_exception(page)
        moved = move_one_control(page)
        wait_idle(page)
        no_exception(page)
        assert page.locator("h1").first.inner_text() == heading, moved
        # Streamlit scrolls inside its own container: a tall viewport shows more of the lesson
        page.set_viewport_size({"width": 1400, "height": 2400})
        wait_idle(page)
        page.wait_for_timeout(1500)  # charts re-lay out after the resize
        page.screenshot(path=str(SHOTS / f"{url or 'home'}.png"))
    finally:
        page.close()


def test_deep_link_restores_view(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/Grid_vs_ppf?n=12", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        values = page.locator('[data-testid="stSlider"] input[type="range"]').evaluate_all(
            "els => els.map(e => e.value)")
        assert "12" in values, values
        page.goto(f"{server}/KL_weighting?beta=5&present=1", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        assert "beta=5" in page.url
        assert "5" in page.locator('[data-testid="stSlider"] input[type="range"]').evaluate_all(
            "els => els.map(e => e.getAttribute('aria-valuetext') || e.value)")
    finally:
        page.close()


DARK_PAGES = ["", "AE_vs_VAE", "Grid_vs_ppf", "Prototypes", "Interpolation", "Posterior_spread"]


@pytest.mark.parametrize("url", DARK_PAGES, ids=[u or "home" for u in DARK_PAGES])
def test_dark_theme(server, browser, url):
    """With the browser in dark mode the app uses the dark theme of .streamlit/config.toml, and the
    figures are drawn for it (light ink on a transparent background): screenshots under dark/."""
    (SHOTS / "dark").mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 2400}, color_scheme="dark")
    page = ctx.new_page()
    try:
        page.goto(f"{server}/{url}", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        bg = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
        rgb = [int(v) for v in re.findall(r"\d+", bg)[:3]]
        assert sum(rgb) < 150, f"not the dark theme: {bg}"
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "dark" / f"{url or 'home'}.png"))
    finally:
        ctx.close()


def test_csv_download_is_written_on_click(server, browser):
    """Downloads are deferred (written when clicked): the home page's model table arrives as CSV."""
    ctx = browser.new_context(accept_downloads=True)
    page = ctx.new_page()
    try:
        page.goto(server, timeout=90_000)
        wait_idle(page)
        with page.expect_download(timeout=60_000) as info:
            page.locator('[data-testid="stDownloadButton"] button').first.click()
        data = Path(info.value.path()).read_text()
        assert info.value.suggested_filename == "latent-lab-models.csv"
        header = data.splitlines()[0]
        assert "," in header and len(data.splitlines()) > 5, data[:300]
        no_exception(page)
    finally:
        ctx.close()


def test_grid_mosaics_render_and_download(server, browser):
    """The Grid page's three mosaics are drawn by the browser (a canvas of the chart's size each,
    a tooltip with the code under the pointer), and "Download PNG" delivers the figure on click."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    page = ctx.new_page()
    try:
        page.goto(f"{server}/Grid_vs_ppf?n=10", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas').length >= 5",
                               timeout=30_000)
        sizes = page.locator('[data-testid="stVegaLiteChart"] canvas').evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
        mosaic_sized = [s for s in sizes if s[0] > 400 and abs(s[0] - s[1]) < 120]
        assert len(sizes) == 5 and len(mosaic_sized) >= 3, sizes  # two scatters, three mosaics
        chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)  # the linear grid's mosaic
        chart.scroll_into_view_if_needed()
        box = chart.locator("canvas").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
        tip = page.locator("#vg-tooltip-element")
        tip.wait_for(state="visible", timeout=10_000)
        assert "z₁" in tip.inner_text() and "z₂" in tip.inner_text()
        with page.expect_download(timeout=60_000) as info:
            page.locator('[data-testid="stDownloadButton"] button').first.click()
        assert info.value.suggested_filename == "vae-2d-linear-n10.png"
        assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")
        no_exception(page)
    finally:
        ctx.close()
