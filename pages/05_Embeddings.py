"""Embeddings: PCA, t-SNE and UMAP maps of the 10-D test codes (precomputed by ``vae.build``), what
each keeps and distorts, measured (trustworthiness, Venna & Kaski 2001; 5-NN accuracy; both against
a random map's floor) and shown: a clicked code's ten nearest neighbours *in 10-D* light up on every
map. Then t-SNE's knobs, PCA's spectrum against each dimension's variance, and a walk along a map
line next to the straight line between the same codes in 10-D.
"""

from __future__ import annotations

import streamlit as st

from ui.lessons import model_facts, words
from ui.lessons.embeddings import claims, computed, views
from ui.lessons.embeddings.computed import KNOBS, METHODS
from ui.page import frame, link_values, links, loaders
from vae import artefacts, neighbours, zoo

DEFAULT_MODEL = "vae-10d"
K = claims.K  # neighbours lit up and kept-neighbour counts (trustworthiness uses the same k)
# plot side of each map, CSS pixels: with its axes (and the last one's legend) each fits its
# column, so the page's script does not scale it and its text down (ui.page.frame.FIT_JS)
SIDE = 210

LESSON = frame.setup_page(
    __file__,
    "how PCA, t-SNE and UMAP flatten the 10-D codes of the test digits into 2-D maps, what each "
    "keeps and what it distorts, and why a point of such a map cannot be decoded.",
)

candidates = computed.offered_models()
# controls: links.url_widget (URL parameter = key); the clicked code and the line (four inputs) are
# links.state_from_url / links.state_to_url
links.state_from_url(
    "emb_pick", "emb_idx", lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, 0)
)


c1, c2 = st.columns([1, 2])
name = links.model_picker(
    c1.selectbox,
    "Model (10-D models whose maps are built)",
    candidates,
    [n for n in candidates if loaders.built(n) and artefacts.embeddings_path(n).exists()],
    DEFAULT_MODEL,
    key="emb_model",
)
c1.caption(
    f"{name}: "
    + (
        "plain autoencoder"
        if zoo.entry(name).model.kind == "ae"
        else f"VAE, β = {zoo.entry(name).model.beta:g}"
    )
)
with frame.cache_guard():
    emb, codes = loaders.embeddings(name), loaders.codes(name)
    loaders.model(name)
    _, labels = loaders.test_set()
    images_f = loaders.test_images_float()
    subset = loaders.scatter_subset()
mu = codes["mu"]  # (N, 10), read-only
pick = int(st.session_state["emb_pick"])
c2.markdown(
    f"The same {len(subset):,} test codes (a fixed subset) placed by three methods. **Click a "
    "dot** on any map "
    f"to pick a code (now **#{pick}**, {words.a_digit(labels[pick])}): the grey rings are its "
    f"{K} nearest neighbours *in 10-D*, drawn wherever each map put them."
)


# --- the picture: three maps, one picked neighbourhood ------------------------------------------

trees = computed.trees(name)
near = neighbours.neighbours_in(trees["mu"], pick, K)  # (K,) in 10-D
picked = views.Picked(name, emb, labels, subset, pick, near)
quality = computed.quality(emb)  # per map: trustworthiness, 5-NN accuracy
floor = quality.get("random")  # a random map's scores (built with the extra maps)
kept = {m: neighbours.kept_in(trees["mu"], trees[m], pick, K) for m in METHODS}
# the last one carries the legend
for col, (m, title) in zip(st.columns([1, 1, 1.2]), METHODS.items()):
    views.draw_map(
        col,
        picked,
        m,
        title,
        SIDE,
        "pick",
        m == "umap",
        key=f"emb_map_{m}",
        on_select=lambda m=m: views.on_click(f"emb_map_{m}"),
        selection_mode="pick",
    )
    t, a = quality[m]
    col.caption(
        f"Keeps **{kept[m]} of {K}** of #{pick}'s 10-D neighbours among its {K} nearest here. "
        f"Trustworthiness **{t:.3f}**, 5-NN accuracy **{words.pct(a)}**"
        + (f" (a random map: {floor[0]:.2f} and {words.pct(floor[1])})." if floor else ".")
    )
