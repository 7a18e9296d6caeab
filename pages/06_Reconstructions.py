"""Reconstructions: the same test digits through several models, one row each, every reconstruction
that turned into another digit framed (a 1-nearest-neighbour rule in pixel space, stated on the
page), and its *excess* loss: -log p(x | z = mu) minus the image's own entropy, the Bernoulli KL
between the image and its reconstruction, 0 for a perfect copy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, png_figures, render
from ui.draw.style import MODEL_CACHE_ENTRIES
from ui.lessons import words
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import live, neighbours, zoo
from vae.latent import pick_digit, pick_random
from vae.pixels import binarize, image_entropy

MODES = ("random", "digit", "index")
MODE_LABELS = {
    "random": "random test digits",
    "digit": "examples of one digit",
    "index": "by test index",
}
LADDER = ("ae-2d", "vae-2d", "vae-10d", "vae-32d")  # small to large codes, the AE as the contrast
N_RANGE = (4, 12)
N_DEFAULT = 8
IDX_DEFAULT = "0, 1, 2, 3, 4, 5, 6, 7"
IDX_MAX_CHARS = 300  # a link's test indices beyond this are cut off
T_DEFAULT = 0.5
SEED_MAX = 1_000_000
N_RATE = (
    1000  # the fixed, stratified test digits over which each model's kept-digit rate is counted
)

LESSON = frame.setup_page(
    __file__,
    "what survives the bottleneck: the same test digits through models with 2 to 32 latent "
    "numbers, which reconstructions turn into another digit, and how much each loses, in nats.",
)

ALL = [
    n for n in zoo.names() if zoo.entry(n).model.kind != "cvae"
]  # the CVAE is told the digit: its own lesson
BUILT = [n for n in ALL if loaders.built(n)]
DEFAULT_MODELS = [n for n in LADDER if n in BUILT] or BUILT[:1] or [LADDER[0]]


def _parse_models(linked: list[str]) -> tuple[list[str], bool]:
    names = [n for n in dict.fromkeys(linked) if n in ALL][:5]
    return (names, True) if names else (list(DEFAULT_MODELS), False)


# Every control is bound to the URL parameter named by its key (links.url_widget); a control that
# its mode
# hides leaves the link (and keeps its value in this session).
options = links.offered(
    BUILT, ALL, "rec_models", DEFAULT_MODELS
)  # unbuilt when picked: the page says what is missing
c1, c2, c3 = st.columns([4, 2, 3])
names = links.url_widget(
    c1.multiselect,
    "Models, one row each (up to 5)",
    options,
    default=DEFAULT_MODELS,
    key="rec_models",
    max_selections=5,
    help=links.unbuilt_help(options),
    parse=_parse_models,
    many=True,
)
c1.caption(" · ".join(f"{n_} ({zoo.entry(n_).model.latent_dim}-D)" for n_ in names))
mode = links.url_widget(
    c2.radio,
    "Which test digits",
    MODES,
    index=0,
    key="rec_mode",
    captions=[MODE_LABELS[m] for m in MODES],
    parse=lambda raw: link_values.parse_choice(raw, MODES, "random"),
)
with c3:
    if mode == "index":
        typed = links.url_widget(
            st.text_input,
            f"Test indices (0–9999, comma separated, up to {N_RANGE[1]})",
            value=IDX_DEFAULT,
            max_chars=IDX_MAX_CHARS,
            key="rec_idx",
            parse=lambda raw: (raw[:IDX_MAX_CHARS], True),
        )
        # no seed is shown: the one sampled z of the notice below is the same for whoever opens the
        # link
        seed = 0
    else:
        digit = (
            int(
                links.url_widget(
                    st.selectbox,
                    "Digit",
                    list(range(10)),
                    index=3,
                    key="rec_digit",
                    parse=lambda raw: link_values.parse_choice(raw, list(range(10)), 3),
                )
            )
            if mode == "digit"
            else None
        )
        cc1, cc2 = st.columns(2)
        n = int(
            links.url_widget(
                cc1.slider,
                "How many",
                *N_RANGE,
                value=N_DEFAULT,
                key="rec_n",
                parse=lambda raw: link_values.parse_int(raw, *N_RANGE, N_DEFAULT),
            )
        )
        seed = int(
            links.url_widget(
                cc2.number_input,
                "Seed",
                0,
                SEED_MAX,
                value=0,
                step=1,
                key="rec_seed",
                help="Same seed, same digits: share the link.",
                parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
            )
        )
if not names:
    st.warning("Choose at least one model.")
    st.stop()

with frame.cache_guard():
    _, labels = loaders.test_set()
    x_all = loaders.test_images_float()
    for n_ in names:
        loaders.model(n_)
if mode == "index":
    idx, rejected = link_values.parse_indices(typed, len(labels), max_len=N_RANGE[1])
    if rejected:
        st.warning(
            f"Ignored {len(rejected)} entr{'y' if len(rejected) == 1 else 'ies'}: "
            + ", ".join(link_values.echo(r) for r in rejected[:8])
            + (" …" if len(rejected) > 8 else "")
            + ". "
            f"Test indices are whole numbers from 0 to {len(labels) - 1}, at most {N_RANGE[1]} of "
            "them."
        )
    if not idx:
        idx = link_values.parse_indices(IDX_DEFAULT, len(labels))[0]
        st.info(f"No usable test index, so showing the default ones ({IDX_DEFAULT}).")
    idx = np.array(idx)
else:
    idx = (
        pick_digit(labels, digit, n, seed) if mode == "digit" else pick_random(len(labels), n, seed)
    )


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def through(
    key: tuple[str, str, int], idx: tuple[int, ...], seed: int | None = None
) -> dict[str, np.ndarray]:
    """The test digits ``idx`` through one model (at z = mu, or one seeded sample): reconstructions,
    losses and excess losses."""
    i = np.array(idx)
    x, y = loaders.test_images_float()[i], loaders.test_set()[1][i]
    recon, loss = live.reconstruct(loaders.model(key[0]), x, y, seed=seed)
    return {"recon": recon, "loss": loss, "excess": loss - image_entropy(x)}


@st.cache_data(show_spinner=False, max_entries=32)
def looked(keys: tuple[tuple[str, str, int], ...], idx: tuple[int, ...]) -> np.ndarray:
    """The digit each model's reconstruction (at z = mu) of the test digits ``idx`` looks like, its
    own original left out: one 1-NN search for all models. -> (models, digits)"""
    recon = np.concatenate([through(k, idx)["recon"] for k in keys])  # (models * n, 28, 28)
    seen = neighbours.looks_like(
        recon, loaders.test_images_float(), loaders.test_set()[1], exclude=np.tile(idx, len(keys))
    )
    return seen.reshape(len(keys), len(idx))


@st.cache_data(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def kept_rate(key: tuple[str, str, int]) -> float:
    """Share of N_RATE fixed test digits (100 per digit) whose reconstruction still looks like its
    digit: once per model and server."""
    sub, x_all, labels = (
        loaders.scatter_subset(N_RATE),
        loaders.test_images_float(),
        loaders.test_set()[1],
    )
    recon, _ = live.reconstruct(loaders.model(key[0]), x_all[sub], labels[sub])
    return float((neighbours.looks_like(recon, x_all, labels, exclude=sub) == labels[sub]).mean())


@st.cache_data(show_spinner=False, max_entries=1)
def rule_rate() -> float:
    """Share of the same N_RATE originals that the 1-NN rule reads as their own digit: its
    ceiling."""
    sub = loaders.scatter_subset(N_RATE)
    x_all, labels = loaders.test_images_float(), loaders.test_set()[1]
    return float(
        (neighbours.looks_like(x_all[sub], x_all, labels, exclude=sub) == labels[sub]).mean()
    )


x, y = x_all[idx], labels[idx]
keys, idx_key = tuple(model_calls.model_key(n_) for n_ in names), tuple(int(i) for i in idx)
seen_all = looked(keys, idx_key)  # (models, n)
res = {
    n_: {**through(k, idx_key), "seen": s, "kept": s == y}
    for n_, k, s in zip(names, keys, seen_all)
}

# --- the picture
# --------------------------------------------------------------------------------------------------

rows = {
    "original": x,
    **{f"{n_}\n{zoo.entry(n_).model.latent_dim} numbers": r["recon"] for n_, r in res.items()},
}
captions = [[f"#{i} · {k}" for i, k in zip(idx, y)]] + [
    [f"+{e:.0f}" + ("" if ok else f" → {s}") for e, ok, s in zip(r["excess"], r["kept"], r["seen"])]
    for r in res.values()
]
marks = [[False] * len(idx)] + [list(~r["kept"]) for r in res.values()]
png = render.png(png_figures.image_rows, rows, captions, size=1.0, fontsize=10, marks=marks)
render.show(
    png,
    alt=alt_text.rows(
        f"{len(idx)} test digits and their reconstructions by {alt_text.listing(names)}, under "
        "each its excess loss in nats. By the nearest test image (its own original left out), "
        + "; ".join(alt_text.changes(y, r["seen"], n_, idx) for n_, r in res.items()),
        rows,
        [captions[0]]
        + [
            [
                f"{e:.0f} nats more" + ("" if ok else f", looks like a {s}")
                for e, ok, s in zip(r["excess"], r["kept"], r["seen"])
            ]
            for r in res.values()
        ],
    ),
)
downloads.download_png(png, "reconstructions.png", key="rec_png")
st.caption(
    "Under each reconstruction: its **excess loss** in nats (below). **Framed**, with an arrow: it "
    "looks like "
    "another digit, by the label of its nearest test image in pixel space (1-NN; its own original "
    "left out)."
)
st.latex(
    r"\underbrace{-\log p(x \mid z{=}\mu)}_{\text{BCE, 784 pixels}} \;-\; "
    r"\underbrace{H(x)}_{\text{the image's own "
    r"entropy}} \;=\; \sum_{i=1}^{784} \mathrm{KL}\big(\mathrm{Ber}(x_i)\,\|\,\mathrm{Ber}(\hat "
    r"x_i)\big) \;\ge\; 0"
)
frame.caveat(
    "MNIST pixels are grey levels, so the BCE is a cross-entropy with the image, not a likelihood: "
    "even a perfect "
    "copy pays $H(x)$ for its grey edge pixels (about 45 nats). The excess loss takes that off: 0 "
    "is a perfect "
    "copy. The losses here decode $z = \\mu$ (an AE: its code); the ELBO's reconstruction term on "
    "other pages samples $z \\sim q(z \\mid x)$, which adds the encoder's noise."
)
frame.nats_note()

# --- what to notice
# --------------------------------------------------------------------------------------------------

rates = {n_: kept_rate(k) for n_, k in zip(names, keys)}
base = rule_rate()
mean_excess = {n_: float(r["excess"].mean()) for n_, r in res.items()}
order = sorted(names, key=lambda n_: zoo.entry(n_).model.latent_dim)
steps = [mean_excess[b] - mean_excess[a] for a, b in zip(order, order[1:])]  # along growing codes
LEVEL = 1.0  # nats: a step smaller than this is level, not a rise
vaes = [n_ for n_ in names if zoo.entry(n_).model.kind == "vae"]
notes = [
    f"Over {N_RATE:,} fixed test digits (100 of each), the reconstruction still looks like its "
    "digit for "
    + ", ".join(f"{words.pct(rates[n_])} with {n_}" for n_ in names)
    + f"; the rule itself reads {words.pct(base)} of the originals right. On screen, "
    + ", ".join(f"{int((~res[n_]['kept']).sum())} of {len(idx)} changed with {n_}" for n_ in names)
    + "."
]
if len(order) > 1:
    notes.append(
        (
            "The excess loss falls as the code grows: "
            if all(v < 0 for v in steps)
            else "The excess loss falls as the code grows, until it levels off: "
            if all(v < LEVEL for v in steps)
            else "The excess loss does not simply fall with the code size here: "
        )
        + ", ".join(f"{n_} {mean_excess[n_]:.1f}" for n_ in order)
        + " nats on average over these digits."
    )
if vaes:
    v = vaes[-1]
    one = through(model_calls.model_key(v), idx_key, seed=seed)
    diff = float(one["loss"].mean() - res[v]["loss"].mean())
    if abs(diff) < 0.15:  # as good as equal at the precision shown
        notes.append(
            f"One sample z ~ q(z|x) instead of μ changes {v}'s loss by less than 0.15 nats per "
            "image here: its posterior σ is tiny (mean "
            f"{float(np.exp(0.5 * loaders.codes(v)['logvar'][idx]).mean()):.3f}), so a "
            "sample is almost μ."
        )
    else:
        notes.append(
            f"One sample z ~ q(z|x) instead of μ {'costs' if diff > 0 else 'saves'} {v} "
            f"{abs(diff):.1f} nats per "
            f"image here ({one['loss'].mean():.1f} against {res[v]['loss'].mean():.1f}): "
            + (
                "the encoder's noise, which the ELBO pays and a picture at μ does not."
                if diff > 0
                else "on these digits the noise happened to help."
            )
        )
frame.notice(notes)


@st.fragment
def binarized(idx: np.ndarray, x: np.ndarray, res: dict[str, dict[str, np.ndarray]]) -> None:
    t = float(
        links.url_widget(
            st.slider,
            "Binarization threshold",
            0.05,
            0.95,
            value=T_DEFAULT,
            step=0.05,
            key="rec_t",
            help="A pixel at least this bright becomes ink (1), the rest paper (0).",
            parse=lambda raw: link_values.parse_float(raw, 0.05, 0.95, T_DEFAULT),
        )
    )
    bx = binarize(x, t)
    rows = {"original": bx, **{n_: binarize(r["recon"], t) for n_, r in res.items()}}
    differ = {
        n_: (binarize(r["recon"], t) != bx).reshape(len(x), -1).sum(axis=1) for n_, r in res.items()
    }
    caps = [[f"{int(v)} ink px" for v in bx.reshape(len(x), -1).sum(axis=1)]] + [
        [f"{int(v)} differ" for v in d] for d in differ.values()
    ]
    render.show(
        render.png(png_figures.image_rows, rows, caps, size=1.0, fontsize=10),
        alt=alt_text.rows(
            f"The same digits and reconstructions binarized at {t:.2f}: each pixel ink or paper. "
            "Pixels that differ from the binarized original, mean per image: "
            + ", ".join(f"{n_} {d.mean():.0f}" for n_, d in differ.items()),
            rows,
            caps,
        ),
    )
    st.caption(
        f"Every pixel at least {t:.2f} becomes ink: the shape each model committed to, without the "
        "grey where it hedged. Under each: the pixels that differ from the binarized original."
    )


with st.expander("Binarized: the shape each model committed to", icon=":material/contrast:"):
    binarized(idx, x, res)
links.state_to_url()  # after the page's last bound control (the threshold): the toast of a bad link
with st.expander("The numbers as a table", icon=":material/table:"):
    table = pd.DataFrame(
        {
            "test index": idx.astype(int),
            "digit": y.astype(int),
            "own entropy H(x) (nats)": np.round(image_entropy(x), 1),
            **{
                f"{n_}: {c}": v
                for n_, r in res.items()
                for c, v in (
                    ("loss at μ", np.round(r["loss"], 1)),
                    ("excess", np.round(r["excess"], 1)),
                    ("looks like", r["seen"]),
                )
            },
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_csv(table, "reconstructions.csv", key="rec_csv")
frame.lesson_links(LESSON)
