"""Tier-aware retrieval: per-tier searches with merged filters, de-duplication, in-tier ranking."""

from __future__ import annotations

from qa_fakes import DERMATOMYOSITIS, MemoryRetriever, chunk, hit

from medcite.settings import RetrievalSettings
from medcite.types import TIERS, SearchFilters, Tier
from qa.answer_retrieval import rank_within_tier, remove_near_duplicates, retrieve_by_tier

RETRIEVAL = RetrievalSettings()


def test_each_tier_searched_with_user_filters_merged() -> None:
    r = MemoryRetriever(DERMATOMYOSITIS)
    user = SearchFilters(collections=("ngc", "spl", "bioasq"), year_min=2010)
    out = retrieve_by_tier(r, "dermatomyositis treatment", RETRIEVAL, filters=user)
    assert [f.tiers for _, _, f in r.calls] == [(t,) for t in TIERS]
    assert all(f.collections == user.collections and f.year_min == 2010 for _, _, f in r.calls)
    assert set(out) == {Tier.GUIDELINE, Tier.DRUG_LABEL, Tier.RESEARCH}
    assert all(h.chunk.tier is tier for tier, hs in out.items() for h in hs)


def test_user_tier_filter_skips_other_tiers() -> None:
    r = MemoryRetriever(DERMATOMYOSITIS)
    out = retrieve_by_tier(r, "dermatomyositis", RETRIEVAL, filters=SearchFilters(tiers=(Tier.PATIENT_INFO,)))
    assert list(out) == [Tier.PATIENT_INFO] and len(r.calls) == 1


def test_near_duplicates_removed_keeping_the_best() -> None:
    a = chunk("Prednisone is the first-line treatment for dermatomyositis in adults.", doc="a")
    b = chunk("Prednisone is the first line treatment for dermatomyositis in adults", doc="b")
    c = chunk("Methotrexate spares steroids.", doc="c")
    kept = remove_near_duplicates([hit(a, 3, 1), hit(b, 2, 2), hit(c, 1, 3)], RETRIEVAL.duplicate_ratio)
    assert [h.doc_id for h in kept] == ["a", "c"]


def test_rank_relevance_band_then_level_then_recency() -> None:
    old_rct = chunk("x", title="A randomised controlled trial", year=2001, doc="rct-old")
    new_rct = chunk("y", title="A randomised controlled trial of y", year=2020, doc="rct-new")
    review = chunk("z", title="Z: a systematic review", year=2010, doc="sr")
    weak = chunk("w", title="Leptin", year=2022, doc="weak")
    ranked = rank_within_tier(
        [hit(old_rct, 10.0, 1), hit(new_rct, 9.95, 2), hit(review, 9.9, 3), hit(weak, 1.0, 4)],
        RETRIEVAL.relevance_band,
    )
    assert [h.doc_id for h in ranked] == ["sr", "rct-new", "rct-old", "weak"]
    assert [h.rank for h in ranked] == [1, 2, 3, 4]
