"""Real-browser end-to-end test: ``streamlit run`` headless, every page opened in Debian's
Chromium through Playwright, one control moved per page, no ``stException`` and no traceback in
the server's log, the heading present, a deep link restoring its view, and a screenshot per page.

Screenshots go to a temporary folder, so the test run leaves the checkout as it was; to refresh
the README's pictures in ``docs/screenshots/`` run ``python scripts/screenshots.py``.

Playwright's own browser download doesn't work on these machines: the test uses
/usr/bin/chromium (``apt-get install chromium``; .ci/run does it) and skips without it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e import (
    download,
    draw_stroke,
    finger_stroke,
    no_exception,
    steady_box,
    url_path,
    wait_idle,
)
from ui.page.catalogue import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: ``$LATENT_LAB_SCREENSHOTS`` (scripts/screenshots.py), else a temporary
    folder."""
    where = os.environ.get("LATENT_LAB_SCREENSHOTS")
    return Path(where) if where else tmp_path_factory.mktemp("screenshots")


def scroll_to_top(page) -> None:
    page.evaluate(
        '() => { document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stAppViewContainer"]\')'
        ".forEach(e => e.scrollTo(0, 0)); window.scrollTo(0, 0); }"
    )
    page.wait_for_timeout(300)


def move_one_control(page) -> str:
    """Move the first slider one step (else toggle the first checkbox / radio); returns what
    moved."""
    slider = page.locator('[data-testid="stSlider"] input[type="range"]')
    if slider.count():
        slider.first.focus()
        slider.first.press("ArrowRight")
        return "slider"
    radio = page.locator(
        '[data-testid="stRadio"] label:visible'
    )  # not one inside a closed expander
    if radio.count() > 1:
        radio.nth(1).click()
        return "radio"
    return "none"


PAGES = [("streamlit_app.py", "", "latent-lab")] + [
    (lesson.path, url_path(lesson.path), lesson.title) for lesson in LESSONS
]


@pytest.mark.parametrize("path,url,title", PAGES, ids=[p[1] or "home" for p in PAGES])
def test_page_in_browser(server, browser, shots, path, url, title):
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
        scroll_to_top(
            page
        )  # moving a control scrolled it into view: the README shows each page from its top
        page.screenshot(path=str(shots / f"{url or 'home'}.png"))
    finally:
        page.close()


def test_deep_link_restores_view(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/Grid_vs_ppf?grid_n=12", timeout=90_000)
        wait_idle(page)
        page.wait_for_selector(
            '[data-testid="stSlider"] input[type="range"]', state="attached", timeout=60_000
        )
        no_exception(page)
        values = page.locator('[data-testid="stSlider"] input[type="range"]').evaluate_all(
            "els => els.map(e => e.value)"
        )
        assert "12" in values, values
        page.goto(f"{server}/KL_weighting?kl_beta=5&present=1", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        assert "kl_beta=5" in page.url
        assert "5" in page.locator('[data-testid="stSlider"] input[type="range"]').evaluate_all(
            "els => els.map(e => e.getAttribute('aria-valuetext') || e.value)"
        )
    finally:
        page.close()


DARK_PAGES = ["", "AE_vs_VAE", "Grid_vs_ppf", "Prototypes", "Interpolation", "Posterior_spread"]


@pytest.mark.parametrize("url", DARK_PAGES, ids=[u or "home" for u in DARK_PAGES])
def test_dark_theme(server, browser, shots, url):
    """With the browser in dark mode the app uses the dark theme of .streamlit/config.toml, and the
    figures are drawn for it (light ink on a transparent background): screenshots under dark/."""
    (shots / "dark").mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 2400}, color_scheme="dark")
    page = ctx.new_page()
    try:
        page.goto(f"{server}/{url}", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        bg = page.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor"
        )
        rgb = [int(v) for v in re.findall(r"\d+", bg)[:3]]
        assert sum(rgb) < 150, f"not the dark theme: {bg}"
        page.wait_for_timeout(1500)
        scroll_to_top(page)
        page.screenshot(path=str(shots / "dark" / f"{url or 'home'}.png"))
    finally:
        ctx.close()


