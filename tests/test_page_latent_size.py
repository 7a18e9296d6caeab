"""AppTest runs of pages/11_Latent_size.py (VAEs with latent 2 to 32).

The models appear while ``python -m vae.build`` runs; with LATENT_LAB_ALLOW_MISSING=1 tests that
need a model not built yet are skipped, otherwise they fail.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from vae import artefacts, units, zoo

PATH = "pages/11_Latent_size.py"
OPEN = ("ls_table_open",)  # its folded expander, open (tests.pageutil.app): the tests read it
SIZES = [f"vae-{d}d" for d in zoo.LATENT_SIZES]

pytestmark = pytest.mark.slow


def test_page_moves_every_control():
    need(*SIZES)
    at = app(PATH, opened=OPEN)
    page = texts(at)
    for heading in (
        "Latent size",
        "What each extra dimension buys",
        "Cut a large code down",
        "What to notice",
    ):
        assert heading in page, heading
    assert [e.label.split(":")[0] for e in at.expander] == [
        "The numbers, and active units by the spread of μ"
    ]
    assert len(notices(at)) == 4  # ELBO, counts, the threshold's part in them, top k
    assert "Left out" not in page and not at.error
    table = at.dataframe[0].value
    assert sorted(table["latent size"]) == list(zoo.LATENT_SIZES)
    assert (table["active units"] <= table["latent size"]).all()
    assert "Test −ELBO by latent size" in page and "Active units: " in page

    at.number_input(key="ls_seed").set_value(23).run()
    assert_ok(at)
    assert at.number_input(key="ls_seed").value == 23
    at.select_slider(key="ls_thr").set_value(0.5).run()
    assert_ok(at)
    assert at.select_slider(
        key="ls_thr"
    ).value == 0.5 and "At 0.5 nats of KL per dimension" in texts(at)
    at.selectbox(key="ls_topk_d").set_value(20).run()
    assert_ok(at)
    at.slider(key="ls_k").set_value(4).run()
    assert_ok(at)
    assert (at.selectbox(key="ls_topk_d").value, at.slider(key="ls_k").value) == (20, 4)
    assert_bound(at, "ls_seed", "ls_thr", "ls_topk_d", "ls_k")  # each in the link under its key
    at.selectbox(key="ls_topk_d").set_value(32).run()  # k stays where it was
    assert_ok(at)
    assert at.slider(key="ls_k").value == 4


def test_query_params_set_the_view():
    need("vae-2d")
    at = app(PATH, {"ls_seed": "12"}, opened=OPEN)
    assert at.number_input(key="ls_seed").value == 12


def test_link_sets_every_control():
    need(*SIZES)
    at = app(PATH, {"ls_seed": "12", "ls_thr": "0.5", "ls_topk_d": "20", "ls_k": "4"}, opened=OPEN)
    assert (
        at.number_input(key="ls_seed").value == 12 and at.select_slider(key="ls_thr").value == 0.5
    )
    assert (at.selectbox(key="ls_topk_d").value, at.slider(key="ls_k").value) == (20, 4)
    assert "At 0.5 nats of KL per dimension" in texts(at) and not at.toast


def test_works_with_only_some_models(partial_cache):
    """With only vae-2d built, the other sizes are listed as missing, never a traceback."""
    need("vae-2d")
    partial_cache("vae-2d")
    at = app(PATH, opened=OPEN)
    page = texts(at)
    assert "Left out" in page and "vae-32d" in page and "What to notice" in page
    at.number_input(key="ls_seed").set_value(5).run()
    assert_ok(at)


def test_no_model_at_all(partial_cache):
    partial_cache()
    at = app(PATH, opened=OPEN)
    assert "Left out" in texts(at)


def test_every_notice_states_a_true_premise():
    """Each "what to notice" sentence is checked against the page's own table (claim test)."""
    import re

    need(*SIZES)
    at = app(PATH, opened=OPEN)
    page = texts(at)
    t = at.dataframe[0].value.set_index("latent size")
    elbo = t["test −ELBO (nats)"]
    best = int(elbo.idxmin())
    for d, gap in re.findall(r"d = (\d+) is ([\d.]+) nats behind", page):
        d = int(d)
        assert d > best and elbo[d] > elbo[best]
        assert abs(float(gap) - (elbo[d] - elbo[best])) < 0.06
        same = t.loc[d, "epochs"] == t.loc[best, "epochs"]
        assert (f"nats behind ({t.loc[d, 'epochs']} epochs" not in page) == bool(same)
    if "one training budget" in page:
        assert t["epochs"].nunique() == 1
    _, counts, thr_note, cut = notices(at)
    kl = {
        d: units.mean_kl_per_dim(
            *(np.load(artefacts.codes_path(f"vae-{d}d"))[k] for k in ("mu", "logvar"))
        )
        for d in zoo.LATENT_SIZES
    }
    used = {d: int((v > 0.1).sum()) for d, v in kl.items()}  # the default threshold, 0.1 nats
    assert counts.startswith(
        "At 0.1 nats of KL per dimension the models use "
        + ", ".join(f"{used[d]} of {d}" for d in zoo.LATENT_SIZES)
    )
    top = max(used.values())
    m = re.search(r"grows up to d = (\d+) \((\d+)\) and stops there", counts)
    if m:  # the count stops: the most, first reached below the largest size, and kept within one
        first = int(m.group(1))
        assert (
            int(m.group(2)) == top
            and first < 32
            and all(used[d] >= top - 1 for d in used if d >= first)
        )
    if "the largest model uses the most" in counts:
        assert used[32] == top and all(v < top for d, v in used.items() if d != 32)
    assert (
        "the rest are switched off" not in counts
    )  # dimensions under the bar may carry 0.1-1 nats
    assert "depends on where you draw the line" in thr_note
    for d, k in re.findall(r"vae-(\d+)d's reconstruction loss .*?k = (\d+) is within 1 nat", cut):
        assert 1 <= int(k) <= int(d)
    assert "vae-32d" in cut and "vae-20d" in cut  # both large models, whichever the fragment shows
