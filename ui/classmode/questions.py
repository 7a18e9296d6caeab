"""The class-mode questions: a prediction about a picture a lesson can show, answered by the models.

Every question's answer is computed from ``cache/`` (never typed in): ``facts()`` gathers the
numbers
that decide it (once per server), ``answer(facts)`` and ``because(facts)`` are pure functions of
them, and ``reveal(facts)`` draws the lesson's own picture for that setting.

The numbers come from the lessons' own cached functions (``ui.page``, ``ui.lessons.ladders``,
``ui.lessons.grid.mosaics``,
``ui.lessons.prototypes.computed``, ``ui.lessons.elbo.computed``), so a question says what its
lesson page says. A comparison that a
tolerance cannot separate is answered "about the same", with the tolerance in the choice. Facts are
cached per model checkpoint (``ui.page.model_calls.model_key``): a rebuilt model gets new answers. A
reveal is
a PNG or a Vega-Lite spec built once per input and theme (``ui.draw.render``), so 300 students
opening it
at once cost a cache look-up each; a chart's text alternative is its spec's ``description`` (Vega
makes it the chart's ARIA label), a PNG's is its ``alt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.draw.style import (
    GRID_LIN,
    GRID_N_DEFAULT,
    GRID_PPF,
    GRID_RANGE_DEFAULT,
    LATENT_RANGE,
    PPF_P_DEFAULT,
    SLIDER_RANGE,
)
from ui.lessons import ladders, words
from ui.lessons.blurry import claims as blur_claims
from ui.lessons.elbo import computed as elbo
from ui.lessons.elbo import views as elbo_views
from ui.lessons.grid import claims as grid_claims
from ui.lessons.grid import mosaics as grids
from ui.lessons.prototypes import computed as protos
from ui.page import loaders, model_calls
from vae import bound, latent, neighbours, prior, units, zoo
from vae.pixels import GREY_BAND, bernoulli_samples


@dataclass(frozen=True)
class Question:
    key: str  # stable id, stored with a class session ("kl-squeeze"); never reuse a retired key
    lesson: str  # the lesson's page file, as in ui.page.catalogue ("pages/02_KL_weighting.py")
    setting: dict[str, str]  # the lesson's query parameters that show the reveal's setting
    prompt: str  # the question, one or two sentences of markdown (no answer hints)
    choices: tuple[str, ...]  # 2-4 options, short enough for a phone
    facts: Callable[[], Any]  # () -> a frozen dataclass of the deciding numbers (cached per server)
    answer: Callable[[Any], int]  # pure: facts -> index of the right choice
    because: Callable[[Any], str]  # pure: facts -> one or two sentences with the deciding numbers
    reveal: Callable[[Any], None]  # draws the lesson's picture for this setting (with alt text)


AE2, VAE2 = "ae-2d", "vae-2d"
SEED = 0  # every seeded picture uses the lessons' default seed, so the "see it" link needs no seed
CACHE = 4  # facts entries kept per question (a few checkpoint versions)


def _per_checkpoint(*names: str) -> Callable[[Callable[..., Any]], Callable[[], Any]]:
    """A question's ``facts``: the decorated ``compute(*keys)`` of the models ``names``, cached once
    per server and per checkpoint version (``ui.page.model_calls.model_key``: a rebuilt model, new
    numbers)."""

    def wrap(compute: Callable[..., Any]) -> Callable[[], Any]:
        cached = st.cache_data(show_spinner=False, max_entries=CACHE)(compute)

        def facts() -> Any:
            return cached(*(model_calls.model_key(n) for n in names))

        facts.__doc__, facts.__name__ = compute.__doc__, compute.__name__
        return facts

    return wrap


def _budget(keys: tuple[model_calls.ModelKey, ...]) -> str:
    """How the compared models were trained, in a few words for ``because`` (like with like)."""
    configs = loaders.train_configs([k[0] for k in keys])  # {name: train_config} of the usable ones
    epochs = [f"{n} {c['epochs']} epochs" for n, c in configs.items()]
    if len(configs) == len(keys) and len({str(c) for c in configs.values()}) == 1:
        return f"trained alike, {next(iter(configs.values()))['epochs']} epochs each"
    return "not trained alike: " + ", ".join(epochs)


def _points(tol: float) -> str:
    """A tolerance on shares in words: 0.02 -> "2 points", 0.01 -> "1 point"."""
    return f"{tol * 100:g} point" + ("" if tol * 100 == 1 else "s")


def _side(a: float, b: float, tol: float) -> int:
    """0 when ``a`` is larger than ``b`` by more than ``tol``, 1 when ``b`` is, else 2 (a tie): the
    answer of every "which is larger: A, B or about the same" question, choices in that order."""
    return 0 if a > b + tol else 1 if b > a + tol else 2


def _which(a: str, b: str, tol: float, smaller: bool = False) -> Callable[[Any], int]:
    """The pure ``answer`` of "A, B or about the same": ``_side`` of the facts' fields ``a`` and
    ``b`` (with ``smaller``, the smaller one wins: a distance, a share of the busiest tiles)."""
    sign = -1.0 if smaller else 1.0

    def answer(f: Any) -> int:
        return _side(sign * getattr(f, a), sign * getattr(f, b), tol)

    answer.__qualname__ = answer.__name__ = f"answer_{a}_vs_{b}"
    return answer


def _chart(spec: dict, alt: str, where: Any = None, width: str = "stretch") -> None:
    """A Vega-Lite spec (``render.spec``) drawn with its text alternative as the spec's description,
    which Vega sets as the chart's ARIA label (a chart has no ``alt`` of its own)."""
    render.draw({**spec, "description": alt_text.flat(alt)}, where, width=width)


