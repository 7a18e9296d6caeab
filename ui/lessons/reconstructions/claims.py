"""What the Reconstructions lesson may say (pages/06_Reconstructions.py): its notices as pure
functions of the chosen models' numbers.

``ReconFacts`` holds each model's kept-digit rate, its changed digits on screen and its mean excess
loss, and (``SampleFacts``) one sampled z against μ for the last VAE chosen; each function returns
the sentence that is true for them, with the name of its branch, so that every branch is tested
without Streamlit (tests/test_reconstructions_claims.py, with a premise sweep over the page's
models and controls). A trend with the code size is read only across different code sizes.
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
    # how far the sample moves each digit's loss: mean |loss at the sample - loss at μ| over the
    # digits, nats. None where it was not measured: then equal mean losses are said as such, since
    # σ alone cannot tell a sample that is almost μ (vae-2d-beta0, σ 0.0003: 0.01 nats) from one
    # whose costs and savings cancel (vae-2d-beta0.1, σ 0.007: 1.5 nats a digit)
    moved: float | None = None


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
    """The changes of the mean excess loss from each model to the next in ``by_size``'s order (a
    larger code, or the same size next in the picker's order), nats."""
    ladder = by_size(f)
    return [b[1] - a[1] for a, b in zip(ladder, ladder[1:])]


def size_groups(f: ReconFacts) -> list[list[float]]:
    """The mean excess losses by code size, smallest code first (each size: the picker's order)."""
    return [[e for d, e in zip(f.dims, f.mean_excess) if d == size] for size in sorted(set(f.dims))]


def _falls(groups: list[list[float]]) -> bool:
    """Every model of a larger code below every model of a smaller one, in nats."""
    return all(max(b) < min(a) for i, a in enumerate(groups) for b in groups[i + 1 :])


def _ties_level(groups: list[list[float]]) -> bool:
    """No model rises by LEVEL or more over the one before it at the same code size (picker's
    order): a rise like that is no fall with the code size."""
    return all(b - a < LEVEL for g in groups for a, b in zip(g, g[1:]))


def falls(f: ReconFacts) -> bool:
    """Whether the mean excess loss falls as the code grows: two code sizes or more, every model of
    a larger code below every model of a smaller one, and no rise of LEVEL or more at one size."""
    g = size_groups(f)
    return len(g) > 1 and _falls(g) and _ties_level(g)


def falls_across_sizes(f: ReconFacts) -> bool:
    """Whether every model of a larger code is below every model of a smaller one, while at some
    size one model rises by LEVEL or more over the one before it (so not ``falls``)."""
    g = size_groups(f)
    return len(g) > 1 and _falls(g) and not _ties_level(g)


def levels_off(f: ReconFacts) -> bool:
    """Whether the mean excess loss falls as the code grows up to some size between the smallest
    and the largest (``falls`` up to it), then stays within LEVEL nats from that size on."""
    g = size_groups(f)
    return not falls(f) and any(
        _falls(g[: m + 1])
        and _ties_level(g[:m])
        and max(max(h) for h in g[m:]) - min(min(h) for h in g[m:]) < LEVEL
        for m in range(1, len(g) - 1)
    )


def ladder_note(f: ReconFacts) -> tuple[str, str] | None:
    """(branch, sentence) on the mean excess loss along growing codes: "one size" (every model has
    the same code size: no trend to read), "falls" (``falls``), "falls across sizes"
    (``falls_across_sizes``: across sizes it falls, but models of one size differ by LEVEL or
    more), "levels off" (``levels_off``) or "not simply" (a larger code not below a smaller one);
    None with one model."""
    if len(f.models) < 2:
        return None
    if len(set(f.dims)) == 1:
        branch, head = (
            "one size",
            f"These models all have {f.dims[0]}-D codes, so no trend with the code size can be "
            "read here: ",
        )
    elif falls(f):
        branch, head = "falls", "The excess loss falls as the code grows: "
    elif falls_across_sizes(f):
        branch, head = (
            "falls across sizes",
            "Every larger code has a lower excess loss than every smaller one, but models of one "
            "size differ too (the kind of model matters as well as its size): ",
        )
    elif levels_off(f):
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
    """(branch, sentence) on one sampled z instead of μ: "costs" or "saves" (the mean losses differ
    by SAME_LOSS or more); where they are as good as equal, "same" (the sample moves no digit's loss
    by SAME_LOSS on average: it is almost μ), "cancel" (it moves them more, both ways) or "equal"
    (how far it moves them is not known); None without a VAE."""
    s = f.sample
    if s is None:
        return None
    diff = s.loss_sample - s.loss_mu
    if as_good_as_equal(s.loss_sample, s.loss_mu):
        sigma = "" if s.sigma is None else f" (posterior σ: mean {s.sigma:.3f})"
        if s.moved is None:
            return "equal", (
                f"One sample z ~ q(z|x) instead of μ changes {s.model}'s mean loss by less than "
                f"{SAME_LOSS:g} nats per image here ({s.loss_sample:.1f} against {s.loss_mu:.1f}"
                + ("" if s.sigma is None else f"; posterior σ: mean {s.sigma:.3f}")
                + ")."
            )
        if s.moved < SAME_LOSS:
            return "same", (
                f"One sample z ~ q(z|x) instead of μ changes {s.model}'s loss by less than "
                f"{SAME_LOSS:g} nats per image here: it moves each digit's loss by only "
                f"{s.moved:.2f} nats on average, so for the loss this sample is almost μ{sigma}."
            )
        # |mean change| < SAME_LOSS <= mean |change|: it costs on some digits and saves on others
        return "cancel", (
            f"One sample z ~ q(z|x) instead of μ changes {s.model}'s mean loss by less than "
            f"{SAME_LOSS:g} nats per image here ({s.loss_sample:.1f} against {s.loss_mu:.1f}), "
            f"yet it moves each digit's loss by {s.moved:.1f} nats on average{sigma}: it costs on "
            "some of these digits and saves on others, and they cancel."
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
