"""Class mode's page (pages/16_Class_mode.py, ui.classmode.views) in AppTest, fast tier: start a
session, a student votes and changes the vote, the teacher reveals, asks again and moves on; a wrong
code, a forged teacher key, forged URL values and a database that is down each get a sentence."""

from __future__ import annotations

import pytest

from tests.pageutil import app, assert_ok, texts
from ui.classmode import questions, store, views

PAGE = "pages/16_Class_mode.py"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENT_LAB_CLASS_DIR", str(tmp_path))
    monkeypatch.delenv("LATENT_LAB_DATABASE_URL", raising=False)
    s = store.default()
    s.read_ttl_s = 0.0  # the test reads what it just wrote
    return s


def _session(db, keys=None) -> tuple[str, str]:
    return db.create(keys or [q.key for q in questions.QUESTIONS[:2]])


def test_start_a_session(db):
    at = app(PAGE)
    assert [s.value for s in at.subheader] == ["Join your class", "Teach: start a class session"]
    assert at.multiselect(key="class_questions").value == [q.key for q in questions.QUESTIONS]
    at.button(key="class_start").click().run()
    assert_ok(at)
    code, secret = at.query_params["class"], at.query_params["teacher"]
    code = code[0] if isinstance(code, list) else code
    secret = secret[0] if isinstance(secret, list) else secret
    assert db.is_teacher(code, secret)
    text = texts(at)
    assert code in text and secret not in text
    assert "question 1 of 12" in text
    assert [b.label for b in at.button] == [
        "Reveal",
        "Vote again",
        "Next question",
        "Close session",
    ]


def test_join_by_typing_the_code(db):
    code, _ = _session(db)
    at = app(PAGE)
    at.text_input(key="class_code").input(code.lower())
    at.button(key="class_join_go").click().run()
    assert_ok(at)
    assert at.query_params["class"] in (code, [code])
    at = app(PAGE)
    at.text_input(key="class_code").input("O0I1L!")
    at.button(key="class_join_go").click().run()
    assert any("letters and digits" in w.value for w in at.warning)


def test_a_student_votes_changes_and_sees_the_reveal(db):
    code, secret = _session(db)
    q = questions.by_key(db.session(code).questions[0])
    at = app(PAGE, {"class": code})
    voter = at.query_params["voter"]
    voter = voter[0] if isinstance(voter, list) else voter
    assert store.VOTER_RE.fullmatch(voter)
    radio = at.radio(key="class_pick_0_0")
    assert radio.value is None  # no choice made for the student
    radio.set_value(1)
    at.button(key="class_send_0_0").click().run()
    assert_ok(at)
    assert db.tally(code, 0, 0, len(q.choices), fresh=True)[1] == 1
    assert any("Your vote" in s.value for s in at.success)
    at.radio(key="class_pick_0_0").set_value(0)
    at.button(key="class_send_0_0").click().run()
    assert db.tally(code, 0, 0, len(q.choices), fresh=True)[:2] == [1, 0]
    # a reload (a new session, the same address) keeps the vote
    again = app(PAGE, {"class": code, "voter": voter})
    assert again.radio(key="class_pick_0_0").value == 0
    assert db.act(code, secret, "reveal", 0, 0)
    again.run()
    assert_ok(again)
    right = q.answer(q.facts())
    text = texts(again)
    assert f"Answer: {views.choice_label(q, right)}" in text
    assert ("right" if right == 0 else "the models say otherwise") in text
    assert q.because(q.facts()) in text
    assert not again.radio  # no voting on a revealed round


def test_the_teacher_reveals_asks_again_moves_on_and_closes(db):
    code, secret = _session(db)
    q = questions.by_key(db.session(code).questions[0])
    for i in range(3):
        db.vote(code, store.new_voter(), 0, 0, i % 2, len(q.choices))
    at = app(PAGE, {"class": code, "teacher": secret})
    assert at.metric[0].value == "3"
    assert views.tally_words(q, [2, 1, 0][: len(q.choices)], None).startswith("3 votes")
    at.button(key="class_reveal").click().run()
    assert_ok(at)
    assert db.session(code, fresh=True).revealed
    assert "Answer:" in texts(at) and at.button(key="class_reveal").disabled
    at.button(key="class_again").click().run()
    assert db.session(code, fresh=True).key == (0, 1, False, False)
    at.button(key="class_next").click().run()
    assert db.session(code, fresh=True).key == (1, 0, False, False)
    assert at.button(key="class_next").disabled  # the last question
    at.button(key="class_close").click().run()
    assert_ok(at)
    assert db.session(code, fresh=True).closed
    student = app(PAGE, {"class": code})
    assert any("closed this class session" in i.value for i in student.info)


