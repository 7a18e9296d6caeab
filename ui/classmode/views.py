"""The class mode's views: start or join a session, the teacher's view, the student's view.

Peer instruction (Crouch & Mazur 2001): the projector shows a question about a lesson's picture,
students commit to a prediction on their phones, the class histogram fills in live, the teacher
may let them talk and vote again, then reveals the app's own picture and the computed answer.

The address carries the state, so a reload loses nothing: ``?class=CODE`` (a student),
``&voter=TOKEN`` (a random token the student's page adds, so one browser is one vote),
``&teacher=SECRET`` (only in the teacher's address; the QR code and the student link never hold it).
Views redraw themselves by polling (``st.fragment(run_every=...)``): the teacher's count every
second, a student's page every 4 s once it has voted (10 s while the student is still choosing);
polls of one session share one database read
(``Store.read_ttl_s``), so 300 phones cost a few queries a second.
"""

from __future__ import annotations

import functools
import io
import urllib.parse
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ui.classmode import questions, store
from ui.classmode.store import ClassState, StoreUnavailable
from ui.draw import render
from ui.page import catalogue, frame, link_values
from ui.server import warmup
from vae.artefacts import CacheError

TEACHER_POLL_S = 1.0  # the teacher's count and histogram: a new vote shows within ~1.5 s
STUDENT_POLL_S = (
    4.0  # a student who voted (or saw the reveal) sees the teacher's next move in ~4.5 s
)
# A student still choosing acts on the page anyway (the vote redraws it, and a vote on a round that
# has moved on shows where the class is): a slower poll halves a class's polling while it votes
# (300 phones: 30 polls a second instead of 75; benchmarks/class_vote.py)
STUDENT_THINK_POLL_S = 10.0
LETTERS = "ABCDEF"  # choices are lettered, so a teacher can say "most of you chose B"


def _store() -> store.Store | None:
    try:
        return store.default()
    except StoreUnavailable as exc:
        st.warning(f"{exc}", icon=":material/cloud_off:")
        _lesson_list()
        return None


def _lesson_list() -> None:
    st.page_link(
        catalogue.HOME.path,
        label="All lessons",
        icon=catalogue.HOME.icon,
        query_params=frame.link_params(),
    )


def page() -> None:
    """The whole class-mode page, from the address."""
    db = _store()
    if db is None:
        return
    raw = str(st.query_params.get("class", "")).strip().upper().replace(" ", "")
    if not raw:
        start_or_join(db)
        return
    try:
        state = db.session(raw)
    except StoreUnavailable as exc:
        st.warning(f"{exc}", icon=":material/cloud_off:")
        _lesson_list()
        return
    if state is None:
        what = (
            "is not a class code" if not store.CODE_RE.fullmatch(raw) else "names no running class"
        )
        st.warning(
            f"{link_values.echo(raw)} {what} (codes have "
            f"{store.CODE_LEN} letters and digits; a class session ends after "
            f"{store.session_hours():g} hours). Check the code with your teacher.",
            icon=":material/search_off:",
        )
        start_or_join(db, teach=False)
        return
    secret = st.query_params.get("teacher")
    if secret is not None:
        if db.is_teacher(state.code, secret):
            teacher_view(db, state, secret)
            return
        st.warning(
            "This address's teacher key does not match this class session: you see what a "
            "student sees.",
            icon=":material/lock:",
        )
        del st.query_params["teacher"]
    student_view(db, state)


def _warm() -> None:
    """At server start (ui.server.warmup): the class tables created or migrated, and every
    question's
    answer computed, so a teacher's first reveal in front of the class does not wait (the ELBO
    question's exact integral takes seconds)."""
    try:
        store.default()
    except StoreUnavailable:
        pass  # said on the class page when someone opens it
    for q in questions.QUESTIONS:
        try:
            _facts(q)
        except CacheError:
            pass  # the class page names the missing file


warmup.register(_warm)


# --- start or join
# ---------------------------------------------------------------------------------