# --- AE vs VAE: prior draws among each model's codes ------------------------------------------

MIX_TOL = 0.02  # total variation: two points, visible in the lesson's whole percentages
FAR_TOL = 0.05  # share of draws in empty space: five points
MIX_SOURCES = ("AE draws", "VAE draws", "test set")  # as the lesson's chart names them
MIX_COLORS = ("ink", "#8a8f99", "#c5cad3")


@dataclass(frozen=True)
class DrawFacts:
    tv_ae: float  # total variation of the draws' digit mix from the test set's, AE
    tv_vae: float  # the same, VAE
    # share of the draws more than model_calls.FAR_GAPS typical gaps from every AE test code
    far_ae: float
    far_vae: float  # the same, VAE
    budget: str  # how the two were trained (``_budget``)


@_per_checkpoint(AE2, VAE2)
def draw_facts(ae_key: model_calls.ModelKey, vae_key: model_calls.ModelKey) -> DrawFacts:
    """The AE vs VAE lesson's numbers of its seeded draws z ~ N(0, I)
    (``ui.page.model_calls.prior_draw_stats``)."""
    a, v = (
        model_calls.prior_draw_stats(ae_key[0], SEED),
        model_calls.prior_draw_stats(vae_key[0], SEED),
    )
    return DrawFacts(
        float(a["tv"]), float(v["tv"]), float(a["far"]), float(v["far"]), _budget((ae_key, vae_key))
    )


def mix_because(f: DrawFacts) -> str:
    return (
        f"The same {model_calls.N_PRIOR_DRAWS:,} draws (seed {SEED}), each counted as the digit of "
        "the "
        f"nearest test code: the AE's mix is {words.pct(f.tv_ae)} off the test set's, the "
        f"VAE's {words.pct(f.tv_vae)} (total variation, 0 % = the same mix; {f.budget})."
    )


@st.cache_resource(show_spinner=False, max_entries=CACHE)
def _mix_frame(ae_key: model_calls.ModelKey, vae_key: model_calls.ModelKey) -> pd.DataFrame:
    """The lesson's digit-mix rows (AE draws, VAE draws, test set), once per pair of checkpoints."""
    labels = loaders.test_set()[1]
    shares = [
        model_calls.prior_draw_stats(ae_key[0], SEED)["mix"],
        model_calls.prior_draw_stats(vae_key[0], SEED)["mix"],
        np.bincount(labels, minlength=10)[:10] / len(labels),
    ]
    return pd.DataFrame(
        {
            "digit": [str(k) for k in range(10)] * 3,
            "source": np.repeat(MIX_SOURCES, 10),
            "share": np.concatenate(shares),
        }
    )


def mix_reveal(f: DrawFacts) -> None:
    mix = _mix_frame(model_calls.model_key(AE2), model_calls.model_key(VAE2))
    spec = altair_charts.mix_chart_filled(
        mix,
        MIX_SOURCES,
        MIX_COLORS,
        f"Which digit {model_calls.N_PRIOR_DRAWS:,} "
        "draws z ~ N(0, I) land on (the digit of the nearest test code)",
    )
    _chart(
        spec,
        f"Bar chart of the share of each digit 0 to 9 among {model_calls.N_PRIOR_DRAWS:,} prior "
        "draws "
        f"(seed {SEED}), counted by the nearest test code: AE draws mostly land on "
        f"{alt_text.shares(mix['share'][:10].to_numpy())}; VAE draws on "
        f"{alt_text.shares(mix['share'][10:20].to_numpy())}; the test set has about 10 % of each. "
        f"Distance from the test set's mix: AE {words.pct(f.tv_ae)}, VAE {words.pct(f.tv_vae)}.",
    )


def far_because(f: DrawFacts) -> str:
    return (
        f"Of the same {model_calls.N_PRIOR_DRAWS:,} draws, {words.pct(f.far_ae)} land more than "
        f"{model_calls.FAR_GAPS:g} typical gaps from every AE test code and {words.pct(f.far_vae)} "
        "that far "
        "from every VAE code (a typical gap: the median distance from a test code to its nearest "
        f"neighbour, each model on its own scale; {f.budget})."
    )


@st.cache_resource(show_spinner=False, max_entries=CACHE)
def _far_rows(
    ae_key: model_calls.ModelKey, vae_key: model_calls.ModelKey
) -> tuple[dict[str, np.ndarray], list[list[str]]]:
    """The lesson's first ten draws decoded by each model, captioned with their gaps."""
    z = model_calls.prior_draws(SEED)[:10]  # (10, 2)
    gaps = [model_calls.prior_draw_stats(k[0], SEED)["gaps"][:10] for k in (ae_key, vae_key)]
    rows = {
        "AE decoder": model_calls.decode(ae_key[0], z),
        "VAE decoder": model_calls.decode(vae_key[0], z),
    }
    return rows, [[f"{g:.1f} gaps" for g in gs] for gs in gaps]


def far_reveal(f: DrawFacts) -> None:
    rows, caps = _far_rows(model_calls.model_key(AE2), model_calls.model_key(VAE2))
    z = model_calls.prior_draws(SEED)[:10]
    png = render.png(png_figures.image_rows, rows, captions=caps, size=1.2, fontsize=11)
    render.show(
        png,
        alt=alt_text.rows(
            f"The first 10 prior draws z (seed {SEED}) decoded by {AE2} (top row) and {VAE2} "
            "(bottom), "
            "each captioned with its distance from the nearest test code in typical gaps. By the "
            "nearest "
            f"test code, {alt_text.landed(AE2, z)}; {alt_text.landed(VAE2, z)}",
            list(rows),
            caps,
        ),
    )


