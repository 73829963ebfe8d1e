"""Incremental, idempotent, interruptible ingest: corpus -> chunks -> vectors -> Chroma + catalog + BM25.

Consistency rule: the SQLite catalog is the source of truth; Chroma and BM25 are derived from it.
Per batch of documents the order is
  1. chunk, embed, upsert the new vectors into Chroma   (killed here: orphan vectors in Chroma)
  2. commit the catalog rows for the batch in ONE transaction
  3. delete the replaced documents' stale vectors       (killed here: orphan vectors again)
and a run starts by reconciling: Chroma ids unknown to the catalog are deleted, catalog chunks
missing from Chroma are re-embedded.  So Ctrl-C or SIGKILL anywhere leaves a state the next run
repairs without re-embedding committed work.  BM25 is rebuilt from the catalog at the end of any run
that changed something, or whenever its recorded generation differs from the catalog's.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.grading import document_study_design
from index.catalog import Catalog
from index.dense_matrix import build_dense_matrix, matrix_generation, remove_dense_matrix
from index.keyword import read_sidecar
from index.manifest import check_manifest
from index.progress import IngestProgress, read_progress, write_progress
from index.vector_store import VectorStore
from index.writer import rebuild_keyword_index, wipe_index
from ingest.chunker import ChunkParams, chunk_document
from ingest.live import INGEST_TIER_ORDER, ProgressTracker, ingest_lock
from medcite.embedding import Embedder
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Chunk, Document

# Documents per catalog transaction.  Small enough that a kill loses little work, large enough
# that the embedder gets full batches (a guideline yields ~10 chunks, an abstract 1-3).
DOCS_PER_BATCH = 128
# ... and at most about this much text (~256 chunks of 900 characters with 150 overlap), so a batch
# of long documents (NGC guideline summaries average ~60 kB) still commits, reports progress and
# can be published within a minute on a slow 2-core machine (issue 19: no progress line for
# minutes inside one long batch).
CHARS_PER_BATCH = 192_000


@dataclass
class IngestResult:
    """What one ingest run did (the `medcite ingest` summary and `--json` shape)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks_embedded: int = 0
    chunks_total: int = 0
    documents_total: int = 0
    issues: list[Any] = field(default_factory=list)  # corpus ReadIssue records (skipped records)
    seconds: float = 0.0
    reconciled_orphans: int = 0  # vectors in Chroma unknown to the catalog, deleted at start
    reconciled_missing: int = 0  # catalogued chunks missing from Chroma, re-embedded at start
    bm25_rebuilt: bool = False
    regraded: int = 0  # unchanged research documents given their ingest-time study design
    corpus_hash: str | None = None
    notes: list[str] = field(default_factory=list)
    # Seconds this process spent per stage (STAGES); with encoder workers, "encode" is the time spent
    # waiting for them, the rest of the encoding overlapping the other stages.
    stage_s: dict[str, float] = field(default_factory=dict)
    snapshots: int = 0  # searchable snapshots published during the run (the web chat's ingest)

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.stage_s[stage] = self.stage_s.get(stage, 0.0) + seconds

    def timed(self, stage: str) -> contextlib.AbstractContextManager[None]:
        return _Stopwatch(self, stage)

    @property
    def changed(self) -> bool:
        return bool(
            self.added or self.updated or self.deleted or self.reconciled_orphans or self.reconciled_missing
        )

    def summary(self) -> str:
        """The lines `medcite ingest` prints at the end."""
        lines = [
            f"Ingest finished in {self.seconds:.1f} s: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted; "
            f"{self.chunks_embedded} chunks embedded, {self.chunks_total} chunks in the index "
            f"({self.documents_total} documents).",
        ]
        if not self.changed and not self.chunks_embedded:
            lines.append("Nothing changed in the corpus: nothing was embedded.")
        if self.reconciled_orphans or self.reconciled_missing:
            lines.append(
                f"Repaired an interrupted run: {self.reconciled_orphans} stray vectors removed, "
                f"{self.reconciled_missing} missing vectors re-embedded."
            )
        if self.regraded:
            lines.append(f"Graded the study design of {self.regraded} research documents indexed before.")
        if self.issues:
            lines.append(f"{len(self.issues)} record(s) skipped:")
            lines.extend(f"  - {i}" for i in self.issues[:20])
            if len(self.issues) > 20:
                lines.append(f"  ... and {len(self.issues) - 20} more (see `medcite ingest --json`).")
        if self.chunks_embedded and self.stage_s:
            lines.append("Where the time went: " + stage_breakdown(self.stage_s, self.snapshots) + ".")
        lines.extend(self.notes)
        lines.append('Search it: medcite search "treatment of dermatomyositis"')
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "regraded": self.regraded,
            "chunks_embedded": self.chunks_embedded,
            "chunks_total": self.chunks_total,
            "documents_total": self.documents_total,
            "issues": [str(i) for i in self.issues],
            "seconds": round(self.seconds, 3),
            "reconciled_orphans": self.reconciled_orphans,
            "reconciled_missing": self.reconciled_missing,
            "bm25_rebuilt": self.bm25_rebuilt,
            "corpus_hash": self.corpus_hash,
            "notes": list(self.notes),
            "stage_s": {k: round(v, 3) for k, v in self.stage_s.items()},
            "snapshots": self.snapshots,
        }


