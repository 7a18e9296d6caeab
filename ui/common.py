"""Page scaffolding, cached loading of ``cache/`` and shareable (query-parameter) views.

Models and arrays are loaded once per server with ``st.cache_resource`` and shared by every
session: arrays are made read-only so no page can mutate the shared copy. A file in ``cache/``
that is missing or broken stops only the page that needs it, with a message naming the file and
the command that rebuilds it.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np
import streamlit as st
import torch
from scipy.spatial import cKDTree

from ui import charts, compat, lessons, memory, params, style, warmup
from ui.lessons import Lesson
from vae import artefacts, latent, mosaic, neighbours, zoo
from vae.artefacts import CacheError
from vae.checkpoint import stored_train_config
from vae.config import to_dict
from ui.style import FIGURE_CACHE_ENTRIES, MODEL_CACHE_ENTRIES, PAPER, SCATTER_POINTS

tile = mosaic.tile  # pages call ui.tile

memory.tune()  # once per server process: shared malloc arenas, big blocks unmapped when freed
# One intra-op thread per call: a page's tensors are small (at most a 30 x 30 mosaic, 900 images),
# and with several sessions (or the browser) on the same cores, OpenMP workers waiting on each
# other cost more than they save. (``ui/__init__.py`` sets OMP_NUM_THREADS=1 before torch loads, so
# the new thread of every script run starts with one thread too; this covers a process that
# imported torch earlier, such as a test.)
torch.set_num_threads(1)

# Presenter mode (?present=1): everything scales up together. Streamlit sizes its text in rem, so a
# larger root font size scales titles, headings, body, metrics and captions alike; charts get larger
# fonts through their config (ui.charts.present_config) and figures larger text (ui.charts.png).
PRESENT_CSS = f"""
<style>
html {{ font-size: {16 * charts.PRESENT_TEXT_SCALE:.1f}px; }}
.block-container {{ max-width: 100% !important; padding: 1.5rem 2.5rem 4rem 2.5rem; }}
</style>
"""


# The tab's icon, served by the app itself (a Material icon as page_icon made every visit fetch its SVG
# from Google's font servers: a request to another host per visitor, and no icon offline). Streamlit
# serves static/ at app/static/ (server.enableStaticServing) and passes such a URL through untouched;
# a file path as page_icon was read, decoded and stored as a media file at every run (7 ms).
PAGE_ICON = "app/static/icon.png"


# The page's own script (with style.PAGE_CSS, once per page; st.html runs it in the page, and it keeps
# watching): a chart still wider than its column is scaled down to fit, by a CSS transform (a chart of
# fixed width already fits a phone by itself, ui.charts.phone_size, text included); a tap on a chart
# selects what is under the finger (Vega picks on pointer moves, which a tap lacks); a display formula
# that scrolls sideways on a narrow screen can take keyboard focus, so the keyboard can scroll it too
# (axe: scrollable-region-focusable).
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
    // the room: the chart's column, and never past the page's right margin (a column grows with a wide chart)
    const right = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
    const room = Math.min(box.parentElement.clientWidth, right - box.getBoundingClientRect().left);
    const natural = Math.max(chart.offsetWidth, chart.scrollWidth), h = box.offsetHeight;  // a canvas may overflow its div
    const k = natural > room + 1 && room > 0 ? room / natural : 1;
    if (Math.abs(k - Number(box.dataset.fit || 1)) < 0.002 && String(h) === box.dataset.fitHeight) return;
    box.dataset.fit = String(k);
    box.dataset.fitHeight = String(h);
    box.style.transformOrigin = '0 0';
    box.style.transform = k < 1 ? `scale(${k})` : '';
    box.style.width = k < 1 ? `${room}px` : '';  // the column keeps its width (the chart overflows it, scaled)
    box.style.marginBottom = k < 1 ? `${-(1 - k) * h}px` : '';
  }
  function run() {
    pending = false;
    document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach(fit);
    document.querySelectorAll('.katex-display').forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute('tabindex', '0');
      else el.removeAttribute('tabindex');
    });
  }
  // A tap on a chart: Vega makes the item under the pointer the active one on pointermove, forgets it
  // on pointerout, and a click selects the active item. A finger sends no pointermove, and a
  // pointerout as it lifts, before the mousedown and click the browser derives from a tap, so a tap
  // selected nothing. A pointermove at the mousedown's point, just before Vega sees it, fixes that
  // (for a mouse it repeats where the pointer already is).
  document.addEventListener('mousedown', (e) => {
    const c = e.target;
    if (!(c instanceof HTMLCanvasElement) || !c.closest('[data-testid="stVegaLiteChart"]')) return;
    c.dispatchEvent(new PointerEvent('pointermove', {clientX: e.clientX, clientY: e.clientY, screenX: e.screenX,
      screenY: e.screenY, pointerType: 'mouse', isPrimary: true, bubbles: true}));
  }, true);
  let pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(run); } }
  new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', schedule);
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
    present, ok = params.parse_bool(raw, last)
    if not ok:
        _bad_param("present")
    return present


def setup_page(script: str, learn: str) -> Lesson:
    """Page config, sidebar, title and the "what you will learn" line of the page ``script``
    (its ``__file__``); honours presenter mode. Returns the page's catalogue entry."""
    lesson = lessons.lesson_for(script)
    warmup.start()  # once per server: per-model numbers computed in the background (ui.warmup)
    st.session_state["_lesson"] = lesson.path
    present = _presenter_state()
    st.session_state["_present"] = present
    st.set_page_config(page_title="latent-lab" if lesson is lessons.HOME else f"{lesson.title} · latent-lab",
                       page_icon=PAGE_ICON, layout="wide",
                       initial_sidebar_state="collapsed" if present else "auto")
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
        if st.query_params.get("present") != "1":
            st.query_params["present"] = "1"  # the address says what is shown: a shared link presents too
    st.html(style.PAGE_CSS + FIT_JS, unsafe_allow_javascript=True)
    _sidebar(lesson, present)
    if lesson is lessons.HOME:
        st.title("latent-lab")
    else:
        st.title(f"{lesson.icon} {lesson.title}")
    st.markdown(f"**What you will learn:** {learn[:1].upper()}{learn[1:]}")
    return lesson


