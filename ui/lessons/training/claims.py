"""What *Train it yourself* says about its scores and code maps, as pure functions of the numbers
it shows (no Streamlit), so that the fast tier can check every branch: which digits the two
scores were measured on, the code maps' one square extent (and what it leaves out), and the
name of a latent dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXTENTS = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
SHOWN = 0.995  # a code map's extent holds at least this share of its codes (a few far ones aside)
SHARED = 2.0  # two maps share one extent unless one's own is more than this many times the other's
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def z(j: int) -> str:
    """Latent dimension j (0-based) as the page's axes name it: z₁ … z_d."""
    return f"z{str(int(j) + 1).translate(_SUB)}"


@dataclass(frozen=True)
class ScoreFacts:
    """Where the held-out scores in the table come from."""

    n_heldout: int  # digits both were measured on
    n_test: int  # the test set they were drawn from
    per_digit: tuple[int, ...]  # held-out digits of each class 0..9
    pretrained: str | None  # the pretrained model in the table, if any
    same_set: bool  # both rows measured on the very same digits (checked by the page)
    beta: float  # the learner's training beta


def score_caption(f: ScoreFacts) -> str:
    """The caption under the held-out score table; it names the set only as it is."""
    counts = ", ".join(f"{n} {d}s" for d, n in enumerate(f.per_digit))
    where = (
        f"the same {f.n_heldout:,} held-out test digits"
        if f.pretrained and f.same_set
        else f"{f.n_heldout:,} held-out test digits"
    )
    who = "Both" if f.pretrained and f.same_set else ("Yours" if not f.pretrained else "Each")
    text = (
        f"{who} measured on {where}: a fixed random sample of the {f.n_test:,} test digits, "
        f"each digit in proportion ({counts}), that your model never trains on"
        + (
            f" and {f.pretrained} never saw (it learned from the 60,000 training digits)"
            if f.pretrained
            else ""
        )
        + ". "
    )
    if f.pretrained and not f.same_set:
        text += "The two rows were measured on different digits, so they are not compared. "
    text += (
        "One posterior sample per digit"
        + (" with the same noise seed" if f.pretrained else "")
        + "; −ELBO = reconstruction + KL, with β = 1 in the score"
        + (f" (your model trained with β = {f.beta:g})" if f.beta != 1 else "")
        + ". Lower is better."
    )
    return text


def extent(mu: np.ndarray) -> float:
    """Half-width of a square code map around 0: the smallest of EXTENTS that holds a SHOWN share
    of the codes mu (n, 2) on both axes (the largest extent if none does)."""
    reach = np.abs(np.asarray(mu, dtype=np.float64)).max(axis=1)  # (n,) each code's farther axis
    reach = reach[np.isfinite(reach)]  # a diverged run's NaN codes are left out (and counted)
    need = float(np.quantile(reach, SHOWN)) if len(reach) else 0.0
    return next((e for e in EXTENTS if e >= need), EXTENTS[-1])


def shared_extents(own: list[float]) -> list[float]:
    """The extents the maps are drawn with: one for all (the largest) unless they differ by more
    than SHARED times, then each its own."""
    return [max(own)] * len(own) if max(own) <= SHARED * min(own) else list(own)


def left_out(mu: np.ndarray, half: float) -> int:
    """Codes outside the square [-half, half]², or not finite (not drawn)."""
    mu = np.asarray(mu, dtype=np.float64)
    return int(((np.abs(mu) > half) | ~np.isfinite(mu)).any(axis=1).sum())


def map_caption(names: list[str], halves: list[float], outside: list[int]) -> str:
    """The caption under the code maps: their extent(s) and the codes each leaves out."""
    if len(set(halves)) == 1:
        text = (
            f"{'Both maps show' if len(names) > 1 else 'The map shows'} the square "
            f"−{halves[0]:g} … {halves[0]:g} on both axes, one unit as long across as up."
        )
    else:
        text = (
            "The maps have different scales (their codes spread over very different ranges): "
            + "; ".join(f"{n} −{h:g} … {h:g}" for n, h in zip(names, halves))
            + ", each on both axes, one unit as long across as up."
        )
    gone = [f"{k:,} of {n}'s codes" for n, k in zip(names, outside) if k]
    return text + (
        f" Left out, outside the square: {' and '.join(gone)}."
        if gone
        else " Every held-out code is on the map."
    )


COLLAPSED_KL = 0.01  # nats: a dimension whose mean held-out KL is below this has collapsed
CHANCE = 0.1  # 5-NN accuracy of codes that carry nothing of the digit: about one in ten
TOGETHER = 0.5  # 5-NN accuracy from which digits of a kind "already sit together"


