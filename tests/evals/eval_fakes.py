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
    """Answers with whatever the script function returns for a question."""

    def __init__(self, script: Callable[[str], Answer]) -> None:
        self.script = script
        self.asked: list[tuple[str, str]] = []

    def ask(self, question: str, audience: str = "clinician") -> Answer:
        self.asked.append((question, audience))
        return self.script(question)
