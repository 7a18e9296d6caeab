"""Every learner (issue 31) in a real browser: WCAG 2.1 A/AA by axe-core, a phone's screen, the
keyboard, and no request to another host.

axe-core comes from npm (``package.json`` pins it; ``.ci/run`` runs ``npm ci``) and is injected into
each page. Every page (Home and ``ui.page.catalogue.LESSONS``) is scanned in six settings: light,
dark and
``?present=1``, each at 1400 x 1000 and on a phone (390 x 844, touch). One server and one browser
serve the module, one browser context per setting; each setting's scan runs once and is shared by
the tests that read it (axe, phone width, hosts).

The test is strict: every WCAG 2.1 A/AA rule, zero violations. What the app cannot change in
Streamlit's own markup is left out by a precise selector in ``EXCLUDE``, each with its reason.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e import browser, server, server_proc, url_path, wait_idle  # noqa: F401 (fixtures)
from ui.page.catalogue import CLASS, LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = (
    [("home", "")]
    + [(url_path(lesson.path), url_path(lesson.path)) for lesson in LESSONS]
    + [("class", url_path(CLASS.path))]
)  # class mode's start page (its live views: test_e2e_class.py)
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SETTINGS = {  # name: (context options, query string)
    "light": ({**DESKTOP, "color_scheme": "light"}, ""),
    "dark": ({**DESKTOP, "color_scheme": "dark"}, ""),
    "present": ({**DESKTOP, "color_scheme": "light"}, "?present=1"),
    "phone-light": ({**PHONE, "color_scheme": "light"}, ""),
    "phone-dark": ({**PHONE, "color_scheme": "dark"}, ""),
    "phone-present": ({**PHONE, "color_scheme": "light"}, "?present=1"),
}
# Parts of Streamlit's own markup that axe flags and the app cannot change (selector: why).
EXCLUDE: dict[str, str] = {}

# Width on a phone: the page must not scroll sideways, and no element of the main block may reach
# past the screen unless a box that scrolls (or clips) on its own holds it (a wide table, say).
OVERFLOW_JS = """() => {
  const vw = window.innerWidth, out = [];
  const se = document.scrollingElement;
  if (se.scrollWidth > vw) out.push(`document scrolls sideways: ${se.scrollWidth} > ${vw}`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return out;
  if (main.scrollWidth > main.clientWidth + 1) {
    out.push(`stMain scrolls sideways: ${main.scrollWidth} > ${main.clientWidth}`);
  }
  const held = (el) => {  // inside a box of its own that scrolls or clips, which itself fits
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === 'visible') continue;
      const r = a.getBoundingClientRect();
      if (r.right <= vw + 1 && r.left >= -1) return true;
    }
    return false;
  };
  const shown = (el) => {  // not hidden, and not see-through (a toolbar shown on hover only)
    for (let a = el; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.visibility === 'hidden' || cs.opacity === '0') return false;
    }
    return true;
  };
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= vw + 1 && r.left >= -1) continue;
    if (held(el) || !shown(el)) continue;
    const id = el.closest('[data-testid]')?.dataset.testid || '';
    const cls = el.className && typeof el.className === 'string'
      ? '.' + el.className.split(' ')[0] : '';
    const where = `${Math.round(r.left)}..${Math.round(r.right)} px`;
    out.push(`${el.tagName.toLowerCase()}${cls} in ${id}: ${where}`);
    if (out.length > 8) break;
  }
  return out;
}"""


def settled_overflow(page, tries: int = 4) -> list[str]:
    """What reaches past a phone's screen once the layout has settled: a table's toolbar can be
    placed for a moment at the table's first, narrower width while the grid lays out, so a finding
    is looked at again (up to ``tries`` times, a second apart) and only one that stays counts."""
    found = page.evaluate(OVERFLOW_JS)
    for _ in range(tries - 1):
        if not found:
            break
        page.wait_for_timeout(1000)
        found = page.evaluate(OVERFLOW_JS)
    return found


def settled_axe(page, tries: int = 3) -> list[dict]:
    """axe's violations once the page has settled: a sidebar still folding away (presenter mode
    folds it) is for a moment a scrollable box whose links are already hidden, which axe calls
    "scrollable-region-focusable"; a violation is looked at again (up to ``tries`` times, a second
    apart) and only one that stays counts."""
    found = run_axe(page)
    for _ in range(tries - 1):
        if not found:
            break
        page.wait_for_timeout(1000)
        found = run_axe(page)
    return found


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async ([tags, exclude]) => {
        const r = await axe.run(
            {include: [document], exclude: exclude.map(s => [s])},
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
            target: v.nodes[0].target.join(' '), html: v.nodes[0].html.slice(0, 160),
            summary: (v.nodes[0].failureSummary || '').slice(0, 300)}));
    }""",
        [WCAG_TAGS, list(EXCLUDE)],
    )


class Scan:
    """One setting's visit of every page: axe violations, sideways overflow, foreign requests."""

    def __init__(self) -> None:
        self.violations: dict[str, list[dict]] = {}
        self.overflow: dict[str, list[str]] = {}
        self.foreign: set[str] = set()