# The stages of an ingest, in order, with the words the summary uses.
STAGES = {
    "read": "reading the corpus",
    "chunk": "chunking",
    "encode": "encoding",
    "chroma": "Chroma writes",
    "catalog": "catalog commits",
    "snapshots": "searchable snapshots",
    "final": "final BM25 and vector copy",
}


def stage_breakdown(stage_s: dict[str, float], snapshots: int = 0) -> str:
    """'reading the corpus 8.1 s, chunking 20.3 s, ...' in STAGES order."""
    parts = []
    for key, words in STAGES.items():
        if key in stage_s:
            extra = f" ({snapshots})" if key == "snapshots" and snapshots else ""
            parts.append(f"{words} {stage_s[key]:.1f} s{extra}")
    return ", ".join(parts)


class _Stopwatch:
    def __init__(self, result: IngestResult, stage: str) -> None:
        self.result, self.stage = result, stage

    def __enter__(self) -> None:
        self.started = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        self.result.add_seconds(self.stage, time.monotonic() - self.started)


@dataclass
class _CorpusInput:
    documents: Iterable[Document]
    report: Any | None
    label: str | None
    corpus_hash: str | None
    expected: int | None
    # Documents each tier should end with (MANIFEST.json record counts; counted for a list of Documents).
    expected_by_tier: dict[str, int] = field(default_factory=dict)
    tier_ordered: bool = False  # documents come tier by tier in INGEST_TIER_ORDER (a corpus folder)
    chunks_per_doc: dict[str, float] = field(default_factory=dict)  # sampled per tier, for the ETA


def _open_corpus(settings: Settings, corpus: Any) -> _CorpusInput:
    """Accept a corpus folder (read through corpus.manifest, tiers in INGEST_TIER_ORDER), a CorpusRead,
    or an iterable of Documents."""
    if corpus is None or isinstance(corpus, str | Path):
        path = Path(corpus) if corpus is not None else settings.corpus
        from corpus.manifest import corpus_hash, read_corpus  # the readers are a sibling stage

        read = read_corpus(path, tier_order=INGEST_TIER_ORDER)
        by_tier: dict[str, int] = {}
        for entry in read.entries:
            by_tier[entry.tier.value] = by_tier.get(entry.tier.value, 0) + int(entry.records or 0)
        sampled = sample_chunks_per_doc(read.root, read.entries, ChunkParams.of(settings.index))
        return _CorpusInput(
            read.documents,
            read.report,
            str(path),
            corpus_hash(path),
            sum(by_tier.values()) or None,  # the progress bar's total (an estimate)
            by_tier,
            True,
            sampled,
        )
    if hasattr(corpus, "documents") and hasattr(corpus, "report"):
        return _CorpusInput(corpus.documents, corpus.report, None, None, None)
    if isinstance(corpus, Sequence):
        counted: dict[str, int] = {}
        for doc in corpus:
            counted[doc.tier.value] = counted.get(doc.tier.value, 0) + 1
        return _CorpusInput(corpus, None, None, None, len(corpus), counted)
    return _CorpusInput(corpus, None, None, None, None)


