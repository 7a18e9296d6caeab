"""Every use of a private Streamlit or Altair name, in one place, each with a test
(``tests/test_compat.py``) that fails when a new release moves it.

- ``altair_to_vega_lite``: Streamlit's own Altair -> Vega-Lite conversion (the dataset
  extraction ``st.altair_chart`` does), so that a chart's spec is built once per input and
  cached, then shown with ``st.vega_lite_chart``;
- ``skip_altair_schema_validation``: Altair validates every spec against the Vega-Lite schema
  on ``to_dict()`` (0.05-0.1 s per chart per run); the app's specs are fixed by its code and the
  test suite validates them, so the running app flips that default;
- ``quiet_no_session_warning``: the prefetch worker has no session by design; Streamlit's
  "missing ScriptRunContext" warning for it is dropped by the name of the logger that emits it;
- ``NO_SESSION_LOGGER``: that logger's name;
- ``forget_link_value``: drops a value from the query string Streamlit's widget binding seeds
  from (the page load's initial parameters), for a value the app's own parser rejects;
- ``streamlit_protocol``: the protobuf classes of Streamlit's websocket protocol (``BackMsg``,
  ``ForwardMsg``, ``WidgetStates``), for ``benchmarks/classroom.py``'s simulated students only;
- ``around_script_runs``: runs every script run inside a wrapper (``ui.server.run_gate`` gives a
  run's slot back when it ends; ``benchmarks/profile_page.py`` profiles them);
- ``time_script_runs``: wraps ``ScriptRunner._run_script`` (one run of a page) to report its
  wall and CPU time, for ``benchmarks/timed_server.py`` only.

For the test suite only (``tests/test_bad_input.py``, ``tests/test_config.py``):

- ``query_param_reads``: records every key a script run looks up in ``st.query_params``;
- ``reload_config``: Streamlit's config read again from the working directory;
- ``sent_by_reference``: whether the server would send a message by reference (its hash);
- ``widget_states_accepted``: whether a session accepts a browser's widget states (their size);
- ``websocket_message_limit``: the largest websocket message the server accepts, in bytes.

Calling ``st.cache_data`` / ``st.cache_resource`` functions from a thread without a session
(what the prefetch worker does) is public behaviour, but undocumented for threads: the test of
this module checks that such a call fills the cache a session then hits.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Callable, Iterator

NO_SESSION_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def altair_to_vega_lite(chart: Any) -> dict[str, Any]:
    """The Vega-Lite spec Streamlit itself would send for an Altair chart (datasets extracted)."""
    from streamlit.elements import vega_charts

    return vega_charts._convert_altair_to_vega_lite_spec(chart)


def skip_altair_schema_validation() -> None:
    """Make ``to_dict()`` skip the JSON-schema validation by default and leave debug mode off."""
    import altair as alt

    alt.utils.schemapi.disable_debug_mode()
    for cls in (alt.TopLevelMixin, alt.Chart):
        fn = cls.__dict__.get("to_dict")
        if fn is not None and fn.__defaults__ == (True,):  # (validate=True,)
            fn.__defaults__ = (False,)


def quiet_no_session_warning(thread_name: str) -> None:
    """Drop Streamlit's "missing ScriptRunContext" warning for one (session-less) thread."""

    class _Filter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return record.threadName != thread_name

    logger = logging.getLogger(NO_SESSION_LOGGER)
    if not any(getattr(f, "thread_name", None) == thread_name for f in logger.filters):
        f = _Filter()
        f.thread_name = thread_name  # type: ignore[attr-defined]
        logger.addFilter(f)


def forget_link_value(key: str) -> bool:
    """Make Streamlit's query-parameter binding forget the value this page load's link gave ``key``,
    so
    that the widget bound to it starts at its default. Streamlit 1.67 lets some values through its
    own check: an int ``number_input`` given ``inf`` raises OverflowError inside the widget call (it
    catches only ValueError, TypeError and IndexError), "3.5" becomes 3. Returns False (and changes
    nothing) outside a script run or where the attribute has moved."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    try:
        initial = ctx.session_state._state.query_params._initial_query_params  # type: ignore[union-attr]
    except AttributeError:
        return False
    initial.pop(key, None)
    return True


def around_script_runs(around: Callable[[Callable[[], Any]], Any]) -> None:
    """Run every script run (one run of a page) as ``around(run)``, in the script's own thread:
    ``around`` calls ``run()`` and returns what it returns (``ui.server.run_gate`` frees a run's
    slot this way, ``benchmarks/profile_page.py`` profiles the runs)."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def wrapped(self: Any, rerun_data: Any) -> Any:
        return around(lambda: original(self, rerun_data))

    script_runner.ScriptRunner._run_script = wrapped


