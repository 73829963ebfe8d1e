"""Core typed records passed between every stage: Document -> Chunk -> Hit -> Citation -> Answer.

These are plain frozen dataclasses on purpose: cheap to build, hashable, easy to serialise, and free
of I/O.  Every stage passes these, never loose dicts (see docs DESIGN.md section 2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Literal


class Tier(str, Enum):
    """Which kind of source a document is. Order here is the display order of answer sections."""

    GUIDELINE = "guideline"
    DRUG_LABEL = "drug_label"
    RESEARCH = "research"
    PATIENT_INFO = "patient_info"

    @property
    def heading(self) -> str:
        return TIER_HEADINGS[self]


TIER_HEADINGS: dict[Tier, str] = {
    Tier.GUIDELINE: "From the Guidelines",
    Tier.DRUG_LABEL: "From the FDA Drug Label",
    Tier.RESEARCH: "From the Research",
    Tier.PATIENT_INFO: "Patient information",
}

TIERS: tuple[Tier, ...] = tuple(Tier)


def content_hash(*parts: str, length: int = 16) -> str:
    """Stable short hex id from content; the same text always gives the same id."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


@dataclass(frozen=True)
class Section:
    """A titled part of a document (e.g. a label's 'Dosage and Administration', a guideline's
    'Major Recommendations', an abstract's 'RESULTS'). `code` is the LOINC code for SPL sections."""

    title: str
    text: str
    code: str | None = None


