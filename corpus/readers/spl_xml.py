"""FDA Structured Product Labels (SPL, HL7 v3 XML, namespace urn:hl7-org:v3), one label per file.

Parsed with defusedxml (no DTDs' entity expansion, no external resources) because label files come
from outside.  Every <section> with text becomes a Section whose title is its path of headings
("5 WARNINGS AND PRECAUTIONS > 5.1 Skeletal Muscle Effects") and whose code is its LOINC code.
Paragraphs, lists (<list><item>) and tables (rows as "cell | cell") are flattened to readable text.
Highlights excerpts (<excerpt>) repeat the full text and the product data elements section (48780-1)
is ingredient tables, so both are left out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from corpus.readers.base import ReadItem
from corpus.records import ReadIssue, RecordError
from corpus.text import fix_mojibake, iso_date, normalize_whitespace, parse_year
from medcite.types import Document, Section, Tier

COLLECTION = "spl"
NS = "{urn:hl7-org:v3}"
PRODUCT_DATA_ELEMENTS = "48780-1"  # LOINC "SPL product data elements section"
UNCLASSIFIED = "42229-5"  # LOINC "SPL unclassified section": its display name says nothing

_BREAK = "\x00"  # hard line break marker that survives inline whitespace collapsing
_BLOCK = frozenset({"paragraph", "list", "table", "caption"})
_SKIP = frozenset({"renderMultiMedia", "observationMedia"})
_WS = re.compile(r"\s+")
# Inline markup on its own source line leaves "ciprofloxacin , have"; glue the punctuation back.
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,;:.)\]])(?=\s|$)")
_LEADING_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\s*")
# "These highlights do not include all the information needed to use X safely and effectively.
#  See full prescribing information for X." — FDA's fixed Highlights preamble (21 CFR 201.57(a)(1)).
# Some titles open with "HIGHLIGHTS OF PRESCRIBING INFORMATION" or the product name before it
# ("CLOPIDOGREL TABLETS. These highlights ..."): everything up to the preamble's end goes.
_HIGHLIGHTS_PREAMBLE = re.compile(
    r"^.*?These highlights do not include.*?See full prescribing information for [^.]*\.\s*", re.I | re.S
)
_HIGHLIGHTS_HEADING = re.compile(r"^\s*HIGHLIGHTS OF PRESCRIBING INFORMATION\s*", re.I)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _inline(el: ET.Element) -> str:
    """Text of an element with inline children; <br/> and block children become hard breaks."""
    parts = [el.text or ""]
    for child in el:
        tag = _local(child.tag)
        if tag == "br":
            parts.append(_BREAK)
        elif tag in _SKIP:
            pass
        elif tag == "table":
            parts.append(_BREAK + render_table(child) + _BREAK)
        elif tag == "list":
            parts.append(_BREAK + render_list(child) + _BREAK)
        elif tag in _BLOCK:
            parts.append(_BREAK + _inline(child) + _BREAK)
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _finish(text: str) -> str:
    """Collapse source indentation, then turn break markers into newlines."""
    lines = (_SPACE_BEFORE_PUNCT.sub(r"\1", _WS.sub(" ", seg)).strip() for seg in text.split(_BREAK))
    return "\n".join(line for line in lines if line)


def render_list(el: ET.Element) -> str:
    """<list><item>…</item></list> as '- item' lines (nested lists stay as further '- ' lines)."""
    lines = []
    for child in el:
        tag = _local(child.tag)
        if tag == "caption":
            lines.append(_finish(_inline(child)))
        elif tag == "item":
            body = _finish(_inline(child))
            if body:
                lines.append("- " + body.replace("\n", _BREAK))
    return _BREAK.join(x for x in lines if x)


def render_table(el: ET.Element) -> str:
    """A table as its caption then one 'cell | cell' line per row."""
    lines = []
    for cap in el.findall(f"{NS}caption"):
        lines.append(_finish(_inline(cap)))
    for tr in el.iter(f"{NS}tr"):
        cells = [_finish(_inline(c)).replace("\n", " ") for c in tr if _local(c.tag) in ("td", "th")]
        if any(cells):
            lines.append(" | ".join(cells))
    return _BREAK.join(x for x in lines if x)


def render_text(el: ET.Element | None) -> str:
    """Readable text of a section's <text> element."""
    return "" if el is None else normalize_whitespace(fix_mojibake(_finish(_inline(el))))


def _section_title(section: ET.Element) -> tuple[str, str | None]:
    code_el = section.find(f"{NS}code")
    code = code_el.get("code") if code_el is not None else None
    title_el = section.find(f"{NS}title")
    title = _finish(_inline(title_el)).replace("\n", " ") if title_el is not None else ""
    if not title and code_el is not None and code != UNCLASSIFIED:
        title = (code_el.get("displayName") or "").strip().capitalize()
    return title, code


