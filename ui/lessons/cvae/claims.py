"""What the Conditional VAE lesson may say: its "what to notice" sentences and the names of the
manifold's axes, pure functions of the numbers on the page (no Streamlit, so the fast tier tests
every branch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ui.lessons import words

NAMED_R = 0.5  # |r| from which an axis of the manifold is named after a stroke measure
LABEL_WINS = 0.8  # share of decoded images that look like their label: "the label alone decides"
CHANCE = 0.1  # the k-NN vote's accuracy without any digit information (ten digits, equally many)
MOST = 0.5  # a share of the variation above this is "most of it" (the code's and the digit's
# shares of a balanced table add up to 1 at most, so only one of them can be above it)


@dataclass(frozen=True)
class CvaeFacts:
    """The numbers behind the lesson's notices: the k-NN vote on both maps and the style survey
    (``ui.lessons.cvae.computed.style_survey``)."""

    k: int  # neighbours in the leave-one-out k-NN vote
    acc_base: float  # its digit accuracy from vae-2d's codes (share of the scatter subset)
    acc_model: float  # its digit accuracy from cvae-2d's codes
    n_survey: int  # random codes z ~ N(0, I) of the survey, each decoded with all ten labels
    slant_z: float  # share of the slant's variation explained by the code (the survey's rows)
    slant_digit: float  # share explained by the digit (its columns)
    ink_z: float  # the same two shares for the ink
    ink_digit: float
    label_match: float  # decoded images whose nearest test image has the requested digit
    least_ink: int  # the digit with the least mean ink over the survey
    most_ink: int  # the digit with the most


def knn_branch(f: CvaeFacts) -> str:
    """ "stops" where cvae-2d's k-NN accuracy is lower and closer to chance than to vae-2d's (z
    has lost most of what vae-2d's codes say about the digit), "part" where it is lower but not
    that low, "as well" where it is not lower."""
    if f.acc_model >= f.acc_base:
        return "as well"
    return "stops" if f.acc_model - CHANCE < (f.acc_base - CHANCE) / 2 else "part"


def knn_notice(f: CvaeFacts) -> str:
    """Both maps' k-NN digit accuracy; that z stops holding the digit only where cvae-2d's is
    lower and nearer chance than vae-2d's (``knn_branch``)."""
    branch = knn_branch(f)
    return (
        f"The codes of vae-2d let a {f.k}-nearest-neighbour vote find the digit {f.acc_base:.0%} "
        "of the time; the codes "
        f"of cvae-2d {'only ' if branch != 'as well' else ''}{f.acc_model:.0%} (chance is "
        f"{CHANCE:.0%}). "
        + {
            "stops": "Once the decoder gets the label, z stops encoding which digit it is.",
            "part": "Once the decoder gets the label, z holds less of which digit it is, but "
            "still more than chance.",
            "as well": "Here the CVAE's map separates the digits at least as well; look at the "
            "maps.",
        }[branch]
    )


def style_branches(f: CvaeFacts) -> tuple[str, str]:
    """Who explains most of the survey's slant and of its ink: "z", "digit" or "neither" (a share
    above ``MOST`` and above the other's)."""

    def who(by_z: float, by_digit: float) -> str:
        if by_z > max(by_digit, MOST):
            return "z"
        return "digit" if by_digit > max(by_z, MOST) else "neither"

    return who(f.slant_z, f.slant_digit), who(f.ink_z, f.ink_digit)


def style_notice(f: CvaeFacts) -> str:
    """How the survey splits slant and ink between the code and the digit, each property given
    to whichever explains most of it (``style_branches``). It speaks of the survey only: the
    style grid above is another, smaller draw (its seed's), whose own split the page shows
    beside it and which can differ."""
    slant, ink = style_branches(f)
    return (
        f"Across {f.n_survey} random codes, each decoded as all ten digits, the code explains "
        f"{f.slant_z:.0%} of the variation in slant and the digit "
        f"{f.slant_digit:.0%}"
        + (": slant is a property of z, carried across classes." if slant == "z" else ".")
        + f" For ink the split is {f.ink_z:.0%} (code) to {f.ink_digit:.0%} "
        "(digit)"
        + {
            "digit": ": the digit itself sets most of the ink "
            f"({words.a_digit(f.least_ink).capitalize()} uses the least, "
            f"{words.a_digit(f.most_ink)} the most), on average over the codes.",
            "z": ": ink is mostly a property of z" + (" as well." if slant == "z" else "."),
            "neither": ": neither the code nor the digit alone explains most of it.",
        }[ink]
    )


def label_notice(f: CvaeFacts) -> str:
    """Whether the label decides the digit drawn (at least ``LABEL_WINS`` of the survey's images
    look like their label) or not always."""
    return (
        f"For {f.label_match:.0%} of those {f.n_survey * 10:,} decoded images the "
        "closest test image in pixel space has the requested digit: "
        + (
            "the label alone decides which digit appears, so the plane that vae-2d divides "
            "among ten digits is spent here on handwriting."
            if f.label_match >= LABEL_WINS
            else "the label does not always win; the manifold above shows where the drawings "
            "become ambiguous."
        )
    )


def notices(f: CvaeFacts) -> list[str]:
    """The lesson's "what to notice", in the page's order."""
    return [knn_notice(f), style_notice(f), label_notice(f)]


def strongest(r: Mapping[str, Sequence[float]], j: int) -> str:
    """The stroke measure whose correlation with axis j (0: z₁, 1: z₂) is largest in size (the
    first one on a tie)."""
    return max(r, key=lambda k: abs(r[k][j]))


def axis_word(r: Mapping[str, Sequence[float]], j: int) -> str:
    """The words after axis j's name on the manifold: " → more slant" after the measure it moves
    most, when that correlation is at least ``NAMED_R`` in size; else nothing."""
    best = strongest(r, j)
    if abs(r[best][j]) < NAMED_R:
        return ""
    return f" → {'more' if r[best][j] > 0 else 'less'} {best.split(' ')[0]}"


def identity_sentence(looks: float, tiles: int, digit: int) -> str:
    """Beside the manifold: how many of its ``tiles`` look like the requested ``digit`` (their
    nearest test image is one); "the label fixes the identity" only from ``LABEL_WINS`` on."""
    share = f"for **{looks:.0%}** of the {tiles} tiles the closest test image (in pixel space) is "
    if looks >= LABEL_WINS:
        return (
            f"The label fixes the identity: {share}{words.a_digit(digit)}. The position in the "
            "plane changes how it is written."
        )
    return (
        f"The label sets the identity of only part of the plane: {share}"
        f"{words.a_digit(digit)}; the rest look closer to another digit. The position in the "
        "plane changes how it is written, and here also what."
    )
