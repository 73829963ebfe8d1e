"""Incremental ingest: idempotence, updates, deletions, interruption and resume, parameter checks."""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from ingest_factory import CHUNKS, CountingEmbedder, make_doc, make_docs

from embedding.pool import TEXTS_PER_TASK, ParallelEmbedder
from index.catalog import Catalog
from index.dense_matrix import load_dense_matrix
from index.keyword import read_sidecar
from index.vector_store import VectorStore
from ingest.chunker import ChunkParams, chunk_document
from ingest.pipeline import DOCS_PER_BATCH, run_ingest
from medcite.errors import IndexMismatchError
from medcite.settings import Settings


@pytest.fixture
def settings(backend_settings: Settings) -> Settings:
    """Every pipeline test runs against the embedded store and against `chroma run`."""
    return backend_settings


def _chunk_total(docs, settings: Settings) -> int:
    params = ChunkParams(settings.index.chunk_size, settings.index.chunk_overlap)
    return sum(len(chunk_document(d, params)) for d in docs)


def _store_ids(settings: Settings) -> tuple[set[str], set[str], set[str]]:
    """chunk ids in catalog, Chroma and BM25."""
    cat = Catalog(settings.catalog_path)
    try:
        catalog_ids = cat.all_chunk_ids()
    finally:
        cat.close()
    chroma_ids = VectorStore(settings, CountingEmbedder()).ids()
    sidecar = read_sidecar(settings.bm25_dir)
    assert sidecar is not None
    return catalog_ids, chroma_ids, set(sidecar.chunk_ids)


def _assert_consistent(settings: Settings) -> set[str]:
    catalog_ids, chroma_ids, bm25_ids = _store_ids(settings)
    assert catalog_ids == chroma_ids == bm25_ids
    # The local dense matrix is rebuilt with the BM25 index: same rows, the vectors Chroma holds.
    sidecar = read_sidecar(settings.bm25_dir)
    assert sidecar is not None
    matrix = load_dense_matrix(settings.dense_dir, len(sidecar.chunk_ids), sidecar.generation)
    assert matrix is not None
    vectors = VectorStore(settings, CountingEmbedder()).get_vectors(sidecar.chunk_ids)
    assert all(np.allclose(matrix[i], vectors[cid]) for i, cid in enumerate(sidecar.chunk_ids))
    return catalog_ids


def test_first_ingest_then_reingest_embeds_nothing(settings: Settings) -> None:
    docs = make_docs(12)
    emb = CountingEmbedder()
    first = run_ingest(settings, emb, corpus=docs, progress=False)
    total = _chunk_total(docs, settings)
    assert (first.added, first.updated, first.unchanged, first.deleted) == (12, 0, 0, 0)
    assert first.chunks_embedded == emb.texts_embedded == total == first.chunks_total
    assert first.documents_total == 12 and first.bm25_rebuilt
    assert len(_assert_consistent(settings)) == total

    emb2 = CountingEmbedder()
    again = run_ingest(settings, emb2, corpus=docs, progress=False)
    assert (again.added, again.updated, again.unchanged, again.deleted) == (0, 0, 12, 0)
    assert emb2.texts_embedded == 0 and again.chunks_embedded == 0
    assert not again.bm25_rebuilt
    assert again.chunks_total == total


def test_changed_document_replaces_its_chunks(settings: Settings) -> None:
    docs = make_docs(6)
    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False)
    before = _assert_consistent(settings)
    old_ids = {
        c.chunk_id
        for c in chunk_document(docs[2], ChunkParams(settings.index.chunk_size, settings.index.chunk_overlap))
    }
    changed = [*docs[:2], make_doc(2, version=1, paragraphs=5), *docs[3:]]
    emb = CountingEmbedder()
    res = run_ingest(settings, emb, corpus=changed, progress=False)
    new_ids = {
        c.chunk_id
        for c in chunk_document(
            changed[2], ChunkParams(settings.index.chunk_size, settings.index.chunk_overlap)
        )
    }
    assert (res.added, res.updated, res.unchanged, res.deleted) == (0, 1, 5, 0)
    assert emb.texts_embedded == len(new_ids)  # only the changed document is embedded
    after = _assert_consistent(settings)
    assert after == (before - old_ids) | new_ids
    assert not (old_ids - new_ids) & after


def test_deletion_propagates_to_all_three_stores(settings: Settings) -> None:
    docs = make_docs(8)
    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False)
    res = run_ingest(settings, CountingEmbedder(), corpus=docs[:5], progress=False)
    assert (res.deleted, res.unchanged) == (3, 5)
    ids = _assert_consistent(settings)
    assert len(ids) == _chunk_total(docs[:5], settings) == res.chunks_total
    cat = Catalog(settings.catalog_path)
    assert set(cat.fingerprints()) == {d.doc_id for d in docs[:5]}
    cat.close()


