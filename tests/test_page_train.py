"""AppTest of pages/13_Train_it_yourself.py: tiny live trainings, the comparison with the pretrained
model, the one-at-a-time guard (stale flag) and the shareable settings."""

from __future__ import annotations

import pytest

from tests.pageutil import app, assert_bound, assert_ok, need, notices, texts
from vae import arrays, live

PAGE = "pages/13_Train_it_yourself.py"
pytestmark = pytest.mark.slow


def tiny(at, d: int = 2, beta: float = 1.0):
    at.radio(key="train_d").set_value(d)
    at.select_slider(key="train_beta").set_value(beta)
    at.select_slider(key="train_size").set_value(256)
    at.slider(key="train_epochs").set_value(1)
    at.select_slider(key="train_batch").set_value(128)
    return at.run()


def test_opens_without_a_model():
    at = app(PAGE)
    t = texts(at)
    assert "Train it yourself" in t and "fixed random **2,000 of the 10,000 test digits**" in t
    assert [b.label for b in at.button if b.key.startswith("train_preset_")] == [
        "Overfit it",
        "No KL",
        "Too much KL",
    ]
    assert any("No model trained in this session yet" in i.value for i in at.info)
    assert not at.button(key="train_start").disabled and at.button(key="train_stop").disabled
    assert (
        at.radio(key="train_d").value,
        at.select_slider(key="train_beta").value,
        at.select_slider(key="train_size").value,
        at.slider(key="train_epochs").value,
        at.select_slider(key="train_batch").value,
    ) == (2, 1.0, 4000, 3, 32)
    assert_bound(
        at, "train_d", "train_beta", "train_size", "train_epochs", "train_batch"
    )  # each under its key
    assert not at.error


def square_maps(at) -> list[dict]:
    """The code maps' specs, each checked square with equal x and y domains (z₁ across, z₂ up)."""
    import json

    maps = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    maps = [m for m in maps if m.get("encoding", {}).get("x", {}).get("title") == "z₁"]
    for m in maps:
        x, y = m["encoding"]["x"], m["encoding"]["y"]
        assert y["title"] == "z₂" and m["width"] == m["height"]  # one unit as long across as up
        assert x["scale"]["domain"] == y["scale"]["domain"] and x["scale"]["domain"][0] < 0
    return maps


def test_before_a_run_the_pretrained_model_it_meets_is_shown():
    """Something true to look at before the first run: the comparison model's held-out score (the
    number the table will show), its reconstructions and (2-D) its codes on a square map."""
    need("vae-2d", "vae-10d")
    from ui.lessons.training import live_view

    at = app(PAGE)
    t = texts(at)
    score = live_view._heldout_metrics("vae-2d", ())  # the same function the page caches
    assert "Before you train" in t and f"−ELBO **{score['elbo']:.1f} nats**" in t
    assert len(at.get("image")) >= 1  # its reconstructions of the ten held-out digits
    (m,) = square_maps(at)
    assert "Every held-out code is on the map" in t or "outside the square" in t
    assert m["encoding"]["x"]["scale"]["domain"][1] >= 4  # vae-2d's held-out codes reach past ±4
    at.radio(key="train_d").set_value(10).run()
    assert "**vae-10d**" in texts(at) and not square_maps(at)  # no plane for 10-D


