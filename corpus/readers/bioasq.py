"""BioASQ gold snippets grouped by PMID (bioasq_abstracts.jsonl.gz): pmid, title, text, snippets, year.

The `title` field is sometimes a title snippet that runs on into the abstract ("Title.Previous
studies ...") and `text` is then empty; the title is cut at its first sentence and the whole field
kept as text.  `text` joins the abstract snippets with a bare space, so a snippet that ends mid-sentence
runs into the next ("... as off-label therapy RIX is the preferred ..."); the reader rebuilds it from
the snippets, one paragraph each.  doc_id "pubmed:PMID", meta["pmid"] for eval mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_jsonl_file
from corpus.records import RecordError
from corpus.sentences import first_sentence
from corpus.text import clean_text, parse_year
from medcite.types import Document, Section, Tier

COLLECTION = "bioasq"


def _snippet_text(record: Mapping[str, Any]) -> str:
    seen: list[str] = []
    for snip in record.get("snippets") or []:
        text = clean_text(snip.get("text")) if isinstance(snip, dict) else ""
        if text and text not in seen:
            seen.append(text)
    return "\n\n".join(seen)


def _abstract_paragraphs(record: Mapping[str, Any], text: str) -> str:
    """`text` as its abstract snippets, one paragraph each, when the snippets rebuild it exactly.

    The corpus joined the distinct abstract snippets in offset order, leaving out any contained in a
    longer one (research/PROVENANCE.md); where that does not give back `text`, `text` is kept as it is.
    """
    snippets = [
        s for s in record.get("snippets") or [] if isinstance(s, dict) and s.get("beginSection") == "abstract"
    ]
    snippets.sort(key=lambda s: s.get("offsetInBeginSection") or 0)
    texts = [clean_text(s.get("text")) for s in snippets]
    kept: list[str] = []
    for t in texts:
        if t and t not in kept and not any(t in other and t != other for other in texts):
            kept.append(t)
    if len(kept) < 2 or " ".join(" ".join(kept).split()) != " ".join(text.split()):
        return text
    return "\n\n".join(kept)


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One PubMed article as its gold snippet text."""
    pmid = str(record.get("pmid") or "").strip()
    if not pmid:
        raise RecordError("missing pmid")
    raw_title = clean_text(record.get("title"))
    text = clean_text(record.get("text"))
    text = _abstract_paragraphs(record, text) if text else _snippet_text(record) or raw_title
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
