"""A small fake answer engine for the web-chat tests: builds `Answer` records by hand from a few
fixture chunks (one of them hostile), streams them section by section, rewrites follow-ups."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from medcite.types import (
    Answer,
    AnswerSection,
    Audience,
    Chunk,
    Citation,
    EvidenceLevel,
    Hit,
    SearchFilters,
    Statement,
    StudyDesign,
    Tier,
    answer_content_id,
    content_hash,
)

HOSTILE_TITLE = "Dermatomyositis <script>window.__pwned=1</script>"
HOSTILE_TEXT = (
    "Intravenous immunoglobulin is effective in refractory dermatomyositis. "
    '<img src=x onerror="window.__pwned=1;alert(1)"> See [x](javascript:alert(1)) for more. '
    "<script>alert('xss')</script>"
)

DISCLAIMERS: dict[str, str] = {
    "clinician": "For health professionals: this summary supports, and does not replace, clinical judgement.",
    "patient": "This is general information, not medical advice. Talk to your doctor about your situation.",
}


def _chunk(n: int, tier: Tier, title: str, text: str, **kw: Any) -> Chunk:
    return Chunk(
        chunk_id=content_hash(title, text),
        doc_id=f"doc-{n}",
        tier=tier,
        collection=kw.pop("collection", tier.value),
        title=title,
        section=kw.pop("section", ""),
        text=text,
        ordinal=0,
        **kw,
    )


CHUNKS: tuple[Chunk, ...] = (
    _chunk(
        1,
        Tier.GUIDELINE,
        "Management of idiopathic inflammatory myopathies",
        "Systemic corticosteroids are first-line treatment for dermatomyositis. "
        "Prednisone is usually started at 1 mg/kg/day.",
        publisher="American College of Rheumatology",
        year=2022,
        url="https://example.org/guideline",
    ),
    _chunk(
        2,
        Tier.DRUG_LABEL,
        "PREDNISONE tablets",
        "Prednisone is indicated for dermatomyositis and polymyositis. Initial dosage varies from 5 to 60 mg "
        "per day.",
        section="Indications and Usage",
        publisher="Example Pharma",
        date="2023-04-01",
        year=2023,
        url="javascript:alert(1)",
    ),
    _chunk(3, Tier.RESEARCH, HOSTILE_TITLE, HOSTILE_TEXT, publisher="J Hostile Res", year=2021, url=None),
    _chunk(
        4,
        Tier.RESEARCH,
        "Methotrexate as a steroid-sparing agent in dermatomyositis: a randomised trial",
        "Methotrexate reduced cumulative steroid dose in adults with dermatomyositis.",
        publisher="Rheumatology",
        year=2019,
        url="http://example.org/rct",
    ),
)

EVIDENCE: tuple[EvidenceLevel, ...] = (
    EvidenceLevel(label="Guideline · ACR 2022", grade="B"),
    EvidenceLevel(label="FDA label · Indications and Usage"),
    EvidenceLevel(label="Level 5 · narrative review", level=5, study_design=StudyDesign.NARRATIVE_REVIEW),
    EvidenceLevel(label="Level 2", level=2, study_design=StudyDesign.RCT),
)

FOLLOW_UPS = (
    "What are the side effects of prednisone?",
    "How is treatment response monitored?",
    "What about in children?",
)


def _topic(previous: Sequence[Answer | str]) -> str | None:
    if not previous:
        return None
    first = previous[0] if isinstance(previous[0], str) else previous[0].question
    return first.rstrip("?").split(" for ")[-1]


class FakeEngine:
    """Answers every medical question from the four fixture chunks; abstains on 'capital of France'."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        # When set, the final answer waits for this event, so a test can see the partial answer.
        self.gate: threading.Event | None = None

    def ask_stream(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Any = None,
        filters: SearchFilters | None = None,
    ) -> Iterator[Answer]:
        previous: list[Answer | str] = list(conversation or [])
        self.calls.append(
            {"question": question, "audience": audience, "filters": filters, "previous": previous}
        )
        topic = _topic(previous)
        rewritten = f"{question.rstrip('?')} {topic}" if topic and topic not in question else question
        base = Answer(
            answer_id=content_hash(question, audience, str(len(previous))),
            question=question,
            rewritten_query=rewritten,
            audience=audience,
            abstained=False,
            emergency=False,
            sections=(),
            citations=(),
            disclaimer=DISCLAIMERS[audience],
            evidence_as_of="guideline 2022; label 2023-04-01; research 2021",
        )
        if "capital of france" in question.lower():
            yield _replace(
                base,
                abstained=True,
                notices=("The sources do not cover this question.",),
                closest_topics=("Dermatomyositis",),
            )
            return
        if "chest pain" in question.lower():
            yield _replace(base, emergency=True, notices=("Call 911 now: chest pain can be a heart attack.",))
            return
        citations = tuple(
            Citation(n=i + 1, hit=Hit(c, 1.0 / (i + 1), "hybrid", i + 1), evidence=e)
            for i, (c, e) in enumerate(zip(CHUNKS, EVIDENCE, strict=True))
        )
        plain = audience == "patient"
        sections = (
            AnswerSection(
                Tier.GUIDELINE,
                Tier.GUIDELINE.heading,
                Statement(
                    "Steroids are the first medicine doctors use."
                    if plain
                    else "The 2022 ACR guideline recommends systemic corticosteroids first line [1].",
                    (1,),
                ),
                (
                    Statement(
                        "Prednisone is usually started at 1 mg/kg/day.",
                        (1, 2),
                        group="Key treatment components",
                    ),
                ),
            ),
            AnswerSection(
                Tier.DRUG_LABEL,
                Tier.DRUG_LABEL.heading,
                Statement("Prednisone is indicated for dermatomyositis.", (2,)),
                (Statement("Initial dosage varies from 5 to 60 mg per day.", (2,), group="Dosing"),),
            ),
            AnswerSection(
                Tier.RESEARCH,
                Tier.RESEARCH.heading,
                Statement("Methotrexate reduced cumulative steroid dose in adults.", (4,)),
                (
                    Statement(HOSTILE_TEXT, (3,), group="Refractory disease", support=0.4, flagged=True),
                    Statement("Cited twice and missing.", (4, 9), group="Refractory disease"),
                ),
            ),
        )
        # Stream like the real engine: first section with its citations, then the rest.
        first = _replace(base, sections=sections[:1], citations=citations[:2])
        yield first
        if self.gate is not None:
            self.gate.wait(timeout=30)
        yield _replace(base, sections=sections, citations=citations, follow_ups=FOLLOW_UPS)


def _replace(answer: Answer, **changes: Any) -> Answer:
    """`answer` with `changes`, under its content id (as the real engine gives it)."""
    from dataclasses import replace

    changed = replace(answer, **changes)
    return replace(changed, answer_id=answer_content_id(changed))


def list_conversation(previous: Sequence[Answer | str]) -> list[Answer | str]:
    """Conversation factory for the fake engine: just the earlier answers (or API questions)."""
    return list(previous)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
