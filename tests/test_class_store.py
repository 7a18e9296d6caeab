"""Class mode's storage (ui.classmode.store) against both databases it supports: SQLite in a file
(always) and PostgreSQL, started by the test from Debian's packages (tests/pgserver.py).

One vote per voter and round, atomic under concurrency; votes only in the open round; teacher
actions
only with the secret; limits; expiry; nothing personal stored; a database that is down or locked
gives
a sentence, not a traceback."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from tests import pgserver
from ui.classmode import store as S


@pytest.fixture(scope="module")
def postgres():
    if not pgserver.available():
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)")
    server = pgserver.start()
    yield server
    server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        store = S.Store(f"sqlite:///{tmp_path / 'class.sqlite3'}", wait_s=1.0)
    else:
        server = request.getfixturevalue("postgres")
        store = S.Store(server.url.replace("postgresql://", "postgresql+psycopg://"), wait_s=2.0)
        with store.engine.begin() as conn:  # every test starts from empty tables
            S.metadata.drop_all(conn)
    store.migrate()
    store.vote_limit = S.RateLimit(
        1000, 1.0
    )  # the tests vote fast; test_rate_limit checks the real one
    yield store
    store.engine.dispose()


def test_url_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("LATENT_LAB_DATABASE_URL", "postgresql://u:p@db:5432/x")
    assert S.database_url() == "postgresql+psycopg://u:p@db:5432/x"
    monkeypatch.delenv("LATENT_LAB_DATABASE_URL")
    monkeypatch.setenv("LATENT_LAB_CLASS_DIR", str(tmp_path / "here"))
    assert S.database_url() == f"sqlite:///{tmp_path / 'here' / 'class.sqlite3'}"
    S.Store().migrate()  # the folder is created
    assert (tmp_path / "here" / "class.sqlite3").exists()


def test_schema_is_created_once_and_versioned(db):
    assert db.migrate() == S.SCHEMA_VERSION
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(S.schema_table.c.version)).scalars().all() == [
            S.SCHEMA_VERSION
        ]
    with db.engine.begin() as conn:
        conn.execute(S.schema_table.update().values(version=S.SCHEMA_VERSION + 1))
    with pytest.raises(S.StoreUnavailable, match="newer latent-lab"):
        db.migrate()


def test_nothing_personal_is_stored(db):
    """Only a random voter token identifies a vote: no name, address or browser."""
    assert set(S.votes.c.keys()) == {
        "code",
        "position",
        "round",
        "voter",
        "choice",
        "changes",
        "cast_at",
    }
    assert set(S.sessions.c.keys()) == {
        "code",
        "teacher_hash",
        "questions",
        "position",
        "round",
        "revealed",
        "closed",
        "created_at",
        "expires_at",
    }
    code, secret = db.create(["q-a"])
    with db.engine.connect() as conn:
        stored = conn.execute(sa.select(S.sessions.c.teacher_hash)).scalar_one()
    assert secret not in stored and len(stored) == 64  # only the secret's SHA-256


def test_a_session_and_its_code(db):
    code, secret = db.create(["q-a", "q-b"])
    assert S.CODE_RE.fullmatch(code) and S.SECRET_RE.fullmatch(secret)
    state = db.session(code)
    assert state == S.ClassState(code, ("q-a", "q-b"), 0, 0, False, False, state.expires_at)
    assert abs(state.expires_at - time.time() - S.session_hours() * 3600) < 60
    assert db.session("NOPE") is None and db.session(code.lower()) is None
    assert db.session("ZZZZZZ") is None
    with pytest.raises(ValueError):
        db.create([])
    with pytest.raises(ValueError):
        db.create(["<script>"])


def test_one_vote_per_voter_per_round_and_a_change_replaces_it(db):
    code, _ = db.create(["q-a"])
    a, b = S.new_voter(), S.new_voter()
    assert db.vote(code, a, 0, 0, 1, 3).counted
    assert db.vote(code, b, 0, 0, 1, 3).counted
    assert db.tally(code, 0, 0, 3, fresh=True) == [0, 2, 0]
    assert db.vote(code, a, 0, 0, 2, 3).counted  # a changes their mind
    assert db.tally(code, 0, 0, 3, fresh=True) == [0, 1, 1]
    assert db.my_vote(code, a, 0, 0) == 2 and db.my_vote(code, S.new_voter(), 0, 0) is None


def test_concurrent_votes_are_each_counted_once(db):
    """300 voters at once from 32 threads, each voting then changing their vote: every voter is
    counted exactly once, with their last choice."""
    code, _ = db.create(["q-a"])
    voters = [S.new_voter() for _ in range(300)]
    final = {v: i % 4 for i, v in enumerate(voters)}

    def cast(v: str) -> bool:
        first = db.vote(code, v, 0, 0, (final[v] + 1) % 4, 4).counted
        return first and db.vote(code, v, 0, 0, final[v], 4).counted

    with ThreadPoolExecutor(32) as pool:
        assert all(pool.map(cast, voters))
    expected = [sum(1 for c in final.values() if c == k) for k in range(4)]
    assert db.tally(code, 0, 0, 4, fresh=True) == expected
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(S.votes)).scalar_one() == 300


def test_votes_count_only_in_the_open_round(db):
    code, secret = db.create(["q-a", "q-b"])
    v = S.new_voter()
    assert not db.vote(code, v, 1, 0, 0, 2).counted  # not the current question
    assert not db.vote(code, v, 0, 1, 0, 2).counted  # not the current round
    assert db.vote(code, v, 0, 0, 0, 2).counted
    assert db.act(code, secret, "reveal", 0, 0)
    late = db.vote(code, S.new_voter(), 0, 0, 1, 2)
    assert not late.counted and "over" in late.reason
    assert db.act(code, secret, "again", 0, 0)
    assert db.tally(code, 0, 1, 2, fresh=True) == [0, 0]  # a new round starts empty
    assert db.tally(code, 0, 0, 2, fresh=True) == [1, 0]  # and the first round is kept
    assert db.vote(code, v, 0, 1, 1, 2).counted
    assert db.act(code, secret, "next", 0, 1)
    assert db.session(code, fresh=True).key == (1, 0, False, False)
    assert not db.vote(code, v, 0, 1, 0, 2).counted
    assert db.act(code, secret, "close", 1, 0)
    closed = db.vote(code, v, 1, 0, 0, 2)
    assert not closed.counted and "closed" in closed.reason


def test_only_the_teacher_acts_and_a_double_click_acts_once(db):
    code, secret = db.create(["q-a", "q-b", "q-c"])
    other_code, other_secret = db.create(["q-a"])
    for forged in ("", "x" * 30, other_secret, secret[:-1] + ("A" if secret[-1] != "A" else "B")):
        assert not db.is_teacher(code, forged)
        assert not db.act(code, forged, "reveal", 0, 0)
    assert db.is_teacher(code, secret) and not db.is_teacher(other_code, secret)
    assert not db.act(code, secret, "explode", 0, 0)
    assert db.act(code, secret, "next", 0, 0)
    assert not db.act(
        code, secret, "next", 0, 0
    )  # the second click names a round that has moved on
    assert db.session(code, fresh=True).position == 1
    assert db.act(code, secret, "reveal", 1, 0) and not db.act(code, secret, "reveal", 1, 0)
    assert db.act(code, secret, "next", 1, 0)
    assert not db.act(code, secret, "next", 2, 0)  # no question after the last


@pytest.mark.parametrize(
    "voter, choice, n",
    [
        ("short", 0, 2),
        ("x" * 44, 0, 2),
        ("bad token with spaces!!", 0, 2),
        (None, 0, 2),
        ("a" * 16, -1, 2),
        ("a" * 16, 2, 2),
        ("a" * 16, "1", 2),
        ("a" * 16, 1.0, 2),
        ("a" * 16, 7, 9),
    ],
)
def test_forged_votes_are_refused(db, voter, choice, n):
    code, _ = db.create(["q-a"])
    result = db.vote(code, voter, 0, 0, choice, n)
    assert not result.counted and result.reason
    assert sum(db.tally(code, 0, 0, max(n, 9), fresh=True)) == 0


def test_changes_per_round_are_limited(db):
    code, _ = db.create(["q-a"])
    v = S.new_voter()
    for i in range(S.MAX_CHANGES + 1):
        assert db.vote(code, v, 0, 0, i % 2, 2).counted
    refused = db.vote(code, v, 0, 0, 1, 2)
    assert not refused.counted and "stands" in refused.reason
    assert db.tally(code, 0, 0, 2, fresh=True) == [
        1,
        0,
    ]  # the last counted change (MAX_CHANGES is even)


def test_rate_limit():
    limit = S.RateLimit(S.VOTES_PER_10S, 10.0)
    assert all(limit.allow("v", now=100.0) for _ in range(S.VOTES_PER_10S))
    assert not limit.allow("v", now=100.5) and limit.allow("w", now=100.5)
    assert limit.allow(
        "v", now=100.0 + 10.0 / S.VOTES_PER_10S + 0.01
    )  # a token back after 10/rate s
    small = S.RateLimit(1, 1.0, keys=3)
    for k in "abcd":
        small.allow(k, now=0.0)
    assert len(small._buckets) == 3  # bounded memory


def test_a_voter_floods_and_is_told_to_wait(db):
    db.vote_limit = S.RateLimit(S.VOTES_PER_10S, 10.0)
    code, _ = db.create(["q-a"])
    v = S.new_voter()
    results = [db.vote(code, v, 0, 0, i % 2, 2) for i in range(S.VOTES_PER_10S + 3)]
    assert all(r.counted for r in results[: S.VOTES_PER_10S])
    assert not results[-1].counted and "wait" in results[-1].reason


def test_sessions_expire_and_are_deleted_with_their_votes(db):
    code, _ = db.create(["q-a"], now=time.time() - S.session_hours() * 3600 - 1)
    assert db.session(code, fresh=True) is None  # expired: gone for students at once
    db.vote(code, S.new_voter(), 0, 0, 0, 2)
    young, _ = db.create(["q-a"])  # a start purges what has expired
    db.vote(young, S.new_voter(), 0, 0, 0, 2)
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(S.sessions.c.code)).scalars().all() == [young]
    assert db.purge(now=time.time() + 49 * 3600) == 1
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(S.votes)).scalar_one() == 0


def test_live_sessions_are_capped(db, monkeypatch):
    monkeypatch.setattr(S, "MAX_LIVE_SESSIONS", 3)
    for _ in range(3):
        db.create(["q-a"])
    with pytest.raises(S.StoreUnavailable, match="limit"):
        db.create(["q-a"])


def test_polls_share_one_read(db):
    code, secret = db.create(["q-a"])
    db.read_ttl_s = 60.0
    calls = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: calls.append(1))
    for _ in range(50):
        db.session(code)
        db.tally(code, 0, 0, 2)
    assert len(calls) == 2
    db.act(code, secret, "reveal", 0, 0)  # a teacher's action is seen at once by this server
    assert db.session(code).revealed


def test_postgres_down_then_back(postgres, monkeypatch):
    monkeypatch.setattr(S, "BREAK_S", 0.2)
    store = S.Store(postgres.url.replace("postgresql://", "postgresql+psycopg://"), wait_s=1.0)
    store.migrate()
    code, _ = store.create(["q-a"])
    postgres.stop()
    try:
        with pytest.raises(S.StoreUnavailable, match="not answering.*lessons work"):
            store.tally(code, 0, 0, 2, fresh=True)
        t0 = time.perf_counter()
        with pytest.raises(S.StoreUnavailable):  # within BREAK_S: at once, no connection attempt
            store.session(code, fresh=True)
        assert time.perf_counter() - t0 < 0.05
    finally:
        postgres.start()
    time.sleep(0.3)
    assert store.session(code, fresh=True) is not None
    store.engine.dispose()


def test_sqlite_locked_gives_a_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "BREAK_S", 0.0)
    path = tmp_path / "class.sqlite3"
    store = S.Store(f"sqlite:///{path}", wait_s=0.3)
    store.migrate()
    code, _ = store.create(["q-a"])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        result: list[object] = []
        t = threading.Thread(target=lambda: result.append(_try_vote(store, code)))
        t.start()
        t.join(10)
        assert isinstance(result[0], S.StoreUnavailable) and "not answering" in str(result[0])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.vote(code, S.new_voter(), 0, 0, 0, 2).counted


def _try_vote(store: S.Store, code: str) -> object:
    try:
        return store.vote(code, S.new_voter(), 0, 0, 0, 2)
    except S.StoreUnavailable as exc:
        return exc


def test_two_stores_share_one_postgres(postgres):
    """Two replicas' stores on one PostgreSQL: each sees the other's votes and the teacher's
    moves."""
    url = postgres.url.replace("postgresql://", "postgresql+psycopg://")
    a, b = S.Store(url, read_ttl_s=0.0), S.Store(url, read_ttl_s=0.0)
    a.migrate()
    b.migrate()
    code, secret = a.create(["q-a", "q-b"])
    voters = [S.new_voter() for _ in range(40)]
    for i, v in enumerate(voters):
        assert (a if i % 2 else b).vote(code, v, 0, 0, i % 3, 3).counted
    assert a.tally(code, 0, 0, 3) == b.tally(code, 0, 0, 3) == [14, 13, 13]
    assert b.act(code, secret, "reveal", 0, 0)
    assert a.session(code).revealed
    a.engine.dispose()
    b.engine.dispose()