knn_10d = float(emb["latent_knn_accuracy"])
st.latex(r"T(k) = 1 - \tfrac{2}{nk(2n-3k-1)} \sum_i \sum_{j \in U_i^{(k)}} \bigl(r(i,j) - k\bigr)")
frame.secondary(
    f"Trustworthiness (Venna & Kaski 2001, $k = {K}$) charges every map neighbour $j$ of $i$ that "
    "is not among "
    "its $k$ nearest in 10-D by how far down the 10-D list, $r(i, j)$, it really is: 1 is perfect "
    "(measured on a fixed half of the test codes). 5-NN "
    "accuracy asks whether the 5 nearest map neighbours vote for the digit; in 10-D it is "
    f"{words.pct(knn_10d)}."
)

# --- what to notice ------------------------------------------------------------------------------

is_ae = zoo.entry(name).model.kind == "ae"
var_mu, mean_s2, angles = model_facts.variance_facts(name)  # (d,), (d,), (20,) degrees
facts = model_facts.map_facts(name)  # once per server: every code's neighbour overlap on every map
frame.notice(claims.notices(facts, pick, kept))


def knob_maps() -> None:
    """t-SNE's other maps (three perplexities, another seed), the pick and its neighbours marked."""
    if not all(m in emb for m in KNOBS):
        st.info(f"These maps are not built for {name} yet (`python -m vae.build` adds them).")
        return
    st.markdown(claims.knobs_text(facts))
    knobs = [col for _ in range(2) for col in st.columns(2)]  # two rows of two maps
    for col, (m, title) in zip(knobs, KNOBS.items()):
        views.draw_map(col, picked, m, f"t-SNE, {title}", 250, None, m == "tsne_seed1")
        col.caption(
            f"trustworthiness {quality[m][0]:.3f}, 5-NN {words.pct(quality[m][1])}; "
            f"keeps {neighbours.kept_in(trees['mu'], trees[m], pick, K)} of {K}"
        )


frame.folded(
    "t-SNE's knobs: three perplexities and another seed",
    "emb_knobs_open",
    ":material/tune:",
    knob_maps,
)
frame.folded(
    claims.spectrum_title(facts),
    "emb_spectrum_open",
    ":material/bar_chart:",
    views.spectrum,
    name,
    emb,
    is_ae,
    var_mu,
    mean_s2,
    angles,
)

# --- a walk along a map line ---------------------------------------------------------------------

st.subheader("Walking along a line drawn on a map")
frame.caveat(
    "**A map can't be inverted**: many 10-D codes land near the same point, and t-SNE and UMAP "
    "have no formula "
    "back. Each point of the line is replaced by the **real test code whose map position is "
    "nearest**, and that "
    "code is decoded. The top row decodes the straight line in 10-D between the first and last of "
    "those codes."
)


views.line_view(name, emb, mu, labels, subset, images_f)

with st.expander(
    "The codes themselves, two dimensions at a time (a pair plot)", icon=":material/grid_view:"
):
    d = mu.shape[1]

    def _linked_dims(linked: list[str]) -> tuple[list[int], bool]:  # the URL says z1 ... zd
        names = [words.z(j) for j in range(d)]
        ok = set(linked) <= set(names) and 2 <= len(set(linked)) <= 4
        return (
            ([names.index(v) for v in linked], True)
            if ok
            else (list(views.PAIR_DIMS_DEFAULT), False)
        )

    dims = links.url_widget(
        st.multiselect,
        "Latent dimensions (2 to 4)",
        list(range(d)),
        default=list(views.PAIR_DIMS_DEFAULT),
        key="emb_dims",
        max_selections=4,
        format_func=words.z,
        parse=_linked_dims,
        many=True,
    )
    if len(dims) < 2:
        st.warning("Choose at least two dimensions for a pair plot.")
    else:
        few = loaders.scatter_subset(views.PAIR_POINTS)  # up to 16 small plots of one cloud
        views.pair_plot(name, mu, labels, few, dims, is_ae)

views.maps_csv(name, emb, labels)
# after the page's last bound control: the toast of a bad link
links.state_to_url({"emb_idx": pick})
frame.lesson_links(LESSON)
