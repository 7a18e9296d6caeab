"""AppTest runs of pages/05_Embeddings.py: every control, link parameters, missing cache files, and
a
sweep over every 10-D model that checks the premise of each notice shown."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.pageutil import (
    app,
    assert_bound,
    assert_ok,
    assert_stopped_by_cache_error,
    notices,
    texts,
)
from ui.lessons import words
from vae import artefacts, embed, zoo

PAGE = "pages/05_Embeddings.py"
pytestmark = pytest.mark.slow


def built(name: str) -> bool:
    return all(
        p.exists()
        for p in (
            artefacts.checkpoint_path(name),
            artefacts.codes_path(name),
            artefacts.embeddings_path(name),
        )
    )


def require(*names: str) -> None:
    """Fail when a model, its codes or its embeddings are missing (skip with
    LATENT_LAB_ALLOW_MISSING=1)."""
    missing = [n for n in names if not built(n)]
    if missing:
        msg = (
            f"model, codes or embeddings not built yet for {', '.join(missing)} (python -m "
            "vae.build)"
        )
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip(msg)
        pytest.fail(msg)


def line_value(at) -> list[float]:
    return [at.number_input(key=k).value for k in ("emb_x0", "emb_y0", "emb_x1", "emb_y1")]


def test_default_view():
    require("vae-10d")
    at = app(PAGE)
    t = texts(at)
    for s in (
        "Embeddings",
        "Click a dot",
        "nearest neighbours",
        "Walking along a line",
        "can't be inverted",
        "What to notice",
        "Trustworthiness",
        "5-NN accuracy",
    ):
        assert s in t, s
    assert [e.label.split(":")[0] for e in at.expander] == [
        "t-SNE's knobs",
        "Why PCA's spectrum is flat",
        "The codes themselves, two dimensions at a time (a pair plot)",
    ]
    assert len(notices(at)) == 3
    assert not at.error
    assert at.selectbox(key="emb_model").value == "vae-10d"
    assert at.selectbox(key="emb_method").value == "tsne"
    assert at.slider(key="emb_n").value == 10
    assert at.multiselect(key="emb_dims").value == [0, 1, 2]
    kept = [c.value for c in at.caption if c.value.startswith("Keeps")]
    assert len(kept) == 3 and all(
        "Trustworthiness" in c and "5-NN accuracy" in c for c in kept
    )  # under each map
    assert len(at.get("image")) >= 1  # decoded codes along the line


def test_every_control():
    require("vae-10d")
    at = app(PAGE)
    before = line_value(at)
    at.selectbox(key="emb_method").set_value("pca").run()
    assert_ok(at)
    assert line_value(at) != before  # another map: its own default line
    for key, v in zip(("emb_x0", "emb_y0", "emb_x1", "emb_y1"), (-1.0, -0.5, 1.0, 0.5)):
        at.number_input(key=key).set_value(v).run()
        assert_ok(at)
    at.slider(key="emb_n").set_value(6).run()
    assert_ok(at)
    at.selectbox(key="emb_method").set_value("umap").run()
    assert_ok(at)
    at.multiselect(key="emb_dims").set_value([3, 4, 5, 6]).run()
    assert_ok(at)
    assert at.selectbox(key="emb_method").value == "umap"
    assert at.slider(key="emb_n").value == 6
    assert at.multiselect(key="emb_dims").value == [3, 4, 5, 6]
    assert at.multiselect(key="emb_dims").proto.options == [
        words.z(j) for j in range(10)
    ]  # the URL's spelling: the app's one numbering, z₁ … z₁₀
    assert_bound(
        at, "emb_model", "emb_method", "emb_n", "emb_dims"
    )  # each in the link under its key
    assert (
        len(at.query_params["emb_line"].split(",")) == 4
    )  # four inputs, one parameter: links.state_to_url
    assert "What to notice" in texts(at)


def test_other_model():
    require("vae-10d")
    others = [n for n in ("ae-10d", "vae-10d-beta0.1", "vae-10d-beta4") if built(n)]
    if not others:
        if os.environ.get("LATENT_LAB_ALLOW_MISSING") == "1":
            pytest.skip("no other 10-D model with embeddings built yet")
        pytest.fail("no other 10-D model with embeddings built")
    at = app(PAGE)
    at.selectbox(key="emb_model").set_value(others[0]).run()
    assert_ok(at)
    assert at.selectbox(key="emb_model").value == others[0]
    assert_bound(at, "emb_model")
    assert "What to notice" in texts(at)


def test_degenerate_inputs_are_explained():
    require("vae-10d")
    at = app(PAGE, {"emb_method": "PCA", "emb_line": "1,1,1,1"})
    assert any("same point" in i.value for i in at.info)
    at.multiselect(key="emb_dims").set_value([2]).run()
    assert_ok(at)
    assert any("at least two" in w.value for w in at.warning)
    at = app(PAGE, {"emb_method": "PCA", "emb_line": "9000,9000,9500,9500"})
    assert any("away from every code" in w.value for w in at.warning)


def test_link_parameters():
    require("vae-10d")
    at = app(
        PAGE,
        {
            "emb_n": "12",
            "emb_method": "UMAP",
            "emb_line": "0.5,-1,2,3.25",
            "emb_dims": ["z₁", "z₄"],  # the app's one numbering, as the chips show it
            "emb_model": "vae-10d",
        },
    )
    assert at.slider(key="emb_n").value == 12
    assert at.selectbox(key="emb_method").value == "umap"
    assert np.allclose(line_value(at), [0.5, -1.0, 2.0, 3.25])
    assert at.multiselect(key="emb_dims").value == [0, 3]  # z₁ and z₄
    assert not at.toast  # nothing in the link was ignored


def test_garbage_link_parameters_fall_back():
    require("vae-10d")
    """The controls' fallback is tests/test_links.py; here: the line is still a line."""
    at = app(
        PAGE,
        {
            "emb_n": "many",
            "emb_method": "lda",
            "emb_line": "1,2,nan",
            "emb_dims": "0,0,99",
            "emb_model": "vae-99d",
        },
    )
    x0, y0, x1, y1 = line_value(at)
    assert np.isfinite([x0, y0, x1, y1]).all() and (x0, y0) != (x1, y1)


