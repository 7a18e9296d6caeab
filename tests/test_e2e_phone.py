"""Charts for every learner (issue 31) in a real browser, on a phone (390 x 844, touch):

- every Vega chart on every page has an accessible name that says what it shows (Chromium's
  accessibility tree: role graphics-document, named by the chart's description), never a generic
  one;
- chart text as shown is at least 10 pt (13.3 CSS px): the font size each canvas text is drawn with,
  times the canvas's scale on screen (a CSS transform included), with every expander open, in
  presenter mode too; and the page still does not scroll sideways;
- a tap works on the interactive charts: the Latent explorer's pad decodes the tapped spot, a digit
  in a scatter's legend fades the others, the rate-distortion chart chooses the tapped β, a code map
  picks the tapped digit; and a finger draws on the pad.

With ``LATENT_LAB_SCREENSHOTS`` set (``scripts/screenshots.py``) the scan saves phone screenshots of
three pages under ``phone/`` there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e import (  # noqa: F401 (fixtures)
    TEXT_HOOK,
    browser,
    finger_stroke,
    no_exception,
    server,
    server_proc,
    shown_figures,
    steady_box,
    url_path,
    wait_idle,
)
from tests.test_e2e_a11y import settled_overflow
from ui.draw.alt_text import GENERIC_NAMES
from ui.page.catalogue import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PAGES = [("home", "")] + [(url_path(lesson.path), url_path(lesson.path)) for lesson in LESSONS]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
MIN_TEXT_PX = 13.3  # 10 pt
SHOTS = {
    "home": "home",
    "KL_weighting": "KL_weighting",
    "Latent_explorer": "Latent_explorer",
}  # page: file name

# Each chart shown: its accessible name in the DOM, and its smallest text as shown (size x on-screen
# scale).
CHARTS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
  .map(ch => {
  const cv = ch.querySelector('canvas'), r = cv ? cv.getBoundingClientRect() : null;
  const scale = cv && cv.offsetWidth ? r.width / cv.offsetWidth : 0;
  const texts = (cv && cv.__texts) || [];
  const least = texts.reduce((a, t) => (a && a.px <= t.px ? a : t), null);
  return {role: ch.getAttribute('role'), name: ch.getAttribute('aria-label') || '',
          shown: r ? r.width > 0 : false,
          scale, px: least ? least.px : null, text: least ? least.text : null};
})"""
# Each figure box that scrolls sideways (ui.draw.style.PHONE_FIGURE_CSS): whether the keyboard can
# reach it (tabindex 0) and whether it fits the screen.
FIGURE_BOXES_JS = """() => Array.from(document.querySelectorAll(
    '[class*="st-key-figw"] [data-testid="stImageContainer"]'))
  .filter(b => b.scrollWidth > b.clientWidth + 1)
  .map(b => ({focusable: b.tabIndex === 0, right: b.getBoundingClientRect().right,
              alt: (b.querySelector('img')?.alt || '').slice(0, 60)}))"""
OPEN_EXPANDERS_JS = """() => document
  .querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')
  .forEach(s => s.click())"""


