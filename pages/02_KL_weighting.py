"""KL weighting: what the weight beta of the KL term trades in a beta-VAE (Higgins et al. 2017).

One 2-D VAE per rung of the ladder ``vae.zoo.BETAS_2D`` and three 10-D VAEs (``BETAS_10D``): the
codes, reconstructions, prior samples and training curves of one beta, the rate-distortion
picture of the whole ladder (Alemi et al. 2018), per-dimension KL and active units in 10-D
(Burda et al. 2016), and a converter between averaged and summed loss conventions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, frames, params, plots, prefetch
from ui import common as ui
from vae import latent, units, zoo
from vae.artefacts import CacheError
from vae.losses import ACTIVE_UNIT_THRESHOLD, bce_per_image
from vae.train import history_frame
from ui.style import LATENT_RANGE, MODEL_CACHE_ENTRIES

LESSON = ui.setup_page(__file__,
              "what the weight β of the KL term buys (a tidy latent space you can sample from) and what "
              "it costs (sharp reconstructions), and how to read a KL weight when the loss terms are averaged.")

SEED_MAX = 9999


def cache_problem(exc: CacheError) -> None:
    """The message of ``ui.cache_guard`` for one model, without stopping the rest of the page."""
    st.error(f"**This view needs a file from `cache/` that cannot be used.**  \n"
             f"`{exc.path.name}` {exc.problem}.  \n"
             f"Rebuild it from the repository root with `{exc.rebuild}`. The rest of the page still works.",
             icon=":material/build:")


def missing_note(names: list[str], what: str) -> None:
    if names:
        st.info(f"Not built yet (left out of {what}): {', '.join(f'`{n}`' for n in names)}. "
                "They appear as `python -m vae.build` finishes them.", icon=":material/hourglass_empty:")


def try_info(name: str) -> dict | None:
    try:
        return ui.info(name)
    except CacheError:
        return None


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def dims_frame(name: str, beta: float) -> pd.DataFrame:
    """Per-dimension mean KL and activity of a 10-D model's test codes (raises CacheError if missing)."""
    c = ui.codes(name)
    return units.kl_dims_frame(c["mu"], c["logvar"], beta)


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_spread(name: str) -> float:
    """Root-mean-square distance of the test codes' means from the origin (raises CacheError if missing)."""
    mu = np.asarray(ui.codes(name)["mu"], dtype=np.float64)
    return float(np.sqrt((mu ** 2).sum(axis=1).mean()))


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def share_outside(name: str) -> float:
    """Share of the test codes' means outside the scatter's box (raises CacheError if missing)."""
    return float(latent.outside_box(np.asarray(ui.codes(name)["mu"]), *LATENT_RANGE).mean())


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def median_sigma(name: str) -> float:
    """Median posterior standard deviation sigma over test images and dimensions."""
    return float(np.median(np.exp(0.5 * np.asarray(ui.codes(name)["logvar"], dtype=np.float64))))


# --- the idea -----------------------------------------------------------------------------------

st.header("The idea")
st.markdown("A VAE is trained to minimise, for every image, a reconstruction cost plus **β times** a KL "
            "penalty that pulls each image's code distribution q(z|x) = N(μ, σ²) towards the prior N(0, I):")
st.latex(r"\mathcal{L}_\beta(x) = \underbrace{\mathbb{E}_{q(z\mid x)}\big[-\log p(x\mid z)\big]}"
         r"_{\text{distortion: BCE summed over 784 pixels}}"
         r" + \beta\,\underbrace{\mathrm{KL}\big(q(z\mid x)\,\|\,\mathcal{N}(0, I)\big)}_{\text{rate: nats the code carries}},"
         r"\qquad \mathrm{KL} = \tfrac12 \sum_{i=1}^{d}\big(\mu_i^2 + \sigma_i^2 - 1 - \log \sigma_i^2\big)")
