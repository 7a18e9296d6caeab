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

from ui import alts, charts, figures, params, plots, words
from ui.posterior import K_AGREE, pairs, pairs_in_turn
from ui import common as ui
from vae import artefacts, neighbours, units, zoo
from vae.latent import ellipse, posterior_samples
from vae.pixels import pixel_spread

N_RANGE = (16, 256)
N_DEFAULT = 64
SEED_MAX = 1_000_000
SHOWN = 16  # decoded samples shown per image
AGREE = 0.9  # this share of samples looking like the image's digit: they agree on it
MAP_PX = 420

LESSON = ui.setup_page(__file__,
              "what the encoder's σ says about one image: how unsure it is where the image lives, what that "
              "uncertainty decodes to, and what it costs in KL; a confident image beside an ambiguous one.")
VAES, BUILT, DEFAULT_MODEL = ui.model_choices(lambda e: e.model.kind == "vae", prefer="vae-2d")
ss = st.session_state


def parse_n(raw: str | None) -> tuple[int, bool]:
    """A sample count on the slider's steps of 16, else the default."""
    v, ok = params.parse_int(raw, *N_RANGE, N_DEFAULT)
    return (v, True) if ok and v % 16 == 0 else (N_DEFAULT, False)


ss.setdefault("post_pick", 0)


def _pick_pair() -> None:  # the next most confident and most ambiguous codes of this model
    ss["post_pick"] = (int(ss["post_pick"]) + 1) % 50
    c, a = pairs(ui.model_key(ss["post_model"]))
    ss["post_idx"], ss["post_idx2"] = int(c[ss["post_pick"]]), int(a[ss["post_pick"]])


c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 2], vertical_alignment="bottom")
name = ui.model_picker(c1.selectbox, "Model (VAEs)", VAES, BUILT, DEFAULT_MODEL, key="post_model")
with ui.cache_guard():
    queue_note = st.empty()
    confident, ambiguous = pairs_in_turn(ui.model_key(name), lambda ahead: queue_note.info(
        f"Choosing a certain and an uncertain digit for {name} (about a second of work): {ahead} ahead of you "
        "on this server.", icon=":material/hourglass_top:"))
    queue_note.empty()
# The two images are not bound: their default (the model's most certain and most uncertain code) depends on the
# model, and a bound widget's default is a constant. Their link parameters are written by ui.share.
ui.bind("post_idx", "post_idx", lambda raw: params.parse_int(raw, 0, artefacts.N_TEST - 1, int(confident[0])))
ui.bind("post_idx2", "post_idx2", lambda raw: params.parse_int(raw, 0, artefacts.N_TEST - 1, int(ambiguous[0])))
c2.number_input("Image A: test index", 0, artefacts.N_TEST - 1, step=1, key="post_idx")
c3.number_input("Image B: test index", 0, artefacts.N_TEST - 1, step=1, key="post_idx2")
n = int(ui.bound(c4.select_slider, "Samples each", list(range(N_RANGE[0], N_RANGE[1] + 1, 16)), value=N_DEFAULT,
                 key="post_n", parse=parse_n))
seed = int(ui.bound(c5.number_input, "Seed", 0, SEED_MAX, value=0, step=1, key="post_seed",
                    parse=lambda raw: params.parse_int(raw, 0, SEED_MAX, 0)))
st.button("Another pair: a certain A, an uncertain B", key="post_another", on_click=_pick_pair, icon=":material/shuffle:",
          help=f"Among 1,000 fixed test digits: A is the one whose {K_AGREE} nearest codes agree most with its digit; B, "
               "of the 50 in the most mixed neighbourhoods, the one whose decoded samples agree least. Each click takes "
               "the next pair.")
with ui.cache_guard():
    ui.model(name)
    codes = ui.codes(name)
    _, labels = ui.test_set()
    x_all = ui.test_images_float()
pick = {"A": int(ss["post_idx"]), "B": int(ss["post_idx2"])}
d = zoo.entry(name).model.latent_dim
mu_all = codes["mu"]  # (N, d), read-only


def posterior(i: int) -> dict:
    """One test image's posterior, its samples decoded, and what they look like."""
    mu, lv = (a[0].astype(np.float64) for a in ui.encode(name, x_all[i][None]))  # (d,) each
    z = posterior_samples(mu, lv, n, seed)  # (n, d)
    imgs = ui.decode(name, z)  # (n, 28, 28)
    mean_img, std_img = pixel_spread(imgs)  # (28, 28) each
    seen = neighbours.looks_like(imgs, x_all, labels, exclude=i)  # (n,)
    return {"i": i, "label": int(labels[i]), "mu": mu, "lv": lv, "sigma": np.exp(0.5 * lv), "z": z, "imgs": imgs,
            "mean": mean_img, "std": std_img, "shares": np.bincount(seen, minlength=10)[:10] / n,
            "recon": ui.decode(name, mu[None])[0], "kl": units.mean_kl_per_dim(mu[None], lv[None])}


