"""The model ladders as the lessons show them: the β ladders of KL weighting (2-D and 10-D) and the
latent-size ladder. The rungs' rate and distortion, the same ten test digits through every rung
(each
reconstruction with its cost), the per-dimension KL of the 10-D rungs and a checkpoint's training
curves; rungs that are not built are left out and returned, so
the page can name them (``ui.page.frame.missing_note``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, chart_tables, png_figures, render, style
from ui.draw.style import LATENT_RANGE, MODEL_CACHE_ENTRIES
from ui.page import downloads, loaders, model_calls
from vae import latent, neighbours, units, zoo
from vae.artefacts import CacheError
from vae.history import history_frame
from vae.losses import ACTIVE_UNIT_THRESHOLD, bce_per_image


def test_digits(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One test digit per class, chosen by ``seed``: (their test indices, images in [0, 1])."""
    images_u8, labels = loaders.test_set()
    idx = latent.random_members(labels, seed)  # (10,)
    return idx, images_u8[idx].astype(np.float32) / 255.0  # (10, 28, 28), a fresh copy


def reconstruction_rows(
    seed: int, rungs: dict[str, str]
) -> tuple[dict[str, np.ndarray], list[list[str]], dict[str, CacheError]]:
    """The seed's ten test digits and their reconstruction by each rung (``{row label: model
    name}``),
    decoded at the code's mean, each captioned with its cost (BCE summed over the pixels, nats).
    Rungs whose files cannot be used are left out and returned with their error."""
    idx, x = test_digits(seed)
    rows = {"original": x}
    captions = [[f"test #{i}" for i in idx]]
    problems: dict[str, CacheError] = {}
    for label, name in rungs.items():
        try:
            rec, cost, _ = _reconstructed(model_calls.model_key(name), seed)
        except CacheError as exc:
            problems[name] = exc
            continue
        rows[label] = rec
        captions.append(cost)
    return rows, captions, problems


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def _reconstructed(
    key: tuple[str, str, int], seed: int
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The seed's ten test digits through the model ``key`` (``model_calls.model_key``), decoded at
    the code's
    mean, each one's cost in words, and the digit each reconstruction looks like (the label of its
    nearest test image, its own original left out), once per server, model and seed."""
    idx, x = test_digits(seed)
    mu, _ = model_calls.encode(key[0], x)
    rec = model_calls.decode(key[0], mu)  # (10, 28, 28): the decoder's mean at the code's mean
    seen = neighbours.looks_like(
        rec, loaders.test_images_float(), loaders.test_set()[1], exclude=idx
    )  # (10,)
    return rec, [f"{v:.0f} nats" for v in bce_per_image(rec, x)], seen


def rows_alt(
    seed: int, rungs: dict[str, str], rows: dict[str, np.ndarray], captions: list[list[str]]
) -> str:
    """The text alternative of ``rows_png(rows, captions)`` (``reconstruction_rows(seed, rungs)``):
    the digits, and which reconstructions look like another digit, rung by rung."""
    idx = test_digits(seed)[0]
    labels = loaders.test_set()[1][idx]
    said = [
        alt_text.changes(
            labels, _reconstructed(model_calls.model_key(rungs[r]), seed)[2], r.replace(" ◀", "")
        )
        for r in rows
        if r in rungs
    ]
    return alt_text.rows(
        f"Ten test digits (seed {seed}: {alt_text.digits(labels)}) and their reconstructions from "
        "μ, one row per "
        f"model. By the nearest test image, {'; '.join(said)}",
        rows,
        captions,
    )


def rows_png(
    rows: dict[str, np.ndarray], captions: list[list[str]], column_px: float = style.PAGE_PX
) -> bytes:
    """The rows of ``reconstruction_rows`` as one figure, for a column ``column_px`` wide."""
    return render.png(
        png_figures.image_rows, rows, captions, size=0.95, fontsize=10, column_px=column_px
    )


def show_rows(
    seed: int,
    rungs: dict[str, str],
    caption: str,
    *,
    download: tuple[str, str] | None = None,
    column_px: float = style.PAGE_PX,
) -> tuple[int, dict[str, CacheError | None]]:
    """``reconstruction_rows(seed, rungs)`` shown as one figure (``rows_png``) with its text
    alternative and ``caption`` under it, when any rung is built; ``download``: (file name, key) of
    a download button of the figure, above it. -> (rows drawn, the originals' included; the rungs
    left out and why)"""
    rows, captions, problems = reconstruction_rows(seed, rungs)
    if len(rows) > 1:
        png = rows_png(rows, captions, column_px)
        if download is not None:
            file_name, key = download
            downloads.download_png(png, file_name, key=key)
        render.show(png, alt=rows_alt(seed, rungs, rows, captions))
        st.caption(caption)
    return len(rows), problems


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def dims_frame(name: str, beta: float) -> pd.DataFrame:
    """Per-dimension mean KL and activity of a model's test codes (raises CacheError if missing)."""
    c = loaders.codes(name)
    return units.kl_dims_frame(c["mu"], c["logvar"], beta)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def mean_kl_of_model(name: str) -> np.ndarray:
    """Mean KL of each dimension over the test codes (raises CacheError when the codes are
    missing)."""
    c = loaders.codes(name)
    return units.mean_kl_per_dim(c["mu"], c["logvar"])


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def active_count(name: str) -> int:
    """Active units of a model's test codes (raises CacheError when the codes are missing)."""
    return units.unit_activity(loaders.codes(name)["mu"])[0]


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_spread(name: str) -> float:
    """Root-mean-square distance of the test codes' means from the origin (raises CacheError if
    missing)."""
    mu = np.asarray(loaders.codes(name)["mu"], dtype=np.float64)
    return float(np.sqrt((mu**2).sum(axis=1).mean()))


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def share_outside(name: str, lo: float, hi: float) -> float:
    """Share of the test codes' means outside the box [lo, hi]² (raises CacheError if missing)."""
    return float(latent.outside_box(np.asarray(loaders.codes(name)["mu"]), lo, hi).mean())


