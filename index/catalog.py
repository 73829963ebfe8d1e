"""SQLite catalog: the source of truth for documents, chunks, ingest runs and the index manifest.

Chroma and BM25 are derived from it: whatever the catalog holds after a committed transaction is
what the other two stores must converge to (see ingest/pipeline.py for the write order).
WAL mode lets query threads read while an ingest writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.manifest import IndexManifest
from medcite import migrations as runner
from medcite.migrations import Migration, sql_statements
from medcite.types import TIERS, Chunk, Document, Tier

# Ordered, append-only: a migration, once released, is never edited; add a new one instead.
# Applied by the shared runner (`medcite.migrations`); the names are what catalogs built before it
# recorded, so those open without re-applying anything.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "0001_initial",
        sql_statements(
            """
        CREATE TABLE documents (
            doc_id TEXT PRIMARY KEY NOT NULL,
            fingerprint TEXT NOT NULL,
            tier TEXT NOT NULL,
            collection TEXT NOT NULL,
            title TEXT NOT NULL,
            publisher TEXT NOT NULL DEFAULT '',
            year INTEGER,
            date TEXT,
            url TEXT,
            meta TEXT NOT NULL DEFAULT '{}',
            n_chunks INTEGER NOT NULL DEFAULT 0,
            source_file TEXT,  -- corpus file the document was read from (NULL for in-memory corpora)
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX documents_tier ON documents(tier);
        CREATE TABLE chunks (
            chunk_id TEXT PRIMARY KEY NOT NULL,
            doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            tier TEXT NOT NULL,
            collection TEXT NOT NULL,
            title TEXT NOT NULL,
            section TEXT NOT NULL,
            text TEXT NOT NULL,
            publisher TEXT NOT NULL DEFAULT '',
            year INTEGER,
            date TEXT,
            url TEXT,
            section_code TEXT,
            meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);
        CREATE INDEX chunks_tier ON chunks(tier);
        CREATE TABLE ingest_runs (
            run_id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0,
            chunks_embedded INTEGER NOT NULL DEFAULT 0,
            chunks_total INTEGER NOT NULL DEFAULT 0,
            documents_total INTEGER NOT NULL DEFAULT 0,
            issues INTEGER NOT NULL DEFAULT 0,
            corpus TEXT
        );
        -- one row: the parameters the index was built with (STYLE.md "index manifest")
        CREATE TABLE index_manifest (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            embedding_model TEXT NOT NULL,
            chunk_size INTEGER NOT NULL,
            chunk_overlap INTEGER NOT NULL,
            dim INTEGER NOT NULL,
            corpus_hash TEXT,
            built_at TEXT,
            catalog_generation INTEGER NOT NULL DEFAULT 0,
            bm25_generation INTEGER
        );
        """
        ),
    ),
)

_CHUNK_COLS = (
    "chunk_id, doc_id, ordinal, tier, collection, title, section, text, publisher, year, date, url, "
    "section_code, meta"
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunk_row(c: Chunk) -> tuple[Any, ...]:
    return (
        c.chunk_id,
        c.doc_id,
        c.ordinal,
        c.tier.value,
        c.collection,
        c.title,
        c.section,
        c.text,
        c.publisher,
        c.year,
        c.date,
        c.url,
        c.section_code,
        json.dumps(c.meta, ensure_ascii=False, default=str),
    )


def _row_chunk(r: sqlite3.Row | tuple[Any, ...]) -> Chunk:
    return Chunk(
        chunk_id=r[0],
        doc_id=r[1],
        ordinal=r[2],
        tier=Tier(r[3]),
        collection=r[4],
        title=r[5],
        section=r[6],
        text=r[7],
        publisher=r[8],
        year=r[9],
        date=r[10],
        url=r[11],
        section_code=r[12],
        meta=json.loads(r[13]) if r[13] else {},
    )


class Catalog:
    """The SQLite catalog.  One connection per thread (sqlite3 objects are not shareable)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self.migrate()

    # --- connections ------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across application crashes in WAL mode (only power loss may lose the
            # last transactions), which is what interrupted-ingest consistency needs.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def close(self) -> None:
        with self._conns_lock:
            for c in self._conns:
                c.close()
            self._conns.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def migrate(self) -> list[str]:
        """Apply pending migrations in order (`medcite.migrations.migrate`); returns the names applied."""
        target = runner.ConnectionTarget(self.conn)
        return [m.name for m in runner.migrate(target, MIGRATIONS, where=str(self.path))]

    def applied_migrations(self) -> list[str]:
        by_version = {m.version: m.name for m in MIGRATIONS}
        versions = runner.applied_versions(self.conn, MIGRATIONS)
        return [by_version.get(v, str(v)) for v in versions]

    # --- manifest ---------------------------------------------------------------------------

    def manifest(self) -> IndexManifest | None:
        row = self.conn.execute(
            "SELECT embedding_model, chunk_size, chunk_overlap, dim, corpus_hash, built_at, "
            "catalog_generation, bm25_generation FROM index_manifest WHERE id = 1"
        ).fetchone()
        return IndexManifest(*row) if row else None

    def init_manifest(self, params: dict[str, Any], dim: int) -> None:
        """Record the index-defining parameters (first ingest only)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO index_manifest (id, embedding_model, chunk_size, chunk_overlap, dim) "
            "VALUES (1, ?, ?, ?, ?)",
            (params["embedding_model"], params["chunk_size"], params["chunk_overlap"], dim),
        )

    def set_built(self, corpus_hash: str | None, bm25_generation: int | None) -> None:
        self.conn.execute(
            "UPDATE index_manifest SET corpus_hash = ?, built_at = ?, bm25_generation = ? WHERE id = 1",
            (corpus_hash, now_iso(), bm25_generation),
        )

    def generation(self) -> int:
        row = self.conn.execute("SELECT catalog_generation FROM index_manifest WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    # --- documents and chunks ---------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        """doc_id -> fingerprint of every catalogued document."""
        return dict(self.conn.execute("SELECT doc_id, fingerprint FROM documents"))

    def source_files(self) -> dict[str, str | None]:
        """doc_id -> corpus file it was read from."""
        return dict(self.conn.execute("SELECT doc_id, source_file FROM documents"))

    def chunk_ids_for(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {d: [] for d in doc_ids}
        for part in _batches(list(doc_ids), 500):
            q = f"SELECT doc_id, chunk_id FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})"
            for doc_id, cid in self.conn.execute(q, part):
                out[doc_id].append(cid)
        return out

    def replace_documents(
        self,
        docs: Sequence[tuple[Document, str, Sequence[Chunk]]],
        sources: Sequence[str | None] | None = None,
    ) -> None:
        """Insert or replace documents with their chunks in ONE transaction.

        `docs` holds (document, fingerprint, chunks); `sources` the corpus file of each document.
        """
        stamp = now_iso()
        srcs = list(sources) if sources is not None else [None] * len(docs)
        with self.transaction() as c:
            for (doc, fp, chunks), source in zip(docs, srcs, strict=True):
                c.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
                c.execute(
                    "INSERT OR REPLACE INTO documents (doc_id, fingerprint, tier, collection, title, "
                    "publisher, year, date, url, meta, n_chunks, source_file, ingested_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        doc.doc_id,
                        fp,
                        doc.tier.value,
                        doc.collection,
                        doc.title,
                        doc.publisher,
                        doc.year,
                        doc.date,
                        doc.url,
                        json.dumps(doc.meta, ensure_ascii=False, default=str),
                        len(chunks),
                        source,
                        stamp,
                    ),
                )
                c.executemany(
                    f"INSERT OR REPLACE INTO chunks ({_CHUNK_COLS}) VALUES ({','.join('?' * 14)})",
                    [_chunk_row(ch) for ch in chunks],
                )
            c.execute("UPDATE index_manifest SET catalog_generation = catalog_generation + 1 WHERE id = 1")

    def ungraded_research_documents(self) -> set[str]:
        """Research documents stored without the study design ingest now grades them with."""
        q = "SELECT doc_id FROM documents WHERE tier = ? AND json_extract(meta, '$.study_design') IS NULL"
        return {r[0] for r in self.conn.execute(q, (Tier.RESEARCH.value,))}

    def set_study_designs(self, designs: dict[str, str]) -> None:
        """Store each document's study design on its row and on all its chunks, in one transaction."""
        rows = list(designs.items())
        with self.transaction() as c:
            for table in ("documents", "chunks"):
                c.executemany(
                    f"UPDATE {table} SET meta = json_set(meta, '$.study_design', ?) WHERE doc_id = ?",
                    [(design, doc_id) for doc_id, design in rows],
                )

    def delete_documents(self, doc_ids: Sequence[str]) -> list[str]:
        """Delete documents and their chunks in one transaction; returns the deleted chunk ids."""
        removed: list[str] = []
        with self.transaction() as c:
            for part in _batches(list(doc_ids), 500):
                marks = ",".join("?" * len(part))
                removed += [
                    r[0] for r in c.execute(f"SELECT chunk_id FROM chunks WHERE doc_id IN ({marks})", part)
                ]
                c.execute(f"DELETE FROM chunks WHERE doc_id IN ({marks})", part)
                c.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", part)
            c.execute("UPDATE index_manifest SET catalog_generation = catalog_generation + 1 WHERE id = 1")
        return removed

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks")}

    def get_chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        for part in _batches(list(dict.fromkeys(ids)), 500):
            q = f"SELECT {_CHUNK_COLS} FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})"
            for r in self.conn.execute(q, part):
                ch = _row_chunk(r)
                out[ch.chunk_id] = ch
        return out

    def iter_chunks(self, batch: int = 2000) -> Iterator[Chunk]:
        """All chunks in a stable order (doc_id, ordinal), streamed."""
        cur = self.conn.execute(f"SELECT {_CHUNK_COLS} FROM chunks ORDER BY doc_id, ordinal")
        while rows := cur.fetchmany(batch):
            yield from (_row_chunk(r) for r in rows)

    def chunk_filter_columns(self) -> dict[str, tuple[str, str, int | None]]:
        """chunk_id -> (tier, collection, year) of every chunk: what filters need, without texts."""
        rows = self.conn.execute("SELECT chunk_id, tier, collection, year FROM chunks")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def count_documents(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def count_chunks(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def counts_by_tier(self) -> dict[str, dict[str, int]]:
        """{tier: {"documents": n, "chunks": n}} for all four tiers (zeros included)."""
        out = {t.value: {"documents": 0, "chunks": 0} for t in TIERS}
        for tier, n in self.conn.execute("SELECT tier, COUNT(*) FROM documents GROUP BY tier"):
            out.setdefault(tier, {"documents": 0, "chunks": 0})["documents"] = n
        for tier, n in self.conn.execute("SELECT tier, COUNT(*) FROM chunks GROUP BY tier"):
            out.setdefault(tier, {"documents": 0, "chunks": 0})["chunks"] = n
        return out

    def lexicon_records(self, collection: str) -> list[tuple[str, dict[str, Any]]]:
        """(title, meta) of the collection's documents whose metadata lists synonyms or MeSH terms:
        the raw material of the query-expansion lexicon (one query at engine start-up). A record whose
        meta is not JSON is skipped."""
        return self._title_meta(
            "SELECT title, meta FROM documents WHERE collection = ? "
            "AND (meta LIKE '%\"synonyms\"%' OR meta LIKE '%\"mesh_terms\"%')",
            (collection,),
        )

    def tier_records(self, tier: Tier) -> list[tuple[str, dict[str, Any]]]:
        """(title, meta) of every document of one tier (the drug labels' brand and generic names
        feed query understanding; one query at engine start-up)."""
        return self._title_meta("SELECT title, meta FROM documents WHERE tier = ?", (tier.value,))

    def _title_meta(self, sql: str, params: tuple[Any, ...]) -> list[tuple[str, dict[str, Any]]]:
        """(title, meta) rows; a record whose meta is not a JSON object is skipped."""
        records = []
        for title, meta in self.conn.execute(sql, params).fetchall():
            try:
                records.append((str(title), dict(json.loads(meta or "{}"))))
            except (ValueError, TypeError):
                continue
        return records

    # --- ingest runs ------------------------------------------------------------------------

    def start_run(self, corpus: str | None) -> int:
        cur = self.conn.execute(
            "INSERT INTO ingest_runs (started, status, corpus) VALUES (?, 'running', ?)", (now_iso(), corpus)
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        cols = (
            "added",
            "updated",
            "unchanged",
            "deleted",
            "chunks_embedded",
            "chunks_total",
            "documents_total",
            "issues",
        )
        sets = ", ".join(f"{c} = ?" for c in cols)
        self.conn.execute(
            f"UPDATE ingest_runs SET finished = ?, status = ?, {sets} WHERE run_id = ?",
            (now_iso(), status, *(int(counts.get(c, 0)) for c in cols), run_id),
        )

    def runs(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT * FROM ingest_runs ORDER BY run_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur]


def _batches(items: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]
