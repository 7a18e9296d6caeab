"""URL parameters through Streamlit's own binding (``bind="query-params"``, via
``ui.page.links.url_widget``).

1. The rule of ``url_widget`` on a one-widget page: a good link sets the widget and stays in the
URL, the
   default spelled another way is no error, a bad value falls back to the default with the notice.
2. Every lesson binds every keyed widget that can be bound, to the parameter of its own name, except
   the ones listed in ``NOT_IN_URL`` with the reason. A widget added tomorrow fails here until it is
   bound or listed.

That moving a widget rewrites the URL happens in the browser: ``tests/test_e2e_links.py``.
"""

from __future__ import annotations

import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from tests.pageutil import app, bound_keys
from ui.page.catalogue import LESSONS

PAGE = textwrap.dedent("""
    import streamlit as st
    from ui.page import link_values, links
    t = links.url_widget(st.select_slider, "T", options=[0.5, 1.0, 2.0], value=1.0, key="t",
                 format_func=lambda v: f"{v:g}",
                 parse=lambda raw: link_values.parse_choice(raw, [0.5, 1.0, 2.0], 1.0))
    seed = links.url_widget(st.number_input, "Seed", 0, 99, value=0, step=1, key="seed",
                    parse=lambda raw: link_values.parse_int(raw, 0, 99, 0))
    links.state_to_url()
    st.write(f"t={t:g} seed={seed}")
""")


def _run(query: dict[str, str]) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _toast(at: AppTest) -> str:
    return " ".join(str(t.value) for t in at.toast)


@pytest.mark.parametrize(
    "query,shown,kept,ignored",
    [
        ({}, "t=1 seed=0", {}, ""),
        ({"t": "2", "seed": "7"}, "t=2 seed=7", {"t": "2", "seed": "7"}, ""),  # a good link
        (
            {"t": "1", "seed": "00"},
            "t=1 seed=0",
            {},
            "",
        ),  # the defaults, spelled otherwise: no error, a clean URL
        ({"t": "3", "seed": "7"}, "t=1 seed=7", {"seed": "7"}, "t"),  # not an option
        (
            {"t": "2.0"},
            "t=1 seed=0",
            {},
            "t",
        ),  # 2, spelled otherwise: Streamlit knows only its labels; said so
        ({"seed": "banana", "t": "0.5"}, "t=0.5 seed=0", {"t": "0.5"}, "seed"),
        (
            {"seed": "-3"},
            "t=1 seed=0",
            {},
            "seed",
        ),  # out of range: the default, not the nearest end
        ({"seed": ""}, "t=1 seed=0", {}, "seed"),
        (
            {"seed": "inf"},
            "t=1 seed=0",
            {},
            "seed",
        ),  # Streamlit 1.67 alone: OverflowError in the widget
        ({"seed": "-Infinity", "t": "2"}, "t=2 seed=0", {"t": "2"}, "seed"),
        ({"seed": "3.5"}, "t=1 seed=0", {}, "seed"),  # Streamlit alone would show 3
    ],
)
def test_bound_follows_the_link_and_reports_a_bad_value(query, shown, kept, ignored):
    at = _run(query)
    assert at.markdown[-1].value == shown
    assert {k: at.query_params[k] for k in at.query_params} == kept
    toast = _toast(at)
    if ignored:
        assert f"Ignored link parameter(s) {ignored}:" in toast, toast
    else:
        assert toast == "", toast


def test_bound_reports_once_and_keeps_the_session_value():
    at = _run({"seed": "banana"})
    at.number_input(key="seed").set_value(5).run()
    assert at.markdown[-1].value == "t=1 seed=5" and _toast(at) == ""  # the notice was said once