st.markdown(
    "Rule of thumb, for the same architecture and data:\n"
    "- **β > 1** pushes the codes towards the prior: smoother latent space, more overlap between digits, "
    "blurrier reconstructions, fewer active latent dimensions.\n"
    "- **β < 1** favours reconstruction: sharper digits, codes spread out, and *holes* in the latent space "
    "where a sample from the prior decodes to something that is not a digit.\n"
    "- **β = 1** makes the loss exactly the negative evidence lower bound (−ELBO) of a VAE.\n"
    "- **β = 0**, precisely: the loss is an autoencoder's, but the encoder's noise remains. Training still "
    "decodes the reparameterised sample z = μ + σ·ε, ε ~ N(0, I); nothing penalises σ any more, so the model "
    "can shrink it freely (and move μ as far from the origin as it likes)."
)
ui.secondary(
    "Read the two terms as **rate** (how many nats of information the code carries about the image, the KL) "
    "and **distortion** (how badly the image comes back, the reconstruction cost). Every β picks one point on "
    "the trade-off between them: minimising D + β·R favours the point where the rate-distortion curve has "
    "slope −β (Alemi et al. 2018, *Fixing a Broken ELBO*). Large β makes each nat of rate expensive, so the "
    "model transmits less and reconstructs worse; small β makes rate cheap."
)

with ui.cache_guard():
    images_u8, labels = ui.test_set()  # only ten images are needed: converted to float on the fly
    subset = ui.scatter_subset()

# --- controls -------------------------------------------------------------------------------------

ladder_rows, ladder_missing = [], []  # the whole 2-D ladder, as far as it is built
for b in zoo.BETAS_2D:
    meta = try_info(zoo.beta_name(2, b))
    if meta is None:
        ladder_missing.append(zoo.beta_name(2, b))
        continue
    m = meta["metrics"]
    ladder_rows.append({"beta": float(b), "β": f"{b:g}", "model": zoo.beta_name(2, b),
                        "KL (nats)": float(m["test_kl"]), "reconstruction (nats)": float(m["test_recon"]),
                        "−ELBO (nats)": float(m["test_elbo"]), "epochs": int(meta["train_config"]["epochs"]),
                        "label": f"β={b:g}"})
rd = pd.DataFrame(ladder_rows, columns=["beta", "β", "model", "KL (nats)", "reconstruction (nats)",
                                        "−ELBO (nats)", "epochs", "label"])
rd["side"] = frames.label_sides(rd["KL (nats)"], rd["reconstruction (nats)"]) if len(rd) else []


def epochs_words(frame: pd.DataFrame) -> str:
    """'10 epochs each' or '12 epochs (β = 1), 10 epochs (β = 0, 0.1, …)' for built models."""
    groups = frame.groupby("epochs")["β"].apply(list)
    if len(groups) == 1:
        return f"{groups.index[0]} epochs each"
    return "; ".join(f"{e} epochs (β = {', '.join(bs)})" for e, bs in groups.items())


def codes_spec(mu: np.ndarray) -> dict:
    """``plots.codes_chart`` of the plotted subset's codes (N, 2), built once per model."""
    return charts.spec(plots.codes_chart, mu, labels[subset], subset)


# --- the chosen beta: codes | the whole ladder, then what the decoder makes of it and how it trained.
# One fragment: moving β reruns only this part of the page, not the 10-D comparison or the converter.

