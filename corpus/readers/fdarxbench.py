"""FDA label section passages from FDARxBench (fdarxbench_label_sections.jsonl.gz): one line per
passage with set_id, drug_name, label_source, section_code (LOINC), section_title, section_chunk_index,
doc_chunk_index, text.

Passages are grouped into one Document per label (set_id) so doc_id is stable per label; consecutive
passages of the same section are joined into one Section.  The file is small (160 lines), so grouping
holds it in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, iter_jsonl
from corpus.records import ReadIssue, RecordError
from corpus.text import clean_text
from medcite.types import Document, Section, Tier

COLLECTION = "fdarxbench"


def _order(rec: Mapping[str, Any]) -> tuple[str, int, int]:
    def as_int(v: object) -> int:
        return v if isinstance(v, int) else int(str(v)) if str(v).isdigit() else 0

    return (
        str(rec.get("label_source") or ""),
        as_int(rec.get("doc_chunk_index")),
        as_int(rec.get("section_chunk_index")),
    )


def label_to_document(set_id: str, passages: Sequence[Mapping[str, Any]], tier: Tier) -> Document:
    """One label from its passages (any order)."""
    sections: list[Section] = []
    for rec in sorted(passages, key=_order):
        text = clean_text(rec.get("text"))
        if not text:
            continue
        title = clean_text(rec.get("section_title")) or "Label text"
        code = str(rec.get("section_code") or "").strip() or None
        if sections and sections[-1].title == title and sections[-1].code == code:
            if text not in sections[-1].text:  # the source deduplicated, but overlaps can remain
                sections[-1] = Section(title, f"{sections[-1].text}\n{text}", code)
        else:
            sections.append(Section(title, text, code))
    if not sections:
        raise RecordError("missing text (all passages empty)")
    drug = clean_text(passages[0].get("drug_name")) or "Unnamed drug"
    sources = sorted({str(p.get("label_source")) for p in passages if p.get("label_source")})
    return Document(
        doc_id=f"fdarxbench:{set_id}",
        tier=tier,
        collection=COLLECTION,
        title=f"{drug[:1].upper()}{drug[1:]} prescribing information",
        sections=tuple(sections),
        publisher="FDA drug label (DailyMed)",
        url=f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={set_id}",
        meta={"set_id": set_id, "drug_name": drug, "label_source": sources},
    )


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """A single passage as a one-section label (for callers holding one record)."""
    set_id = str(record.get("set_id") or "").strip()
    if not set_id:
        raise RecordError("missing set_id")
    return label_to_document(set_id, [record], tier)


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    first_line: dict[str, str] = {}
    for item in iter_jsonl(path, label):
        if isinstance(item, ReadIssue):
            yield item
            continue
        location, rec = item
        set_id = str(rec.get("set_id") or "").strip()
        if not set_id:
            yield ReadIssue(label, location, "missing set_id")
            continue
        if not clean_text(rec.get("text")):
            yield ReadIssue(label, location, "missing text")
            continue
        groups.setdefault(set_id, []).append(rec)
        first_line.setdefault(set_id, location)
    for set_id, passages in groups.items():
        try:
            yield label_to_document(set_id, passages, tier)
        except (RecordError, KeyError, TypeError, ValueError) as exc:
            yield ReadIssue(label, f"set_id {set_id} ({first_line[set_id]})", str(exc))
