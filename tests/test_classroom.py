"""The classroom layer: navigation a class can follow, presenter mode for a projector, icons that
need no font, downloads that work on a slide, and a laptop start that opens the browser.

AppTest checks run every page; the Chromium checks (marked e2e) measure what a projector shows.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.pageutil import app
from ui.page import catalogue
from ui.page.catalogue import HOME, LESSONS, ORDER

REPO = Path(__file__).resolve().parent.parent
SOURCES = [*REPO.glob("pages/*.py"), *REPO.glob("ui/*.py"), REPO / "streamlit_app.py"]
# colour-emoji code points (and the variation selector that asks for the emoji form)
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u23e9-\u23fa\ufe0f]")


def test_no_emoji_anywhere_in_the_app():
    """Every icon is a bundled Material Symbol: a PC without a colour-emoji font shows no boxes."""
    found = [
        f"{p.name}:{i}: {line.strip()[:80]}"
        for p in SOURCES
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert not found, found
    assert all(lesson.icon.startswith(":material/") for lesson in ORDER)


def test_catalogue_order_and_neighbours():
    assert ORDER[0] is HOME and [lesson.title for lesson in ORDER[1:6]] == [
        lesson.title for lesson in LESSONS if lesson.core
    ]
    assert catalogue.neighbours(HOME) == (None, LESSONS[0])
    assert catalogue.neighbours(ORDER[-1])[1] is None
    for a, b in zip(ORDER, ORDER[1:]):
        assert catalogue.neighbours(a)[1] is b and catalogue.neighbours(b)[0] is a
    for lesson in ORDER:
        assert catalogue.lesson_for(REPO / lesson.path) is lesson


def _links(at) -> list[tuple[str, str, str]]:
    """(label, page, query) of every page link, in page order (sidebar first)."""
    out = []
    for el in at.get("page_link"):
        p = el.proto
        out.append((p.label, p.page, p.query_string if hasattr(p, "query_string") else ""))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lesson", ORDER, ids=[lesson.title for lesson in ORDER])
def test_sidebar_and_previous_next_links(lesson):
    at = app(lesson.path)
    sidebar = [e.proto.label for e in at.sidebar.get("page_link")]
    assert sidebar[: 1 + len(LESSONS)] == [
        "Home",
        *[other.title for _, core in catalogue.GROUPS for other in LESSONS if other.core == core],
    ]
    assert [c.value for c in at.sidebar.caption] == [g for g, _ in catalogue.GROUPS]
    labels = [e.proto.label for e in at.main.get("page_link")]
    before, after = catalogue.neighbours(lesson)
    if before is not None:
        assert f"Previous: {before.title}" in labels
    if after is not None:
        assert f"Next: {after.title}" in labels
    assert at.title[0].value.endswith(lesson.title if lesson is not HOME else "latent-lab")


def _chart_configs(at) -> list[dict]:
    return [json.loads(e.proto.spec).get("config") or {} for e in at.get("vega_lite_chart")]


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.title for lesson in LESSONS])
def test_presenter_mode_charts_use_large_type(lesson):
    """Every Vega-Lite chart of every page carries presenter mode's large axis, legend and title
    text (>= 16 px, the size that reads on a 1920 x 1080 projector), and only in that mode."""
    present = app(lesson.path, {"present": "1"})
    configs = _chart_configs(present)
    for cfg in configs:
        assert cfg["axis"]["labelFontSize"] >= 16 and cfg["legend"]["labelFontSize"] >= 16, cfg
        assert cfg["title"]["fontSize"] >= 16
    # outside presenter mode only the 10 pt rule (ui.draw.render.text_config): smaller sizes
    from ui.draw import render

    for cfg in _chart_configs(app(lesson.path)):
        assert cfg.get("axis", {}).get("labelFontSize") in (None, render.MIN_FONT_PX), cfg
        assert cfg.get("legend", {}).get("labelFontSize") in (None, render.MIN_FONT_PX), cfg
        assert "title" not in cfg, cfg


def test_presenter_figures_have_larger_text():
    """A Matplotlib figure drawn for presenter mode keeps its pixel size, with every text
    ``PRESENT_TEXT_SCALE`` times larger (the figure is drawn on fewer inches at a higher dpi)."""
    from matplotlib.figure import Figure

    from ui.draw import render

    def build():
        fig = Figure(figsize=(4, 2))
        fig.patch.set_alpha(
            0
        )  # transparent, as the app's figures are (to_png crops to what is drawn)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "MMMM", fontsize=10, ha="center", va="center")
        return fig

    from PIL import Image

    def text_height(present: bool) -> int:
        with render.as_theme("light"), render.as_present(present):
            png = render.to_png(build(), render.PRESENT_TEXT_SCALE if present else 1.0)
        a = np.asarray(Image.open(io.BytesIO(png)))[..., 3] > 0
        rows = np.flatnonzero(a.any(axis=1))
        return rows[-1] - rows[0]

    assert text_height(True) > 1.25 * text_height(False)


def test_downloads_are_opaque():
    from matplotlib.figure import Figure
    from PIL import Image

    from ui.draw import render
    from ui.draw.style import PAPER

    def build():
        fig = Figure(figsize=(3, 2))
        fig.add_subplot().plot([0, 1], [1, 0])
        return fig

    for kind in ("light", "dark"):
        with render.as_theme(kind):
            png = render.png(
                build
            )  # the page's figure: the theme's ink on a transparent background
        flat = Image.open(io.BytesIO(render.opaque(png, PAPER[kind])))
        assert flat.mode == "RGB"
        a = np.asarray(flat).astype(int)
        assert a.std() > 10  # ink on the paper: the line and the axes are visible
        corner = a[0, 0]
        assert tuple(corner) == tuple(int(PAPER[kind][i : i + 2], 16) for i in (1, 3, 5))


# --- in the browser -------------------------------------------------------------------------------

FONT_JS = """() => { const f = s => {
    const e = document.querySelector(
      '[data-testid="stMain"] ' + s.split(', ').join(', [data-testid="stMain"] '));
    return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
  return {h1: f('h1'), heading: f('[data-testid="stHeading"] h2, [data-testid="stHeading"] h3'),
          body: f('[data-testid="stMarkdownContainer"] p'),
          caption: f('[data-testid="stCaptionContainer"]')}; }"""


@pytest.mark.e2e
@pytest.mark.slow
def test_presenter_mode_scales_every_page_and_survives_navigation(server_proc, browser, tmp_path):
    """Computed font sizes on every page: title, a heading, body text and captions are all larger
    in presenter mode; the sidebar starts folded; a sidebar click and a "Next" link keep the
    mode."""
    from tests.e2e import assert_no_new_tracebacks, url_path, wait_idle

    server_proc.new_tracebacks()
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        for lesson in ORDER:
            url = "" if lesson is HOME else url_path(lesson.path)
            page.goto(f"{server_proc.base}/{url}", timeout=90_000)
            wait_idle(page)
            normal = page.evaluate(FONT_JS)
            page.goto(f"{server_proc.base}/{url}?present=1", timeout=90_000)
            wait_idle(page)
            big = page.evaluate(FONT_JS)
            for part in ("h1", "body"):
                assert big[part] > 1.2 * normal[part], (lesson.title, part, normal, big)
            for part in ("heading", "caption"):
                if normal[part] and big[part]:
                    assert big[part] > 1.2 * normal[part], (lesson.title, part, normal, big)
            assert big["body"] >= 18
        # presenter mode through the sidebar: it starts folded, opens, and a click keeps the mode
        page.goto(f"{server_proc.base}/Grid_vs_ppf?present=1", timeout=90_000)
        wait_idle(page)
        sidebar_width = (
            "() => "
            "document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().width"
        )
        assert page.evaluate(sidebar_width) < 50  # folded away
        page.locator(
            '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] '
            "button"
        ).first.click()
        page.wait_for_function(f"() => ({sidebar_width})() > 200", timeout=10_000)
        page.locator('[data-testid="stSidebar"] a').filter(has_text="Interpolation").first.click()
        wait_idle(page)
        assert "Interpolation" in page.locator("h1").first.inner_text()
        assert "present=1" in page.url
        assert page.evaluate(FONT_JS)["body"] >= 18
        page.get_by_role("link", name=re.compile("^Next: Posterior spread")).click()
        wait_idle(page)
        assert (
            "Posterior spread" in page.locator("h1").first.inner_text() and "present=1" in page.url
        )
        assert page.evaluate(FONT_JS)["body"] >= 18
        page.screenshot(path=str(tmp_path / "present.png"))
    finally:
        page.close()
    assert_no_new_tracebacks(server_proc)


@pytest.mark.e2e
@pytest.mark.slow
def test_first_deep_link_after_start_has_no_page_not_found(browser, tmp_path):
    from tests.e2e import start_server, stop_server, wait_idle

    srv = start_server(tmp_path / "server.log")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    seen: list[str] = []
    try:
        page.on("console", lambda m: seen.append(m.text))
        page.goto(f"{srv.base}/KL_weighting?kl_beta=5", timeout=90_000)
        for _ in range(40):  # watch the first seconds, when the flash would show
            seen.append(page.inner_text("body"))
            page.wait_for_timeout(100)
        wait_idle(page)
        seen.append(page.inner_text("body"))
        assert "KL weighting" in page.locator("h1").first.inner_text()
        assert not any("Page not found" in s or "page not found" in s for s in seen)
        assert "kl_beta=5" in page.url  # and the link's value was taken, not dropped
    finally:
        page.close()
        stop_server(srv)


@pytest.mark.e2e
@pytest.mark.slow
def test_dark_theme_downloads_are_opaque(server_proc, browser):
    """A PNG downloaded in the dark theme has an opaque background (a figure's light ink on a
    transparent one vanished on a white slide)."""
    from PIL import Image

    from tests.e2e import download, wait_idle

    ctx = browser.new_context(
        viewport={"width": 1400, "height": 2400}, color_scheme="dark", accept_downloads=True
    )
    page = ctx.new_page()
    try:
        for url in ("Grid_vs_ppf?grid_n=8", "AE_vs_VAE"):
            page.goto(f"{server_proc.base}/{url}", timeout=90_000)
            wait_idle(page)
            buttons = page.locator('[data-testid="stDownloadButton"] button').filter(has_text="PNG")
            buttons.first.wait_for(timeout=60_000)  # the figures' buttons come after the page's
            im = Image.open(download(page, buttons.first).path())
            alpha = np.asarray(im.convert("RGBA"))[..., 3]
            assert alpha.min() == 255, (url, im.mode)
            assert np.asarray(im.convert("L")).std() > 10  # something is drawn on it
    finally:
        ctx.close()


@pytest.mark.e2e
@pytest.mark.slow
def test_laptop_start_opens_the_browser(tmp_path):
    """`streamlit run streamlit_app.py`, as a teacher types it: the URL is printed, the browser is
    asked to open it (a stand-in xdg-open records the call), no e-mail prompt waits for input, and
    no external-IP lookup is attempted."""
    from tests.e2e import free_port

    fake = tmp_path / "bin"
    fake.mkdir()
    opened = tmp_path / "opened.txt"
    (fake / "xdg-open").write_text(f'#!/bin/sh\necho "$@" >> {opened}\n')
    (fake / "xdg-open").chmod(0o755)
    port = free_port()
    # a desktop session (on Linux without $DISPLAY Streamlit defaults to headless), no credentials
    # file
    env = {
        **os.environ,
        "PATH": f"{fake}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "DISPLAY": ":0",
    }
    log = tmp_path / "out.txt"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.port",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.time() + 90
        while time.time() < deadline and not opened.exists():
            time.sleep(0.5)
        assert opened.exists(), log.read_text()[-2000:]
        assert f"localhost:{port}" in opened.read_text()
        assert (
            urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=5).read()
            == b"ok"
        )
        text = log.read_text()
        assert f"http://localhost:{port}" in text
        assert "external IP" not in text and "Email" not in text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


SHOWN_TEXT_JS = """async () => { const out = [];
  for (const img of Array.from(document.querySelectorAll('[data-testid="stMain"] img'))) {
    if (!img.naturalWidth || !img.src.startsWith('http')) continue;
    const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    const head = new TextDecoder('latin1').decode(buf.slice(0, Math.min(buf.length, 4096)));
    const m = head.match(/latent-lab:min-text-px\\u0000([0-9.]+)/);
    if (m) out.push(parseFloat(m[1]) * img.getBoundingClientRect().width / img.naturalWidth);
  } return out; }"""


@pytest.mark.e2e
@pytest.mark.slow
def test_presenter_figure_text_is_16_px_as_shown(server_proc, browser):
    """On a 1920 x 1080 screen in presenter mode, the smallest text of every Matplotlib figure, as
    shown (its size in the PNG, which ``render.to_png`` records, times the image's display scale),
    is at least 16 px. (Chart text is checked through its config above.)"""
    from tests.e2e import url_path, wait_idle

    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    seen = 0
    try:
        for lesson in LESSONS:
            page.goto(f"{server_proc.base}/{url_path(lesson.path)}?present=1", timeout=90_000)
            wait_idle(page)
            page.wait_for_timeout(1000)  # figures below the fold arrive after the first paint
            shown = page.evaluate(SHOWN_TEXT_JS)
            seen += len(shown)
            assert all(px >= 16 for px in shown), (lesson.title, sorted(shown)[:3])
    finally:
        page.close()
    assert seen >= 15  # the check did read the figures
