"""The drawing pad's JavaScript (``ui.lessons.own_digit.pad``) in Debian's Chromium, handed
malformed values.

A stroke without points or with string coordinates made the pad throw "Cannot read properties of
undefined" until the page was reloaded. Python no longer hands it such values
(``tests/test_page_own_digit.py``); here the component's own module is loaded into a blank page,
mounted as Streamlit mounts it (its default export called with the element and the data), and
given them anyway: it skips what it cannot draw, and a mouse still draws on it.
"""

from __future__ import annotations

import pytest

from ui.lessons.own_digit import pad

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GOOD = [[0.2, 0.2], [0.8, 0.8]]
MALFORMED = [
    [],
    [[0.1, "0.2"]],
    "x",
    None,
    [[0.5]],
    [None],
    GOOD,
    {"0": [0.1, 0.1]},
    [[float("nan"), 0.3], [0.4, 5.0]],
    [["a", "b"], [0.6, 0.1]],
]

MOUNT = """async ([js, html, css, data]) => {
  document.body.innerHTML = `<style>${css}</style><div id="host">${html}</div>`;
  const mod = await import(URL.createObjectURL(new Blob([js], {type: 'text/javascript'})));
  window.sent = [];
  window.cleanStrokes = mod.cleanStrokes;
  mod.default({name: 'latent_lab_pad', key: 'own_pad', data,
               parentElement: document.getElementById('host'),
               setStateValue: (name, value) => window.sent.push([name, value])});
}"""
# white (255) or black (0) at (x, y) in [0, 1] of the canvas
PIXEL = """([x, y]) => { const c = document.querySelector('canvas');
  const at = [Math.round(x * c.width), Math.round(y * c.height)];
  return c.getContext('2d').getImageData(at[0], at[1], 1, 1).data[0]; }"""


def _point(p) -> bool:
    return (
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in p)
    )


def _well_formed(strokes) -> bool:
    """Strokes Python accepts: each a non-empty list of [x, y] numbers in [0, 1]."""
    return isinstance(strokes, list) and all(
        isinstance(s, list) and s and all(map(_point, s)) for s in strokes
    )


def _mount(browser, data):
    page = browser.new_page(viewport={"width": 600, "height": 500})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_content("<!doctype html><html><body></body></html>")
    page.evaluate(MOUNT, [pad.JS, pad.HTML, pad.CSS, data])
    return page, errors


def _stroke(page, points) -> None:
    box = page.locator("canvas").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def test_the_pad_skips_malformed_strokes_and_still_draws(browser):
    data = {
        "px": pad.PAD_PX,
        "pen": pad.PEN_PX,
        "strokes": MALFORMED,
        "max_strokes": 200,
        "max_points": 5000,
    }
    page, errors = _mount(browser, data)
    try:
        # the good stroke and the good points are drawn; the rest is skipped
        clean = page.evaluate("(s) => cleanStrokes(s, 200, 5000)", MALFORMED)
        assert clean == [GOOD, [[0.4, 1]], [[0.6, 0.1]]]
        assert page.evaluate(PIXEL, [0.5, 0.5]) == 255 and page.evaluate(PIXEL, [0.9, 0.1]) == 0
        _stroke(page, [(0.1, 0.3), (0.9, 0.3)])  # a mouse stroke across the top
        assert page.evaluate(PIXEL, [0.5, 0.3]) == 255
        name, sent = page.evaluate("() => window.sent.at(-1)")
        assert name == "strokes" and _well_formed(sent) and len(sent) == 4
        assert sent[0] == GOOD and sent[-1][0][1] == pytest.approx(0.3, abs=0.02)
        page.locator("button[data-act=undo]").click()
        assert page.evaluate("() => window.sent.at(-1)[1]") == sent[:-1]
        assert page.evaluate(PIXEL, [0.5, 0.3]) == 0
        page.locator("button[data-act=clear]").click()
        assert page.evaluate("() => window.sent.at(-1)[1]") == []
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize(
    "data",
    [None, {"strokes": "x" * 1000}, {"px": "big", "pen": -1, "strokes": [[]]}],
    ids=["no data", "a string", "bad sizes"],
)
def test_the_pad_draws_whatever_data_it_is_handed(browser, data):
    page, errors = _mount(browser, data)
    try:
        assert page.evaluate(PIXEL, [0.5, 0.5]) == 0  # an empty pad
        _stroke(page, [(0.5, 0.1), (0.5, 0.9)])
        assert page.evaluate(PIXEL, [0.5, 0.5]) == 255
        sent = page.evaluate("() => window.sent.at(-1)[1]")
        assert _well_formed(sent) and len(sent) == 1
        assert not errors, errors
    finally:
        page.close()


def test_the_pad_stops_taking_ink_at_pythons_limit(browser):
    """Past ``max_points`` the pad takes no more ink, so an honest drawing is never refused."""
    data = {"px": pad.PAD_PX, "pen": pad.PEN_PX, "strokes": [], "max_strokes": 2, "max_points": 12}
    page, errors = _mount(browser, data)
    try:
        for y in (0.2, 0.5, 0.8):
            _stroke(page, [(0.1, y), (0.9, y)])
        sent = page.evaluate("() => window.sent.at(-1)[1]")
        assert len(sent) == 2 and sum(map(len, sent)) <= 12
        assert page.evaluate(PIXEL, [0.5, 0.8]) == 0  # the third stroke was not taken
        assert not errors, errors
    finally:
        page.close()