def accessible_chart_names(page) -> list[str]:
    """The names Chromium's accessibility tree gives the charts (role graphics-document) on the
    page."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [
        (n.get("name") or {}).get("value", "")
        for n in nodes
        if (n.get("role") or {}).get("value") == "graphics-document" and not n.get("ignored")
    ]


def generic(name: str) -> bool:
    return name.strip().lower().rstrip(".") in GENERIC_NAMES or len(name.split()) < 8


@pytest.fixture(scope="module")
def phone_scans(server_proc, browser):  # noqa: F811
    """Every page at 390 x 844 with touch, every expander open, by query string ("" or presenter
    mode's "?present=1"), each made on first use: its charts, their names in the accessibility
    tree, and what reaches past the screen."""
    done: dict[str, dict] = {}

    def scan(query: str = "") -> dict:
        if query not in done:
            done[query] = _scan(server_proc.base, browser, query)
        return done[query]

    return scan


@pytest.fixture
def phone_scan(phone_scans):
    return phone_scans("")


def _scan(base: str, browser, query: str) -> dict:  # noqa: F811
    shots = os.environ.get("LATENT_LAB_SCREENSHOTS") if not query else None
    context = browser.new_context(**PHONE, color_scheme="light")
    context.add_init_script(TEXT_HOOK)
    page = context.new_page()
    out = {}
    try:
        for name, url in PAGES:
            page.goto(f"{base}/{url}{query}", timeout=90_000)
            wait_idle(page)
            page.wait_for_timeout(500)
            if shots and name in SHOTS:
                phone_screenshot(page, Path(shots) / "phone" / f"{SHOTS[name]}.png", name != "home")
            page.evaluate(OPEN_EXPANDERS_JS)
            wait_idle(page)
            page.wait_for_timeout(800)  # charts in the opened expanders lay out
            out[name] = {
                "charts": page.evaluate(CHARTS_JS),
                "figures": shown_figures(page),
                "boxes": page.evaluate(FIGURE_BOXES_JS),
                "ax": accessible_chart_names(page),
                "overflow": settled_overflow(page),
            }
            print(
                f"PHONE{query} {name}: "
                + ", ".join(
                    f"{c['px'] and c['px'] * c['scale']:.1f}px"
                    for c in out[name]["charts"]
                    if c["shown"]
                )
            )
    finally:
        context.close()
    return out


def phone_screenshot(page, path: Path, to_chart: bool) -> None:
    """The phone's screen as a student sees it: the page's top, or scrolled to its first chart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if to_chart:
        page.evaluate("""() => {
          const c = document.querySelector('[data-testid="stVegaLiteChart"]');
          const main = document.querySelector('[data-testid="stMain"]');
          if (c && main) main.scrollTo(0, c.getBoundingClientRect().top + main.scrollTop - 90);
        }""")
        page.wait_for_timeout(600)
    page.screenshot(path=str(path))
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)")


def test_every_chart_has_an_accessible_name_that_says_what_it_shows(phone_scan, server):  # noqa: F811
    """Every chart's element is a graphics-document named by its description (not Vega's default
    "Vega visualization"), and Chromium's accessibility tree exposes that name."""
    bad, counted = [], 0
    for name, scan in phone_scan.items():
        for c in scan["charts"]:
            counted += 1
            if c["role"] != "graphics-document" or generic(c["name"]):
                bad.append(f"{name}: role {c['role']}, name {c['name']!r}")
        bad += [f"{name}: accessibility tree names a chart {n!r}" for n in scan["ax"] if generic(n)]
        shown = [c["name"] for c in scan["charts"] if c["shown"]]
        missing = [n for n in shown if n not in scan["ax"]]
        bad += [f"{name}: not in the accessibility tree: {n[:80]!r}" for n in missing]
    assert counted >= 30, counted
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("query", ["", "?present=1"], ids=["normal", "present"])
def test_chart_text_on_a_phone_is_at_least_10pt(phone_scans, server, query):  # noqa: F811
    """Every chart shown on a phone draws its text at 13.3 CSS px (10 pt) or more, as shown (a chart
    scaled down to fit shrinks its text), in presenter mode too, and no page scrolls sideways."""
    phone_scan = phone_scans(query)
    small, measured = [], 0
    for name, scan in phone_scan.items():
        for c in scan["charts"]:
            if not c["shown"] or c["px"] is None:
                continue
            measured += 1
            if c["px"] * c["scale"] < MIN_TEXT_PX:
                small.append(
                    f"{name}: {c['text']!r} at {c['px']:.1f} px x {c['scale']:.2f} = "
                    f"{c['px'] * c['scale']:.1f} px ({c['name'][:60]})"
                )
    assert measured >= 30, measured
    assert not small, "chart text under 10 pt on a phone:\n" + "\n".join(small)
    wide = {name: scan["overflow"] for name, scan in phone_scan.items() if scan["overflow"]}
    assert not wide, "wider than the phone:\n" + "\n".join(
        f"{n}: " + "; ".join(o) for n, o in wide.items()
    )


