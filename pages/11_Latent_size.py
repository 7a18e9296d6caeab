"""Latent size: the same VAE with 2, 3, 5, 10, 20 and 32 latent dimensions (``vae.zoo.LATENT_SIZES``).

Reconstructions of the same test digits by every size, test -ELBO / reconstruction / KL against
the size, and how many dimensions stay active (Burda et al. 2016) as the latent grows.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, params
from ui import common as ui
from ui import words
from vae import latent, units, zoo
from vae.artefacts import CacheError
from vae.losses import ACTIVE_UNIT_THRESHOLD, bce_per_image
from ui.style import CHART_HEIGHT, MODEL_CACHE_ENTRIES

LESSON = ui.setup_page(__file__,
              "how the size of the latent code limits a VAE: what more dimensions buy in reconstruction and "
              "ELBO, what they cost in KL, and how many of them the model actually uses.")

SIZES = tuple(zoo.LATENT_SIZES)
SEED_MAX = 9999
LOG_X = alt.Scale(type="log", domain=[min(SIZES) * 0.9, max(SIZES) * 1.1], nice=False)
SIZE_AXIS = alt.Axis(values=list(SIZES), format="d", grid=False)


def size_name(d: int) -> str:
    return zoo.beta_name(d, 1.0)  # "vae-{d}d": the plain (beta = 1) VAE of that size


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def kl_per_dim(name: str) -> np.ndarray:
    """Mean KL of each dimension over the test codes (raises CacheError when the codes are missing)."""
    c = ui.codes(name)
    return units.mean_kl_per_dim(c["mu"], c["logvar"])


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def active_count(name: str) -> int:
    """Active units of a model's test codes (raises CacheError when the codes are missing)."""
    return units.unit_activity(ui.codes(name)["mu"])[0]


def missing_note(problems: dict[str, CacheError], what: str) -> None:
    """List the models that cannot be used, with the reason and the rebuild command (as ui.cache_guard)."""
    if problems:
        lines = "  \n".join(f"`{n}`: `{e.path.name}` {e.problem}" for n, e in problems.items())
        st.info(f"Left out of {what}:  \n{lines}  \nThey appear as `python -m vae.build` finishes them "
                "(or rebuild one with `python -m vae.build --only NAME --force`).", icon=":material/hourglass_empty:")


# --- the idea -----------------------------------------------------------------------------------

st.header("The idea")
st.markdown(
    "The code z is the only path from encoder to decoder, so its size d bounds what can get through. "
    "The VAE's loss, the negative ELBO, pays for each dimension separately:")
st.latex(r"-\mathrm{ELBO}(x) = \underbrace{\mathbb{E}_{q(z\mid x)}\big[-\log p(x\mid z)\big]}_{\text{reconstruction}}"
         r" + \sum_{i=1}^{d} \underbrace{\mathrm{KL}\big(q(z_i\mid x)\,\|\,\mathcal{N}(0,1)\big)}_{\text{cost of dimension } i}")
st.markdown(
    "More dimensions let the code carry more detail (lower reconstruction cost), but every nat it carries is "
    "charged in KL. A dimension that does not pay for itself is switched off: its q(zᵢ|x) becomes the prior "
    "for every image, it costs nothing and carries nothing. We count a dimension as **active** when its mean "
    rf"code varies across the test images, Var\_x(μᵢ) > {ACTIVE_UNIT_THRESHOLD:g} (Burda et al. 2016).")

with ui.cache_guard():
    images_u8, labels = ui.test_set()  # only ten images are needed: converted to float on the fly

# --- the numbers of every size ---------------------------------------------------------------------

rows, problems = [], {}
for d in SIZES:
    n = size_name(d)
    try:
        meta = ui.info(n)
        m = meta["metrics"]
    except CacheError as exc:
        problems[n] = exc
        continue
    try:  # from the test codes; the checkpoint's own count when the codes are not there
        au = active_count(n)
    except CacheError:
        au = int(m["active_units"]) if "active_units" in m else None
    rows.append({"latent size": d, "model": n, "test −ELBO (nats)": float(m["test_elbo"]),
                 "reconstruction (nats)": float(m["test_recon"]), "KL (nats)": float(m["test_kl"]),
                 "active units": au, "inactive units": None if au is None else d - au,
                 "−ELBO, 500 images": m.get("subset_elbo"), "−log p(x) bound, k = 1,000": m.get("subset_iwae"),
                 "epochs": int(meta["train_config"]["epochs"])})
