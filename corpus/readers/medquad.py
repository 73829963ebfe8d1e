"""MedQuAD consumer Q&A pairs (medquad.jsonl.gz): qid, question, answer, qtype, source, url, focus,
document_id, collection.  One Document per pair: title = question, one section = answer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_jsonl_file, str_list
from corpus.records import RecordError
from corpus.text import clean_text
from medcite.types import Document, Section, Tier

COLLECTION = "medquad"

# The XML answers flatten bullet lists to "text.    - next item"; put each item on its own line.
_INLINE_BULLET = re.compile(r"\s{2,}-\s+")
# The XML's line breaks survive only as runs of spaces: "- Some kinds of cancer       Steroids are strong
# medicines ...". Each is a paragraph break, so the last list item does not run into the next sentence.
_LOST_BREAK = re.compile(r"(?<=\S)[ \t]{3,}(?=[^\s-])")
# "What is (are) Adult Acute Lymphoblastic Leukemia ?" -> "... Leukemia?"
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?.!,;:])")

# Full names of the NIH / CDC sites the collections were crawled from (MedQuAD README).
SOURCE_NAMES = {
    "CancerGov": "National Cancer Institute (cancer.gov)",
    "GARD": "Genetic and Rare Diseases Information Center (GARD)",
    "GHR": "Genetics Home Reference (NLM)",
    "MPlusHealthTopics": "MedlinePlus (NLM)",
    "NHLBI": "National Heart, Lung, and Blood Institute",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke",
    "NIHSeniorHealth": "NIHSeniorHealth (NIH)",
    "CDC": "Centers for Disease Control and Prevention",
}


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One question-answer pair."""
    qid = str(record.get("qid") or "").strip()
    if not qid:
        raise RecordError("missing qid")
    # qids repeat across the sub-documents of one XML file set ("0000013_2-1" is in 0000013_2.xml and
    # 0000013_2_1.xml ...) and file names repeat across collections, so the id is collection number,
    # file stem and question number: "medquad:1:0000013_2_1-1".
    path = str(record.get("file") or "")
    stem = path.rsplit("/", 1)[-1].removesuffix(".xml")
    coll = str(record.get("collection") or path.split("/", 1)[0]).split("_", 1)[0]
    local_id = f"{coll}:{stem}-{qid.rsplit('-', 1)[-1]}" if stem and "-" in qid else qid
    answer_raw = record.get("answer")
    if not isinstance(answer_raw, str) or not answer_raw.strip():
        raise RecordError("missing text (empty answer)")
    answer = clean_text(_LOST_BREAK.sub("\n\n", _INLINE_BULLET.sub("\n- ", answer_raw)))
    question = _SPACE_BEFORE_PUNCT.sub(r"\1", clean_text(record.get("question")))
    focus = clean_text(record.get("focus"))
    source = str(record.get("source") or "").strip()
    return Document(
        doc_id=f"medquad:{local_id}",
        tier=tier,
        collection=COLLECTION,
        title=question or focus or answer[:80],
        sections=(Section(title="Answer", text=answer),),
        publisher=SOURCE_NAMES.get(source, source),
        url=(str(record.get("url")).strip() or None) if record.get("url") else None,
        meta={
            "qid": qid,
            "question": question,
            "focus": focus,
            "qtype": str(record.get("qtype") or ""),
            "source": source,
            "source_collection": str(record.get("collection") or ""),
            "document_id": str(record.get("document_id") or ""),
            "synonyms": str_list(record.get("focus_synonyms")),
        },
    )


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_jsonl_file(path, tier, label, to_document)