@st.fragment
def chosen_beta(rd: pd.DataFrame) -> None:
    st.header("Choose β")
    ui.bind("kl_beta", "beta", lambda raw: params.parse_ladder_value(raw, zoo.BETAS_2D, 1.0))
    beta = st.select_slider("β, the weight of the KL term (2-D VAEs)", options=list(zoo.BETAS_2D),
                            format_func=lambda b: f"{b:g}", key="kl_beta",
                            help="One 2-D VAE was trained for each value: same architecture, data and seed"
                                 + (f"; {epochs_words(rd)}." if not rd.empty else "."))
    ui.share({"beta": float(beta)})
    name = zoo.beta_name(2, beta)
    st.caption(f"Model `{name}`: {zoo.entry(name).blurb}.")
    chosen = rd[rd["beta"] == beta]

    col_codes, col_rd = st.columns(2, gap="large")
    with col_codes:
        st.subheader(f"Latent codes at β = {beta:g}")
        try:
            codes = ui.codes(name)
        except CacheError as exc:
            codes = None
            cache_problem(exc)
        if codes is not None:
            mu = codes["mu"][subset]  # (3000, 2), a copy (fancy indexing)
            n_outside = int(latent.outside_box(mu, *LATENT_RANGE).sum())
            charts.draw(codes_spec(mu), width="content", key="kl_scatter")
            lo, hi = LATENT_RANGE
            edge = (f" **{n_outside:,} of {len(mu):,}** codes fall outside the box and are drawn on its edge "
                    "(hover shows their true position)." if n_outside else " All of them lie inside the box.")
            st.caption(f"Posterior means μ of {len(mu):,} test digits ({len(mu) // 10} per digit), on the same axes "
                       f"({lo:g} to {hi:g}) for every β so that the squeeze is visible. Dashed: the circle holding "
                       f"99 % of the prior N(0, I).{edge} Median posterior σ at this β: {median_sigma(name):.2g} "
                       "(the prior's: 1).")
            ui.download_csv(charts.codes_frame(mu, labels[subset], subset), f"codes-{name}.csv",
                            key="kl_codes_csv", label="Download these codes (CSV)")

    with col_rd:
        st.subheader("Rate and distortion across the ladder")
        if rd.empty:
            st.info("No model of the β ladder is built yet, so there is nothing to plot.", icon=":material/hourglass_empty:")
        else:
            # the ladder is built once; the chosen rung from a one-row template given this row
            chart = charts.spec(plots.rd_chart, rd)
            if not chosen.empty:
                chart = charts.overlay(chart, charts.with_data(charts.spec(plots.rd_chosen, rd.iloc[:1]), chosen))
            charts.draw(chart, width="stretch", key="kl_rd")
            st.caption("Test-set averages over the 10,000 test digits (one posterior sample each). A larger β makes "
                       "each nat of rate dearer, which pushes a model left (less KL) and up (worse reconstruction). "
                       "The red ring marks the chosen β"
                       + ("; the dashed line holds the points whose rate + distortion (−ELBO) equals the β = 1 "
                          "model's." if (rd["beta"] == 1.0).any() else "."))
            if rd["epochs"].nunique() > 1:
                st.caption(f"Training budgets: {epochs_words(rd)}. A rung that trained longer has a small advantage.")
            missing_note(ladder_missing, "this chart")
            ui.download_csv(rd.drop(columns=["label", "side"]), "beta-ladder-2d.csv", key="kl_rd_csv")
            ui.nats_note()

    decoded_views(name, beta)
    training_curves(name, beta)
    # the rungs either side of this one are drawn in the background, for the next move of the slider
    i = zoo.BETAS_2D.index(beta)
    for b in zoo.BETAS_2D[i + 1:i + 2] + zoo.BETAS_2D[max(i - 1, 0):i]:
        if ui.built(zoo.beta_name(2, b)):  # a rung not built has nothing to draw ahead
            prefetch.later(rung_figures, b, int(st.session_state.get("kl_seed", 0)))


# --- reconstructions and prior samples (only these depend on the seed) ------------------------------

@st.fragment
def decoded_views(name: str, beta: float) -> None:
    st.header(f"What the decoder makes of it at β = {beta:g}")
    ui.bind("kl_seed", "seed", lambda raw: params.parse_int(raw, 0, SEED_MAX, 0))
    c1, c2 = st.columns([1, 2])
    seed = int(c1.number_input("seed (which test digits, which prior samples)", min_value=0, max_value=SEED_MAX,
                               step=1, key="kl_seed"))
    every = c2.toggle("compare every β of the ladder", key="kl_every",
                      help="One row of reconstructions per built 2-D model, same test digits.")
    ui.share({"seed": seed})

    rows, captions, problems = reconstruction_rows(seed, zoo.BETAS_2D if every else (beta,), beta if every else None)
    if name in problems:
        cache_problem(problems[name])
    st.subheader("Reconstructions")
    if len(rows) > 1:
        png = reconstructions_png(rows, captions)
        ui.download_png(png, f"reconstructions-beta-seed{seed}.png", key="kl_rec_png")
        charts.show(png)
        st.caption("Each test digit is encoded to its mean code μ and decoded. Under each reconstruction: its "
                   "reconstruction cost, BCE summed over the 784 pixels (nats; lower is sharper and more faithful).")
    if every:
        missing_note([n for n in problems if n != name], "the rows above")

    st.subheader("Samples from the prior")
    try:
        png = prior_png(name, seed)
    except CacheError:
        st.info(f"`{name}` is not available, so there is nothing to sample from yet.", icon=":material/hourglass_empty:")
        return
    ui.download_png(png, f"prior-samples-{name}-seed{seed}.png", key="kl_prior_png")
    charts.show(png)
    st.caption("Ten codes drawn from the prior z ~ N(0, I) (seeded) and decoded; under each, its code (z₁, z₂). "
               "Where the codes of real digits do not cover the prior, these land in holes.")


