"""Ingest wired to the corpus readers, on the fixture corpus (tests/fixtures/corpus_small)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ingest_factory import CountingEmbedder

from corpus.manifest import read_corpus
from index.catalog import Catalog
from index.vector_store import VectorStore
from ingest.pipeline import run_ingest
from medcite.settings import Settings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "corpus_small"
PATIENT_FILE = "patient/medquad.jsonl.gz"

pytestmark = pytest.mark.skipif(not (FIXTURE / "MANIFEST.json").exists(), reason="fixture corpus absent")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(FIXTURE, dst)
    return dst


def _counts(settings: Settings) -> tuple[int, int, int]:
    cat = Catalog(settings.catalog_path)
    try:
        return cat.count_documents(), cat.count_chunks(), VectorStore(settings, CountingEmbedder()).count()
    finally:
        cat.close()


def _docs_in(corpus: Path, file: str) -> set[str]:
    read = read_corpus(corpus)
    ids = set()
    for doc in read.documents:
        if next(reversed(read.report.files)) == file:
            ids.add(doc.doc_id)
    return ids


def test_fixture_corpus_ingest_is_idempotent(settings: Settings, corpus_copy: Path) -> None:
    emb = CountingEmbedder()
    first = run_ingest(settings, emb, corpus=corpus_copy, progress=False)
    read = read_corpus(corpus_copy)
    n_docs = len({d.doc_id for d in read.documents})
    assert first.added == first.documents_total == n_docs > 0
    # skipped records reported (ingest reads tier by tier, so in another order than the manifest's)
    assert sorted(str(i) for i in first.issues) == sorted(str(i) for i in read.report.issues)
    assert first.corpus_hash and first.chunks_embedded == emb.texts_embedded == first.chunks_total
    assert _counts(settings) == (n_docs, first.chunks_total, first.chunks_total)

    emb2 = CountingEmbedder()
    again = run_ingest(settings, emb2, corpus=corpus_copy, progress=False)
    assert (again.unchanged, again.added, emb2.texts_embedded) == (n_docs, 0, 0)


def test_unreadable_file_keeps_its_documents_until_removed_from_manifest(
    settings: Settings, corpus_copy: Path
) -> None:
    patient_ids = _docs_in(corpus_copy, PATIENT_FILE)
    assert patient_ids
    first = run_ingest(settings, CountingEmbedder(), corpus=corpus_copy, progress=False)

    (corpus_copy / PATIENT_FILE).unlink()  # still listed in MANIFEST.json: a whole-file read failure
    res = run_ingest(settings, CountingEmbedder(), corpus=corpus_copy, progress=False)
    assert res.deleted == 0 and any("unreadable" in n for n in res.notes)
    assert _counts(settings)[0] == first.documents_total

    manifest = json.loads((corpus_copy / "MANIFEST.json").read_text())
    (corpus_copy / "MANIFEST.json").write_text(json.dumps([e for e in manifest if e["path"] != PATIENT_FILE]))
    res = run_ingest(settings, CountingEmbedder(), corpus=corpus_copy, progress=False)
    assert res.deleted == len(patient_ids)
    docs, chunks, vectors = _counts(settings)
    assert docs == first.documents_total - len(patient_ids) and chunks == vectors == res.chunks_total
