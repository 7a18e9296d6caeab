"""Posterior spread: what sigma means for one image, shown for two side by side.

For two test images and a VAE, draw many codes z ~ q(z|x) = N(mu, diag sigma^2) (Kingma & Welling
2014), decode them all and show what they decode to (the digit each sample looks like, by a stated
1-NN rule), how much the pixels vary (on a fixed scale), what each posterior costs in KL, and, for a
2-D latent, both posteriors among the test codes with the prior's unit circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.draw import alt_text, altair_charts, png_figures, render
from ui.lessons import words
from ui.lessons.model_facts import code_spacing
from ui.lessons.posterior import claims as pc
from ui.lessons.posterior.pairs import K_AGREE, pairs, pairs_in_turn, shared_y
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import artefacts, neighbours, units, zoo
from vae.latent import ellipse, posterior_samples
from vae.pixels import pixel_spread

N_RANGE = (16, 256)
N_DEFAULT = 64
SEED_MAX = 1_000_000
SHOWN = 16  # decoded samples shown per image
MAP_PX = 420

LESSON = frame.setup_page(
    __file__,
    "what the encoder's σ says about one image: how unsure it is where the image lives, what that "
    "uncertainty decodes to, and what it costs in KL; a confident image beside an ambiguous one.",
)
VAES, BUILT, DEFAULT_MODEL = links.model_choices(lambda e: e.model.kind == "vae", prefer="vae-2d")
ss = st.session_state


def parse_n(raw: str | None) -> tuple[int, bool]:
    """A sample count on the slider's steps of 16, else the default."""
    v, ok = link_values.parse_int(raw, *N_RANGE, N_DEFAULT)
    return (v, True) if ok and v % 16 == 0 else (N_DEFAULT, False)


ss.setdefault("post_pick", 0)


def _pick_pair() -> None:  # the next most confident and most ambiguous codes of this model
    ss["post_pick"] = (int(ss["post_pick"]) + 1) % 50
    c, a = pairs(model_calls.model_key(ss["post_model"]))
    ss["post_idx"], ss["post_idx2"] = int(c[ss["post_pick"]]), int(a[ss["post_pick"]])


c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 2], vertical_alignment="bottom")
name = links.model_picker(
    c1.selectbox, "Model (VAEs)", VAES, BUILT, DEFAULT_MODEL, key="post_model"
)
with frame.cache_guard():
    queue_note = st.empty()
    confident, ambiguous = pairs_in_turn(
        model_calls.model_key(name),
        lambda ahead: queue_note.info(
            f"Choosing a certain and an uncertain digit for {name} (about a second of work): "
            f"{ahead} ahead of you "
            "on this server.",
            icon=":material/hourglass_top:",
        ),
    )
    queue_note.empty()
# The two images are not bound: their default (the model's most certain and most uncertain code)
# depends on the
# model, and a bound widget's default is a constant. Their link parameters are written by
# links.state_to_url.
links.state_from_url(
    "post_idx",
    "post_idx",
    lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, int(confident[0])),
)
links.state_from_url(
    "post_idx2",
    "post_idx2",
    lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, int(ambiguous[0])),
)
c2.number_input("Image A: test index", 0, artefacts.N_TEST - 1, step=1, key="post_idx")
c3.number_input("Image B: test index", 0, artefacts.N_TEST - 1, step=1, key="post_idx2")
n = int(
    links.url_widget(
        c4.select_slider,
        "Samples each",
        list(range(N_RANGE[0], N_RANGE[1] + 1, 16)),
        value=N_DEFAULT,
        key="post_n",
        parse=parse_n,
    )
)
seed = int(
    links.url_widget(
        c5.number_input,
        "Seed",
        0,
        SEED_MAX,
        value=0,
        step=1,
        key="post_seed",
        parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
    )
)
st.button(
    "Another pair: a certain A, an uncertain B",
    key="post_another",
    on_click=_pick_pair,
    icon=":material/shuffle:",
    help=f"Among 1,000 fixed test digits: A is the one whose {K_AGREE} nearest codes agree "
    "most with its digit; B, of the 50 in the most mixed neighbourhoods, first those "
    "whose decoded samples differ visibly and split between digits, then the one whose "
    "samples agree least. Each click takes the next pair.",
)
with frame.cache_guard():
    loaders.model(name)
    codes = loaders.codes(name)
    _, labels = loaders.test_set()
    x_all = loaders.test_images_float()
pick = {"A": int(ss["post_idx"]), "B": int(ss["post_idx2"])}
d = zoo.entry(name).model.latent_dim
mu_all = codes["mu"]  # (N, d), read-only


