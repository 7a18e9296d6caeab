"""Class mode in real browsers, on two app servers that share one PostgreSQL (as replicas behind
the load balancer would): a teacher starts a session and three students (one on a phone) go through
one question: vote, reveal, vote again, next. Both servers see every vote; the pages pass axe-core's
WCAG 2.1 A/AA rules and the phone page does not scroll sideways."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import pgserver
from tests.e2e import assert_no_new_tracebacks, start_server, stop_server, wait_idle
from tests.test_e2e_a11y import AXE_JS, DESKTOP, PHONE, settled_axe, settled_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT_MS = 15_000  # a student's page polls every 4 s; a teacher's every 1 s


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not pgserver.available():
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} missing: run `npm ci` (.ci/run does)")
    pg = pgserver.start()
    folder = tmp_path_factory.mktemp("class")
    env = {"LATENT_LAB_DATABASE_URL": pg.url}
    a = start_server(folder / "a.log", env=env)
    b = start_server(folder / "b.log", env=env)
    yield a, b
    for s in (a, b):
        stop_server(s)
    pg.remove()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.e2e import BROWSER_ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


def _vote(page, letter: str) -> None:
    page.locator('[data-testid="stRadio"] label').filter(
        has_text=re.compile(rf"^{letter}\. ")
    ).click()
    page.get_by_role("button", name=re.compile("Vote|Change my vote")).click()
    page.get_by_text("Your vote:").wait_for(timeout=WAIT_MS)


def _vote_by_keyboard(page) -> None:
    """Space picks the focused choice, Tab leaves the radio group for the Vote button, Enter
    votes."""
    page.locator('[data-testid="stRadio"] input').first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.innerText")
    assert "Vote" in focused, focused
    page.keyboard.press("Enter")
    page.get_by_text("Your vote:").wait_for(timeout=WAIT_MS)


def _wait_votes(page, n: int) -> None:
    page.wait_for_function(
        """(n) => { const m = document.querySelector('[data-testid="stMetricValue"]');
                    return m && parseInt(m.innerText) === n; }""",
        arg=n,
        timeout=WAIT_MS,
    )


def _shot(page, name: str) -> None:
    """With ``LATENT_LAB_SCREENSHOTS`` (scripts/screenshots.py), the README's class-mode
    pictures."""
    if os.environ.get("LATENT_LAB_SCREENSHOTS"):
        out = Path(os.environ["LATENT_LAB_SCREENSHOTS"]) / "class"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"{name}.png"), full_page=name.startswith("student"))


def _no_axe(page, where: str) -> None:
    found = settled_axe(page)
    assert not found, f"axe-core violations on {where}: {found}"


def test_a_teacher_and_three_students_through_one_question(servers, browser):
    a, b = servers
    teacher_ctx = browser.new_context(**DESKTOP)
    teacher = teacher_ctx.new_page()
    teacher.goto(f"{a.base}/Class_mode?present=1", timeout=90_000)
    wait_idle(teacher)
    _no_axe(teacher, "the start page (presenter mode)")
    teacher.get_by_role("button", name="Start a class session").click()
    teacher.wait_for_url(re.compile(r"teacher="), timeout=90_000)
    wait_idle(teacher)
    query = parse_qs(urlsplit(teacher.url).query)
    code, secret = query["class"][0], query["teacher"][0]
    assert query.get("present") == ["1"]  # the teacher stays in presenter mode
    body = teacher.locator('[data-testid="stMain"]').inner_text()
    assert code in body and secret not in body  # the page never shows the teacher's key
    qr = teacher.get_by_role("img", name=re.compile("QR code"))
    assert f"class={code}" in qr.get_attribute("alt") and "teacher" not in qr.get_attribute("alt")
    _no_axe(teacher, "the teacher's view")

    # a second tab of the teacher, on the other replica
    teacher_b = teacher_ctx.new_page()
    teacher_b.goto(f"{b.base}/Class_mode?class={code}&teacher={secret}", timeout=90_000)
    wait_idle(teacher_b)

    students = []
    for server, options in ((a, DESKTOP), (b, PHONE), (b, {**DESKTOP, "color_scheme": "dark"})):
        page = browser.new_context(**options).new_page()
        page.goto(f"{server.base}/Class_mode?class={code}", timeout=90_000)
        wait_idle(page)
        assert "voter=" in page.url  # this browser's vote token, kept through a reload
        students.append(page)
    phone = students[1]
    _no_axe(phone, "a student's phone view")
    assert settled_overflow(phone) == []

    _vote(students[0], "A")
    _vote(students[1], "B")
    _vote_by_keyboard(students[2])  # "A", by keyboard alone
    _no_axe(students[2], "a student's view after voting (dark)")
    _wait_votes(teacher, 3)
    _wait_votes(teacher_b, 3)  # both replicas see every vote
    _shot(teacher, "teacher")
    _shot(phone, "student-voted")
    _vote(students[1], "C" if students[1].get_by_text(re.compile(r"^C\. ")).count() else "A")
    students[1].reload()  # a reload keeps the vote: one browser, one vote
    wait_idle(students[1])
    students[1].get_by_text("Your vote:").wait_for(timeout=WAIT_MS)
    _wait_votes(teacher, 3)

    teacher.get_by_role("button", name="Reveal").click()
    for page in students:
        page.get_by_text(re.compile(r"^Answer: ")).wait_for(timeout=WAIT_MS)
        assert page.get_by_text("You predicted").count() == 1
        link = page.get_by_role("link", name=re.compile("See it in the lesson"))
        link.first.wait_for(timeout=WAIT_MS)  # the reveal's chart and link follow the answer
        assert link.count() == 1
    _no_axe(phone, "a student's phone view of the reveal")
    _shot(phone, "student-reveal")
    assert settled_overflow(phone) == []
    _no_axe(teacher, "the teacher's reveal")

    teacher.get_by_role("button", name="Vote again").click()
    for page in students:
        page.get_by_text(re.compile(r"vote 2")).first.wait_for(timeout=WAIT_MS)
        assert page.get_by_text("Your vote:").count() == 0  # a new round starts blank
    _vote(students[0], "B")
    _vote(students[2], "B")
    _wait_votes(teacher_b, 2)

    teacher.get_by_role("button", name="Next question").click()
    for page in students:
        page.get_by_text(re.compile(r"question 2 of")).first.wait_for(timeout=WAIT_MS)

    # a student who edits the address to add a forged teacher key sees the student view
    students[0].goto(f"{a.base}/Class_mode?class={code}&teacher={'x' * 32}", timeout=90_000)
    wait_idle(students[0])
    assert students[0].get_by_role("button", name="Reveal").count() == 0
    assert students[0].get_by_text("does not match").count() == 1
    for s in (a, b):
        assert_no_new_tracebacks(s)


def test_a_wrong_code_and_a_database_that_is_down(servers, browser, tmp_path):
    a, _ = servers
    page = browser.new_context(**PHONE).new_page()

    def shows(url: str, words: str) -> int:
        page.goto(url, timeout=90_000)
        wait_idle(page)
        return page.get_by_text(words).count()

    assert shows(f"{a.base}/Class_mode?class=ZZZZZZ", "names no running class") == 1
    assert shows(f"{a.base}/Class_mode?class=%3Cb%3E", "is not a class code") == 1
    # an app whose database is unreachable: class mode says so; the lessons work
    down = start_server(
        tmp_path / "down.log",
        env={"LATENT_LAB_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none"},
    )
    try:
        assert shows(f"{down.base}/Class_mode", "not answering") == 1
        assert shows(f"{down.base}/KL_weighting", "KL weighting") >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert_no_new_tracebacks(down)
    finally:
        stop_server(down)
    assert_no_new_tracebacks(a)
