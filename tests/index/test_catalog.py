"""SQLite catalog: migrations, manifest, replace/delete of documents with their chunks."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from ingest_factory import CHUNKS, make_doc

from index.catalog import MIGRATIONS, Catalog
from ingest.chunker import chunk_document


def test_migrations_applied_once_and_recorded(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    assert cat.applied_migrations() == [m.name for m in MIGRATIONS]
    assert cat.migrate() == []  # idempotent
    assert cat.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    cat.close()


def test_replace_and_delete_round_trip(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.init_manifest({"embedding_model": "fake", "chunk_size": 900, "chunk_overlap": 150}, 256)
    doc = make_doc(0)  # a guideline with meta grade B
    chunks = chunk_document(doc, CHUNKS)
    g0 = cat.generation()
    cat.replace_documents([(doc, doc.fingerprint(), chunks)])
    assert cat.generation() == g0 + 1
    assert cat.fingerprints() == {doc.doc_id: doc.fingerprint()}
    got = cat.get_chunks([c.chunk_id for c in chunks])
    assert [got[c.chunk_id] for c in chunks] == chunks  # every field survives the round trip
    assert got[chunks[0].chunk_id].meta == {"grade": "B"}
    assert list(cat.iter_chunks()) == chunks
    assert cat.counts_by_tier()["guideline"] == {"documents": 1, "chunks": len(chunks)}
    assert cat.counts_by_tier()["research"] == {"documents": 0, "chunks": 0}

    smaller = make_doc(0, version=1, paragraphs=1)
    new_chunks = chunk_document(smaller, CHUNKS)
    cat.replace_documents([(smaller, smaller.fingerprint(), new_chunks)])
    assert cat.all_chunk_ids() == {c.chunk_id for c in new_chunks}

    removed = cat.delete_documents([doc.doc_id])
    assert set(removed) == {c.chunk_id for c in new_chunks}
    assert cat.count_documents() == cat.count_chunks() == 0
    cat.close()


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.init_manifest({"embedding_model": "fake", "chunk_size": 900, "chunk_overlap": 150}, 256)
    doc = make_doc(1)
    chunks = chunk_document(doc, CHUNKS)
    bad = [*chunks, dataclasses.replace(chunks[0], chunk_id="zz", doc_id="no-such-doc")]  # foreign key
    with pytest.raises(sqlite3.IntegrityError):
        cat.replace_documents([(doc, doc.fingerprint(), bad)])
    assert cat.count_documents() == cat.count_chunks() == 0 and cat.generation() == 0
    cat.close()


def test_ingest_runs_recorded(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    run = cat.start_run("corpus")
    cat.finish_run(run, "ok", {"added": 3, "chunks_embedded": 9})
    (row,) = cat.runs()
    assert (row["status"], row["added"], row["chunks_embedded"], row["corpus"]) == ("ok", 3, 9, "corpus")
    assert row["finished"] is not None
    cat.close()


def test_lexicon_records_are_one_collections_topics_with_synonyms(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.init_manifest({"embedding_model": "fake", "chunk_size": 900, "chunk_overlap": 150}, 256)
    heart = dataclasses.replace(
        make_doc(3), doc_id="mp-1", collection="medlineplus", title="Heart Attack",
        meta={"mesh_terms": ["Myocardial Infarction"]},
    )  # fmt: skip
    plain = dataclasses.replace(make_doc(3), doc_id="mp-2", collection="medlineplus", meta={"grade": "A"})
    other = dataclasses.replace(make_doc(2), doc_id="pq-1", meta={"mesh_terms": ["Humans"]})
    cat.replace_documents([(d, d.fingerprint(), chunk_document(d, CHUNKS)) for d in (heart, plain, other)])
    assert cat.lexicon_records("medlineplus") == [("Heart Attack", {"mesh_terms": ["Myocardial Infarction"]})]
    assert cat.lexicon_records("nowhere") == []
    cat.close()