def reconstruction_rows(seed: int, betas: tuple[float, ...], marked: float | None
                        ) -> tuple[dict[str, np.ndarray], list[list[str]], dict[str, CacheError]]:
    """One test digit per class (chosen by ``seed``) and its reconstruction by the 2-D VAE of each β
    in ``betas`` (the row of ``marked`` flagged), with each image's cost; models that cannot be
    loaded are left out and returned with their error."""
    idx = latent.random_members(labels, seed)  # one test digit per class
    x = images_u8[idx].astype(np.float32) / 255.0  # (10, 28, 28) in [0, 1], a fresh copy
    rows = {"original": x}
    captions = [[f"test #{i}" for i in idx]]
    problems = {}
    for b in betas:
        n = zoo.beta_name(2, b)
        try:
            mu, _ = ui.encode(n, x)
            rec = ui.decode(n, mu)  # (10, 28, 28): the decoder's mean at the code's mean
        except CacheError as exc:
            problems[n] = exc
            continue
        rows[f"β = {b:g}" + (" ◀" if b == marked else "")] = rec
        captions.append([f"{v:.0f} nats" for v in bce_per_image(rec, x)])
    return rows, captions, problems


def reconstructions_png(rows: dict[str, np.ndarray], captions: list[list[str]]) -> bytes:
    """The rows from ``reconstruction_rows`` as one figure."""
    return charts.png(charts.image_rows, rows, captions, size=0.95)


def curve_specs(hist: pd.DataFrame) -> dict[str, dict]:
    """The training-curve chart of each loss term, from ``vae.train.history_frame``."""
    return {term: charts.spec(plots.curve_chart, hist[hist["term"] == term], term) for term in ("reconstruction", "KL")}


def prior_png(name: str, seed: int) -> bytes:
    """Ten seeded codes from the prior N(0, I), decoded by ``name``, each captioned with its code."""
    z = np.random.default_rng(seed).standard_normal((10, 2))  # (10, 2), z ~ N(0, I)
    return charts.png(charts.image_strip, ui.decode(name, z), [f"({a:.1f}, {b:.1f})" for a, b in z])


def rung_figures(beta: float, seed: int) -> None:
    """Prefetch job: the figures and charts of the chosen-β views for another rung of the ladder."""
    name = zoo.beta_name(2, beta)
    codes_spec(ui.codes(name)["mu"][subset])
    reconstructions_png(*reconstruction_rows(seed, (beta,), None)[:2])
    prior_png(name, seed)
    curve_specs(history_frame(ui.info(name).get("history", {})))


# --- training curves ------------------------------------------------------------------------------

def training_curves(name: str, beta: float) -> None:
    st.header(f"How `{name}` trained")
    meta = try_info(name)
    if meta is None:
        st.info(f"`{name}` is not built yet, so there are no training curves to show.", icon=":material/hourglass_empty:")
        return
    hist = history_frame(meta.get("history", {}))
    if hist.empty:
        st.info("This checkpoint holds no training history.")
        return
    cols = st.columns(2)
    for col, (term, chart) in zip(cols, curve_specs(hist).items()):
        charts.draw(chart, col, width="stretch", key=f"kl_curve_{term}")
    st.caption("Train: average over the epoch's batches while the weights were still changing; test: the 10,000 "
               f"test digits after the epoch. The model minimised reconstruction + {beta:g} × KL.")
    wide = hist.pivot_table(index="epoch", columns=["split", "term"], values="nats")
    wide.columns = [f"{s} {t} (nats)" for s, t in wide.columns]
    ui.download_csv(wide.reset_index(), f"history-{name}.csv", key="kl_hist_csv")


