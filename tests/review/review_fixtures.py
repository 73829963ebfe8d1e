"""Answer builders shared by the review tests (imported by conftest and the concurrency test)."""

from __future__ import annotations

from dataclasses import replace

from medcite.types import (
    Answer,
    AnswerSection,
    Chunk,
    Citation,
    EvidenceLevel,
    Hit,
    Statement,
    StudyDesign,
    Tier,
    answer_content_id,
    content_hash,
)

REVIEWER = "Dr Ada Lovelace"
PASSWORD = "correct horse battery"


def build_answer(
    question: str = "What is the treatment for dermatomyositis?",
    *,
    audience: str = "clinician",
    corpus_hash: str = "corpus-v1",
    rewritten_query: str | None = None,
    salt: str = "",
) -> Answer:
    """A small but complete Answer: two tiers, two citations with passages and evidence levels."""
    guideline = Chunk(
        chunk_id=content_hash("g", question, salt),
        doc_id="ngc-1",
        tier=Tier.GUIDELINE,
        collection="ngc",
        title="Dermatomyositis management guideline",
        section="Major Recommendations",
        text="Systemic corticosteroids are first-line therapy for dermatomyositis.",
        ordinal=0,
        publisher="ACR",
        year=2021,
    )
    study = Chunk(
        chunk_id=content_hash("r", question, salt),
        doc_id="pmid-42",
        tier=Tier.RESEARCH,
        collection="pubmedqa",
        title="IVIG in dermatomyositis: a randomised trial",
        section="RESULTS",
        text="IVIG improved muscle strength compared with placebo.",
        ordinal=3,
        publisher="NEJM",
        year=2022,
        meta={"publication_types": ["Randomized Controlled Trial"]},
    )
    # a second passage of the same guideline: one reference lists both (issue 17 item 2)
    guideline_more = replace(
        guideline,
        chunk_id=content_hash("g2", question, salt),
        section="Monitoring",
        text="Creatine kinase and strength are checked at each visit.",
        ordinal=1,
    )
    citations = (
        Citation(
            1,
            Hit(guideline, 0.9, "hybrid", 1),
            EvidenceLevel("Guideline · ACR 2021", grade="A"),
            more=(Hit(guideline_more, 0.5, "hybrid", 4),),
        ),
        Citation(
            2,
            Hit(study, 0.7, "hybrid", 2),
            EvidenceLevel("Level 2 · randomised controlled trial", level=2, study_design=StudyDesign.RCT),
        ),
    )
    sections = (
        AnswerSection(
            Tier.GUIDELINE,
            Tier.GUIDELINE.heading,
            Statement("Corticosteroids are first-line.", (1,)),
            (Statement("Add a steroid-sparing agent.", (1,), group="Key treatment components", support=0.8),),
        ),
        AnswerSection(
            Tier.RESEARCH,
            Tier.RESEARCH.heading,
            Statement("IVIG improves strength.", (2,)),
            (),
        ),
    )
    answer = Answer(
        answer_id="",
        question=question,
        rewritten_query=question if rewritten_query is None else rewritten_query,
        audience=audience,  # type: ignore[arg-type]
        abstained=False,
        emergency=False,
        sections=sections,
        citations=citations,
        disclaimer="For clinicians; not a substitute for judgement.",
        follow_ups=("What are the side effects of corticosteroids?",),
        evidence_as_of="2022",
        corpus_hash=corpus_hash,
        settings_hash="settings-1",
        timings_ms={"total": 12.5},
    )
    return replace(answer, answer_id=answer_content_id(answer))  # the id the store gives it
