"""Bad input from a shared link: every query parameter every page reads gets empty, huge, tiny,
non-finite, unicode, repeated, 100 kB long and Markdown/HTML values. The page runs (no exception
element, no error box), says that it ignored the value where it did, and never renders a visitor's
value as a link, an image or HTML.

Which parameters a page reads is not listed by hand: a first run records every key the page looks
up in ``st.query_params`` (so a new parameter is covered by the suite the day it is added).
"""

from __future__ import annotations

import re

import pytest

from tests.pageutil import app, texts
from ui import compat
from ui.page.catalogue import LESSONS

pytestmark = pytest.mark.slow

PAGES = ["streamlit_app.py"] + [lesson.path for lesson in LESSONS]
MARKUP = (
    "[x](http://evil.example/a) ![i](http://evil.example/i.png) <img src=x onerror=alert(1)> "
    "**b** `"
)
VALUES = {
    "empty": "",
    "long": "7" * 50_000 + "," + "x" * 50_000,  # 100 kB
    "negative": "-1",
    "huge": "1e308",
    "huge-negative": "-1e308",
    "10^20": "100000000000000000000",
    "tiny": "1e-320",
    "nan": "nan",
    "inf": "inf",
    "-inf": "-Infinity",
    "unicode": "😀ü٣",
    "markup": MARKUP,
    "list": "1,2,3,4,5,6,7,8,9,10,11",
    "repeated": ["1", "2", "3"],
}


_PARAMS: dict[str, list[str]] = {}


def page_params(path: str) -> list[str]:
    """Every key the page looks up in ``st.query_params`` at its defaults (a multiselect's repeated
    parameter included: ``ui.page.links.url_widget(..., many=True)``), recorded once per page."""
    if path not in _PARAMS:
        with compat.query_param_reads() as seen:
            app(path)
        _PARAMS[path] = seen
    return _PARAMS[path]


def _outside_code(text: str) -> str:
    """Markdown text without its code spans (where a link or an image is shown as typed)."""
    return re.sub(r"`[^`]*`", "", text)


def _all_text(at) -> str:
    return texts(at) + "\n" + "\n".join(str(t.value) for t in at.toast)


@pytest.mark.parametrize("path", PAGES, ids=[p.split("/")[-1][:-3] for p in PAGES])
def test_every_page_reads_parameters(path):
    """The recorder works: every page reads at least ?present (setup_page) and its own settings."""
    names = page_params(path)
    assert "present" in names, names
    if path != "streamlit_app.py":
        assert len(names) >= 2, names


@pytest.mark.parametrize("kind", list(VALUES))
@pytest.mark.parametrize("path", PAGES, ids=[p.split("/")[-1][:-3] for p in PAGES])
def test_bad_link_values(path, kind):
    names = page_params(path)
    value = VALUES[kind]
    at = app(path, {n: value for n in names})  # asserts: no exception element
    assert not at.error, [e.value for e in at.error]
    shown = _all_text(at)
    assert "evil.example" not in _outside_code(shown), "a visitor's value was rendered as Markdown"
    assert "onerror" not in _outside_code(shown)
    if kind in ("markup", "nan", "huge"):  # valid for no parameter: the page says it ignored them
        assert at.toast or at.warning or at.info, f"no notice for ?{names}={kind}"