def start_or_join(db: store.Store, teach: bool = True) -> None:
    st.subheader("Join your class")
    with st.form("class_join", border=True):
        code = st.text_input(
            "Class code",
            max_chars=store.CODE_LEN,
            key="class_code",
            placeholder="e.g. K7PQ2M",
            help="The code on the projector",
        )
        if st.form_submit_button("Join", icon=":material/login:", key="class_join_go"):
            code = code.strip().upper().replace(" ", "")
            if store.CODE_RE.fullmatch(code):
                st.query_params["class"] = code
                st.rerun()
            st.warning(
                f"A class code has {store.CODE_LEN} letters and digits (no 0, O, 1, I or L)."
            )
    if not teach:
        return
    st.subheader("Teach: start a class session")
    st.markdown(
        "Pick the questions for today. Each asks the class to **predict** what a lesson's "
        "picture will show; students vote on their phones, you show the live histogram, "
        "let them talk and vote again, then **reveal** the app's own picture and the answer "
        "computed from the models."
    )
    options = [q.key for q in questions.QUESTIONS]
    titles = {lesson.path: lesson.title for lesson in catalogue.LESSONS}
    picked = st.multiselect(
        "Questions, in order",
        options,
        default=options,
        key="class_questions",
        format_func=lambda k: (
            f"{titles.get(questions.by_key(k).lesson, '?')}: {_short(questions.by_key(k).prompt)}"
        ),
    )
    if st.button(
        "Start a class session",
        type="primary",
        icon=":material/play_arrow:",
        disabled=not picked,
        key="class_start",
    ):
        try:
            code, secret = db.create(list(picked))
        except (StoreUnavailable, ValueError) as exc:
            st.warning(f"{exc}", icon=":material/cloud_off:")
            return
        with st.spinner("Computing the answers from the models (once per server)..."):
            for key in picked:
                _facts(questions.by_key(key))
        st.query_params.update({"class": code, "teacher": secret})
        st.rerun()


def _short(text: str, n: int = 80) -> str:
    flat = " ".join(text.replace("*", "").split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


# --- shared parts ---------------------------------------------------------------------------------


def _facts(q: questions.Question) -> Any:
    return q.facts()


def _question(state: ClassState) -> questions.Question | None:
    q = (
        questions.by_key(state.questions[state.position])
        if state.position < len(state.questions)
        else None
    )
    if q is None:
        st.warning(
            "This class session asks a question this version of the app does not have; the "
            "teacher can move to the next one.",
            icon=":material/help:",
        )
    return q


def _heading(state: ClassState, q: questions.Question) -> None:
    lesson = catalogue.lesson_for(q.lesson)
    round_words = f" · vote {state.round + 1}" if state.round else ""
    st.caption(
        f"Class {state.code} · question {state.position + 1} of {len(state.questions)} · "
        f"from *{lesson.title}*{round_words}"
    )
    st.markdown(f"### {q.prompt}")


def choice_label(q: questions.Question, i: int) -> str:
    return f"{LETTERS[i]}. {q.choices[i]}"


def tally_words(q: questions.Question, counts: list[int], right: int | None) -> str:
    """The histogram as a sentence (its text alternative, and the numbers for a screen reader)."""
    total = sum(counts)
    if total == 0:
        return "No votes yet."
    parts = [
        f"{choice_label(q, i)}: {n} ({100 * n / total:.0f} %)"
        + (" (the answer)" if i == right else "")
        for i, n in enumerate(counts)
    ]
    return f"{total} vote{'s' if total != 1 else ''}. " + "; ".join(parts) + "."


def histogram_chart(
    labels: tuple[str, ...],
    counts: tuple[int, ...],
    right: int | None,
    description: str,
    font: int = 14,
) -> alt.Chart:
    """Votes per choice, one bar each; the answer (once revealed) is marked by a ✓ in its label and
    a darker bar, so colour is never the only cue. ``font``: px of its labels and counts."""
    frame = pd.DataFrame(
        {
            "choice": [("✓ " if i == right else "") + label for i, label in enumerate(labels)],
            "votes": list(counts),
            "kind": ["answer" if i == right else "vote" for i in range(len(labels))],
        }
    )
    top = max(1, max(counts))
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "choice:N",
            sort=None,
            title=None,
            axis=alt.Axis(labelLimit=16 * font, labelFontSize=font),
        ),
        x=alt.X(
            "votes:Q",
            title="votes",
            scale=alt.Scale(domain=[0, top * 1.15]),
            axis=alt.Axis(tickMinStep=1, format="d", labelFontSize=font, titleFontSize=font),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=["vote", "answer"], range=["#4e79a7", "#1b5e20"]),
            legend=None,
        )
    )
    text = base.mark_text(align="left", dx=4, fontSize=font).encode(text=alt.Text("votes:Q"))
    return (bars + text).properties(
        height=(3 * font + 8) * len(labels) + 20, description=description
    )


def show_histogram(q: questions.Question, counts: list[int], right: int | None, key: str) -> None:
    words = tally_words(q, counts, right)
    labels = tuple(choice_label(q, i) for i in range(len(q.choices)))
    font = 22 if frame.presenter() else 14  # a projector's back row reads the counts too
    render.draw(
        render.spec(histogram_chart, labels, tuple(counts), right, words, font),
        key=key,
        width="stretch",
    )
    st.caption(words)


