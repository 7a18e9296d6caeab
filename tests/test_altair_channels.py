"""Charts are built from Altair channel objects, never shorthand strings or bare conditions.

Altair turns an encoding given as a string ("x1:Q") or a dict (what ``alt.condition`` returns)
into its channel class with ``from_dict``, which hashes JSON schemas: 2-4 ms per channel, about
25 ms for the Grid lesson's two mosaic layers, on every run that builds a new chart (a new grid
size, a new seed). ``alt.X2("x1:Q")`` or ``alt.ColorValue(**alt.condition(...))`` give the same
spec at no such cost. This test keeps the app's chart code on the fast form, and checks that the
two forms give the same spec (the cost is measured by ``benchmarks/profile_page.py``, not here).
"""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt

ROOT = Path(__file__).resolve().parent.parent
SHORTHAND = re.compile(r"""[(\s,](\w+)=(["'])[^"']+:[QNOT]\2""")  # x="field:Q"
BARE_CONDITION = re.compile(r"=\s*alt\.condition\(")  # color=alt.condition(...)
TOOLTIP_STRING = re.compile(r"""tooltip=\[[^\]]*(?<![(\w])["'][^"']+:[QNOT]["']""")


def _chart_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "ui").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))


def test_no_shorthand_strings_or_bare_conditions_in_chart_code():
    found = []
    for path in _chart_sources():
        text = path.read_text()
        for pattern in (SHORTHAND, BARE_CONDITION, TOOLTIP_STRING):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0).strip()}")
    assert not found, (
        "use channel objects (alt.X2(...), alt.ColorValue(**alt.condition(...))):\n"
        + ("\n".join(found))
    )


def test_channel_objects_give_the_same_spec():
    hover = alt.selection_point(name="tile", fields=["c"], empty=False)

    def slow() -> alt.Chart:
        return (
            alt.Chart()
            .mark_rect()
            .encode(
                x2="x1:Q",
                url="url:N",
                stroke=alt.condition(hover, alt.value("red"), alt.value(None)),
                tooltip=["part:N"],
            )
        )

    def fast() -> alt.Chart:
        return (
            alt.Chart()
            .mark_rect()
            .encode(
                x2=alt.X2("x1:Q"),
                url=alt.Url("url:N"),
                stroke=alt.StrokeValue(**alt.condition(hover, alt.value("red"), alt.value(None))),
                tooltip=[alt.Tooltip("part:N")],
            )
        )

    assert slow().add_params(hover).to_dict() == fast().add_params(hover).to_dict()
