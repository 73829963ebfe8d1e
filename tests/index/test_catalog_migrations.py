"""The catalog uses the shared migration runner (`medcite.migrations`): a catalog built by the code
before it (`schema_migrations(name, applied_at)`) opens without re-applying anything."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index.catalog import MIGRATIONS, Catalog
from medcite.errors import MedCiteError
from medcite.migrations import ConnectionTarget, Migration, applied_versions, migrate


def _old_code_catalog(path: Path) -> None:
    """What `Catalog.migrate` wrote before the shared runner, with one document in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    conn.execute("BEGIN IMMEDIATE")
    for stmt in MIGRATIONS[0].statements:
        conn.execute(stmt)
    conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", ("0001_initial", "2025-01-01T00:00:00+00:00"))
    conn.execute(
        "INSERT INTO documents (doc_id, fingerprint, tier, collection, title, ingested_at)"
        " VALUES ('d1', 'f1', 'guideline', 'ngc', 'A guideline', '2025-01-01')"
    )
    conn.execute("COMMIT")
    conn.close()


def test_a_catalog_built_by_the_old_code_opens_without_reapplying(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    _old_code_catalog(path)
    cat = Catalog(path)  # runs migrate(): nothing pending, nothing written
    assert cat.applied_migrations() == ["0001_initial"]
    assert cat.migrate() == []
    assert cat.conn.execute("SELECT title FROM documents").fetchall() == [("A guideline",)]
    columns = [r[1] for r in cat.conn.execute("PRAGMA table_info(schema_migrations)")]
    assert columns == ["name", "applied_at"]  # an up-to-date catalog is only read
    cat.close()


def test_a_later_migration_converts_the_old_table(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    _old_code_catalog(path)
    later = (*MIGRATIONS, Migration(2, "0002_test", ("CREATE TABLE extra (x INTEGER)",)))
    conn = sqlite3.connect(path, isolation_level=None)
    assert [m.name for m in migrate(ConnectionTarget(conn), later, where=str(path))] == ["0002_test"]
    assert applied_versions(conn, later) == [1, 2]
    rows = conn.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").fetchall()
    assert rows[0] == (1, "0001_initial", "2025-01-01T00:00:00+00:00")  # the old record is kept
    assert migrate(ConnectionTarget(conn), later, where=str(path)) == []
    conn.close()
    with pytest.raises(MedCiteError, match="newer"):  # today's catalog code knows only version 1
        Catalog(path)


def test_a_catalog_from_a_newer_medcite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    _old_code_catalog(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES ('0099_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(MedCiteError, match="newer than this MedCite understands"):
        Catalog(path)
