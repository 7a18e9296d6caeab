"""Parsing of values that come from the outside world (URL query parameters, widget state).

Pure functions, no streamlit: each returns ``(value, ok)`` where ``ok`` is False when the raw
value was present but unusable, in which case ``value`` is the default. Property-tested with
hypothesis in ``tests/test_params.py``.
"""
from __future__ import annotations

import math
from typing import Sequence, TypeVar

T = TypeVar("T")


def parse_choice(raw: str | None, choices: Sequence[T], default: T) -> tuple[T, bool]:
    """One of ``choices`` (compared as strings), else the default."""
    if raw is None:
        return default, True
    s = raw.strip()
    for c in choices:
        if str(c) == s:
            return c, True
    try:  # numeric choices: "1" matches 1.0, "0.50" matches 0.5
        x = float(s)
    except ValueError:
        return default, False
    for c in choices:
        if isinstance(c, (int, float)) and not isinstance(c, bool) and float(c) == x:
            return c, True
    return default, False


def parse_int(raw: str | None, lo: int, hi: int, default: int) -> tuple[int, bool]:
    """An integer in [lo, hi], else the default."""
    if raw is None:
        return default, True
    try:
        v = int(raw.strip())
    except (ValueError, AttributeError):
        return default, False
    return (v, True) if lo <= v <= hi else (default, False)


def parse_float(raw: str | None, lo: float, hi: float, default: float) -> tuple[float, bool]:
    """A finite float in [lo, hi], else the default."""
    if raw is None:
        return default, True
    try:
        v = float(raw.strip())
    except (ValueError, AttributeError):
        return default, False
    return (v, True) if math.isfinite(v) and lo <= v <= hi else (default, False)


def parse_bool(raw: str | None, default: bool) -> tuple[bool, bool]:
    if raw is None:
        return default, True
    s = raw.strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True, True
    if s in ("0", "false", "no", "off"):
        return False, True
    return default, False


def parse_int_list(raw: str | None, lo: int, hi: int, default: list[int],
                   max_len: int = 64) -> tuple[list[int], bool]:
    """Comma-separated integers, each in [lo, hi], at most max_len of them."""
    if raw is None:
        return list(default), True
    parts = [p for p in raw.split(",") if p.strip()]
    if not parts or len(parts) > max_len:
        return list(default), False
    out = []
    for p in parts:
        v, ok = parse_int(p, lo, hi, 0)
        if not ok:
            return list(default), False
        out.append(v)
    return out, True


def parse_float_list(raw: str | None, lo: float, hi: float, length: int,
                     default: list[float]) -> tuple[list[float], bool]:
    """Exactly ``length`` comma-separated floats, each in [lo, hi]."""
    if raw is None:
        return list(default), True
    parts = raw.split(",")
    if len(parts) != length:
        return list(default), False
    out = []
    for p in parts:
        v, ok = parse_float(p, lo, hi, 0.0)
        if not ok:
            return list(default), False
        out.append(v)
    return out, True


ECHO_LIMIT = 40  # characters of a user's value repeated back in a message


def echo(raw: object, limit: int = ECHO_LIMIT) -> str:
    """A value typed by a visitor (URL, file name, text box), made safe to repeat in Markdown.

    Returns an inline code span: inside it Markdown renders no link, image or HTML. Backticks
    (which would end the span) and control characters become ``?``; long values are cut to
    ``limit`` characters with an ellipsis.
    """
    s = "".join(c if c.isprintable() and c != "`" else "?" for c in str(raw))
    if len(s) > limit:
        s = s[:limit] + "…"
    return f"` {s} `" if s else "` `"