def link_params() -> dict[str, str]:
    """Query parameters every navigation link carries (presenter mode: sidebar, cards, previous / next)."""
    return {"present": "1"} if presenter() else {}


def _sidebar(current: Lesson, present: bool) -> None:
    """The app's own sidebar (``client.showSidebarNavigation = false``): Home, then the lessons in
    their groups, labelled exactly like the home page's cards, and the presenter-mode switch."""
    qp = link_params()
    with st.sidebar:
        st.page_link(lessons.HOME.path, label=lessons.HOME.title, icon=lessons.HOME.icon, query_params=qp)
        for group, core in lessons.GROUPS:
            st.caption(group)
            for lesson in lessons.LESSONS:
                if lesson.core == core:
                    st.page_link(lesson.path, label=lesson.title, icon=lesson.icon, query_params=qp)
        st.divider()
        st.page_link(lessons.CLASS.path, label=lessons.CLASS.title, icon=lessons.CLASS.icon, query_params=qp,
                     help="Predict, vote, reveal: students vote on their phones, the class sees the answer.")
        st.page_link(current.path, label="Leave presenter mode" if present else "Presenter mode",
                     icon=":material/co_present:", query_params={**_own_params(current), "present": "0" if present else "1"},
                     help="Larger text and figures for a projector; the address keeps ?present=1.")


def _own_params(current: Lesson) -> dict[str, str]:
    """What the presenter-mode switch keeps of this page's address: a class session's code, teacher
    secret and voter token (ui.classmode.views), or the teacher would lose the session."""
    if current is not lessons.CLASS:
        return {}
    return {k: v for k in ("class", "teacher", "voter") if (v := st.query_params.get(k))}