def test_interrupted_ingest_resumes_without_reembedding(settings: Settings) -> None:
    docs = make_docs(3 * DOCS_PER_BATCH + 7, start=0)
    docs = [dataclasses.replace(d, sections=d.sections[:1]) for d in docs]  # one chunk each: fast
    settings = settings.replace(index={"embed_batch_size": DOCS_PER_BATCH})  # one embed call per batch
    crashing = CountingEmbedder(fail_after_calls=2)  # 2 batches commit, the third crashes mid-embed
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_ingest(settings, crashing, corpus=docs, progress=False)
    cat = Catalog(settings.catalog_path)
    committed = cat.count_chunks()
    runs = cat.runs()
    cat.close()
    assert committed == crashing.texts_embedded == 2 * DOCS_PER_BATCH
    assert runs[-1]["status"] == "failed"

    resumed = CountingEmbedder()
    res = run_ingest(settings, resumed, corpus=docs, progress=False)
    assert resumed.texts_embedded == len(docs) - committed
    assert (res.added, res.unchanged) == (len(docs) - committed, committed)
    assert len(_assert_consistent(settings)) == len(docs)


def _vectors(settings: Settings) -> dict[str, np.ndarray]:
    store = VectorStore(settings, CountingEmbedder())
    return store.get_vectors(sorted(store.ids()))


def test_encoder_workers_build_the_index_in_process_encoding_builds(settings: Settings) -> None:
    docs = make_docs(2 * DOCS_PER_BATCH + 3)
    alone = settings.replace(home=settings.home.parent / "alone")
    run_ingest(alone, CountingEmbedder(), corpus=docs, progress=False)
    with ParallelEmbedder(CountingEmbedder(), CountingEmbedder, workers=2) as pooled:
        res = run_ingest(settings, pooled, corpus=docs, progress=False, publish_every_s=0)
    assert res.chunks_embedded == _chunk_total(docs, settings) and res.snapshots >= 2
    assert {"read", "chunk", "encode", "chroma", "catalog", "snapshots", "final"} <= set(res.stage_s)
    ids = _assert_consistent(settings)
    assert ids == _assert_consistent(alone)
    a, b = _vectors(alone), _vectors(settings)
    assert all(np.array_equal(a[i], b[i]) for i in ids)


def test_a_worker_failing_mid_ingest_loses_nothing_and_the_next_run_resumes(settings: Settings) -> None:
    docs = make_docs(3 * DOCS_PER_BATCH + 7, start=0)
    docs = [dataclasses.replace(d, sections=d.sections[:1]) for d in docs]
    # One worker failing on its first task of the third batch: two batches commit, then the ingest stops.
    tasks_per_batch = -(-DOCS_PER_BATCH // TEXTS_PER_TASK)
    failing = functools.partial(CountingEmbedder, fail_after_calls=2 * tasks_per_batch)
    with (
        pytest.raises(RuntimeError, match="simulated crash"),
        ParallelEmbedder(CountingEmbedder(), failing, workers=1) as pooled,
    ):
        run_ingest(settings, pooled, corpus=docs, progress=False)
    cat = Catalog(settings.catalog_path)
    committed = cat.count_chunks()
    cat.close()
    assert committed == 2 * DOCS_PER_BATCH

    resumed = CountingEmbedder()
    run_ingest(settings, resumed, corpus=docs, progress=False)
    assert resumed.texts_embedded == len(docs) - committed
    assert len(_assert_consistent(settings)) == len(docs)


def test_orphan_vectors_and_missing_vectors_are_reconciled(settings: Settings) -> None:
    docs = make_docs(4)
    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False)
    store = VectorStore(settings, CountingEmbedder())
    victim = sorted(store.ids())[0]
    store.delete([victim])  # a catalogued chunk lost from Chroma
    orphan = chunk_document(make_doc(99), CHUNKS)[:1]
    store.upsert(orphan, CountingEmbedder().embed_documents([c.embed_text for c in orphan]))  # orphan vector
    emb = CountingEmbedder()
    res = run_ingest(settings, emb, corpus=docs, progress=False)
    assert (res.reconciled_orphans, res.reconciled_missing, emb.texts_embedded) == (1, 1, 1)
    assert victim in _assert_consistent(settings)


def test_settings_mismatch_refuses_incremental_ingest_and_rebuild_fixes_it(settings: Settings) -> None:
    docs = make_docs(3)
    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False)
    other = settings.replace(index={"chunk_size": 500})
    with pytest.raises(IndexMismatchError, match=r"chunk_size=900.*500.*medcite ingest --rebuild"):
        run_ingest(other, CountingEmbedder(), corpus=docs, progress=False)
    res = run_ingest(other, CountingEmbedder(), corpus=docs, rebuild=True, progress=False)
    assert res.added == 3 and res.chunks_total == _chunk_total(docs, other)
    _assert_consistent(other)


