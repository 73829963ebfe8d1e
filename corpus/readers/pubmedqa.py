"""PubMedQA PQA-L abstracts (pubmedqa_abstracts.jsonl.gz): pmid, QUESTION, CONTEXTS, LABELS, MESHES, YEAR.

The source has no article title, only the question the abstract answers; the title is derived from
that question and the question is kept in meta["question"].  doc_id "pubmedqa:PMID" is distinct from
BioASQ's "pubmed:PMID"; both carry meta["pmid"], which is what evals map gold PMIDs by.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_jsonl_file, str_list
from corpus.records import RecordError
from corpus.sentences import first_sentence
from corpus.text import clean_text, parse_year
from medcite.types import Document, Section, Tier

COLLECTION = "pubmedqa"


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One abstract; each labelled context (BACKGROUND, METHODS, ...) is a section."""
    pmid = str(record.get("pmid") or "").strip()
    if not pmid:
        raise RecordError("missing pmid")
    contexts = record.get("CONTEXTS") or []
    labels = record.get("LABELS") or []
    if not isinstance(contexts, list):
        raise RecordError("CONTEXTS is not a list")
    sections = []
    for i, ctx in enumerate(contexts):
        text = clean_text(ctx)
        if text:
            label = str(labels[i]).strip().capitalize() if i < len(labels) and labels[i] else "Abstract"
            sections.append(Section(title=label, text=text))
    if not sections:
        raise RecordError("missing text (no CONTEXTS)")
    question = clean_text(record.get("QUESTION"))
    title = first_sentence(question, max_chars=200) if question else first_sentence(sections[0].text)
    return Document(
        doc_id=f"pubmedqa:{pmid}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=tuple(sections),
        publisher="PubMed",
        year=parse_year(record.get("YEAR")),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        meta={
            "pmid": pmid,
            "question": question,
            "labels": str_list(labels),
            "mesh_terms": str_list(record.get("MESHES")),
        },
    )


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_jsonl_file(path, tier, label, to_document)