table = pd.DataFrame(rows, columns=["latent size", "model", "test −ELBO (nats)", "reconstruction (nats)",
                                    "KL (nats)", "active units", "inactive units", "−ELBO, 500 images",
                                    "−log p(x) bound, k = 1,000", "epochs"])
if table["epochs"].nunique() <= 1 and not table.empty:
    ui.caveat(f"All six models share the architecture, the data, the seed, β = 1 and one training budget "
              f"({ui.budget_words(ui.info(table['model'].iloc[0])['train_config'])}), so the only difference "
              "between them is the latent size.")
else:
    ui.caveat("All six models share the architecture, the data, the seed and β = 1, but not yet the training "
              "budget (the table's epochs column): where it differs, the model that trained longer has an "
              "advantage that is not due to its latent size.")

# --- controls and reconstructions ------------------------------------------------------------------

st.header("The same digits through every bottleneck")


@st.fragment
def reconstructions() -> None:
    ui.bind("ls_seed", "seed", lambda raw: params.parse_int(raw, 0, SEED_MAX, 0))
    seed = int(st.number_input("seed (which test digits: one of each class)", min_value=0, max_value=SEED_MAX,
                               step=1, key="ls_seed"))
    ui.share({"seed": seed})
    idx = latent.random_members(labels, seed)  # one test digit per class
    x = images_u8[idx].astype(np.float32) / 255.0  # (10, 28, 28) in [0, 1], a fresh copy
    img_rows = {"original": x}
    captions = [[f"test #{i}" for i in idx]]
    failed: dict[str, CacheError] = {}
    for d in SIZES:
        n = size_name(d)
        if n in problems:
            continue
        try:
            mu, _ = ui.encode(n, x)
            rec = ui.decode(n, mu)  # (10, 28, 28): decoder mean at the code's mean
        except CacheError as exc:
            failed[n] = exc
            continue
        img_rows[f"d = {d}"] = rec
        captions.append([f"{v:.0f} nats" for v in bce_per_image(rec, x)])
    if len(img_rows) == 1:
        st.info("No model of the latent-size ladder is built yet, so there is nothing to reconstruct.", icon=":material/hourglass_empty:")
    else:
        png = charts.png(charts.image_rows, img_rows, captions, size=0.95)
        ui.download_png(png, f"reconstructions-latent-size-seed{seed}.png", key="ls_rec_png")
        charts.show(png)
        st.caption("Each test digit is encoded to its mean code μ and decoded by the VAE with latent size d. Under "
                   "each reconstruction: its reconstruction cost (BCE summed over the 784 pixels, nats; lower is "
                   "more faithful).")
    missing_note({**problems, **failed}, "the reconstructions")


reconstructions()

# --- loss and active units against size ----------------------------------------------------------

st.header("What each extra dimension buys")
if table.empty:
    missing_note(problems, "the charts")
    ui.stop()

long = table.melt(id_vars=["latent size", "epochs"], value_vars=["test −ELBO (nats)", "reconstruction (nats)", "KL (nats)"],
                  var_name="term", value_name="nats")
long["term"] = long["term"].str.replace(" (nats)", "", regex=False)
col_loss, col_au = st.columns(2, gap="large")
with col_loss:
    st.subheader("Test loss terms")
    term_color = alt.Color("term:N", title="term", scale=alt.Scale(
        domain=["test −ELBO", "reconstruction", "KL"], range=["#4e79a7", "#f28e2b", "#59a14f"]))
    x_size = alt.X("latent size:Q", title="latent size", scale=LOG_X, axis=SIZE_AXIS)
    tip = ["latent size:Q", "term:N", alt.Tooltip("nats:Q", format=".2f"), "epochs:Q"]
    big = long[long["term"] != "KL"]
    loss_chart = alt.Chart(big).mark_line(point=True).encode(
        x=x_size, y=alt.Y("nats:Q", title="nats per test image", scale=alt.Scale(zero=False)),
        color=term_color, tooltip=tip).properties(height=CHART_HEIGHT - 100, title="−ELBO and reconstruction")
    st.altair_chart(loss_chart, width="stretch", key="ls_loss_chart")
    kl_chart = alt.Chart(long[long["term"] == "KL"]).mark_line(point=True).encode(
        x=x_size, y=alt.Y("nats:Q", title="nats per test image"), color=term_color, tooltip=tip,
    ).properties(height=160, title="KL")
    st.altair_chart(kl_chart, width="stretch", key="ls_kl_chart")
    st.caption("Averages over the 10,000 test digits (one posterior sample each); −ELBO = reconstruction + KL. "
               "Latent size on a log scale; the upper chart's y axis does not start at 0.")
