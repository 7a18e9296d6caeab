"""The page frame every lesson shares: page config and presenter mode, the sidebar of lessons,
the title and objective, previous / next links, notices and folded sections, and the guard that
turns a broken ``cache/`` into a sentence instead of a traceback.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

import streamlit as st

from ui.draw import render, style
from ui.page import catalogue, link_values, links
from ui.page.catalogue import Lesson
from ui.server import memory, run_gate, warmup
from vae.artefacts import CacheError

memory.tune()  # once per server process: shared malloc arenas, big blocks unmapped when freed
run_gate.install()  # once per server process: page runs take turns (run_gate.LIMIT at once)

# Presenter mode (?present=1): everything scales up together. Streamlit sizes its text in rem, so a
# larger root font size scales titles, headings, body, metrics and captions alike; charts get larger
# fonts through their config (ui.draw.render.present_config) and figures larger text
# (ui.draw.render.png).
PRESENT_CSS = f"""
<style>
html {{ font-size: {16 * render.PRESENT_TEXT_SCALE:.1f}px; }}
.block-container {{ max-width: 100% !important; padding: 1.5rem 2.5rem 4rem 2.5rem; }}
</style>
"""


# The tab's icon, served by the app itself (a Material icon as page_icon made every visit fetch its
# SVG
# from Google's font servers: a request to another host per visitor, and no icon offline). Streamlit
# serves static/ at app/static/ (server.enableStaticServing) and passes such a URL through
# untouched;
# a file path as page_icon was read, decoded and stored as a media file at every run (7 ms).
PAGE_ICON = "app/static/icon.png"


# The page's own script (with style.PAGE_CSS, once per page; st.html runs it in the page, and it
# keeps watching): a chart still wider than its column is scaled down to fit, by a CSS transform (a
# chart of fixed width already fits a phone by itself, ui.draw.render.phone_size, text included); a
# tap on a chart selects what is under the finger (Vega picks on pointer moves, which a tap lacks);
# a display formula or a figure (style.PHONE_FIGURE_CSS) that scrolls sideways on a narrow screen
# can take keyboard focus, so the keyboard can scroll it too (axe: scrollable-region-focusable).
FIT_JS = """
<script>
(() => {
  if (window.__latentLabFit) return;
  window.__latentLabFit = true;
  const seen = new WeakSet();
  const observer = new ResizeObserver(() => schedule());
  function fit(chart) {
    const box = chart.closest('[data-testid="stElementContainer"]');
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!box || !main || !box.parentElement) return;
    if (!seen.has(chart)) { seen.add(chart); observer.observe(chart); }
    // the room: the chart's column, and never past the page's right margin
    // (a column grows with a wide chart)
    const right = main.getBoundingClientRect().right
      - parseFloat(getComputedStyle(main).paddingRight);
    const room = Math.min(box.parentElement.clientWidth, right - box.getBoundingClientRect().left);
    // a canvas may overflow its div
    const natural = Math.max(chart.offsetWidth, chart.scrollWidth), h = box.offsetHeight;
    const k = natural > room + 1 && room > 0 ? room / natural : 1;
    const same = Math.abs(k - Number(box.dataset.fit || 1)) < 0.002;
    if (same && String(h) === box.dataset.fitHeight) return;
    box.dataset.fit = String(k);
    box.dataset.fitHeight = String(h);
    box.style.transformOrigin = '0 0';
    box.style.transform = k < 1 ? `scale(${k})` : '';
    // the column keeps its width (the chart overflows it, scaled)
    box.style.width = k < 1 ? `${room}px` : '';
    box.style.marginBottom = k < 1 ? `${-(1 - k) * h}px` : '';
  }
  function run() {
    pending = false;
    document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach(fit);
    document.querySelectorAll(
      '.katex-display, [class*="st-key-figw"] [data-testid="stImageContainer"]'
    ).forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute('tabindex', '0');
      else el.removeAttribute('tabindex');
    });
  }
  // A tap on a chart: Vega makes the item under the pointer the active one on pointermove,
  // forgets it on pointerout, and a click selects the active item. A finger sends no
  // pointermove, and a pointerout as it lifts, before the mousedown and click the browser
  // derives from a tap, so a tap selected nothing. A pointermove at the mousedown's point,
  // just before Vega sees it, fixes that (for a mouse it repeats where the pointer already is).
  document.addEventListener('mousedown', (e) => {
    const c = e.target;
    if (!(c instanceof HTMLCanvasElement) || !c.closest('[data-testid="stVegaLiteChart"]')) return;
    c.dispatchEvent(new PointerEvent('pointermove', {clientX: e.clientX, clientY: e.clientY,
      screenX: e.screenX, screenY: e.screenY, pointerType: 'mouse', isPrimary: true,
      bubbles: true}));
  }, true);
  let pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(run); } }
  new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', schedule);
  // an expander that opens, or a picture that loads, changes what scrolls without a mutation
  document.addEventListener('toggle', schedule, true);
  document.addEventListener('load', schedule, true);
  schedule();
})();
</script>
"""


def _presenter_state() -> bool:
    """Presenter mode from the URL (?present=1 / 0); without the parameter, this session's last
    choice, so that the mode survives the sidebar and the previous / next links."""
    raw, last = st.query_params.get("present"), bool(st.session_state.get("_present", False))
    if raw is None:
        return last
    present, ok = link_values.parse_bool(raw, last)
    if not ok:
        links._bad_param("present")
    return present


def setup_page(script: str, learn: str) -> Lesson:
    """Page config, sidebar, title and the "what you will learn" line of the page ``script``
    (its ``__file__``); honours presenter mode. Returns the page's catalogue entry."""
    lesson = catalogue.lesson_for(script)
    run_gate.enter()  # this run's turn: the browser shows it running while it waits
    # once per server: per-model numbers computed in the background (ui.server.warmup)
    warmup.start()
    st.session_state["_lesson"] = lesson.path
    present = _presenter_state()
    st.session_state["_present"] = present
    st.set_page_config(
        page_title="latent-lab" if lesson is catalogue.HOME else f"{lesson.title} · latent-lab",
        page_icon=PAGE_ICON,
        layout="wide",
        initial_sidebar_state="collapsed" if present else "auto",
    )
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
        if st.query_params.get("present") != "1":
            st.query_params["present"] = (
                "1"  # the address says what is shown: a shared link presents too
            )
    st.html(style.PAGE_CSS + FIT_JS, unsafe_allow_javascript=True)
    _sidebar(lesson, present)
    if lesson is catalogue.HOME:
        st.title("latent-lab")
    else:
        st.title(f"{lesson.icon} {lesson.title}")
    st.markdown(f"**What you will learn:** {learn[:1].upper()}{learn[1:]}")
    return lesson