def reveal_block(q: questions.Question, counts: list[int], mine: int | None) -> None:
    """The answer, the numbers that decide it, the lesson's picture and how the class voted."""
    try:
        facts = _facts(q)
    except CacheError as exc:
        frame.cache_problem(exc)
        return
    right = q.answer(facts)
    st.success(f"**Answer: {choice_label(q, right)}**", icon=":material/check_circle:")
    if mine is not None:
        if mine == right:
            st.markdown(f":material/thumb_up: You predicted **{choice_label(q, mine)}**: right.")
        else:
            st.markdown(
                f":material/school: You predicted **{choice_label(q, mine)}**; the models "
                "say otherwise. The numbers below say why."
            )
    st.markdown(q.because(facts))
    q.reveal(facts)  # full width: some reveals lay out columns of their own
    st.markdown("**How the class voted**")
    show_histogram(q, counts, right, key="class_reveal_votes")
    lesson = catalogue.lesson_for(q.lesson)
    st.page_link(
        q.lesson,
        label=f"See it in the lesson: {lesson.title}",
        icon=lesson.icon,
        query_params=q.setting,
    )


# --- the teacher ----------------------------------------------------------------------------------


def only_this_computer(link: str) -> bool:
    """Whether an address names this computer only (localhost, 127.x.x.x, ::1): a student's phone
    or laptop cannot open it."""
    host = urllib.parse.urlsplit(link).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"


def student_link(code: str) -> str:
    """The address students open: this page with only the class code (never the teacher's key)."""
    try:
        here = urllib.parse.urlsplit(st.context.url or "")
    except Exception:  # no browser (a test)
        here = urllib.parse.urlsplit("")
    if not here.netloc:
        return f"?class={code}"
    return urllib.parse.urlunsplit((here.scheme, here.netloc, here.path, f"class={code}", ""))


@functools.lru_cache(maxsize=64)
def qr_png(text: str) -> bytes:
    """A QR code of ``text`` (segno), black on white with the standard quiet zone."""
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(
        buf, kind="png", scale=8, border=4, dark="#000000", light="#ffffff"
    )
    return buf.getvalue()


def teacher_view(db: store.Store, state: ClassState, secret: str) -> None:
    q = _question(state)
    link = student_link(state.code)
    if state.closed:
        st.info(
            "You closed this class session. Start another from the class-mode page.",
            icon=":material/done_all:",
        )
        st.page_link(
            catalogue.CLASS.path, label="Start a new class session", icon=catalogue.CLASS.icon
        )
        return
    if q is not None:
        _heading(state, q)
        st.markdown("  \n".join(choice_label(q, i) for i in range(len(q.choices))))
    _teacher_controls(db, state, secret, q)  # above the fold, beside the question
    left, right = st.columns([3, 2])
    with right:
        st.markdown(
            f"**Students join at** `{link}`  \nor with the code **{state.code}** on the "
            "class-mode page."
        )
        st.image(qr_png(link), width=220, alt=f"QR code: it opens {link}, the class's student page")
        if only_this_computer(link):
            st.warning(
                "This address opens on this computer only: students' devices cannot reach it. "
                "Open this page at the address Streamlit prints as its *Network URL* (or the "
                "server's name), and the link and QR code follow.",
                icon=":material/wifi_off:",
            )
        st.caption(
            "Keep this page's own address to yourself: its teacher key lets it reveal, "
            "move on and close the session."
        )
    with left:
        if q is not None:
            _teacher_live(db, state, q)
    if q is not None and state.revealed:
        reveal_block(q, db.tally(state.code, state.position, state.round, len(q.choices)), None)


@st.fragment(run_every=TEACHER_POLL_S)
def _teacher_live(db: store.Store, state: ClassState, q: questions.Question) -> None:
    try:
        now = db.session(state.code)
        counts = db.tally(state.code, state.position, state.round, len(q.choices))
    except StoreUnavailable as exc:
        st.warning(f"{exc}", icon=":material/cloud_off:")
        return
    if now is None or now.key != state.key:
        st.rerun()  # another tab of the teacher moved on
    st.metric("Votes", sum(counts))
    if state.revealed:
        return
    # hidden by default: on a projector, a live bar chart steers the votes still to come
    if st.toggle("Show the votes so far", value=False, key="class_show_live"):
        show_histogram(q, counts, None, key="class_live_votes")
    else:
        st.caption(
            "The class's answers stay hidden until you reveal them, so a projected chart "
            "cannot steer the votes still to come."
        )


