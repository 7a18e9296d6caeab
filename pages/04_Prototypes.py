"""Digit prototypes: the mean code of each digit, decoded, beside the pixel average of the same test
images and the medoid's reconstruction; then what each latent dimension does, swept one at a time
(traversals) and two at a time (a 2-D slice) around a prototype. Dimensions a model leaves unused
(Burda et al. 2016's activity test) are marked as such.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw.style import DIGITS
from ui.lessons.prototypes import claims, views
from ui.lessons.prototypes import computed as cached
from ui.page import frame, link_values, links, loaders, model_calls
from vae import zoo

DEFAULT_MODEL = "vae-10d"
DEFAULT_DIGIT = 3
SOURCES = {
    "mu": "posterior means μ",
    "z": "one sampled z per image (as in the original notebook)",
}  # what is averaged

LESSON = frame.setup_page(
    __file__,
    "average the codes of one digit and decode the average: a *prototype*, an average taken in "
    "latent space, not of pixels; then sweep one latent dimension at a time to see what it "
    "controls.",
)


candidates = cached.offered_models()
# the lesson's controls are bound to the URL parameters named by their keys (links.url_widget); the
# slice's pair of dimensions, two selectboxes written as one parameter, is links.state_from_url /
# links.state_to_url (views.manifold_view)
c1, c2 = st.columns([1, 2])
name = links.model_picker(
    c1.selectbox,
    "Model (VAEs with at least 3 latent dimensions)",
    candidates,
    [n for n in candidates if loaders.built(n)],
    DEFAULT_MODEL,
    key="protos_model",
)
c1.caption(f"{name}: {zoo.entry(name).model.latent_dim}-D, β = {zoo.entry(name).model.beta:g}")
c2.markdown(
    "Each column is one digit, over all its test images. **Top:** the average of their pixels. "
    "**Middle:** the average of their codes μ, decoded: the prototype. **Bottom:** the *medoid* "
    "(the test image whose μ is nearest the prototype, #n) passed through the same model."
)


with frame.cache_guard():
    codes = loaders.codes(name)
    _, labels = loaders.test_set()
    images_f = loaders.test_images_float()
    mkey = model_calls.model_key(name)
    view = cached.model_view(mkey)
mu = codes["mu"]  # (N, d), read-only
d = mu.shape[1]
proto_mu, med_idx, decoded, med_recon = (
    view["proto_mu"],
    view["med_idx"],
    view["decoded"],
    view["med_recon"],
)
pixel_avg = cached.pixel_average()  # (10, 28, 28)

# --- the picture: the three averages ------------------------------------------------------------

views.averages(name, pixel_avg, decoded, med_recon, med_idx)
st.latex(
    r"\bar z_k \;=\; \frac{1}{n_k} \sum_{i\,:\,y_i = k} \mu_i, \qquad \hat x_k \;=\; "
    r"\operatorname{decoder}(\bar z_k)"
)
frame.secondary(
    "Averaging pixels lays $n_k$ strokes, each in its own place, on top of each other. Averaging "
    "codes gives one point of the latent space, and the decoder draws one digit for it."
)

# --- what to notice ------------------------------------------------------------------------------

var_mu, active, kl = view["var_mu"], view["active"], view["kl"]  # (d,) each; kl in nats
unused = frozenset(int(j) for j in np.flatnonzero(~active))
# the traversals' switch of the unused dimensions, as the student last left it
folded = d > claims.FOLD_UNUSED and not st.session_state.get("protos_unused", False)
frame.notice(claims.notes(claims.facts_from(view, name, folded)))

with st.expander("Why average μ and not one sampled z per image?", icon=":material/casino:"):
    source = links.captioned_radio(
        st, "Average over", list(SOURCES), SOURCES, "protos_source", "mu", horizontal=True
    )
    seed = links.seed_input(st, "Seed of the sampled codes", "protos_seed")
    with frame.cache_guard():
        proto_z = cached.sampled_prototypes(mkey, seed)  # (10, d)
    diff = np.abs(proto_z - proto_mu)  # (10, d)
    se = view["se"]  # (10, d)
    st.markdown(
        "A sampled code is $z_i = \\mu_i + \\sigma_i\\varepsilon_i$, so the average of the samples "
        "is the average of the μ plus the average of $n_k$ independent noises, which shrinks as "
        "$1/\\sqrt{n_k}$:"
    )
    st.latex(
        r"\frac{1}{n_k}\sum_i z_i \;=\; \bar z_k \;+\; \underbrace{\frac{1}{n_k}\sum_i "
        r"\sigma_i\varepsilon_i}"
        r"_{\text{sd}\;=\;\sqrt{\overline{\sigma^2}/n_k}}"
    )
    st.markdown(
        f"With about {int(np.bincount(labels).mean()):,} test images per digit the two averages "
        "differ by at "
        f"most **{diff.max():.3f}** in any of the {10 * d} numbers below (the noise level is "
        f"{np.median(se):.3f}). Both decode to the same picture: averaging μ is the noise-free "
        "limit, and needs no seed."
    )
    views.prototype_table(name, proto_mu if source == "mu" else proto_z, source == "mu")

# --- what each dimension does --------------------------------------------------------------------

st.subheader("What each dimension does: traversals")
digit = links.url_widget(
    st.selectbox,
    "Prototype to start from: digit",
    list(DIGITS),
    index=DIGITS.index(DEFAULT_DIGIT),
    key="protos_digit",
    parse=lambda raw: link_values.parse_choice(raw, list(DIGITS), DEFAULT_DIGIT),
)
st.latex(r"z(t) \;=\; \bar z_k + (t - \bar z_{k,j})\,e_j")
frame.secondary(
    f"Each row keeps the prototype of {digit}, $\\bar z_k$, in every dimension but one: "
    "dimension $j$ takes each value $t$ of the sweep range in turn. The outlined tile is the one "
    "nearest the prototype's own value of that dimension."
)


views.traversal_view(name, proto_mu[digit], mu, digit, unused)

st.subheader("Two dimensions at once: a 2-D slice")
frame.secondary(
    "Two dimensions are swept on a grid while all the others keep the prototype's values: a small "
    "map of the "
    "latent space around the digit, in latent units, the second dimension pointing up; the cross "
    "is the prototype."
)


most_used = sorted(int(j) for j in np.argsort(-var_mu, kind="stable")[:2])
views.manifold_view(name, proto_mu[digit], (most_used[0], most_used[1]), digit)


frame.folded(
    "How each dimension is used: a table and histograms",
    "protos_usage_open",
    ":material/table:",
    views.usage_view,
    name,
    mu,
    labels,
    var_mu,
    active,
    kl,
    proto_mu,
)
frame.lesson_links(LESSON)