@dataclass(frozen=True)
class Document:
    """One source record as published, normalised.

    `meta` holds source-specific metadata with these well-known keys where the source has them:
    `grade`, `rating_scheme` (guidelines), `mesh_terms`, `synonyms` (lists of str),
    `set_id`, `effective_date`, `version` (labels), `publication_types`, `study_design_hint`
    (research), `question` (Q&A sources), `labels` (PubMedQA context labels).
    """

    doc_id: str
    tier: Tier
    collection: str  # source collection, e.g. "ngc", "uspstf", "spl", "pubmedqa", "medquad"
    title: str
    sections: tuple[Section, ...]
    publisher: str = ""  # organisation / journal / labeler
    year: int | None = None
    date: str | None = None  # ISO date (YYYY-MM-DD) when known, else None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.title}\n{s.text}" if s.title else s.text for s in self.sections)

    def fingerprint(self) -> str:
        """Hash of everything that, if changed, means the document must be re-chunked."""
        payload = json.dumps(
            {
                "tier": self.tier.value,
                "collection": self.collection,
                "title": self.title,
                "publisher": self.publisher,
                "year": self.year,
                "date": self.date,
                "url": self.url,
                "sections": [[s.title, s.text, s.code] for s in self.sections],
                "meta": self.meta,
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return content_hash(payload, length=32)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document small enough for the embedding model, with citation metadata.

    `chunk_id` is a content hash of (doc_id, section, text) so a logged answer traces to the exact
    passage.  `text` is what is shown and cited; `embed_text` (title + section + text) is what is
    embedded and keyword-indexed.
    """

    chunk_id: str
    doc_id: str
    tier: Tier
    collection: str
    title: str
    section: str
    text: str
    ordinal: int  # position of the chunk within its document
    publisher: str = ""
    year: int | None = None
    date: str | None = None
    url: str | None = None
    section_code: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def embed_text(self) -> str:
        head = (
            self.title if not self.section or self.section == self.title else f"{self.title} — {self.section}"
        )
        return f"{head}\n{self.text}" if head else self.text

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tier"] = self.tier.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        d = dict(d)
        d["tier"] = Tier(d["tier"])
        d.setdefault("meta", {})
        return cls(**d)


RetrieverName = Literal["bm25", "dense", "hybrid", "expanded", "rerank"]


@dataclass(frozen=True)
class Hit:
    """A chunk returned by a retriever with its score and 1-based rank."""

    chunk: Chunk
    score: float
    retriever: str
    rank: int

    @property
    def chunk_id(self) -> str:
        return self.chunk.chunk_id

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id


@dataclass(frozen=True)
class SearchFilters:
    """Filters every retriever honours. Empty means no restriction."""

    tiers: tuple[Tier, ...] = ()
    collections: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.tiers and not self.collections and self.year_min is None and self.year_max is None

    def accepts(self, chunk: Chunk) -> bool:
        if self.tiers and chunk.tier not in self.tiers:
            return False
        if self.collections and chunk.collection not in self.collections:
            return False
        if self.year_min is not None and (chunk.year is None or chunk.year < self.year_min):
            return False
        return self.year_max is None or (chunk.year is not None and chunk.year <= self.year_max)


# --- answer-side records (used by qa/, ui/, evals/) -------------------------------------------


class StudyDesign(str, Enum):
    SYSTEMATIC_REVIEW = "systematic review / meta-analysis"
    RCT = "randomised controlled trial"
    OBSERVATIONAL = "cohort / case-control / observational"
    CASE_SERIES = "case series / case report"
    NARRATIVE_REVIEW = "narrative review"
    OTHER = "other"


# OCEBM 2011-style levels: 1 best. Source: OCEBM Levels of Evidence Working Group, 2011.
STUDY_DESIGN_LEVEL: dict[StudyDesign, int] = {
    StudyDesign.SYSTEMATIC_REVIEW: 1,
    StudyDesign.RCT: 2,
    StudyDesign.OBSERVATIONAL: 3,
    StudyDesign.CASE_SERIES: 4,
    StudyDesign.NARRATIVE_REVIEW: 5,
    StudyDesign.OTHER: 5,
}


@dataclass(frozen=True)
class EvidenceLevel:
    """How strong a cited source is. `level` 1-5 for research (OCEBM-style); guidelines carry a
    grade (e.g. USPSTF 'A'); labels carry their section and effective date."""

    label: str  # human-readable badge text, e.g. "Level 1 · systematic review"
    level: int | None = None
    study_design: StudyDesign | None = None
    grade: str | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered reference in an answer; `n` is what appears as [n] in the text.

    One reference is one source document (`source_key`): `hit` is its first cited passage and `more`
    the other passages of the same source the answer cites, in order of first citation, so several
    chunks of one guideline or one web page share one number."""

    n: int
    hit: Hit
    evidence: EvidenceLevel
    more: tuple[Hit, ...] = ()

    @property
    def chunk(self) -> Chunk:
        return self.hit.chunk

    @property
    def hits(self) -> tuple[Hit, ...]:
        return (self.hit, *self.more)

    @property
    def text(self) -> str:
        """Every cited passage of the source, in citation order (what the reference's [n] rests on)."""
        return "\n\n".join(h.chunk.text for h in self.hits)


def source_key(chunk: Chunk) -> str:
    """Which source document a chunk belongs to, for reference numbering: its URL when it has one
    (MedQuAD stores each question of one web page as its own document, and BioASQ and PubMedQA can
    hold the same PubMed abstract), else its document id."""
    url = (chunk.url or "").strip().rstrip("/").lower()
    return f"url:{url}" if url else f"doc:{chunk.doc_id}"


ReviewStatus = Literal["Submitted", "Under Review", "Approved", "Rejected"]
Audience = Literal["clinician", "patient"]


@dataclass(frozen=True)
class Statement:
    """One displayed sentence with the citation numbers it rests on and its support score."""

    text: str
    citations: tuple[int, ...]
    group: str = ""
    support: float = 1.0
    flagged: bool = False


@dataclass(frozen=True)
class AnswerSection:
    tier: Tier
    heading: str
    lead: Statement
    bullets: tuple[Statement, ...]


NameKind = Literal["brand->generic", "generic->brand", "synonym"]


@dataclass(frozen=True)
class Correction:
    """A word the corpus does not know, replaced by the nearest word it does (issue 16)."""

    typed: str
    corrected: str


@dataclass(frozen=True)
class NameMapping:
    """Another name of a drug or condition in the question, added to the search: a brand's generic
    name (from the label tier), a generic's brand names, or a MedlinePlus synonym."""

    name: str
    mapped_to: str
    kind: NameKind


@dataclass(frozen=True)
class QueryRewrite:
    """How a question was understood before retrieval (qa/understanding.py): conversational filler
    removed (`cleaned`), misspellings corrected and the conversation topic added to a follow-up
    (`text`, what confidence and composition read), other names of its drugs and conditions added
    (`search_query`, what the retrievers see). `original` is the question as asked."""

    original: str
    cleaned: str
    text: str
    search_query: str
    corrections: tuple[Correction, ...] = ()
    name_mappings: tuple[NameMapping, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the search differs from the question as asked (worth showing)."""
        same = " ".join(self.text.lower().strip(" ?.!").split()) == " ".join(
            self.original.lower().strip(" ?.!").split()
        )
        return not same or bool(self.corrections or self.name_mappings)

    @property
    def display(self) -> str:
        """One line for people: 'Searching for: ... · spelling: hemmroids → hemorrhoids · ...'."""
        parts = [f"Searching for: {self.text}"]
        if self.corrections:
            parts.append("spelling: " + ", ".join(f"{c.typed} → {c.corrected}" for c in self.corrections))
        if self.name_mappings:
            parts.append("also searched: " + ", ".join(mapping_text(m) for m in self.name_mappings))
        return " · ".join(parts)


_KIND_WORDS: dict[str, str] = {
    "brand->generic": "generic name",
    "generic->brand": "brand name",
    "synonym": "same topic",
}


def mapping_text(m: NameMapping) -> str:
    """'Lexapro → escitalopram (generic name)'."""
    return f"{m.name} → {m.mapped_to} ({_KIND_WORDS.get(m.kind, m.kind)})"


@dataclass(frozen=True)
class Answer:
    answer_id: str
    question: str
    rewritten_query: str
    audience: Audience
    abstained: bool
    emergency: bool
    sections: tuple[AnswerSection, ...]
    citations: tuple[Citation, ...]
    disclaimer: str
    follow_ups: tuple[str, ...] = ()
    review_status: ReviewStatus = "Submitted"
    evidence_as_of: str | None = None
    corpus_hash: str = ""
    settings_hash: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    notices: tuple[str, ...] = ()  # emergency / abstention / non-medical / approval notices, shown first
    closest_topics: tuple[str, ...] = ()
    # How the question was understood (issue 16); None for answers made before it or redacted ones.
    query_rewrite: QueryRewrite | None = None


# Fields that describe one serving of an answer rather than the answer: left out of its id.
_NOT_CONTENT = ("answer_id", "review_status", "timings_ms")


def answer_content_id(answer: Answer) -> str:
    """The answer's id: a hash of everything it says and cites (its payload, corpus hash and settings
    hash included), so a changed answer gets a new id while the same answer keeps its id.  The review
    status and timings are left out: they change while the answer stays the same."""
    content = {k: v for k, v in asdict(answer).items() if k not in _NOT_CONTENT}
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return content_hash("answer", payload, answer.corpus_hash, answer.settings_hash)


# Ranks past RANK_CAP are not computed; they all read as RANK_CAP + 1 (index.reader.candidate_pool).
RANK_CAP = 1000


@dataclass(frozen=True)
class Candidate:
    """One passage either retriever proposed, with both retrievers' view of it (ranks 1-based)."""

    chunk_id: str
    bm25: float
    cosine: float
    bm25_rank: int
    dense_rank: int


@dataclass(frozen=True)
class CandidatePool:
    """The union of both retrievers' top passages for one query (within the query's filters)."""

    candidates: tuple[Candidate, ...]
    bm25_max: float
    cosine_max: float