# Documents read from the start of each corpus file to estimate its chunks per document (ETA only).
SAMPLE_DOCS_PER_FILE = 20


def sample_chunks_per_doc(root: Path, entries: Sequence[Any], params: ChunkParams) -> dict[str, float]:
    """Chunks per document of each tier, estimated from the first SAMPLE_DOCS_PER_FILE documents of
    each of its files, weighted by the files' record counts: tiers differ 60-fold (an FDA label
    ~90 chunks, an abstract ~1.4) and so do corpora, so the ETA of a tier not reached yet needs its
    own figure. Chunking is cheap; a file that cannot be read is left out (its tier then falls back
    to the observed or typical ratio)."""
    from corpus.manifest import reader_for

    weighted: dict[str, float] = {}
    records: dict[str, int] = {}
    for entry in entries:
        found = reader_for(entry)
        if found is None:
            continue
        docs = chunks = 0
        try:
            for item in found[1](root / entry.path, entry.tier, entry.path):
                if isinstance(item, Document):
                    docs += 1
                    chunks += len(chunk_document(item, params))
                    if docs >= SAMPLE_DOCS_PER_FILE:
                        break
        except Exception:  # noqa: BLE001 - an estimate never stops an ingest; the read reports it
            continue
        if docs:
            n = max(1, int(entry.records or docs))
            weighted[entry.tier.value] = weighted.get(entry.tier.value, 0.0) + n * chunks / docs
            records[entry.tier.value] = records.get(entry.tier.value, 0) + n
    return {tier: weighted[tier] / records[tier] for tier in weighted}


def _with_source(docs: Iterable[Document], report: Any | None) -> Iterator[tuple[Document, str | None]]:
    """Pair each document with the corpus file it came from: corpus.manifest reads files in order and
    registers each in `report.files` before yielding its documents, so the last key is the source."""
    files = getattr(report, "files", None)
    for doc in docs:
        yield doc, (next(reversed(files), None) if files else None)


def _batched(
    items: Iterable[tuple[Document, str | None]], n: int, max_chars: int
) -> Iterator[list[tuple[Document, str | None]]]:
    """Batches of at most `n` documents and, past the first document, at most `max_chars` of text."""
    batch: list[tuple[Document, str | None]] = []
    chars = 0
    for item in items:
        size = sum(len(s.text) for s in item[0].sections)
        if batch and chars + size > max_chars:
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += size
        if len(batch) >= n:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def check_params(catalog: Catalog, settings: Settings, embedder: Embedder) -> None:
    """Refuse to extend an index built with other index-defining parameters (the same check
    `open_index` makes, so the message is the same)."""
    manifest = catalog.manifest()
    if manifest is not None:
        check_manifest(manifest, settings.index_params(), embedder.dim)


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk], batch_size: int) -> Any:
    """Embed chunk texts in batches sorted by length (less padding), returned in input order."""
    import numpy as np

    vecs = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].embed_text))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        vecs[idx] = embedder.embed_documents([chunks[i].embed_text for i in idx])
    return vecs


