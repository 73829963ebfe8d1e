"""Evidence graded per document, once, at ingest (issue 17 item 3): every chunk of one trial carries the
design graded from the whole record, and an index built before ingest graded documents gets the grade
on the next ingest without re-embedding."""

from __future__ import annotations

import dataclasses

from ingest_factory import CountingEmbedder

from index.catalog import Catalog
from ingest.pipeline import run_ingest
from medcite.settings import Settings
from medcite.types import Document, Section, StudyDesign, Tier
from qa.grading import evidence_for, study_design_for

# The design is stated only in the methods; the results chunk alone reads like any study.
_FILLER = "Outcomes were recorded at baseline and at each visit in both groups of adults. " * 8
TRIAL = Document(
    doc_id="pubmed:1",
    tier=Tier.RESEARCH,
    collection="pubmedqa",
    title="Methotrexate and muscle strength in dermatomyositis",
    sections=(
        Section(
            "METHODS",
            "Adults were randomly assigned to methotrexate or placebo in a double-blind trial. " + _FILLER,
        ),
        Section(
            "RESULTS", "Strength improved more with methotrexate than with placebo at 24 weeks. " + _FILLER
        ),
    ),
    year=2020,
)
REVIEW = Document(
    doc_id="cochrane:1",
    tier=Tier.RESEARCH,
    collection="cochrane",
    title="Immunosuppressants for myositis",
    sections=(Section("Abstract", "Authors found few trials of immunosuppressants for myositis."),),
    year=2019,
)
GUIDE = Document(
    doc_id="ngc:1",
    tier=Tier.GUIDELINE,
    collection="ngc",
    title="Myositis guideline",
    sections=(Section("Recommendations", "Prednisone is first-line therapy for dermatomyositis."),),
    meta={"grade": "B"},
)


def _chunks(settings: Settings, doc_id: str):  # type: ignore[no-untyped-def]
    cat = Catalog(settings.catalog_path)
    try:
        return [c for c in cat.iter_chunks() if c.doc_id == doc_id]
    finally:
        cat.close()


def test_all_chunks_of_a_document_carry_its_one_design(settings: Settings) -> None:
    run_ingest(settings, CountingEmbedder(), corpus=[TRIAL, REVIEW, GUIDE], progress=False)
    trial = _chunks(settings, "pubmed:1")
    assert len(trial) >= 2  # the methods and results are separate chunks
    assert {c.meta.get("study_design") for c in trial} == {StudyDesign.RCT.value}
    assert {evidence_for(c).label for c in trial} == {"Level 2 · randomised controlled trial"}
    assert [c.meta.get("study_design") for c in _chunks(settings, "cochrane:1")] == [
        StudyDesign.SYSTEMATIC_REVIEW.value
    ]
    assert all("study_design" not in c.meta for c in _chunks(settings, "ngc:1"))  # research only


def test_stored_design_is_read_not_regraded() -> None:
    from ingest.chunker import ChunkParams, chunk_document
    from ingest.pipeline import graded
    from medcite.settings import IndexSettings

    results = [
        c for c in chunk_document(graded(TRIAL), ChunkParams.of(IndexSettings())) if "Strength" in c.text
    ][0]
    assert study_design_for(results) is StudyDesign.RCT
    # graded from that chunk alone the design would be lost: the stored grade is what counts
    ungraded = dataclasses.replace(results, meta={})
    assert study_design_for(ungraded) is not StudyDesign.RCT


def test_index_built_before_grading_is_graded_on_next_ingest_without_reembedding(settings: Settings) -> None:
    run_ingest(settings, CountingEmbedder(), corpus=[TRIAL, REVIEW, GUIDE], progress=False)
    cat = Catalog(settings.catalog_path)
    try:
        with cat.transaction() as c:  # what an index built by the previous code holds
            for table in ("documents", "chunks"):
                c.execute(f"UPDATE {table} SET meta = json_remove(meta, '$.study_design')")
        assert cat.ungraded_research_documents() == {"pubmed:1", "cochrane:1"}
    finally:
        cat.close()
    emb = CountingEmbedder()
    again = run_ingest(settings, emb, corpus=[TRIAL, REVIEW, GUIDE], progress=False)
    assert again.regraded == 2 and emb.texts_embedded == 0 and again.unchanged == 3
    assert {c.meta.get("study_design") for c in _chunks(settings, "pubmed:1")} == {StudyDesign.RCT.value}
    assert "Graded the study design of 2 research documents" in again.summary()
    third = run_ingest(settings, CountingEmbedder(), corpus=[TRIAL, REVIEW, GUIDE], progress=False)
    assert third.regraded == 0