# --- KL weighting: the 2-D β ladder ----------------------------------------------------------

SPREAD_TOL = 0.05  # relative change of the codes' spread, as the lesson's "about as spread out"
BETA_SMALL, BETA_LARGE = 0.1, 10.0


@dataclass(frozen=True)
class LadderFacts:
    spread_1: float  # root-mean-square distance of the test codes μ from the origin, β = 1
    spread_small: float  # the same at β = BETA_SMALL
    tv_1: float  # the seeded draws' digit mix, total variation from the test set's, β = 1
    tv_large: float  # the same at β = BETA_LARGE
    budget: str  # how the three rungs were trained (``_budget``)


@_per_checkpoint(*(zoo.beta_name(2, b) for b in (1.0, BETA_SMALL, BETA_LARGE)))
def ladder_facts(*keys: model_calls.ModelKey) -> LadderFacts:
    """The KL lesson's numbers of the rungs β = 1, 0.1 and 10 (``ui.lessons.ladders``)."""
    one, small, large = (k[0] for k in keys)
    tv_1, tv_large = (float(ladders.draw_stats(n, SEED)["tv"]) for n in (one, large))
    return LadderFacts(
        ladders.code_spread(one), ladders.code_spread(small), tv_1, tv_large, _budget(keys)
    )


def spread_answer(f: LadderFacts) -> int:
    ratio = f.spread_small / f.spread_1
    return 0 if ratio > 1 + SPREAD_TOL else 1 if ratio < 1 - SPREAD_TOL else 2


def spread_because(f: LadderFacts) -> str:
    return (
        "Root-mean-square distance of the 10,000 test codes μ from the origin: "
        f"{f.spread_small:.2f} "
        f"at β = {BETA_SMALL:g}, {f.spread_1:.2f} at β = 1 (the prior's own: √2 ≈ 1.41; "
        f"{f.budget})."
    )


def spread_reveal(f: LadderFacts) -> None:
    name = zoo.beta_name(2, BETA_SMALL)
    off = ladders.share_outside(name, *LATENT_RANGE)
    _chart(
        ladders.codes_spec(name, SEED),
        f"Scatter of 3,000 test digits' codes μ of {name} (β = {BETA_SMALL:g}) on the axes "
        f"{LATENT_RANGE[0]:g} to {LATENT_RANGE[1]:g}, coloured by digit, with the prior's 99 % "
        "circle "
        f"(radius {prior.radius(0.99):.2f}) and 300 prior draws as crosses. Their root-mean-square "
        f"distance from the origin is {f.spread_small:.2f} (β = 1: {f.spread_1:.2f}); "
        f"{words.pct(off)} of all codes lie off the axes.",
        width="content",
    )


def ladder_mix_because(f: LadderFacts) -> str:
    return (
        f"The same {model_calls.N_PRIOR_DRAWS:,} draws (seed {SEED}), each counted as the digit of "
        "the "
        f"nearest test code: {words.pct(f.tv_large)} off the test set's mix at β = {BETA_LARGE:g}, "
        f"{words.pct(f.tv_1)} at β = 1 (total variation; {f.budget})."
    )


def ladder_mix_reveal(f: LadderFacts) -> None:
    specs = ladders.mix_specs(zoo.BETAS_2D, BETA_LARGE, SEED)
    if specs is None:  # the rung is built (the facts read it); only a file removed since ends here
        st.info(f"`{zoo.beta_name(2, BETA_LARGE)}` is not available.")
        return
    _chart(
        specs[0],
        f"Bar chart of the share of each digit among {model_calls.N_PRIOR_DRAWS:,} prior draws at "
        f"β = {BETA_LARGE:g} beside the test set's shares: {words.pct(f.tv_large)} off in "
        "total variation.",
    )
    _chart(
        specs[1],
        f"Bar chart of each β's distance from the test set's mix: β = {BETA_LARGE:g} "
        f"{words.pct(f.tv_large)}, β = 1 {words.pct(f.tv_1)}.",
    )


# --- Grid vs ppf sampling: the VAE's two grids at the lesson's defaults -----------------------

GRID_N = GRID_N_DEFAULT
LO, HI = GRID_RANGE_DEFAULT
P = PPF_P_DEFAULT
TILE_TOL = 2  # tiles outside the 99 % disc: two of GRID_N² before "more"
TOP_TOL = (
    0.01  # codes in the busiest tenth of tiles: one point, as the lesson's "about as balanced"
)


@dataclass(frozen=True)
class GridFacts:
    n: int  # tiles per side
    out_lin: float  # share of the linear grid's points outside the prior's 99 % disc
    out_ppf: float  # the same, ppf grid
    top_lin: (
        float  # share of the test codes depicted by the busiest tenth of the linear grid's tiles
    )
    top_ppf: float  # the same, ppf grid
    edge_ppf: (
        float  # the ppf grid's outermost coordinate: it covers [-edge, edge]², a smaller square
    )
    out_matched: float  # like with like: a linear grid over the ppf grid's square, share outside
    top_matched: float  # and its busiest tenth's share of the codes


def _axes() -> tuple[np.ndarray, np.ndarray]:
    return latent.linear_axis(GRID_N, LO, HI), latent.ppf_axis(GRID_N, P)