def test_train_tiny_2d_and_compare():
    need("vae-2d")
    at = tiny(app(PAGE))
    assert_ok(at)
    at.button(key="train_start").click().run()
    assert_ok(at)
    t = texts(at)
    assert (
        "Your model" in t
        and "Held-out score" in t
        and "Held-out codes" in t
        and "What to notice" in t
    )
    assert "2-D, β = 1, 256 images, 1 epoch, batch 128" in t
    assert not at.error
    assert not at.button(key="train_start").disabled  # enabled again after the run
    assert len(at.get("vega_lite_chart")) == 4  # reconstruction, KL, your codes, pretrained codes
    table = at.dataframe[0].value
    assert list(table["model"]) == ["yours", "vae-2d"]
    assert "Both measured on the same 2,000 held-out test digits: a fixed random sample" in t
    assert "last" not in t.split("Both measured")[1][:300]
    assert len(square_maps(at)) == 2
    sess = at.session_state["train_session"]
    from ui.lessons.training import live_view

    x_ho, y_ho = live.heldout_set(
        *(lambda a: (a[0].astype("float32") / 255, a[1]))(
            __import__("vae.artefacts", fromlist=["x"]).load_test_set()
        )
    )
    again = live.heldout_metrics(sess.model, x_ho, y_ho)  # the table's set, re-measured
    assert abs(again["elbo"] - sess.metrics["test_elbo"]) < 0.05
    pre = live_view._heldout_metrics("vae-2d", ())["elbo"]
    assert abs(pre - table["held-out −ELBO (nats)"][1]) < 0.06
    assert "The pretrained **vae-2d** scores" in t and "No labels were used" in t
    sess = at.session_state["train_session"]
    assert sess.model is not None and not sess.busy and sess.run_id == 1
    assert len(sess.history["test_recon"]) == 1
    # a setting moved after training: the result stays, with a note
    at.slider(key="train_epochs").set_value(2).run()
    assert_ok(at)
    assert "settings above have changed" in texts(at)


def test_train_10d_beta_without_a_pretrained_twin():
    need("vae-10d")
    at = tiny(app(PAGE), d=10, beta=0.5)
    at.button(key="train_start").click().run()
    assert_ok(at)
    t = texts(at)
    assert "no 10-D model with β = 0.5" in t and "vae-10d" in t
    assert "Held-out codes" not in t  # no plane to draw for 10-D
    assert len(at.get("vega_lite_chart")) == 2


def test_missing_pretrained_model_is_a_message_not_a_traceback(partial_cache):
    """A cache/ with only the test set: training works, the comparison says what is missing."""
    partial_cache()
    at = tiny(app(PAGE), d=2, beta=0.0)
    at.button(key="train_start").click().run()
    assert_ok(at)
    t = texts(at)
    assert "Your model" in t and "What to notice" in t
    assert any("vae-2d-beta0" in e.value and "python -m vae.build" in e.value for e in at.error)
    assert list(at.dataframe[0].value["model"]) == ["yours"]


def test_missing_test_set_shows_the_cache_error(partial_cache):
    partial_cache(test_set=False)  # an empty cache/
    at = app(PAGE)
    assert any("mnist_test.npz" in e.value and "python -m vae.build" in e.value for e in at.error)
    assert "Your model" not in texts(at)


def test_stale_running_flag_is_reset():
    at = app(PAGE)
    stuck = live.TrainingSession()
    stuck.request(live.LiveSettings(train_size=256, epochs=1))
    stuck.begin()  # as if a run were still unwinding (fast rerun) or died before its `finally`
    at.session_state["train_session"] = stuck
    at.run()
    assert_ok(at)
    assert any("stopped in its first epoch" in i.value for i in at.info)
    assert not at.button(key="train_start").disabled
    assert not at.session_state["train_session"].busy
    at.run()  # reported once
    assert not any("stopped in its first epoch" in i.value for i in at.info)


def test_link_restores_settings():
    at = app(
        PAGE,
        {
            "train_d": "10",
            "train_beta": "0.5",
            "train_size": "256",
            "train_epochs": "3",
            "train_batch": "256",
        },
    )
    assert at.radio(key="train_d").value == 10
    assert at.select_slider(key="train_beta").value == 0.5
    assert at.select_slider(key="train_size").value == 256
    assert at.slider(key="train_epochs").value == 3
    assert at.select_slider(key="train_batch").value == 256


@pytest.mark.parametrize("raw,beta", [("2", 2.0), ("0", 0.0), ("1.0", 1.0), ("0.1", 0.1)])
def test_link_beta_as_the_page_writes_it(raw, beta):
    at = app(PAGE, {"train_beta": raw})
    assert (
        at.select_slider(key="train_beta").value == beta and not at.toast
    )  # "1.0" is the default, 1: no notice
    at.select_slider(key="train_beta").set_value(5.0).run()
    assert at.select_slider(key="train_beta").value == 5.0
    # the link holds the label (ui.page.links.url_widget): written with :g, read back above
    assert at.select_slider(key="train_beta").options == [f"{b:g}" for b in live.BETAS]
    assert_bound(at, "train_beta")


