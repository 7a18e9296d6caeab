"""Parsing of values that come from the outside world (URL query parameters, widget state).

Pure functions, no streamlit: each returns ``(value, ok)`` where ``ok`` is False when the raw
value was present but unusable, in which case ``value`` is the default. Property-tested with
hypothesis in ``tests/test_link_values.py``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence, TypeVar

import numpy as np

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


def parse_label(raw: str | None, labels: Mapping[T, str], default: T) -> tuple[T, bool]:
    """The value whose label is ``raw`` exactly, else the default: the reader of a bound selection
    widget whose ``format_func`` is ``labels.get`` (Streamlit matches a link against the labels)."""
    if raw is None:
        return default, True
    for value, label in labels.items():
        if label == raw:
            return value, True
    return default, False


def _parse_number(
    raw: str | None, cast: Callable[[str], Any], lo: Any, hi: Any, default: Any
) -> tuple[Any, bool]:
    if raw is None:
        return default, True
    try:
        v = cast(raw.strip())
    except (ValueError, AttributeError, OverflowError):
        return default, False
    if isinstance(v, float) and not math.isfinite(v):
        return default, False
    return (v, True) if lo <= v <= hi else (default, False)


def parse_int(raw: str | None, lo: int, hi: int, default: int) -> tuple[int, bool]:
    """An integer in [lo, hi], else the default."""
    return _parse_number(raw, int, lo, hi, default)


def parse_float(raw: str | None, lo: float, hi: float, default: float) -> tuple[float, bool]:
    """A finite float in [lo, hi], else the default."""
    return _parse_number(raw, float, lo, hi, default)


def parse_bool(raw: str | None, default: bool = False) -> tuple[bool, bool]:
    if raw is None:
        return default, True
    s = raw.strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True, True
    if s in ("0", "false", "no", "off"):
        return False, True
    return default, False


def _parse_list(
    raw: str | None,
    parse_one: Callable[[str], tuple[Any, bool]],
    lengths: range,
    default: list[Any],
    drop_empty: bool,
) -> tuple[list[Any], bool]:
    """Comma-separated values (empty ones dropped first if ``drop_empty``), as many as ``lengths``
    allows, each read by ``parse_one``; anything unusable gives the default and ok=False."""
    if raw is None:
        return list(default), True
    parts = [p for p in raw.split(",") if p.strip() or not drop_empty]
    if len(parts) not in lengths:
        return list(default), False
    out = []
    for p in parts:
        v, ok = parse_one(p)
        if not ok:
            return list(default), False
        out.append(v)
    return out, True


def parse_int_list(
    raw: str | None, lo: int, hi: int, default: list[int], max_len: int = 64
) -> tuple[list[int], bool]:
    """Comma-separated integers, each in [lo, hi], at most max_len of them."""
    return _parse_list(
        raw, lambda p: parse_int(p, lo, hi, 0), range(1, max_len + 1), default, drop_empty=True
    )


def parse_float_list(
    raw: str | None, lo: float, hi: float, length: int, default: list[float]
) -> tuple[list[float], bool]:
    """Exactly ``length`` comma-separated floats, each in [lo, hi]."""
    return _parse_list(
        raw,
        lambda p: parse_float(p, lo, hi, 0.0),
        range(length, length + 1),
        default,
        drop_empty=False,
    )


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


# --- page-specific link values (moved from vae/: the maths knows nothing of URLs) ---------------


def parse_option(raw: str | None, options: Sequence[float], default: float) -> tuple[float, bool]:
    """A number equal (to 1e-9 relative) to one of ``options``, else the default."""
    if raw is None:
        return default, True
    try:
        v = float(str(raw).strip())
    except ValueError:
        return default, False
    for o in options:
        if math.isfinite(v) and math.isclose(v, o, rel_tol=1e-9, abs_tol=1e-12):
            return o, True
    return default, False


def parse_range(
    raw_lo: str | None,
    raw_hi: str | None,
    limits: tuple[float, float],
    default: tuple[float, float],
    step: float | None = None,
) -> tuple[tuple[float, float], bool]:
    """(lo, hi) with limits[0] <= lo < hi <= limits[1]; a missing end keeps its default.

    With ``step`` the values are rounded to multiples of it (a slider's grid) before checking.
    Anything unusable gives the default range and ok=False.
    """
    vals = []
    for raw, d in ((raw_lo, default[0]), (raw_hi, default[1])):
        if raw is None:
            vals.append(float(d))
            continue
        try:
            v = float(str(raw).strip())
        except ValueError:
            return tuple(default), False  # type: ignore[return-value]
        if not (math.isfinite(v) and limits[0] - abs(step or 0) <= v <= limits[1] + abs(step or 0)):
            return tuple(default), False  # type: ignore[return-value]  # (1e308 / step would overflow)
        if step:
            v = round(round(v / step) * step, 10)
        if not (math.isfinite(v) and limits[0] <= v <= limits[1]):
            return tuple(default), False  # type: ignore[return-value]
        vals.append(v)
    if not vals[0] < vals[1]:
        return tuple(default), False  # type: ignore[return-value]
    return (vals[0], vals[1]), True


def parse_ladder_value(
    raw: str | None, ladder: Sequence[float], default: float
) -> tuple[float, bool]:
    """A URL value that must be one rung of a ladder of floats ("1", "1.0" and "1e0" all mean 1):
    ``parse_option`` under the name the ladder pages use."""
    return parse_option(raw, ladder, default)


def parse_dim_pair(
    raw: str | None, d: int, default: tuple[int, int], first: int = 0
) -> tuple[tuple[int, int], bool]:
    """Two comma-separated dimension numbers in [first, first + d) -> 0-based indices (equal ones
    are allowed: the page warns). ``first=1`` reads the app's names z1 ... zd as written in a
    URL."""
    if raw is None:
        return tuple(default), True  # type: ignore[return-value]
    parts = [p.strip() for p in str(raw).split(",")]
    if len(parts) != 2:
        return tuple(default), False  # type: ignore[return-value]
    try:
        a, b = int(parts[0]) - first, int(parts[1]) - first
    except ValueError:
        return tuple(default), False  # type: ignore[return-value]
    if not (0 <= a < d and 0 <= b < d):
        return tuple(default), False  # type: ignore[return-value]
    return (a, b), True


def parse_indices(raw: str | None, n_items: int, max_len: int = 32) -> tuple[list[int], list[str]]:
    """Comma/space separated test indices -> (valid indices in order, without repeats; rejected
    entries as typed). An entry is valid if it is an integer in [0, n_items). At most ``max_len``
    valid indices are kept; later ones are rejected."""
    good: list[int] = []
    bad: list[str] = []
    for part in (raw or "").replace(";", ",").replace(" ", ",").split(","):
        p = part.strip()
        if not p:
            continue
        try:
            v = int(p)
        except ValueError:
            bad.append(p)
            continue
        if not 0 <= v < n_items or len(good) >= max_len:
            bad.append(p)
        elif v not in good:
            good.append(v)
    return good, bad


def clicked_point(event: object, selection: str) -> tuple[float, float] | None:
    """The (x, y) of a chart click from Streamlit's selection state
    (``{"selection": {selection: [{"x": .., "y": .., ...}]}}``), or None when nothing usable
    was clicked (an empty selection, e.g. a click on the legend)."""
    try:
        points = (event.get("selection") or {}).get(selection) or []  # type: ignore[union-attr]
        x, y = float(points[0]["x"]), float(points[0]["y"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return (x, y) if np.isfinite(x) and np.isfinite(y) else None


def to_slider(z: np.ndarray, lo: float = -3.0, hi: float = 3.0, step: float = 0.1) -> list[float]:
    """Codes as slider values: clipped to [lo, hi] and rounded to the slider step."""
    z = np.clip(np.asarray(z, dtype=np.float64), lo, hi)
    return [float(round(round(v / step) * step, 6)) for v in z]


def push_click(
    clicks: list[tuple[float, float]], point: tuple[float, float]
) -> list[tuple[float, float]]:
    """Remember the last two clicked points (a new list; a repeated click on the same point is
    ignored)."""
    p = (float(point[0]), float(point[1]))
    if clicks and clicks[-1] == p:
        return list(clicks)
    return (list(clicks) + [p])[-2:]