def dims_by_beta(
    names: dict[float, str],
) -> tuple[pd.DataFrame | None, dict[float, int], dict[float, int], dict[str, None]]:
    """Per-dimension KL of the rungs ``{β: model}``: (all rungs' rows or None, active units per β,
    epochs per β, the rungs that cannot be used)."""
    parts, active, epochs, missing = [], {}, {}, {}
    for b, name in names.items():
        try:
            f = dims_frame(name, b)
            epochs[b] = int(loaders.info(name)["train_config"]["epochs"])
        except CacheError:
            missing[name] = None
            continue
        parts.append(f)
        active[b] = int((f["active"] == "active").sum())
    return (pd.concat(parts, ignore_index=True) if parts else None), active, epochs, missing


def beta_frame(d: int, betas: tuple[float, ...]) -> tuple[pd.DataFrame, dict[str, None]]:
    """The d-D β ladder's test-set rate and distortion, one row per built rung (label sides placed
    for the log-rate axis of ``altair_charts.rd_chart``), and the rungs not built."""
    rows, missing = [], {}
    for b in betas:
        name = zoo.beta_name(d, b)
        meta = loaders.try_info(name)
        if meta is None:
            missing[name] = None
            continue
        m = meta["metrics"]
        rows.append(
            {
                "beta": float(b),
                "β": f"{b:g}",
                "model": name,
                "KL (nats)": float(m["test_kl"]),
                "reconstruction (nats)": float(m["test_recon"]),
                "−ELBO (nats)": float(m["test_elbo"]),
                "epochs": int(meta["train_config"]["epochs"]),
                "label": f"β={b:g}",
            }
        )
    rd = pd.DataFrame(
        rows,
        columns=[
            "beta",
            "β",
            "model",
            "KL (nats)",
            "reconstruction (nats)",
            "−ELBO (nats)",
            "epochs",
            "label",
        ],
    )
    rd["side"] = (
        chart_tables.label_sides(np.log(rd["KL (nats)"]), rd["reconstruction (nats)"])
        if len(rd)
        else []
    )
    return rd, missing