@pytest.fixture(scope="module")
def scans(server_proc, browser):  # noqa: F811
    """Scans by setting, each made on first use (one browser context per setting)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `npm ci` at the repository root (.ci/run does)")
    done: dict[str, Scan] = {}
    own = urlsplit(server_proc.base).netloc

    def scan(setting: str) -> Scan:
        if setting in done:
            return done[setting]
        options, query = SETTINGS[setting]
        result = Scan()
        context = browser.new_context(**options)
        context.on(
            "request",
            lambda r: (
                urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(r.url).netloc != own
                and result.foreign.add(r.url)
            ),
        )
        page = context.new_page()
        try:
            for name, url in PAGES:
                page.goto(f"{server_proc.base}/{url}{query}", timeout=90_000)
                wait_idle(page)
                page.wait_for_timeout(300)  # charts lay out after the script run
                result.violations[name] = settled_axe(page)
                if options["viewport"]["width"] < 500:
                    result.overflow[name] = settled_overflow(page)
                for v in result.violations[name]:
                    print(f"AXE {setting} {name} {v['id']} {v['n']} {v['target']}")
        finally:
            context.close()
        done[setting] = result
        return result

    return scan


def _report(violations: dict[str, list[dict]]) -> str:
    lines = []
    for name, found in violations.items():
        for v in found:
            lines.append(
                f"{name}: {v['id']} ({v['impact']}) x{v['n']}, e.g. {v['target']}\n"
                f"    {v['html']}\n    {v['summary']}"
            )
    totals = Counter()
    for found in violations.values():
        for v in found:
            totals[v["id"]] += v["n"]
    return json.dumps(dict(totals)) + "\n" + "\n".join(lines)


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_axe_wcag21_aa(scans, server, setting):  # noqa: F811
    """Zero axe-core violations of the WCAG 2.1 A/AA rules on every page in this setting."""
    found = {name: v for name, v in scans(setting).violations.items() if v}
    assert not found, f"axe-core violations ({setting}):\n" + _report(found)


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.startswith("phone")])
def test_phone_no_sideways_scroll(scans, server, setting):  # noqa: F811
    """At 390 x 844 with touch, no page scrolls sideways and nothing in the main block is wider than
    the screen (a wide table scrolls inside its own box)."""
    found = {name: o for name, o in scans(setting).overflow.items() if o}
    assert not found, f"wider than the phone ({setting}):\n" + "\n".join(
        f"{name}: " + "; ".join(o) for name, o in found.items()
    )


def test_no_request_to_other_hosts(scans, server):  # noqa: F811
    """Every page, light and dark, desktop and phone: the browser asks the app's own address only
    (the page icon included)."""
    foreign = set()
    for setting in ("light", "dark", "phone-light"):
        foreign |= scans(setting).foreign
    assert not foreign, "requests to other hosts:\n" + "\n".join(sorted(foreign))


# An element by what it is (a rerun may replace the node): tag, widget key, link, label, text.
NAME_JS = """(e) => [e.tagName,
  e.closest('[class*="st-key-"]')?.className.match(/st-key-\\S+/)?.[0],
  e.getAttribute('href'), e.getAttribute('aria-label'),
  (e.innerText || '').slice(0, 80)].join('|')"""
# Everything a keyboard user should reach on the page: links and controls that are shown and
# enabled.
FOCUSABLE_JS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [role="slider"], '
    + '[tabindex]:not([tabindex="-1"])'))
  .filter(e => !e.disabled && e.tabIndex >= 0
          && e.checkVisibility({visibilityProperty: true, opacityProperty: true})
          && e.getBoundingClientRect().width > 0)
  .map(e => [(NAME)(e), e.outerHTML.slice(0, 160)])""".replace("NAME", NAME_JS)
FOCUSED_JS = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const cs = getComputedStyle(e);
  return {id: (NAME)(e), html: e.outerHTML.slice(0, 160), tag: e.tagName.toLowerCase(),
          role: e.getAttribute('role'), link: e.matches('a[href]'),
          outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
          color: cs.outlineColor}; }""".replace("NAME", NAME_JS)


def test_keyboard_reaches_every_link_and_control_with_a_focus_ring(server, browser):  # noqa: F811
    """KL weighting (sidebar links, sliders, a toggle, a chart, previous / next links): Tab moves
    the
    focus through every link and control on the page, and the focused element shows a ring."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/KL_weighting", timeout=90_000)
        wait_idle(page)
        page.wait_for_timeout(
            1500
        )  # a run right after the first one (seen in a full run of this module) redraws it
        wait_idle(page)
        wanted = dict(page.evaluate(FOCUSABLE_JS))
        reached, no_ring, order = set(), [], []
        kinds = Counter()
        for _ in range(2 * len(wanted) + 20):
            page.keyboard.press("Tab")
            f = page.evaluate(FOCUSED_JS)
            order.append("-" if f is None else f["html"][:90])
            if f is None or f["id"] in reached:
                if set(wanted) <= reached:
                    break
                continue
            reached.add(f["id"])
            kinds["link" if f["link"] else "control"] += 1
            if not f["outline"]:
                no_ring.append(f["html"])
        assert kinds["link"] >= 10 and kinds["control"] >= 3, f"{kinds}, focus went:\n" + "\n".join(
            order
        )
        assert not no_ring, "focused without a visible ring:\n" + "\n".join(no_ring)
        missed = [html for i, html in wanted.items() if i not in reached]
        assert not missed, "not reached by Tab:\n" + "\n".join(missed)
    finally:
        page.close()


def test_the_page_icon_is_the_apps_own_file(server, browser):  # noqa: F811
    """The tab's icon is a PNG the app serves from static/ (the same host, the same URL on every
    page
    and every run, so the browser caches it), not a Material icon from Google's font servers."""
    import urllib.request

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/KL_weighting", timeout=90_000)
        wait_idle(page)
        href = page.evaluate("() => document.querySelector('link[rel~=\"icon\"]')?.href")
        assert href and href.startswith(server) and href.endswith("/app/static/icon.png"), href
        with urllib.request.urlopen(href, timeout=10) as r:
            assert r.status == 200 and r.read().startswith(b"\x89PNG")
    finally:
        page.close()