def test_presets_set_the_experiment_and_say_what_to_expect():
    at = app(PAGE)
    at.button(key="train_preset_Overfit it").click().run()
    assert_ok(at)
    assert (at.select_slider(key="train_size").value, at.slider(key="train_epochs").value) == (
        256,
        20,
    )
    assert "gap between them opens" in texts(at)
    assert_bound(
        at, "train_size", "train_epochs"
    )  # a preset sets bound controls: Streamlit writes the link
    at.button(key="train_preset_Too much KL").click().run()
    assert at.select_slider(key="train_beta").value == 5.0 and "collapse" in texts(at)
    at.button(key="train_preset_No KL").click().run()
    assert at.select_slider(key="train_beta").value == 0.0


def test_runs_are_kept_to_compare_and_a_collapsed_dimension_is_named():
    """Two runs: both held-out curves on one chart; at beta = 5 a dimension whose held-out KL is
    below 0.01 nats is named as collapsed, and only then."""
    import numpy as np

    from vae import units

    need("vae-2d", "vae-2d-beta5")
    at = tiny(app(PAGE), d=2, beta=1.0)
    at.button(key="train_start").click().run()
    at = tiny(at, d=2, beta=5.0)
    at.button(key="train_start").click().run()
    assert_ok(at)
    sess = at.session_state["train_session"]
    assert len(sess.runs) == 2 and "Your runs, side by side" in texts(at)
    x_ho, _ = live.heldout_set(
        *(lambda a: (a[0].astype(np.float32) / 255, a[1]))(
            __import__("vae.artefacts", fromlist=["x"]).load_test_set()
        )
    )
    mu, lv = arrays.encode(sess.model, x_ho)
    kl = units.mean_kl_per_dim(mu, lv)
    named = "collapsed" in " ".join(notices(at))
    assert named == bool((kl < 0.01).any())


def test_pause_then_one_more_epoch_then_resume():
    """A run paused after its first epoch (as the Pause button leaves it) shows that model, takes
    one more epoch on request, and resumes to the end; Resume and One more epoch are off
    otherwise."""
    need("vae-2d")
    at = tiny(app(PAGE), d=2, beta=1.0)
    assert at.button(key="train_resume").disabled and at.button(key="train_step").disabled
    at.slider(key="train_epochs").set_value(3)
    at.select_slider(key="train_size").set_value(256).run()
    # pause after epoch 1, as a press of Pause mid-run does (the rerun stops the run; the session
    # keeps the epoch)
    sess = at.session_state["train_session"]
    s = live.LiveSettings(train_size=256, epochs=3, batch_size=128)
    import numpy as np

    from vae.artefacts import load_test_set
    from vae.train import train

    images, labels = load_test_set()
    x_tr, y_tr, x_ho, y_ho = live.split_test_set(images.astype(np.float32) / 255, labels, 256)
    sess.request(s, until=1)
    rid = sess.begin()
    sess.finish(
        rid, train(s.model_config(), s.train_config(1), x_tr, y_tr, x_ho, y_ho, until_epoch=1)
    )
    at.run()
    assert_ok(at)
    assert "Paused after epoch 1 of 3" in texts(at) and not at.button(key="train_step").disabled
    at.button(key="train_step").click().run()
    assert_ok(at)
    sess = at.session_state["train_session"]
    assert (
        sess.paused is not None
        and sess.paused.epochs_done == 2
        and len(sess.history["test_total"]) == 2
    )
    assert "Paused after epoch 2 of 3" in texts(at)
    at.button(key="train_resume").click().run()
    assert_ok(at)
    sess = at.session_state["train_session"]
    assert (
        sess.paused is None and len(sess.history["test_total"]) == 3 and "trained in" in texts(at)
    )
    assert at.button(key="train_resume").disabled
