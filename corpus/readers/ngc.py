"""National Guideline Clearinghouse summaries (ngc_guideline_summaries.jsonl.gz): id, ngc_id, url,
title, developers, date_released, year, fields{field name: text or list}.

The dump holds ~8M words, mostly methodology, committee lists and disclaimers; only the clinically
useful fields below become sections.  The rating-scheme text also goes to meta["rating_scheme"] so
grading can explain a guideline's "Class II" or "Grade B" without re-reading the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_jsonl_file, str_list
from corpus.records import RecordError
from corpus.text import clean_text, iso_date, parse_year
from medcite.types import Document, Section, Tier

COLLECTION = "ngc"

# Kept fields, in display order.  Everything else (methods, committee, funding, availability,
# copyright, NGC disclaimer) is boilerplate for question answering.
KEPT_FIELDS: tuple[str, ...] = (
    "Major Recommendations",
    "Target Population",
    "Disease/Condition(s)",
    "Interventions and Practices Considered",
    "Potential Benefits",
    "Potential Harms",
    "Contraindications",
    "Qualifying Statements",
    "Rating Scheme for the Strength of the Evidence",
    "Rating Scheme for the Strength of the Recommendations",
)
RATING_FIELDS = (
    "Rating Scheme for the Strength of the Evidence",
    "Rating Scheme for the Strength of the Recommendations",
)
RATING_SCHEME_MAX_CHARS = 600

# Field values that mean "nothing here".
_EMPTY_VALUES = frozenset({"none provided", "not stated", "none available", "not applicable", "none"})

# Grade labels as they appear inline in recommendations: "(Class II)", "Level of Evidence: B",
# "Grade A", "[Strong recommendation, moderate-quality evidence]" ...
_GRADE_HINT = re.compile(
    r"\b(?:(?:Strength of )?Recommendation (?:Grade|Strength)|Level of Evidence|Quality of Evidence|"
    r"Grade|Class|Level)\s*[:=]?\s*(?-i:(I{1,3}V?[ab]?|IV|[A-D]|[1-4][a-c]?)\b)"
    r"|\b(Strong|Weak|Conditional) recommendation",
    re.IGNORECASE,
)
_REVISED = re.compile(r"revised ([^;)]+)")


def grade_hints(text: str, limit: int = 8) -> list[str]:
    """Distinct grade labels mentioned in a recommendations text, in order of appearance."""
    hints: list[str] = []
    for m in _GRADE_HINT.finditer(text):
        hint = re.sub(r"\s+", " ", m.group(0)).strip()
        if hint.lower() not in (h.lower() for h in hints):
            hints.append(hint)
        if len(hints) >= limit:
            break
    return hints


def _field_text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(f"- {clean_text(v)}" for v in value if clean_text(v))
    text = clean_text(value)
    return "" if text.lower().rstrip(".") in _EMPTY_VALUES else text


def release_dates(date_released: str, fallback_year: int | None) -> tuple[int | None, str | None]:
    """(year, ISO date) of the current content: the latest revision if the guideline was revised,
    else the original release.  Reaffirmation does not change the text, so it does not count."""
    revised = _REVISED.findall(date_released or "")
    current = revised[-1] if revised else (date_released or "").split("(")[0]
    return parse_year(current) or fallback_year, iso_date(current)


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One guideline summary with its recommendation-bearing fields as sections."""
    ngc_id = str(record.get("ngc_id") or "").strip() or str(record.get("id") or "").removeprefix("ngc-")
    if not ngc_id:
        raise RecordError("missing ngc_id")
    fields = record.get("fields")
    if not isinstance(fields, dict):
        raise RecordError("missing fields")
    sections = []
    for name in KEPT_FIELDS:
        text = _field_text(fields.get(name))
        if text:
            sections.append(Section(title=name, text=text))
    if not any(s.title == "Major Recommendations" for s in sections):
        raise RecordError("missing text (no Major Recommendations)")
    title = clean_text(record.get("title")) or clean_text(fields.get("Guideline Title"))
    if not title:
        raise RecordError("missing title")
    developers = str_list(record.get("developers")) or str_list(fields.get("Guideline Developer(s)"))
    # "American Academy of Neurology - Medical Specialty Society": drop NGC's organisation-type suffix.
    publisher = "; ".join(d.split(" - ")[0].strip() for d in developers)
    date_released = str(record.get("date_released") or fields.get("Date Released") or "")
    year, date = release_dates(date_released, parse_year(record.get("year")))
    rating = "\n".join(_field_text(fields.get(f)) for f in RATING_FIELDS if _field_text(fields.get(f)))
    if len(rating) > RATING_SCHEME_MAX_CHARS:
        rating = rating[:RATING_SCHEME_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    recs = next(s.text for s in sections if s.title == "Major Recommendations")
    return Document(
        doc_id=f"ngc:{ngc_id}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=tuple(sections),
        publisher=publisher or "National Guideline Clearinghouse",
        year=year,
        date=date,
        url=str(record.get("url") or "").strip() or None,
        meta={
            "ngc_id": ngc_id,
            "date_released": date_released,
            "original_year": parse_year(record.get("year")),
            "rating_scheme": rating,
            "grade_hints": grade_hints(recs),
            "developers": developers,
        },
    )


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_jsonl_file(path, tier, label, to_document)