def test_missing_embeddings_show_the_cache_error(partial_cache):
    """Before the embeddings exist the page shows the cache message, not a traceback."""
    partial_cache("vae-10d")  # the model and its codes (when built), no embeddings
    at = app(PAGE)
    assert_stopped_by_cache_error(at, "vae-10d.npz", "missing")


def test_a_picked_code_lights_up_its_ten_dimensional_neighbours():
    """The pick (from the URL, as a click leaves it) is named, and each map's count of kept
    neighbours is the overlap of the 10 nearest in 10-D and the 10 nearest on that map."""
    require("vae-10d")
    at = app(PAGE, {"emb_idx": "123"})
    assert at.query_params["emb_idx"] == "123"
    assert "#123" in texts(at)
    mu = np.load(artefacts.codes_path("vae-10d"))["mu"].astype(np.float64)
    emb = np.load(artefacts.embeddings_path("vae-10d"))
    from sklearn.neighbors import NearestNeighbors

    def knn(x):
        return set(
            NearestNeighbors(n_neighbors=11).fit(x).kneighbors(x[123:124])[1][0][1:].tolist()
        )

    kept = [c.value for c in at.caption if c.value.startswith("Keeps")]
    for caption, m in zip(kept, ("pca", "tsne", "umap")):
        expected = len(knn(mu) & knn(emb[m].astype(np.float64)))
        assert caption.startswith(f"Keeps **{expected} of 10**"), (m, caption)
    at = app(PAGE, {"emb_idx": "10000"})  # out of range: the first test digit
    assert at.query_params["emb_idx"] == "0"


SWEEP = [
    n
    for n in zoo.names()
    if zoo.entry(n).model.latent_dim == 10 and zoo.entry(n).model.kind in ("vae", "ae")
]


@pytest.mark.parametrize("name", SWEEP)
def test_every_notice_states_a_true_premise(name):
    require(name)
    at = app(PAGE, {"emb_model": name})
    trust, pca, knn = notices(at)
    emb = np.load(artefacts.embeddings_path(name))
    codes = np.load(artefacts.codes_path(name))
    mu = codes["mu"].astype(np.float64)
    t = {m: float(emb[f"{m}_trustworthiness"]) for m in ("pca", "tsne", "umap")}
    names = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
    assert trust.startswith(
        f"By trustworthiness {names[max(t, key=t.get)]} keeps neighbourhoods best"
    )
    assert f"{names[min(t, key=t.get)]} worst" in trust
    assert "keeps most of them" not in trust  # the overlap count is the measure of "kept" (below)
    if "No map keeps even half" in trust:  # the exact overlap of the 10 nearest, every code
        from ui.lessons.embeddings.claims import kept_counts

        assert all(kept_counts(mu, emb[m]).mean() < 5 for m in names)
    if "pulls each dimension's total spread" in pca:  # the KL story: every total variance near 1
        assert zoo.entry(name).model.kind == "vae"
        total = mu.var(axis=0) + np.exp(codes["logvar"].astype(np.float64)).mean(axis=0)
        assert 0.8 <= total.min() and total.max() <= 1.25
    if zoo.entry(name).model.kind == "ae":  # no prior, no σ: neither is named
        assert "prior's 1" not in pca and "E[σ" not in pca
        assert not any(e.label.startswith("Why") for e in at.expander)
    angles = embed.pc_angles_cov(mu)  # the page's resampling
    assert ("is noise" in pca) == (np.median(angles) > 10)
    acc = float(emb["latent_knn_accuracy"])
    assert f"against {round(100 * acc)} % in 10-D" in knn
