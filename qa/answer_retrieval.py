"""Tier-aware retrieval for answering.

Each tier gets its own candidates (one filtered search per tier), so a relevant guideline or label
section is not crowded out by the far more numerous research abstracts. Near-duplicate passages are
removed, and inside a tier hits are ranked by relevance band, then evidence level, then recency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from rapidfuzz import fuzz

from medcite.settings import RetrievalSettings
from medcite.types import TIERS, Hit, QueryRewrite, SearchFilters, Tier
from qa.base import Retriever
from qa.grading import evidence_rank, recency

# The knobs (passages per tier, candidates per tier, near-duplicate ratio, relevance band) are
# `settings.retrieval`; their comments there say where each number came from.


@dataclass(frozen=True)
class RetrievedEvidence:
    """What the engine retrieved for one question, before any answering decision.

    `by_tier` holds each tier's ranked passages (the quotas of `retrieve_by_tier`); `hits` is the same
    passages flattened in the order the engine hands them to the composer (tiers in the audience's
    display order, each tier's ranking inside), ranks renumbered from 1 across the whole list.
    `query` is the text actually searched (rewritten follow-up plus expansion); it is empty, and
    nothing was retrieved, when the question was judged keyboard noise (`gibberish`).
    """

    question: str
    rewritten: str
    query: str
    audience: str
    by_tier: Mapping[Tier, Sequence[Hit]]
    hits: tuple[Hit, ...]
    known_fraction: float | None = None
    gibberish: bool = False
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    # How the question was understood (issue 16: filler, spelling, names); None from older callers.
    understood: QueryRewrite | None = None


def flatten_by_tier(by_tier: Mapping[Tier, Sequence[Hit]], order: Sequence[Tier]) -> tuple[Hit, ...]:
    """One ranked list from per-tier rankings: tiers in `order`, ranks renumbered 1..n."""
    flat = [h for tier in order for h in by_tier.get(tier, ())]
    return tuple(replace(h, rank=i) for i, h in enumerate(flat, start=1))


class Reranker(Protocol):
    """Slot for a cross-encoder reranker (none ships offline today)."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


def tier_filters(tier: Tier, user: SearchFilters | None) -> SearchFilters | None:
    """The user's filters restricted to one tier, or None when the user excluded that tier."""
    user = user or SearchFilters()
    if user.tiers and tier not in user.tiers:
        return None
    return SearchFilters(
        tiers=(tier,), collections=user.collections, year_min=user.year_min, year_max=user.year_max
    )


def remove_near_duplicates(hits: Sequence[Hit], threshold: float) -> list[Hit]:
    """Keep the first (best) of any group of near-identical passages (rapidfuzz token_sort_ratio
    at or above `threshold`)."""
    kept: list[Hit] = []
    for hit in hits:
        text = hit.chunk.text
        if any(
            k.chunk.chunk_id == hit.chunk.chunk_id or fuzz.token_sort_ratio(text, k.chunk.text) >= threshold
            for k in kept
        ):
            continue
        kept.append(hit)
    return kept


def rank_within_tier(hits: Sequence[Hit], band_width: float) -> list[Hit]:
    """Relevance band (`band_width` of the score spread) first, then evidence level, then recency;
    ranks renumbered from 1."""
    if not hits:
        return []
    top = max(h.score for h in hits)
    low = min(h.score for h in hits)
    span = (top - low) or 1.0

    def key(h: Hit) -> tuple[int, int, str, int]:
        band = int((top - h.score) / span / band_width) if top != low else 0
        return (band, evidence_rank(h.chunk), _desc(recency(h.chunk)), h.rank)

    ordered = sorted(hits, key=key)
    return [replace(h, rank=i) for i, h in enumerate(ordered, start=1)]


def _desc(date: str) -> str:
    """Map a date string to one that sorts newest first (unknown dates last)."""
    if not date:
        return "~"
    return "".join(chr(0x7E - (ord(c) - 0x20)) if 0x20 <= ord(c) <= 0x7E else c for c in date)


def retrieve_by_tier(
    retriever: Retriever,
    query: str,
    retrieval: RetrievalSettings,
    *,
    filters: SearchFilters | None = None,
    tiers: Sequence[Tier] = TIERS,
    reranker: Reranker | None = None,
) -> dict[Tier, list[Hit]]:
    """Ranked, de-duplicated hits for every tier the filters allow (empty tiers omitted)."""
    out: dict[Tier, list[Hit]] = {}
    per_tier, candidates = retrieval.per_tier, retrieval.tier_candidates
    for tier in tiers:
        tf = tier_filters(tier, filters)
        if tf is None:
            continue
        hits = [h for h in retriever.search(query, k=candidates, filters=tf) if tf.accepts(h.chunk)]
        if reranker is not None:
            hits = reranker.rerank(query, hits)
        hits = remove_near_duplicates(hits, retrieval.duplicate_ratio)[: per_tier * 2]
        ranked = rank_within_tier(hits, retrieval.relevance_band)[:per_tier]
        if ranked:
            out[tier] = ranked
    return out