def rd_alt(rd: pd.DataFrame, beta: float) -> str:
    """The description of ``altair_charts.rd_chart`` of ``beta_frame``'s rows, ``beta`` chosen: each
    rung's rate and distortion."""
    return alt_text.listing_sentence(
        "Rate (KL) and distortion (reconstruction) of the β ladder's test digits, in nats, β = "
        f"{beta:g} ringed; "
        "a click on a point chooses its β",
        (
            f"β = {r['β']}: rate {r['KL (nats)']:.3g}, distortion {r['reconstruction (nats)']:.1f}"
            for _, r in rd.iterrows()
        ),
    )


def epochs_words(frame: pd.DataFrame) -> str:
    """'20 epochs each' or '12 epochs (β = 1); 10 epochs (β = 0, 0.1, …)' for the rungs of
    ``beta_frame``."""
    groups = frame.groupby("epochs")["β"].apply(list)
    if len(groups) == 1:
        return f"{groups.index[0]} epochs each"
    return "; ".join(f"{e} epochs (β = {', '.join(bs)})" for e, bs in groups.items())


def curve_specs(name: str) -> dict[str, dict]:
    """The training-curve chart of each loss term of a checkpoint (``vae.history.history_frame``),
    keyed by
    the model's name: no frame to hash per run."""
    return {term: render.spec(_curve_chart, name, term) for term in ("reconstruction", "KL")}


def _curve_chart(name: str, term: str):
    """``altair_charts.curve_chart`` of one term of a checkpoint's stored history."""
    hist = history_frame(loaders.info(name).get("history", {}))
    return altair_charts.curve_chart(hist[hist["term"] == term], term)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def _curve_words(key: model_calls.ModelKey) -> tuple[dict[str, str], pd.DataFrame] | None:
    """Each term's curve in words (the charts' text alternatives) and the history table of the
    CSV, once per checkpoint (None when it holds no history): a repeat run rebuilt, filtered and
    pivoted the history, about 10 ms."""
    name = key[0]
    hist = history_frame(loaders.info(name).get("history", {}))
    if hist.empty:
        return None
    alts = {}
    for term in ("reconstruction", "KL"):
        test = hist[(hist["term"] == term) & (hist["split"] == "test")]
        alts[term] = alt_text.curve(
            f"{name}'s {term} term per epoch of training, train and test",
            test["epoch"],
            test["nats"],
            "epoch",
            "test nats per image",
        )
    wide = hist.pivot_table(index="epoch", columns=["split", "term"], values="nats")
    wide.columns = [f"{s} {t} (nats)" for s, t in wide.columns]
    return alts, wide.reset_index()


def training_curves(name: str, objective: str, key: str) -> None:
    """A checkpoint's stored training curves (train and test, per epoch), with their CSV;
    ``objective`` says in a sentence what the model minimised; widget keys start with ``key``."""
    meta = loaders.try_info(name)
    if meta is None:
        st.info(
            f"`{name}` is not built yet, so there are no training curves to show.",
            icon=":material/hourglass_empty:",
        )
        return
    words_and_table = _curve_words(model_calls.model_key(name))
    if words_and_table is None:
        st.info("This checkpoint holds no training history.")
        return
    alts, table = words_and_table
    for col, (term, chart) in zip(st.columns(2), curve_specs(name).items()):
        render.draw(chart, col, width="stretch", key=f"{key}_curve_{term}", alt=alts[term])
    st.caption(
        "Train: average over the epoch's batches while the weights were still changing; test: the "
        "10,000 "
        f"test digits after the epoch. {objective}"
    )
    downloads.download_csv(table, f"history-{name}.csv", key=f"{key}_hist_csv")


def codes_spec(name: str, seed: int) -> dict:
    """A 2-D rung's codes on the prior's axes, with the 99 % circle and 300 of the seeded draws: the
    chart's spec is built once per model (``model_calls.model_key``), the draws fill its slot per
    run."""
    zz = model_calls.prior_draws(seed)[:300]  # (300, 2)
    return render.fill(
        render.spec(_codes_chart, model_calls.model_key(name)),
        **altair_charts.landing_rows(draws=pd.DataFrame({"x": zz[:, 0], "y": zz[:, 1]})),
    )


