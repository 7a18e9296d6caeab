"""What the Prototypes lesson may say (pages/04_Prototypes.py): its notices as pure functions of one
model's numbers.

``PrototypeFacts`` holds how grey the three averages are and each dimension's KL and use; each
function returns the sentence that is true for them, with the name of its branch, so that every
branch is tested without Streamlit (tests/test_prototypes_claims.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.lessons.words import compare, pct, z

# two mean grey shares closer than this are "about as grey" (a clear change is 0.1 or more)
SAME_GREY = 0.05
FOLD_UNUSED = 12  # with more dimensions than this, the traversals leave the unused ones out unless
# asked
NAMED_UNUSED = 6  # at most this many unused dimensions are named one by one


@dataclass(frozen=True)
class PrototypeFacts:
    """One model's numbers, as the page shows them (``facts_from`` builds them)."""

    name: str  # the model, as the page names it
    g_avg: float  # grey share of the inked pixels (0.2 to 0.8), mean over the digits: pixel average
    g_dec: float  # the same of the decoded prototypes
    g_rec: float  # the same of the medoids' reconstructions
    g_med: float  # the same of the medoids themselves (real test images)
    n_sharper: int  # digits whose pixel average is greyer than their decoded prototype
    kl: tuple[float, ...]  # each dimension's mean KL over the test images, nats
    active: tuple[bool, ...]  # each dimension in use: Var(μ) above the activity threshold
    folded: bool  # the traversals below leave the unused dimensions out (their switch is off)


def facts_from(view: dict, name: str, folded: bool) -> PrototypeFacts:
    """The numbers of ``computed.model_view`` (one model's view) the notices quote."""
    g_avg, g_dec, g_rec = view["grey"]
    return PrototypeFacts(
        name,
        g_avg,
        g_dec,
        g_rec,
        view["g_med"],
        view["n_sharper"],
        tuple(float(v) for v in view["kl"]),
        tuple(bool(a) for a in view["active"]),
        folded,
    )


def unused(f: PrototypeFacts) -> tuple[int, ...]:
    """The dimensions the model leaves unused, in order."""
    return tuple(j for j, a in enumerate(f.active) if not a)


def blur_note(f: PrototypeFacts) -> tuple[str, str]:
    """(branch, sentence): "blur" where the pixel averages are clearly greyer than the decoded
    prototypes, else "as grey"."""
    if f.g_avg > f.g_dec + SAME_GREY:
        return "blur", (
            f"The pixel average is a blur: {pct(f.g_avg)} of its inked pixels are grey (between "
            f"0.2 and 0.8), against {pct(f.g_dec)} for the decoded prototype; it is greyer for "
            f"{f.n_sharper} of 10 digits."
        )
    return "as grey", (
        f"Here the decoded prototypes are as grey as the pixel averages ({pct(f.g_dec)} against "
        f"{pct(f.g_avg)} of inked pixels grey): averaging codes did not sharpen them."
    )


def decoder_note(f: PrototypeFacts) -> tuple[str, str]:
    """(branch, sentence): "decoder" where the prototype is as grey as the medoid's reconstruction
    and that is clearly greyer than the medoid itself (the grey is the decoder's), else
    "compare"."""
    if abs(f.g_dec - f.g_rec) <= SAME_GREY and f.g_rec > f.g_med + SAME_GREY:
        return "decoder", (
            "What grey the prototype keeps comes from the decoder, not from averaging: the "
            f"medoid's reconstruction is about as grey ({pct(f.g_rec)} against {pct(f.g_dec)}), "
            f"while the medoid itself, a real test image, is {pct(f.g_med)} grey."
        )
    how = compare(f.g_dec, f.g_rec, SAME_GREY, "greyer than", "less grey than", "as grey as")
    return "compare", (
        f"The decoded prototypes are {how} the medoids' reconstructions ({pct(f.g_dec)} against "
        f"{pct(f.g_rec)} of inked pixels grey; the real medoids {pct(f.g_med)})."
    )


def _kl(v: float) -> str:
    """A dimension's KL in nats: one decimal, or three below 0.05 (so that a dimension in use
    never reads as 0.0 nats)."""
    return f"{v:.1f}" if v >= 0.05 else f"{v:.3f}"


def _at_most(v: float) -> str:
    """A bound on KL in nats, two decimals rounded up: "0.01 nats or less" for 0.003 (rounded to
    nearest, "0.00 nats or less" would be false)."""
    return f"{np.ceil(round(v * 100, 9)) / 100:.2f}"


def dims_note(f: PrototypeFacts) -> tuple[str, str]:
    """(branch, sentence) on the dimensions in use: "all used", or with unused ones "left out"
    (the traversals fold them) or "marked" (the traversals draw them, marked unused)."""
    off = unused(f)
    used = [j for j in range(len(f.kl)) if j not in off]
    kl_used = [f.kl[j] for j in used]
    s = f"{len(used)} of {len(f.kl)} dimensions are in use in {f.name} " + (
        f"(their μ varies over the test images; KL {_kl(min(kl_used))} to {_kl(max(kl_used))} "
        "nats each)"
        if used
        else "(no μ varies over the test images)"
    )
    if not off:
        return "all used", s + ": every row of the traversals below is a dimension the model uses."
    one = len(off) == 1
    named = (
        ", ".join(z(j) for j in off)
        if len(off) <= NAMED_UNUSED
        else f"the other {len(off)}"
        if used
        else f"all {len(off)}"
    )
    s += (
        f"; {named} {'carries' if one else 'carry'} {_at_most(max(f.kl[j] for j in off))} nats or "
        "less "
        f"and {'is' if one else 'are'} "
    )
    if f.folded:
        return "left out", s + "left out of the traversals below (a switch there draws them)."
    return "marked", s + "marked unused in the traversals below."


def notes(f: PrototypeFacts) -> list[str]:
    """The lesson's "what to notice", in the page's order."""
    return [blur_note(f)[1], decoder_note(f)[1], dims_note(f)[1]]


def traversal_caption(
    order: list[int], change: np.ndarray | tuple[float, ...], unused: frozenset[int]
) -> str:
    """Under the traversals: the row (dimension ``order[r]``) that changes the picture most, and the
    most any unused dimension's row changes it (``change``: each row's mean |Δ| per pixel)."""
    top = int(np.argmax(change))
    rows_unused = [r for r, j in enumerate(order) if j in unused]
    return (
        f"How much a row changes the picture (mean |Δ| per pixel, summed over its steps): most for "
        f"{z(order[top])} ({change[top]:.3f})"
        + (
            f"; at most {max(change[r] for r in rows_unused):.3f} for the unused dimensions."
            if rows_unused
            else "."
        )
    )
