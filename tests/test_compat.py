"""ui.compat: each private Streamlit / Altair name the app uses still exists and still does what
the app relies on. A failure here means a new release moved it: fix ui/compat.py, nothing else."""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import streamlit as st

from ui import compat

ROOT = Path(__file__).resolve().parent.parent


def test_altair_to_vega_lite_extracts_the_data():
    df = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    spec = compat.altair_to_vega_lite(alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q"))
    assert isinstance(spec, dict)
    assert spec["mark"] in ("point", {"type": "point"})
    assert spec["encoding"]["x"]["field"] == "x"
    # the data travel inside the spec, as a named dataset (serialised by Streamlit)
    assert spec["data"]["name"] in spec["datasets"] and len(spec["datasets"]) == 1


def test_skip_altair_schema_validation_flips_the_default():
    code = (
        "import altair as alt; from ui import compat; compat.skip_altair_schema_validation(); "
        "assert alt.Chart.to_dict.__defaults__ == (False,), alt.Chart.to_dict.__defaults__; "
        "alt.Chart(alt.Data(values=[{'x': 1}])).mark_point(size='big').encode(x='x:Q').to_dict()"
    )  # invalid, unchecked
    env = {k: v for k, v in os.environ.items() if k != "LATENT_LAB_VALIDATE_CHARTS"}
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr[-2000:]


def test_validation_is_on_in_the_test_suite():
    """What the flip turns off: Altair's own check, which the test suite keeps on."""
    import pytest

    with pytest.raises(Exception, match="big"):
        alt.Chart(alt.Data(values=[{"x": 1}])).mark_point(size="big").encode(x="x:Q").to_dict()


def test_the_no_session_logger_exists_under_its_name():
    mod = importlib.import_module(compat.NO_SESSION_LOGGER)
    logger = getattr(mod, "_LOGGER", None)
    assert logger is not None and logger.name == compat.NO_SESSION_LOGGER


def test_quiet_no_session_warning_drops_only_that_thread():
    compat.quiet_no_session_warning("compat-test-thread")
    compat.quiet_no_session_warning("compat-test-thread")  # idempotent
    logger = logging.getLogger(compat.NO_SESSION_LOGGER)
    assert sum(getattr(f, "thread_name", None) == "compat-test-thread" for f in logger.filters) == 1
    rec = logging.LogRecord(
        compat.NO_SESSION_LOGGER,
        logging.WARNING,
        __file__,
        1,
        "missing ScriptRunContext",
        None,
        None,
    )
    rec.threadName = "compat-test-thread"
    assert not logger.filter(rec)
    rec.threadName = "MainThread"
    assert logger.filter(rec)


def test_cache_filled_by_a_sessionless_thread_is_hit_later():
    """The prefetch worker relies on this: a cached function called from a plain thread stores
    its result where a later call (a session) finds it."""
    calls = []

    @st.cache_data(show_spinner=False, max_entries=4)
    def square(v: int) -> int:
        calls.append(v)
        return v * v

    out = []
    t = threading.Thread(target=lambda: out.append(square(7)), name="compat-cache-thread")
    t.start()
    t.join(30)
    assert out == [49] and calls == [7]
    assert square(7) == 49 and calls == [7]  # a hit: not computed again
    square.clear()


def test_time_script_runs_wraps_the_page_run():
    """The benchmark's hook: ScriptRunner._run_script still exists and the wrapper reports a run."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    seen = []
    try:
        compat.time_script_runs(lambda *a: seen.append(a))
        assert script_runner.ScriptRunner._run_script is not original

        class FakeRerun:
            fragment_id_queue: list = []

        class FakeRunner:
            pass

        try:
            script_runner.ScriptRunner._run_script(FakeRunner(), FakeRerun())
        except Exception:
            pass  # the fake cannot run a script; the report still comes
        assert len(seen) == 1 and seen[0][0] == "?" and seen[0][1] == "full"
    finally:
        script_runner.ScriptRunner._run_script = original


def test_around_script_runs_runs_each_page_inside_the_wrapper():
    """The profiler's hook: a page run under AppTest goes through the wrapper, in the script's
    thread."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    original = script_runner.ScriptRunner._run_script
    threads = []

    def around(run):
        threads.append(threading.current_thread().name)
        return run()

    try:
        compat.around_script_runs(around)
        at = AppTest.from_string("import streamlit as st\nst.write('hi')").run()
        assert at.markdown[0].value == "hi"
        assert len(threads) == 1 and threads[0] != threading.main_thread().name
    finally:
        script_runner.ScriptRunner._run_script = original


def test_forget_link_value_stops_the_binding_seeding_from_it():
    """Without forget_link_value an int number_input bound to ?seed=inf raises OverflowError
    (Streamlit
    1.67); with it the widget starts at its default. Fails when the private attribute moves."""
    from streamlit.testing.v1 import AppTest

    page = (
        "import streamlit as st\nfrom ui import compat\n"
        "forget = st.query_params.get('forget') == '1'\n"
        "ok = compat.forget_link_value('seed') if forget else None\n"
        "v = st.number_input('Seed', 0, 99, value=0, step=1, key='seed', bind='query-params')\n"
        "st.write(f'{ok} {v}')\n"
    )
    for forget, seed in (("1", "inf"), ("1", "5")):
        at = AppTest.from_string(page, default_timeout=60)
        at.query_params["forget"], at.query_params["seed"] = forget, seed
        at.run()
        assert not at.exception and at.markdown[0].value == "True 0", (
            seed,
            at.exception,
            at.markdown,
        )
    at = AppTest.from_string(page, default_timeout=60)
    at.query_params["seed"] = "inf"
    at.run()
    assert (
        at.exception
    )  # the OverflowError (its message redacted by showErrorDetails): what the hook is for


def test_streamlit_protocol_messages_carry_what_the_classroom_benchmark_uses():
    p = compat.streamlit_protocol()
    msg = p.BackMsg()
    cs = msg.rerun_script
    cs.page_name, cs.page_script_hash, cs.query_string = "KL_weighting", "abc", ""
    w = cs.widget_states.widgets.add()
    w.id = "$$ID-0-kl_seed"
    w.double_value = 3.0
    s = cs.widget_states.widgets.add()
    s.id = "$$ID-1-kl_beta"
    s.string_array_value.data.extend(["5"])
    back = p.BackMsg()
    back.ParseFromString(msg.SerializeToString())
    assert back.WhichOneof("type") == "rerun_script"
    assert [x.id for x in back.rerun_script.widget_states.widgets] == [
        "$$ID-0-kl_seed",
        "$$ID-1-kl_beta",
    ]
    fwd = p.ForwardMsg()
    fwd.script_finished = p.ForwardMsg.FINISHED_SUCCESSFULLY
    assert fwd.WhichOneof("type") == "script_finished"
    page = p.ForwardMsg().new_session.app_pages.add()
    page.url_pathname, page.page_script_hash = "KL_weighting", "abc"
    for field in (
        "imgs",
        "exception",
        "alert",
        "number_input",
        "slider",
        "selectbox",
        "radio",
        "checkbox",
        "vega_lite_chart",
    ):
        assert field in p.ForwardMsg().delta.new_element.DESCRIPTOR.fields_by_name, field


@pytest.mark.slow
def test_a_protocol_student_opens_a_lesson_and_moves_its_controls(server):
    """The classroom benchmark's student (benchmarks/classroom.py) against a real server: the
    protocol it speaks still opens a page, finds controls by the key at the end of their ids,
    moves them and reads the run's end, with no error on the page."""
    import asyncio
    import random

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import classroom

    route = [
        ("", []),
        ("KL_weighting", [classroom.Move("kl_seed"), classroom.Move("kl_beta")]),
        (
            "AE_vs_VAE",
            [classroom.Move("aevae_chart_vae", classroom._point("aevae_sel_vae", 10_000))],
        ),
    ]
    student = classroom.Student(server, random.Random(0))
    asyncio.run(student.attend((0.0, 0.0), 0.0, route))
    assert student.errors == []
    assert [(r.page, r.what) for r in student.runs] == [
        ("", "view"),
        ("KL_weighting", "view"),
        ("KL_weighting", "kl_seed"),
        ("KL_weighting", "kl_beta"),
        ("AE_vs_VAE", "view"),
        ("AE_vs_VAE", "aevae_chart_vae"),
    ]
    assert all(r.ok for r in student.runs)


# --- the test suite's own hooks (tests/test_bad_input.py, tests/test_config.py) ------------------


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    """``use(text)``: Streamlit's config read from a folder whose .streamlit/config.toml is
    ``text``; the suite's own config is read again afterwards."""

    def use(text: str) -> None:
        (tmp_path / ".streamlit").mkdir(exist_ok=True)
        (tmp_path / ".streamlit" / "config.toml").write_text(text)
        monkeypatch.chdir(tmp_path)
        compat.reload_config()

    yield use
    monkeypatch.undo()
    compat.reload_config()


def test_reload_config_reads_the_working_directory(config_file):
    config_file("[server]\nmaxUploadSize = 7\n")
    assert st.get_option("server.maxUploadSize") == 7
    config_file("[server]\nmaxUploadSize = 9\n")
    assert st.get_option("server.maxUploadSize") == 9


def test_query_param_reads_records_each_key_once_while_open():
    from streamlit.runtime.state.query_params_proxy import QueryParamsProxy
    from streamlit.testing.v1 import AppTest

    page = (
        "import streamlit as st\n"
        "st.query_params.get('b'); st.query_params.get_all('a'); st.query_params['b']\n"
        "st.write(st.query_params.get('c', 'none'))\n"
    )
    real = QueryParamsProxy.__getitem__, QueryParamsProxy.get_all
    with compat.query_param_reads() as seen:
        at = AppTest.from_string(page, default_timeout=60)
        at.query_params["a"], at.query_params["b"] = "1", "2"
        at.run()
    assert not at.exception and at.markdown[0].value == "none"
    assert seen == ["b", "a", "c"]
    assert (QueryParamsProxy.__getitem__, QueryParamsProxy.get_all) == real  # put back
    AppTest.from_string(page, default_timeout=60).run()
    assert seen == ["b", "a", "c"]  # closed: nothing more recorded


def test_sent_by_reference_follows_the_min_cached_message_size(config_file):
    def big():
        msg = compat.streamlit_protocol().ForwardMsg()
        msg.delta.new_element.markdown.body = "x" * 50_000
        return msg

    config_file("[global]\nminCachedMessageSize = 10000\n")
    small = compat.streamlit_protocol().ForwardMsg()
    small.delta.new_element.markdown.body = "x"
    msg = big()
    assert compat.sent_by_reference(msg) and msg.hash
    assert not compat.sent_by_reference(small) and small.hash
    config_file("[global]\nminCachedMessageSize = 1e15\n")
    assert not compat.sent_by_reference(big())


def test_widget_states_accepted_reads_the_configured_limit(config_file):
    from streamlit.runtime import runtime_util

    def states(n_bytes: int):
        s = compat.streamlit_protocol().WidgetStates()
        w = s.widgets.add()
        w.id, w.string_value = "$$ID-x-key", "x" * n_bytes
        return s

    cached = runtime_util._max_widget_state_size_bytes
    config_file("[server]\nmaxWidgetStateSize = 1\n")  # MB
    assert compat.widget_states_accepted(states(500_000))
    assert not compat.widget_states_accepted(states(1_500_000))
    config_file("[server]\nmaxWidgetStateSize = 2\n")
    assert compat.widget_states_accepted(states(1_500_000))
    assert runtime_util._max_widget_state_size_bytes == cached  # the process's value untouched


def test_websocket_message_limit_is_the_configured_size(config_file):
    from streamlit.runtime import runtime_util

    cached = runtime_util._max_message_size_bytes
    config_file("[server]\nmaxMessageSize = 3\n")  # MB
    assert compat.websocket_message_limit() == 3_000_000
    config_file("[server]\nmaxMessageSize = 5\n")
    assert compat.websocket_message_limit() == 5_000_000
    assert runtime_util._max_message_size_bytes == cached