def lesson_links(lesson: Lesson) -> None:
    """Previous / next lesson, at the bottom of every page (presenter mode carried along)."""
    before, after = lessons.neighbours(lesson)
    st.divider()
    left, right = st.columns(2)
    if before is not None:
        left.page_link(before.path, label=f"Previous: {before.title}", icon=":material/arrow_back:",
                       query_params=link_params())
    if after is not None:
        right.page_link(after.path, label=f"Next: {after.title}", icon=":material/arrow_forward:",
                        query_params=link_params())


def presenter() -> bool:
    """True in presenter mode (``?present=1``): larger type and figures, explanations folded away."""
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


def folded(label: str, key: str, icon: str | None, body: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """An expander (folded at first) whose content, ``body(*args, **kwargs)``, runs only while it is
    open: opening it reruns the page (Streamlit's ``on_change="rerun"``), so a student who leaves it
    folded does not pay for what it holds on every move. ``key`` (page-prefixed) keeps it open
    across this session's runs; ``label`` must not change with the controls (it is the expander's identity)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    if box.open:
        with box:
            body(*args, **kwargs)


def nats_note() -> None:
    """A link to the note on what a nat of BCE means on grey-level MNIST (beside every table of nats)."""
    st.page_link("pages/15_Blurry_samples.py", label="What these nats are: grey-level vs binarized MNIST",
                 icon=":material/info:", query_params=link_params())


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
    st.error(f"**This {what} needs a file from `cache/` that cannot be used.**  \n"
             f"`{exc.path.name}` {exc.problem}.  \n"
             f"Rebuild it from the repository root with `{exc.rebuild}`. {rest}", icon=":material/build:")


def cache_problem(exc: CacheError) -> None:
    """The message of ``cache_guard`` for one part of a page, without stopping the rest of it."""
    _cache_message(exc, "view", "The rest of the page still works.")


def missing_note(problems: dict[str, CacheError | None], what: str) -> None:
    """Name the models left out of ``what`` (a chart, a table), each with its reason when known."""
    if not problems:
        return
    lines = "  \n".join(f"`{n}`" + (f": `{e.path.name}` {e.problem}" if e is not None else "")
                        for n, e in problems.items())
    st.info(f"Left out of {what} (not built yet, or not usable):  \n{lines}  \nThey appear as `python -m vae.build` "
            "finishes them (or rebuild one with `python -m vae.build --only NAME --force`).",
            icon=":material/hourglass_empty:")


def try_info(name: str) -> dict[str, Any] | None:
    """A model's checkpoint metadata (``info``), or None when its checkpoint cannot be used."""
    try:
        return info(name)
    except CacheError:
        return None


def stop() -> None:
    """End the page here (``st.stop``), keeping its previous / next links."""
    current = st.session_state.get("_lesson")
    if current is not None:
        lesson_links(lessons.lesson_for(current))
    st.stop()


# --- cached loading (shared by all sessions; never mutate what these return) --------------------

def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def model(name: str) -> torch.nn.Module:
    """The pretrained model, loaded once per server and loaded (and checked) again when its
    checkpoint changed on disk (``artefacts.signature``): a rebuilt or edited file is never
    answered with the weights read before."""
    return _model(name, artefacts.signature(artefacts.checkpoint_path(name)))


@st.cache_resource(show_spinner="Loading a model…", max_entries=MODEL_CACHE_ENTRIES)
def _model(name: str, signature: tuple[int, ...]) -> torch.nn.Module:
    return zoo.load(name)


def budget_words(train_config: dict[str, Any] | None = None) -> str:
    """A training budget in words: a checkpoint's ``train_config``, or the registry's one budget."""
    t = train_config or to_dict(zoo.BUDGET)
    warm = int(t.get("kl_warmup", 0))
    return (f"{t['epochs']} epochs, batch {t['batch_size']}, Adam with learning rate {t['lr']:g} and cosine "
            f"decay, seed {t['seed']}" + (f", the KL weight rising from 0 over the first {warm} epochs" if warm else ""))


def train_configs(names: list[str]) -> dict[str, dict[str, Any]]:
    """The stored ``train_config`` of each usable checkpoint among ``names`` (unusable ones left out)."""
    out = {}
    for n in names:
        try:
            out[n] = to_dict(stored_train_config(info(n)))  # later fields filled: equal runs compare equal
        except CacheError:
            continue
    return out


def budget_note(names: list[str]) -> str:
    """One sentence on whether the models a view compares were trained alike (from their checkpoints)."""
    budgets = train_configs(names)
    if len(budgets) < 2:
        return ""
    first = next(iter(budgets.values()))
    if all(b == first for b in budgets.values()):
        who = " and ".join(budgets) if len(budgets) == 2 else "All of " + ", ".join(budgets)
        return f"{who} were trained alike: {budget_words(first)}."
    return ("Not trained alike: " + ", ".join(f"{n} {b['epochs']} epochs" for n, b in budgets.items())
            + "; part of any difference between them is training time.")


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def info(name: str) -> dict[str, Any]:
    return zoo.info(name)


@st.cache_resource(show_spinner=False)
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images (N, 28, 28) uint8 and labels (N,) int64, read-only."""
    images, labels = artefacts.load_test_set()
    return _readonly(images), _readonly(labels)


@st.cache_resource(show_spinner=False)
def test_images_float() -> np.ndarray:
    """The test images as float32 (N, 28, 28) in [0, 1], read-only."""
    return _readonly(test_set()[0].astype(np.float32) / 255.0)


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def codes(name: str) -> dict[str, np.ndarray]:
    """mu (N, d) [, logvar], recon (N,), kl (N,) of the test images under a model, read-only."""
    cfg = zoo.entry(name).model
    return {k: _readonly(v) for k, v in
            artefacts.load_codes(name, cfg.latent_dim, cfg.kind != "ae").items()}


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def embeddings(name: str) -> dict[str, np.ndarray]:
    return {k: _readonly(v) for k, v in
            artefacts.load_embeddings(name, zoo.entry(name).model.latent_dim).items()}


N_PRIOR_DRAWS = 2000  # seeded draws z ~ N(0, I) whose digit mix the lessons count
FAR_GAPS = 3.0  # typical gaps from every test code: a draw in empty space


def prior_draws(seed: int, n: int = N_PRIOR_DRAWS) -> np.ndarray:
    """The lessons' seeded draws z ~ N(0, I) of a 2-D latent (the same seed gives the same draws on
    every page). -> (n, 2)"""
    return np.random.default_rng([seed, 1]).standard_normal((n, 2))


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def code_tree(name: str) -> cKDTree:
    """The KD-tree of a model's test codes (``neighbours.tree``), once per model and server, for every
    page and picture that asks which test code is nearest (raises CacheError if the codes are
    missing); queries do not change it."""
    return neighbours.tree(codes(name)["mu"])


@st.cache_data(show_spinner=False, max_entries=4 * MODEL_CACHE_ENTRIES)
def prior_draw_stats(name: str, seed: int) -> dict[str, Any]:
    """``latent.prior_draws_vs_codes`` of ``prior_draws(seed)`` among a 2-D model's test codes (the
    same numbers), once per model and seed, with the model's KD-tree and spacing built once per model
    (``code_tree``, ``model_facts.code_spacing``) rather than once per seed (raises CacheError if the
    codes are missing)."""
    from ui.model_facts import code_spacing  # (ui.model_facts imports this module)

    gap = code_spacing(name, 1)
    labels = test_set()[1]
    dist, idx = neighbours.nearest_one_in(code_tree(name), prior_draws(seed))
    mix = np.bincount(labels[idx], minlength=10)[:10] / len(idx)
    gaps = dist / max(gap, 1e-12)
    return {"mix": mix, "tv": latent.total_variation(mix, np.bincount(labels, minlength=10)[:10] / len(labels)),
            "gaps": gaps, "far": float((gaps > FAR_GAPS).mean())}


@st.cache_resource(show_spinner=False, max_entries=MODEL_CACHE_ENTRIES)
def scatter_subset(n: int = SCATTER_POINTS, seed: int = 0) -> np.ndarray:
    """A fixed, class-stratified subset of test indices for interactive scatters."""
    _, labels = test_set()
    rng = np.random.default_rng(seed)
    per = n // 10
    idx = np.concatenate([rng.choice(np.flatnonzero(labels == k), per, replace=False) for k in range(10)])
    return _readonly(np.sort(idx))


def built(name: str) -> bool:
    """Whether a model's checkpoint exists in cache/ (whether it is usable, loading tells)."""
    return artefacts.checkpoint_path(name).exists()


