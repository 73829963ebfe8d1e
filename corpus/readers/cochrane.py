"""Cochrane systematic reviews (cochrane_reviews.jsonl.gz): id, doi, title (often null), abstract,
plain_language_summary.  Every record is a systematic review, so meta["study_design_hint"] says so."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_jsonl_file
from corpus.records import RecordError
from corpus.sentences import first_sentence
from corpus.text import clean_text
from medcite.types import Document, Section, Tier

COLLECTION = "cochrane"
PUBLISHER = "Cochrane Database of Systematic Reviews"


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One review: its abstract (results and conclusions) and plain-language summary."""
    doi = str(record.get("doi") or record.get("id") or "").strip()
    if not doi:
        raise RecordError("missing doi/id")
    abstract = clean_text(record.get("abstract"))
    summary = clean_text(record.get("plain_language_summary"))
    sections = [Section("Abstract", abstract)] if abstract else []
    if summary:
        sections.append(Section("Plain language summary", summary))
    if not sections:
        raise RecordError("missing text (no abstract or plain language summary)")
    title = clean_text(record.get("title")) or first_sentence(summary or abstract, max_chars=150)
    # "10.1002/14651858.CD000370.pub2" -> "CD000370.pub2": review number plus version, as Cochrane cites it.
    review = doi.split("14651858.", 1)[1] if "14651858." in doi else doi
    return Document(
        doc_id=f"cochrane:{review}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=tuple(sections),
        publisher=PUBLISHER,
        url=f"https://doi.org/{doi}",
        meta={
            "doi": doi,
            "study_design_hint": "systematic review",
            "publication_types": ["Systematic Review"],
        },
    )


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_jsonl_file(path, tier, label, to_document)