@_per_checkpoint(VAE2)
def grid_facts(vae_key: model_calls.ModelKey) -> GridFacts:
    """The Grid vs ppf lesson's numbers of both grids (and the like-with-like one) at its default n,
    range and p (``ui.lessons.grid.claims.vae_grids``, as the lesson computes them)."""
    mu = np.asarray(loaders.codes(vae_key[0])["mu"], dtype=np.float64)
    xs_ppf, lin, ppf, matched = grid_claims.vae_grids(
        GRID_N, LO, HI, P, mu
    )  # the lesson's own numbers
    return GridFacts(
        GRID_N,
        lin.outside,
        ppf.outside,
        lin.top10,
        ppf.top10,
        float(xs_ppf[-1]),
        matched.outside,
        matched.top10,
    )


def outside_answer(f: GridFacts) -> int:
    tiles = f.n * f.n
    return _side(round(f.out_lin * tiles), round(f.out_ppf * tiles), TILE_TOL)


def outside_because(f: GridFacts) -> str:
    tiles = f.n * f.n
    return (
        f"{round(f.out_lin * tiles)} of the linear grid's {tiles} points "
        f"({words.pct(f.out_lin)}) lie outside the disc holding 99 % of N(0, I) (radius "
        f"{prior.radius(0.99):.2f}), against {round(f.out_ppf * tiles)} ({words.pct(f.out_ppf)}) "
        f"for the ppf grid. {_matched(f)} puts {round(f.out_matched * tiles)} "
        f"({words.pct(f.out_matched)}) outside: spacing, not only extent."
    )


def _matched(f: GridFacts) -> str:
    """The like-with-like grid, in words: the two grids cover different squares."""
    return (
        f"The ppf grid covers a smaller square (±{f.edge_ppf:.2f} against {LO:g} … {HI:g}); "
        f"like with like, a linear grid over ±{f.edge_ppf:.2f}"
    )


