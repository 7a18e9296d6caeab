"""AE vs VAE: the same encoder/decoder pair with a 2-D code, trained two ways.

The plain autoencoder (``ae-2d``) is trained on reconstruction alone, the VAE (``vae-2d``) on the
ELBO: reconstruction plus the KL term that ties every posterior q(z|x) to the prior N(0, I). The
page leads with where each model puts the test digits, with draws from the prior on top and the
digit mix those draws land among; then what each decoder makes of the draws, a clicked digit's
posterior, and, in expanders, each decoder's whole map and the price in reconstruction.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.draw.style import GRID_N_DEFAULT, GRID_N_RANGE
from ui.lessons.ae_vs_vae import claims as ac
from ui.lessons.ae_vs_vae import views
from ui.lessons.words import a_digit
from ui.page import frame, link_values, links, loaders, model_calls
from vae import artefacts

AE, VAE = views.AE, views.VAE
IDX_DEFAULT = 0  # the first test digit (a 7) is picked until the learner clicks another
AE_AXES = {"codes": "all its codes", "prior": "the prior's square"}  # the AE map's axes

LESSON = frame.setup_page(
    __file__,
    "what the KL term buys: a VAE's codes are trained to fill the prior N(0, I), so draws from it "
    "decode to digits in the data's mix; a plain autoencoder's codes lie wherever its training "
    "left them.",
)

ss = st.session_state
# the picked digit is a click on either map, no widget: kept by links.state_from_url /
# links.state_to_url (the other settings are widgets bound to the URL parameter named by their key:
# links.url_widget)
links.state_from_url(
    "aevae_pick",
    "aevae_idx",
    lambda raw: link_values.parse_int(raw, 0, artefacts.N_TEST - 1, IDX_DEFAULT),
)

with frame.cache_guard():
    loaders.model(AE)  # loaded (and checked) first: every picture below decodes with them
    loaders.model(VAE)
    ae_info, vae_info = loaders.info(AE), loaders.info(VAE)
    ae_codes, vae_codes = loaders.codes(AE), loaders.codes(VAE)
    _, labels = loaders.test_set()
    images = loaders.test_images_float()
    subset = loaders.scatter_subset()


ae_mu = np.asarray(ae_codes["mu"], dtype=np.float64)  # (N, 2), a copy: cached arrays are read-only
vae_mu = np.asarray(vae_codes["mu"], dtype=np.float64)  # (N, 2)
seed_col, axes_col, pick_col = st.columns([1, 1, 2])
seed = links.seed_input(seed_col, "Seed of the prior draws", "aevae_seed")
axes = links.captioned_radio(
    axes_col,
    "The AE map shows",
    list(AE_AXES),
    AE_AXES,
    "aevae_axes",
    "codes",
    help="The AE's codes are not on the prior's scale. Fitted to all of them, the map shows how "
    "small "
    "the prior's circle is among them; on the prior's square (the VAE map's axes), which AE codes "
    "the draws land among.",
)
pick = int(ss["aevae_pick"])
pick_col.markdown(
    f"**Click a dot** on either map to pick a test digit (now **#{pick}**, "
    f"{a_digit(labels[pick])}, marked on both maps, at the edge when its code is off the axes). "
    "Small crosses: draws z ~ "
    "N(0, I)."
)

# --- the picture: both code maps with the same prior draws, and the digit mix under them ----------

zz = model_calls.prior_draws(seed, views.N_MIX)  # (N_MIX, 2)
vae_lv = np.asarray(vae_codes["logvar"][pick], dtype=np.float64)  # (2,)
ring = views.code_maps(ae_mu, vae_mu, vae_lv, labels, subset, pick, zz, axes)
st_ae, st_vae = (model_calls.prior_draw_stats(m, seed) for m in (AE, VAE))  # once per model, seed
draws = views.draw_facts(st_ae, st_vae, labels, ae_mu, vae_mu)
views.digit_mix(draws)

# --- the maths, short -----------------------------------------------------------------------------

st.latex(
    r"\mathcal{L}_{\mathrm{AE}}(x) = -\log p\big(x \mid z = f(x)\big) \qquad\qquad"
    r"-\mathrm{ELBO}(x) = \mathbb{E}_{q(z \mid x)}\big[-\log p(x \mid z)\big]"
    r" + \mathrm{KL}\big(q(z \mid x)\,\|\,\mathcal{N}(0, I)\big)"
)
st.markdown(
    "Same networks, same 2-D code. The AE is trained on the left-hand loss alone, so nothing "
    "refers to "
    "N(0, I). The VAE encodes a distribution q(z|x) = N(μ, σ²), decodes a sample of it, and pays "
    "the KL term for every posterior that strays from the prior."
)
with st.expander("The maths in more detail", icon=":material/menu_book:"):
    st.latex(
        r"z = \mu + \sigma \odot \varepsilon,\ \ \varepsilon \sim \mathcal{N}(0, I) \qquad"
        r"\mathrm{KL}\big(q(z \mid x)\,\|\,\mathcal{N}(0, I)\big)"
        r" = \tfrac12 \sum_{j=1}^{2} \big(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2\big)"
    )
    st.markdown(
        "- **The reparameterization trick.** Drawing z at random is not differentiable; writing "
        "the draw as "
        "μ + σ ⊙ ε moves the randomness into ε, which does not depend on the network, so gradients "
        "reach μ and σ.\n"
        "- **The reconstruction term** is the binary cross-entropy summed over the 784 pixels, in "
        "nats: it wants every code to decode to *its* image, as the AE's loss does.\n"
        "- **The KL term** is zero only at μ = 0, σ = 1. It pulls *each* posterior toward the "
        "prior and keeps it "
        "spread (σ > 0). It does not, by itself, make the codes of all digits *together* fill the "
        "prior: the "
        "aggregate of the posteriors can leave patches of N(0, I) empty (look for them on the "
        "VAE's map)."
    )
    frame.nats_note()

# --- the experiment: decode the draws; the picked digit's posterior -------------------------------

st.subheader("Decode the draws, and the digit you picked")
views.decoded_draws(zz, seed, draws, st_ae, st_vae)
views.posterior(pick, seed, images, labels, ae_mu, vae_mu, vae_lv, ring, draws.gap_vae)

# --- what to notice -------------------------------------------------------------------------------

recon = ac.recon_note(views.recon_facts())[1]
frame.notice([ac.mix_note(draws)[1], ac.cover_note(draws)[1], recon])

# --- expanders: each decoder's whole map, the reconstructions of ten digits -----------------------

with st.expander("Each decoder's whole map: decode a grid of codes", icon=":material/grid_on:"):
    n = int(
        links.url_widget(
            st.slider,
            "Grid size (tiles per side)",
            *GRID_N_RANGE,
            value=GRID_N_DEFAULT,
            key="aevae_n",
            parse=lambda raw: link_values.parse_int(raw, *GRID_N_RANGE, GRID_N_DEFAULT),
        )
    )
    views.whole_maps(n, ae_mu)

frame.folded(
    "Reconstructions of ten test digits, and the one-sample loss",
    "aevae_recon_open",
    ":material/compare:",
    views.ten_reconstructions,
    seed,
    labels,
    images,
    ae_mu,
    vae_mu,
    vae_codes["recon"],
    (ae_info["metrics"], vae_info["metrics"]),
)
# after the last bound control (the grid's size): the toast of a bad link
links.state_to_url({"aevae_idx": pick})
frame.lesson_links(LESSON)
