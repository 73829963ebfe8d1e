"""One SQLite migration runner for every MedCite database (the app store and the index catalog).

A database's schema is an ordered, append-only list of `Migration`s; each one applied is recorded in
`schema_migrations(version, name, applied_at)`.  `migrate()` applies the pending ones in order, each
in its own write transaction, and is safe when several processes open the same file at once: under
the write lock every migration re-checks whether another process recorded it first.

An up-to-date database is only read (no write lock is taken), so opening an index that another
process is building never waits on it.  Catalogs built before this runner recorded migrations as
`schema_migrations(name, applied_at)`; such a table is read by name and converted to the shared shape
the first time a migration has to be applied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from medcite.errors import MedCiteError

T = TypeVar("T")

TABLE = "schema_migrations"
_CREATE_TABLE = (
    f"CREATE TABLE {TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Migration:
    """One schema step; released migrations are never edited (add a new one instead)."""

    version: int
    name: str
    statements: tuple[str, ...]


class MigrationTarget(Protocol):
    """A database the runner can read and write: `read()` yields a connection, `write(fn)` runs `fn`
    in one write transaction (BEGIN IMMEDIATE ... COMMIT) and returns its result."""

    def read(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T: ...


class ConnectionTarget:
    """A `MigrationTarget` over one open autocommit connection (`isolation_level=None`), for callers
    that keep their own connection (the catalog); the connection's busy timeout waits for the lock."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        yield self.conn

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(self.conn)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return result


def sql_statements(script: str) -> tuple[str, ...]:
    """A `;`-separated DDL script as single statements (no `;` inside string literals or triggers)."""
    return tuple(s.strip() for s in script.split(";") if s.strip())


def check_ordered(migrations: Sequence[Migration]) -> None:
    """Versions must run 1, 2, 3 ... and names be unique: a gap or duplicate is a programming error."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)) or len({m.name for m in migrations}) != len(versions):
        raise ValueError(f"migrations must be numbered 1..n with unique names, got {versions}")


def applied_versions(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> list[int]:
    """Versions recorded in `conn`, ascending; a legacy name-only table is mapped through
    `migrations` (a name this code does not know counts as a version newer than the latest)."""
    if not _has_table(conn, TABLE):
        return []
    if _is_legacy(conn):
        by_name = {m.name: m.version for m in migrations}
        newest = max(by_name.values(), default=0)
        names = [str(r[0]) for r in conn.execute(f"SELECT name FROM {TABLE}")]
        return sorted({by_name.get(n, newest + 1) for n in names})
    return [int(r[0]) for r in conn.execute(f"SELECT version FROM {TABLE} ORDER BY version")]


def migrate(target: MigrationTarget, migrations: Sequence[Migration], *, where: str) -> list[Migration]:
    """Apply the pending `migrations` in order; returns those this call applied.

    `where` names the database in errors.  Raises `MedCiteError` when the file records a version this
    code does not know (it was written by a newer MedCite)."""
    check_ordered(migrations)
    with target.read() as conn:
        done = set(applied_versions(conn, migrations))
    _refuse_newer(done, migrations, where)
    applied: list[Migration] = []
    for m in migrations:
        if m.version in done:
            continue

        def apply(conn: sqlite3.Connection, m: Migration = m) -> bool:
            recorded = set(applied_versions(conn, migrations))
            _refuse_newer(recorded, migrations, where)
            if m.version in recorded:  # another process applied it while we waited for the lock
                return False
            _ensure_table(conn, migrations)
            for stmt in m.statements:
                conn.execute(stmt)
            conn.execute(
                f"INSERT INTO {TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                (m.version, m.name, _now()),
            )
            return True

        if target.write(apply):
            applied.append(m)
    return applied


def _refuse_newer(done: set[int], migrations: Sequence[Migration], where: str) -> None:
    latest = max((m.version for m in migrations), default=0)
    newer = [v for v in done if v > latest]
    if newer:
        raise MedCiteError(
            f"The database {where} has schema version {max(newer)}, newer than this MedCite "
            f"understands ({latest}).",
            hint="Upgrade MedCite, or point MEDCITE_HOME at another folder.",
        )


def _ensure_table(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
    """Create the shared table, or convert a legacy name-only one in place (inside the caller's
    write transaction, so a concurrent opener sees either shape whole)."""
    if not _has_table(conn, TABLE):
        conn.execute(_CREATE_TABLE)
        return
    if not _is_legacy(conn):
        return
    by_name = {m.name: m.version for m in migrations}
    rows = [(str(r[0]), r[1]) for r in conn.execute(f"SELECT name, applied_at FROM {TABLE}")]
    unknown = [name for name, _ in rows if name not in by_name]
    if unknown:  # _refuse_newer has already raised for these; never drop what we cannot map
        raise MedCiteError(f"Unknown recorded migration {unknown[0]!r}.")
    conn.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_legacy")
    conn.execute(_CREATE_TABLE)
    conn.executemany(
        f"INSERT INTO {TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
        [(by_name[name], name, applied_at or _now()) for name, applied_at in rows],
    )
    conn.execute(f"DROP TABLE {TABLE}_legacy")


def _is_legacy(conn: sqlite3.Connection) -> bool:
    columns = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({TABLE})")}
    return "version" not in columns


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
