"""The shareable link in a real browser (Chromium): the URL follows the controls.

Every setting that is one widget is bound to the URL by Streamlit (``bind="query-params"``, through
``ui.page.links.url_widget``). The browser writes the URL, so AppTest never sees it (the page tests
check
the binding itself with ``tests.pageutil.assert_bound``); this test checks what a teacher does on
every lesson: move a control, copy the address, open it in a new tab and find the same view;
move the control back to its default and the parameter leaves the address. It also checks that a
bad value is dropped from the address, with the page's notice.

Controls are found by their key (Streamlit puts ``st-key-<key>`` on a keyed widget's container).
"""

from __future__ import annotations

import time
from typing import NamedTuple
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e import no_exception, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


class Move(NamedTuple):
    url: str  # the page's URL path
    key: str  # widget key = URL parameter
    kind: str  # "number": type a value; "slider": one step right with the keyboard
    value: str  # the value typed ("number"), or the value one step right of the default ("slider")
    default: str  # the value that takes the parameter out of the URL again


MOVES = [
    Move("AE_vs_VAE", "aevae_seed", "number", "7", "0"),
    Move("KL_weighting", "kl_seed", "number", "7", "0"),
    Move("Grid_vs_ppf", "grid_n", "slider", "16", "15"),
    Move("Prototypes", "protos_steps", "slider", "11", "10"),
    Move("Embeddings", "emb_n", "slider", "11", "10"),
    Move("Reconstructions", "rec_seed", "number", "7", "0"),
    Move("Latent_explorer", "lex_seed", "number", "7", "0"),
    Move("Interpolation", "interp_seed", "number", "7", "0"),
    Move("Posterior_spread", "post_seed", "number", "7", "0"),
    Move("Conditional_VAE", "cvae_seed", "number", "7", "0"),
    Move("Latent_size", "ls_seed", "number", "7", "0"),
    Move("Train_it_yourself", "train_epochs", "slider", "4", "3"),
    Move("ELBO_bound", "elbo_step", "slider", "59", "60"),
    Move("Blurry_samples", "blur_seed", "number", "7", "0"),
]


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _wait_for_param(page, key: str, present: bool, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        "([k, want]) => new URLSearchParams(location.search).has(k) === want",
        arg=[key, present],
        timeout=timeout_ms,
    )


def _set(page, move: Move, value: str) -> None:
    box = page.locator(f".st-key-{move.key}")
    box.first.wait_for(timeout=60_000)
    if move.kind == "number":
        field = box.locator("input").first
        field.fill(value)
        field.press("Enter")
    else:
        thumb = box.locator('input[type="range"]').first
        thumb.focus()
        thumb.press("ArrowRight" if float(value) > float(thumb.input_value()) else "ArrowLeft")
    wait_idle(page)


def _shown(page, move: Move, want: str, timeout_s: float = 30) -> str:
    """The control's value as shown, once it is ``want`` (or whatever it shows after ``timeout_s``):
    a control can be drawn at its default a moment before the run's value arrives."""
    box = page.locator(f".st-key-{move.key}")
    box.first.wait_for(timeout=60_000)
    deadline = time.monotonic() + timeout_s
    while True:
        if move.kind == "number":
            shown = box.locator("input").first.input_value()
        else:
            shown = f"{float(box.locator('input[type=range]').first.input_value()):g}"
        if shown == want or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(250)


@pytest.mark.parametrize("move", MOVES, ids=[m.url for m in MOVES])
def test_the_url_follows_a_control_and_reopens_the_view(server, browser, move: Move):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(f"{server}/{move.url}", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        assert move.key not in _query(page)  # the default view: a clean address
        _set(page, move, move.value)
        _wait_for_param(page, move.key, True)
        assert _query(page)[move.key] == [move.value], page.url
        no_exception(page)

        other = ctx.new_page()  # the copied address, opened in a new tab
        other.goto(page.url, timeout=90_000)
        wait_idle(other)
        no_exception(other)
        assert _shown(other, move, move.value) == move.value
        assert _query(other)[move.key] == [move.value], other.url
        other.close()

        _set(page, move, move.default)
        _wait_for_param(page, move.key, False)
        no_exception(page)
    finally:
        ctx.close()


def test_a_bad_value_leaves_the_address_with_a_notice(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/KL_weighting?kl_seed=banana&kl_beta=2", timeout=90_000)
        wait_idle(page)
        no_exception(page)
        page.get_by_text("Ignored link parameter(s) kl_seed").wait_for(timeout=30_000)
        _wait_for_param(page, "kl_seed", False)
        assert _query(page).get("kl_beta") == ["2"], page.url  # the good one stays
    finally:
        page.close()