chosen_beta(rd)

# --- 10-D: per-dimension KL and active units --------------------------------------------------------

st.header("Posterior collapse in 10 dimensions")
ui.caveat(
    "With more latent dimensions than the data needs, the KL term can switch dimensions off: for such a "
    "dimension q(zᵢ|x) equals the prior for every image (μᵢ ≈ 0, σᵢ ≈ 1), it costs no KL and carries no "
    "information. A dimension counts as **active** when its mean code varies across the test images, "
    rf"Var\_x(μᵢ) > {ACTIVE_UNIT_THRESHOLD:g} (Burda et al. 2016)."
)
dims_frames, active, missing10, ep10 = [], {}, [], {}
for b in zoo.BETAS_10D:
    n10 = zoo.beta_name(10, b)
    try:
        f = dims_frame(n10, b)
        ep10[b] = int(ui.info(n10)["train_config"]["epochs"])
    except CacheError:
        missing10.append(n10)
        continue
    dims_frames.append(f)
    active[b] = int((f["active"] == "active").sum())
if dims_frames:
    dims = pd.concat(dims_frames, ignore_index=True)
    y_max = float(dims["KL"].max()) * 1.08 or 1.0
    cols = st.columns(len(zoo.BETAS_10D))
    for col, b in zip(cols, zoo.BETAS_10D):
        if b not in active:
            col.info(f"β = {b:g}: `{zoo.beta_name(10, b)}` is not built yet.", icon=":material/hourglass_empty:")
            continue
        part = dims[dims["beta"] == f"{b:g}"]
        col.metric(f"β = {b:g}: active units", f"{active[b]} of {len(part)}",
                   help=f"dimensions with Var(μᵢ) > {ACTIVE_UNIT_THRESHOLD:g} over the test images")
        charts.draw(charts.spec(plots.dims_chart, part, b, y_max), col, width="stretch", key=f"kl_dims_{b:g}")
    st.caption("Mean over the 10,000 test digits of each dimension's KL(q(zᵢ|x) ‖ N(0, 1)), same scale on all three "
               "charts. Grey bars: inactive dimensions."
               + ("" if len(set(ep10.values())) == 1 else " Training budgets differ ("
                  + ", ".join(f"β = {b:g}: {e} epochs" for b, e in ep10.items())
                  + "), a second difference between these models besides β."))
    ui.download_csv(dims.rename(columns={"var_mu": "Var(mu)"}), "kl-per-dimension-10d.csv", key="kl_dims_csv")
missing_note(missing10, "the 10-D comparison")

# --- converter ----------------------------------------------------------------------------------------

st.header("The same weight means different β: averaged vs summed losses")
st.markdown(
    "Here both terms are **summed** per image (784 pixels, d latent dimensions). Many tutorials instead "
    "**average** them, and then a 'KL weight' w means something else. Multiplying an averaged loss by the pixel "
    "count P does not move its minimum, so:")
st.latex(r"\frac{1}{P}\sum_{j=1}^{P}\mathrm{BCE}_j + w\,\frac{1}{d}\sum_{i=1}^{d}\mathrm{KL}_i"
         r"\;\;\propto\;\;\sum_{j=1}^{P}\mathrm{BCE}_j + \underbrace{w\,\frac{P}{d}}_{\beta}\;\sum_{i=1}^{d}\mathrm{KL}_i")


