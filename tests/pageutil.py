"""Helpers for AppTest runs of the pages (torch needs far more than AppTest's default 3 s)."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from vae import artefacts

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds per script run; a cold torch import and model load on 2 cores


def app(path: str, query: dict[str, str] | None = None, opened: tuple[str, ...] = ()) -> AppTest:
    """An AppTest of a page (its file, relative to the repository root), already run once, with the
    folded expanders ``opened`` (their keys, ``ui.page.frame.folded``) open as a student opened
    them.

    The app runs from its entrypoint, as ``streamlit run streamlit_app.py`` does, and switches to
    the page: the sidebar's and the lesson links' ``st.page_link``s resolve only there."""
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=TIMEOUT)
    if path != "streamlit_app.py":
        at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k in opened:
        at.session_state[k] = True
    at.run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    """No uncaught exception and no st.exception element."""
    assert not at.exception, [e.value for e in at.exception]


def assert_stopped_by_cache_error(at: AppTest, *words: str) -> None:
    """The page stopped at the cache message: an error naming ``words`` and the rebuild command,
    and nothing after it (no "What to notice")."""
    assert at.error, "expected the cache error"
    msg = at.error[0].value
    for w in (*words, "python -m vae.build"):
        assert w in msg, (w, msg)
    assert "What to notice" not in texts(at)


def texts(at: AppTest) -> str:
    """All markdown, headings, captions and alerts of the page as one string."""
    parts = (
        [m.value for m in at.markdown]
        + [t.value for t in at.title]
        + [h.value for h in at.header]
        + [s.value for s in at.subheader]
        + [c.value for c in at.caption]
        + [e.value for e in at.error]
        + [w.value for w in at.warning]
        + [i.value for i in at.info]
        + [s.value for s in at.success]
    )
    return "\n".join(str(p) for p in parts)


def need(*names: str, embeddings: bool = False) -> None:
    """Fail (or skip, with LATENT_LAB_ALLOW_MISSING=1) unless these models' checkpoints and codes
    (and, with ``embeddings``, their embeddings) are built."""
    missing = []
    for n in names:
        paths = [artefacts.checkpoint_path(n), artefacts.codes_path(n)]
        paths += [artefacts.embeddings_path(n)] if embeddings else []
        missing += [p.name for p in paths if not p.exists()]
    if missing:
        msg = f"not built yet: {', '.join(missing)} (run `python -m vae.build`)"
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(msg)
        pytest.fail(msg)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def notices(at: AppTest) -> list[str]:
    """The bullets of the page's "What to notice" box (``ui.notice``), in order."""
    seen = False
    for node in _walk(at.main):
        if getattr(node, "type", None) == "subheader" and node.value == "What to notice":
            seen = True
        elif seen and getattr(node, "type", None) == "markdown":
            return [line[2:] for line in node.value.splitlines() if line.startswith("- ")]
    return []


def bound_keys(at: AppTest) -> dict[str, str]:
    """Every keyed widget on the page -> the URL parameter Streamlit binds it to ("" when unbound).

    AppTest has no browser, so it never sees the URL follow a moved widget (the frontend writes it;
    tests/test_e2e_links.py checks that in Chromium): what AppTest can check is the binding
    itself."""
    out: dict[str, str] = {}
    for node in list(_walk(at.main)) + list(_walk(at.sidebar)):
        key, proto = getattr(node, "key", None), getattr(node, "proto", None)
        if key and proto is not None and hasattr(proto, "query_param_key"):
            out[key] = proto.query_param_key
    return out


def assert_bound(at: AppTest, *keys: str) -> None:
    """These widgets are on the page and bound to the URL parameter of their own name."""
    have = bound_keys(at)
    assert {k: have.get(k) for k in keys} == {k: k for k in keys}, have


def chart_title(t: object) -> str:
    """A Vega-Lite title's desktop text: a string, ``{"text": ...}``, or on a phone a Vega
    expression
    whose last branch is the whole title (``ui.draw.render.phone_size`` wraps long titles)."""
    if isinstance(t, dict):
        t = t.get("text", "")
    if isinstance(t, dict):
        t = json.loads(t["expr"].rsplit(" : ", 1)[1])
    return str(t)


def image_alts(at: AppTest) -> list[str | None]:
    """The alt text of every image on the page (main area, then sidebar), in order (None: none
    given)."""
    return [
        (img.alt if img.HasField("alt") else None)
        for node in [*_walk(at.main), *_walk(at.sidebar)]
        if getattr(node, "type", None) == "image"
        for img in node.proto.imgs
    ]


def page_constant(page: Path, name: str):
    """A literal constant of a page (``NAME = ...`` at its top level), read from its source: a page
    is a script, and importing it would run it."""
    for node in ast.parse(page.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(name)
