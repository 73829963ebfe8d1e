"""Lossless JSON form of an `Answer` (with its citations' full passages) for the review store.

`qa.render.answer_to_json` is the public `ask --json` shape and drops passage text; reviewers need
the exact passages and a served approved answer must render like a fresh one, so the store keeps
this round-trippable form instead: `answer_from_dict(answer_to_dict(a)) == a`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from medcite.types import (
    Answer,
    AnswerSection,
    Chunk,
    Citation,
    Correction,
    EvidenceLevel,
    Hit,
    NameMapping,
    QueryRewrite,
    Statement,
    StudyDesign,
    Tier,
)

CODEC_VERSION = 1


def _plain(value: Any) -> Any:
    """Enums to their values, tuples to lists, recursively (asdict keeps Enum members)."""
    if isinstance(value, Tier | StudyDesign):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """JSON-ready dict of everything in `answer` (timings included)."""
    d = _plain(asdict(answer))
    d["codec"] = CODEC_VERSION
    return d


def _statement(d: dict[str, Any]) -> Statement:
    return Statement(
        text=d["text"],
        citations=tuple(d.get("citations", ())),
        group=d.get("group", ""),
        support=float(d.get("support", 1.0)),
        flagged=bool(d.get("flagged", False)),
    )


def _hit(d: dict[str, Any]) -> Hit:
    return Hit(
        chunk=Chunk.from_dict(d["chunk"]),
        score=float(d["score"]),
        retriever=d["retriever"],
        rank=int(d["rank"]),
    )


def _citation(d: dict[str, Any]) -> Citation:
    ev = d["evidence"]
    design = ev.get("study_design")
    return Citation(
        n=int(d["n"]),
        hit=_hit(d["hit"]),
        evidence=EvidenceLevel(
            label=ev["label"],
            level=ev.get("level"),
            study_design=StudyDesign(design) if design else None,
            grade=ev.get("grade"),
        ),
        more=tuple(_hit(h) for h in d.get("more", ())),  # answers stored before references merged have none
    )


def _query_rewrite(d: dict[str, Any] | None) -> QueryRewrite | None:
    if not d:
        return None
    return QueryRewrite(
        original=d["original"],
        cleaned=d.get("cleaned", d["original"]),
        text=d.get("text", d["original"]),
        search_query=d.get("search_query", d["original"]),
        corrections=tuple(Correction(c["typed"], c["corrected"]) for c in d.get("corrections", ())),
        name_mappings=tuple(
            NameMapping(m["name"], m["mapped_to"], m["kind"]) for m in d.get("name_mappings", ())
        ),
    )


def answer_from_dict(d: dict[str, Any]) -> Answer:
    """Rebuild the `Answer` stored by `answer_to_dict`."""
    sections = tuple(
        AnswerSection(
            tier=Tier(s["tier"]),
            heading=s["heading"],
            lead=_statement(s["lead"]),
            bullets=tuple(_statement(b) for b in s.get("bullets", ())),
        )
        for s in d.get("sections", ())
    )
    return Answer(
        answer_id=d["answer_id"],
        question=d["question"],
        rewritten_query=d.get("rewritten_query", d["question"]),
        audience=d["audience"],
        abstained=bool(d["abstained"]),
        emergency=bool(d["emergency"]),
        sections=sections,
        citations=tuple(_citation(c) for c in d.get("citations", ())),
        disclaimer=d.get("disclaimer", ""),
        follow_ups=tuple(d.get("follow_ups", ())),
        review_status=d.get("review_status", "Submitted"),
        evidence_as_of=d.get("evidence_as_of"),
        corpus_hash=d.get("corpus_hash", ""),
        settings_hash=d.get("settings_hash", ""),
        timings_ms=dict(d.get("timings_ms", {})),
        notices=tuple(d.get("notices", ())),
        closest_topics=tuple(d.get("closest_topics", ())),
        query_rewrite=_query_rewrite(d.get("query_rewrite")),
    )
