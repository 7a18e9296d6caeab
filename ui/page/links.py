"""State kept in the link: widgets bound to URL parameters (``url_widget``), settings that are no
single widget read from the URL (``state_from_url``) and written back (``state_to_url``), and the
model pickers. A value a link may not hold is dropped, and the page says so.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import streamlit as st

from ui import compat
from ui.page import link_values, loaders
from vae import zoo


def model_choices(
    pred: Callable[[zoo.Entry], bool], prefer: str
) -> tuple[list[str], list[str], str]:
    """The registry models a page offers (``pred``), those of them that are built, and the default:
    ``prefer`` when built, else the first built one (``prefer`` again when none is: the page then
    says what is missing)."""
    names = loaders.models_where(pred)
    built_names = [n for n in names if loaders.built(n)]
    return (
        names,
        built_names,
        prefer if prefer in built_names else (built_names[0] if built_names else prefer),
    )


def offered(
    built_names: list[str], names: list[str], key: str, default: str | list[str]
) -> list[str]:
    """The models a picker keyed ``key`` offers: the built ones, and one that is not built when it
    is
    (one of) the default or this session or the link picked it (the page then says what is missing).
    A list ``default`` is a multiselect's: every value of a repeated link parameter counts."""
    many = isinstance(default, list)
    picked = st.session_state.get(key)
    want = {
        *(default if many else [default]),
        *(picked if isinstance(picked, list) else [picked]),
        *(st.query_params.get_all(key) if many else [st.query_params.get(key)]),
    }
    return built_names + [n for n in names if n not in built_names and n in want]


def unbuilt_help(options: list[str]) -> str | None:
    """A picker's help naming the offered models that are not built: bound pickers are labelled
    with the URL's spelling, the model's name, so the label cannot say it."""
    missing = [n for n in options if not loaders.built(n)]
    return (
        f"Not built yet: {', '.join(missing)} (`python -m vae.build` builds it)."
        if missing
        else None
    )


def model_picker(
    widget: Callable[..., Any],
    label: str,
    names: list[str],
    built_names: list[str],
    default: str,
    *,
    key: str,
    help: str | None = None,
    blurbs: bool = False,
    **kwargs: Any,
) -> str:
    """A page's model picker, ``widget`` (a selectbox), bound to the URL parameter ``key``
    (``url_widget``):
    the ``offered`` models of ``names``, ``default`` first picked. Its help is ``help``, then each
    offered model's blurb with ``blurbs``, then the models not built (``unbuilt_help``)."""
    options = offered(built_names, names, key, default)
    parts = [
        help,
        "  \n".join(f"**{n}**: {zoo.entry(n).blurb}" for n in options) if blurbs else None,
        unbuilt_help(options),
    ]
    return url_widget(
        widget,
        label,
        options,
        index=options.index(default),
        key=key,
        help="  \n\n".join(p for p in parts if p) or None,
        parse=lambda raw: link_values.parse_choice(raw, names, default),
        **kwargs,
    )


# --- shareable views -----------------------------------------------------------------------------


def _bad_param(name: str) -> None:
    bad = st.session_state.setdefault("_bad_params", [])
    if name not in bad:
        bad.append(name)


def url_widget(
    widget: Callable[..., Any],
    *args: Any,
    key: str,
    parse: Callable[[Any], tuple[Any, bool]],
    many: bool = False,
    **kwargs: Any,
) -> Any:
    """``widget(*args, key=key, bind="query-params", **kwargs)``: Streamlit's own binding of a
    widget
    to the URL parameter named ``key``. A link sets the widget, moving it rewrites the link, and the
    default leaves the link.

    ``parse`` (a ``ui.page.link_values`` reader: raw -> (value, ok)) decides what a link may say: a
    value it
    rejects ("banana", "-3", "inf", "3.5" for an integer) is taken out of the link before the widget
    sees it, so the widget shows its default, and ``state_to_url`` says so. A value it accepts but
    Streamlit
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
        _bad_param(
            key
        )  # a spelling Streamlit does not know ("2.0" for the option labelled 2): dropped, say so
    return value


def state_from_url(
    widget_key: str, qp_name: str, parse: Callable[[str | None], tuple[Any, bool]]
) -> None:
    """Initialise the state behind a setting that is no single widget (several widgets written
    as one parameter, a clicked point) from the URL, on the page's first run in this session.

    Call before creating the widgets (created with ``key=widget_key`` and no default value).
    Unusable values fall back to the default, with a notice (see ``state_to_url``). One widget, one
    parameter: ``url_widget``.
    """
    if widget_key in st.session_state:
        return
    value, ok = parse(st.query_params.get(qp_name))
    if not ok:
        _bad_param(qp_name)
    st.session_state[widget_key] = value


def state_to_url(values: dict[str, Any] | None = None) -> None:
    """Write the settings that are no single widget to the URL (bound widgets write their own), so
    that the link reopens this view, and say which link parameters were ignored, if any.

    Call after the page's last ``url_widget`` or ``state_from_url``."""
    for k, v in (values or {}).items():
        s = (
            ",".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v)
            if isinstance(v, (list, tuple))
            else (f"{v:g}" if isinstance(v, float) else str(v))
        )
        if st.query_params.get(k) != s:
            st.query_params[k] = s
    bad = st.session_state.pop("_bad_params", [])
    if bad:
        st.toast(
            f"Ignored link parameter(s) {', '.join(bad)}: not a valid value here, "
            "showing the default instead.",
            icon=":material/link:",
        )