with ui.cache_guard():
    post = {tag: posterior(i) for tag, i in pick.items()}

# --- the picture: two posteriors side by side --------------------------------------------------------------

for col, (tag, p) in zip(st.columns(2, gap="large"), post.items()):
    col.markdown(f"**Image {tag}**: test #{p['i']}, a {p['label']} · σ from {p['sigma'].min():.2f} to "
                 f"{p['sigma'].max():.2f} · KL {p['kl'].sum():.1f} nats")
    s1, s2 = col.columns([3, 2])
    charts.show(charts.png(charts.image_strip, np.stack([x_all[p['i']], p["recon"], p["mean"]]),
                           ["the image", "decoder(μ)", f"mean of {n}"], size=1.5, fontsize=10), s1,
                alt=f"Test #{p['i']}, a {p['label']}; {name}'s decoder at its mean code μ; and the pixel mean of {n} "
                    "decoded samples of its posterior.")
    charts.show(charts.png(figures.std_figure, p["std"]), s2, alt=figures.std_alt(p["std"], f"the {n} decoded samples "
                                                                                       f"of test #{p['i']}"))
    charts.show(charts.png(charts.mosaic_figure, p["imgs"][:SHOWN], 2, SHOWN // 2, size=5.0), col,
                alt=f"The first {SHOWN} of {n} codes drawn from q(z|x) of test #{p['i']} (seed {seed}), decoded by {name}, "
                    f"in 2 rows. By the nearest test image, of all {n}: {alts.shares(p['shares'])}.")
    looks = pd.DataFrame({"digit": [str(k) for k in range(10)], "source": "samples", "share": p["shares"]})
    charts.draw(plots.mix_chart_filled(looks, ("samples",), ("ink",), f"What the {n} samples of {tag} look like",
                            height=150), col, key=f"post_looks_{tag}", width="stretch",
                alt=alts.mix(f"What the {n} samples of {tag} (test #{p['i']}, a {p['label']}) look like, by the nearest test image", ("samples",), [p["shares"]]))
st.caption(f"Top: the image, the decoded mean code, the mean of {n} decoded samples, and how much the samples' pixels "
           f"vary (0 to 0.5, the most a pixel in [0, 1] can). Then {SHOWN} of the samples, and the digit each sample "
           "looks like: the label of its nearest test image in pixels (1-NN; the image itself left out).")
st.latex(r"q_\phi(z \mid x) = \mathcal{N}\big(\mu(x),\, \mathrm{diag}\,\sigma(x)^2\big), \quad "
         r"z = \mu + \sigma \odot \varepsilon, \quad \mathrm{KL}_j = \tfrac12\big(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\big)")

# --- what to notice ------------------------------------------------------------------------------------------


def agreement_words(tag: str, p: dict) -> str:
    s, k = p["shares"], p["label"]
    top, second = int(np.argmax(s)), int(np.argsort(s)[-2])
    out = f"{tag}: **{words.pct(s[k])}** of the samples look like a {k}, the digit it is"
    if s[k] >= AGREE:
        return out
    if top != k:
        return out + f", most like a **{top}** ({words.pct(s[top])})"
    return out + f", the rest mostly a {second} ({words.pct(s[second])})"


a, b = post["A"], post["B"]
agree = {t: p["shares"][p["label"]] >= AGREE for t, p in post.items()}
verdict = ("they agree on A's digit and disagree about B's." if agree["A"] and not agree["B"] else
           "they agree on B's digit and disagree about A's." if agree["B"] and not agree["A"] else
           "they agree on both digits." if agree["A"] else "they disagree about both digits.")
notes = [f"{agreement_words('A', a)}; {agreement_words('B', b)}: {verdict}"]
tight = "A" if np.exp(np.mean(a["lv"])) < np.exp(np.mean(b["lv"])) else "B"  # smaller geometric-mean variance
dear = "A" if a["kl"].sum() > b["kl"].sum() else "B"
notes.append(f"Placing A costs KL = {a['kl'].sum():.1f} nats, B {b['kl'].sum():.1f}"
             + (f": {tight}'s posterior is the tighter one (smaller σ), and a narrower q(z|x) says more about its image, "
                "so it costs more." if tight == dear else
                f": here the dearer one, {dear}, is not the tighter one; KL also charges μ's distance from 0 "
                f"(|μ|² {float(a['mu'] @ a['mu']):.1f} for A, {float(b['mu'] @ b['mu']):.1f} for B)."))
if d == 2:
    inside = float(np.mean(((a["z"] - a["mu"]) ** 2 / a["sigma"] ** 2).sum(axis=1) <= 4.0))
    others = np.delete(np.arange(len(mu_all)), a["i"])
    dist, row = (v[0] for v in neighbours.nearest_one(mu_all[others], a["mu"]))
    in_sigma = float(dist) / float(a["sigma"].mean())
    notes.append(f"{words.pct(inside)} of A's {n} samples fall inside its 2σ ellipse (86 % expected). The nearest other "
                 f"test code (#{others[int(row)]}) is {float(dist):.3f} away, {in_sigma:.1f} σ"
                 + (": the clouds of different images barely overlap." if in_sigma > 4 else
                    ": A's cloud reaches its neighbours' codes."))
else:
    gone = {t: units.unused_dims(p["sigma"]) for t, p in post.items()}
    notes.append("; ".join(f"{len(g)} of {d} dimensions of {t} have σ ≥ {units.UNUSED_SIGMA:g}" for t, g in gone.items())
                 + (": there the posterior is the prior, and those dimensions say nothing about the image (their KL is "
                    f"at most {max(float(post[t]['kl'][g].max()) for t, g in gone.items() if g):.2f} nats)."
                    if any(gone.values()) else ": every dimension carries something about both images."))
ui.notice(notes)

if d == 2:
    st.subheader("Both posteriors among the test codes")
    zoom = ui.bound(st.toggle, "Zoom to the two posteriors", key="post_zoom", value=False,
                    parse=lambda raw: params.parse_bool(raw, False))  # a view a shared link shows too
    sub = ui.scatter_subset()
    rings = pd.concat([pd.DataFrame({"x": e[:, 0], "y": e[:, 1], "order": np.arange(len(e)), "ring": f"{k}σ",
                                     "key": f"{t}{k}"}) for t, p in post.items() for k in (1, 2)
                       for e in [ellipse(p["mu"], p["lv"], k=float(k))]])
    around = np.vstack([rings[["x", "y"]].to_numpy(), *(p["mu"][None] for p in post.values())])
    domains = plots.square_domains(around if zoom else np.vstack([mu_all[sub], around]), margin=0.15 if zoom else 0.05)
    chart = charts.fill(charts.spec(plots.posterior_map, charts.codes_frame(mu_all[sub], labels[sub], sub), domains,
                                    MAP_PX),
                        posteriors=pd.DataFrame({"x": [p["mu"][0] for p in post.values()],
                                                 "y": [p["mu"][1] for p in post.values()], "label": list(post)}),
                        rings=rings, samples=pd.DataFrame(np.vstack([p["z"] for p in post.values()]), columns=["x", "y"]))
    charts.draw(chart, width="content", alt=alts.scatter("Both posteriors among the test codes" + (", zoomed" if zoom else "") + ": " + "; ".join(
        f"{t}, test #{p['i']} (a {p['label']}), μ = ({p['mu'][0]:.2f}, {p['mu'][1]:.2f}), σ = ({p['sigma'][0]:.2f}, {p['sigma'][1]:.2f}), with 1σ and 2σ rings and its samples" for t, p in post.items()), mu_all[sub], labels[sub]))
    ui.secondary("Solid ring: 1σ (39 % of the samples in 2-D); dashed: 2σ (86 %); dotted grey: the prior's 1σ, "
                 "the unit circle, the width the KL term pulls every posterior toward. Crosses: the samples decoded above.")
ui.share({"post_idx": pick["A"], "post_idx2": pick["B"]})  # after the last bound control, the zoom

with st.expander("σ and KL per dimension, in numbers", icon=":material/table:"):
    table = pd.DataFrame({"dimension": [words.z(j) for j in range(d)],
                          **{f"{t}: {c}": np.round(v, 3) for t, p in post.items()
                             for c, v in (("μ", p["mu"]), ("σ", p["sigma"]), ("KL (nats)", p["kl"]))},
                          **{f"spread of the {p['label']}s' means": np.round(mu_all[labels == p["label"]]
                                                                              .astype(np.float64).std(axis=0), 3)
                             for p in post.values()}})
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download_csv(table, f"posterior-{name}-{pick['A']}-{pick['B']}.csv", key="post_csv")
    st.caption("A σ much smaller than its digit's spread of means: the encoder tells this image apart from the other "
               "images of its digit. σ near 1 with μ near 0: the dimension says nothing about it (KL near 0).")
ui.lesson_links(LESSON)
