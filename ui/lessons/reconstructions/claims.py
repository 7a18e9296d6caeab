"""What the Reconstructions lesson may say (pages/06_Reconstructions.py): its notices as pure
functions of the chosen models' numbers.

``ReconFacts`` holds each model's kept-digit rate, its changed digits on screen and its mean excess
loss, and (``SampleFacts``) one sampled z against μ for the last VAE chosen; each function returns
the sentence that is true for them, with the name of its branch, so that every branch is tested
without Streamlit (tests/test_reconstructions_claims.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ui.lessons.words import pct

LEVEL = 1.0  # nats: a step of the mean excess loss smaller than this is level, not a rise
SAME_LOSS = 0.15  # nats per image: two mean losses this close are as good as equal at the .1 shown


@dataclass(frozen=True)
class SampleFacts:
    """One sampled z ~ q(z|x) against z = μ, for one VAE over the digits on screen."""

    model: str  # the last VAE among the chosen models (in the picker's order)
    loss_sample: float  # its mean loss at one seeded sample z, nats per image
    loss_mu: float  # its mean loss at z = μ, nats per image
    # the digits' mean posterior σ: looked up only where the two losses are as good as equal (the
    # one sentence that quotes it), else None
    sigma: float | None


@dataclass(frozen=True)
class ReconFacts:
    """The chosen models' numbers, as the page shows them (``computed.recon_facts`` builds them)."""

    models: tuple[str, ...]  # the chosen models, in the picker's order
    dims: tuple[int, ...]  # each model's latent size
    n_rate: int  # fixed test digits (as many of each) over which the kept-digit rates are counted
    rates: tuple[float, ...]  # per model: share of those whose reconstruction looks like its digit
    rule_rate: float  # share of those originals the 1-NN rule itself reads right (its ceiling)
    n_shown: int  # test digits on screen
    changed: tuple[int, ...]  # per model: reconstructions on screen that look like another digit
    mean_excess: tuple[float, ...]  # per model: mean excess loss over the digits on screen, nats
    sample: SampleFacts | None  # None where no VAE is chosen


def as_good_as_equal(loss_sample: float, loss_mu: float) -> bool:
    """Whether one sample and μ give the same mean loss at the precision shown."""
    return abs(loss_sample - loss_mu) < SAME_LOSS


def kept_note(f: ReconFacts) -> str:
    """Each model's kept-digit rate over the fixed digits, the rule's own, and the changes on
    screen."""
    return (
        f"Over {f.n_rate:,} fixed test digits ({f.n_rate // 10} of each), the reconstruction still "
        "looks like its digit for "
        + ", ".join(f"{pct(r)} with {n}" for n, r in zip(f.models, f.rates))
        + f"; the rule itself reads {pct(f.rule_rate)} of the originals right. On screen, "
        + ", ".join(f"{c} of {f.n_shown} changed with {n}" for n, c in zip(f.models, f.changed))
        + "."
    )


def by_size(f: ReconFacts) -> list[tuple[str, float]]:
    """(model, mean excess loss) from the smallest code to the largest (ties: picker's order)."""
    order = sorted(range(len(f.models)), key=lambda i: f.dims[i])
    return [(f.models[i], f.mean_excess[i]) for i in order]


def steps(f: ReconFacts) -> list[float]:
    """The changes of the mean excess loss from each code size to the next larger one, nats."""
    ladder = by_size(f)
    return [b[1] - a[1] for a, b in zip(ladder, ladder[1:])]


def ladder_note(f: ReconFacts) -> tuple[str, str] | None:
    """(branch, sentence) on the mean excess loss along growing codes: "falls" (every step down),
    "levels off" (no step up by LEVEL or more) or "not simply"; None with one model."""
    if len(f.models) < 2:
        return None
    s = steps(f)
    if all(v < 0 for v in s):
        branch, head = "falls", "The excess loss falls as the code grows: "
    elif all(v < LEVEL for v in s):
        branch, head = (
            "levels off",
            "The excess loss falls as the code grows, until it levels off: ",
        )
    else:
        branch, head = (
            "not simply",
            "The excess loss does not simply fall with the code size here: ",
        )
    return branch, (
        head
        + ", ".join(f"{n} {e:.1f}" for n, e in by_size(f))
        + " nats on average over these digits."
    )


def sample_note(f: ReconFacts) -> tuple[str, str] | None:
    """(branch, sentence) on one sampled z instead of μ: "same" (σ tiny, a sample is almost μ),
    "costs" or "saves"; None without a VAE."""
    s = f.sample
    if s is None:
        return None
    diff = s.loss_sample - s.loss_mu
    if as_good_as_equal(s.loss_sample, s.loss_mu):
        return "same", (
            f"One sample z ~ q(z|x) instead of μ changes {s.model}'s loss by less than "
            f"{SAME_LOSS:g} nats per image here: its posterior σ is tiny (mean {s.sigma:.3f}), so "
            "a sample is almost μ."
        )
    return "costs" if diff > 0 else "saves", (
        f"One sample z ~ q(z|x) instead of μ {'costs' if diff > 0 else 'saves'} {s.model} "
        f"{abs(diff):.1f} nats per image here ({s.loss_sample:.1f} against {s.loss_mu:.1f}): "
        + (
            "the encoder's noise, which the ELBO pays and a picture at μ does not."
            if diff > 0
            else "on these digits the noise happened to help."
        )
    )


def notes(f: ReconFacts) -> list[str]:
    """The lesson's "what to notice", in the page's order."""
    return [kept_note(f)] + [n[1] for n in (ladder_note(f), sample_note(f)) if n is not None]
