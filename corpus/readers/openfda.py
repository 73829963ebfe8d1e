"""openFDA drug-label JSON (format `openfda_json`): either the API response shape
{"meta": ..., "results": [record, ...]} or JSON Lines of records, optionally gzipped.

A record has id, set_id, version, effective_time (YYYYMMDD), openfda{brand_name, generic_name,
manufacturer_name: [str]} and one list-of-strings field per label section (indications_and_usage,
warnings, ...).  Sections keep the label's order and get their LOINC code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from corpus.readers.base import ReadItem, convert, iter_jsonl, read_json_records_file, str_list
from corpus.records import RecordError
from corpus.text import clean_text, iso_date, parse_year
from medcite.types import Document, Section, Tier

COLLECTION = "openfda"

# openFDA field -> (section title, LOINC code), in the order of a PLR label (21 CFR 201.56/201.57)
# followed by older-format and OTC sections.  Codes from the FDA SPL section LOINC list.
SECTION_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("boxed_warning", "Boxed Warning", "34066-1"),
    ("indications_and_usage", "Indications and Usage", "34067-9"),
    ("dosage_and_administration", "Dosage and Administration", "34068-7"),
    ("dosage_forms_and_strengths", "Dosage Forms and Strengths", "43678-2"),
    ("contraindications", "Contraindications", "34070-3"),
    ("warnings_and_cautions", "Warnings and Precautions", "43685-7"),
    ("warnings", "Warnings", "34071-1"),
    ("precautions", "Precautions", "42232-9"),
    ("adverse_reactions", "Adverse Reactions", "34084-4"),
    ("drug_interactions", "Drug Interactions", "34073-7"),
    ("use_in_specific_populations", "Use in Specific Populations", "43684-0"),
    ("pregnancy", "Pregnancy", "42228-7"),
    ("lactation", "Lactation", "77290-5"),
    ("nursing_mothers", "Nursing Mothers", "34080-2"),
    ("pediatric_use", "Pediatric Use", "34081-0"),
    ("geriatric_use", "Geriatric Use", "34082-8"),
    ("overdosage", "Overdosage", "34088-5"),
    ("description", "Description", "34089-3"),
    ("clinical_pharmacology", "Clinical Pharmacology", "34090-1"),
    ("mechanism_of_action", "Mechanism of Action", "43679-0"),
    ("pharmacodynamics", "Pharmacodynamics", "43681-6"),
    ("pharmacokinetics", "Pharmacokinetics", "43682-4"),
    ("nonclinical_toxicology", "Nonclinical Toxicology", "43680-8"),
    ("clinical_studies", "Clinical Studies", "34092-7"),
    ("how_supplied", "How Supplied", "34069-5"),
    ("storage_and_handling", "Storage and Handling", "44425-7"),
    ("information_for_patients", "Patient Counseling Information", "34076-0"),
    ("spl_patient_package_insert", "Patient Package Insert", "42230-3"),
    ("active_ingredient", "Active Ingredient", "55106-9"),
    ("purpose", "Purpose", "55105-1"),
    ("do_not_use", "Do Not Use", "50570-1"),
    ("ask_doctor", "Ask a Doctor", "50569-3"),
    ("ask_doctor_or_pharmacist", "Ask a Doctor or Pharmacist", "50568-5"),
    ("when_using", "When Using", "50567-7"),
    ("stop_use", "Stop Use", "50566-9"),
    ("keep_out_of_reach_of_children", "Keep Out of Reach of Children", "50565-1"),
    ("inactive_ingredient", "Inactive Ingredients", "51727-6"),
)


def _first(openfda: Mapping[str, Any], key: str) -> str:
    values = str_list(openfda.get(key))
    return values[0] if values else ""


def to_document(record: Mapping[str, Any], tier: Tier) -> Document:
    """One openFDA label record."""
    set_id = str(record.get("set_id") or record.get("id") or "").strip()
    if not set_id:
        raise RecordError("missing set_id/id")
    sections = []
    for field, title, code in SECTION_FIELDS:
        text = clean_text(record.get(field))
        if text:
            sections.append(Section(title=title, text=text, code=code))
    if not sections:
        raise RecordError("missing text (no label sections)")
    raw_ofda = record.get("openfda")
    ofda: Mapping[str, Any] = raw_ofda if isinstance(raw_ofda, dict) else {}
    brand, generic = _first(ofda, "brand_name"), _first(ofda, "generic_name")
    if brand and generic and brand.lower() != generic.lower():
        title = f"{brand} ({generic.lower()})"
    else:
        title = brand or generic or f"Drug label {set_id}"
    eff = str(record.get("effective_time") or "").strip()
    return Document(
        doc_id=f"openfda:{set_id}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=tuple(sections),
        publisher=_first(ofda, "manufacturer_name"),
        year=parse_year(eff[:4]) if eff else None,
        date=iso_date(eff),
        url=f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={set_id}",
        meta={
            "set_id": set_id,
            "document_id": str(record.get("id") or ""),
            "version": str(record.get("version") or ""),
            "effective_date": iso_date(eff),
            "drug_name": generic.lower() or brand,
            "brand_name": brand,
            "route": str_list(ofda.get("route")),
        },
    )


def _label_records(data: Any) -> Any:
    results = data.get("results") if isinstance(data, dict) and "results" in data else data
    return [results] if isinstance(results, dict) else results  # a single bare record


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    if path.name.lower().endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        return convert(iter_jsonl(path, label), to_document, tier, label)
    return read_json_records_file(
        path, tier, label, to_document, _label_records, "{'results': [...]} or a list of label records"
    )