def posterior(i: int) -> dict:
    """One test image's posterior, its samples decoded, and what they look like."""
    mu, lv = (
        a[0].astype(np.float64) for a in model_calls.encode(name, x_all[i][None])
    )  # (d,) each
    z = posterior_samples(mu, lv, n, seed)  # (n, d)
    imgs = model_calls.decode(name, z)  # (n, 28, 28)
    mean_img, std_img = pixel_spread(imgs)  # (28, 28) each
    seen = neighbours.looks_like(imgs, x_all, labels, exclude=i)  # (n,)
    return {
        "i": i,
        "label": int(labels[i]),
        "mu": mu,
        "lv": lv,
        "sigma": np.exp(0.5 * lv),
        "z": z,
        "imgs": imgs,
        "mean": mean_img,
        "std": std_img,
        "shares": np.bincount(seen, minlength=10)[:10] / n,
        "recon": model_calls.decode(name, mu[None])[0],
        "kl": units.mean_kl_per_dim(mu[None], lv[None]),
    }


with frame.cache_guard():
    post = {tag: posterior(i) for tag, i in pick.items()}

# --- the picture: two posteriors side by side
# --------------------------------------------------------------

for col, (tag, p) in zip(st.columns(2, gap="large"), post.items()):
    col.markdown(
        f"**Image {tag}**: test #{p['i']}, a {p['label']} · σ from "
        f"{p['sigma'].min():.3g} to {p['sigma'].max():.3g} · KL {p['kl'].sum():.1f} nats"
    )
    s1, s2 = col.columns([3, 2])
    render.show(
        render.png(
            png_figures.image_strip,
            np.stack([x_all[p["i"]], p["recon"], p["mean"]]),
            ["the image", "decoder(μ)", f"mean of {n}"],
            size=1.5,
            fontsize=10,
        ),
        s1,
        alt=f"Test #{p['i']}, a {p['label']}; {name}'s decoder at its mean code μ; and the pixel "
        f"mean of {n} "
        "decoded samples of its posterior.",
    )
    render.show(
        render.png(png_figures.std_figure, p["std"]),
        s2,
        alt=png_figures.std_alt(p["std"], f"the {n} decoded samples of test #{p['i']}"),
    )
    render.show(
        render.png(png_figures.mosaic_figure, p["imgs"][:SHOWN], 2, SHOWN // 2, size=5.0),
        col,
        alt=f"The first {SHOWN} of {n} codes drawn from q(z|x) of test #{p['i']} (seed {seed}), "
        f"decoded by {name}, "
        f"in 2 rows. By the nearest test image, of all {n}: {alt_text.shares(p['shares'])}.",
    )
    looks = pd.DataFrame(
        {"digit": [str(k) for k in range(10)], "source": "samples", "share": p["shares"]}
    )
    looks_spec = altair_charts.mix_chart_filled(
        looks, ("samples",), ("ink",), f"What the {n} samples of {tag} look like", height=150
    )
    render.draw(
        shared_y(looks_spec),
        col,  # A's and B's side by side: one 0-100 % scale
        key=f"post_looks_{tag}",
        width="stretch",
        alt=alt_text.mix(
            f"What the {n} samples of {tag} (test #{p['i']}, a {p['label']}) look like, by the "
            "nearest test image",
            ("samples",),
            [p["shares"]],
        ),
    )
st.caption(
    f"Top: the image, the decoded mean code, the mean of {n} decoded samples, and how much the "
    "samples' pixels "
    f"vary (0 to 0.5, the most a pixel in [0, 1] can). Then {SHOWN} of the samples, and the digit "
    "each sample "
    "looks like: the label of its nearest test image in pixels (1-NN; the image itself left out)."
)
st.latex(
    r"q_\phi(z \mid x) = \mathcal{N}\big(\mu(x),\, \mathrm{diag}\,\sigma(x)^2\big), \quad "
    r"z = \mu + \sigma \odot \varepsilon, \quad \mathrm{KL}_j = \tfrac12\big(\mu_j^2 + \sigma_j^2 "
    r"- 1 - \log\sigma_j^2\big)"
)

# --- what to notice
# ------------------------------------------------------------------------------------------


a, b = post["A"], post["B"]
with frame.cache_guard():
    gap = code_spacing(name, 1)  # once per model and server
facts = {
    t: pc.ImageFacts(
        t, p["label"], tuple(p["shares"]), tuple(p["sigma"]), tuple(p["mu"]), float(p["std"].max())
    )
    for t, p in post.items()
}
pair = pc.PairFacts(facts["A"], facts["B"], n, gap)
notes = [pc.verdict(pair), pc.kl_sentence(pair)[1]]
if d == 2:
    s_a = a["sigma"].mean()
    eps = (a["z"] - a["mu"]) / np.maximum(a["sigma"], 1e-300)
    measurable = s_a > 1e-9 * (1 + np.abs(a["mu"]).max())  # a σ below μ's precision: no share
    inside = float(np.mean((eps**2).sum(axis=1) <= 4.0)) if measurable else None
    others = np.delete(np.arange(len(mu_all)), a["i"])
    dist, row = (v[0] for v in neighbours.nearest_one(mu_all[others], a["mu"]))
    notes.append(
        pc.reach_sentence("A", n, inside, float(dist), float(s_a), int(others[int(row)]))[1]
    )
else:
    gone = {t: units.unused_dims(p["sigma"]) for t, p in post.items()}
    kl_max = max((float(post[t]["kl"][g].max()) for t, g in gone.items() if len(g)), default=None)
    notes.append(
        pc.unused_sentence(d, {t: len(g) for t, g in gone.items()}, units.UNUSED_SIGMA, kl_max)
    )
frame.notice(notes)

if d == 2:
    st.subheader("Both posteriors among the test codes")
    zoom = links.url_widget(
        st.toggle,
        "Zoom to the two posteriors",
        key="post_zoom",
        value=True,
        parse=lambda raw: link_values.parse_bool(raw, True),
    )  # on: a 2-D VAE's σ is tiny on the full map
    sub = loaders.scatter_subset()
    rings = pd.concat(
        [
            pd.DataFrame(
                {
                    "x": e[:, 0],
                    "y": e[:, 1],
                    "order": np.arange(len(e)),
                    "ring": f"{k}σ",
                    "key": f"{t}{k}",
                }
            )
            for t, p in post.items()
            for k in (1, 2)
            for e in [ellipse(p["mu"], p["lv"], k=float(k))]
        ]
    )
    around = np.vstack([rings[["x", "y"]].to_numpy(), *(p["mu"][None] for p in post.values())])
    domains = altair_charts.square_domains(
        around if zoom else np.vstack([mu_all[sub], around]), margin=0.15 if zoom else 0.05
    )
    chart = render.fill(
        render.spec(
            altair_charts.posterior_map,
            altair_charts.codes_frame(mu_all[sub], labels[sub], sub),
            domains,
            MAP_PX,
        ),
        posteriors=pd.DataFrame(
            {
                "x": [p["mu"][0] for p in post.values()],
                "y": [p["mu"][1] for p in post.values()],
                "label": list(post),
            }
        ),
        rings=rings,
        samples=pd.DataFrame(np.vstack([p["z"] for p in post.values()]), columns=["x", "y"]),
    )
    render.draw(
        chart,
        width="content",
        alt=alt_text.scatter(
            "Both posteriors among the test codes"
            + (", zoomed" if zoom else "")
            + ": "
            + "; ".join(
                f"{t}, test #{p['i']} (a {p['label']}), μ = ({p['mu'][0]:.2f}, {p['mu'][1]:.2f}), "
                f"σ = ({p['sigma'][0]:.2f}, {p['sigma'][1]:.2f}), with 1σ and 2σ rings and its "
                "samples"
                for t, p in post.items()
            ),
            mu_all[sub],
            labels[sub],
        ),
    )
    frame.secondary(
        "Solid ring: 1σ (39 % of the samples in 2-D); dashed: 2σ (86 %); dotted grey: the prior's "
        "1σ, the unit circle, the width the KL term pulls every posterior toward. Crosses: "
        "the samples decoded above."
        + pc.ring_sentence(
            {
                t: float(np.ptp(ellipse(p["mu"], p["lv"], k=2.0), axis=0).max())
                * MAP_PX
                / (domains[0][1] - domains[0][0])
                for t, p in post.items()
            },
            bool(zoom),
            pc.width_sentence(pair)[0] == "points",
        )
    )
links.state_to_url(
    {"post_idx": pick["A"], "post_idx2": pick["B"]}
)  # after the last bound control, the zoom

with st.expander("σ and KL per dimension, in numbers", icon=":material/table:"):
    table = pd.DataFrame(
        {
            "dimension": [words.z(j) for j in range(d)],
            **{
                f"{t}: {c}": np.round(v, 3)
                for t, p in post.items()
                for c, v in (("μ", p["mu"]), ("σ", p["sigma"]), ("KL (nats)", p["kl"]))
            },
            **{
                f"spread of the {p['label']}s' means": np.round(
                    mu_all[labels == p["label"]].astype(np.float64).std(axis=0), 3
                )
                for p in post.values()
            },
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_csv(table, f"posterior-{name}-{pick['A']}-{pick['B']}.csv", key="post_csv")
    st.caption(
        "A σ much smaller than its digit's spread of means: the encoder tells this image apart "
        "from the other "
        "images of its digit. σ near 1 with μ near 0: the dimension says nothing about it (KL near "
        "0)."
    )
frame.lesson_links(LESSON)