@pytest.mark.parametrize("query", ["", "?present=1"], ids=["normal", "present"])
def test_figure_text_on_a_phone_is_at_least_10pt(phone_scans, server, query):  # noqa: F811
    """Every figure with text (a PNG that records its smallest text) shows that text at 13.3 CSS px
    (10 pt) or more on a phone, in presenter mode too: a figure wider than the screen scrolls
    sideways in its own box, which fits the screen and which the keyboard can reach."""
    phone_scan = phone_scans(query)
    small, measured, boxes = [], 0, 0
    for name, scan in phone_scan.items():
        for f in scan["figures"]:
            measured += 1
            if f["px"] < MIN_TEXT_PX:
                small.append(
                    f"{name}: {f['alt']!r} at {f['px']:.1f} px "
                    f"({f['natural']} px wide shown at {f['shown']:.0f})"
                )
        for b in scan["boxes"]:
            boxes += 1
            if not b["focusable"] or b["right"] > PHONE["viewport"]["width"] + 1:
                small.append(f"{name}: the box of {b['alt']!r}: {b}")
    assert measured >= 25 and boxes >= 10, (measured, boxes)
    assert not small, "figure text under 10 pt on a phone:\n" + "\n".join(small)


# --- taps
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(**PHONE)
    context.add_init_script(TEXT_HOOK)
    page = context.new_page()
    yield page
    context.close()


def chart_canvas(page, index: int = 0):
    canvas = page.locator('[data-testid="stVegaLiteChart"] canvas').nth(index)
    canvas.scroll_into_view_if_needed()
    steady_box(page, canvas)
    return canvas