with col_au:
    st.subheader("Active units")
    au = table.dropna(subset=["active units"])
    if au.empty:
        st.info("No active-unit count is available yet.", icon=":material/hourglass_empty:")
    else:
        ref = pd.DataFrame({"latent size": [0, max(SIZES)], "active units": [0, max(SIZES)]})
        sym = alt.Scale(type="symlog", domain=[0, max(SIZES) * 1.1], nice=False)  # like log, but 0 fits
        axis = alt.Axis(values=[0, *SIZES], format="d")
        diag = alt.Chart(ref).mark_line(strokeDash=[6, 4], color="gray").encode(
            x=alt.X("latent size:Q", title="latent size", scale=sym, axis=axis),
            y=alt.Y("active units:Q", title="active units", scale=sym, axis=axis))
        pts = alt.Chart(au).mark_line(point=alt.OverlayMarkDef(size=80), color="#4e79a7").encode(
            x=alt.X("latent size:Q", title="latent size", scale=sym, axis=axis),
            y=alt.Y("active units:Q", title="active units", scale=sym, axis=axis),
            tooltip=["latent size:Q", "active units:Q", "inactive units:Q", "epochs:Q"])
        label = alt.Chart(pd.DataFrame({"latent size": [max(SIZES) * 0.45], "active units": [max(SIZES) * 0.62],
                                        "t": ["y = x: every dimension active"]})).mark_text(
            color="gray", fontSize=charts.fs(11), align="right").encode(x=alt.X("latent size:Q", scale=sym),
                                                             y=alt.Y("active units:Q", scale=sym), text="t:N")
        st.altair_chart(alt.layer(diag, pts, label).properties(height=CHART_HEIGHT), width="stretch",
                        key="ls_au_chart")
        st.caption(f"Dimensions with Var(μᵢ) > {ACTIVE_UNIT_THRESHOLD:g} over the test images. Dashed: y = x, "
                   "where every dimension is used; the gap below it is the number of switched-off dimensions. "
                   "Both axes on a log-like (symlog) scale.")

st.subheader("KL per dimension")
kl_rows = []
for d in SIZES:
    try:
        kl_d = np.sort(kl_per_dim(size_name(d)))[::-1]  # (d,) nats, largest first
    except CacheError:
        continue
    kl_rows += [{"latent size": str(d), "dimension (largest KL first)": i + 1, "KL (nats)": float(v)}
                for i, v in enumerate(kl_d)]
