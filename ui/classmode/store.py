"""Class sessions and their votes, stored with SQLAlchemy 2 Core (no Streamlit here).

Embedded by default: SQLite in a file (``LATENT_LAB_CLASS_DIR``, default ``<tmp>/latent-lab``), so
``streamlit run streamlit_app.py`` needs no setup. Several replicas share PostgreSQL through one
setting, ``LATENT_LAB_DATABASE_URL`` (``postgresql://user:pass@host/db``, driven by psycopg 3).

What a room of 300 needs, and where it is kept:
- one vote per student per round: the primary key (session, question, round, voter); a new vote
  from the same voter replaces the old one in the same statement (``INSERT .. ON CONFLICT DO
  UPDATE``),
  so no vote is lost or counted twice under concurrency;
- a vote counts only while its round is open: the insert selects from the session row with the
  expected question and round, not revealed, not closed, not expired, in the same statement;
- limits: a voter's changes per round (``MAX_CHANGES``), votes per voter per 10 s and class sessions
  started per minute (``RateLimit``, per server process), live sessions per database
  (``MAX_LIVE_SESSIONS``), questions per session; every value is checked before it is stored;
- nothing personal: a voter is a random token the student's browser keeps in its address; no name,
  no IP address, no user agent; sessions (and their votes) are deleted ``LATENT_LAB_CLASS_HOURS``
  (default 4) after they start;
- the teacher's secret is stored only as its SHA-256; every teacher action checks it.

Every database failure (down, locked past the timeout, a schema from a newer app) surfaces as
``StoreUnavailable`` with a sentence a page can show; the lessons never depend on this module.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

SCHEMA_VERSION = 1  # bump with a step in MIGRATIONS when a table changes
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
CODE_LEN = 6  # 31**6 ~ 8.9e8 codes: a guessed code almost never names a live session
CODE_RE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LEN}}}")
VOTER_RE = re.compile(r"[A-Za-z0-9_-]{16,43}")  # secrets.token_urlsafe(12..32)
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")
KEY_RE = re.compile(r"[a-z0-9-]{1,40}")  # a question key (ui.classmode.questions)
MAX_QUESTIONS = 40  # per class session
MAX_CHOICES = 6  # a vote's choice index is below this (and below the question's own count)
MAX_CHANGES = 20  # a voter's vote changes per round; more are refused (a stuck key, a script)
MAX_LIVE_SESSIONS = 500  # per database: a flood of starts cannot fill the disk
VOTES_PER_10S = 6  # per voter and server process
STARTS_PER_MINUTE = 30  # class sessions started per server process
BREAK_S = 5.0  # after a database failure, calls fail at once for this long (then try again)


def session_hours() -> float:
    try:
        return min(48.0, max(0.1, float(os.environ.get("LATENT_LAB_CLASS_HOURS", "4"))))
    except ValueError:
        return 4.0


def database_url() -> str:
    """``LATENT_LAB_DATABASE_URL``, with ``postgresql://`` mapped to psycopg 3; else the SQLite
    file."""
    url = os.environ.get("LATENT_LAB_DATABASE_URL", "").strip()
    if url:
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+psycopg://" + url[len(plain) :]
        return url
    folder = Path(
        os.environ.get("LATENT_LAB_CLASS_DIR") or Path(tempfile.gettempdir()) / "latent-lab"
    )
    return f"sqlite:///{folder / 'class.sqlite3'}"


metadata = sa.MetaData()
schema_table = sa.Table(
    "latent_lab_schema",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),  # the SCHEMA_VERSION that wrote the tables
)
sessions = sa.Table(
    "class_sessions",
    metadata,
    sa.Column("code", sa.String(CODE_LEN), primary_key=True),  # what students type or scan
    sa.Column("teacher_hash", sa.String(64), nullable=False),  # SHA-256 of the teacher's secret
    sa.Column("questions", sa.Text, nullable=False),  # JSON list of question keys, in order
    sa.Column("position", sa.Integer, nullable=False),  # index of the current question
    sa.Column("round", sa.Integer, nullable=False),  # 0 = first vote, 1 = after "Vote again", ...
    sa.Column("revealed", sa.Boolean, nullable=False),  # the current round's answer is shown
    sa.Column("closed", sa.Boolean, nullable=False),  # the teacher ended the session
    sa.Column("created_at", sa.Float, nullable=False),  # Unix seconds
    sa.Column("expires_at", sa.Float, nullable=False),  # deleted (with its votes) after this
)
votes = sa.Table(
    "class_votes",
    metadata,
    sa.Column(
        "code",
        sa.String(CODE_LEN),
        sa.ForeignKey("class_sessions.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("position", sa.Integer, primary_key=True),  # the question voted on
    sa.Column("round", sa.Integer, primary_key=True),
    sa.Column("voter", sa.String(43), primary_key=True),  # a random token, not a person
    sa.Column("choice", sa.Integer, nullable=False),  # index into the question's choices
    sa.Column("changes", sa.Integer, nullable=False),  # how often this voter changed it
    sa.Column("cast_at", sa.Float, nullable=False),  # Unix seconds of the last change
)

# version -> statements that bring a database from that version to the next
MIGRATIONS: dict[int, list[str]] = {}


class StoreUnavailable(RuntimeError):
    """The database could not be reached or used; ``str(exc)`` is a sentence for the page."""


@dataclass(frozen=True)
class ClassState:
    code: str  # the session's code
    questions: tuple[str, ...]  # question keys, in order
    position: int  # current question
    round: int  # current round of that question
    revealed: bool  # the round's answer is shown
    closed: bool  # ended by the teacher
    expires_at: float  # Unix seconds

    @property
    def key(self) -> tuple[int, int, bool, bool]:
        """What a view shows depends on: a change means the view must be redrawn."""
        return self.position, self.round, self.revealed, self.closed


@dataclass(frozen=True)
class VoteResult:
    counted: bool  # the vote is stored (new or replacing this voter's earlier one)
    reason: str  # "" when counted; else why not, a sentence for the student


class RateLimit:
    """A token bucket per key (``rate`` events per ``per`` seconds), bounded to ``keys`` keys."""

    def __init__(self, rate: int, per: float, keys: int = 20_000) -> None:
        self.rate, self.per, self.keys = rate, per, keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - last) * self.rate / self.per)
            ok = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if ok else tokens, now)
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
            return ok


T = TypeVar("T")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_voter() -> str:
    """A random voter token for one browser (kept in its address, so a reload keeps the vote)."""
    return secrets.token_urlsafe(12)


class Store:
    """One database of class sessions; thread-safe (one engine, a pool of connections)."""

    def __init__(
        self, url: str | None = None, read_ttl_s: float = 0.5, wait_s: float = 5.0
    ) -> None:
        self.url = url or database_url()
        self.read_ttl_s = read_ttl_s  # polls of one session within this share one query
        self._reads: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._reads_lock = threading.Lock()
        self._failed_at, self._failure = -1e9, ""
        self.vote_limit = RateLimit(VOTES_PER_10S, 10.0)
        self.start_limit = RateLimit(STARTS_PER_MINUTE, 60.0)
        u = sa.make_url(self.url)
        self.dialect = u.get_backend_name()
        if self.dialect == "sqlite":
            if u.database and u.database != ":memory:":
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(
                u,
                connect_args={"timeout": wait_s, "check_same_thread": False},
                pool_size=8,
                max_overflow=8,
                poolclass=sa.pool.QueuePool,
            )
            sa.event.listen(self.engine, "connect", functools.partial(_sqlite_pragmas, wait_s))
        else:
            self.engine = sa.create_engine(
                u,
                pool_size=5,
                max_overflow=10,
                pool_pre_ping=True,
                pool_timeout=wait_s,
                connect_args={"connect_timeout": max(1, round(wait_s))},
            )
        self._insert = pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert

    # -- plumbing -------------------------------------------------------------------------------

    def _guard(self, work: Callable[[], T]) -> T:
        # After a failure, the next BREAK_S seconds fail at once: with the database down, a class
        # of polling phones must not each wait out a connection timeout on the server's threads.
        if time.monotonic() - self._failed_at < BREAK_S:
            raise StoreUnavailable(self._failure)
        try:
            return work()
        except StoreUnavailable:
            raise
        except SQLAlchemyError as exc:
            self._failure = (
                "The class database is not answering "
                f"({type(getattr(exc, 'orig', None) or exc).__name__}); "
                "class mode is paused, and the lessons work as usual."
            )
            self._failed_at = time.monotonic()
            raise StoreUnavailable(self._failure) from exc

    def migrate(self) -> int:
        """Create the tables, or bring them to ``SCHEMA_VERSION``; returns the version found."""

        def work() -> int:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":  # two replicas starting at once: one migrates
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7405741)"))
                metadata.create_all(conn, checkfirst=True)
                found = conn.execute(sa.select(schema_table.c.version)).scalar()
                if found is None:
                    conn.execute(schema_table.insert().values(version=SCHEMA_VERSION))
                    return SCHEMA_VERSION
                if found > SCHEMA_VERSION:
                    raise StoreUnavailable(
                        f"The class database was written by a newer latent-lab (schema {found}, "
                        "this "
                        f"one knows {SCHEMA_VERSION}); class mode is off until they match."
                    )
                for v in range(found, SCHEMA_VERSION):
                    for statement in MIGRATIONS.get(v, []):
                        conn.execute(sa.text(statement))
                conn.execute(schema_table.update().values(version=SCHEMA_VERSION))
                return found

        return self._guard(work)

    def _cached(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._reads_lock:
            hit = self._reads.get(key)
        if hit is not None and now - hit[0] < self.read_ttl_s:
            return hit[1]
        value = read()
        with self._reads_lock:
            if len(self._reads) > 5_000:
                self._reads = {k: v for k, v in self._reads.items() if now - v[0] < self.read_ttl_s}
            self._reads[key] = (now, value)
        return value

    def _forget(self, code: str) -> None:
        with self._reads_lock:
            self._reads = {k: v for k, v in self._reads.items() if k[1] != code}

    # -- sessions -------------------------------------------------------------------------------

    def purge(self, now: float | None = None) -> int:
        """Delete expired sessions and their votes; returns how many sessions went."""
        now = time.time() if now is None else now

        def work() -> int:
            with self.engine.begin() as conn:
                old = sa.select(sessions.c.code).where(sessions.c.expires_at <= now)
                conn.execute(votes.delete().where(votes.c.code.in_(old)))
                return conn.execute(sessions.delete().where(sessions.c.expires_at <= now)).rowcount

        return self._guard(work)

    def create(self, question_keys: list[str], now: float | None = None) -> tuple[str, str]:
        """Start a class session over ``question_keys``; returns (code, teacher secret)."""
        keys = [k for k in question_keys if isinstance(k, str) and KEY_RE.fullmatch(k)]
        if not keys or len(keys) != len(question_keys) or len(keys) > MAX_QUESTIONS:
            raise ValueError(f"a class session takes 1 to {MAX_QUESTIONS} known questions")
        if not self.start_limit.allow("start"):
            raise StoreUnavailable(
                "Too many class sessions were started in the last minute on this "
                "server; try again in a minute."
            )
        now = time.time() if now is None else now
        self.purge(now)
        secret = secrets.token_urlsafe(24)

        def work() -> str:
            with self.engine.begin() as conn:
                live = conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()
                if live >= MAX_LIVE_SESSIONS:
                    raise StoreUnavailable(
                        f"{live} class sessions are running on this server, its "
                        "limit; try again when one has ended."
                    )
            for _ in range(10):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))
                try:
                    with self.engine.begin() as conn:
                        conn.execute(
                            sessions.insert().values(
                                code=code,
                                teacher_hash=_hash(secret),
                                questions=json.dumps(keys),
                                position=0,
                                round=0,
                                revealed=False,
                                closed=False,
                                created_at=now,
                                expires_at=now + session_hours() * 3600,
                            )
                        )
                    return code
                except IntegrityError:  # the code is taken: draw another
                    continue
            raise StoreUnavailable("Could not find a free class code; try again.")

        return self._guard(work), secret

    def session(self, code: str, fresh: bool = False) -> ClassState | None:
        """The live session ``code`` (None: unknown, malformed or expired); polls share a read."""
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            return None

        def read() -> ClassState | None:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(sessions).where(sessions.c.code == code)).first()
            if row is None or row.expires_at <= time.time():
                return None
            return ClassState(
                code,
                tuple(json.loads(row.questions)),
                row.position,
                row.round,
                bool(row.revealed),
                bool(row.closed),
                row.expires_at,
            )

        if fresh:
            return self._guard(read)
        return self._guard(lambda: self._cached(("session", code), read))

    def is_teacher(self, code: str, secret: str) -> bool:
        """Whether ``secret`` is the teacher's secret of session ``code``."""
        if not (
            isinstance(secret, str) and SECRET_RE.fullmatch(secret) and CODE_RE.fullmatch(code)
        ):
            return False

        def read() -> bool:
            with self.engine.connect() as conn:
                stored = conn.execute(
                    sa.select(sessions.c.teacher_hash).where(sessions.c.code == code)
                ).scalar()
            return stored is not None and hmac.compare_digest(stored, _hash(secret))

        return self._guard(read)

    def act(self, code: str, secret: str, action: str, position: int, round_: int) -> bool:
        """A teacher's move on the round the teacher sees (``position``, ``round_``): "reveal",
        "again" (a new round of the same question), "next" (the next question) or "close". A
        double click or a second teacher tab acting on a round that has moved on changes nothing.
        Returns whether the session changed."""
        if action not in ("reveal", "again", "next", "close") or not self.is_teacher(code, secret):
            return False
        state = self.session(code, fresh=True)
        if state is None:
            return False
        at = sa.and_(
            sessions.c.code == code,
            sessions.c.position == position,
            sessions.c.round == round_,
            sessions.c.closed.is_(False),
        )
        values: dict[str, Any] = {
            "reveal": {"revealed": True},
            "again": {"round": round_ + 1, "revealed": False},
            "next": {"position": position + 1, "round": 0, "revealed": False},
            "close": {"closed": True},
        }[action]
        if action == "next" and position + 1 >= len(state.questions):
            return False
        if action == "reveal":
            at = sa.and_(at, sessions.c.revealed.is_(False))

        def work() -> bool:
            with self.engine.begin() as conn:
                return conn.execute(sessions.update().where(at).values(**values)).rowcount == 1

        changed = self._guard(work)
        self._forget(code)
        return changed

    # -- votes ----------------------------------------------------------------------------------

    def vote(
        self, code: str, voter: str, position: int, round_: int, choice: int, n_choices: int
    ) -> VoteResult:
        """Store ``voter``'s choice for the open round, replacing their earlier one (atomically)."""
        if not (isinstance(voter, str) and VOTER_RE.fullmatch(voter)):
            return VoteResult(False, "This page's voter token is not valid; reload the class link.")
        if not (isinstance(choice, int) and 0 <= choice < min(n_choices, MAX_CHOICES)):
            return VoteResult(False, "That is not one of the choices.")
        if (
            not CODE_RE.fullmatch(code)
            or not isinstance(position, int)
            or not isinstance(round_, int)
        ):
            return VoteResult(False, "This class code is not valid.")
        if not self.vote_limit.allow(f"{code}/{voter}"):
            return VoteResult(
                False, "Too many votes in a few seconds; wait a moment and vote again."
            )
        now = time.time()
        open_round = sa.select(
            sa.literal(code, sa.String),
            sa.literal(position, sa.Integer),
            sa.literal(round_, sa.Integer),
            sa.literal(voter, sa.String),
            sa.literal(choice, sa.Integer),
            sa.literal(0, sa.Integer),
            sa.literal(now, sa.Float),
        ).where(
            sessions.c.code == code,
            sessions.c.position == position,
            sessions.c.round == round_,
            sessions.c.revealed.is_(False),
            sessions.c.closed.is_(False),
            sessions.c.expires_at > now,
        )
        ins = self._insert(votes).from_select(
            ["code", "position", "round", "voter", "choice", "changes", "cast_at"], open_round
        )
        ins = ins.on_conflict_do_update(
            index_elements=[votes.c.code, votes.c.position, votes.c.round, votes.c.voter],
            set_={
                "choice": ins.excluded.choice,
                "changes": votes.c.changes + 1,
                "cast_at": ins.excluded.cast_at,
            },
            where=votes.c.changes < MAX_CHANGES,
        ).returning(votes.c.choice)

        def work() -> (
            int
        ):  # rows written (RETURNING: psycopg reports no rowcount for INSERT .. SELECT)
            with self.engine.begin() as conn:
                return len(conn.execute(ins).all())

        if self._guard(work) == 1:
            return VoteResult(True, "")
        state = self.session(code, fresh=True)
        if state is None:
            return VoteResult(False, "This class session has ended.")
        if state.closed:
            return VoteResult(False, "The teacher closed this class session.")
        if (state.position, state.round) != (position, round_) or state.revealed:
            return VoteResult(
                False, "Voting on this round is over; the page now shows where the class is."
            )
        return VoteResult(
            False, f"You changed your vote {MAX_CHANGES} times this round; the last one stands."
        )

    def my_vote(self, code: str, voter: str, position: int, round_: int) -> int | None:
        """``voter``'s stored choice in this round, or None."""
        if not (CODE_RE.fullmatch(code) and isinstance(voter, str) and VOTER_RE.fullmatch(voter)):
            return None

        def read() -> int | None:
            with self.engine.connect() as conn:
                return conn.execute(
                    sa.select(votes.c.choice).where(
                        votes.c.code == code,
                        votes.c.position == position,
                        votes.c.round == round_,
                        votes.c.voter == voter,
                    )
                ).scalar()

        return self._guard(read)

    def tally(
        self, code: str, position: int, round_: int, n_choices: int, fresh: bool = False
    ) -> list[int]:
        """Votes per choice in this round (polls within ``read_ttl_s`` share one query)."""

        def read() -> list[int]:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(votes.c.choice, sa.func.count())
                    .where(
                        votes.c.code == code, votes.c.position == position, votes.c.round == round_
                    )
                    .group_by(votes.c.choice)
                ).all()
            counts = [0] * n_choices
            for choice, n in rows:
                if 0 <= choice < n_choices:
                    counts[choice] = n
            return counts

        if fresh:
            return self._guard(read)
        return self._guard(lambda: self._cached(("tally", code, position, round_, n_choices), read))


def _sqlite_pragmas(wait_s: float, dbapi_conn: Any, _record: Any) -> None:
    """WAL: readers never wait for the writer; a writer waits up to ``wait_s`` for another."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def default() -> Store:
    """The server's store for the configured database, migrated once (shared by every session)."""
    url = database_url()
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            store = Store(url)
            store.migrate()  # raises StoreUnavailable: tried again at the next run
            store.purge()  # what expired while no server ran (each start of a session purges too)
            _stores[url] = store
        return store
