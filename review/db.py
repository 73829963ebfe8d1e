"""SQLite plumbing for the app database: connections, write transactions with retry, its schema.

Every operation opens its own connection and transaction, so threads and processes can share one
database file: WAL lets readers run beside the single writer, `busy_timeout` makes a writer wait for
the lock, and `write()` retries the rare SQLITE_BUSY that still escapes (e.g. while another process
checkpoints or recovers the WAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from tenacity import RetryError, Retrying, retry_if_exception, stop_after_delay, wait_random_exponential

from medcite import migrations as runner
from medcite.errors import MedCiteError
from medcite.migrations import Migration

T = TypeVar("T")

# SQLite primary result codes (https://www.sqlite.org/rescode.html).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


# The app database's schema, applied by the shared runner (`medcite.migrations`).
# Ordered and append-only: never edit a released migration, add a new one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "answers, review events, feedback",
        (
            """CREATE TABLE answers (
                id TEXT PRIMARY KEY,
                question TEXT NOT NULL,
                norm_question TEXT,
                audience TEXT NOT NULL,
                answer_json TEXT NOT NULL,
                corpus_hash TEXT NOT NULL DEFAULT '',
                settings_hash TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE review_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                answer_id TEXT NOT NULL REFERENCES answers(id),
                from_status TEXT,
                to_status TEXT NOT NULL,
                reviewer TEXT,
                comment TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX review_events_answer ON review_events(answer_id, id)",
            """CREATE TABLE feedback (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                answer_id TEXT NOT NULL REFERENCES answers(id),
                rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
                comment TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            # The audit trail is append-only: the database itself refuses edits and deletions.
            """CREATE TRIGGER review_events_no_update BEFORE UPDATE ON review_events
               BEGIN SELECT RAISE(ABORT, 'review history is append-only'); END""",
            """CREATE TRIGGER review_events_no_delete BEFORE DELETE ON review_events
               BEGIN SELECT RAISE(ABORT, 'review history is append-only'); END""",
        ),
    ),
    Migration(
        2,
        "current status cached beside the events",
        (
            "ALTER TABLE answers ADD COLUMN status TEXT NOT NULL DEFAULT 'Submitted'",
            "ALTER TABLE answers ADD COLUMN updated_at TEXT",
            # Backfill from the audit trail so a v1 database keeps every decision it recorded.
            """UPDATE answers SET
                 status = COALESCE((SELECT e.to_status FROM review_events e WHERE e.answer_id = answers.id
                                    ORDER BY e.id DESC LIMIT 1), 'Submitted'),
                 updated_at = COALESCE((SELECT e.created_at FROM review_events e
                                        WHERE e.answer_id = answers.id ORDER BY e.id DESC LIMIT 1),
                                       created_at)""",
            "CREATE INDEX answers_lookup ON answers(norm_question, audience, status)",
            "CREATE INDEX answers_status ON answers(status, created_at)",
            "CREATE INDEX feedback_answer ON feedback(answer_id)",
        ),
    ),
    Migration(
        3,
        "conversations and turns",
        (
            """CREATE TABLE conversations (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE turns (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
                content TEXT NOT NULL,
                answer_id TEXT,
                created_at TEXT NOT NULL,
                UNIQUE (conversation_id, ordinal)
            )""",
        ),
    ),
    Migration(
        4,
        "reviewers and sessions",
        (
            """CREATE TABLE reviewers (
                name TEXT PRIMARY KEY COLLATE NOCASE,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE reviewer_sessions (
                token_hash TEXT PRIMARY KEY,
                reviewer TEXT NOT NULL REFERENCES reviewers(name) ON DELETE CASCADE,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )""",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """Fixed-width UTC ISO timestamps so string comparison orders them correctly."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _is_busy(err: sqlite3.OperationalError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)
    text = str(err).lower()
    return "locked" in text or "busy" in text


class Database:
    """One SQLite file; `read()` and `write()` each use a fresh connection."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 10_000, retry_seconds: float = 60.0) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.retry_seconds = retry_seconds

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves so each write is one transaction.
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise MedCiteError(
                f"Cannot open the MedCite database at {self.path} ({exc}).",
                hint="Check that MEDCITE_HOME points to a writable folder.",
            ) from exc
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` inside BEGIN IMMEDIATE ... COMMIT, retrying the whole transaction on SQLITE_BUSY.

        `fn` must be safe to re-run (it is only re-run when nothing of it was committed)."""

        def attempt() -> T:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                result = fn(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.close()

        return self._retry_busy(attempt)

    def _retry_busy(self, attempt: Callable[[], T]) -> T:
        """`attempt()`, run again while SQLite reports the file busy or locked (up to `retry_seconds`)."""
        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, sqlite3.OperationalError) and _is_busy(e)),
            stop=stop_after_delay(self.retry_seconds),
            # Jittered exponential backoff (10 ms doubling, at most 0.5 s) so competing writers do not
            # retry in lock-step.
            wait=wait_random_exponential(multiplier=0.01, max=0.5),
        )
        try:
            return retrying(attempt)
        except RetryError as exc:
            raise MedCiteError(
                "The MedCite database stayed busy for too long.",
                hint="Another process may be holding it; try again in a moment.",
            ) from exc.last_attempt.exception()

    # --- migrations --------------------------------------------------------------------------

    def applied_versions(self) -> list[int]:
        with self.read() as conn:
            return runner.applied_versions(conn, MIGRATIONS)

    def migrate(self, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
        """Switch the file to WAL and apply pending migrations (`medcite.migrations.migrate`: each in
        its own transaction, safe when several processes start at once); returns versions applied."""

        def to_wal() -> str:
            with self.read() as conn:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])

        # WAL is a property of the file: set once, every later connection uses it. Switching needs the
        # file to itself, and SQLite answers "database is locked" at once (no busy wait) while another
        # opener holds it, so the switch is retried like a write (CI saw it with 8 threads racing).
        mode = self._retry_busy(to_wal)
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a filesystem without shared memory
            raise MedCiteError(f"Could not switch {self.path} to WAL mode (got {mode}).")
        return [m.version for m in runner.migrate(self, migrations, where=str(self.path))]


class Repository:
    """What each table's repository shares (set by `review.store.Store`): the database, the clock and
    the privacy switch.  Every method is its own transaction."""

    db: Database
    store_questions: bool
    _now: Callable[[], datetime]

    def _ts(self) -> str:
        return iso(self._now())