@dataclass(frozen=True)
class RunFacts:
    """A finished run's numbers as the page shows them (nats per held-out digit unless said)."""

    test_elbo: tuple[float, ...]  # held-out −ELBO (reconstruction + KL) after each epoch
    test_recon: float  # the last epoch's held-out reconstruction
    train_recon: float  # the last epoch's training reconstruction (averaged over the epoch)
    test_kl: float  # the last epoch's held-out KL
    kl_dims: tuple[float, ...]  # the learner's mean KL per latent dimension, held-out digits
    acc: float  # leave-one-out 5-NN accuracy of the learner's held-out codes (0..1)
    elbo: float  # the learner's held-out −ELBO in the score table
    views: int  # image views the learner's run took: training digits × epochs
    beta: float  # the learner's training β
    pretrained: str | None = None  # the pretrained model in the table, if any
    pre_elbo: float | None = None  # its held-out −ELBO in the table
    pre_acc: float | None = None  # its leave-one-out 5-NN accuracy on the same held-out digits
    pre_views: int | None = None  # its image views: 60,000 training digits × its epochs


def progress_note(f: RunFacts) -> tuple[str, str]:
    """(branch, sentence) on the held-out −ELBO over the run: "better", "no better" (over two or
    more epochs) or "one epoch"."""
    if len(f.test_elbo) < 2:
        return "one epoch", (
            f"One epoch brought the held-out −ELBO to **{f.test_elbo[0]:.1f} nats**; train for "
            "more epochs to watch it fall."
        )
    first, final = f.test_elbo[0], f.test_elbo[-1]
    return ("better" if final < first else "no better"), (
        f"Held-out −ELBO went from **{first:.1f} nats** after epoch 1 to **{final:.1f}** after "
        f"epoch {len(f.test_elbo)}"
        + (
            f" ({first - final:.1f} nats better)."
            if final < first
            else f": no better ({final - first:.1f} nats worse)."
        )
    )


def gap_note(f: RunFacts) -> tuple[str, str]:
    """(branch, sentence) on the last epoch's reconstruction, held-out against training:
    "overfits" (held-out worse) or "no sign"; then the held-out KL."""
    gap = f.test_recon - f.train_recon
    return ("overfits" if gap > 0 else "no sign"), (
        f"In the last epoch the held-out reconstruction was {abs(gap):.1f} nats "
        + (
            "**worse** than on the training digits: the model fits its own digits better than "
            "new ones."
            if gap > 0
            else "better than the training average: no sign of overfitting yet (the training "
            "average includes the epoch's early, worse steps)."
        )
        + f" The KL ended at {f.test_kl:.2f} nats per held-out digit."
    )


def codes_note(f: RunFacts) -> tuple[str, str]:
    """(branch, sentence) on the codes' digits without labels, "together" or "apart" (5-NN
    accuracy from TOGETHER), beside the pretrained model's when there is one ("... pretrained")."""
    together = f.acc >= TOGETHER
    words = (
        f"digits of a kind already sit together in your codes: for **{f.acc:.0%}** of the "
        "held-out digits most of the 5 nearest codes are the same digit"
        if together
        else f"your codes barely keep the digits apart yet: for only **{f.acc:.0%}** of the "
        "held-out digits are most of the 5 nearest codes the same digit"
    )
    branch = "together" if together else "apart"
    if f.pretrained is None or f.pre_elbo is None or f.pre_acc is None or f.pre_views is None:
        return branch, f"No labels were used, yet {words} (chance is about 10%)."
    diff = f.elbo - f.pre_elbo
    return branch + ", pretrained", (
        f"The pretrained **{f.pretrained}** scores {f.pre_elbo:.1f} nats, "
        + (
            f"{diff:.1f} nats better than yours"
            if diff > 0
            else f"{-diff:.1f} nats worse than yours"
        )
        + f", after {f.pre_views / f.views:.0f}× as many image views "
        f"({f.pre_views:,} against {f.views:,}). No labels were used, yet {words} "
        f"({f.pre_acc:.0%} for {f.pretrained}; chance is about 10%)."
    )


def collapsed(f: RunFacts) -> list[int]:
    """The latent dimensions (0-based) whose mean held-out KL is below COLLAPSED_KL."""
    return [j for j, v in enumerate(f.kl_dims) if v < COLLAPSED_KL]


def collapse_note(f: RunFacts) -> str | None:
    """The collapsed dimensions named, with the largest KL among them; None when none is."""
    dims = collapsed(f)
    if not dims:
        return None
    one = len(dims) == 1
    return (
        f"{', '.join(z(j) for j in dims)} {'has' if one else 'have'} **collapsed**: mean KL "
        f"{max(f.kl_dims[j] for j in dims):.3f} nats or less on the held-out digits, so q(z|x) "
        "there is the prior for every image, and the decoder ignores "
        + ("it." if one else "them.")
        + (" At β > 1 the KL term can afford fewer dimensions." if f.beta > 1 else "")
    )


def notes(f: RunFacts) -> list[str]:
    """The lesson's "what to notice", in order: with a collapsed dimension, the run's progress
    gives way to it (three notes in all)."""
    out = [progress_note(f)[1], gap_note(f)[1], codes_note(f)[1]]
    collapse = collapse_note(f)
    return out[-2:] + [collapse] if collapse is not None else out