def codes_alt(name: str) -> str:
    """The description of ``codes_spec(name, ...)``'s chart, from the codes it draws."""
    labels, subset = loaders.test_set()[1], loaders.scatter_subset()
    return alt_text.scatter(
        f"Test codes μ of {name} (β = {zoo.entry(name).model.beta:g}) on the prior's axes, with "
        "the circle holding 99 % of the prior and 300 prior draws as crosses",
        np.asarray(loaders.codes(name)["mu"])[subset],
        labels[subset],
    )


def _codes_chart(key: model_calls.ModelKey):
    """The codes chart of ``codes_spec``, its draws a slot (``altair_charts.SLOT``)."""
    return altair_charts.landing_chart(
        model_calls.subset_codes_frame(key),
        None,
        None,
        None,
        (LATENT_RANGE, LATENT_RANGE),
        "z₁",
        "z₂",
        f"Codes μ at β = {zoo.entry(key[0]).model.beta:g}",
        prior_circle=True,
        side=310,  # with its axes and legend it fits KL weighting's half-page column (438 px)
        draws=altair_charts.SLOT,
    )


def draw_stats(name: str, seed: int) -> dict:
    """``ui.page.model_calls.prior_draw_stats``: the seeded prior draws among a 2-D rung's codes
    (digit mix, gaps),
    once per model and seed, shared with AE vs VAE."""
    return model_calls.prior_draw_stats(name, seed)


def mix_specs(betas: tuple[float, ...], beta: float, seed: int) -> tuple[dict, dict] | None:
    """The digit mix of the seeded prior draws at ``beta`` against the test set's, and each built
    2-D
    rung's total-variation distance from it (None when ``beta``'s rung is not built)."""
    tv_rows, mix_here = [], None
    for b in betas:
        try:
            st_b = draw_stats(zoo.beta_name(2, b), seed)
        except CacheError:
            continue
        tv_rows.append({"beta": float(b), "β": f"{b:g}", "distance": st_b["tv"]})
        mix_here = st_b["mix"] if b == beta else mix_here
    if mix_here is None:
        return None
    labels = loaders.test_set()[1]
    h_test = np.bincount(labels, minlength=10)[:10] / len(labels)  # (10,)
    sources = (f"draws, β = {beta:g}", "test set")
    mix = pd.DataFrame(
        {
            "digit": [str(k) for k in range(10)] * 2,
            "source": np.repeat(sources, 10),
            "share": np.concatenate([mix_here, h_test]),
        }
    )
    return (
        altair_charts.mix_chart_filled(
            mix,
            sources,
            ("ink", "#9aa0aa"),
            f"Which digit {model_calls.N_PRIOR_DRAWS:,} draws z ~ N(0, I) land on at β = {beta:g}",
        ),
        render.fill(render.spec(_tv_bars, beta), tv=pd.DataFrame(tv_rows)),
    )


def mix_alts(betas: tuple[float, ...], beta: float, seed: int) -> tuple[str, str]:
    """The descriptions of ``mix_specs``' two charts, from the same numbers (``draw_stats``,
    cached)."""
    labels = loaders.test_set()[1]
    tv, mix_here = {}, np.zeros(10)
    for b in betas:
        try:
            st_b = draw_stats(zoo.beta_name(2, b), seed)
        except CacheError:
            continue
        tv[f"β = {b:g}"] = 100 * st_b["tv"]
        mix_here = st_b["mix"] if b == beta else mix_here
    return (
        alt_text.mix(
            f"Which digit {model_calls.N_PRIOR_DRAWS:,} prior draws land on at β = {beta:g}, "
            "beside the test set's mix",
            (f"draws at β = {beta:g}", "test set"),
            [mix_here, np.bincount(labels, minlength=10)[:10] / len(labels)],
        ),
        alt_text.bars(
            "Each β's mix of the draws: its total-variation distance from the test set's",
            tv,
            tv.values(),
            " %",
            ".2g",
        ),
    )


def _tv_bars(beta: float):
    """``altair_charts.ladder_bars`` of each rung's total-variation distance, its rows a slot
    (``tv``)."""
    return altair_charts.ladder_bars(
        render.slot("tv"), "distance", "Each β's mix: distance from the test set's", "%", beta
    )


