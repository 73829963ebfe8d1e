"""Schema migrations: from an empty file, from a version-1 database, re-runs and newer schemas."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from medcite.errors import MedCiteError
from review.auth import FAST_TEST_HASHER
from review.codec import answer_to_dict
from review.db import LATEST_VERSION, MIGRATIONS, Database
from review.store import Store

V1_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "review" / "v1_schema.sql"


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_versions_are_ordered_and_unique() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))


def test_migrate_from_empty(tmp_path: Path) -> None:
    db = Database(tmp_path / "fresh.sqlite")
    assert db.applied_versions() == []
    assert db.migrate() == list(range(1, LATEST_VERSION + 1))
    assert db.migrate() == []  # recorded: nothing re-applied
    assert db.applied_versions() == list(range(1, LATEST_VERSION + 1))
    assert {"answers", "review_events", "feedback", "conversations", "turns", "reviewers"} <= _tables(db.path)
    conn = sqlite3.connect(db.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrate_from_version_1(tmp_path: Path, make_answer) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(V1_FIXTURE.read_text())
    for aid, question, audience in [
        ("old-approved", "What is the treatment for dermatomyositis?", "clinician"),
        ("old-pending", "Is aspirin safe in pregnancy?", "patient"),
    ]:
        payload = answer_to_dict(make_answer(question, audience=audience))
        payload["answer_id"] = aid
        conn.execute("UPDATE answers SET answer_json = ? WHERE id = ?", (json.dumps(payload), aid))
    conn.commit()
    conn.close()
    assert Database(path).applied_versions() == [1]

    store = Store(path, hasher=FAST_TEST_HASHER)
    assert store.db.applied_versions() == list(range(1, LATEST_VERSION + 1))
    # the cached status was backfilled from the v1 audit trail; nothing was lost
    assert store.get_record("old-approved").status == "Approved"
    assert store.get_record("old-approved").updated_at == "2025-01-04T09:30:00.000000+00:00"
    assert store.get_record("old-pending").status == "Submitted"
    assert store.count("review_events") == 4 and store.count("feedback") == 1
    hit = store.find_approved("What is the treatment for dermatomyositis?", "clinician", "corpus-v1")
    assert hit.kind == "approved" and hit.reviewer == "Dr Old"
    assert hit.badge == "Approved by medical review — 2025-01-04, Dr Old"
    # and the new tables work
    store.add_reviewer("Dr New", "password 1234")
    store.set_status("old-pending", "Under Review", reviewer="Dr New", password="password 1234")
    assert [e.to_status for e in store.history("old-pending")] == ["Submitted", "Under Review"]
    store.append_turn("browser-session-1", "user", "hello")
    assert len(store.load_conversation("browser-session-1")) == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    Database(path).migrate()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(MedCiteError, match="newer than this MedCite understands"):
        Store(path, hasher=FAST_TEST_HASHER)


def test_unwritable_home_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(MedCiteError, match="MEDCITE_HOME"):
        Store(blocker / "sub" / "app.sqlite", hasher=FAST_TEST_HASHER)


def _old_code_app_db(path: Path) -> None:
    """An app database as `store_db.migrate` wrote it before the shared runner: all four versions
    recorded in `schema_migrations(version, name, applied_at)`, with one answer."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for m in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        for stmt in m.statements:
            conn.execute(stmt)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (m.version, m.name, "2025-01-01"))
        conn.execute("COMMIT")
    conn.execute(
        "INSERT INTO answers (id, question, audience, answer_json, created_at)"
        " VALUES ('kept', 'q', 'clinician', '{}', '2025-01-01')"
    )
    conn.close()


def test_a_database_from_the_old_code_opens_without_reapplying(tmp_path: Path) -> None:
    path = tmp_path / "old-code.sqlite"
    _old_code_app_db(path)
    db = Database(path)
    assert db.migrate() == []
    assert db.applied_versions() == list(range(1, LATEST_VERSION + 1))
    store = Store(path, hasher=FAST_TEST_HASHER)
    assert store.get_record("kept").status == "Submitted"
    conn = sqlite3.connect(path)
    assert (
        conn.execute("SELECT applied_at FROM schema_migrations WHERE version = 1").fetchone()[0]
        == "2025-01-01"
    )
    conn.close()


def test_concurrent_openers_apply_each_migration_once(tmp_path: Path) -> None:
    """Eight threads open one new database at once: every migration is applied exactly once."""
    import threading

    path = tmp_path / "raced.sqlite"
    start = threading.Barrier(8)
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            start.wait(30)
            applied.append(Database(path).migrate())
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(v for done in applied for v in done) == list(range(1, LATEST_VERSION + 1))
