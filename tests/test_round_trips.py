"""Every control keeps its value through a mode round trip and a model round trip (issue 30,
kind 3).

For every page and every control on it that the link keeps (a widget bound to a URL parameter):
move it to a value other than its default, then

- switch presenter mode on and off again (``?present=1`` then ``?present=0``, what the sidebar's
  switch does): the control still shows the value moved to;
- on a page with a model picker, choose another model and then the first one again: every other
  control still shows its value, except the ones whose options or default depend on the model
  (``MODEL_DEPENDENT``, each with the reason).

A reload is the link itself: ``tests/test_binding.py`` checks that every such control is bound to
the URL parameter of its own name, and ``tests/test_e2e_links.py`` that a browser's address follows
it and reopens the view.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pageutil import app, assert_ok, bound_keys
from ui.page.catalogue import LESSONS

pytestmark = pytest.mark.slow

PAGES = ["streamlit_app.py"] + [lesson.path for lesson in LESSONS]

# (page, widget key) -> why a model switch may change it
MODEL_DEPENDENT: dict[tuple[str, str], str] = {}

KINDS = (
    "selectbox",
    "radio",
    "slider",
    "select_slider",
    "number_input",
    "toggle",
    "checkbox",
    "segmented_control",
    "pills",
)


def _widgets(at: AppTest) -> dict[str, object]:
    """The page's keyed widgets bound to a URL parameter (main area), by key."""
    bound = {k for k, qp in bound_keys(at).items() if qp}
    out = {}
    for kind in KINDS:
        for w in getattr(at, kind):
            if getattr(w, "key", None) in bound and not getattr(w.proto, "disabled", False):
                out[w.key] = w  # (a disabled widget is one a student cannot move either)
    return out


def _like(label: str, value: object) -> object:
    """An option's label read back as a value of the type the widget shows (labels are the
    values' URL spellings here: ``ui.page.links.url_widget``)."""
    if isinstance(value, bool):
        return label == "True"
    if isinstance(value, int):
        return int(float(label))
    if isinstance(value, float):
        return float(label)
    return label


def _other_value(w: object) -> object | None:
    """A legal value of the widget other than the one it shows (None when it has no other)."""
    value = w.value
    name = type(w).__name__
    if name in ("Toggle", "Checkbox"):
        return not value
    if name == "Selectbox":
        now = w.index
        others = [i for i in range(len(w.options)) if i != now]
        if not others:
            return None
        try:
            labels_are_values = all(str(w.format_func(o)) == o for o in w.options)
        except Exception:  # the format_func takes values only
            labels_are_values = False
        # AppTest sets a selectbox by its label; where a format_func makes labels of values, the
        # student's link is the way to move it here (the URL spells the option by its label)
        return ("index", others[-1]) if labels_are_values else ("link", w.options[others[-1]])
    if name in ("Radio", "SelectSlider", "ButtonGroup"):
        if isinstance(value, (list, tuple)) or value is None:
            return None  # several picks or none: the page reads them through its own parameter
        labels = [o for o in w.options if _like(o, value) != value]
        return _like(labels[-1], value) if labels else None
    if name in ("Slider", "NumberInput"):
        if isinstance(value, (tuple, list)):
            return None  # a range: in the link through the page's own pair (test_binding)
        pr = w.proto
        lo = pr.min if name == "Slider" or pr.has_min else None
        hi = pr.max if name == "Slider" or pr.has_max else None
        step = pr.step or 1
        for cand in (value + step, value - step):
            cand = type(value)(cand)
            if (lo is None or cand >= lo - 1e-9) and (hi is None or cand <= hi + 1e-9):
                return cand
    return None


def _set(w: object, new: object) -> None:
    if isinstance(new, tuple) and new and new[0] == "index":
        w.select_index(new[1])
    else:
        w.set_value(new)


def _moved(path: str) -> tuple[AppTest, dict[str, object]]:
    """The page with every control it keeps in the link moved off its default; the values shown.

    A selectbox whose labels are not its values (AppTest cannot map a label back) is moved the
    way a student's link moves it: opened with the label in the URL."""
    first = app(path)
    query = {}
    for key, w in _widgets(first).items():
        new = _other_value(w)
        if isinstance(new, tuple) and new and new[0] == "link":
            query[key] = new[1]
    at = app(path, query) if query else first
    moved: dict[str, object] = {k: w.value for k, w in _widgets(at).items() if k in query}
    for key in list(_widgets(at)):
        w = _widgets(at).get(key)
        if w is None or key in query:  # the last move hid it, or the link moved it
            continue
        new = _other_value(w)
        if new is None or (isinstance(new, tuple) and new[0] == "link"):
            continue
        _set(w, new)
        at.run()
        assert_ok(at)
        if key in _widgets(at):
            moved[key] = _widgets(at)[key].value
    return at, moved


def _values(at: AppTest, keys) -> dict[str, object]:
    ws = _widgets(at)
    return {k: ws[k].value for k in keys if k in ws}


@pytest.mark.parametrize("path", PAGES)
def test_controls_survive_a_presenter_mode_round_trip(path):
    at, moved = _moved(path)
    for present in ("1", "0"):
        at.query_params["present"] = present
        at.run()
        assert_ok(at)
    kept = _values(at, moved)
    assert kept == moved, {k: (moved[k], kept.get(k)) for k in moved if kept.get(k) != moved[k]}


@pytest.mark.parametrize("path", PAGES)
def test_controls_survive_a_model_round_trip(path):
    at, moved = _moved(path)
    pickers = [k for k in moved if k.endswith("_model") or k.endswith("_models")]
    if not pickers:
        pytest.skip("no model picker on this page")
    for key in pickers:
        w = _widgets(at)[key]
        first = w.value
        new = _other_value(w)
        if new is None:
            continue
        _set(w, new)
        at.run()
        assert_ok(at)
        _widgets(at)[key].set_value(first)
        at.run()
        assert_ok(at)
    keep = [k for k in moved if (path, k) not in MODEL_DEPENDENT]
    kept = _values(at, keep)
    want = {k: moved[k] for k in keep}
    assert kept == want, {k: (want[k], kept.get(k)) for k in want if kept.get(k) != want[k]}