@st.fragment
def converter() -> None:
    c1, c2, c3 = st.columns(3)
    w = c1.number_input("KL weight w (averaged convention)", min_value=0.0, max_value=1e6, value=0.01,
                        step=0.001, format="%g", key="kl_conv_weight")
    p = int(c2.number_input("pixels averaged over, P", min_value=1, max_value=1_000_000, value=784, step=1,
                            key="kl_conv_pixels"))
    d = int(c3.number_input("latent dimensions averaged over, d", min_value=1, max_value=4096, value=2, step=1,
                            key="kl_conv_dims"))
    try:
        b_eq = units.equivalent_beta(float(w), p, d)
    except ValueError as exc:
        st.warning(f"Cannot convert: {exc}.")
        return
    st.latex(rf"\beta = w\cdot\frac{{P}}{{d}} = {w:g}\times\frac{{{p}}}{{{d}}} = {b_eq:.4g}")
    back = d / p
    verdict = ("stronger than the true ELBO (β > 1): expect the squeeze of the large-β models"
               if b_eq > 1 else "weaker than the true ELBO (β < 1): expect the spread of the small-β models"
               if b_eq < 1 else "exactly the ELBO")
    st.markdown(f"On this app's per-image summed scale that is **β = {b_eq:.4g}**, {verdict}. "
                f"Conversely, β = 1 here corresponds to w = d / P = {back:.3g} in the averaged convention.")


converter()

# --- what to notice -----------------------------------------------------------------------------------

obs = []
spread = {}
for b in zoo.BETAS_2D:
    try:
        spread[b] = code_spread(zoo.beta_name(2, b))
    except CacheError:
        pass
if len(spread) >= 2:
    lo_b, hi_b = min(spread), max(spread)
    out_lo, out_hi = share_outside(zoo.beta_name(2, lo_b)), share_outside(zoo.beta_name(2, hi_b))
    obs.append(f"The codes' root-mean-square distance from the origin is **{spread[lo_b]:.2f}** at β = {lo_b:g} "
               f"and **{spread[hi_b]:.2f}** at β = {hi_b:g} (for the prior itself it is √2 ≈ 1.41); "
               f"{out_lo:.1%} of the test codes fall outside the ±{LATENT_RANGE[1]:g} box of the scatter at "
               f"β = {lo_b:g}, {out_hi:.1%} at β = {hi_b:g}.")
sig = {}
for b in (0.0, 1.0):
    try:
        sig[b] = median_sigma(zoo.beta_name(2, b))
    except CacheError:
        pass
if len(sig) == 2:
    obs.append(f"The encoder's noise: the median posterior σ is **{sig[0.0]:.2g}** at β = 0 against "
               f"**{sig[1.0]:.2g}** at β = 1. With no KL term nothing stops the model from shrinking σ"
               + (", and it does." if sig[0.0] < sig[1.0] else "; here it did not shrink it below β = 1's."))
if len(rd) >= 2:
    lo, hi = rd.iloc[0], rd.iloc[-1]  # ladder order: smallest and largest built beta
    best = rd.loc[rd["−ELBO (nats)"].idxmin()]
    obs.append(f"From β = {lo['β']} to β = {hi['β']} the reconstruction cost goes from "
               f"**{lo['reconstruction (nats)']:.1f}** to **{hi['reconstruction (nats)']:.1f}** nats while the KL goes "
               f"from **{lo['KL (nats)']:.2f}** to **{hi['KL (nats)']:.2f}** nats; the lowest −ELBO (rate + "
               f"distortion) of the built models, {best['−ELBO (nats)']:.1f} nats, belongs to β = {best['β']}"
               + (", all rungs trained alike." if rd["epochs"].nunique() == 1 else
                  f" (which trained for {best['epochs']} epochs, some rungs for fewer: part of its lead may be "
                  "training time)." if (rd["epochs"] < best["epochs"]).any() else
                  f" although it trained for {best['epochs']} epochs and some rungs for more."))
if active:
    obs.append("Active units in 10-D: " + ", ".join(f"**{active[b]} of 10** at β = {b:g}" for b in sorted(active))
               + " — dimensions the KL term has switched off carry no information about the digit"
               + (f" (budgets differ: {', '.join(f'β = {b:g}: {e} epochs' for b, e in ep10.items())})."
                  if len(set(ep10.values())) > 1 else "."))
if not obs:
    obs.append("The numbers appear here once the models of the β ladder are built (`python -m vae.build`).")
ui.notice(obs)
ui.lesson_links(LESSON)