def _teacher_controls(
    db: store.Store, state: ClassState, secret: str, q: questions.Question | None
) -> None:
    def act(action: str) -> None:
        try:
            db.act(state.code, secret, action, state.position, state.round)
        except StoreUnavailable as exc:
            st.session_state["class_problem"] = str(exc)

    last = state.position + 1 >= len(state.questions)
    buttons = (  # (label, icon, action, disabled, help)
        (
            "Reveal",
            "visibility",
            "reveal",
            state.revealed or q is None,
            "Show everyone the answer, the models' picture and the class histogram",
        ),
        (
            "Vote again",
            "replay",
            "again",
            q is None,
            "A new round of the same question (after the class has talked)",
        ),
        ("Next question", "skip_next", "next", last, None),
        ("Close session", "stop_circle", "close", False, None),
    )
    for col, (label, icon, action, disabled, why) in zip(st.columns(4), buttons):
        col.button(
            label,
            type="primary" if action == "reveal" else "secondary",
            icon=f":material/{icon}:",
            key=f"class_{action}",
            disabled=disabled,
            on_click=act,
            args=(action,),
            help=why,
        )
    problem = st.session_state.pop("class_problem", None)
    if problem:
        st.warning(problem, icon=":material/cloud_off:")


# --- a student ------------------------------------------------------------------------------------


def _voter() -> str:
    """This browser's voter token, kept in the address (a reload keeps one vote per student)."""
    raw = st.query_params.get("voter")
    if raw is None or not store.VOTER_RE.fullmatch(raw):
        raw = store.new_voter()
        st.query_params["voter"] = raw
    return raw


def student_view(db: store.Store, state: ClassState) -> None:
    voter = _voter()
    if state.closed:
        st.info(
            "Your teacher closed this class session. Thank you for voting!",
            icon=":material/done_all:",
        )
        _lesson_list()
        return
    q = _question(state)
    if q is None:
        _watch_waiting(db, state)
        return
    _heading(state, q)
    try:
        mine = db.my_vote(state.code, voter, state.position, state.round)
    except StoreUnavailable as exc:
        st.warning(f"{exc}", icon=":material/cloud_off:")
        return
    if state.revealed:
        reveal_block(q, db.tally(state.code, state.position, state.round, len(q.choices)), mine)
    else:
        mine = _vote_form(db, state, q, voter, mine)
    (_watch_waiting if state.revealed or mine is not None else _watch_thinking)(db, state)


def _vote_form(
    db: store.Store, state: ClassState, q: questions.Question, voter: str, mine: int | None
) -> int | None:
    with st.form(f"class_vote_{state.position}_{state.round}", border=True):
        pick = st.radio(
            "Your prediction",
            range(len(q.choices)),
            index=mine,
            format_func=lambda i: choice_label(q, i),
            key=f"class_pick_{state.position}_{state.round}",
        )
        sent = st.form_submit_button(
            "Vote" if mine is None else "Change my vote",
            type="primary",
            icon=":material/how_to_vote:",
            key=f"class_send_{state.position}_{state.round}",
        )
    if sent:
        if pick is None or not isinstance(pick, int):
            st.warning("Pick one of the choices first.")
        else:
            try:
                result = db.vote(
                    state.code, voter, state.position, state.round, pick, len(q.choices)
                )
            except StoreUnavailable as exc:
                st.warning(
                    f"{exc} Your choice is still selected: press Vote again in a moment.",
                    icon=":material/cloud_off:",
                )
                return mine
            if result.counted:
                mine = pick
            else:
                st.warning(result.reason, icon=":material/block:")
    if mine is not None:
        st.success(
            f"Your vote: **{choice_label(q, mine)}**. You can change it until your teacher "
            "reveals the answer.",
            icon=":material/how_to_vote:",
        )
    else:
        st.info(
            "Pick your prediction and press **Vote**. Nobody sees who voted what.",
            icon=":material/lightbulb:",
        )
    return mine


def _student_watch(db: store.Store, state: ClassState) -> None:
    """Redraws the page when the teacher reveals, asks again or moves on."""
    try:
        now = db.session(state.code)
    except StoreUnavailable:
        return
    if now is None or now.key != state.key:
        st.rerun()


_watch_waiting = st.fragment(run_every=STUDENT_POLL_S)(_student_watch)
_watch_thinking = st.fragment(run_every=STUDENT_THINK_POLL_S)(_student_watch)