def models_where(pred: Callable[[zoo.Entry], bool]) -> list[str]:
    return [n for n in zoo.names() if pred(zoo.entry(n))]


def model_choices(pred: Callable[[zoo.Entry], bool], prefer: str) -> tuple[list[str], list[str], str]:
    """The registry models a page offers (``pred``), those of them that are built, and the default:
    ``prefer`` when built, else the first built one (``prefer`` again when none is: the page then
    says what is missing)."""
    names = models_where(pred)
    built_names = [n for n in names if built(n)]
    return names, built_names, prefer if prefer in built_names else (built_names[0] if built_names else prefer)


def offered(built_names: list[str], names: list[str], key: str, default: str | list[str]) -> list[str]:
    """The models a picker keyed ``key`` offers: the built ones, and one that is not built when it is
    (one of) the default or this session or the link picked it (the page then says what is missing).
    A list ``default`` is a multiselect's: every value of a repeated link parameter counts."""
    many = isinstance(default, list)
    picked = st.session_state.get(key)
    want = {*(default if many else [default]), *(picked if isinstance(picked, list) else [picked]),
            *(st.query_params.get_all(key) if many else [st.query_params.get(key)])}
    return built_names + [n for n in names if n not in built_names and n in want]


def unbuilt_help(options: list[str]) -> str | None:
    """A picker's help naming the offered models that are not built: bound pickers are labelled
    with the URL's spelling, the model's name, so the label cannot say it."""
    missing = [n for n in options if not built(n)]
    return f"Not built yet: {', '.join(missing)} (`python -m vae.build` builds it)." if missing else None


