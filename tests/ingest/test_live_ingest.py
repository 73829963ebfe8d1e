"""Issue 19 items 1 and 2: an ingest others can watch and search while it runs — tiers in a useful
order, snapshots published during the run (BM25 and the dense matrix of one generation, recorded
last), the progress file with per-tier counts and an ETA, and one ingest per index folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_factory import CountingEmbedder, make_docs

from corpus.manifest import read_corpus
from index.catalog import Catalog
from index.progress import partial_note, read_progress, status_line
from index.reader import open_index, read_manifest
from ingest.live import INGEST_TIER_ORDER, TYPICAL_CHUNKS_PER_DOC, ProgressTracker, ingest_lock
from ingest.pipeline import DOCS_PER_BATCH, run_ingest
from medcite.errors import MedCiteError
from medcite.settings import REPO_ROOT, Settings, load_settings
from medcite.types import Tier

FIXTURE_CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus_small"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home", corpus=FIXTURE_CORPUS, index={"embedding_model": "fake"})


def test_corpus_is_read_tier_by_tier_in_the_ingest_order() -> None:
    tiers = [d.tier for d in read_corpus(FIXTURE_CORPUS, tier_order=INGEST_TIER_ORDER).documents]
    rank = [INGEST_TIER_ORDER.index(t) for t in tiers]
    assert rank == sorted(rank)
    assert set(tiers) == set(INGEST_TIER_ORDER)  # the fixture has every tier, so the order was tested
    # the manifest's own order starts with guidelines but is not tier-sorted past them
    plain = [INGEST_TIER_ORDER.index(d.tier) for d in read_corpus(FIXTURE_CORPUS).documents]
    assert plain != sorted(plain)


def test_each_publish_is_a_consistent_searchable_snapshot(settings: Settings) -> None:
    docs = make_docs(3 * DOCS_PER_BATCH)
    seen: list[tuple[int, int, int]] = []

    def during(_: int) -> None:
        index = open_index(settings, CountingEmbedder(), live=True)
        try:
            manifest = read_manifest(settings)
            assert manifest is not None and manifest.corpus_hash is None  # not claimed as built yet
            assert index.generation == manifest.bm25_generation == manifest.catalog_generation
            assert index.dense_matrix is not None and index.dense_matrix.shape[0] == len(index.keyword)
            assert index.dense_search("management", k=3, filters=None)  # matrix, not Chroma
            hits = index.bm25_search("management", k=5)
            assert hits and set(index.get_chunks([cid for cid, _ in hits])) == {cid for cid, _ in hits}
            seen.append((index.generation, len(index.keyword), index.catalog.count_chunks()))
        finally:
            index.close()
        progress = read_progress(settings.home)
        assert progress is not None and progress.alive and progress.state == "running"
        assert progress.published_generation == seen[-1][0]

    result = run_ingest(
        settings, CountingEmbedder(), corpus=docs, progress=False, on_batch=during, publish_every_s=0
    )
    assert len(seen) == 3
    assert [n for _, n, _ in seen] == [c for _, _, c in seen]  # every committed chunk was searchable
    assert [n for _, n, _ in seen] == sorted({n for _, n, _ in seen})  # and the snapshots grew
    final = read_progress(settings.home)
    assert final is not None and final.state == "finished" and final.complete
    assert final.tiers[Tier.RESEARCH.value].done == final.tiers[Tier.RESEARCH.value].expected
    assert status_line(final) is None and partial_note(final) is None
    assert result.documents_total == len(docs)


def test_a_run_without_publishing_keeps_the_reader_out_until_the_end(settings: Settings) -> None:
    docs = make_docs(2 * DOCS_PER_BATCH)
    refused: list[str] = []

    def during(_: int) -> None:
        try:
            open_index(settings, CountingEmbedder())
        except MedCiteError as exc:
            refused.append(str(exc))

    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False, on_batch=during)
    assert len(refused) == 2 and all("No" in r or "ingest" in r for r in refused)


def test_progress_names_tiers_searchable_and_pending_mid_run(settings: Settings) -> None:
    docs = sorted(make_docs(2 * DOCS_PER_BATCH), key=lambda d: INGEST_TIER_ORDER.index(d.tier))
    notes: list[str | None] = []
    lines: list[str | None] = []

    def during(_: int) -> None:
        progress = read_progress(settings.home)
        notes.append(partial_note(progress))
        lines.append(status_line(progress))

    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False, on_batch=during, publish_every_s=0)
    first = notes[0]
    assert first is not None and first.startswith("Answered from 50% of the corpus")
    assert "research abstracts" in first and "guidelines" not in first  # guidelines came first
    assert lines[0] is not None and "Indexing the corpus: 50% of the corpus searchable" in lines[0]
    assert "guidelines 64/64" in lines[0]


def test_tracker_eta_uses_each_tiers_chunks_per_document() -> None:
    now = [0.0]
    tracker = ProgressTracker(None, {"guideline": 10, "research": 100}, {}, None, clock=lambda: now[0])
    tracker.documents("guideline", read=10, embedded=10, chunks=100)  # 10 chunks per guideline
    tracker.documents("research", read=50, embedded=50, chunks=100)  # 2 per abstract
    now[0] = 20.0  # 200 chunks in 20 s: 10 chunks/s
    assert tracker.rate() == pytest.approx(10.0)
    assert tracker.eta_s() == pytest.approx(50 * 2 / 10.0)  # 50 abstracts left, 2 chunks each
    # a tier not reached yet counts with the corpus-measured ratio, not the run's average so far
    tracker.expected["drug_label"] = 10
    assert tracker.eta_s() == pytest.approx((50 * 2 + 10 * TYPICAL_CHUNKS_PER_DOC["drug_label"]) / 10.0)


def test_a_second_ingest_on_the_same_folder_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.live

    monkeypatch.setattr(ingest.live, "LOCK_WAIT_S", 0.2)  # the default waits for one still exiting
    with ingest_lock(settings.home), pytest.raises(MedCiteError, match="Another ingest is already running"):
        run_ingest(settings, CountingEmbedder(), corpus=make_docs(3), progress=False)
    run_ingest(settings, CountingEmbedder(), corpus=make_docs(3), progress=False)  # released: it runs
    catalog = Catalog(settings.catalog_path)
    try:
        assert catalog.count_documents() == 3
    finally:
        catalog.close()


def test_an_interrupted_run_reads_as_stopped_with_what_is_searchable(settings: Settings) -> None:
    docs = make_docs(2 * DOCS_PER_BATCH)

    def crash(n: int) -> None:
        if n == 1:
            raise RuntimeError("simulated crash after the first batch")

    with pytest.raises(RuntimeError):
        run_ingest(
            settings, CountingEmbedder(), corpus=docs, progress=False, on_batch=crash, publish_every_s=0
        )
    progress = read_progress(settings.home)
    assert progress is not None and progress.state == "failed" and not progress.alive
    line = status_line(progress)
    assert line is not None and line.startswith(
        "Indexing stopped before the end (unexpected RuntimeError): 50% of the corpus searchable"
    )
    assert "Start `make run` again" in line and "ingest.log" in line
    note = partial_note(progress)
    assert note is not None and "(indexing stopped)" in note


def test_batches_of_long_documents_are_cut_by_size(settings: Settings) -> None:
    import dataclasses

    from ingest.pipeline import CHARS_PER_BATCH

    long_docs = [
        dataclasses.replace(d, sections=d.sections * 40) for d in make_docs(12)
    ]  # ~40 kB each: about four per batch
    size = sum(len(s.text) for s in long_docs[0].sections)
    commits: list[int] = []
    run_ingest(settings, CountingEmbedder(), corpus=long_docs, progress=False, on_batch=commits.append)
    assert len(commits) >= len(long_docs) * size // CHARS_PER_BATCH  # not one batch of twelve
    progress = read_progress(settings.home)
    assert progress is not None and sum(t.done for t in progress.tiers.values()) == len(long_docs)


def test_a_sliver_of_the_corpus_reads_as_under_one_percent_not_zero() -> None:
    from index.progress import IngestProgress, TierProgress

    progress = IngestProgress(
        "running", 0, "", "", {"guideline": TierProgress(54, 1553, 54), "research": TierProgress(0, 33318, 0)}
    )
    assert partial_note(progress) == (
        "Answered from under 1% of the corpus; guidelines, research abstracts not indexed yet "
        "(indexing stopped)."
    )


def test_a_corpus_folder_ends_with_expected_equal_to_documents_read(settings: Settings) -> None:
    """MANIFEST.json record counts can exceed the documents they make (bad records, passages grouped
    by label); once the ingest moves past a tier, what it read is that tier's total, so a finished
    tier never reads as "still indexing"."""
    run_ingest(settings, CountingEmbedder(), corpus=FIXTURE_CORPUS, progress=False)
    final = read_progress(settings.home)
    assert final is not None and final.complete
    manifest_records = {e.tier.value: 0 for e in read_corpus(FIXTURE_CORPUS).entries}
    for e in read_corpus(FIXTURE_CORPUS).entries:
        manifest_records[e.tier.value] += int(e.records or 0)
    for tier in INGEST_TIER_ORDER[:-1]:  # every tier but the last was moved past
        t = final.tiers[tier.value]
        assert t.expected == t.done <= manifest_records[tier.value]
    assert any(final.tiers[t.value].done < manifest_records[t.value] for t in INGEST_TIER_ORDER[:-1])


def test_eta_counts_only_the_share_of_documents_that_need_embedding() -> None:
    now = [0.0]
    tracker = ProgressTracker(
        None, {"research": 1000}, {}, None, clock=lambda: now[0], indexed={"research": 1000}
    )
    tracker.documents("research", read=500, embedded=5, chunks=10)  # an update: 1% changed
    now[0] = 10.0  # 1 chunk/s
    assert tracker.eta_s() == pytest.approx(500 * 2 * (5 / 500) / 1.0)


def test_eta_of_a_resumed_ingest_counts_the_tiers_it_never_reached_in_full() -> None:
    # The guidelines indexed before the restart are read and skipped; that share must not shrink
    # the estimate of the labels, none of which is in the index yet.
    now = [0.0]
    tracker = ProgressTracker(
        None, {"guideline": 100, "drug_label": 10}, {}, None, clock=lambda: now[0], indexed={"guideline": 60}
    )
    tracker.documents("guideline", read=60, embedded=0, chunks=0)  # skipped: indexed at start
    tracker.documents("guideline", read=20, embedded=20, chunks=200)  # 10 chunks per guideline
    now[0] = 20.0  # 10 chunks/s
    labels = 10 * TYPICAL_CHUNKS_PER_DOC["drug_label"]
    assert tracker.eta_s() == pytest.approx((20 * 10 + labels) / 10.0)


def test_a_run_refused_before_it_starts_says_why_in_the_progress_file(settings: Settings) -> None:
    run_ingest(settings, CountingEmbedder(), corpus=make_docs(3), progress=False)
    other = settings.replace(index={"chunk_size": 500})
    with pytest.raises(MedCiteError):
        run_ingest(other, CountingEmbedder(), corpus=make_docs(3), progress=False)
    progress = read_progress(settings.home)
    assert progress is not None and progress.state == "failed" and progress.error
    assert "chunk" in progress.error.lower()
    line = status_line(progress)
    assert line is not None and progress.error in line


def test_a_plain_reader_is_kept_out_of_an_index_an_ingest_is_writing(settings: Settings) -> None:
    from medcite.errors import IndexBusyError, IndexMissingError

    refused: list[type] = []

    def during(_: int) -> None:
        for live in (False, True):
            try:
                open_index(settings, CountingEmbedder(), live=live).close()
            except (IndexBusyError, IndexMissingError) as exc:
                refused.append(type(exc))

    run_ingest(
        settings,
        CountingEmbedder(),
        corpus=make_docs(130),
        progress=False,
        on_batch=during,
        publish_every_s=0,
    )
    # the first run's partial index is not a finished one for a plain reader; the live reader opens it
    assert refused == [IndexMissingError, IndexMissingError]
    run_ingest(
        settings,
        CountingEmbedder(),
        corpus=make_docs(260),
        progress=False,
        on_batch=during,
        publish_every_s=0,
    )
    # an update of a finished index: a plain reader would open Chroma beside the writer
    assert refused[2:] and set(refused[2:]) == {IndexBusyError}


def test_chunks_per_document_are_sampled_per_tier_for_the_eta() -> None:
    from ingest.chunker import ChunkParams, chunk_document
    from ingest.pipeline import sample_chunks_per_doc

    read = read_corpus(FIXTURE_CORPUS)
    params = ChunkParams(900, 150)
    sampled = sample_chunks_per_doc(read.root, read.entries, params)
    assert set(sampled) == set(INGEST_TIER_ORDER_VALUES)
    actual: dict[str, list[int]] = {}
    for doc in read_corpus(FIXTURE_CORPUS).documents:
        actual.setdefault(doc.tier.value, []).append(len(chunk_document(doc, params)))
    for tier, counts in actual.items():  # small files are read whole: within the record-weighting
        assert min(counts) <= sampled[tier] <= max(counts)
    tracker = ProgressTracker(None, {"drug_label": 10}, {}, None, chunks_per_doc={"drug_label": 7.0})
    tracker.documents("guideline", read=1, embedded=1, chunks=4)
    assert tracker.eta_s() is not None and tracker.prior["drug_label"] == 7.0


INGEST_TIER_ORDER_VALUES = [t.value for t in INGEST_TIER_ORDER]