# Every seed box offers the same bank of draws, seeds 0 … SEED_MAX. A bank of a few dozen is
# enough to see that draws differ, and it is shared: in a class, what one student's seed cost
# (decodes, nearest-digit labels, figures) is a cache hit for every other student who picks it, and
# a teacher's "try seed 7" shows everyone the same picture. A seed box over 0 … 1,000,000 made
# nearly every student's move a computation of their own (issue 28).
SEED_BANK = 32  # seeds a seed box offers, 0 … SEED_BANK - 1
SEED_MAX = SEED_BANK - 1  # a seed box's largest value
SEED_HELP = (
    f"One of {SEED_BANK} draws (0–{SEED_MAX}) that the whole class shares: the same seed shows "
    "everyone the same picture."
)


def seed_input(where: Any, label: str, key: str, **kwargs: Any) -> int:
    """A seed box in ``where`` (``st`` or a column): a seed of the bank, 0 … ``SEED_MAX``, 0 by
    default, bound to the URL parameter ``key`` (``url_widget``; a link's seed outside the bank is
    ignored with a toast); ``kwargs`` as ``st.number_input``'s (``help``, ``disabled``,
    ``on_change``). Every seed of the lessons comes from here."""
    kwargs.setdefault("help", SEED_HELP)
    return int(
        url_widget(
            where.number_input,
            label,
            0,
            SEED_MAX,
            value=0,
            step=1,
            key=key,
            parse=lambda raw: link_values.parse_int(raw, 0, SEED_MAX, 0),
            **kwargs,
        )
    )


def next_seed(seed: int) -> int:
    """The bank's seed after ``seed``, wrapping round to 0 after ``SEED_MAX`` (a "new samples"
    button)."""
    return (int(seed) + 1) % SEED_BANK


def int_slider(
    where: Any, label: str, lo: int, hi: int, key: str, default: int, **kwargs: Any
) -> int:
    """A slider in ``where`` over the whole numbers ``lo`` to ``hi``, ``default`` first, bound to
    the URL parameter ``key`` (``url_widget``); ``kwargs`` as ``st.slider``'s (``help``,
    ``disabled``, ``on_change``)."""
    return int(
        url_widget(
            where.slider,
            label,
            lo,
            hi,
            value=default,
            key=key,
            parse=lambda raw: link_values.parse_int(raw, lo, hi, default),
            **kwargs,
        )
    )


def captioned_radio(
    where: Any,
    label: str,
    options: Sequence[str],
    captions: Mapping[str, str],
    key: str,
    default: str,
    **kwargs: Any,
) -> str:
    """A radio in ``where`` whose options each carry a caption (``captions[option]``), bound to
    the URL parameter ``key`` (``url_widget``; a link may name any of ``options``), ``default``
    chosen first; ``kwargs`` as ``st.radio``'s (``horizontal``, ``help``, ``on_change``)."""
    options = list(options)
    return url_widget(
        where.radio,
        label,
        options,
        index=options.index(default),
        key=key,
        captions=[captions[o] for o in options],
        parse=lambda raw: link_values.parse_choice(raw, options, default),
        **kwargs,
    )


def choice_slider(
    where: Any, label: str, options: Sequence[Any], key: str, default: Any, **kwargs: Any
) -> Any:
    """A select slider in ``where`` over ``options``, ``default`` chosen first, bound to the URL
    parameter ``key`` (``url_widget``; a link may name any of ``options``, "1" for 1.0 too);
    ``kwargs`` as ``st.select_slider``'s (``format_func``, ``help``, ``disabled``)."""
    options = list(options)
    return url_widget(
        where.select_slider,
        label,
        options=options,
        value=default,
        key=key,
        parse=lambda raw: link_values.parse_choice(raw, options, default),
        **kwargs,
    )


def digit_select(where: Any, label: str, key: str, default: int = 3, **kwargs: Any) -> int:
    """A digit 0-9 chosen in a selectbox in ``where``, bound to the URL parameter ``key``
    (``url_widget``); ``kwargs`` as ``st.selectbox``'s (``disabled``, ``on_change``)."""
    digits = list(range(10))
    return int(
        url_widget(
            where.selectbox,
            label,
            digits,
            index=default,
            key=key,
            parse=lambda raw: link_values.parse_choice(raw, digits, default),
            **kwargs,
        )
    )