# (page file, widget key) -> why the widget is not in the link
NOT_IN_URL: dict[tuple[str, str], str] = {
    **{
        (
            page,
            key,
        ): "whether a folded expander is open (ui.page.frame.folded: its content is drawn only "
        "then), not a view of the lesson"
        for page, key in (
            ("pages/01_AE_vs_VAE.py", "aevae_recon_open"),
            ("pages/02_KL_weighting.py", "kl_10d_open"),
            ("pages/02_KL_weighting.py", "kl_training_open"),
            ("pages/04_Prototypes.py", "protos_usage_open"),
            ("pages/05_Embeddings.py", "emb_knobs_open"),
            ("pages/05_Embeddings.py", "emb_spectrum_open"),
            ("pages/06_Reconstructions.py", "rec_table_open"),
            ("pages/08_Interpolation.py", "interp_gif_open"),
            ("pages/09_Posterior_spread.py", "post_table_open"),
            ("pages/11_Latent_size.py", "ls_table_open"),
        )
    },
    (
        "pages/02_KL_weighting.py",
        "kl_conv_weight",
    ): "the converter's scratch arithmetic, not a view of the lesson",
    (
        "pages/02_KL_weighting.py",
        "kl_conv_pixels",
    ): "the converter's scratch arithmetic, not a view of the lesson",
    (
        "pages/02_KL_weighting.py",
        "kl_conv_dims",
    ): "the converter's scratch arithmetic, not a view of the lesson",
    (
        "pages/03_Grid_vs_ppf.py",
        "grid_range",
    ): "a range slider: in the link as grid_lo and grid_hi (ui.page.links.state_from_url), "
    "which the page checks (lo < hi, on the slider's step)",
    (
        "pages/04_Prototypes.py",
        "protos_dim_x",
    ): "with protos_dim_y, one parameter protos_dims (ui.page.links.state_from_url)",
    (
        "pages/04_Prototypes.py",
        "protos_dim_y",
    ): "with protos_dim_x, one parameter protos_dims (ui.page.links.state_from_url)",
    (
        "pages/04_Prototypes.py",
        "protos_range",
    ): "a range slider (Streamlit would bind it as a repeated, order-dependent "
    "parameter); the lesson's ±3 is its default",
    ("pages/04_Prototypes.py", "protos_mrange"): "a range slider, as protos_range",
    (
        "pages/04_Prototypes.py",
        "protos_hist_dim",
    ): "its default (the model's most used dimension) and its options "
    "depend on the model: no constant default to bind to",
    ("pages/04_Prototypes.py", "protos_hist_layout"): "reference material in a folded expander",
    ("pages/04_Prototypes.py", "protos_table_digit"): "reference material in a folded expander",
    (
        "pages/04_Prototypes.py",
        "protos_unused",
    ): "drawn only for models over 12-D, and read by a notice above it",
    (
        "pages/05_Embeddings.py",
        "emb_x0",
    ): "the line's four ends are one parameter, emb_line (ui.page.links.state_from_url)",
    (
        "pages/05_Embeddings.py",
        "emb_y0",
    ): "the line's four ends are one parameter, emb_line (ui.page.links.state_from_url)",
    (
        "pages/05_Embeddings.py",
        "emb_x1",
    ): "the line's four ends are one parameter, emb_line (ui.page.links.state_from_url)",
    (
        "pages/05_Embeddings.py",
        "emb_y1",
    ): "the line's four ends are one parameter, emb_line (ui.page.links.state_from_url)",
    **{
        (
            "pages/08_Interpolation.py",
            f"interp_{end}_{kind}",
        ): f"the end {end} is one parameter, interp_{end}, read as "
        "a digit or a test index by the mode (ui.page.links.state_from_url)"
        for end in "ab"
        for kind in ("digit", "index")
    },
    (
        "pages/08_Interpolation.py",
        "interp_gif_path",
    ): "the animation's playback, in a folded expander: not the view",
    (
        "pages/08_Interpolation.py",
        "interp_gif_ms",
    ): "the animation's playback, in a folded expander: not the view",
    (
        "pages/09_Posterior_spread.py",
        "post_idx",
    ): "its default (the model's most certain image) depends on the model: "
    "in the link by ui.page.links.state_from_url",
    (
        "pages/09_Posterior_spread.py",
        "post_idx2",
    ): "its default (the model's least certain image) depends on the "
    "model: in the link by ui.page.links.state_from_url",
    **{
        (
            "pages/14_ELBO_bound.py",
            k,
        ): "one of the ways to choose the image, which is in the link as elbo_idx "
        "(ui.page.links.state_from_url)"
        for k in ("elbo_mode", "elbo_featured", "elbo_digit", "elbo_idx")
    },
    **{
        (
            "pages/07_Latent_explorer.py",
            f"lex_z{i}",
        ): "the code's sliders are one parameter, lex_z (ui.page.links.state_from_url)"
        for i in range(64)
    },
}

PAGES = ["streamlit_app.py"] + [lesson.path for lesson in LESSONS]


@pytest.mark.slow
@pytest.mark.parametrize("path", PAGES)
def test_every_setting_of_a_page_is_in_its_link(path):
    have = bound_keys(app(path))
    unbound = {k for k, qp in have.items() if not qp}
    wrong = {k: qp for k, qp in have.items() if qp and qp != k}
    allowed = {k for (p, k) in NOT_IN_URL if p == path}
    assert not wrong, f"bound under another name: {wrong}"
    assert unbound <= allowed, (
        f"not in the link and not listed in NOT_IN_URL: {sorted(unbound - allowed)}"
    )
