"""Section-aware chunking: limits, headings, merging, metadata, deterministic ids."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunker import ChunkParams, chunk_document, split_text
from medcite.types import Document, Section, Tier, content_hash

PARAMS = ChunkParams(chunk_size=300, chunk_overlap=50)


def _doc(*sections: Section, meta: dict | None = None) -> Document:
    return Document(
        doc_id="d1",
        tier=Tier.DRUG_LABEL,
        collection="spl",
        title="Metformin label",
        sections=sections,
        publisher="Acme",
        year=2021,
        date="2021-05-01",
        url="https://example.org/l",
        meta=meta or {},
    )


def test_section_title_and_code_kept_on_each_chunk() -> None:
    long = " ".join(f"Sentence {i} about lactic acidosis risk." for i in range(40))
    doc = _doc(Section("Warnings > Lactic Acidosis", long, code="34071-1"))
    chunks = chunk_document(doc, PARAMS)
    assert len(chunks) > 1
    assert all(c.section == "Warnings > Lactic Acidosis" and c.section_code == "34071-1" for c in chunks)
    assert all(len(c.text) <= PARAMS.chunk_size for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    # the heading travels into what is embedded and keyword-indexed
    assert all("Lactic Acidosis" in c.embed_text for c in chunks)


def test_split_prefers_sentence_boundaries_and_overlaps() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    pieces = split_text(text, PARAMS)
    assert all(p.endswith(".") for p in pieces)
    # consecutive pieces share text (overlap) so a statement cut at a boundary is still whole once
    assert any(pieces[i].split(". ")[-1] in pieces[i + 1] for i in range(len(pieces) - 1))


def test_tiny_sections_merge_but_big_ones_stay_apart() -> None:
    doc = _doc(
        Section("Boxed Warning", "Risk of lactic acidosis."),
        Section("Recent Major Changes", "None."),
        Section("Indications", "x " * 200),
    )
    chunks = chunk_document(doc, PARAMS)
    assert chunks[0].section == "Boxed Warning; Recent Major Changes"
    assert "Recent Major Changes\nNone." in chunks[0].text
    assert chunks[1].section == "Indications"


def test_empty_sections_skipped_and_title_only_document_still_indexed() -> None:
    assert [c.section for c in chunk_document(_doc(Section("A", "  "), Section("B", "text")), PARAMS)] == [
        "B"
    ]
    only_title = chunk_document(_doc(Section("A", "")), PARAMS)
    assert [c.text for c in only_title] == ["Metformin label"]


def test_citation_metadata_carried() -> None:
    meta = {
        "set_id": "abc",
        "effective_date": "2021-05-01",
        "grade": "A",
        "mesh_terms": ["Diabetes"],
        "labels": ["x"],
    }
    (c,) = chunk_document(_doc(Section("Dosage", "500 mg twice daily."), meta=meta), PARAMS)
    assert (c.tier, c.collection, c.title, c.publisher, c.year, c.date, c.url) == (
        Tier.DRUG_LABEL,
        "spl",
        "Metformin label",
        "Acme",
        2021,
        "2021-05-01",
        "https://example.org/l",
    )
    assert c.meta == {
        "set_id": "abc",
        "effective_date": "2021-05-01",
        "grade": "A",
        "mesh_terms": ["Diabetes"],
    }
    assert c.chunk_id == content_hash("d1", "Dosage", "500 mg twice daily.")


_pieces = ["ab", "cde ", "x", " ", ". ", "\n", "\n\n", "; ", "mg/kg", "e.g. ", "a" * 250]
_text = st.one_of(st.text(max_size=800), st.lists(st.sampled_from(_pieces), max_size=300).map("".join))
_sections = st.lists(st.tuples(st.text(max_size=30), _text, st.none() | st.just("34067-9")), max_size=6)


@settings(max_examples=150, deadline=None)
@given(_sections, st.integers(200, 1200), st.integers(0, 400))
def test_chunking_properties(sections: list, size: int, overlap: int) -> None:
    params = ChunkParams(size, overlap)
    doc = _doc(*(Section(t, x, c) for t, x, c in sections))
    chunks = chunk_document(doc, params)
    longest_token = max((len(w) for _, x, _ in sections for w in x.split()), default=0)
    for c in chunks:
        assert c.text.strip(), "empty chunk"
        assert len(c.text) <= max(params.chunk_size, longest_token)
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))
    assert ids == [c.chunk_id for c in chunk_document(doc, params)]  # deterministic
    # nothing of substance is lost: every word of the input appears in some chunk
    words = {w for _, x, _ in sections for w in x.split()}
    joined = " ".join(c.text for c in chunks)
    assert all(w in joined for w in words)
