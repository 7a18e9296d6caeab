"""Words for computed sentences ("what to notice"): percentages, comparisons, changes.

Pure functions, no streamlit, so that the claim tests can check them on their own. The numbers
they describe come from ``vae/``; how a page says them lives here.
"""

from __future__ import annotations


def z(j: int) -> str:
    """The app's one name for latent dimension j (0-based index): z₁ … z_d
    (``vae.units.dim_name``)."""
    from vae.units import dim_name

    return dim_name(j)


def pct(x: float) -> str:
    """A share as a percentage for prose: 0.1234 -> '12 %', tiny non-zero shares -> '<1 %'."""
    if x <= 0:
        return "0 %"
    if x < 0.005:
        return "<1 %"
    if x > 0.995 and x < 1:
        return ">99 %"
    return f"{x * 100:.0f} %"


def compare(
    a: float,
    b: float,
    tol: float = 0.005,
    more: str = "more",
    fewer: str = "fewer",
    same: str = "about as many",
) -> str:
    """Word for a compared with b: ``more`` if a > b + tol, ``fewer`` if a < b - tol, else
    ``same``."""
    if a > b + tol:
        return more
    if a < b - tol:
        return fewer
    return same


def change_words(
    before: float, after: float, unit: str = "nats", lower_is_better: bool = True, digits: int = 1
) -> str:
    """'improves by 3.2 nats', 'worsens by 0.4 nats' or 'does not change' for a loss going from
    ``before`` to ``after`` (rounded to ``digits`` decimals)."""
    delta = round(after - before, digits)
    if delta == 0:
        return "does not change"
    better = delta < 0 if lower_is_better else delta > 0
    return f"{'improves' if better else 'worsens'} by {abs(delta):.{digits}f} {unit}"


def a_digit(k: int, bold: bool = False) -> str:
    """'a 3', 'an 8' (or 'an **8**'): a digit with its article, for prose."""
    digit = f"**{int(k)}**" if bold else f"{int(k)}"
    return f"{'an' if int(k) == 8 else 'a'} {digit}"
