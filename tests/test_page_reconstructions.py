"""AppTest of pages/06_Reconstructions.py: every control, the link parameters, a missing model, and
a
sweep over every model the page offers that checks the premise of each notice against numbers
recomputed here (scikit-learn's nearest neighbours, the checkpoint's own decoder)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from vae import artefacts, zoo
from vae.losses import recon_bce

PAGE = "pages/06_Reconstructions.py"
OPEN = ("rec_table_open",)  # its folded expander, open (tests.pageutil.app): the tests read it
LADDER = ["ae-2d", "vae-2d", "vae-10d", "vae-32d"]
pytestmark = pytest.mark.slow


def table(at):
    return at.dataframe[0].value


def test_default_view_and_every_control():
    need(*LADDER)
    at = app(PAGE, opened=OPEN)
    page = texts(at)
    assert (
        ":material/image_search: Reconstructions" in page
        and "What to notice" in page
        and "excess loss" in page
    )
    assert at.multiselect(key="rec_models").value == LADDER
    assert len(table(at)) == 8 and len(notices(at)) == 3
    assert at.radio(key="rec_mode").value == "random"
    assert "vae-10d (10-D)" in texts(
        at
    )  # the latent sizes, under the picker (its labels are the URL's spelling)
    assert_bound(
        at, "rec_models", "rec_mode", "rec_n", "rec_seed", "rec_t"
    )  # each in the link under its key
    assert [e.label.split(":")[0] for e in at.expander] == ["Binarized", "The numbers as a table"]

    at.number_input(key="rec_seed").set_value(5).run()
    assert_ok(at)
    at.slider(key="rec_n").set_value(5).run()
    assert_ok(at)
    assert len(table(at)) == 5

    at.radio(key="rec_mode").set_value("digit").run()
    at.selectbox(key="rec_digit").set_value(7).run()
    assert_ok(at)
    assert (table(at)["digit"] == 7).all() and len(table(at)) == 5
    assert at.number_input(key="rec_seed").value == 5 and at.slider(key="rec_n").value == 5
    assert_bound(at, "rec_mode", "rec_digit", "rec_n", "rec_seed")

    at.slider(key="rec_t").set_value(0.3).run()
    assert_ok(at)
    assert "at least 0.30" in texts(at)
    at.multiselect(key="rec_models").set_value(["vae-10d"]).run()
    assert_ok(at)
    assert (
        at.multiselect(key="rec_models").value == ["vae-10d"] and len(notices(at)) == 2
    )  # one model: no ladder
    assert at.slider(key="rec_t").value == pytest.approx(0.3)
    assert_bound(at, "rec_models", "rec_t")
    at.multiselect(key="rec_models").set_value([]).run()
    assert_ok(at)
    assert any("at least one model" in w.value for w in at.warning)


def test_index_mode_warns_about_bad_entries():
    need(*LADDER)
    at = app(PAGE, opened=OPEN)
    at.radio(key="rec_mode").set_value("index").run()
    at.text_input(key="rec_idx").input("5, abc, 12000, 7").run()
    assert_ok(at)
    assert list(table(at)["test index"]) == [5, 7]
    assert_bound(at, "rec_idx")
    warning = " ".join(w.value for w in at.warning)
    assert (
        "` abc `" in warning and "` 12000 `" in warning
    )  # echoed as code: never rendered as Markdown
    at.text_input(key="rec_idx").input("nothing usable").run()
    assert_ok(at)
    assert len(table(at)) == 8 and "No usable test index" in texts(at)


def test_link_parameters_are_used():
    need(*LADDER)
    at = app(
        PAGE,
        {"rec_models": "vae-2d", "rec_mode": "index", "rec_idx": "3,4,10", "rec_t": "0.7"},
        opened=OPEN,
    )
    assert at.multiselect(key="rec_models").value == ["vae-2d"]
    assert at.radio(key="rec_mode").value == "index"
    assert at.slider(key="rec_t").value == pytest.approx(0.7)
    assert list(table(at)["test index"]) == [3, 4, 10]
    at = app(
        PAGE,
        {
            "rec_mode": "digit",
            "rec_digit": "2",
            "rec_n": "6",
            "rec_seed": "11",
            "rec_models": ["vae-2d", "vae-10d"],
        },
        opened=OPEN,
    )  # a repeated parameter
    assert at.selectbox(key="rec_digit").value == 2 and at.number_input(key="rec_seed").value == 11
    assert (table(at)["digit"] == 2).all() and len(table(at)) == 6
    assert at.multiselect(key="rec_models").value == ["vae-2d", "vae-10d"] and not at.toast


def test_garbage_link_parameters_fall_back():
    need(*LADDER)
    at = app(
        PAGE,
        {
            "rec_t": "abc",
            "rec_n": "9999",
            "rec_mode": "zzz",
            "rec_models": ["no-such-model", "cvae-2d"],
            "rec_seed": "-3",
        },
    )
    assert (
        at.multiselect(key="rec_models").value == LADDER
    )  # the CVAE is told the digit: not offered here
    # the other controls: tests/test_links.py


def test_missing_model_shows_the_cache_error(partial_cache):
    partial_cache()
    at = app(PAGE, {"rec_models": "vae-2d"}, opened=OPEN)
    error = " ".join(e.value for e in at.error)
    assert "vae-2d.pt" in error and "python -m vae.build" in error
    assert "What to notice" not in texts(at)


def _subset(labels: np.ndarray, n: int = 1000) -> np.ndarray:
    rng = np.random.default_rng(0)  # the page's fixed subset (ui.scatter_subset): 100 per digit
    return np.sort(
        np.concatenate(
            [rng.choice(np.flatnonzero(labels == k), n // 10, replace=False) for k in range(10)]
        )
    )


def _looks_like(
    queries: np.ndarray, refs: np.ndarray, labels: np.ndarray, own: np.ndarray
) -> np.ndarray:
    nn = NearestNeighbors(n_neighbors=2).fit(refs.reshape(len(refs), -1))
    idx = nn.kneighbors(queries.reshape(len(queries), -1), return_distance=False)  # (M, 2)
    return labels[np.where(idx[:, 0] == own, idx[:, 1], idx[:, 0])]


@torch.no_grad()
def _through(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = zoo.load(name)
    xt = torch.from_numpy(x).float().reshape(-1, 1, 28, 28)
    mu, _ = m.encode(xt)
    logits = m.decode_logits(mu)
    return torch.sigmoid(logits)[:, 0].numpy(), recon_bce(logits, xt).double().numpy()


OFFERED = [n for n in zoo.names() if zoo.entry(n).model.kind != "cvae"]


@pytest.mark.parametrize("models", [",".join(LADDER), *OFFERED])
def test_every_notice_states_a_true_premise(models):
    names = models.split(",")
    need(*names)
    at = app(PAGE, {"rec_models": names}, opened=OPEN)
    shown = notices(at)
    images, labels = artefacts.load_test_set()
    x = images.astype(np.float32) / 255
    sub = _subset(labels)
    for name in names:  # the kept-digit rate of each model, recomputed
        recon, _ = _through(name, x[sub])
        rate = float((_looks_like(recon, x, labels, sub) == labels[sub]).mean())
        got = re.search(rf"(\d+) % with {re.escape(name)}\b", shown[0])
        assert got and abs(int(got.group(1)) - 100 * rate) <= 0.6, (name, shown[0], rate)
    if (
        len(names) > 1
    ):  # the ladder notice: "falls" only when the mean excess loss really falls with d
        idx = np.array([int(i) for i in table(at)["test index"]])
        entropy = np.asarray(table(at)["own entropy H(x) (nats)"], float)
        by_d = sorted(names, key=lambda n: zoo.entry(n).model.latent_dim)
        excess = [float((_through(n, x[idx])[1] - entropy).mean()) for n in by_d]
        steps = np.diff(excess)  # the table rounds H(x) to 0.1 nats: 0.2 of slack
        if shown[1].startswith("The excess loss falls as the code grows:"):
            assert (steps < 0.2).all()
        elif shown[1].startswith("The excess loss falls"):  # "... until it levels off"
            assert (steps < 1.2).all() and (steps > -0.2).any()
        else:
            assert (steps > 0.8).any()
    last = shown[-1]
    if "One sample" in last and "less than 0.15" not in last:
        one, at_mu = (float(v) for v in re.search(r"\(([\d.]+) against ([\d.]+)\)", last).groups())
        assert ("costs" in last) == (
            one > at_mu
        )  # shown only when the two differ by 0.15 nats or more
    elif "One sample" in last:
        sigma = float(re.search(r"mean ([\d.]+)\)", last).group(1))
        assert sigma < 0.1
