"""Small fakes for eval tests: a keyword retriever over in-memory chunks and a scripted answer engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from medcite.types import (
    Answer,
    AnswerSection,
    Chunk,
    Citation,
    EvidenceLevel,
    Hit,
    SearchFilters,
    Statement,
    Tier,
)
from qa.answer_retrieval import RetrievedEvidence


def chunk(doc_id: str, text: str, *, tier: Tier = Tier.RESEARCH, **meta: str) -> Chunk:
    return Chunk(
        chunk_id=f"c-{doc_id}-{abs(hash(text)) % 10000}",
        doc_id=doc_id,
        tier=tier,
        collection="test",
        title=doc_id,
        section="",
        text=text,
        ordinal=0,
        meta=dict(meta),
    )


def hits(chunks: Sequence[Chunk]) -> list[Hit]:
    return [Hit(chunk=c, score=1.0 / (i + 1), retriever="fake", rank=i + 1) for i, c in enumerate(chunks)]


class WordOverlapRetriever:
    """Ranks chunks by how many query words they contain (ties: corpus order)."""

    name = "fake"

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        words = set(query.lower().split())
        scored = [(len(words & set(c.text.lower().split())), i, c) for i, c in enumerate(self.chunks)]
        ranked = [c for s, _, c in sorted(scored, key=lambda t: (-t[0], t[1])) if s > 0][:k]
        return hits(ranked)


def answer(
    question: str,
    statements: Sequence[tuple[str, tuple[int, ...]]] = (),
    *,
    cited: Sequence[Chunk] = (),
    abstained: bool = False,
    tier: Tier = Tier.RESEARCH,
    support: float = 1.0,
) -> Answer:
    sts = [Statement(text=t, citations=c, support=support) for t, c in statements]
    sections = (
        (AnswerSection(tier=tier, heading=tier.heading, lead=sts[0], bullets=tuple(sts[1:])),) if sts else ()
    )
    cits = tuple(
        Citation(n=i + 1, hit=h, evidence=EvidenceLevel(label="test")) for i, h in enumerate(hits(cited))
    )
    return Answer(
        answer_id="a",
        question=question,
        rewritten_query=question,
        audience="clinician",
        abstained=abstained,
        emergency=False,
        sections=sections,
        citations=cits,
        disclaimer="",
    )


class ScriptedEngine:
    """Answers with whatever the script function returns for a question; `retrieve` returns what
    its retriever finds (nothing without one), as the engine's own retrieval."""

    def __init__(
        self, script: Callable[[str], Answer], retriever: WordOverlapRetriever | None = None
    ) -> None:
        self.script = script
        self.retriever = retriever
        self.asked: list[tuple[str, str]] = []
        self.retrieved: list[str] = []
        self.given_evidence: list[RetrievedEvidence | None] = []

    def retrieve(self, question: str, audience: str = "clinician") -> RetrievedEvidence:
        self.retrieved.append(question)
        found = self.retriever.search(question, k=20) if self.retriever else []
        by_tier = {Tier.RESEARCH: found} if found else {}
        return RetrievedEvidence(question, question, question, audience, by_tier, tuple(found))

    def ask(
        self, question: str, audience: str = "clinician", *, evidence: RetrievedEvidence | None = None
    ) -> Answer:
        self.asked.append((question, audience))
        self.given_evidence.append(evidence)
        return self.script(question)