def link_params() -> dict[str, str]:
    """Query parameters every navigation link carries (presenter mode: sidebar, cards, previous /
    next)."""
    return {"present": "1"} if presenter() else {}


def _sidebar(current: Lesson, present: bool) -> None:
    """The app's own sidebar (``client.showSidebarNavigation = false``): Home, then the lessons in
    their groups, labelled exactly like the home page's cards, and the presenter-mode switch."""
    qp = link_params()
    with st.sidebar:
        st.page_link(
            catalogue.HOME.path,
            label=catalogue.HOME.title,
            icon=catalogue.HOME.icon,
            query_params=qp,
        )
        for group, core in catalogue.GROUPS:
            st.caption(group)
            for lesson in catalogue.LESSONS:
                if lesson.core == core:
                    st.page_link(lesson.path, label=lesson.title, icon=lesson.icon, query_params=qp)
        st.divider()
        st.page_link(
            catalogue.CLASS.path,
            label=catalogue.CLASS.title,
            icon=catalogue.CLASS.icon,
            query_params=qp,
            help="Predict, vote, reveal: students vote on their phones, the class sees the answer.",
        )
        st.page_link(
            current.path,
            label="Leave presenter mode" if present else "Presenter mode",
            icon=":material/co_present:",
            query_params={**_own_params(current), "present": "0" if present else "1"},
            help="Larger text and figures for a projector; the address keeps ?present=1.",
        )


