"""The typed per-question result of an eval run and its results.jsonl form.

One `QuestionResult` per question flows from `runner.score_item` through `runner.aggregate` to the
report; `to_json` writes the record results.jsonl has always held (retrieval metrics flattened as
"recall@10", "ndcg@10", ...; keys that do not apply left out), `from_json` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

# Optional fields written only when they apply (a retrieval-only run has no answer keys, an
# abstention no content scores), as the loose records did; the rest are always written.
_ALWAYS = ("id", "question", "answerable", "gold", "retrieval_ms", "answer_ms")


@dataclass
class QuestionResult:
    """Everything scored for one question; None = does not apply (or not computed)."""

    id: str
    question: str
    answerable: bool
    gold: list[str] = field(default_factory=list)
    retrieval_ms: float | None = None
    answer_ms: float | None = None
    error: str | None = None
    # retrieval: the query searched (engine mode), the document ranking and its metrics
    query: str | None = None
    retrieved: list[str] | None = None
    retrieval: dict[str, float] = field(default_factory=dict)
    # answer
    abstained: bool | None = None
    emergency: bool | None = None
    answer_text: str | None = None
    n_citations: int | None = None
    citation_validity: float | None = None
    sentence_support: float | None = None
    unsupported_sentences: list[dict[str, str]] | None = None
    tiers: list[str] | None = None
    readability_fk_grade: float | None = None
    # content, on answers given (not abstentions)
    rouge_l_f1: float | None = None
    embedding_cosine: float | None = None
    must_have_coverage: float | None = None
    must_have_matched: list[bool] | None = None
    nice_to_have_coverage: float | None = None
    # size of an answer given (abstentions excluded, unlike n_citations): words of prose, numbered
    # references, distinct source documents
    words: int | None = None
    n_references: int | None = None
    distinct_documents: int | None = None

    @property
    def answered(self) -> bool:
        """The engine was asked and returned an answer (abstentions included)."""
        return self.abstained is not None

    def value(self, key: str) -> Any:
        """A field or a retrieval metric by its results.jsonl key ("ndcg@10", "support", ...)."""
        if key in self.retrieval:
            return self.retrieval[key]
        return getattr(self, key, None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "retrieval":
                out.update(v)
            elif f.name in _ALWAYS or v is not None:
                out[f.name] = v
        return out

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> QuestionResult:
        names = {f.name for f in fields(cls)} - {"retrieval"}
        known = {k: v for k, v in record.items() if k in names}
        retrieval = {k: float(v) for k, v in record.items() if "@" in k or k == "mrr"}
        known.setdefault("gold", [])
        return cls(retrieval=retrieval, **known)