def tap_at(page, canvas, fx: float, fy: float) -> None:
    """A tap at fractions (fx, fy) of a canvas's box, once the box has stopped moving."""
    box = steady_box(page, canvas)
    page.touchscreen.tap(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def text_position(page, canvas, text: str, rightmost: bool = True) -> tuple[float, float]:
    """Where a canvas drew ``text`` (the rightmost of them: a legend's label), in page
    coordinates."""
    hits = canvas.evaluate(
        "(c, t) => (c.__drawn || []).filter(e => e.text === t).map(e => [e.x, e.y])", text
    )
    assert hits, f"{text!r} not drawn on the chart"
    x, y = max(hits) if rightmost else min(hits)
    box = canvas.bounding_box()
    return box["x"] + x, box["y"] + y


def decoded_code(page) -> tuple[float, float]:
    alt = page.evaluate(
        "() => Array.from(document.images).map(i => i.alt).find(a => a.includes('draws at z')) || "
        "''"
    )
    m = re.search(r"draws at z = \((-?[\d.]+), (-?[\d.]+)\)", alt)
    assert m, alt
    return float(m.group(1)), float(m.group(2))


def test_a_tap_on_the_latent_pad_decodes_that_spot(phone, server):  # noqa: F811
    """Latent explorer on a phone: a tap on the pad's upper left decodes a code there (z₁ < 0 < z₂),
    one on its lower right a code there (z₂ < 0 < z₁). (A tap had selected nothing: Vega picks the
    item under the pointer on a pointer move, which a finger does not send.)"""
    phone.goto(f"{server}/Latent_explorer", timeout=90_000)
    wait_idle(phone)
    canvas = chart_canvas(phone)
    assert decoded_code(phone) == (0.0, 0.0)
    tap_at(phone, canvas, 0.35, 0.3)
    wait_idle(phone)
    z1, z2 = decoded_code(phone)
    assert z1 < 0 < z2, (z1, z2)
    tap_at(phone, chart_canvas(phone), 0.65, 0.7)
    wait_idle(phone)
    z1, z2 = decoded_code(phone)
    assert z2 < 0 < z1, (z1, z2)
    no_exception(phone)


def ink(canvas) -> int:
    """How many of the canvas's pixels are strongly coloured (a digit's colour; the background, the
    axes and text are grey): fewer when most points fade."""
    return canvas.evaluate("""c => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0; for (let i = 0; i < d.length; i += 4)
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) n++;
      return n; }""")


def test_a_tap_on_a_legend_digit_fades_the_other_digits(phone, server):  # noqa: F811
    """KL weighting's code map on a phone: a tap on the 7 in the legend leaves the 7s' points and
    fades the rest (most of the coloured pixels go), in the browser; a tap on the 3's symbol then
    shows the 3s instead."""
    phone.goto(f"{server}/KL_weighting", timeout=90_000)
    wait_idle(phone)
    canvas = chart_canvas(phone)
    before = ink(canvas)
    x, y = text_position(phone, canvas, "7")
    phone.touchscreen.tap(x + 3, y)  # the legend's label
    phone.wait_for_timeout(600)
    sevens = ink(canvas)
    assert sevens < 0.4 * before, (before, sevens)
    x, y = text_position(phone, canvas, "3")
    phone.touchscreen.tap(x - 9, y)  # the legend's symbol, left of its label
    phone.wait_for_timeout(600)
    threes = ink(canvas)
    assert threes < 0.4 * before and threes != sevens, (before, sevens, threes)
    no_exception(phone)


def test_a_tap_on_the_rate_distortion_chart_chooses_that_beta(phone, server):  # noqa: F811
    """KL weighting on a phone: a tap on the point the label "β=5" names chooses β = 5 (the point
    lies where the label's anchor is, less the offset of the side the label was put on)."""
    from ui.draw.altair_charts import RD_LABEL_PLACES

    phone.goto(f"{server}/KL_weighting", timeout=90_000)
    wait_idle(phone)
    canvas = chart_canvas(phone, 1)
    x, y = text_position(phone, canvas, "β=5")
    align = canvas.evaluate(
        "(c) => (c.__drawn || []).filter(e => e.text === 'β=5').map(e => e.align).pop()"
    )
    dx, dy, _ = next(p for p in RD_LABEL_PLACES.values() if p[2] == align)
    phone.touchscreen.tap(x - dx, y - dy)
    wait_idle(phone)
    phone.wait_for_function("() => location.search.includes('kl_beta=5')", timeout=30_000)
    no_exception(phone)


def test_a_tap_on_a_code_map_picks_that_digit(phone, server):  # noqa: F811
    """AE vs VAE on a phone: a tap among the VAE map's 0s picks a 0 (the page names it)."""
    phone.goto(f"{server}/AE_vs_VAE", timeout=90_000)
    wait_idle(phone)
    phone.get_by_text("now #0,").wait_for(timeout=60_000)
    tap_at(phone, chart_canvas(phone, 1), 0.4, 0.75)  # among the 0s, as the desktop test clicks
    wait_idle(phone)
    phone.get_by_text(re.compile(r"now #\d+, a 0,")).wait_for(timeout=30_000)
    assert re.search(r"[?&]aevae_idx=\d+", phone.url) and "aevae_idx=0&" not in phone.url
    no_exception(phone)


def test_drawing_with_a_finger_on_a_phone(phone, server):  # noqa: F811
    """Your own digit at 390 x 844: a finger's stroke on the pad ends in a new score."""
    from tests.test_e2e import _cleared_pad

    pad, score, starter = _cleared_pad(phone, server, tap=True)
    pad.scroll_into_view_if_needed()
    finger_stroke(phone, pad)
    wait_idle(phone)
    score.wait_for(timeout=30_000)
    no_exception(phone)
    assert score.inner_text() != starter and score.inner_text().endswith("nats")


@pytest.mark.parametrize(
    "url,chart,param", [("Embeddings", 0, "emb_idx"), ("Conditional_VAE", 1, "cvae_idx")]
)
def test_a_tap_on_a_map_picks_a_code(phone, server, url, chart, param):  # noqa: F811
    """Embeddings' PCA map and the Conditional VAE's code map on a phone: a tap on the map picks
    the code nearest it (the address names another test image than #0)."""
    phone.goto(f"{server}/{url}", timeout=90_000)
    wait_idle(phone)
    tap_at(phone, chart_canvas(phone, chart), 0.45, 0.55)
    wait_idle(phone)
    phone.wait_for_function(f"() => /[?&]{param}=[1-9]/.test(location.search)", timeout=30_000)
    no_exception(phone)
