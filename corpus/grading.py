"""Study design of a research document, graded once at ingest (issue 17 item 3). Pure functions of
text and metadata.

The ingest pipeline grades each research document from its title, full text, section labels and
metadata, and stores the design on the document and on every one of its chunks (meta
`study_design`), so all chunks of one trial carry the same design and level; the answer engine reads
it (qa.grading) and never re-grades.

Research levels follow the OCEBM 2011 hierarchy (medcite.types.STUDY_DESIGN_LEVEL): systematic
review / meta-analysis > randomised trial > cohort / case-control / observational > case series /
case report > narrative review / other.

Rule order matters: the design a study *is* is announced in its title or methods ("a randomised
controlled trial", "we searched MEDLINE"), while weaker designs are often merely *mentioned*
("previous randomised trials ..."). So title cues are checked first for every design, then
publication-type/MeSH metadata, then cues in the body text, strongest design first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from medcite.types import Document, StudyDesign, Tier

_SR = StudyDesign.SYSTEMATIC_REVIEW
_RCT = StudyDesign.RCT
_OBS = StudyDesign.OBSERVATIONAL
_CASE = StudyDesign.CASE_SERIES
_NARR = StudyDesign.NARRATIVE_REVIEW
_OTHER = StudyDesign.OTHER

_RANDOM = r"randomi[sz]ed|randomly (?:assigned|allocated)"


def _alt(*parts: str) -> re.Pattern[str]:
    """One case-insensitive pattern from alternatives (kept short for reading)."""
    return re.compile("|".join(parts), re.I | re.M)


# Cues in a title name the design of the study itself.
_TITLE_CUES: tuple[tuple[StudyDesign, re.Pattern[str]], ...] = (
    (_OTHER, _alt(r"\bprotocol\b")),  # a review or trial protocol reports no results yet
    (_SR, _alt(r"systematic (?:literature )?review|meta-?analys[ie]s|pooled analysis|cochrane review")),
    (_RCT, _alt(rf"\b(?:{_RANDOM})\b.*\btrial\b|\brandomi[sz]ed\b|\bcontrolled trial\b|\bRCT\b")),
    (
        _CASE,
        _alt(r"\bcase reports?\b|\bcase series\b|\ba case\b|\bcase of\b|\breport of (?:a|an|two|three)\b"),
    ),
    (
        _OBS,
        _alt(
            r"\bcohort\b|case-control|\bcross-sectional\b|\bretrospective\b|\bprospective\b|\bregistry\b",
            r"\bpopulation-based\b|\bobservational\b|\blongitudinal\b|\bsurvey\b|\bnationwide\b",
        ),
    ),
    (_NARR, _alt(r"\breview\b|\boverview\b|\bupdate on\b|\bperspectives?\b|\bstate of the art\b")),
)

# Publication-type strings as PubMed spells them (NLM Publication Types list).
_PUBTYPE: tuple[tuple[StudyDesign, tuple[str, ...]], ...] = (
    (_SR, ("systematic review", "meta-analysis")),
    (_RCT, ("randomized controlled trial", "controlled clinical trial", "clinical trial, phase iii")),
    (_CASE, ("case reports",)),
    (_OBS, ("observational study", "comparative study", "multicenter study", "evaluation study")),
    (_NARR, ("review", "editorial", "comment", "practice guideline")),
)

# MeSH check tags that describe the methods of the indexed study (not "X as Topic", which is the
# subject, not the design).
_MESH: tuple[tuple[StudyDesign, tuple[str, ...]], ...] = (
    (_RCT, ("double-blind method", "single-blind method", "random allocation")),
    (
        _OBS,
        (
            "retrospective studies",
            "prospective studies",
            "cohort studies",
            "case-control studies",
            "cross-sectional studies",
            "follow-up studies",
            "longitudinal studies",
            "registries",
            "surveys and questionnaires",
        ),
    ),
)

_NUM = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+ty(?:-[a-z]+)?)"

_BODY_CUES: tuple[tuple[StudyDesign, re.Pattern[str]], ...] = (
    (
        _SR,
        _alt(
            r"\bthis systematic review\b|\bsystematic(?:ally)? (?:literature )?(?:review|search)",
            r"\b(?:this|the|our|an?|updated|exploratory) (?:\w+ )?meta-?analys[ie]s\b",
            r"\bmeta-?analys[ie]s (?:of|was|were|revealed|showed|found|finds|demonstrated|indicated)\b",
            r"\bwe (?:searched|pooled)\b|\b(?:databases?|literature) (?:were|was) searched",
            r"\b(?:searched|search of|searching) (?:the )?(?:\w+ )?(?:medline|pubmed|embase|cochrane|cinahl)",
            r"\b(?:trials|studies|rcts) (?:were|was) (?:included|identified|eligible)|\bmet (?:the|our) "
            r"inclusion",
            rf"\b{_NUM} (?:\w+ )?(?:trials|studies|RCTs) (?:involving|enrolling|with|including) [\d,]+",
        ),
    ),
    (
        _RCT,
        _alt(
            rf"\b(?:were|was|being) (?:(?:prospectively|randomly|then) )?(?:{_RANDOM})",
            r"\brandomly (?:assigned|allocated|divided)",
            r"\b(?:this|our|the present|the current) (?:[\w-]+[ ,]+){0,4}randomi[sz]ed",
            r"\b(?:was|is) an? (?:[\w-]+[ ,]+){0,4}randomi[sz]ed",
            r"\bwe (?:conducted|performed|undertook|carried out|report|designed|did) an? (?:[\w-]+[ "
            r",]+){0,4}randomi[sz]ed",
            r"\bin (?:this|a) (?:[\w-]+[ ,]+){0,4}randomi[sz]ed(?:[ ,]+[\w-]+){0,3} (?:study|trial)",
            r"(?:^|[.:]\s*)(?:an? )?(?:prospective,? )?randomi[sz]ed (?:[\w-]+ )?(?:clinical |controlled "
            r")?(?:trial|study)",
            r"\brandomi[sz]ation of \d+|(?:computer-generated|block|stratified) randomi[sz]ation",
        ),
    ),
    (
        _OTHER,  # decision models and laboratory / animal work are not clinical study designs
        _alt(
            r"\bmarkov\b|\bdecision (?:analysis|tree|analytic)|\bsimulation model",
            rf"\b{_NUM} (?:(?:adult|male|female|healthy|new zealand|wistar|sprague-dawley) )*"
            r"(?:rats|mice|dogs|guinea pigs|rabbits|pigs|sheep|cadavers|monkeys)\b",
            r"\bcadaveric (?:study|specimens)|\bin vitro\b|\bcell lines?\b",
        ),
    ),
    (
        _CASE,
        _alt(
            r"\bwe (?:report|describe|present) (?:a|an|the|two|three|four|\d+) (?:\w+ ){0,3}(?:cases?|"
            r"patients?|"
            r"(?:wo)?m[ae]n|boys?|girls?|infants?|child(?:ren)?|famil(?:y|ies))\b",
            r"\b(?:this|a|our) case (?:report|series)\b|\bcase (?:presentation|description)\b|(?:^|"
            r"[.:]\s+)case series\b",
            rf"\b{_NUM}-(?:year|month|week)-old (?:(?:wo)?man|male|female|boy|girl|patient|infant|child)\b",
        ),
    ),
    (
        _OBS,
        _alt(
            r"\bretrospective(?:ly)?\b|\bprospective(?:ly)?\b|\bcohort\b|case-control|\bcross-sectional\b",
            r"\bobservational\b|\bregistry\b|\bpopulation-based\b|\bmedical records\b|\bcharts? (?:review|"
            r"were reviewed)",
            r"\bwe (?:reviewed|analy[sz]ed|studied|enrolled|recruited|followed)\b|\bwere (?:enrolled|"
            r"recruited|followed)\b",
            r"\bquestionnaires? (?:was|were)\b|\bsurvey\b|\bdatabase\b|\bconsecutive (?:patients|cases)\b",
        ),
    ),
    (
        _NARR,
        _alt(
            r"\b(?:in )?this (?:article|paper|chapter|overview|review)\b",
            r"\bwe (?:review|summari[sz]e|discuss|highlight)\b|\bhere,? we (?:review|discuss|summari[sz]e)",
            r"\breviews? (?:the|recent|current) (?:literature|evidence|advances|knowledge|data)|\bpurpose "
            r"of review",
        ),
    ),
)


def _first_match(rules: Iterable[tuple[StudyDesign, re.Pattern[str]]], text: str) -> StudyDesign | None:
    for design, pattern in rules:
        if pattern.search(text):
            return design
    return None


def _match_terms(
    rules: Iterable[tuple[StudyDesign, tuple[str, ...]]], terms: Sequence[str]
) -> StudyDesign | None:
    lowered = {t.strip().lower() for t in terms}
    for design, names in rules:
        if lowered.intersection(names):
            return design
    return None


def grade_study_design(
    title: str,
    text: str,
    section_labels: Sequence[str] = (),
    publication_types: Sequence[str] = (),
    mesh_terms: Sequence[str] = (),
    collection: str = "",
) -> StudyDesign:
    """Classify a research record's study design from its title, text and metadata."""
    if collection.lower().startswith("cochrane"):
        return _SR  # every Cochrane review is a systematic review by construction
    title_design = _first_match(_TITLE_CUES, title or "")
    if title_design is not None and title_design is not _NARR:
        return title_design
    meta_design = _match_terms(_PUBTYPE, publication_types)
    if meta_design is not None and meta_design is not _NARR:
        return meta_design
    body_design = _first_match(_BODY_CUES, text or "")
    if body_design in (_SR, _RCT, _CASE, _OTHER):
        return body_design
    mesh_design = _match_terms(_MESH, mesh_terms)
    if mesh_design is not None:
        return mesh_design
    if body_design is not None:
        return body_design
    if title_design is _NARR or meta_design is _NARR:
        return _NARR
    # Structured abstracts (METHODS / RESULTS labels) report original studies of some design.
    labels = {label.strip().upper() for label in section_labels}
    if any("CASE" in label for label in labels):
        return _CASE
    if labels & {
        "METHODS",
        "MATERIALS AND METHODS",
        "PATIENTS AND METHODS",
        "DESIGN",
        "SUBJECTS AND METHODS",
    }:
        return _OBS
    return _OTHER


HINTS: dict[str, StudyDesign] = {d.value: d for d in StudyDesign} | {d.name.lower(): d for d in StudyDesign}
HINTS |= {"systematic review": _SR, "meta-analysis": _SR, "rct": _RCT, "cohort": _OBS, "case report": _CASE}


def as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def hinted_design(meta: dict[str, object]) -> StudyDesign | None:
    """The design a reader or the ingest already stated (`study_design`, then `study_design_hint`)."""
    for key in ("study_design", "study_design_hint"):
        hint = str(meta.get(key) or "").strip().lower()
        if hint in HINTS:
            return HINTS[hint]
    return None


def document_study_design(doc: Document) -> StudyDesign | None:
    """The study design of a research document, from the whole record; None for other tiers."""
    if doc.tier is not Tier.RESEARCH:
        return None
    hinted = hinted_design(doc.meta)
    if hinted is not None:
        return hinted
    return grade_study_design(
        doc.title,
        "\n".join(s.text for s in doc.sections),
        section_labels=[s.title for s in doc.sections if s.title] + as_list(doc.meta.get("labels")),
        publication_types=as_list(doc.meta.get("publication_types")),
        mesh_terms=as_list(doc.meta.get("mesh_terms")),
        collection=doc.collection,
    )
