"""Database.write retries a busy transaction (tenacity), and only a busy one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medcite.errors import MedCiteError
from review.db import Database


def _db(tmp_path: Path, retry_seconds: float = 5.0) -> Database:
    db = Database(tmp_path / "app.db", retry_seconds=retry_seconds)
    db.migrate()
    with db.read() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    return db


def test_busy_transaction_is_rerun_until_it_commits(tmp_path: Path) -> None:
    db = _db(tmp_path)
    calls: list[int] = []

    def fn(conn: sqlite3.Connection) -> str:
        calls.append(1)
        conn.execute("INSERT INTO t VALUES (?)", (len(calls),))
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return "done"

    assert db.write(fn) == "done"
    assert len(calls) == 3
    with db.read() as conn:  # the failed attempts were rolled back: only the third row is stored
        assert [r[0] for r in conn.execute("SELECT x FROM t")] == [3]


def test_other_errors_are_not_retried(tmp_path: Path) -> None:
    db = _db(tmp_path)
    calls: list[int] = []

    def fn(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        db.write(fn)
    assert len(calls) == 1


def test_a_database_that_stays_busy_is_a_user_error(tmp_path: Path) -> None:
    db = _db(tmp_path, retry_seconds=0.05)

    def fn(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database is busy")

    with pytest.raises(MedCiteError, match="stayed busy") as info:
        db.write(fn)
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
