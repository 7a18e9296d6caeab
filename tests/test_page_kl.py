"""AppTest runs of pages/02_KL_weighting.py (the beta ladder).

The ladder's models appear while ``python -m vae.build`` runs; with LATENT_LAB_ALLOW_MISSING=1
tests that need a model not built yet are skipped, otherwise they fail.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from vae import zoo

PATH = "pages/02_KL_weighting.py"
LADDER_2D = [zoo.beta_name(2, b) for b in zoo.BETAS_2D]
LADDER_10D = [zoo.beta_name(10, b) for b in zoo.BETAS_10D]

pytestmark = pytest.mark.slow


def chart_titles(at) -> str:
    import json

    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        out += [str(part.get("title", "")) for part in [spec, *spec.get("layer", [])]]
    return "\n".join(out)


def test_page_moves_every_control():
    need(*LADDER_2D, *LADDER_10D)
    at = app(PATH)
    page = texts(at)
    for heading in ("KL weighting", "What `vae-2d` decodes", "What to notice"):
        assert heading in page, heading
    assert "Codes μ at β = 1" in chart_titles(
        at
    ) and "draws z ~ N(0, I) land on at β = 1" in chart_titles(at)
    assert "Left out" not in page and not at.error
    assert at.select_slider(key="kl_beta").value == 1.0
    assert (
        not at.metric and "the 10 dimensions" not in page
    )  # the 10-D expander is folded: its content not drawn
    at.session_state["kl_10d_open"] = True  # a student opens it: the page reruns with its content
    at.run()
    assert_ok(at)
    assert [m.label for m in at.metric] == [
        f"β = {b:g}: active units" for b in zoo.BETAS_10D
    ]  # the 10-D expander
    assert "The same ten test digits through the 10-D VAEs" in texts(at)
    assert "upper bound on the information" in page  # what the KL is, and is not
    assert len(notices(at)) == 3

    at.select_slider(key="kl_beta").set_value(5.0).run()
    assert_ok(at)
    assert "Codes μ at β = 5" in chart_titles(at) and "What `vae-2d-beta5` decodes" in texts(at)
    assert_bound(
        at, "kl_beta", "kl_seed"
    )  # in the link as ?kl_beta=5 (the browser test: tests/test_e2e_links.py)

    at.number_input(key="kl_seed").set_value(7).run()
    assert_ok(at)
    assert (
        at.number_input(key="kl_seed").value == 7 and at.select_slider(key="kl_beta").value == 5.0
    )
    at.toggle(key="kl_every").set_value(True).run()
    assert_ok(at)
    assert_bound(at, "kl_every")

    at.session_state["kl_rd"] = {
        "selection": {"kl_rd_sel": [{"beta": 0.0}]}
    }  # a click on β = 0's point
    at.select_slider(key="kl_beta").set_value(0.0).run()
    assert_ok(at)
    assert "Codes μ at β = 0" in chart_titles(at)

    at.number_input(key="kl_conv_weight").set_value(0.02).run()
    assert_ok(at)
    assert any("7.84" in x.value for x in at.latex)  # 0.02 * 784 / 2
    at.number_input(key="kl_conv_dims").set_value(10).run()
    at.number_input(key="kl_conv_pixels").set_value(1000).run()
    assert_ok(at)
    assert any("= 2" in x.value for x in at.latex)  # 0.02 * 1000 / 10


def _stats(name: str, seed: int) -> dict:
    """The numbers behind the notices, recomputed from the cache with vae/ (not the page's code)."""
    from vae import artefacts, latent

    labels = artefacts.load_test_set()[1]
    mu = np.asarray(artefacts.load_codes(name, 2, True)["mu"], dtype=np.float64)
    zz = np.random.default_rng([seed, 1]).standard_normal((2000, 2))
    d = latent.prior_draws_vs_codes(mu, labels, zz, 3.0)
    return {
        "spread": float(np.sqrt((mu**2).sum(axis=1).mean())),
        "gaps": float(np.median(d["gaps"])),
        "tv": float(d["tv"]),
        **{k: float(zoo.info(name)["metrics"][f"test_{k}"]) for k in ("recon", "kl")},
    }


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("beta", zoo.BETAS_2D)
def test_every_notice_states_a_true_premise(beta, seed):
    """For every β of the ladder and two seeds: what each notice claims about the chosen rung
    against
    β = 1 holds for the numbers (recomputed here), whatever the wording."""
    need(*LADDER_2D)
    at = app(PATH, {"kl_beta": f"{beta:g}", "kl_seed": str(seed)})
    assert_ok(at)
    spread, draws, rd = notices(at)
    b, one = _stats(zoo.beta_name(2, beta), seed), _stats("vae-2d", seed)
    assert f"**{b['spread']:.2f}**" in spread
    if "spread further out" in spread:
        assert b["spread"] > 1.05 * one["spread"]
    if "squeezed toward the origin" in spread:
        assert b["spread"] < 0.95 * one["spread"]
    if "about as spread out" in spread:
        assert abs(b["spread"] - one["spread"]) <= 0.05 * one["spread"]
    assert f"**{b['gaps']:.1f}** typical gaps" in draws
    if "do not fall into holes" in draws:
        assert b["gaps"] <= one["gaps"] + 0.2 and b["tv"] > one["tv"] + 0.02
    if "in a worse mix" in draws:
        assert b["gaps"] > one["gaps"] + 0.2 and b["tv"] > one["tv"] + 0.02
    if "The mix is better" in draws:
        assert b["tv"] < one["tv"] - 0.02
    if "about as good as at β = 1" in draws:
        assert abs(b["tv"] - one["tv"]) <= 0.02
    if "land closer to real codes" in draws:
        assert b["gaps"] < one["gaps"] - 0.2
    if "though the draws land further" in draws:
        assert b["gaps"] > one["gaps"] + 0.2
    if "less rate, more distortion" in rd and beta != 1.0:
        assert b["kl"] < one["kl"] and b["recon"] > one["recon"]
    if "more rate, less distortion" in rd:
        assert b["kl"] > one["kl"] and b["recon"] < one["recon"]
    if "both move the same way" in rd:
        assert (b["kl"] < one["kl"]) == (b["recon"] < one["recon"])


def test_query_params_set_the_view():
    need("vae-2d-beta0.5")
    at = app(PATH, {"kl_beta": "0.5", "kl_seed": "12", "kl_every": "true"})
    assert at.select_slider(key="kl_beta").value == 0.5
    assert at.number_input(key="kl_seed").value == 12 and at.toggle(key="kl_every").value is True
    assert "Codes μ at β = 0.5" in chart_titles(at)


def test_works_with_only_some_models(partial_cache):
    """With only vae-2d built, the rest of the ladder is listed as missing, never a traceback."""
    need("vae-2d")
    partial_cache("vae-2d")
    at = app(PATH)
    page = texts(at)
    assert "Left out" in page and "vae-2d-beta5" in page and "What to notice" in page
    assert not at.error  # the chosen model (beta 1) is there
    at.select_slider(key="kl_beta").set_value(5.0).run()
    assert_ok(at)
    assert "cannot be used" in texts(at) and "vae-2d-beta5.pt" in texts(at)
    at.toggle(key="kl_every").set_value(True).run()
    assert_ok(at)


def test_no_model_at_all(partial_cache):
    """Only the test set: the chosen model's cache error, notes for the rest, no traceback."""
    partial_cache()
    at = app(PATH)
    page = texts(at)
    assert "cannot be used" in page and "vae-2d.pt" in page and "python -m vae.build" in page
    assert "What to notice" in page
    at.number_input(key="kl_conv_weight").set_value(0.5).run()
    assert_ok(at)


def test_the_10d_expander_says_what_the_largest_beta_does_to_the_dimensions():
    """Its title and caption claim switched-off units only when a 10-D rung has some (Var(mu_i) of
    its
    test codes at most 0.01), and otherwise give the smallest per-dimension KL, as the codes
    show."""
    from vae import artefacts, units
    from vae.losses import ACTIVE_UNIT_THRESHOLD

    need(*LADDER_10D)
    at = app(PATH)
    at.session_state["kl_10d_open"] = True  # its content is drawn while it is open (ui.folded)
    at.run()
    assert_ok(at)
    page = texts(at)
    codes = {b: np.load(artefacts.codes_path(zoo.beta_name(10, b))) for b in zoo.BETAS_10D}
    off = {b: int((c["mu"].var(axis=0) <= ACTIVE_UNIT_THRESHOLD).sum()) for b, c in codes.items()}
    titles = [e.label for e in at.expander]
    assert any("switched-off units" in t for t in titles) == any(off.values()), (titles, off)
    b_max = max(zoo.BETAS_10D)
    if off[b_max]:
        assert f"At β = {b_max:g}, {off[b_max]} of the 10 dimensions" in page
    else:
        kl_min = float(units.mean_kl_per_dim(codes[b_max]["mu"], codes[b_max]["logvar"]).min())
        assert (
            f"none of the 10 dimensions is switched off: each still carries at least {kl_min:.2f} "
            "nats" in page
        )


def test_the_training_fold_stays_open_across_a_beta_move():
    """The fold's label is the same for every β (a label is a fold's identity): a student who
    opened the training curves keeps them open while moving β, and they follow the β."""
    need("vae-2d", "vae-2d-beta5")
    at = app(PATH, opened=("kl_training_open",))

    def fold():
        return next(e for e in at.expander if e.label.startswith("How the model at this β"))

    assert fold().children
    at.select_slider(key="kl_beta").set_value(5.0).run()
    assert_ok(at)
    assert fold().children and at.session_state["kl_training_open"] is True
    said = " ".join([*(m.value for m in fold().markdown), *(c.value for c in fold().caption)])
    assert "`vae-2d-beta5` minimised reconstruction + 5 × KL" in said
