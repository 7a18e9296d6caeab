"""``ui.page.frame.folded``: an expander whose content runs only while it is open (Streamlit's lazy
expander, ``on_change="rerun"``), so a folded one costs a control move nothing."""

from __future__ import annotations

import textwrap

from streamlit.testing.v1 import AppTest

PAGE = textwrap.dedent("""
    import streamlit as st
    from ui.page import frame
    st.session_state.setdefault("drawn", 0)

    def body(n):
        st.session_state["drawn"] += 1
        st.write(f"inside {n}")

    frame.folded("Details", "t_open", ":material/table:", body, 3)
    st.write("after")
""")


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_folded_content_runs_only_while_open():
    at = AppTest.from_string(PAGE, default_timeout=60).run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["Details"]  # the label is there, folded
    assert _texts(at) == ["after"] and at.session_state["drawn"] == 0
    at.run()  # another control move: still nothing drawn
    assert at.session_state["drawn"] == 0
    at.session_state["t_open"] = True  # the student opens it
    at.run()
    assert "inside 3" in _texts(at) and at.session_state["drawn"] == 1
    at.run()  # open, it is drawn on every run, like any expander
    assert at.session_state["drawn"] == 2
    at.session_state["t_open"] = False  # folded again
    at.run()
    assert "inside 3" not in _texts(at) and at.session_state["drawn"] == 2