def walk_sections(
    section: ET.Element, path: tuple[str, ...] = (), inherited: str | None = None
) -> Iterator[Section]:
    """Sections with text, depth first, titles joined along the path of headings.

    Many labels code every subsection "SPL unclassified" (42229-5); such a subsection takes the code
    of its nearest classified ancestor so "2.1 Recommended Dosage" still reads as Dosage and
    Administration (34068-7).  A leaf section with a heading but no text (e.g. "4.1 Active liver
    disease ...") carries its content in the heading, so the heading becomes its text.
    """
    title, own_code = _section_title(section)
    if own_code == PRODUCT_DATA_ELEMENTS:
        return
    code = inherited if own_code in (None, "", UNCLASSIFIED) and inherited else own_code
    here = (*path, title) if title else path
    text = render_text(section.find(f"{NS}text"))
    children = [c for comp in section.findall(f"{NS}component") for c in comp.findall(f"{NS}section")]
    explicit_title = _finish(_inline(t)) if (t := section.find(f"{NS}title")) is not None else ""
    if not text and not children and explicit_title:
        text = _LEADING_NUMBER.sub("", explicit_title).strip()
    if text:
        yield Section(title=" > ".join(here) or "Label text", text=text, code=code)
    for child in children:
        yield from walk_sections(child, here, code)


def _attr(root: ET.Element, path: str, attr: str) -> str:
    el = root.find(path)
    return (el.get(attr) or "").strip() if el is not None else ""


def _words(el: ET.Element | None) -> str:
    """Text of a name element whose parts (<suffix>, ...) are separate words."""
    return " ".join(" ".join(t.strip() for t in el.itertext() if t.strip()).split()) if el is not None else ""


def drug_names(root: ET.Element) -> tuple[str, str]:
    """(product name, generic name) from the first manufactured product (2 SPL schema generations)."""
    for path in (
        f".//{NS}manufacturedProduct/{NS}manufacturedProduct",
        f".//{NS}manufacturedProduct/{NS}manufacturedMedicine",
    ):
        prod = root.find(path)
        if prod is not None:
            name = _words(prod.find(f"{NS}name"))
            return name, _words(prod.find(f"{NS}asEntityWithGeneric/{NS}genericMedicine/{NS}name"))
    return "", ""


def document_title(raw: str, product: str) -> str:
    """A readable label title: the Highlights preamble is dropped ("LIPITOR® (atorvastatin calcium)
    Tablets ..."), the approval line kept out; falls back to the product name."""
    title = _HIGHLIGHTS_HEADING.sub("", _HIGHLIGHTS_PREAMBLE.sub("", raw)).strip()
    title = re.split(r"\s*Initial U\.?S\.? Approval", title, maxsplit=1, flags=re.I)[0].strip()
    return (title.replace("\n", " ") or product or raw.replace("\n", " ")).strip()


def xml_to_document(root: ET.Element, tier: Tier) -> Document:
    """Pure: a parsed SPL <document> element to a Document."""
    if _local(root.tag) != "document" or not root.tag.startswith(NS):
        raise RecordError(f"not an HL7 v3 SPL document (root element {root.tag!r})")
    set_id = _attr(root, f"{NS}setId", "root")
    doc_uuid = _attr(root, f"{NS}id", "root")
    if not set_id and not doc_uuid:
        raise RecordError("missing setId")
    sections: list[Section] = []
    body = root.find(f"{NS}component/{NS}structuredBody")
    if body is not None:
        for comp in body.findall(f"{NS}component"):
            for sec in comp.findall(f"{NS}section"):
                sections.extend(walk_sections(sec))
    if not sections:
        raise RecordError("missing text (no label sections)")
    raw_title_el = root.find(f"{NS}title")
    raw_title = _finish(_inline(raw_title_el)) if raw_title_el is not None else ""
    product, generic = drug_names(root)
    drug = generic or product
    title = document_title(raw_title, product)
    if not title or title.lower() == "drug facts":  # OTC labels have no document title
        name = product or generic or "Unnamed drug"
        title = f"{name.title() if name.isupper() else name} — Drug Facts" if title else f"{name} label"
    eff = _attr(root, f"{NS}effectiveTime", "value")
    labeler_el = root.find(f"{NS}author/{NS}assignedEntity/{NS}representedOrganization/{NS}name")
    labeler = _finish(_inline(labeler_el)) if labeler_el is not None else ""
    doc_type = root.find(f"{NS}code")
    sid = set_id or doc_uuid
    return Document(
        doc_id=f"spl:{sid}",
        tier=tier,
        collection=COLLECTION,
        title=title,
        sections=tuple(sections),
        publisher=labeler,
        year=parse_year(eff[:4]) if eff else None,
        date=iso_date(eff),
        url=f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={sid}",
        meta={
            "set_id": sid,
            "document_id": doc_uuid,
            "version": _attr(root, f"{NS}versionNumber", "value"),
            "effective_date": iso_date(eff),
            "drug_name": drug.lower() if drug.isupper() else drug,
            "product_name": product,
            "document_type": (doc_type.get("displayName") or "") if doc_type is not None else "",
            "full_title": raw_title.replace("\n", " "),
        },
    )


def bytes_to_document(data: bytes, tier: Tier) -> Document:
    """Parse (safely) and convert; raises RecordError for unparseable or refused XML."""
    try:
        root = safe_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ET.ParseError as exc:
        raise RecordError(f"unparseable XML: {exc}") from exc
    except DefusedXmlException as exc:
        raise RecordError(f"XML refused for safety ({type(exc).__name__})") from exc
    return xml_to_document(root, tier)


def read_file(path: Path, tier: Tier, label: str) -> Iterator[ReadItem]:
    try:
        yield bytes_to_document(path.read_bytes(), tier)
    except RecordError as exc:
        yield ReadIssue(label, "", str(exc))
