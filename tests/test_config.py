"""The app's Streamlit settings (.streamlit/config.toml) do what the app relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
import tomllib

from ui import compat

REPO = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())


@pytest.fixture
def app_config(monkeypatch):
    """Streamlit's config as ``streamlit run`` in the repository root reads it."""
    monkeypatch.chdir(REPO)
    compat.reload_config()
    yield
    monkeypatch.undo()  # back in the directory the suite runs from, before its config is re-read
    compat.reload_config()


def test_no_message_is_ever_sent_by_reference(app_config):
    """The dead-websocket race ("Cached ForwardMsg MISS") needs a message the browser is told to
    take from its cache. With the app's settings no element is cacheable, however large, so the
    server never sends a reference (Streamlit's default, 10 kB, made every chart spec one)."""
    msg = compat.streamlit_protocol().ForwardMsg()
    msg.delta.new_element.markdown.body = "x" * 5_000_000  # a 5 MB element (a big Vega-Lite spec)
    assert not compat.sent_by_reference(msg) and msg.hash


def test_uploads_are_limited_before_they_reach_the_page(app_config):
    from vae.preprocess import MAX_BYTES

    assert st.get_option("server.maxUploadSize") * 2**20 == MAX_BYTES


def _cache_decorated(path: Path):
    import ast

    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                call = dec if isinstance(dec, ast.Call) else None
                target = call.func if call else dec
                name = ast.unparse(target)
                if name.endswith(("cache_data", "cache_resource")):
                    yield node, name, ({k.arg for k in call.keywords} if call else set())


def test_every_cache_with_inputs_is_bounded():
    """No cache keyed by what a visitor can choose (a seed, a range, an upload) grows without
    bound: every st.cache_data / st.cache_resource function that takes arguments has max_entries."""
    found, unbounded = 0, []
    for path in [*REPO.glob("pages/*.py"), *REPO.glob("ui/**/*.py"), REPO / "streamlit_app.py"]:
        for fn, name, kwargs in _cache_decorated(path):
            found += 1
            if fn.args.args and "max_entries" not in kwargs:
                unbounded.append(f"{path.name}:{fn.lineno} {fn.name}")
    assert found >= 10 and not unbounded, unbounded


def test_a_forged_widget_state_is_refused_and_a_full_drawing_is_not(app_config):
    """The drawing pad's value forged at 24.8 MB (a classroom load test: about 190 MB per session)
    is over what the server accepts, both at the websocket (the frame) and as widget state; the
    largest drawing the pad accepts is well under both limits."""
    import json

    from vae.preprocess import MAX_POINTS, MAX_STROKES

    def pad_state(strokes):
        states = compat.streamlit_protocol().WidgetStates()
        state = states.widgets.add()
        state.id = "$$ID-pad-own_pad"
        state.json_value = json.dumps({"strokes": strokes})
        return states

    per_stroke = MAX_POINTS // MAX_STROKES
    full = pad_state([[[0.1234, 0.5678]] * per_stroke] * MAX_STROKES)  # all the points allowed
    forged = pad_state([[[0.123456789, 0.987654321]] * 100_000] * 12)
    assert forged.ByteSize() > 24e6 and full.ByteSize() < 0.2e6
    assert compat.widget_states_accepted(full) and not compat.widget_states_accepted(forged)
    frame_limit = compat.websocket_message_limit()
    assert 10 * full.ByteSize() < frame_limit < forged.ByteSize()
