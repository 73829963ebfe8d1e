"""Open a built index for querying: manifest check, BM25 + dense search, chunk lookup, stats.

Querying never builds or repairs anything (STYLE.md item 4): a missing or mismatched index is a
user-facing error naming the fix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from embedding.factory import embedder_from_settings
from embedding.query_cache import CachedQueryEmbedder
from index.catalog import Catalog
from index.corpus_stats import LEXICON_COLLECTION, CorpusStats
from index.dense_matrix import load_dense_matrix, matrix_generation, top_k
from index.keyword import KeywordIndex, read_sidecar
from index.manifest import IndexManifest, check_manifest
from index.progress import read_progress, status_line
from index.vector_store import VectorStore
from medcite.embedding import Embedder
from medcite.errors import IndexBusyError, IndexMismatchError, IndexMissingError
from medcite.settings import Settings
from medcite.types import RANK_CAP, TIERS, Candidate, CandidatePool, Chunk, SearchFilters, Tier

_QUERY_CACHE_SIZE = 256


class Index:
    """A queryable index: catalog (chunks), BM25 keyword index and Chroma vectors.

    Safe for concurrent queries: SQLite gets one connection per thread, BM25 scoring only reads
    memory-mapped arrays, and the locks only guard small caches: the embedding model and the matrix
    product run outside them, so concurrent web-chat queries never wait on one another's encoding.
    """

    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        manifest: IndexManifest,
        embedder: Embedder,
        *,
        live: bool = False,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.manifest = manifest
        self.embedder = embedder
        # `live`: an ingest may be writing Chroma in another process (the web chat's background
        # ingest), so every dense search reads the published matrix and Chroma is never opened.
        self.live = live
        self.keyword = KeywordIndex(settings.bm25_dir)
        # Filtered dense search scores this local matrix (exact, ~12 ms) instead of a Chroma `where`
        # query (70-260 ms on the full corpus); None (absent or stale) means Chroma does it.
        self.dense_matrix = load_dense_matrix(settings.dense_dir, len(self.keyword), self.keyword.generation)
        # Dense scores of the last few queries: the engine asks one query once per tier.
        self._scores_cache = lru_cache(maxsize=8)(self._compute_scores)
        self._queries = CachedQueryEmbedder(embedder, maxsize=_QUERY_CACHE_SIZE)
        self._mask_lock = threading.Lock()
        self._mask_cache: dict[SearchFilters, np.ndarray] = {}
        self._columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @cached_property
    def vectors(self) -> VectorStore:
        """The Chroma collection, opened on first use (a live index never opens it)."""
        return VectorStore(self.settings, self.embedder)

    @property
    def generation(self) -> int:
        """The catalog generation this index's keyword and dense copies were built from."""
        return self.keyword.generation

    @property
    def corpus_hash(self) -> str:
        return self.manifest.corpus_hash or ""

    @cached_property
    def corpus_stats(self) -> CorpusStats:
        """Word statistics (from the keyword index) and the lexicon's topic records (one catalog
        query, on first use; two threads racing here both compute the same value)."""
        return CorpusStats(
            words=self.keyword,
            lexicon_records=tuple(self.catalog.lexicon_records(LEXICON_COLLECTION)),
            label_records=tuple(self.catalog.tier_records(Tier.DRUG_LABEL)),
        )

    # --- search -----------------------------------------------------------------------------

    def embed_query(self, query: str) -> np.ndarray:
        """Query vector (read-only), from a small LRU cache (follow-ups and evals repeat queries)."""
        return self._queries.embed_query(query)

    def clear_query_cache(self) -> None:
        """Forget cached query vectors and scores (benchmarks that must time the model call)."""
        self._queries.clear()
        self._scores_cache.cache_clear()

    def dense_search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine similarity), exact, from the local matrix when there is one; else from
        Chroma (its HNSW graph, or `where` when filtered). Chroma's graph at its default search breadth
        misses passages the exact search finds (BioASQ validation dense nDCG@10 0.765 vs 0.80, issue
        18). A live index without a matrix searches by keyword alone."""
        if self.dense_matrix is None:
            return [] if self.live else self.vectors.query(self.embed_query(query), k, filters)
        mask = None if filters is None or filters.is_empty else self._mask(filters)
        ids = self.keyword.chunk_ids
        return [(ids[row], score) for row, score in top_k(self._scores(query), mask, k)]

    def _scores(self, query: str) -> np.ndarray:
        """Cosine similarity of the query to every chunk (vectors are unit length); the last few are
        kept, since the engine asks one query once per tier."""
        return self._scores_cache(query)

    def _compute_scores(self, query: str) -> np.ndarray:
        assert self.dense_matrix is not None
        return np.asarray(self.dense_matrix @ self.embed_query(query), dtype=np.float32)

    def candidate_pool(
        self, query: str, n: int, filters: SearchFilters | None = None
    ) -> CandidatePool | None:
        """Both retrievers' top-n passages with both scores and ranks (qa.fusion_ranker), within the
        filters; None without the local matrix (the dense side of every candidate is needed)."""
        if self.dense_matrix is None:
            return None
        mask = None if filters is None or filters.is_empty else self._mask(filters)
        bm25 = self.keyword.scores(query)
        cosine = self._scores(query)
        if mask is not None:
            bm25 = np.where(mask, bm25, 0.0)
            cosine = np.where(mask, cosine, -np.inf)
        bm25_rank = _ranks(bm25, bm25 > 0)
        dense_rank = _ranks(cosine, np.isfinite(cosine))
        # BM25's top n, then dense's top n not already in (each dict is in rank order).
        rows = [r for r, rank in bm25_rank.items() if rank <= n]
        rows += [r for r, rank in dense_rank.items() if rank <= n and bm25_rank.get(r, n + 1) > n]
        ids = self.keyword.chunk_ids
        unranked = RANK_CAP + 1
        candidates = [
            Candidate(
                ids[r],
                float(bm25[r]),
                float(cosine[r]),
                bm25_rank.get(r, unranked),
                dense_rank.get(r, unranked),
            )
            for r in rows
        ]
        finite = cosine[np.isfinite(cosine)]
        return CandidatePool(
            tuple(candidates),
            bm25_max=float(bm25.max()) if len(bm25) else 0.0,
            cosine_max=float(finite.max()) if len(finite) else 0.0,
        )

    def bm25_search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk_id, BM25 score); filters restrict candidates before the top-k cut."""
        mask = None if filters is None or filters.is_empty else self._mask(filters)
        return self.keyword.search(query, k, mask)

    def _mask(self, filters: SearchFilters) -> np.ndarray:
        with self._mask_lock:
            cached = self._mask_cache.get(filters)
            if cached is not None:
                return cached
            tiers, collections, years = self._filter_columns()
            mask = np.ones(len(tiers), dtype=bool)
            if filters.tiers:
                mask &= np.isin(tiers, [t.value for t in filters.tiers])
            if filters.collections:
                mask &= np.isin(collections, list(filters.collections))
            # Year -1 stands for "unknown"; a year filter excludes those, like SearchFilters.accepts.
            if filters.year_min is not None:
                mask &= (years >= filters.year_min) & (years >= 0)
            if filters.year_max is not None:
                mask &= (years <= filters.year_max) & (years >= 0)
            if len(self._mask_cache) > 64:
                self._mask_cache.clear()
            self._mask_cache[filters] = mask
            return mask

    def _filter_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """tier / collection / year per BM25 position, loaded once from the catalog."""
        if self._columns is None:
            cols = self.catalog.chunk_filter_columns()
            rows = [cols.get(cid, ("", "", None)) for cid in self.keyword.chunk_ids]
            self._columns = (
                np.array([r[0] for r in rows], dtype=object),
                np.array([r[1] for r in rows], dtype=object),
                np.array([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int64),
            )
        return self._columns

    def get_chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        return self.catalog.get_chunks(ids)

    # --- reporting --------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """The `medcite status --json` shape (a live index counts the published matrix's vectors)."""
        if self.live:
            vectors = len(self.keyword) if self.dense_matrix is not None else 0
        else:
            vectors = self.vectors.count()
        return index_stats(self.settings, self.catalog, self.manifest, vectors, len(self.keyword))

    def close(self) -> None:
        self.catalog.close()


def index_stats(
    settings: Settings, catalog: Catalog, manifest: IndexManifest, vectors: int, bm25_chunks: int
) -> dict[str, Any]:
    """Counts and build parameters: `by_tier` counts documents, `chunks_by_tier` chunks."""
    by_tier = catalog.counts_by_tier()
    empty = {"documents": 0, "chunks": 0}
    return {
        "documents": catalog.count_documents(),
        "chunks": catalog.count_chunks(),
        "by_tier": {t.value: by_tier.get(t.value, empty)["documents"] for t in TIERS},
        "chunks_by_tier": {t.value: by_tier.get(t.value, empty)["chunks"] for t in TIERS},
        "corpus_hash": manifest.corpus_hash,
        "embedding_model": manifest.embedding_model,
        "dim": manifest.dim,
        "chunk_size": manifest.chunk_size,
        "chunk_overlap": manifest.chunk_overlap,
        "built_at": manifest.built_at,
        "vectors": vectors,
        "bm25_chunks": bm25_chunks,
        "store": "http" if settings.index.chroma_url else "embedded",
        "home": str(settings.home),
    }


class _NoEmbedder:
    """Stands in for the model when only counting (status must not load torch)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def embed_documents(self, texts: Any) -> np.ndarray:
        raise RuntimeError("status does not embed")

    def embed_query(self, text: str) -> np.ndarray:
        raise RuntimeError("status does not embed")


def read_manifest(settings: Settings) -> IndexManifest | None:
    """The manifest of the index under settings.home, or None when there is none (nothing built)."""
    if not settings.catalog_path.exists():
        return None
    catalog = Catalog(settings.catalog_path)
    try:
        return catalog.manifest()
    finally:
        catalog.close()


def _unfinished(settings: Settings) -> IndexMissingError:
    """No ingest has finished yet: one is running (say how far) or stopped (say how to finish it)."""
    running = read_progress(settings.home)
    if running is not None and running.alive:
        return IndexMissingError(
            "The first ingest of this index has not finished yet. " + (status_line(running) or ""),
            hint="Ask in the web chat (`make run`), which answers from what is indexed so far, or wait "
            "for the ingest to finish (`medcite status` shows how far it is).",
        )
    return IndexMissingError(f"No finished index in {settings.home}.", hint="Run `medcite ingest`.")


def _ingest_running(settings: Settings) -> IndexBusyError | None:
    """An error naming the ingest that is writing this index right now, or None."""
    running = read_progress(settings.home)
    if running is None or not running.alive:
        return None
    return IndexBusyError(
        "An ingest is adding to this index right now. " + (status_line(running) or ""),
        hint="Ask in the web chat (`make run`), which answers from what is indexed so far, or wait "
        "for the ingest to finish.",
    )


def read_index_stats(settings: Settings, *, partial: bool = False) -> dict[str, Any]:
    """Stats of the index on disk without loading the embedding model; raises like open_index.
    `partial` also counts an index whose first ingest has not finished (what `medcite status`
    shows beside the ingest's progress); the vector count is then Chroma's only when no ingest is
    writing it."""
    if not settings.catalog_path.exists():
        raise IndexMissingError(f"No index in {settings.home}.", hint="Run `medcite ingest`.")
    catalog = Catalog(settings.catalog_path)
    try:
        manifest = catalog.manifest()
        if manifest is None:
            raise _unfinished(settings)
        if not partial and (manifest.built_at is None or manifest.corpus_hash is None):
            raise _unfinished(settings)
        check_manifest(manifest, settings.index_params())
        if _ingest_running(settings) is not None:
            vectors = -1  # Chroma is being written by another process: not opened from here
        else:
            vectors = VectorStore(settings, _NoEmbedder(manifest.embedding_model, manifest.dim)).count()
        try:
            bm25 = len(KeywordIndex(settings.bm25_dir))
        except FileNotFoundError:
            bm25 = 0
        return index_stats(settings, catalog, manifest, vectors, bm25)
    finally:
        catalog.close()


def open_index(settings: Settings, embedder: Embedder | None = None, *, live: bool = False) -> Index:
    """Open the index under settings.home, or raise IndexMissingError / IndexMismatchError.

    `live` opens the last published snapshot while an ingest may still be adding to the catalog
    (the web chat's background ingest): the keyword index may be older than the catalog, Chroma is
    not opened, and the keyword copy and dense matrix must be the generation the manifest published
    (else IndexBusyError: a publish is under way, try again)."""
    if not settings.catalog_path.exists():
        raise IndexMissingError(f"No index in {settings.home}.", hint="Run `medcite ingest`.")
    catalog = Catalog(settings.catalog_path)
    manifest = catalog.manifest()
    if manifest is None or manifest.built_at is None or (not live and manifest.corpus_hash is None):
        catalog.close()
        raise _unfinished(settings)
    try:
        check_manifest(manifest, settings.index_params(), embedder.dim if embedder is not None else None)
        if not live:
            busy = _ingest_running(settings)  # it writes Chroma, which one process at a time may open
            if busy is not None:
                raise busy
            if manifest.bm25_generation != manifest.catalog_generation:
                raise IndexMismatchError(
                    "The keyword index is older than the catalog (an ingest was interrupted).",
                    hint="Run `medcite ingest` to finish it.",
                )
        if embedder is None:
            embedder = embedder_from_settings(settings)
            check_manifest(manifest, settings.index_params(), embedder.dim)
        try:
            index = Index(settings, catalog, manifest, embedder, live=live)
        except FileNotFoundError as exc:
            raise IndexMissingError(
                f"The keyword index in {settings.bm25_dir} is missing.", hint="Run `medcite ingest`."
            ) from exc
        if live and not _snapshot_settled(settings, index, manifest.bm25_generation):
            raise IndexBusyError(
                "The index is being published by the running ingest.", hint="Ask again in a moment."
            )
        return index
    except BaseException:
        catalog.close()
        raise


def _snapshot_settled(settings: Settings, index: Index, published: int | None) -> bool:
    """Whether the keyword index and the dense matrix just loaded are both of the published
    generation, read again from disk after loading: a publish that swapped a folder between reading
    its sidecar and loading its arrays would otherwise pair one generation's ids with another's
    arrays."""
    sidecar = read_sidecar(settings.bm25_dir)
    if index.generation != published or sidecar is None or sidecar.generation != published:
        return False
    return index.dense_matrix is None or matrix_generation(settings.dense_dir) == published


def _ranks(scores: np.ndarray, allowed: np.ndarray) -> dict[int, int]:
    """Row -> 1-based rank of the best RANK_CAP allowed rows (ties broken by row, deterministic)."""
    rows = np.flatnonzero(allowed)
    if rows.size > RANK_CAP:
        rows = rows[np.argpartition(-scores[rows], RANK_CAP - 1)[:RANK_CAP]]
    rows = rows[np.lexsort((rows, -scores[rows]))]
    return {int(r): i for i, r in enumerate(rows, start=1)}
