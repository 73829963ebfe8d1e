"""Crash safety (issue 9 item 3): SIGKILL an ingest at random points (10 trials), and failed writes (disk
full in Chroma, the catalog database full) — every next run completes, the three stores agree, and
the previous index stays usable with a message that says what happened."""

from __future__ import annotations

import errno
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rel_support import FIXTURE_CORPUS, store_counts

from ingest.pipeline import run_ingest
from medcite.embedding import HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import Settings, load_settings
from medcite.types import Document
from medcite.write_failures import IndexWriteError, index_write_errors

INGEST_TESTS = Path(__file__).resolve().parents[1]  # tests/: ingest_factory.py (shared test helpers)
TRIALS = 10
N_DOCS = 300  # three catalog batches of synthetic documents, plus the fixture corpus

_CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {factory_dir!r})
    from ingest_factory import CountingEmbedder, make_doc
    from corpus.manifest import read_corpus
    from ingest.pipeline import run_ingest
    from medcite.settings import load_settings

    settings = load_settings(home={home!r}, index={{"embedding_model": "fake"}})
    docs = [*read_corpus({corpus!r}).documents, *[make_doc(i, version={version}) for i in range({n})]]
    print("started", flush=True)
    run_ingest(settings, CountingEmbedder(delay_s=0.01), corpus=docs, progress=False)
    print("finished", flush=True)
    """
)


def _documents(version: int) -> list[Document]:
    sys.path.insert(0, str(INGEST_TESTS))
    from ingest_factory import make_doc

    from corpus.manifest import read_corpus

    return [*read_corpus(FIXTURE_CORPUS).documents, *[make_doc(i, version=version) for i in range(N_DOCS)]]


def _kill_at_random(home: Path, version: int, delay: float) -> str:
    """Start an ingest child, SIGKILL it `delay` s after its imports; returns 'killed' or 'finished'."""
    code = _CHILD.format(
        factory_dir=str(INGEST_TESTS), home=str(home), corpus=str(FIXTURE_CORPUS), version=version, n=N_DOCS
    )
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("started"), line
        time.sleep(delay)
        if proc.poll() is not None:
            return "finished"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        return "killed" if proc.returncode == -signal.SIGKILL else "finished"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)


def _assert_agree(settings: Settings, expected_docs: int | None = None) -> int:
    chunks, vectors, bm25, orphans = store_counts(settings)
    assert chunks == vectors == bm25, (chunks, vectors, bm25)
    assert not orphans
    if expected_docs is not None:
        from index.catalog import Catalog

        catalog = Catalog(settings.catalog_path)
        try:
            assert catalog.count_documents() == expected_docs
        finally:
            catalog.close()
    return chunks


@pytest.mark.slow
def test_sigkill_at_random_points_then_every_next_run_completes(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    rng = random.Random(9)  # seeded: a failure names a reproducible kill schedule
    outcomes = []
    for trial in range(TRIALS):
        version = trial % 3  # changing versions make later trials update and replace chunks too
        delay = rng.uniform(0.0, 2.5)
        outcomes.append(_kill_at_random(settings.home, version, delay))
        docs = _documents(version)
        result = run_ingest(settings, HashingEmbedder(), corpus=docs, progress=False)
        unique = len({d.doc_id for d in docs})
        assert result.documents_total == unique
        chunks = _assert_agree(settings, unique)
        assert chunks == result.chunks_total
        again = run_ingest(settings, HashingEmbedder(), corpus=docs, progress=False)
        assert (again.added, again.updated, again.deleted, again.chunks_embedded) == (0, 0, 0, 0)
    assert outcomes.count("killed") >= TRIALS // 2, outcomes  # the kills really landed mid-run


# --- failed writes ----------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> Settings:
    settings = load_settings(home=tmp_path / "home", corpus=FIXTURE_CORPUS, index={"embedding_model": "fake"})
    run_ingest(settings, HashingEmbedder(), corpus=_documents(0), progress=False)
    return settings


def _search_works(settings: Settings) -> list[str]:
    from index import open_index
    from qa.retrievers import make_retriever

    index = open_index(settings)
    hits = make_retriever(index, "hybrid", settings).search("dermatomyositis treatment", k=5)
    assert hits
    known = set(index.get_chunks([h.chunk_id for h in hits]))
    assert {h.chunk_id for h in hits} <= known
    return [h.chunk_id for h in hits]


def test_disk_full_in_the_vector_store_keeps_the_previous_index(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.vector_store import VectorStore

    before = _assert_agree(built)
    calls = {"n": 0}
    real_upsert = VectorStore.upsert

    def upsert_until_full(self, chunks, vectors):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] >= 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(built.chroma_dir))
        return real_upsert(self, chunks, vectors)

    monkeypatch.setattr(VectorStore, "upsert", upsert_until_full)
    with pytest.raises(IndexWriteError) as info, index_write_errors():
        run_ingest(built, HashingEmbedder(), corpus=_documents(1), progress=False)
    message = str(info.value)
    assert "disk is full" in message and "medcite ingest" in message and "can be searched" in message
    _search_works(built)  # the previous index answers queries after the failure

    monkeypatch.setattr(VectorStore, "upsert", real_upsert)
    result = run_ingest(built, HashingEmbedder(), corpus=_documents(1), progress=False)
    assert _assert_agree(built, len({d.doc_id for d in _documents(1)})) == result.chunks_total
    assert result.chunks_total >= before


def test_catalog_database_full_keeps_the_previous_index(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.catalog import Catalog

    real = Catalog.replace_documents

    def full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Catalog, "replace_documents", full)
    with pytest.raises(IndexWriteError, match="disk is full"), index_write_errors():
        run_ingest(built, HashingEmbedder(), corpus=_documents(2), progress=False)
    _search_works(built)  # stray vectors written before the failed commit are never served

    monkeypatch.setattr(Catalog, "replace_documents", real)
    result = run_ingest(built, HashingEmbedder(), corpus=_documents(2), progress=False)
    assert result.reconciled_orphans > 0  # the next run removed what the failed one left behind
    _assert_agree(built)


def test_cli_ingest_reports_a_failed_write_in_one_line(built: Settings, tmp_path: Path) -> None:
    """The real CLI, with Chroma's folder made read-only: one actionable line, no traceback."""
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions; the monkeypatched tests above cover this path")
    os.chmod(built.catalog_path, 0o444)
    try:
        env = {**os.environ, "MEDCITE_HOME": str(built.home), "MEDCITE_INDEX__EMBEDDING_MODEL": "fake",
               "MEDCITE_CORPUS": str(FIXTURE_CORPUS)}
        code = "import sys; from medcite.cli import main; sys.argv[0] = 'medcite'; main()"
        proc = subprocess.run([sys.executable, "-c", code, "ingest", "--quiet", "--rebuild"],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
    finally:
        os.chmod(built.catalog_path, 0o644)


def test_unrelated_errors_are_not_disguised() -> None:
    with pytest.raises(ZeroDivisionError), index_write_errors():
        _ = 1 / 0
    with pytest.raises(MedCiteError, match="original"), index_write_errors():
        raise MedCiteError("original")