def prior_alt(name: str, seed: int) -> str:
    """The text alternative of ``prior_png(name, seed)``: the draws, and the digit of each one's
    nearest test code."""
    z = np.round(model_calls.prior_draws(seed)[:10], 1) + 0.0  # (10, 2), as the captions
    return alt_text.strip(
        f"The first ten prior draws z (seed {seed}) decoded by {name}. By the nearest test code, "
        + alt_text.landed(name, model_calls.prior_draws(seed)[:10]),
        [f"({a:.1f}, {b:.1f})" for a, b in z],
    )


def prior_png(name: str, seed: int) -> bytes:
    """The first ten of the seeded draws, decoded by ``name``, each captioned with its code."""
    z = (
        np.round(model_calls.prior_draws(seed)[:10], 1) + 0.0
    )  # (10, 2); + 0.0 turns -0.0 into 0.0 for the captions
    return render.png(
        png_figures.image_strip,
        model_calls.lazy_decoded(name, z),
        [f"({a:.1f}, {b:.1f})" for a, b in z],
        fontsize=10,
    )


def dims_columns(
    dims: pd.DataFrame, active: dict[float, int], names: dict[float, str], key: str
) -> None:
    """One column per rung ``{β: model}``: its active units and its per-dimension KL bars, all on
    one
    scale (rows of ``dims_by_beta``); widget keys start with ``key``."""
    y_max = float(dims["KL"].max()) * 1.08 or 1.0
    for col, (b, name) in zip(st.columns(len(names)), names.items()):
        if b not in active:
            col.info(f"β = {b:g}: `{name}` is not built yet.", icon=":material/hourglass_empty:")
            continue
        part = dims[dims["beta"] == f"{b:g}"]
        col.metric(
            f"β = {b:g}: active units",
            f"{active[b]} of {len(part)}",
            help=f"dimensions with Var(μᵢ) > {ACTIVE_UNIT_THRESHOLD:g} over the test images",
        )
        render.draw(
            render.spec(_dims_chart, name, b, y_max),
            col,
            width="stretch",
            key=f"{key}_dims_{b:g}",
            alt=alt_text.bars(
                f"Mean KL per latent dimension of {name} (β = {b:g}), {active[b]} of {len(part)} "
                "dimensions active",
                [f"dimension {d}" for d in part["dimension"]],
                part["KL"],
                " nats",
            ),
        )


def _dims_chart(name: str, beta: float, y_max: float):
    """``altair_charts.dims_chart`` of a 10-D rung (``dims_frame``), keyed by its name: no frame to
    hash per run."""
    return altair_charts.dims_chart(dims_frame(name, beta), beta, y_max)


def rungs(d: int, betas: tuple[float, ...], marked: float | None = None) -> dict[str, str]:
    """``{row label: model}`` of the d-D VAEs of ``betas`` for ``reconstruction_rows``."""
    return {f"β = {b:g}" + (" ◀" if b == marked else ""): zoo.beta_name(d, b) for b in betas}


def rung_figures(beta: float, seed: int) -> None:
    """Prefetch job of KL weighting: the figures and charts of the chosen-β views for another 2-D
    rung."""
    name = zoo.beta_name(2, beta)
    codes_spec(name, seed)
    mix_specs(zoo.BETAS_2D, beta, seed)
    rows_png(*reconstruction_rows(seed, rungs(2, (beta,)))[:2])
    prior_png(name, seed)
    curve_specs(name)


def switch_off_words(dims: pd.DataFrame, active: dict[float, int]) -> str:
    """What the largest built β of a ladder does to its dimensions, from ``dims_by_beta``'s rows:
    how many it switches off, or, when it switches none off, how far it squeezes each one."""
    b_max = max(active)
    part = dims[dims["beta"] == f"{b_max:g}"]
    d, off = len(part), len(part) - active[b_max]
    if off:
        return (
            f" At β = {b_max:g}, {off} of the {d} dimensions {'is' if off == 1 else 'are'} "
            "switched off: they cost no KL and carry nothing."
        )
    ref = dims[dims["beta"] == "1"]
    return (
        f" Even at β = {b_max:g} none of the {d} dimensions is switched off: each still carries at "
        "least "
        f"{part['KL'].min():.2f} nats"
        + (f" (β = 1: at least {ref['KL'].min():.2f})" if len(ref) else "")
        + ". This β squeezes every dimension rather than dropping some."
    )