def model_picker(widget: Callable[..., Any], label: str, names: list[str], built_names: list[str], default: str, *,
                 key: str, help: str | None = None, blurbs: bool = False, **kwargs: Any) -> str:
    """A page's model picker, ``widget`` (a selectbox), bound to the URL parameter ``key`` (``bound``):
    the ``offered`` models of ``names``, ``default`` first picked. Its help is ``help``, then each
    offered model's blurb with ``blurbs``, then the models not built (``unbuilt_help``)."""
    options = offered(built_names, names, key, default)
    parts = [help, "  \n".join(f"**{n}**: {zoo.entry(n).blurb}" for n in options) if blurbs else None,
             unbuilt_help(options)]
    return bound(widget, label, options, index=options.index(default), key=key,
                 help="  \n\n".join(p for p in parts if p) or None,
                 parse=lambda raw: params.parse_choice(raw, names, default), **kwargs)


# --- model calls -------------------------------------------------------------------------------

def decode(name: str, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """Decode codes (M, d) -> images (M, 28, 28) float32 in [0, 1]."""
    m = model(name)
    zt = torch.as_tensor(np.array(z, dtype=np.float32)).reshape(-1, m.config.latent_dim)  # (M, d), a writable copy
    with torch.inference_mode():
        out = m.decode(zt, None if y is None else torch.as_tensor(np.asarray(y)).long().reshape(-1))
    return out[:, 0].numpy()  # (M, 28, 28)


ModelKey = tuple[str, str, tuple[int, ...]]  # a model name, its checkpoint path and signature


def model_key(name: str) -> ModelKey:
    """Identifies a model's weights on disk (name, checkpoint path, ``artefacts.signature``), for
    cache keys of figures decoded from it: a rebuilt or edited checkpoint gets new figures."""
    path = artefacts.checkpoint_path(name)
    return name, str(path), artefacts.signature(path)


def decoded(key: ModelKey, z: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """``decode`` for the model ``key`` (``model_key``) names: a ``charts.lazy`` input of figures,
    so that a rebuilt checkpoint gets new figures. -> (M, 28, 28)"""
    return decode(key[0], z, y)


def mosaic_png(name: str, z: np.ndarray, nrows: int, ncols: int, y: np.ndarray | None = None,
               **figure_kwargs: Any) -> bytes:
    """PNG of the decoder's images at codes z (M, d) as a mosaic, decoded and drawn once per input
    (decoded only on a cache miss, outside the drawing lock)."""
    images = charts.lazy(decoded, model_key(name), np.asarray(z, dtype=np.float32), None if y is None else np.asarray(y))
    return charts.png(charts.mosaic_figure, images, nrows, ncols, **figure_kwargs)


@st.cache_data(max_entries=FIGURE_CACHE_ENTRIES, show_spinner=False)
def _decoded_grid_png(key: ModelKey, xs: np.ndarray, ys: np.ndarray) -> bytes:
    return mosaic.mosaic_png(decode(key[0], latent.grid_2d(xs, ys)), len(xs))  # (n * n, 28, 28) decoded


def grid_png(name: str, xs: np.ndarray, ys: np.ndarray) -> bytes:
    """8-bit PNG (``vae.mosaic.mosaic_png``) of a 2-D model's images decoded at the grid
    ``latent.grid_2d(xs, ys)``, decoded once per input and kept (LRU), shared by every session."""
    return _decoded_grid_png(model_key(name), np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))


def encode(name: str, images: np.ndarray, y: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Images (M, 28, 28) float in [0, 1] -> (mu (M, d), logvar (M, d) or None for an AE)."""
    m = model(name)
    x = torch.from_numpy(np.array(images, dtype=np.float32)).reshape(-1, 1, 28, 28)  # (M, 1, 28, 28), a copy:
    with torch.inference_mode():  # the shared arrays are read-only, and torch does not take read-only memory
        mu, lv = m.encode(x, None if y is None else torch.as_tensor(np.asarray(y)).long().reshape(-1))
    return mu.numpy(), None if lv is None else lv.numpy()


# --- shareable views -----------------------------------------------------------------------------

def _bad_param(name: str) -> None:
    bad = st.session_state.setdefault("_bad_params", [])
    if name not in bad:
        bad.append(name)


def bound(widget: Callable[..., Any], *args: Any, key: str, parse: Callable[[Any], tuple[Any, bool]],
          many: bool = False, **kwargs: Any) -> Any:
    """``widget(*args, key=key, bind="query-params", **kwargs)``: Streamlit's own binding of a widget
    to the URL parameter named ``key``. A link sets the widget, moving it rewrites the link, and the
    default leaves the link.

    ``parse`` (a ``ui.params`` reader: raw -> (value, ok)) decides what a link may say: a value it
    rejects ("banana", "-3", "inf", "3.5" for an integer) is taken out of the link before the widget
    sees it, so the widget shows its default, and ``share`` says so. A value it accepts but Streamlit
    drops (a spelling the widget does not know, "2.0" for the option labelled 2) is reported too;
    the default spelled another way ("00" for 0) is not. Selection widgets match the URL against
    their ``format_func`` labels, so bound ones label their options with the URL's spelling.
    With ``many`` (a multiselect: ``?k=a&k=b``) ``parse`` reads the list of every value given.
    """
    raw: str | list[str] | None = None
    if key not in st.session_state:  # the link, on the first run only
        raw = (st.query_params.get_all(key) or None) if many else st.query_params.get(key)
    v, ok = parse(raw) if raw is not None else (None, True)
    if not ok:  # ours is the check: Streamlit's lets some through ("inf" crashes an int input)
        compat.forget_link_value(key)
        del st.query_params[key]
        _bad_param(key)
    value = widget(*args, key=key, bind="query-params", **kwargs)
    if raw is not None and ok and key not in st.query_params and v != value:
        _bad_param(key)  # a spelling Streamlit does not know ("2.0" for the option labelled 2): dropped, say so
    return value


def bind(widget_key: str, qp_name: str, parse: Callable[[str | None], tuple[Any, bool]]) -> None:
    """Initialise the state behind a setting that is no single widget (several widgets written
    as one parameter, a clicked point) from the URL, on the page's first run in this session.

    Call before creating the widgets (created with ``key=widget_key`` and no default value).
    Unusable values fall back to the default, with a notice (see ``share``). One widget, one
    parameter: ``bound``.
    """
    if widget_key in st.session_state:
        return
    value, ok = parse(st.query_params.get(qp_name))
    if not ok:
        _bad_param(qp_name)
    st.session_state[widget_key] = value


def share(values: dict[str, Any] | None = None) -> None:
    """Write the settings that are no single widget to the URL (bound widgets write their own), so
    that the link reopens this view, and say which link parameters were ignored, if any.

    Call after the page's last ``bound`` or ``bind``."""
    for k, v in (values or {}).items():
        s = ",".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) if isinstance(v, (list, tuple)) \
            else (f"{v:g}" if isinstance(v, float) else str(v))
        if st.query_params.get(k) != s:
            st.query_params[k] = s
    bad = st.session_state.pop("_bad_params", [])
    if bad:
        st.toast(f"Ignored link parameter(s) {', '.join(bad)}: not a valid value here, "
                 "showing the default instead.", icon=":material/link:")


# --- images and downloads -----------------------------------------------------------------------

def upscale(img: np.ndarray, factor: int = 4) -> np.ndarray:
    """Nearest-neighbour enlargement of a (28, 28) image so browsers don't blur it."""
    return np.kron(np.clip(img, 0, 1), np.ones((factor, factor), dtype=np.float32))


def png_bytes(png_or_array: bytes | np.ndarray) -> bytes:
    """PNG bytes as they are (a figure from ``charts.png``), or the PNG of a [0, 1] grayscale array."""
    if isinstance(png_or_array, bytes):
        return png_or_array
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((np.clip(png_or_array, 0, 1) * 255).astype(np.uint8)).save(buf, format="png")
    return buf.getvalue()


def download_png(png_or_array: bytes | np.ndarray, filename: str, key: str, label: str = "Download PNG") -> None:
    """A download of a figure shown on the page (or of a grayscale image), on an opaque background:
    the page's figures are drawn on a transparent one in the theme's ink, which would vanish on a
    slide of the other colour. Filled when clicked, with this theme's page colour."""
    if not isinstance(png_or_array, bytes):
        data = png_bytes(png_or_array)  # grayscale: opaque already
        st.download_button(label, data, file_name=filename, mime="image/png", key=key, on_click="ignore")
        return
    paper = charts.paper()
    st.download_button(label, lambda: charts.opaque(png_or_array, paper), file_name=filename,
                       mime="image/png", key=key, on_click="ignore")


def download_figure(filename: str, key: str, build: Callable[..., Any], *args: Any,
                    label: str = "Download PNG", **kwargs: Any) -> None:
    """A download of the Matplotlib figure ``build(*args, **kwargs)``, drawn only when the button is
    clicked, for a slide whatever the page's theme: dark ink on opaque white, with presenter mode's
    large text."""
    def render() -> bytes:
        with charts.as_theme("light"), charts.as_present(True):
            return charts.opaque(charts.png(build, *args, **kwargs), PAPER["light"])

    st.download_button(label, render, file_name=filename, mime="image/png", key=key, on_click="ignore")


def download_csv(df: Any, filename: str, key: str, label: str = "Download CSV") -> None:
    # deferred: the CSV is written when the button is clicked, not on every run
    st.download_button(label, lambda: df.to_csv(index=False).encode(), file_name=filename,
                       mime="text/csv", key=key, on_click="ignore")