class _Progress:
    """Progress on stderr: a rich bar (documents, chunks/s, ETA) on a terminal, a line every 30 s in
    a log (rich draws nothing until the end when stderr is not a terminal), or nothing."""

    LOG_EVERY_S = 30.0

    def __init__(self, enabled: bool, total: int | None) -> None:
        self._bar: Any = None
        self._log = False
        self._docs = 0
        self._chunks = 0
        self._total = total
        self._start = time.monotonic()
        self._last_log = self._start
        if not enabled:
            return
        if not sys.stderr.isatty():
            self._log = True
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("[bold]ingest[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("docs · {task.fields[chunks]} chunks embedded · {task.fields[rate]} chunks/s"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._bar.add_task("ingest", total=total, chunks=0, rate="0.0")
        self._bar.start()

    def _rate(self) -> float:
        return self._chunks / max(1e-6, time.monotonic() - self._start)

    def advance(self, docs: int, chunks: int) -> None:
        self._docs += docs
        self._chunks += chunks
        if self._bar is not None:
            self._bar.update(self._task, advance=docs, chunks=self._chunks, rate=f"{self._rate():.1f}")
        elif self._log and time.monotonic() - self._last_log >= self.LOG_EVERY_S:
            self._last_log = time.monotonic()
            self._print_line()

    def _print_line(self) -> None:
        of = f"/{self._total}" if self._total else ""
        elapsed = time.monotonic() - self._start
        print(
            f"ingest: {self._docs}{of} documents read, {self._chunks} chunks embedded, "
            f"{self._rate():.1f} chunks/s, {elapsed / 60:.1f} min",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._log:
            self._print_line()


def run_ingest(
    settings: Settings,
    embedder: Embedder,
    *,
    corpus: Any = None,
    rebuild: bool = False,
    progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
    publish_every_s: float | None = None,
) -> IngestResult:
    """Bring the index in line with the corpus; see the module docstring for the guarantees.

    `corpus` is a folder (default settings.corpus), a `CorpusRead`, or an iterable of Documents.
    `on_batch(n)` is called after the n-th batch commits (tests use it to simulate crashes).
    `publish_every_s` (the web chat's background ingest) makes what is committed searchable while the
    run goes on: at most that often, BM25 and the dense matrix are rebuilt for the catalog so far and
    published (`_Publisher`; the first batch at once); None publishes only at the end.  Progress
    goes to the progress file under settings.home (`index.progress`); one ingest per index folder
    runs at a time.
    """
    with ingest_lock(settings.home):
        try:
            return _run_ingest(settings, embedder, corpus, rebuild, progress, on_batch, publish_every_s)
        except MedCiteError as exc:
            _record_early_failure(settings.home, exc)
            raise


def _record_early_failure(home: Path, exc: MedCiteError) -> None:
    """A run refused before it began tracking (another index's parameters, an unreadable corpus)
    still tells the web chat and `medcite status` why it stopped."""
    last = read_progress(home)
    if last is not None and last.pid == os.getpid() and last.state == "failed":
        return  # the run's own tracker recorded it
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with contextlib.suppress(OSError):
        write_progress(home, IngestProgress("failed", os.getpid(), now, now, error=str(exc)))


def _run_ingest(
    settings: Settings,
    embedder: Embedder,
    corpus: Any,
    rebuild: bool,
    progress: bool,
    on_batch: Callable[[int], None] | None,
    publish_every_s: float | None,
) -> IngestResult:
    t0 = time.monotonic()
    if rebuild:
        wipe_index(settings)
    catalog = Catalog(settings.catalog_path)
    try:
        check_params(catalog, settings, embedder)
        store = VectorStore(settings, embedder)
        if rebuild:
            store.reset()
        catalog.init_manifest(settings.index_params(), embedder.dim)
        result = IngestResult()
        src = _open_corpus(settings, corpus)
        result.corpus_hash = src.corpus_hash
        manifest = catalog.manifest()
        indexed = _searchable_by_tier(catalog)
        tracker = ProgressTracker(
            settings.home,
            src.expected_by_tier,
            indexed if manifest is not None and manifest.built_at else {},
            manifest.bm25_generation if manifest is not None else None,
            tier_ordered=src.tier_ordered,
            chunks_per_doc=src.chunks_per_doc,
            indexed=indexed,
        )
        tracker.write(force=True)
        publisher = _Publisher(settings, catalog, store, embedder.dim, result, tracker, publish_every_s)
        run_id = catalog.start_run(src.label)
        status = "failed"
        error: str | None = None
        try:
            _reconcile(catalog, store, embedder, settings, result)
            seen = _ingest_documents(
                catalog, store, embedder, settings, src, result, progress, on_batch, tracker, publisher
            )
            _delete_missing(catalog, store, src, seen, result)
            generation = catalog.generation()
            sidecar = read_sidecar(settings.bm25_dir)
            published_now = publisher.generation == generation  # the last batch is already searchable
            with result.timed("final"):
                if (
                    (result.changed and not published_now)
                    or sidecar is None
                    or sidecar.generation != generation
                ):
                    rebuild_keyword_index(settings, catalog, generation)
                    result.bm25_rebuilt = True
                    sidecar = read_sidecar(settings.bm25_dir)
                if sidecar is not None and (
                    result.bm25_rebuilt or matrix_generation(settings.dense_dir) != generation
                ):
                    _refresh_dense_matrix(
                        settings,
                        store,
                        sidecar.chunk_ids,
                        generation,
                        embedder.dim,
                        result,
                        publisher.written,
                    )
            result.corpus_hash = src.corpus_hash or _documents_hash(catalog)
            catalog.set_built(result.corpus_hash, generation)
            result.chunks_total = catalog.count_chunks()
            result.documents_total = catalog.count_documents()
            tracker.published_generation = generation
            tracker.searchable = _searchable_by_tier(catalog)
            status = "ok"
        except KeyboardInterrupt:
            status = "interrupted"
            _settle_after_failure(catalog, settings)
            raise
        except Exception as exc:
            error = str(exc) if isinstance(exc, MedCiteError) else f"unexpected {type(exc).__name__}"
            _settle_after_failure(catalog, settings)
            raise
        finally:
            result.seconds = time.monotonic() - t0
            counts = {**result.to_dict(), "issues": len(result.issues)}
            with contextlib.suppress(Exception):  # never mask the original error
                catalog.finish_run(run_id, status, counts)
            with contextlib.suppress(Exception):
                tracker.finish({"ok": "finished"}.get(status, status), error if status == "failed" else None)
        return result
    finally:
        catalog.close()


def _searchable_by_tier(catalog: Catalog) -> dict[str, int]:
    return {tier: counts["documents"] for tier, counts in catalog.counts_by_tier().items()}


# A snapshot waits at least this many times as long as the last one took (see _Publisher).
PUBLISH_COST_FACTOR = 10.0


class _Publisher:
    """Makes the catalog so far searchable while an ingest runs (issue 19 item 1).

    Publishing rebuilds BM25 and the dense matrix for the committed catalog (each swapped in
    atomically) and then records the generation in the manifest, last: a reader that sees the new
    generation finds both copies of it.  The recorded corpus hash stays the previous run's, so an
    index mid-ingest never reads as built from the new corpus.  At most every `every_s` seconds, and
    never more often than ten times the last publish took, so publishing costs at most an eleventh
    of the run on a large corpus (it competes with the encoder workers for the cores).
    """

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        store: VectorStore,
        dim: int,
        result: IngestResult,
        tracker: ProgressTracker,
        every_s: float | None,
    ) -> None:
        self.settings, self.catalog, self.store, self.dim = settings, catalog, store, dim
        # chunk id -> the vector this run upserted (index.dense_matrix: a snapshot of a first ingest
        # then never reads the vectors back out of Chroma)
        self.written: dict[str, Any] = {}
        self.result, self.tracker, self.every_s = result, tracker, every_s
        self._last = float("-inf")  # the first batch is published at once: answers within a minute
        self._cost = 0.0
        self.count = 0
        self.generation: int | None = None  # the catalog generation last published

    def maybe_publish(self) -> bool:
        if self.every_s is None:
            return False
        if self.every_s > 0 and time.monotonic() - self._last < max(
            self.every_s, PUBLISH_COST_FACTOR * self._cost
        ):
            return False  # 0 publishes after every batch (tests)
        generation = self.catalog.generation()
        manifest = self.catalog.manifest()
        if manifest is not None and manifest.bm25_generation == generation:
            return False  # nothing committed since the last publish
        started = time.monotonic()
        rebuild_keyword_index(self.settings, self.catalog, generation)
        sidecar = read_sidecar(self.settings.bm25_dir)
        if sidecar is not None:
            _refresh_dense_matrix(
                self.settings, self.store, sidecar.chunk_ids, generation, self.dim, self.result, self.written
            )
        self.catalog.set_built(manifest.corpus_hash if manifest is not None else None, generation)
        self._last = time.monotonic()
        self._cost = self._last - started
        self.count += 1
        self.result.snapshots += 1
        self.result.add_seconds("snapshots", self._cost)
        self.generation = generation
        self.tracker.published(generation, _searchable_by_tier(self.catalog))
        return True


def _refresh_dense_matrix(
    settings: Settings,
    store: VectorStore,
    chunk_ids: Sequence[str],
    generation: int,
    dim: int,
    result: IngestResult,
    written: Mapping[str, Any] | None = None,
) -> None:
    """Rebuild the local vector matrix; it only speeds up filtered search, so a failure to read the
    vectors back (Chroma can refuse a paged read right after a killed write) removes the stale matrix,
    notes it, and filtered search asks Chroma until the next ingest builds it."""
    try:
        build_dense_matrix(settings.dense_dir, store, chunk_ids, generation, dim, known=written)
    except Exception as exc:  # noqa: BLE001 - an optional accelerator never fails an ingest
        remove_dense_matrix(settings.dense_dir)
        result.notes.append(
            f"Filtered-search vector copy not rebuilt ({type(exc).__name__}: {exc}); searches use Chroma "
            "directly until the next `medcite ingest`."
        )


def _settle_after_failure(catalog: Catalog, settings: Settings) -> None:
    """After a failed or interrupted run, bring BM25 in line with what the catalog committed so the
    index stays queryable (issue 9: a failed write leaves a usable index). The recorded corpus hash is
    kept, so the index still reads as built from the previous corpus until a run completes. Best
    effort: if this fails too (the disk is full), `open_index` says to run `medcite ingest`."""
    with contextlib.suppress(Exception):
        manifest = catalog.manifest()
        generation = catalog.generation()
        if manifest is None or manifest.built_at is None or manifest.bm25_generation == generation:
            return
        rebuild_keyword_index(settings, catalog, generation)
        catalog.set_built(manifest.corpus_hash, generation)


def _documents_hash(catalog: Catalog) -> str:
    """Corpus hash for an in-memory corpus: hash of all (doc_id, fingerprint) pairs."""
    from medcite.types import content_hash

    fps = catalog.fingerprints()
    return content_hash(*(f"{k}:{fps[k]}" for k in sorted(fps)), length=32)


def _reconcile(
    catalog: Catalog, store: VectorStore, embedder: Embedder, settings: Settings, result: IngestResult
) -> None:
    """Repair what a killed run may have left: orphan vectors and catalogued chunks without vectors."""
    in_chroma = store.ids()
    in_catalog = catalog.all_chunk_ids()
    orphans = sorted(in_chroma - in_catalog)
    if orphans:
        store.delete(orphans)
        result.reconciled_orphans = len(orphans)
    missing = sorted(in_catalog - in_chroma)
    for start in range(0, len(missing), 1000):
        chunks = list(catalog.get_chunks(missing[start : start + 1000]).values())
        store.upsert(chunks, embed_chunks(embedder, chunks, settings.index.embed_batch_size))
        result.chunks_embedded += len(chunks)
    result.reconciled_missing = len(missing)


def _ingest_documents(
    catalog: Catalog,
    store: VectorStore,
    embedder: Embedder,
    settings: Settings,
    src: _CorpusInput,
    result: IngestResult,
    progress: bool,
    on_batch: Callable[[int], None] | None,
    tracker: ProgressTracker,
    publisher: _Publisher,
) -> set[str]:
    """Add or replace every new or changed document, batch by batch; returns the doc ids seen.

    One batch ahead: a batch is read, chunked and handed to the encoder before the previous one is
    written, so an encoder with `submit` (embedding.pool) encodes while this process writes and
    publishes. Batches still commit one at a time, in order."""
    params = ChunkParams(settings.index.chunk_size, settings.index.chunk_overlap)
    known = catalog.fingerprints()
    ungraded = catalog.ungraded_research_documents()  # indexed before ingest graded documents
    seen: set[str] = set()
    bar = _Progress(progress, src.expected)
    batches = 0
    pending: _Batch | None = None

    def finish(batch: _Batch) -> None:
        nonlocal batches
        by_tier = _commit_batch(catalog, store, batch, known, result, publisher.written) if batch.todo else {}
        if batch.regrade:  # store the grade of unchanged documents: no re-chunking, no re-embedding
            catalog.set_study_designs(batch.regrade)
            result.regraded += len(batch.regrade)
        bar.advance(len(batch.docs), sum(by_tier.values()))
        _track_batch(tracker, batch.docs, batch.todo, by_tier)
        tracker.write()
        publisher.maybe_publish()
        batches += 1
        if on_batch is not None and batch.todo:
            on_batch(batches)

    try:
        reading = time.monotonic()
        for docs in _batched(_with_source(src.documents, src.report), DOCS_PER_BATCH, CHARS_PER_BATCH):
            result.add_seconds("read", time.monotonic() - reading)
            todo: list[tuple[Document, str, str | None]] = []
            regrade: dict[str, str] = {}
            for doc, source in docs:
                if doc.doc_id in seen:
                    # Two records claiming one id: keep the first, count the second as an issue.
                    result.issues.append(f"duplicate doc_id {doc.doc_id!r} skipped")
                    continue
                seen.add(doc.doc_id)
                fp = doc.fingerprint()
                old = known.get(doc.doc_id)
                if old == fp:
                    result.unchanged += 1
                    if doc.doc_id in ungraded:
                        regrade[doc.doc_id] = graded(doc).meta["study_design"]
                    continue
                todo.append((graded(doc), fp, source))
            with result.timed("chunk"):
                batch = _prepare_batch(embedder, settings, params, docs, todo, regrade)
            if pending is not None:
                finish(pending)
            pending = batch
            reading = time.monotonic()
        if pending is not None:
            finish(pending)
    finally:
        bar.close()
    if src.report is not None:
        result.issues.extend(getattr(src.report, "issues", []))
    return seen


def _track_batch(
    tracker: ProgressTracker,
    docs: Sequence[tuple[Document, str | None]],
    todo: Sequence[tuple[Document, str, str | None]],
    chunks_by_tier: dict[str, int],
) -> None:
    """Count a batch's documents (read and embedded) and chunks per tier."""
    read: dict[str, int] = {}
    for doc, _ in docs:
        read[doc.tier.value] = read.get(doc.tier.value, 0) + 1
    embedded: dict[str, int] = {}
    for doc, _, _ in todo:
        embedded[doc.tier.value] = embedded.get(doc.tier.value, 0) + 1
    for tier in sorted(set(read) | set(embedded)):
        tracker.documents(tier, read.get(tier, 0), embedded.get(tier, 0), chunks_by_tier.get(tier, 0))


def graded(doc: Document) -> Document:
    """The document with its study design (research tier) in its metadata, graded once here from the
    whole record so every chunk carries the same design (issue 17 item 3).  Applied after the
    fingerprint, so a grading change never forces re-embedding."""
    design = document_study_design(doc)
    if design is None:
        return doc
    return replace(doc, meta={**doc.meta, "study_design": design.value})


@dataclass
class _Batch:
    """One batch on its way in: read, chunked, its vectors being encoded (`vectors()` waits)."""

    docs: Sequence[tuple[Document, str | None]]
    todo: list[tuple[Document, str, str | None]]
    regrade: dict[str, str]
    per_doc: list[tuple[Document, str, list[Chunk]]]
    sources: list[str | None]
    vectors: Callable[[], Any]


def _prepare_batch(
    embedder: Embedder,
    settings: Settings,
    params: ChunkParams,
    docs: Sequence[tuple[Document, str | None]],
    todo: list[tuple[Document, str, str | None]],
    regrade: dict[str, str],
) -> _Batch:
    """Chunk the batch's new or changed documents and start encoding them."""
    per_doc = [(doc, fp, chunk_document(doc, params)) for doc, fp, _ in todo]
    chunks = [c for _, _, cs in per_doc for c in cs]
    return _Batch(
        docs,
        todo,
        regrade,
        per_doc,
        [source for _, _, source in todo],
        _start_encoding(embedder, chunks, settings),
    )


def _start_encoding(embedder: Embedder, chunks: Sequence[Chunk], settings: Settings) -> Callable[[], Any]:
    """Hand the chunks to an encoder that works in the background (`submit`); an in-process encoder
    encodes them when the batch commits (as if nothing ran ahead)."""
    submit = getattr(embedder, "submit", None)
    if callable(submit):
        return submit([c.embed_text for c in chunks])  # type: ignore[no-any-return]
    return lambda: embed_chunks(embedder, chunks, settings.index.embed_batch_size)


def _commit_batch(
    catalog: Catalog,
    store: VectorStore,
    batch: _Batch,
    known: dict[str, str],
    result: IngestResult,
    written: dict[str, Any],
) -> dict[str, int]:
    """Upsert to Chroma, commit catalog, then drop stale vectors (module docstring order); returns the
    chunks written per tier."""
    per_doc = batch.per_doc
    chunks = [c for _, _, cs in per_doc for c in cs]
    old_ids = catalog.chunk_ids_for([d.doc_id for d, _, _ in batch.todo if d.doc_id in known])
    # Every chunk of a changed document is re-embedded: an unchanged chunk id can still need a new
    # vector, because embed_text includes the document title, which the id does not hash.
    with result.timed("encode"):
        vectors = batch.vectors()
    with result.timed("chroma"):
        if chunks:
            store.upsert(chunks, vectors)
    written.update(zip((c.chunk_id for c in chunks), vectors, strict=True))
    with result.timed("catalog"):
        catalog.replace_documents(per_doc, batch.sources)
    new_ids = {c.chunk_id for c in chunks}
    stale = [cid for ids in old_ids.values() for cid in ids if cid not in new_ids]
    if stale:
        with result.timed("chroma"):
            store.delete(stale)
    for doc, fp, _ in per_doc:
        if doc.doc_id in known:
            result.updated += 1
        else:
            result.added += 1
        known[doc.doc_id] = fp
    result.chunks_embedded += len(chunks)
    by_tier: dict[str, int] = {}
    for doc, _, doc_chunks in per_doc:
        by_tier[doc.tier.value] = by_tier.get(doc.tier.value, 0) + len(doc_chunks)
    return by_tier


def _delete_missing(
    catalog: Catalog, store: VectorStore, src: _CorpusInput, seen: set[str], result: IngestResult
) -> None:
    """Delete documents no longer in the corpus from the catalog (first, the truth) and then Chroma."""
    # A file that failed as a whole (missing, truncated, unparseable) or in part (a record that no longer
    # parses) makes its documents look gone although the source still has them: keep those until the
    # file reads cleanly again, so a broken export never deletes indexed documents (issue 9).
    failed = {getattr(i, "file", None) for i in getattr(src.report, "issues", [])}
    sources = catalog.source_files()
    kept = sorted(d for d in set(sources) - seen if sources[d] in failed)
    if kept:
        files = sorted({sources[d] or "(unknown file)" for d in kept})
        result.notes.append(
            f"kept {len(kept)} previously indexed document(s) of unreadable or partly unreadable "
            f"corpus files: {files}"
        )
    gone = sorted(set(sources) - seen - set(kept))
    if not gone:
        return
    removed = catalog.delete_documents(gone)
    if removed:
        store.delete(removed)
    result.deleted = len(gone)
