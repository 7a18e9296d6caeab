"""Figure text you can read, on every page, in a real browser (issue 30, kind 2).

At 1400 x 1000, in the normal view and in presenter mode (``?present=1``), with every expander
open, on the Home page and every lesson:

- every text a chart (Vega, canvas) draws is at least 10 pt (13.3 CSS px) as shown: its font size
  times the canvas's scale on screen (a CSS transform included); and no two of a chart's texts run
  into each other (their boxes overlap by more than a pixel both ways; rotated texts are left out
  of that count);
- every figure sent as a PNG records its smallest text and its overlapping texts
  (``ui.draw.render.MIN_TEXT_KEY``, ``ui.draw.raster.OVERLAPS_KEY``): its smallest text times the
  image's scale on screen (shown width over natural width) is at least 10 pt, and it has no
  overlapping texts.

The scan also prints, for every page and mode, the page's height, the y of its first picture and
its smallest figure text as shown (the closing note's table).
"""

from __future__ import annotations

import pytest

from tests.e2e import (  # noqa: F401 (fixtures)
    TEXT_HOOK,
    browser,
    server,
    server_proc,
    shown_figures,
    url_path,
    wait_idle,
)
from tests.test_e2e_phone import OPEN_EXPANDERS_JS
from ui.page.catalogue import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PAGES = [("home", "")] + [(url_path(lesson.path), url_path(lesson.path)) for lesson in LESSONS]
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
MIN_TEXT_PX = 13.3  # 10 pt
MODES = {"normal": "", "present": "?present=1"}


# Per chart shown: its smallest text as shown and the pairs of its (unrotated) texts that overlap.
CHARTS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
  .map(ch => {
    const cv = ch.querySelector('canvas'), r = cv ? cv.getBoundingClientRect() : null;
    if (!cv || !r || r.width === 0) return null;
    const scale = cv.offsetWidth ? r.width / cv.offsetWidth : 0;
    const texts = cv.__texts || [];
    const least = texts.reduce((a, t) => (a && a.px <= t.px ? a : t), null);
    const flat = texts.filter(t => !t.rotated), pairs = [];
    for (let i = 0; i < flat.length; i++) for (let j = i + 1; j < flat.length; j++) {
      const a = flat[i].box, b = flat[j].box;
      const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
      const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
      if (w > 1 && h > 1 && flat[i].text !== flat[j].text) pairs.push([flat[i].text, flat[j].text]);
    }
    return {name: (ch.getAttribute('aria-label') || '').slice(0, 60), top: r.top,
            px: least ? least.px * scale : null, text: least ? least.text : null, pairs};
  }).filter(c => c)"""

# The page's height and the y of its first picture (chart or image), in CSS pixels from the top.
LAYOUT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const pics = Array.from(document.querySelectorAll(
    '[data-testid="stMain"] img, [data-testid="stMain"] [data-testid="stVegaLiteChart"]'))
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 20);
  const off = main ? main.getBoundingClientRect().top - main.scrollTop : 0;
  return {height: main ? main.scrollHeight : 0,
          first: pics.length ? Math.round(Math.min(...pics.map(r => r.top)) - off) : null};
}"""


def _scan(base: str, browser, query: str) -> dict:  # noqa: F811
    context = browser.new_context(**DESKTOP, color_scheme="light")
    context.add_init_script(TEXT_HOOK)
    page = context.new_page()
    out = {}
    try:
        for name, url in PAGES:
            page.goto(f"{base}/{url}{query}", timeout=90_000)
            wait_idle(page)
            page.wait_for_timeout(500)
            layout = page.evaluate(LAYOUT_JS)  # before the expanders open: the page as it loads
            page.evaluate(OPEN_EXPANDERS_JS)
            wait_idle(page)
            page.wait_for_timeout(800)  # charts and figures in the opened expanders lay out
            figures = shown_figures(page)
            out[name] = {"layout": layout, "charts": page.evaluate(CHARTS_JS), "figures": figures}
            sizes = [c["px"] for c in out[name]["charts"] if c["px"]] + [f["px"] for f in figures]
            print(
                f"TEXT {query or 'normal'} {name}: height {layout['height']} px, first picture "
                f"at {layout['first']} px, smallest figure text "
                + (f"{min(sizes):.1f} px" if sizes else "none")
            )
    finally:
        context.close()
    return out


@pytest.fixture(scope="module")
def scans(server_proc, browser):  # noqa: F811
    """Every page in each mode, scanned on first use."""
    done: dict[str, dict] = {}

    def scan(mode: str) -> dict:
        if mode not in done:
            done[mode] = _scan(server_proc.base, browser, MODES[mode])
        return done[mode]

    return scan


@pytest.mark.parametrize("mode", list(MODES))
def test_chart_text_is_at_least_10_pt_and_never_overlaps(scans, mode):
    small, crowded = [], []
    for name, found in scans(mode).items():
        for c in found["charts"]:
            if c["px"] is not None and c["px"] < MIN_TEXT_PX:
                small.append(f"{name}: {c['name']!r} {c['text']!r} at {c['px']:.1f} px")
            if c["pairs"]:
                crowded.append(f"{name}: {c['name']!r} {c['pairs'][:3]}")
    assert not small and not crowded, (
        "chart text under 10 pt as shown:\n"
        + "\n".join(small)
        + "\nchart texts that overlap:\n"
        + "\n".join(crowded)
    )


@pytest.mark.parametrize("mode", list(MODES))
def test_figure_text_is_at_least_10_pt_and_never_overlaps(scans, mode):
    small, crowded = [], []
    for name, found in scans(mode).items():
        for f in found["figures"]:
            if f["px"] < MIN_TEXT_PX:
                small.append(
                    f"{name}: {f['alt']!r} at {f['px']:.1f} px "
                    f"({f['natural']} px wide shown at {f['shown']:.0f})"
                )
            if f["overlaps"]:
                crowded.append(f"{name}: {f['alt']!r}: {f['overlaps']} pairs")
    assert not small and not crowded, (
        "figure text under 10 pt as shown:\n"
        + "\n".join(small)
        + "\nfigure texts that overlap:\n"
        + "\n".join(crowded)
    )


def test_pages_fit_the_lesson_pattern(scans):
    """The lesson pattern at 1400 x 1000: a page is at most 4,000 px tall in the normal view
    (expanders folded), and its first picture starts above the fold (1,000 px) on every lesson, in
    the normal view and in presenter mode. (Presenter mode scales the whole page up about 1.37x for
    a projector, and its pictures span the full width: its heights are printed, not held to 4,000.)
    """
    tall, late = [], []
    for mode in MODES:
        for name, found in scans(mode).items():
            layout = found["layout"]
            if mode == "normal" and layout["height"] > 4000:
                tall.append(f"{name}: {layout['height']} px")
            if name != "home" and (layout["first"] is None or layout["first"] > 1000):
                late.append(f"{name} ({mode}): first picture at {layout['first']}")
    assert not tall, "pages over 4,000 px:\n" + "\n".join(tall)
    assert not late, "first picture below the fold:\n" + "\n".join(late)
