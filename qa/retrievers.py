"""BM25, dense and hybrid retrievers over an open Index: hybrid fuses the two by a learned ranker
where one ships for the encoder (qa.fusion_ranker), else by reciprocal rank."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from index.keyword import indexed_terms
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Candidate, Chunk, Hit, SearchFilters
from qa import fusion_ranker as fr
from qa.base import Retriever

RetrievalMode = Literal["bm25", "dense", "hybrid"]


class SearchableIndex(Protocol):
    """The part of index.Index the retrievers use (lets tests pass a small stand-in)."""

    def bm25_search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]: ...

    def dense_search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]: ...

    def get_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]: ...


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(d) = sum over lists of 1 / (k + rank_d), rank 1-based.

    Cormack, Clarke & Buettcher, "Reciprocal Rank Fusion outperforms Condorcet and individual rank
    learning methods", SIGIR 2009 (k = 60 there).  Ties keep the order of first appearance, so the
    result is deterministic.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    scores: dict[str, float] = {}
    for ranking in rankings:
        seen: set[str] = set()
        for rank, doc in enumerate(ranking, start=1):
            if doc in seen:  # a duplicate inside one list counts once, at its best rank
                continue
            seen.add(doc)
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    order = {doc: i for i, doc in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def per_document(hits: Sequence[Hit], k: int, per_doc: int = 1) -> list[Hit]:
    """The best `per_doc` passages of each document, in rank order, re-ranked 1..k.

    A long document cut into overlapping chunks otherwise fills a result list with near-copies of
    itself; a reader scanning results wants documents.
    """
    taken: dict[str, int] = {}
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.rank):
        if taken.get(hit.doc_id, 0) >= per_doc:
            continue
        taken[hit.doc_id] = taken.get(hit.doc_id, 0) + 1
        out.append(replace(hit, rank=len(out) + 1))
        if len(out) >= k:
            break
    return out


def _hits(
    index: SearchableIndex,
    scored: Sequence[tuple[str, float]],
    name: str,
    k: int,
    chunks: Mapping[str, Chunk] | None = None,
) -> list[Hit]:
    """Scored ids -> Hits with full chunks (ids the catalog lacks are skipped, never misattributed);
    `chunks` already fetched are not fetched again."""
    top = list(scored)[:k]
    if chunks is None:
        chunks = index.get_chunks([cid for cid, _ in top])
    hits: list[Hit] = []
    for cid, score in top:
        chunk = chunks.get(cid)
        if chunk is not None:
            hits.append(Hit(chunk=chunk, score=float(score), retriever=name, rank=len(hits) + 1))
    return hits


class Bm25Retriever:
    """Keyword retrieval (bm25s, English stemming and stopwords)."""

    name = "bm25"

    def __init__(self, index: SearchableIndex) -> None:
        self.index = index

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        return _hits(self.index, self.index.bm25_search(query, k, filters), self.name, k)


class DenseRetriever:
    """Embedding retrieval (cosine similarity in Chroma)."""

    name = "dense"

    def __init__(self, index: SearchableIndex) -> None:
        self.index = index

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        return _hits(self.index, self.index.dense_search(query, k, filters), self.name, k)


class HybridRetriever:
    """BM25 + dense fused by reciprocal rank; each side contributes `candidates` ids.

    On the BioASQ snippet corpus RRF(k=60) beat either side alone (nDCG@10 0.798 vs 0.749 BM25,
    0.723 dense; STACK.md).  Hit.score is the fused RRF score.
    """

    name = "hybrid"

    def __init__(self, index: SearchableIndex, *, rrf_k: int, candidates: int) -> None:
        self.index = index
        self.rrf_k = rrf_k
        self.candidates = candidates

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        n = max(k, self.candidates)
        sparse = [cid for cid, _ in self.index.bm25_search(query, n, filters)]
        dense = [cid for cid, _ in self.index.dense_search(query, n, filters)]
        return _hits(self.index, reciprocal_rank_fusion([sparse, dense], self.rrf_k), self.name, k)


class LearnedHybridRetriever:
    """BM25 + dense fused by a learned linear ranker (qa.fusion_ranker) over both retrievers' top
    `candidates`. Searches restricted to tiers the ranker did not learn (it learned research
    abstracts from BioASQ; a drug label or patient page is asked for by name, where its features
    would favour one document's many passages over the name), and an index without a local dense
    matrix, use `fallback` (RRF)."""

    name = "hybrid"

    def __init__(
        self, index: SearchableIndex, ranker: fr.LinearRanker, *, candidates: int, fallback: Retriever
    ) -> None:
        self.index = index
        self.ranker = ranker
        self.candidates = candidates
        self.fallback = fallback

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        if not self.ranker.applies_to(filters):
            return self.fallback.search(query, k, filters)
        found = candidate_features(self.index, query, max(k, self.candidates), filters)
        if found is None:
            return self.fallback.search(query, k, filters)
        known, matrix, chunks = found
        return _hits(self.index, fr.rank(self.ranker, known, matrix), self.name, k, chunks)


def candidate_features(
    index: SearchableIndex, query: str, n: int, filters: SearchFilters | None = None
) -> tuple[list[Candidate], np.ndarray, dict[str, Chunk]] | None:
    """The index's candidate pool for a query (`Index.candidate_pool`), the candidates the catalog
    knows with their fusion-ranker features, and their chunks; None where the index has no pool
    (no local dense matrix). The learned retriever ranks these; `medcite model ranker` fits on them."""
    pool_of = getattr(index, "candidate_pool", None)
    pool = pool_of(query, n, filters) if pool_of is not None else None
    if pool is None:
        return None
    chunks = index.get_chunks([c.chunk_id for c in pool.candidates])
    known, matrix = fr.feature_matrix(indexed_terms(query), pool, chunks, indexed_terms)
    return known, matrix, chunks


def fusion_ranker(settings: Settings) -> fr.LinearRanker | None:
    """The ranker trained for the configured encoder, when fusion is "learned" and one ships."""
    if settings.retrieval.fusion != "learned":
        return None
    from embedding.models import canonical_name

    path = fr.ranker_path(canonical_name(settings.index.embedding_model))
    return _load_ranker(path) if path.is_file() else None


@functools.lru_cache(maxsize=4)
def _load_ranker(path: Path) -> fr.LinearRanker:
    return fr.LinearRanker.load(path)


def make_retriever(index: SearchableIndex, mode: str, settings: Settings) -> Retriever:
    """The retriever for a mode name ("bm25", "dense" or "hybrid"; hybrid follows
    `retrieval.fusion`)."""
    if mode == "bm25":
        return Bm25Retriever(index)
    if mode == "dense":
        return DenseRetriever(index)
    if mode == "hybrid":
        rrf = HybridRetriever(index, rrf_k=settings.retrieval.rrf_k, candidates=settings.retrieval.candidates)
        ranker = fusion_ranker(settings)
        if ranker is None:
            return rrf
        return LearnedHybridRetriever(index, ranker, candidates=settings.retrieval.candidates, fallback=rrf)
    raise MedCiteError(f"Unknown retrieval mode {mode!r}.", hint="Use one of: bm25, dense, hybrid.")