def test_wrong_and_forged_addresses(db):
    code, secret = _session(db)
    for raw, words in (
        ("ZZZZZZ", "names no running class"),
        ("<b>x</b>", "is not a class code"),
        ("A" * 500, "is not a class code"),
    ):
        at = app(PAGE, {"class": raw})
        assert any(words in w.value for w in at.warning), raw
        echoed = [w.value for w in at.warning if words in w.value][0]
        assert echoed.startswith("` ") and len(echoed) < 400  # inside a code span, cut short
    at = app(PAGE, {"class": code, "teacher": "x" * 32})
    assert any("does not match" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Reveal"]
    at = app(PAGE, {"class": code, "voter": "../../etc"})  # a forged voter token is replaced
    voter = at.query_params["voter"]
    assert store.VOTER_RE.fullmatch(voter[0] if isinstance(voter, list) else voter)


def test_a_forged_vote_value_is_not_stored(db):
    code, _ = _session(db)
    q = questions.by_key(db.session(code).questions[0])
    at = app(PAGE, {"class": code})
    at.button(key="class_send_0_0").click().run()  # no choice picked
    assert_ok(at)
    assert any("Pick one" in w.value for w in at.warning)
    assert sum(db.tally(code, 0, 0, len(q.choices), fresh=True)) == 0


def test_a_database_that_is_down(monkeypatch):
    monkeypatch.setenv("LATENT_LAB_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/none")
    at = app(PAGE, {"class": "ABCDEF"})
    assert_ok(at)
    assert any("not answering" in w.value for w in at.warning)
    assert any(p.label == "All lessons" for p in at.get("page_link"))


def test_a_class_page_link_in_the_sidebar_and_presenter_switch_keeps_the_session(db):
    code, secret = _session(db)
    at = app(PAGE, {"class": code, "teacher": secret})
    links = {p.label: p for p in at.sidebar.get("page_link")}
    assert "Class mode" in links
    switch = links["Presenter mode"].proto
    assert f"class={code}" in switch.query_string and f"teacher={secret}" in switch.query_string


def test_the_server_start_prepares_class_mode(db, monkeypatch):
    """ui.server.warmup runs views._warm at server start: the tables exist and every answer is
    computed
    before a teacher's first reveal."""
    from ui.server import warmup

    assert "ui.classmode.views" in warmup.MODULES and views._warm in warmup._jobs
    asked = []
    monkeypatch.setattr(views, "_facts", lambda q: asked.append(q.key))
    views._warm()
    assert asked == [q.key for q in questions.QUESTIONS]
    assert db.migrate() == store.SCHEMA_VERSION


def test_the_live_votes_stay_hidden_until_the_teacher_asks(db):
    """Before the reveal the teacher's page shows how many voted, not how: a projected bar chart
    would steer the votes still to come. A toggle shows it (on the teacher's own screen)."""
    code, secret = _session(db)
    q = questions.by_key(db.session(code).questions[0])
    for i in range(3):
        db.vote(code, store.new_voter(), 0, 0, i % 2, len(q.choices))
    at = app(PAGE, {"class": code, "teacher": secret})
    assert_ok(at)
    tally = views.tally_words(q, db.tally(code, 0, 0, len(q.choices)), None)  # the chart's words
    assert at.metric[0].value == "3" and "stay hidden until you reveal" in texts(at)
    assert tally not in texts(at)
    at.toggle(key="class_show_live").set_value(True).run()
    assert tally in texts(at) and "stay hidden until you reveal" not in texts(at)


@pytest.mark.parametrize(
    "link, local",
    [
        ("http://localhost:8501/Class_mode?class=AB12", True),
        ("http://127.0.0.1:8501/Class_mode?class=AB12", True),
        ("http://[::1]:8501/Class_mode?class=AB12", True),
        ("http://192.168.1.20:8501/Class_mode?class=AB12", False),
        ("https://latent-lab.example.org/Class_mode?class=AB12", False),
        ("?class=AB12", False),  # no address known (no browser): nothing to warn about
    ],
)
def test_a_join_link_that_opens_on_this_computer_only_is_flagged(link, local):
    assert views.only_this_computer(link) == local
