"""BioASQ gold snippets grouped by PMID (bioasq_abstracts.jsonl.gz): pmid, title, text, snippets, year.

The `title` field is sometimes a title snippet that runs on into the abstract ("Title.Previous
studies ...") and `text` is then empty; the title is cut at its first sentence and the whole field
kept as text.  doc_id "pubmed:PMID", meta["pmid"] for eval mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_jsonl_file
from corpus.records import RecordError
from corpus.text import clean_text, first_sentence, parse_year
from medcite.types import Document, Section, Tier

COLLECTION = "bioasq"


def _snippet_text(record: Mapping[str, Any]) -> str:
    seen: list[str] = []
    for snip in record.get("snippets") or []:
        text = clean_text(snip.get("text")) if isinstance(snip, dict) else ""
        if text and text not in seen:
            seen.append(text)
    return "\n\n".join(seen)


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One PubMed article as its gold snippet text."""
    pmid = str(record.get("pmid") or "").strip()
    if not pmid:
        raise RecordError("missing pmid")
    raw_title = clean_text(record.get("title"))
    text = clean_text(record.get("text")) or _snippet_text(record) or raw_title
    if not text:
        raise RecordError("missing text")
    title = first_sentence(raw_title or text, max_chars=200)
    return Document(
        doc_id=f"pubmed:{pmid}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=(Section(title="Abstract", text=text),),
        publisher="PubMed",
        year=parse_year(record.get("year")),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        meta={"pmid": pmid},
    )


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_jsonl_file(path, tier, label, to_document)