@st.cache_resource(show_spinner=False, max_entries=CACHE)
def _grid_layers(
    vae_key: model_calls.ModelKey,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """The lesson's chart inputs: the subset's codes, their digits and indices, both grids'
    points."""
    subset = loaders.scatter_subset()
    mu = np.asarray(loaders.codes(vae_key[0])["mu"], dtype=np.float64)[subset]
    xs_lin, xs_ppf = _axes()
    points = latent.grid_points_frame({GRID_LIN: (xs_lin, xs_lin), GRID_PPF: (xs_ppf, xs_ppf)})
    return mu, loaders.test_set()[1][subset], subset, points


def outside_reveal(f: GridFacts) -> None:
    mu, digits, subset, points = _grid_layers(model_calls.model_key(VAE2))
    reach = max(abs(LO), abs(HI), float(np.abs(points["z1"]).max())) + 0.3  # as the lesson's axes
    domain = (min(LATENT_RANGE[0], -reach), max(LATENT_RANGE[1], reach))
    spec = render.overlay(
        render.spec(altair_charts.codes_and_prior, mu, digits, subset, domain),
        render.with_data(
            render.spec(
                altair_charts.grid_points_chart,
                grids.POINTS_TEMPLATE,
                altair_charts.grid_marker_size(f.n),
            ),
            points,
        ),
        render.spec(altair_charts.contour_labels),
    )
    _chart(
        spec,
        f"Scatter of {len(subset):,} VAE test codes coloured by digit, the prior's 50, 90 and "
        f"99 % circles, and the {f.n} × {f.n} sampling points of both grids: squares, the linear "
        f"grid over {LO:g} to {HI:g}; diamonds, the ppf grid with p = {P:g}. " + outside_because(f),
        width="content",
    )


def balance_because(f: GridFacts) -> str:
    return (
        f"Each test code goes to its nearest tile: the busiest tenth of the tiles depicts "
        f"{words.pct(f.top_lin)} of the 10,000 codes on the linear grid, {words.pct(f.top_ppf)} on "
        f"the ppf grid (about 10 % if perfectly even). {_matched(f)} gives "
        f"{words.pct(f.top_matched)}."
    )


def balance_reveal(f: GridFacts) -> None:
    for col, tag, how in zip(st.columns(2), ("lin", "ppf"), (" (linear)", " (ppf)")):
        png, xs, ys, title = grids.grid_view(f.n, LO, HI, P, tag)
        render.show(png, col, caption=title, alt=alt_text.grid(VAE2, xs, ys, how))


# --- Digit prototypes ------------------------------------------------------------------------

PROTO_MODEL = "vae-10d"  # the lesson's default model
USED_MODEL = "vae-32d"  # the widest VAE: the one that leaves dimensions unused
GREY_TOL = 0.05  # the lesson's SAME_GREY: mean grey shares this close are "about as grey"
DIGIT = 3  # the lesson's default prototype for traversals
STEPS = (
    7  # steps per traversal row (the lesson's default is 10): a third fewer bytes to every phone
)


@dataclass(frozen=True)
class GreyFacts:
    grey_pixels: float  # share of the pixel averages' inked pixels that are grey (0.2 to 0.8)
    grey_decoded: float  # the same, decoded prototypes


@_per_checkpoint(PROTO_MODEL)
def grey_facts(key: model_calls.ModelKey) -> GreyFacts:
    """The Prototypes lesson's grey shares of vae-10d
    (``ui.lessons.prototypes.computed.model_view``)."""
    g_avg, g_dec, _ = protos.model_view(key)["grey"]
    return GreyFacts(float(g_avg), float(g_dec))


def grey_because(f: GreyFacts) -> str:
    return (
        f"{words.pct(f.grey_pixels)} of the pixel averages' inked pixels are grey (between 0.2 and "
        f"0.8), against {words.pct(f.grey_decoded)} for {PROTO_MODEL}'s decoded prototypes "
        "(mean over the ten digits)."
    )


def grey_reveal(f: GreyFacts) -> None:
    view = protos.model_view(model_calls.model_key(PROTO_MODEL))
    rows = {
        "pixel average": protos.pixel_average(),
        "decoded\nprototype": view["decoded"],
        "medoid,\nreconstructed": view["med_recon"],
    }
    png = render.png(
        png_figures.image_rows,
        rows,
        captions=[[f"digit {k}" for k in range(10)], [], [f"#{i}" for i in view["med_idx"]]],
        size=1.0,
        fontsize=11,
    )
    render.show(
        png,
        alt=f"For each digit 0 to 9 (columns): the pixel average of its test images, "
        f"{PROTO_MODEL}'s decoded prototype (the decoder at the mean code) and its medoid's "
        f"reconstruction. {grey_because(f)}",
    )


@dataclass(frozen=True)
class UsedFacts:
    d: int  # latent dimensions
    used: int  # dimensions whose μ varies across the test images (Var > the activity threshold)
    top_unused_var: float  # the largest Var(μ) among the unused dimensions (0 when none is)
    low_used_var: float  # the smallest Var(μ) among the used ones


@_per_checkpoint(USED_MODEL)
def used_facts(key: model_calls.ModelKey) -> UsedFacts:
    """The Prototypes lesson's activity test (``units.activity``) of vae-32d."""
    view = protos.model_view(key)
    var_mu, active = view["var_mu"], view["active"]
    return UsedFacts(
        len(var_mu),
        int(active.sum()),
        float(var_mu[~active].max(initial=0.0)),
        float(var_mu[active].min()) if active.any() else 0.0,
    )


def used_answer(f: UsedFacts) -> int:
    return 0 if f.used == f.d else 1 if 2 * f.used >= f.d else 2


def used_because(f: UsedFacts) -> str:
    return (
        f"{f.used} of the {f.d} dimensions have Var(μ) above {units.ACTIVE_UNIT_THRESHOLD:g} over "
        f"the test images (the smallest of them {f.low_used_var:.2f}); the other {f.d - f.used} "
        "barely "
        f"move (Var(μ) at most {f.top_unused_var:.4f}): they tell the decoder nothing."
    )


def used_reveal(f: UsedFacts) -> None:
    key = model_calls.model_key(USED_MODEL)
    view = protos.model_view(key)
    base, unused = (
        view["proto_mu"][DIGIT],
        frozenset(int(j) for j in np.flatnonzero(~view["active"])),
    )
    values = latent.linear_axis(STEPS, *SLIDER_RANGE)  # the lesson's default range
    order = [j for j in range(f.d) if j not in unused]  # the lesson folds unused rows away past 12
    imgs, change = protos.traversal_images(
        key, tuple(map(float, base)), tuple(map(float, values)), tuple(order)
    )
    png = render.png(png_figures.traversal_figure, imgs, order, values, base, DIGIT, unused)
    render.show(
        png,
        alt=png_figures.traversal_alt(USED_MODEL, order, values, DIGIT, change)
        + f" The other {len(unused)} dimensions are unused and not drawn.",
    )


# --- Embeddings --------------------------------------------------------------------------------

EMB_MODEL, EMB_AE = "vae-10d", "ae-10d"
TRUST_TOL = 0.01  # trustworthiness, shown to three decimals
VAR_TOL = 0.05  # share of variance in PCA's plane: five points
K = 10  # neighbours, as the lesson's trustworthiness and its lit-up neighbours
PICK = 0  # the lesson's default picked code


@dataclass(frozen=True)
class TrustFacts:
    pca: float  # trustworthiness (k = 10) of the PCA map of vae-10d's codes
    tsne: float  # the same, t-SNE
    random: float  # a random map's, the floor


@_per_checkpoint(EMB_MODEL)
def trust_facts(key: model_calls.ModelKey) -> TrustFacts:
    """The Embeddings lesson's trustworthiness of vae-10d's maps (``cache/embeddings``)."""
    e = loaders.embeddings(key[0])
    return TrustFacts(*(float(e[f"{m}_trustworthiness"]) for m in ("pca", "tsne", "random")))


def trust_because(f: TrustFacts) -> str:
    return (
        f"Trustworthiness (k = {K}; 1 = every map neighbour is a true 10-D neighbour) of "
        f"{EMB_MODEL}'s 10,000 test codes: PCA {f.pca:.3f}, t-SNE {f.tsne:.3f} (a random map: "
        f"{f.random:.2f})."
    )


@st.cache_resource(show_spinner=False, max_entries=2 * CACHE)
def _map_points(key: model_calls.ModelKey, method: str) -> bytes:
    """The lesson's subset of one map as the Arrow bytes a chart sends, once per map."""
    subset = loaders.scatter_subset()
    return altair_charts.points_arrow(
        loaders.embeddings(key[0])[method][subset], loaders.test_set()[1][subset], subset
    )


@st.cache_resource(show_spinner=False, max_entries=2 * CACHE)
def _map_rows(key: model_calls.ModelKey, method: str) -> tuple[dict[str, pd.DataFrame], Any, int]:
    """One map's picked code and its 10-D neighbours (the lesson's ``landing_rows``), its square
    domains, and how many of the K neighbours stay among the K nearest on the map, once per map."""
    xy = loaders.embeddings(key[0])[method]
    near = neighbours.neighbours_in(loaders.code_tree(key[0]), PICK, K)  # (K,) in 10-D
    rows = altair_charts.landing_rows(
        you=(float(xy[PICK, 0]), float(xy[PICK, 1])),
        you_label=f"#{PICK}",
        near=pd.DataFrame({"x": xy[near, 0], "y": xy[near, 1]}),
    )
    domains = altair_charts.square_domains(
        np.vstack([xy[loaders.scatter_subset()], xy[near], xy[[PICK]]])
    )
    return (
        rows,
        domains,
        neighbours.kept_in(loaders.code_tree(key[0]), neighbours.tree(xy), PICK, K),
    )


def trust_reveal(f: TrustFacts) -> None:
    key = model_calls.model_key(EMB_MODEL)
    for col, (m, title, score) in zip(
        st.columns(2), (("pca", "PCA", f.pca), ("tsne", "t-SNE", f.tsne))
    ):
        rows, domains, kept = _map_rows(key, m)
        spec = altair_charts.with_domains(
            render.spec(altair_charts.embedding_map, title, 250, None, m == "tsne"), domains
        )
        _chart(
            render.fill(spec, points=_map_points(key, m), you=rows["you"], near=rows["near"]),
            f"{title} map of {EMB_MODEL}'s test codes, coloured by digit; test #{PICK} is marked "
            "and its "
            f"{K} nearest neighbours in 10-D are circled: {kept} of them are among its {K} nearest "
            "on "
            f"this map. Trustworthiness {score:.3f}.",
            col,
            width="content",
        )


@dataclass(frozen=True)
class VarFacts:
    ae: float  # share of the codes' variance in PCA's first two components, ae-10d
    vae: float  # the same, vae-10d
    budget: str  # how the two were trained (``_budget``)


@_per_checkpoint(EMB_AE, EMB_MODEL)
def var_facts(ae_key: model_calls.ModelKey, vae_key: model_calls.ModelKey) -> VarFacts:
    """The Embeddings lesson's PCA spectrum of the 10-D AE and VAE (``cache/embeddings``)."""
    ae, vae = (
        float(np.sum(loaders.embeddings(k[0])["pca_explained_variance_ratio"][:2]))
        for k in (ae_key, vae_key)
    )
    return VarFacts(ae, vae, _budget((ae_key, vae_key)))


def var_because(f: VarFacts) -> str:
    return (
        f"PCA's first two components hold {words.pct(f.ae)} of the variance of {EMB_AE}'s 10,000 "
        f"test codes and {words.pct(f.vae)} of {EMB_MODEL}'s ({f.budget}; ten equally "
        "spread dimensions would give 20 %)."
    )


def var_reveal(f: VarFacts) -> None:
    for col, name, share in zip(st.columns(2), (EMB_AE, EMB_MODEL), (f.ae, f.vae)):
        evr = np.asarray(loaders.embeddings(name)["pca_explained_variance_ratio"], dtype=float)
        col.markdown(f"**{name}**")
        _chart(
            render.spec(altair_charts.variance_chart, evr),
            f"Bar chart of the share of {name}'s code variance along each of its {len(evr)} "
            "principal "
            f"components, largest {words.pct(evr[0])}, with the cumulative share as a line: the "
            "first two "
            f"hold {words.pct(share)}.",
            col,
        )


# --- Why samples look blurry -------------------------------------------------------------------

BLUR_MODEL = "vae-10d"  # the lesson's default model, codes from the prior, seed 0, temperature 1
N_CODES = 8  # the lesson's codes side by side
EDGE_SHARE = (
    0.4,
    0.6,
)  # share of flipped pixels that are grey: below, mostly faint; above, mostly grey


@dataclass(frozen=True)
class FlipFacts:
    flips: (
        float  # pixels per image where a sample x ~ p(x|z) differs from the mean binarized at 0.5
    )
    grey_share: float  # share of those pixels that are grey in the mean (GREY_BAND)
    # share of them on a stroke's edge (ui.lessons.blurry.claims.edge_pixels): the reveal says
    # "along the strokes' edges" only where most are (the Blurry lesson's own rule, EDGES)
    edge_share: float = 0.0


@st.cache_resource(show_spinner=False, max_entries=CACHE)
def _blur_rows(key: model_calls.ModelKey) -> dict[str, np.ndarray]:
    """The lesson's three rows for its default setting: the mean p, one sample, p > 0.5."""
    z = prior.samples(N_CODES, zoo.entry(key[0]).model.latent_dim, SEED)
    p = model_calls.decode(key[0], z).astype(np.float64)  # (N_CODES, 28, 28)
    return {
        "mean p": p,
        "sample": bernoulli_samples(p, 1, SEED)[0],
        "p > 0.5": (p > 0.5).astype(np.float32),
    }


@_per_checkpoint(BLUR_MODEL)
def flip_facts(key: model_calls.ModelKey) -> FlipFacts:
    """The Blurry samples lesson's flipped pixels at its default setting."""
    rows = _blur_rows(key)
    p, flipped = rows["mean p"], rows["sample"] != rows["p > 0.5"]
    grey = (p > GREY_BAND[0]) & (p < GREY_BAND[1])
    return FlipFacts(
        float(flipped.sum(axis=(1, 2)).mean()),
        float((flipped & grey).sum() / max(int(flipped.sum()), 1)),
        float((flipped & blur_claims.edge_pixels(p)).sum() / max(int(flipped.sum()), 1)),
    )


def flip_answer(f: FlipFacts) -> int:
    return 0 if f.grey_share > EDGE_SHARE[1] else 1 if f.grey_share < EDGE_SHARE[0] else 2


def flip_because(f: FlipFacts) -> str:
    return (
        f"A sample differs from the binarized mean in {f.flips:.0f} pixels per image on average; "
        f"{words.pct(f.grey_share)} of them are grey in the mean (p between {GREY_BAND[0]:g} and "
        f"{GREY_BAND[1]:g}), and {words.pct(f.edge_share)} lie "
        + (
            "along the strokes' edges."
            if f.edge_share > blur_claims.EDGES
            else "along the strokes' edges: the rest are out on the paper."
        )
    )


def flip_reveal(f: FlipFacts) -> None:
    rows = _blur_rows(model_calls.model_key(BLUR_MODEL))
    what = [f"draw {i + 1}" for i in range(N_CODES)]
    png = render.png(
        png_figures.image_rows, rows, [what, [""] * N_CODES, [""] * N_CODES], size=0.6, fontsize=9
    )
    render.show(
        png,
        alt=alt_text.rows(
            f"{N_CODES} codes drawn from the prior (seed {SEED}) decoded by "
            f"{BLUR_MODEL}: the mean p, one sample x ~ p(x|z) drawn pixel by "
            "pixel, and p > 0.5. " + flip_because(f),
            rows,
            [what],
        ),
    )


# --- The ELBO is a bound ---------------------------------------------------------------------

ELBO_MODEL, ELBO_IDX = "vae-2d", 0  # the lesson's defaults: a clear 7


@dataclass(frozen=True)
class BoundFacts:
    log_px: float  # log p(x) of the test image by quadrature (nats)
    elbo: float  # the encoder's ELBO of it
    accuracy: float  # how much log p(x) moves when the grid is halved


@_per_checkpoint(ELBO_MODEL)
def bound_facts(key: model_calls.ModelKey) -> BoundFacts:
    """The ELBO lesson's exact numbers of its default image (``ui.lessons.elbo.computed.exact``,
    warmed at start)."""
    g = elbo.exact(key, ELBO_IDX).gap
    return BoundFacts(float(g.log_px), float(g.elbo), float(g.accuracy))


def bound_answer(f: BoundFacts) -> int:
    tol = 2 * f.accuracy + 0.01  # the lesson's test of a gap beyond the grid's accuracy
    return _side(f.elbo, f.log_px, tol)


def bound_because(f: BoundFacts) -> str:
    return (
        f"log p(x) = {f.log_px:.2f} nats by quadrature over the latent plane (to within "
        f"{f.accuracy:.3f}), the ELBO {f.elbo:.2f}: {f.log_px - f.elbo:.2f} nats below."
    )


def bound_reveal(f: BoundFacts) -> None:
    key = model_calls.model_key(ELBO_MODEL)
    b, codes, labels = elbo.exact(key, ELBO_IDX), loaders.codes(ELBO_MODEL), loaders.test_set()[1]
    has_path = b.path_mu is not None  # the lesson's default: q refined for all its steps
    # the lesson's own picture and words, the answer after them
    elbo_views.posterior(
        b, codes, labels, ELBO_IDX, ELBO_MODEL, bound.REFINE_STEPS, has_path, bound_because(f)
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("log p(x)", f"{f.log_px:.2f}")
    c2.metric("ELBO", f"{f.elbo:.2f}")
    c3.metric("gap", f"{f.log_px - f.elbo:.2f}")


# --- the bank, in lesson order -----------------------------------------------------------------

SAME = "About the same"

QUESTIONS: tuple[Question, ...] = (
    Question(
        "aevae-mix",
        "pages/01_AE_vs_VAE.py",
        {"aevae_seed": str(SEED)},
        f"{model_calls.N_PRIOR_DRAWS:,} random codes z ~ N(0, I) go to the 2-D AE and the 2-D VAE; "
        "each "
        "counts as the digit of its nearest test code. Whose draws come in a digit mix closer to "
        "the test set's?",
        ("The AE's", "The VAE's", f"{SAME} (within {_points(MIX_TOL)})"),
        draw_facts,
        _which("tv_ae", "tv_vae", MIX_TOL, smaller=True),  # closer: less distance
        mix_because,
        mix_reveal,
    ),
    Question(
        "aevae-empty",
        "pages/01_AE_vs_VAE.py",
        {"aevae_seed": str(SEED), "aevae_axes": "prior"},
        f"The same {model_calls.N_PRIOR_DRAWS:,} draws z ~ N(0, I) on each model's map of test "
        "codes. Which "
        f"model leaves more of them in empty space, over {model_calls.FAR_GAPS:g} typical gaps "
        "from every test code?",
        ("The AE", "The VAE", f"{SAME} (within {_points(FAR_TOL)})"),
        draw_facts,
        _which("far_ae", "far_vae", FAR_TOL),
        far_because,
        far_reveal,
    ),
    Question(
        "kl-spread",
        "pages/02_KL_weighting.py",
        {"kl_beta": f"{BETA_SMALL:g}"},
        f"The KL weight β goes from 1 down to {BETA_SMALL:g} (one 2-D VAE per β). The test digits' "
        "codes μ will:",
        ("Spread out", "Squeeze toward the origin", f"Not change (within {SPREAD_TOL * 100:g} %)"),
        ladder_facts,
        spread_answer,
        spread_because,
        spread_reveal,
    ),
    Question(
        "kl-mix",
        "pages/02_KL_weighting.py",
        {"kl_beta": f"{BETA_LARGE:g}"},
        f"β goes from 1 up to {BETA_LARGE:g}. Random codes z ~ N(0, I), each counted as the digit "
        "of its nearest test code: their digit mix gets",
        ("Closer to the test set's", "Further from it", f"{SAME} (within {_points(MIX_TOL)})"),
        ladder_facts,
        _which("tv_large", "tv_1", MIX_TOL, smaller=True),  # closer: less distance
        ladder_mix_because,
        ladder_mix_reveal,
    ),
    Question(
        "grid-outside",
        "pages/03_Grid_vs_ppf.py",
        {"grid_n": str(GRID_N), "grid_lo": f"{LO:g}", "grid_hi": f"{HI:g}", "grid_p": f"{P:g}"},
        f"A {GRID_N} × {GRID_N} grid of codes for the 2-D VAE: linear over {LO:g} … {HI:g}, or ppf "
        f"(equal steps of prior probability, p = {P:g}). Which puts more points outside the disc "
        "holding 99 % of the prior?",
        ("The linear grid", "The ppf grid", f"About as many (within {TILE_TOL})"),
        grid_facts,
        outside_answer,
        outside_because,
        outside_reveal,
    ),
    Question(
        "grid-balance",
        "pages/03_Grid_vs_ppf.py",
        {"grid_n": str(GRID_N), "grid_lo": f"{LO:g}", "grid_hi": f"{HI:g}", "grid_p": f"{P:g}"},
        "Each of the VAE's 10,000 test codes is drawn by its nearest tile. Which grid spreads them "
        "more evenly over its tiles?",
        ("The linear grid", "The ppf grid", f"About as evenly (within {_points(TOP_TOL)})"),
        grid_facts,
        _which("top_lin", "top_ppf", TOP_TOL, smaller=True),  # fewer in the busiest
        balance_because,
        balance_reveal,
    ),
    Question(
        "protos-grey",
        "pages/04_Prototypes.py",
        {"protos_model": PROTO_MODEL},
        f"Per digit, two averages ({PROTO_MODEL}): the mean of its test images' pixels, and its "
        "codes' mean, decoded (the prototype). Which looks greyer?",
        (
            "The pixel average",
            "The decoded prototype",
            f"About as grey (within {_points(GREY_TOL)})",
        ),
        grey_facts,
        _which("grey_pixels", "grey_decoded", GREY_TOL),
        grey_because,
        grey_reveal,
    ),
    Question(
        "protos-used",
        "pages/04_Prototypes.py",
        {"protos_model": USED_MODEL, "protos_steps": str(STEPS)},
        f"{USED_MODEL} is a VAE with a {zoo.entry(USED_MODEL).model.latent_dim}-D code (β = 1). "
        "How many of its dimensions does it use (μ varies across the test images)?",
        (
            f"All {zoo.entry(USED_MODEL).model.latent_dim}",
            (
                f"Half or more ({(zoo.entry(USED_MODEL).model.latent_dim + 1) // 2} to "
                f"{zoo.entry(USED_MODEL).model.latent_dim - 1})"
            ),
            f"Fewer than half (under {(zoo.entry(USED_MODEL).model.latent_dim + 1) // 2})",
        ),
        used_facts,
        used_answer,
        used_because,
        used_reveal,
    ),
    Question(
        "emb-trust",
        "pages/05_Embeddings.py",
        {"emb_model": EMB_MODEL, "emb_idx": str(PICK)},
        f"{EMB_MODEL}'s 10-D codes flattened to 2-D. On which map are a code's {K} nearest "
        "neighbours more often its true neighbours in 10-D?",
        ("PCA", "t-SNE", f"{SAME} (within {TRUST_TOL:g})"),
        trust_facts,
        _which("pca", "tsne", TRUST_TOL),
        trust_because,
        trust_reveal,
    ),
    Question(
        "emb-pca-var",
        "pages/05_Embeddings.py",
        {"emb_model": EMB_MODEL},
        f"PCA's best plane through 10-D codes: does it hold more of the variance of the plain "
        f"autoencoder's codes ({EMB_AE}) or of the VAE's ({EMB_MODEL})?",
        ("The AE's", "The VAE's", f"About as much (within {_points(VAR_TOL)})"),
        var_facts,
        _which("ae", "vae", VAR_TOL),
        var_because,
        var_reveal,
    ),
    Question(
        "blur-flips",
        "pages/15_Blurry_samples.py",
        {"blur_model": BLUR_MODEL, "blur_source": "prior", "blur_seed": str(SEED), "blur_t": "1"},
        f"{BLUR_MODEL} decodes codes drawn from the prior. One sample x ~ p(x|z), drawn pixel by "
        "pixel, against the grey mean image binarized at 0.5: where do they differ?",
        (
            "Along the strokes' edges",
            "In the background",
            f"About half each ({EDGE_SHARE[0] * 100:g}–{EDGE_SHARE[1] * 100:g} %)",
        ),
        flip_facts,
        flip_answer,
        flip_because,
        flip_reveal,
    ),
    Question(
        "elbo-below",
        "pages/14_ELBO_bound.py",
        {"elbo_model": ELBO_MODEL, "elbo_idx": str(ELBO_IDX)},
        f"Test digit #{ELBO_IDX} ({elbo.FEATURED.get(ELBO_IDX, 'a test digit')}) under "
        f"{ELBO_MODEL}, whose log p(x) can be computed exactly. Its ELBO is:",
        ("Above log p(x)", "Below log p(x)", "Equal, within the integral's accuracy"),
        bound_facts,
        bound_answer,
        bound_because,
        bound_reveal,
    ),
)


def by_key(key: str) -> Question | None:
    """The question stored under ``key``, or None (a retired or forged key)."""
    return next((q for q in QUESTIONS if q.key == key), None)
