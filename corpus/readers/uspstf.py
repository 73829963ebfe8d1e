"""USPSTF recommendations (uspstf_recommendations.json.gz): {"specificRecommendations": [...]} as
served by the USPSTF prevention API, each with id, title, grade (A/B/C/D/I), sex, ageRange, text,
riskText, servFreq (HTML fragments)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, read_json_records_file
from corpus.records import RecordError
from corpus.text import clean_text
from medcite.types import Document, Section, Tier

COLLECTION = "uspstf"
PUBLISHER = "U.S. Preventive Services Task Force"
# USPSTF grade definitions: https://www.uspreventiveservicestaskforce.org/uspstf/about-uspstf/grade-definitions
GRADES = frozenset({"A", "B", "C", "D", "I"})

# The only dependable date in these records: "Literature scans conducted in April 2019 ..." (the
# evidence-as-of date of a reaffirmed I statement).  Other years in the text are about data, not the
# recommendation, so they are not used.
_SCAN_YEAR = re.compile(r"[Ll]iterature scans? (?:was |were )?conducted in (?:[A-Z][a-z]+ )?((?:19|20)\d\d)")


def population(record: Mapping[str, Any]) -> str:
    """'Adults aged 21 to 30 years, female' from ageRange and sex."""
    parts: list[str] = []
    ages = record.get("ageRange")
    if isinstance(ages, list) and len(ages) == 2 and all(isinstance(a, int | float) for a in ages):
        lo, hi = int(ages[0]), int(ages[1])
        parts.append(f"Aged {lo} years and older" if hi >= 100 else f"Aged {lo} to {hi} years")
    sex = str(record.get("sex") or record.get("gender") or "").strip().lower()
    if sex in {"male", "female"}:
        parts.append("men" if sex == "male" else "women")
    elif sex:
        parts.append("men and women")
    return ", ".join(parts)


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One specific recommendation, with its grade in meta["grade"]."""
    rec_id = str(record.get("id") or "").strip()
    if not rec_id:
        raise RecordError("missing id")
    text = clean_text(record.get("text"))
    if not text:
        raise RecordError("missing text")
    title = clean_text(record.get("title")) or text[:100]
    grade = str(record.get("grade") or "").strip().upper()
    pop = population(record)
    risk = clean_text(record.get("riskText"))
    sections = [Section(title="Recommendation", text=text)]
    pop_text = "\n".join(p for p in (pop + "." if pop else "", risk) if p)
    if pop_text:
        sections.append(Section(title="Population", text=pop_text))
    freq = clean_text(record.get("servFreq"))
    if freq:
        sections.append(Section(title="Service frequency", text=freq))
    m = _SCAN_YEAR.search(text)
    ages = record.get("ageRange")
    return Document(
        doc_id=f"uspstf:{rec_id}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=tuple(sections),
        publisher=PUBLISHER,
        year=int(m.group(1)) if m else None,
        url=None,  # the API records carry no page URL
        meta={
            "grade": grade if grade in GRADES else None,
            "population": pop,
            "age_range": list(ages) if isinstance(ages, list) else None,
            "sex": str(record.get("sex") or ""),
            "risk_name": str(record.get("riskName") or ""),
        },
    )


def _recommendations(data: Any) -> Any:
    return data.get("specificRecommendations") if isinstance(data, dict) else data


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    return read_json_records_file(
        path, tier, label, to_document, _recommendations, "{'specificRecommendations': [...]}"
    )
