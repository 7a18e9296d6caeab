"""What *Train it yourself* says about its scores and code maps, as pure functions of the numbers
it shows (no Streamlit), so that the fast tier can check every branch: which digits the two
scores were measured on, the code maps' one square extent (and what it leaves out), and the
name of a latent dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ui.lessons import words
from vae import neighbours, units

EXTENTS = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
SHOWN = 0.995  # a code map's extent holds at least this share of its codes (a few far ones aside)
SHARED = 2.0  # two maps share one extent unless one's own is more than this many times the other's


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
    views: int  # image views the learner's run took: training digits × epochs done so far
    beta: float  # the learner's training β
    pretrained: str | None = None  # the pretrained model in the table, if any
    pre_elbo: float | None = None  # its held-out −ELBO in the table
    pre_acc: float | None = None  # its leave-one-out 5-NN accuracy on the same held-out digits
    pre_views: int | None = None  # its image views: 60,000 training digits × its epochs


def _finite(*xs: float | None) -> bool:
    return all(x is not None and math.isfinite(x) for x in xs)


def shown(x: float) -> float:
    """A number of nats as the page prints it, to one decimal."""
    return float(f"{x:.1f}")


def shown_diff(a: float, b: float) -> float:
    """a − b as the difference of the two numbers as printed (one decimal), so that a note never
    says "better" beside two numbers that read the same, nor gives a difference that the printed
    numbers do not make."""
    return round(shown(a) - shown(b), 1) + 0.0  # + 0.0: no "-0.0"


def diverged_epoch(f: RunFacts) -> int | None:
    """The first epoch (1-based) whose held-out −ELBO is not a finite number, if any."""
    return next((i + 1 for i, v in enumerate(f.test_elbo) if not math.isfinite(v)), None)


def run_facts(
    history: dict[str, list[float]],
    elbo: float,
    train_size: int,
    beta: float,
    mu: np.ndarray,
    logvar: np.ndarray,
    y: np.ndarray,
    pretrained: str | None = None,
    pre_elbo: float | None = None,
    pre_mu: np.ndarray | None = None,
    pre_views: int | None = None,
) -> RunFacts:
    """A finished or paused run's RunFacts from what the page has: its history (``vae.train``),
    its held-out −ELBO in the score table, its training digits, its β, its held-out codes mu and
    logvar (n, d) with their digits y (n,), and the pretrained model's name, −ELBO, codes (n, d)
    on the same digits and image views (each None when there is none).

    The run's image views are its training digits × the epochs it *did* (its history's length):
    a run paused after epoch 2 of 20 has seen its digits twice, not the 20 times its settings
    planned."""
    h = history
    pre = pretrained is not None and pre_elbo is not None and pre_mu is not None
    finite = bool(np.isfinite(mu).all())
    return RunFacts(
        test_elbo=tuple(r + k for r, k in zip(h["test_recon"], h["test_kl"])),
        test_recon=h["test_recon"][-1],
        train_recon=h["train_recon"][-1],
        test_kl=h["test_kl"][-1],
        kl_dims=tuple(float(v) for v in units.mean_kl_per_dim(mu, logvar)),
        acc=neighbours.knn_accuracy(mu, y) if finite else float("nan"),
        elbo=elbo,
        views=train_size * len(h["test_recon"]),
        beta=beta,
        pretrained=pretrained if pre else None,
        pre_elbo=pre_elbo if pre else None,
        pre_acc=neighbours.knn_accuracy(pre_mu, y) if pre else None,
        pre_views=pre_views if pre else None,
    )


def progress_note(f: RunFacts) -> tuple[str, str]:
    """(branch, sentence) on the held-out −ELBO over the run: "better", "no better" (over two or
    more epochs; "same" when the two read the same to one decimal), "one epoch", or "diverged"
    (an epoch's −ELBO is not a finite number)."""
    bad = diverged_epoch(f)
    if bad is not None:
        return "diverged", (
            f"After epoch {bad} the held-out −ELBO was no longer a finite number: the run "
            "diverged, and its numbers from then on mean nothing. Train again, perhaps with a "
            "larger batch."
        )
    if len(f.test_elbo) < 2:
        return "one epoch", (
            f"One epoch brought the held-out −ELBO to **{f.test_elbo[0]:.1f} nats**; train for "
            "more epochs to watch it fall."
        )
    first, final = f.test_elbo[0], f.test_elbo[-1]
    gain = shown_diff(first, final)
    return ("better" if gain > 0 else "no better" if gain < 0 else "same"), (
        f"Held-out −ELBO went from **{first:.1f} nats** after epoch 1 to **{final:.1f}** after "
        f"epoch {len(f.test_elbo)}"
        + (
            f" ({gain:.1f} nats better)."
            if gain > 0
            else f": no better ({-gain:.1f} nats worse)."
            if gain < 0
            else ": about the same (the two agree to 0.1 nats)."
        )
    )


def gap_note(f: RunFacts) -> tuple[str, str]:
    """(branch, sentence) on the last epoch's reconstruction, held-out against training:
    "overfits" (held-out worse by 0.1 nats or more, as printed), "no sign" (better, or the same
    to 0.1 nats) or "diverged" (not finite numbers); then the held-out KL."""
    if not _finite(f.test_recon, f.train_recon, f.test_kl):
        return "diverged", (
            "In the last epoch the reconstruction or the KL was not a finite number: the run "
            "diverged, so there is no gap between held-out and training digits to read."
        )
    gap = round(f.test_recon - f.train_recon, 1) + 0.0  # as printed: 0.04 reads 0.0
    if gap > 0:
        words = (
            f"{gap:.1f} nats **worse** than on the training digits: the model fits its own "
            "digits better than new ones."
        )
    elif gap < 0:
        words = (
            f"{-gap:.1f} nats better than the training average: no sign of overfitting yet (the "
            "training average includes the epoch's early, worse steps)."
        )
    else:
        words = (
            "the same as the training average to 0.1 nats: no clear sign of overfitting yet (the "
            "training average includes the epoch's early, worse steps)."
        )
    return ("overfits" if gap > 0 else "no sign"), (
        f"In the last epoch the held-out reconstruction was {words}"
        f" The KL ended at {f.test_kl:.2f} nats per held-out digit."
    )


def codes_note(f: RunFacts) -> tuple[str, str]:
    """(branch, sentence) on the codes' digits without labels, "together" or "apart" (5-NN
    accuracy from TOGETHER), beside the pretrained model's when there is one ("... pretrained").

    The accuracy is ``vae.neighbours.knn_accuracy``'s: the commonest digit among a code's 5
    nearest (a plurality, ties to the smaller digit) is its own. It once read "most of the 5
    nearest codes are the same digit", a majority of 3 or more, which is rarer (a 2-D run at 27 %
    had a majority for 15 % of its digits)."""
    together = f.acc >= TOGETHER
    if not math.isfinite(f.acc):  # a diverged run's codes: no neighbours to count
        return "diverged", (
            "Your model's held-out codes are not all finite numbers (the run diverged), so "
            "there are no nearest codes to count."
        )
    words = (
        f"digits of a kind already sit together in your codes: for **{f.acc:.0%}** of the "
        "held-out digits the commonest digit among the 5 nearest codes is their own (ties go to "
        "the smaller digit)"
        if together
        else f"your codes barely keep the digits apart yet: for only **{f.acc:.0%}** of the "
        "held-out digits is the commonest digit among the 5 nearest codes their own (ties go to "
        "the smaller digit)"
    )
    branch = "together" if together else "apart"
    if f.pretrained is None or f.pre_elbo is None or f.pre_acc is None or f.pre_views is None:
        return branch, f"No labels were used, yet {words} (chance is about 10%)."
    if not _finite(f.elbo, f.pre_elbo):
        return branch + ", pretrained", (
            f"Your model's held-out −ELBO is not a finite number, so it is not compared with the "
            f"pretrained **{f.pretrained}**'s. No labels were used, yet {words} "
            f"({f.pre_acc:.0%} for {f.pretrained}; chance is about 10%)."
        )
    diff = shown_diff(f.elbo, f.pre_elbo)  # as the table prints both
    return branch + ", pretrained", (
        f"The pretrained **{f.pretrained}** scores {f.pre_elbo:.1f} nats, "
        + (
            f"{diff:.1f} nats better than yours"
            if diff > 0
            else f"{-diff:.1f} nats worse than yours"
            if diff < 0
            else "the same as yours to 0.1 nats"
        )
        + f", after {f.pre_views / f.views:.0f}× as many image views "
        f"({f.pre_views:,} against {f.views:,}). No labels were used, yet {words} "
        f"({f.pre_acc:.0%} for {f.pretrained}; chance is about 10%)."
    )


def collapsed(f: RunFacts) -> list[int]:
    """The latent dimensions (0-based) whose mean held-out KL is below COLLAPSED_KL."""
    return [j for j, v in enumerate(f.kl_dims) if v < COLLAPSED_KL]


def kl_bound(f: RunFacts) -> float:
    """The largest mean KL among the collapsed dimensions, rounded *up* to the 0.001 nats the note
    prints before "or less" (rounded to nearest, 0.0043 read "0.004 nats or less"), at least
    0.001."""
    top = max(f.kl_dims[j] for j in collapsed(f))
    return max(math.ceil(round(top * 1000, 9)) / 1000, 0.001)


def collapse_note(f: RunFacts) -> str | None:
    """The collapsed dimensions named, with the largest KL among them (``kl_bound``); None when
    none is."""
    dims = collapsed(f)
    if not dims:
        return None
    one = len(dims) == 1
    return (
        f"{', '.join(words.z(j) for j in dims)} {'has' if one else 'have'} **collapsed**: mean KL "
        f"{kl_bound(f):.3f} nats or less on the held-out digits, so on average q(z|x) there is "
        "all but the prior, and the decoder ignores "
        + ("it." if one else "them.")
        + (" At β > 1 the KL term can afford fewer dimensions." if f.beta > 1 else "")
    )


def notes(f: RunFacts) -> list[str]:
    """The lesson's "what to notice", in order: with a collapsed dimension, the run's progress
    gives way to it (three notes in all)."""
    out = [progress_note(f)[1], gap_note(f)[1], codes_note(f)[1]]
    collapse = collapse_note(f)
    return out[-2:] + [collapse] if collapse is not None else out
