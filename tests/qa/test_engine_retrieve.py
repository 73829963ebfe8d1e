"""AnswerEngine.retrieve: the passages `ask` answers from, through one retrieval path."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.embedding import HashingEmbedder
from medcite.settings import load_settings
from medcite.types import Chunk, Hit, SearchFilters, Tier
from qa.engine import AnswerEngine

TEXTS = {
    Tier.RESEARCH: "Metformin lowers blood glucose in adults with type 2 diabetes in a randomised trial.",
    Tier.GUIDELINE: "Guideline: metformin is the first-line therapy for type 2 diabetes in adults.",
    Tier.PATIENT_INFO: "Metformin is a medicine that helps control blood sugar in type 2 diabetes.",
}
CHUNKS = [
    Chunk(
        chunk_id=f"c{i}",
        doc_id=f"d{i}",
        tier=tier,
        collection="t",
        title=f"d{i}",
        section="",
        text=text,
        ordinal=0,
    )
    for i, (tier, text) in enumerate(TEXTS.items())
]


class Overlap:
    name = "overlap"

    def __init__(self) -> None:
        self.queries: list[str] = []

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        self.queries.append(query)
        words = set(query.lower().split())
        pool = [c for c in CHUNKS if filters is None or filters.accepts(c)]
        scored = sorted(pool, key=lambda c: -len(words & set(c.text.lower().split())))
        return [
            Hit(chunk=c, score=1.0 / (i + 1), retriever="overlap", rank=i + 1)
            for i, c in enumerate(scored[:k])
        ]


@pytest.fixture()
def engine(tmp_path: Path) -> AnswerEngine:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    return AnswerEngine(Overlap(), settings, embedder=HashingEmbedder())


def test_retrieve_returns_per_tier_hits_and_one_flat_ranking_in_audience_order(engine: AnswerEngine) -> None:
    ev = engine.retrieve("Does metformin lower blood glucose in type 2 diabetes?")
    assert set(ev.by_tier) == set(TEXTS) and not ev.gibberish and ev.query
    assert [h.rank for h in ev.hits] == list(range(1, len(ev.hits) + 1))
    assert [h.chunk.tier for h in ev.hits][0] is Tier.GUIDELINE  # clinician order: guidelines first
    patient = engine.retrieve("Does metformin lower blood glucose in type 2 diabetes?", "patient")
    assert patient.hits[0].chunk.tier is Tier.PATIENT_INFO


def test_ask_retrieves_through_retrieve_and_accepts_its_evidence(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = "Does metformin lower blood glucose in type 2 diabetes?"
    calls: list[str] = []
    real = engine.retrieve

    def spy(*a, **kw):  # type: ignore[no-untyped-def]
        calls.append(a[0])
        return real(*a, **kw)

    monkeypatch.setattr(engine, "retrieve", spy)
    fresh = engine.ask(q)
    assert calls == [q]
    ev = real(q)
    searches = len(engine.retriever.queries)  # type: ignore[attr-defined]
    again = engine.ask(q, evidence=ev)
    assert len(engine.retriever.queries) == searches  # type: ignore[attr-defined]  # no second search
    assert again.sections == fresh.sections and again.answer_id == fresh.answer_id
    cited = {c.chunk.chunk_id for c in again.citations}
    assert cited and cited <= {h.chunk_id for h in ev.hits}
    with pytest.raises(ValueError):
        engine.ask("What is warfarin?", evidence=ev)


def test_noise_retrieves_nothing(engine: AnswerEngine) -> None:
    ev = engine.retrieve("asdkjh qwpoeiru zxmcnv")
    assert ev.gibberish and ev.hits == () and ev.query == ""
    assert engine.ask("asdkjh qwpoeiru zxmcnv").abstained


def test_ask_abstains_exactly_when_judge_says_so(engine: AnswerEngine) -> None:
    for q in (
        "Does metformin lower blood glucose in type 2 diabetes?",
        "What is the capital of Australia?",
        "asdkjh qwpoeiru zxmcnv",
        "Does quallistimab cause liver failure in children?",
    ):
        judgement = engine.judge(engine.retrieve(q))
        assert engine.ask(q).abstained == (judgement.abstain is not None), q
    answered = engine.judge(engine.retrieve("Does metformin lower blood glucose in type 2 diabetes?"))
    assert answered.abstain is None and answered.confidence >= engine.settings.composer.abstain_threshold
    assert engine.judge(engine.retrieve("asdkjh qwpoeiru zxmcnv")).abstain == "non_medical"
