"""Latent size: the same VAE with 2, 3, 5, 10, 20 and 32 latent dimensions
(``vae.zoo.LATENT_SIZES``).

Reconstructions of the same test digits by every size, test -ELBO / reconstruction / KL against
the size, and how many dimensions stay active (Burda et al. 2016) as the latent grows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.lessons import ladders
from ui.lessons.latent_size import claims
from ui.lessons.model_facts import N_TOPK, keep_top_curve, size_name
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import units, zoo
from vae.artefacts import CacheError
from vae.losses import ACTIVE_UNIT_THRESHOLD

LESSON = frame.setup_page(
    __file__,
    "how the size of the latent code limits a VAE: what more dimensions buy in reconstruction and "
    "ELBO, what they cost in KL, and how many of them the model actually uses.",
)

SIZES = tuple(zoo.LATENT_SIZES)
SEED_MAX = 9999
THRESHOLDS = claims.THRESHOLDS  # nats of KL per dimension
DEFAULT_THR = 0.1


with frame.cache_guard():
    loaders.test_set()  # every view below needs the test set: without it the page stops here

# --- the numbers of every size
# ---------------------------------------------------------------------

rows, problems = [], {}
for d in SIZES:
    n = size_name(d)
    try:
        meta = loaders.info(n)
        m = meta["metrics"]
    except CacheError as exc:
        problems[n] = exc
        continue
    try:  # from the test codes; the checkpoint's own count when the codes are not there
        au = ladders.active_count(n)
    except CacheError:
        au = int(m["active_units"]) if "active_units" in m else None
    rows.append(
        {
            "latent size": d,
            "model": n,
            "test −ELBO (nats)": float(m["test_elbo"]),
            "reconstruction (nats)": float(m["test_recon"]),
            "KL (nats)": float(m["test_kl"]),
            "active units": au,
            "inactive units": None if au is None else d - au,
            "−ELBO, 500 images": m.get("subset_elbo"),
            "−log p(x) bound, k = 1,000": m.get("subset_iwae"),
            "epochs": int(meta["train_config"]["epochs"]),
        }
    )
table = pd.DataFrame(
    rows,
    columns=[
        "latent size",
        "model",
        "test −ELBO (nats)",
        "reconstruction (nats)",
        "KL (nats)",
        "active units",
        "inactive units",
        "−ELBO, 500 images",
        "−log p(x) bound, k = 1,000",
        "epochs",
    ],
)
who = "All six models" if len(table) == len(SIZES) else f"The {len(table)} models built so far"
if len(table) < 2:
    pass  # nothing to compare yet: the missing note below says what is left out
elif table["epochs"].nunique() <= 1:
    frame.caveat(
        f"{who} share the architecture, the data, the seed, β = 1 and one training budget "
        f"({loaders.budget_words(loaders.info(table['model'].iloc[0])['train_config'])}), so the "
        "only difference between them is the latent size."
    )
else:
    frame.caveat(
        f"{who} share the architecture, the data, the seed and β = 1, but not yet the training "
        "budget (the table's epochs column): where it differs, the model that trained longer has "
        "an advantage that is not due to its latent size."
    )

# --- controls and reconstructions
# ------------------------------------------------------------------


@st.fragment
def reconstructions() -> None:
    seed = int(
        links.url_widget(
            st.number_input,
            "seed (which test digits: one of each class)",
            min_value=0,
            max_value=SEED_MAX,
            value=0,
            step=1,
            key="ls_seed",
            parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
        )
    )
    img_rows, captions, failed = ladders.reconstruction_rows(
        seed, shown := {f"d = {d}": size_name(d) for d in SIZES if size_name(d) not in problems}
    )
    if len(img_rows) == 1:
        st.info(
            "No model of the latent-size ladder is built yet, so there is nothing to reconstruct.",
            icon=":material/hourglass_empty:",
        )
    else:
        png = render.png(png_figures.image_rows, img_rows, captions, size=0.95, fontsize=10)
        downloads.download_png(png, f"reconstructions-latent-size-seed{seed}.png", key="ls_rec_png")
        render.show(png, alt=ladders.rows_alt(seed, shown, img_rows, captions))
        st.caption(
            "Each test digit is encoded to its mean code μ and decoded by the VAE with latent size "
            "d. Under "
            "each reconstruction: its reconstruction cost (BCE summed over the 784 pixels, nats; "
            "lower is more faithful)."
        )
    frame.missing_note({**problems, **failed}, "the reconstructions")


reconstructions()
st.latex(
    r"-\mathrm{ELBO}(x) = \underbrace{\mathbb{E}_{q(z\mid x)}\big[-\log p(x\mid "
    r"z)\big]}_{\text{reconstruction}}"
    r" + \sum_{i=1}^{d} \underbrace{\mathrm{KL}\big(q(z_i\mid "
    r"x)\,\|\,\mathcal{N}(0,1)\big)}_{\text{cost of dimension } i}"
)
frame.secondary(
    "The code is the only path from encoder to decoder, so its size d bounds what gets through; "
    "every nat it "
    "carries is charged in KL. A dimension that does not pay for itself is switched off: its "
    "q(zᵢ|x) becomes the prior for every image, and it costs and carries nothing."
)

# --- loss and the KL of each dimension against size
# --------------------------------------------------

st.subheader("What each extra dimension buys, and what it costs")
if table.empty:
    frame.missing_note(problems, "the charts")
    frame.stop()
kl_dims = {}
for d in SIZES:
    try:
        kl_dims[d] = np.sort(ladders.kl_per_dim(size_name(d)))[::-1]  # (d,) nats, largest first
    except CacheError:
        continue
col_loss, col_kl = st.columns(2, gap="large")
render.draw(
    render.spec(altair_charts.size_loss_chart, table, list(SIZES)),
    col_loss,
    width="stretch",
    key="ls_loss_chart",
    alt=alt_text.listing_sentence(
        "Test −ELBO, reconstruction and KL (nats per test image) against the latent size",
        (
            f"{r['latent size']} dimensions: −ELBO {r['test −ELBO (nats)']:.1f}, "
            f"reconstruction {r['reconstruction (nats)']:.1f}, KL {r['KL (nats)']:.1f}"
            for _, r in table.sort_values("latent size").iterrows()
        ),
    ),
)
col_loss.caption(
    "Averages over the 10,000 test digits (one posterior sample each); −ELBO = reconstruction + "
    "KL. Latent size on a log scale."
)
with col_kl:
    thr = float(
        links.url_widget(
            st.select_slider,
            "A dimension is in use when its KL is above (nats)",
            THRESHOLDS,
            value=DEFAULT_THR,
            key="ls_thr",
            format_func=lambda v: f"{v:g}",
            parse=lambda raw: link_values.parse_choice(raw, list(THRESHOLDS), DEFAULT_THR),
        )
    )
    if kl_dims:
        used = {d: units.count_above(v, thr) for d, v in kl_dims.items()}
        render.draw(
            render.fill(
                render.spec(altair_charts.kl_dims_chart, kl_dims),
                threshold=pd.DataFrame({"y": [thr]}),
            ),
            width="stretch",
            key="ls_kl_dims_chart",
            alt=alt_text.listing_sentence(
                f"Each dimension's mean KL, sorted, per latent size; threshold {thr:g} nats",
                (
                    f"{d} dimensions: largest {v[0]:.2f} nats, smallest {v[-1]:.3f}, {used[d]} "
                    "above the threshold"
                    for d, v in kl_dims.items()
                ),
            ),
        )
        st.caption(
            "Each dimension's KL(q(zᵢ|x) ‖ N(0, 1)), averaged over the test images and sorted, on "
            "a log scale; "
            f"dashed: the threshold. In use at {thr:g} nats: "
            + ", ".join(f"{used[d]} of {d}" for d in kl_dims)
            + "."
        )


@st.fragment
def top_k(kl_dims: dict[int, np.ndarray]) -> None:
    """Cut the codes of a large model down to their k most used dimensions and decode."""
    big = [d for d in (32, 20) if d in kl_dims]
    if not big:
        return
    c1, c2 = st.columns(
        [1, 3]
    )  # both bound to the URL: the model by its latent size (?ls_topk_d=20), and k
    d = int(
        links.url_widget(
            c1.selectbox,
            "Model (latent size d)",
            big,
            index=0,
            key="ls_topk_d",
            help="The VAE with d latent dimensions: " + ", ".join(size_name(v) for v in big) + ".",
            parse=lambda raw: link_values.parse_choice(raw, big, big[0]),
        )
    )
    # one range for both models, so that k survives a change of model
    k_set = int(
        links.url_widget(
            c2.slider,
            "Keep the k dimensions with the most KL (the others set to the prior's mean 0)",
            1,
            max(big),
            value=10,
            key="ls_k",
            parse=lambda raw: link_values.parse_int(raw, 1, max(big), 10),
        )
    )
    k = min(k_set, d)
    curve = keep_top_curve(size_name(d))  # (d,) mean reconstruction loss for k = 1 .. d
    idx = ladders.test_digits(int(st.session_state.get("ls_seed", 0)))[
        0
    ]  # the ten digits shown above
    mu = loaders.codes(size_name(d))["mu"][idx]  # (10, d)
    order = np.argsort(-ladders.kl_per_dim(size_name(d)), kind="stable")
    rows = {
        f"top {k}": model_calls.decode(size_name(d), units.keep_top(mu, order, k)),
        f"all {d}": model_calls.decode(size_name(d), mu),
    }
    left, right = st.columns([3, 2])
    render.show(
        render.png(png_figures.image_rows, rows, None, size=0.8, fontsize=10),
        left,
        alt=alt_text.rows(
            f"The ten test digits above through {size_name(d)}, decoded with only its {k} "
            "dimensions of most KL kept (top row), "
            f"and with all {d} (bottom). By the nearest test image, "
            + "; ".join(
                alt_text.changes(loaders.test_set()[1][idx], alt_text.looks_like(r, idx), w)
                for w, r in rows.items()
            ),
            rows,
        ),
    )
    render.draw(
        render.fill(
            render.spec(altair_charts.keep_top_chart, curve),
            mark=pd.DataFrame({"k": [k], "loss": [curve[k - 1]]}),
        ),
        right,
        width="stretch",
        alt=alt_text.curve(
            f"Reconstruction loss of {size_name(d)} with only its top k dimensions "
            f"kept, k = {k} marked",
            range(1, d + 1),
            curve,
            "k",
            "nats",
            ".1f",
        ),
    )
    st.caption(
        "Right: the reconstruction loss at z = μ with only the top k dimensions kept, mean over "
        f"{N_TOPK} fixed "
        "test digits (50 of each). Left: the same ten digits as above."
    )


st.subheader("How many dimensions are enough? Cut a large code down")
with frame.cache_guard():
    top_k(kl_dims)
links.state_to_url()  # after the page's last bound control: the notice of ignored link parameters

with st.expander("The numbers, and active units by the spread of μ", icon=":material/table:"):
    shown = table.round(
        {
            "test −ELBO (nats)": 2,
            "reconstruction (nats)": 2,
            "KL (nats)": 2,
            "−ELBO, 500 images": 2,
            "−log p(x) bound, k = 1,000": 2,
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(
        "The last two number columns are measured on the same fixed 500 test images (the first 50 "
        "of each digit): "
        "the one-sample −ELBO and the importance-weighted bound with 1,000 samples (Burda et al. "
        "2016), closer to "
        "the model's true −log p(x). Active units: Var(μᵢ) over the test images above "
        f"{ACTIVE_UNIT_THRESHOLD:g}."
    )
    downloads.download_csv(shown, "latent-size.csv", key="ls_csv")
    frame.nats_note()
frame.missing_note(problems, "the charts and the table")

# --- what to notice
# -----------------------------------------------------------------------------------

obs = []
t = table.sort_values("latent size").reset_index(drop=True)
if len(t) >= 2:
    obs.append(
        claims.elbo_notice(
            dict(zip(t["latent size"], t["test −ELBO (nats)"])),
            dict(zip(t["latent size"], t["epochs"])),
        )
    )
if kl_dims:  # the sentences and the premises they check: ui.lessons.latent_size.claims
    facts = claims.SizeFacts(
        {d: tuple(map(float, v)) for d, v in kl_dims.items()},
        {d: tuple(map(float, keep_top_curve(size_name(d)))) for d in (32, 20) if d in kl_dims},
        THRESHOLDS,
    )
    obs += [claims.count_notice(facts, thr), claims.threshold_notice(facts)]
    obs += [s for s in [claims.topk_notice(facts, {d: size_name(d) for d in facts.curves})] if s]
if not obs:
    obs.append(
        "The numbers appear here once at least two latent sizes are built (`python -m vae.build`)."
    )
frame.notice(obs)
frame.lesson_links(LESSON)
