"""MedlinePlus health topics (medlineplus_health_topics.json.gz): a JSON list of topics with id,
title, url, synonyms, content, mesh_terms, groups, related_topics."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_json_records_file, str_list
from corpus.records import RecordError
from corpus.text import clean_text
from medcite.types import Document, Section, Tier

COLLECTION = "medlineplus"
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w) +([.,;:])(?=\s|$)")
PUBLISHER = "MedlinePlus (NLM)"


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One health topic summary."""
    topic_id = str(record.get("id") or "").strip()
    if not topic_id:
        raise RecordError("missing id")
    # Links were stripped from the scraped text leaving "prediabetes . It"; glue punctuation back.
    content = _SPACE_BEFORE_PUNCT.sub(r"\1", clean_text(record.get("content")))
    if not content:
        raise RecordError("missing text (empty content)")
    title = clean_text(record.get("title")) or content.split(".")[0][:80]
    return Document(
        doc_id=f"medlineplus:{topic_id}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=(Section(title="Summary", text=content),),
        publisher=PUBLISHER,
        url=str(record.get("url") or "").strip() or None,
        meta={
            "synonyms": str_list(record.get("synonyms")),
            "mesh_terms": str_list(record.get("mesh_terms")),
            "groups": str_list(record.get("groups")),
            "related_topics": str_list(record.get("related_topics")),
            "language": str(record.get("language") or "English"),
        },
    )


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_json_records_file(
        path, tier, label, to_document, lambda data: data, "a JSON list of health topics"
    )