def time_script_runs(report: Callable[[str, str, float, float], None]) -> None:
    """After every script run, call ``report(page script path, "full" | "fragment", wall s, thread
    CPU s)``."""
    import time

    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def timed(self: Any, rerun_data: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, rerun_data)
        finally:
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            try:  # which page ran: pages/…py, or the entrypoint
                pm = self._pages_manager
                page = pm.get_pages()[pm.current_page_script_hash].get("script_path", "?")
            except Exception:
                page = "?"
            report(page, "fragment" if rerun_data.fragment_id_queue else "full", wall, cpu)

    script_runner.ScriptRunner._run_script = timed


def streamlit_protocol() -> Any:
    """The message classes of Streamlit's websocket protocol: ``BackMsg`` (browser -> server: a
    rerun with ``ClientState``), ``ForwardMsg`` (server -> browser: deltas, "script finished") and
    ``WidgetStates``, as a namespace."""
    from types import SimpleNamespace

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

    return SimpleNamespace(
        BackMsg=BackMsg, ForwardMsg=ForwardMsg, WidgetStates=WidgetStates, WidgetState=WidgetState
    )


@contextlib.contextmanager
def query_param_reads() -> Iterator[list[str]]:
    """While open, the keys every script run looks up in ``st.query_params`` (``[key]``, ``.get``,
    ``.get_all``: a multiselect's repeated parameter), each once, in the order first read."""
    from streamlit.runtime.state.query_params_proxy import QueryParamsProxy

    seen: list[str] = []
    real_getitem, real_get_all = QueryParamsProxy.__getitem__, QueryParamsProxy.get_all

    def getitem(self: Any, key: str) -> Any:
        if key not in seen:
            seen.append(key)
        return real_getitem(self, key)

    def get_all(self: Any, key: str) -> Any:
        if key not in seen:
            seen.append(key)
        return real_get_all(self, key)

    QueryParamsProxy.__getitem__ = getitem  # type: ignore[method-assign]
    QueryParamsProxy.get_all = get_all  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        QueryParamsProxy.__getitem__ = real_getitem  # type: ignore[method-assign]
        QueryParamsProxy.get_all = real_get_all  # type: ignore[method-assign]


def reload_config() -> None:
    """Read Streamlit's config again, as ``streamlit run`` in the working directory would (its
    ``.streamlit/config.toml``); ``st.get_option`` then answers from it."""
    from streamlit import config

    config.get_config_options(force_reparse=True)


def sent_by_reference(msg: Any) -> bool:
    """Whether the server would send this ``ForwardMsg`` by reference (its hash, which the browser
    resolves from its own cache of earlier messages) rather than in full, under the current config
    (``global.minCachedMessageSize``). Sets ``msg.hash`` as the server does before sending."""
    from streamlit.runtime.forward_msg_cache import populate_hash_if_needed

    populate_hash_if_needed(msg)
    return bool(msg.metadata.cacheable)


def widget_states_accepted(states: Any) -> bool:
    """Whether a session accepts these ``WidgetStates`` (what a browser sends with a rerun) under
    the current config's ``server.maxWidgetStateSize``, read afresh (Streamlit reads it once per
    process)."""
    from streamlit.runtime import runtime_util
    from streamlit.runtime.state.session_state import SessionState

    cached = runtime_util._max_widget_state_size_bytes
    runtime_util._max_widget_state_size_bytes = None
    try:
        SessionState().set_widgets_from_proto(states)
    except runtime_util.WidgetStateSizeError:
        return False
    finally:
        runtime_util._max_widget_state_size_bytes = cached
    return True


def websocket_message_limit() -> int:
    """The largest websocket message, in bytes, the server accepts from a browser (what it passes
    to uvicorn as ``ws_max_size``: ``server.maxMessageSize`` of the current config, read afresh)."""
    from streamlit.runtime import runtime_util
    from streamlit.web.server.starlette import starlette_server

    cached = runtime_util._max_message_size_bytes
    runtime_util._max_message_size_bytes = None
    try:
        return int(starlette_server._get_uvicorn_config_kwargs()["ws_max_size"])
    finally:
        runtime_util._max_message_size_bytes = cached
