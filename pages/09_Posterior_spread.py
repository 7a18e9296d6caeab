"""Posterior spread: what sigma means for one image, shown for two side by side.

For two test images and a VAE, draw many codes z ~ q(z|x) = N(mu, diag sigma^2) (Kingma & Welling
2014), decode them all and show what they decode to (the digit each sample looks like, by a stated
1-NN rule), how much the pixels vary (on a fixed scale), what each posterior costs in KL, and, for a
2-D latent, both posteriors among the test codes with the prior's unit circle.
"""

from __future__ import annotations

import streamlit as st

from ui.lessons.model_facts import code_spacing
from ui.lessons.posterior import claims as pc
from ui.lessons.posterior import computed, views
from ui.lessons.posterior.pairs import K_AGREE, pairs, pairs_in_turn
from ui.page import downloads, frame, link_values, links, loaders, model_calls
from vae import artefacts, zoo

N_RANGE = (16, 256)
N_DEFAULT = 64

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
seed = links.seed_input(c5, "Seed", "post_seed")
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


with frame.cache_guard():
    post = {tag: computed.posterior(name, i, n, seed) for tag, i in pick.items()}

# --- the picture: two posteriors side by side
# --------------------------------------------------------------

for col, (tag, p) in zip(st.columns(2, gap="large"), post.items()):
    views.column(col, tag, p, name, n, seed, x_all)
st.caption(
    f"Top: the image, the decoded mean code, the mean of {n} decoded samples, and how much the "
    "samples' pixels "
    f"vary (0 to 0.5, the most a pixel in [0, 1] can). Then {views.SHOWN} of the samples, and the "
    "digit each sample "
    "looks like: the label of its nearest test image in pixels (1-NN; the image itself left out)."
)
st.latex(
    r"q_\phi(z \mid x) = \mathcal{N}\big(\mu(x),\, \mathrm{diag}\,\sigma(x)^2\big), \quad "
    r"z = \mu + \sigma \odot \varepsilon, \quad \mathrm{KL}_j = \tfrac12\big(\mu_j^2 + \sigma_j^2 "
    r"- 1 - \log\sigma_j^2\big)"
)

# --- what to notice
# ------------------------------------------------------------------------------------------

with frame.cache_guard():
    gap = code_spacing(name, 1)  # once per model and server
pair = computed.pair_facts(post, n, gap)
notes = [pc.verdict(pair), pc.kl_sentence(pair)[1]]
if d == 2:
    a = post["A"]
    notes.append(pc.reach_notice(pc.reach_facts("A", a["mu"], a["sigma"], a["z"], mu_all, a["i"])))
else:
    sigma, kl = ({t: tuple(p[k]) for t, p in post.items()} for k in ("sigma", "kl"))
    notes.append(pc.unused_notice(pc.UnusedFacts(d, sigma, kl)))
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
    views.posterior_map(name, post, mu_all, labels, zoom, pair)
links.state_to_url(
    {"post_idx": pick["A"], "post_idx2": pick["B"]}
)  # after the last bound control, the zoom


def numbers() -> None:
    """σ and KL per dimension of both posteriors, as a table and its CSV."""
    table = computed.table(post, mu_all, labels)
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_csv(table, f"posterior-{name}-{pick['A']}-{pick['B']}.csv", key="post_csv")
    st.caption(
        "A σ much smaller than its digit's spread of means: the encoder tells this image apart "
        "from the other "
        "images of its digit. σ near 1 with μ near 0: the dimension says nothing about it (KL near "
        "0)."
    )


frame.folded("σ and KL per dimension, in numbers", "post_table_open", ":material/table:", numbers)
frame.lesson_links(LESSON)