def test_duplicate_doc_ids_are_counted_as_issues(settings: Settings) -> None:
    docs = make_docs(3)
    res = run_ingest(settings, CountingEmbedder(), corpus=[*docs, make_doc(1, version=7)], progress=False)
    assert res.added == 3 and len(res.issues) == 1 and "doc-0001" in str(res.issues[0])


_CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {factory_dir!r})
    from ingest_factory import CountingEmbedder, make_docs
    from ingest.pipeline import run_ingest
    from medcite.settings import load_settings

    index = {{"embedding_model": "fake", "chroma_url": {url!r}, "store": {store!r}}}
    index["collection"] = {collection!r}
    settings = load_settings(home={home!r}, index=index)
    docs = make_docs({n})

    def on_batch(n):
        print(f"committed {{n}}", flush=True)

    run_ingest(settings, CountingEmbedder(delay_s=0.05), corpus=docs, progress=False, on_batch=on_batch)
    print("finished", flush=True)
    """
)


def test_sigkill_during_ingest_then_resume(settings: Settings) -> None:
    n = 6 * DOCS_PER_BATCH
    code = _CHILD.format(
        factory_dir=str(Path(__file__).parents[1]),  # tests/: ingest_factory.py
        home=str(settings.home),
        url=settings.index.chroma_url,
        store=settings.index.store,
        collection=settings.index.collection,
        n=n,
    )
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("committed 2"):
                break
        else:
            pytest.fail("child finished before it could be killed")
        time.sleep(0.3)  # land the kill somewhere inside the next batch
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    cat = Catalog(settings.catalog_path)
    committed = cat.count_chunks()
    cat.close()
    docs = make_docs(n)
    total = _chunk_total(docs, settings)
    assert 0 < committed < total

    emb = CountingEmbedder()
    res = run_ingest(settings, emb, corpus=docs, progress=False)
    assert res.reconciled_missing == 0
    assert emb.texts_embedded == total - committed  # committed work is not embedded again
    assert len(_assert_consistent(settings)) == total


def test_progress_in_a_log_prints_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.pipeline import _Progress

    monkeypatch.setattr(_Progress, "LOG_EVERY_S", 0.0)
    bar = _Progress(True, 300)  # stderr is captured, not a terminal
    bar.advance(128, 40)
    bar.advance(128, 60)
    bar.close()
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("ingest: 256/300 documents read, 100 chunks embedded")
    assert len(lines) == 3
    quiet = _Progress(False, 300)
    quiet.advance(1, 1)
    quiet.close()
    assert capsys.readouterr().err == ""


def test_unreadable_vectors_skip_the_dense_copy_not_the_ingest(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = make_docs(5)
    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False)
    assert settings.dense_dir.exists()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("Error finding id")

    monkeypatch.setattr(VectorStore, "pages", refuse)
    res = run_ingest(settings, CountingEmbedder(), corpus=docs[:3], progress=False)  # a change: rebuild
    assert res.deleted == 2 and not res.notes  # paged read refused: the copy is built id by id
    sidecar = read_sidecar(settings.bm25_dir)
    assert sidecar is not None
    assert load_dense_matrix(settings.dense_dir, len(sidecar.chunk_ids), sidecar.generation) is not None
    monkeypatch.setattr(VectorStore, "get_vectors", refuse)
    res = run_ingest(settings, CountingEmbedder(), corpus=docs[:2], progress=False)
    assert any("Filtered-search vector copy not rebuilt" in n for n in res.notes)
    assert not settings.dense_dir.exists()  # the stale copy is removed, never served
    monkeypatch.undo()
    again = run_ingest(settings, CountingEmbedder(), corpus=docs[:2], progress=False)
    assert again.chunks_embedded == 0 and settings.dense_dir.exists()  # the next ingest rebuilds it


class _UnreadableStore:
    """A store whose vectors cannot be read back: the matrix must come from what the run wrote."""

    def pages(self, size: int = 2000) -> None:
        raise AssertionError("read the vectors back out of Chroma")

    def get_vectors(self, ids: object) -> None:
        raise AssertionError("read the vectors back out of Chroma")


def test_the_dense_matrix_is_built_from_the_vectors_the_run_wrote(tmp_path: Path) -> None:
    from index.dense_matrix import build_dense_matrix

    ids = ["c1", "c2", "c3"]
    written = {cid: np.full(4, i, dtype=np.float32) for i, cid in enumerate(ids)}
    found = build_dense_matrix(tmp_path / "dense", _UnreadableStore(), ids[::-1], 7, 4, known=written)  # type: ignore[arg-type]
    matrix = load_dense_matrix(tmp_path / "dense", 3, 7)
    assert found == 3 and matrix is not None
    assert [float(row[0]) for row in matrix] == [2.0, 1.0, 0.0]
    # a chunk the run did not write (indexed by an earlier run) means reading the store
    with pytest.raises(AssertionError, match="read the vectors back"):
        build_dense_matrix(tmp_path / "dense", _UnreadableStore(), [*ids, "old"], 8, 4, known=written)  # type: ignore[arg-type]