def _own_params(current: Lesson) -> dict[str, str]:
    """What the presenter-mode switch keeps of this page's address: a class session's code, teacher
    secret and voter token (ui.classmode.views), or the teacher would lose the session."""
    if current is not catalogue.CLASS:
        return {}
    return {k: v for k in ("class", "teacher", "voter") if (v := st.query_params.get(k))}


def lesson_links(lesson: Lesson) -> None:
    """Previous / next lesson, at the bottom of every page (presenter mode carried along)."""
    before, after = catalogue.neighbours(lesson)
    st.divider()
    left, right = st.columns(2)
    for col, lesson, word, icon in (
        (left, before, "Previous", "arrow_back"),
        (right, after, "Next", "arrow_forward"),
    ):
        if lesson is not None:
            col.page_link(
                lesson.path,
                label=f"{word}: {lesson.title}",
                icon=f":material/{icon}:",
                query_params=link_params(),
            )


def presenter() -> bool:
    """True in presenter mode (``?present=1``): larger type and figures, explanations folded
    away."""
    return bool(st.session_state.get("_present", False))


def secondary(markdown: str) -> None:
    """Explanation a presenter says aloud: folded into an expander in presenter mode (a caveat that
    keeps a statement true is never secondary: use ``caveat``)."""
    if presenter():
        with st.expander("Explanation", icon=":material/record_voice_over:"):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def caveat(markdown: str) -> None:
    """A qualification without which a statement on the page would mislead: shown in every mode."""
    st.caption(markdown)


def folded(
    label: str, key: str, icon: str | None, body: Callable[..., Any], *args: Any, **kwargs: Any
) -> None:
    """An expander (folded at first) whose content, ``body(*args, **kwargs)``, runs only while it is
    open: opening it reruns the page (Streamlit's ``on_change="rerun"``), so a student who leaves it
    folded does not pay for what it holds on every move. ``key`` (page-prefixed) keeps it open
    across this session's runs; ``label`` must not change with the controls (it is the expander's
    identity)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    if box.open:
        with box:
            body(*args, **kwargs)


def nats_note() -> None:
    """A link to the note on what a nat of BCE means on grey-level MNIST (beside every table of
    nats)."""
    st.page_link(
        "pages/15_Blurry_samples.py",
        label="What these nats are: grey-level vs binarized MNIST",
        icon=":material/info:",
        query_params=link_params(),
    )


def notice(observations: list[str]) -> None:
    """The "what to notice" box closing every lesson."""
    st.subheader("What to notice")
    st.markdown("\n".join(f"- {o}" for o in observations))


@contextmanager
def cache_guard() -> Iterator[None]:
    """Turn an unusable ``cache/`` file into a clear message; the rest of the page stops."""
    try:
        yield
    except CacheError as exc:
        _cache_message(exc, "page", "Other pages still work.")
        stop()


def _cache_message(exc: CacheError, what: str, rest: str) -> None:
    st.error(
        f"**This {what} needs a file from `cache/` that cannot be used.**  \n"
        f"`{exc.path.name}` {exc.problem}.  \n"
        f"Rebuild it from the repository root with `{exc.rebuild}`. {rest}",
        icon=":material/build:",
    )


def cache_problem(exc: CacheError) -> None:
    """The message of ``cache_guard`` for one part of a page, without stopping the rest of it."""
    _cache_message(exc, "view", "The rest of the page still works.")


def missing_note(problems: dict[str, CacheError | None], what: str) -> None:
    """Name the models left out of ``what`` (a chart, a table), each with its reason when known."""
    if not problems:
        return
    lines = "  \n".join(
        f"`{n}`" + (f": `{e.path.name}` {e.problem}" if e is not None else "")
        for n, e in problems.items()
    )
    st.info(
        f"Left out of {what} (not built yet, or not usable):  \n{lines}  \nThey appear as `python "
        "-m vae.build` "
        "finishes them (or rebuild one with `python -m vae.build --only NAME --force`).",
        icon=":material/hourglass_empty:",
    )


def stop() -> None:
    """End the page here (``st.stop``), keeping its previous / next links."""
    current = st.session_state.get("_lesson")
    if current is not None:
        lesson_links(catalogue.lesson_for(current))
    st.stop()
