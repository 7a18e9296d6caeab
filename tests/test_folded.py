"""``ui.page.frame.folded``: an expander whose content runs only while it is open (Streamlit's lazy
expander, ``on_change="rerun"``), so a folded one costs a control move nothing."""

from __future__ import annotations

import textwrap

import pytest
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


# (page, key, the start of its label): the lessons' folded expanders whose content costs a run
# something (tables, their CSVs, extra maps, the training curves, the GIF)
LESSON_FOLDS = [
    ("pages/01_AE_vs_VAE.py", "aevae_recon_open", "Reconstructions of ten test digits"),
    ("pages/02_KL_weighting.py", "kl_10d_open", "In 10 dimensions"),
    ("pages/02_KL_weighting.py", "kl_training_open", "How the model at this β trained"),
    ("pages/04_Prototypes.py", "protos_usage_open", "How each dimension is used"),
    ("pages/05_Embeddings.py", "emb_knobs_open", "t-SNE's knobs"),
    ("pages/05_Embeddings.py", "emb_spectrum_open", "PCA's spectrum"),
    ("pages/06_Reconstructions.py", "rec_table_open", "The numbers as a table"),
    ("pages/08_Interpolation.py", "interp_gif_open", "As an animation"),
    ("pages/09_Posterior_spread.py", "post_table_open", "σ and KL per dimension"),
    ("pages/11_Latent_size.py", "ls_table_open", "The numbers, and active units"),
]


@pytest.mark.slow
@pytest.mark.parametrize("page, key, label", LESSON_FOLDS, ids=[k for _, k, _ in LESSON_FOLDS])
def test_a_lesson_fold_is_drawn_only_once_opened(page: str, key: str, label: str):
    """On the page as it opens, the fold shows its label and nothing inside; opened, its content is
    there; its open state is the only thing its key holds."""
    from tests.pageutil import app

    def fold(at: AppTest):
        return [e for e in at.expander if label in e.label]

    at = app(page)
    if at.error:
        pytest.skip(f"{page}: {at.error[0].value[:80]}")
    assert len(fold(at)) == 1 and len(fold(at)[0].children) == 0, [e.label for e in at.expander]
    at.session_state[key] = True
    at.run()
    assert not at.exception and len(fold(at)[0].children) > 0
