"""Evidence badges at answer time: the study design graded at ingest (corpus.grading) for research,
grade/organisation for guidelines, section and revision date for labels. Pure functions of a chunk.

Research levels follow the OCEBM 2011 hierarchy (medcite.types.STUDY_DESIGN_LEVEL): systematic
review / meta-analysis > randomised trial > cohort / case-control / observational > case series /
case report > narrative review / other.
"""

from __future__ import annotations

from corpus.grading import as_list, grade_study_design, hinted_design
from medcite.types import STUDY_DESIGN_LEVEL, Chunk, EvidenceLevel, StudyDesign, Tier

_SR = StudyDesign.SYSTEMATIC_REVIEW
_RCT = StudyDesign.RCT
_OBS = StudyDesign.OBSERVATIONAL
_CASE = StudyDesign.CASE_SERIES
_NARR = StudyDesign.NARRATIVE_REVIEW
_OTHER = StudyDesign.OTHER


def study_design_for(chunk: Chunk) -> StudyDesign:
    """Study design of a research chunk: the one its document was graded with at ingest (meta
    `study_design`, the same on every chunk of the document).  Only chunks of an index built before
    ingest graded documents lack it; those are graded from the chunk until the next `medcite ingest`
    stores the document's grade."""
    stored = hinted_design(chunk.meta)
    if stored is not None:
        return stored
    return grade_study_design(
        chunk.title,
        chunk.text,
        section_labels=as_list(chunk.meta.get("labels")) + ([chunk.section] if chunk.section else []),
        publication_types=as_list(chunk.meta.get("publication_types")),
        mesh_terms=as_list(chunk.meta.get("mesh_terms")),
        collection=chunk.collection,
    )


_DESIGN_SHORT: dict[StudyDesign, str] = {
    _SR: "systematic review",
    _RCT: "randomised controlled trial",
    _OBS: "observational study",
    _CASE: "case series / report",
    _NARR: "narrative review",
    _OTHER: "study",
}


def design_phrase(design: StudyDesign) -> str:
    """Short noun phrase for a design, used in answer leads ("a 2019 systematic review")."""
    return _DESIGN_SHORT[design]


def evidence_for(chunk: Chunk) -> EvidenceLevel:
    """The evidence badge of a cited chunk, by tier."""
    if chunk.tier is Tier.RESEARCH:
        design = study_design_for(chunk)
        level = STUDY_DESIGN_LEVEL[design]
        return EvidenceLevel(label=f"Level {level} · {design.value}", level=level, study_design=design)
    if chunk.tier is Tier.GUIDELINE:
        grade = str(chunk.meta.get("grade") or "").strip() or None
        parts = ["Guideline", chunk.publisher or chunk.collection.upper()]
        if chunk.year:
            parts.append(str(chunk.year))
        if grade:
            # USPSTF letters A-D and I (USPSTF Procedure Manual); other schemes shown as given.
            parts.append(f"Grade {grade}" if len(grade) <= 2 else grade)
        elif chunk.meta.get("rating_scheme"):
            parts.append("graded recommendations")
        return EvidenceLevel(label=" · ".join(p for p in parts if p), grade=grade)
    if chunk.tier is Tier.DRUG_LABEL:
        parts = ["FDA label"]
        if chunk.section:
            parts.append(chunk.section)
        when = chunk.meta.get("effective_date") or chunk.date or (str(chunk.year) if chunk.year else None)
        if when:
            parts.append(f"revised {when}")
        return EvidenceLevel(label=" · ".join(parts))
    return EvidenceLevel(label=f"Patient information · {chunk.publisher or chunk.collection}")


def evidence_rank(chunk: Chunk, evidence: EvidenceLevel | None = None) -> int:
    """Sort key inside a tier: lower is stronger. Research uses OCEBM levels; graded guidelines
    outrank ungraded ones; other tiers are flat."""
    ev = evidence or evidence_for(chunk)
    if ev.level is not None:
        return ev.level
    if chunk.tier is Tier.GUIDELINE:
        return 1 if ev.grade else 2
    return 3


def recency(chunk: Chunk) -> str:
    """A sortable date string ('' when unknown) from date, effective date or year."""
    return str(chunk.date or chunk.meta.get("effective_date") or (chunk.year or ""))