if kl_rows:
    kl_df = pd.DataFrame(kl_rows)
    sizes_built = [str(d) for d in SIZES if str(d) in set(kl_df["latent size"])]
    kl_dim_chart = alt.Chart(kl_df).mark_line(point=True).encode(
        x=alt.X("dimension (largest KL first):Q", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("KL (nats):Q", title="mean KL (nats)"),
        color=alt.Color("latent size:N", sort=sizes_built, title="latent size"),
        tooltip=["latent size:N", "dimension (largest KL first):Q", alt.Tooltip("KL (nats):Q", format=".3f")],
    ).properties(height=CHART_HEIGHT - 80)
    st.altair_chart(kl_dim_chart, width="stretch", key="ls_kl_dims_chart")
    st.caption("Each dimension's share of the KL term, KL(q(zᵢ|x) ‖ N(0, 1)) averaged over the test images, "
               "sorted from the largest: a dimension near 0 nats carries no information about the image. "
               "The active-unit count uses the spread of the codes instead (Var(μᵢ)); both mark the same "
               "dimensions as used.")

st.subheader("The numbers")
shown = table.round({"test −ELBO (nats)": 2, "reconstruction (nats)": 2, "KL (nats)": 2,
                     "−ELBO, 500 images": 2, "−log p(x) bound, k = 1,000": 2})
st.dataframe(shown, hide_index=True, width="stretch")
st.caption("The last two number columns are measured on the same fixed 500 test images (the first 50 of "
           "each digit): the one-sample −ELBO and the importance-weighted bound with 1,000 samples (Burda "
           "et al. 2016), which is closer to the model's true −log p(x). Their gap is what the ELBO leaves out.")
ui.download_csv(shown, "latent-size.csv", key="ls_csv")
ui.nats_note()
missing_note(problems, "the charts and the table")

# --- what to notice -----------------------------------------------------------------------------------

obs = []
t = table.sort_values("latent size").reset_index(drop=True)
if len(t) >= 2:
    first, last = t.iloc[0], t.iloc[-1]
    elbo = dict(zip(t["latent size"], t["test −ELBO (nats)"]))
    epochs = dict(zip(t["latent size"], t["epochs"]))
    knee, best = units.plateau(list(elbo), list(elbo.values()), tol=2.0)
    s = ("Test −ELBO by latent size: " + ", ".join(f"{v:.1f} (d = {d})" for d, v in elbo.items()) + " nats. ")
    if knee != first["latent size"]:
        s += (f"Going from d = {first['latent size']} to d = {knee} it "
              f"{words.change_words(elbo[first['latent size']], elbo[knee])}; ")
        s += (f"from there to the best, d = {best}, only {elbo[knee] - elbo[best]:.1f} more."
              if knee != best else "that is the best of the built sizes.")
    else:
        s += f"The best is at d = {best}."
    worse = [d for d in elbo if d > best and elbo[d] > elbo[best]]
    if worse:
        recon = dict(zip(t["latent size"], t["reconstruction (nats)"]))
        s += (" Larger than that it gets worse again: " + ", ".join(
            f"d = {d} is {elbo[d] - elbo[best]:.1f} nats behind"
            + (f" with the same training budget (its reconstruction is {recon[d] - recon[best]:.1f} nats worse)"
               if epochs[d] == epochs[best] else f" ({epochs[d]} epochs against {epochs[best]})")
            for d in worse) + ".")
    obs.append(s)
    obs.append(f"Reconstruction cost falls from **{first['reconstruction (nats)']:.1f}** to "
               f"**{last['reconstruction (nats)']:.1f}** nats while KL rises from **{first['KL (nats)']:.1f}** to "
               f"**{last['KL (nats)']:.1f}** nats: the code carries more information, and pays for it."
               if last["reconstruction (nats)"] < first["reconstruction (nats)"] and last["KL (nats)"] > first["KL (nats)"]
               else f"Reconstruction cost: **{first['reconstruction (nats)']:.1f}** nats at d = {first['latent size']}, "
                    f"**{last['reconstruction (nats)']:.1f}** at d = {last['latent size']}; KL: "
                    f"**{first['KL (nats)']:.1f}** and **{last['KL (nats)']:.1f}** nats.")
if t["epochs"].nunique() > 1:
    obs.append("Not a perfectly fair race: the built models trained for "
               + ", ".join(f"{e} epochs (d = {', '.join(str(d) for d in g['latent size'])})"
                           for e, g in t.groupby("epochs"))
               + ", so part of each difference is training time rather than latent size.")
a = t.dropna(subset=["active units"])
if len(a):
    au_words = "Active units: " + ", ".join(f"{int(r['active units'])} of {r['latent size']}" for _, r in a.iterrows())
    full = [int(r["latent size"]) for _, r in a.iterrows() if r["active units"] == r["latent size"]]
    short = a[a["active units"] < a["latent size"]]
    if full and len(short):
        counts = sorted(set(int(v) for v in short["active units"]))
        sizes = ", ".join(f"d = {int(d)}" for d in short["latent size"])
        au_words += (f". Every dimension is used up to d = {max(full)}; "
                     + (f"at {sizes} the model uses {counts[0]} dimensions whatever the size, and switches the "
                        "others off." if len(counts) == 1 else
                        f"at {sizes} some dimensions are switched off ("
                        + ", ".join(f"{int(r['inactive units'])} of {int(r['latent size'])}" for _, r in short.iterrows())
                        + ")."))
    elif not len(short):
        au_words += ": every dimension of every built model is in use."
    else:
        au_words += "."
    obs.append(au_words)
if not obs:
    obs.append("The numbers appear here once at least two latent sizes are built (`python -m vae.build`).")
ui.notice(obs)
ui.lesson_links(LESSON)