def test_csv_download_is_written_on_click(server, browser):
    """Downloads are deferred (written when clicked): the home page's model table arrives as CSV
    (from
    the expander that holds the table)."""
    ctx = browser.new_context(accept_downloads=True)
    page = ctx.new_page()
    try:
        page.goto(server, timeout=90_000)
        wait_idle(page)
        page.get_by_text(re.compile(r"^The \d+ models, measured")).click()
        got = download(page, page.locator('[data-testid="stDownloadButton"] button').first)
        data = Path(got.path()).read_text()
        assert got.suggested_filename == "latent-lab-models.csv"
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
        page.goto(f"{server}/Grid_vs_ppf?grid_n=10", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        page.wait_for_function(
            "document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas').length >= 5",
            timeout=30_000,
        )
        sizes = page.locator('[data-testid="stVegaLiteChart"] canvas').evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().width, "
            "e.getBoundingClientRect().height])"
        )
        mosaic_sized = [s for s in sizes if s[0] > 400 and abs(s[0] - s[1]) < 120]
        assert len(sizes) == 5 and len(mosaic_sized) >= 3, sizes  # two scatters, three mosaics
        chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)  # the linear grid's mosaic
        chart.scroll_into_view_if_needed()
        box = steady_box(page, chart.locator("canvas"))
        page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
        tip = page.locator("#vg-tooltip-element")
        tip.wait_for(state="visible", timeout=10_000)
        assert "z₁" in tip.inner_text() and "z₂" in tip.inner_text()
        got = download(page, page.locator('[data-testid="stDownloadButton"] button').first)
        assert got.suggested_filename == "vae-2d-linear-n10.png"
        assert Path(got.path()).read_bytes().startswith(b"\x89PNG")
        no_exception(page)
    finally:
        ctx.close()


def _cleared_pad(page, server: str, tap: bool = False):
    """Open Your own digit, clear its pad (a click, or a tap on a touch screen) and wait for the
    empty-pad message: -> (the pad, the first metric's value, its text with the starting 3)."""
    page.goto(f"{server}/Your_own_digit", timeout=90_000)
    wait_idle(page)
    pad = page.get_by_role("img", name="Drawing pad: draw one digit")
    pad.wait_for(timeout=60_000)
    no_exception(page)
    score = page.locator('[data-testid="stMetricValue"]').first
    starter = score.inner_text()
    clear = page.locator("button[data-act=clear]")
    clear.tap() if tap else clear.click()
    wait_idle(page)
    page.get_by_text("Draw a digit in the black square").wait_for(timeout=30_000)
    return pad, score, starter


def test_drawing_a_seven_lands_on_the_map(server, browser):
    """The pad in a real browser: Clear, then a scripted stroke of a 7 with the mouse; when the
    stroke ends the page answers with the drawing's input, reconstruction, score and its marker
    on the latent map, and the address says a drawing is shown. Undo empties the pad again."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        pad, score, starter = _cleared_pad(page, server)
        draw_stroke(page, pad)  # a 7
        wait_idle(page)
        score.wait_for(timeout=30_000)
        no_exception(page)
        assert score.inner_text() != starter and score.inner_text().endswith("nats")
        assert page.get_by_text("the MNIST-like input (28×28)").count() == 1
        assert page.get_by_text("vae-2d's reconstruction").count() == 1
        assert (
            page.get_by_text("your digit's code μ").count() == 1
        )  # the marker's legend beside the map
        assert (
            "own_source=" not in page.url and "own_example=" not in page.url
        )  # a drawing: the default source
        page.locator("button[data-act=undo]").click()
        wait_idle(page)
        page.get_by_text("Draw a digit in the black square").wait_for(timeout=30_000)
    finally:
        page.close()


def test_drawing_with_a_finger(server, browser):
    """Touch works like the mouse: on a touch screen (Chromium's touch emulation; the touch points
    arrive as pointer events of type "touch") a finger's stroke of a 1 ends in a new score, and the
    page did not scroll under the finger (the pad sets touch-action: none)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, has_touch=True)
    page = context.new_page()
    main = "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
    try:
        pad, score, starter = _cleared_pad(page, server, tap=True)
        scrolled = page.evaluate(main)
        finger_stroke(page, pad)
        wait_idle(page)
        score.wait_for(timeout=30_000)
        no_exception(page)
        assert score.inner_text() != starter and score.inner_text().endswith("nats")
        assert page.evaluate(main) == scrolled
    finally:
        context.close()


def test_clicking_a_code_on_ae_vs_vae_picks_that_digit(server, browser):
    """A click on the VAE's code map picks the nearest test digit: the page names it, marks it, and
    the address keeps it (aevae_idx=...)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/AE_vs_VAE", timeout=90_000)
        wait_idle(page)
        page.get_by_text("now #0,").wait_for(timeout=60_000)
        chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
        box = steady_box(page, chart)
        page.mouse.click(
            box["x"] + 0.3 * box["width"], box["y"] + 0.75 * box["height"]
        )  # among the 0s
        wait_idle(page)
        page.get_by_text(re.compile(r"now #\d+, a 0,")).wait_for(timeout=30_000)
        no_exception(page)
        assert re.search(r"[?&]aevae_idx=\d+", page.url) and "aevae_idx=0&" not in page.url
    finally:
        page.close()
