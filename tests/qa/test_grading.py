"""Study-design grading, evidence badges and the classifier's floor on the hand-labelled sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qa_fakes import chunk

from medcite.settings import SHARED_CORPUS
from medcite.types import StudyDesign, Tier
from qa.grading import evidence_for, evidence_rank, grade_study_design

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "grading_sample.jsonl"


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Statins for stroke: a systematic review and meta-analysis", "", StudyDesign.SYSTEMATIC_REVIEW),
        (
            "",
            "We searched MEDLINE and EMBASE. Twelve trials involving 3,400 participants were included.",
            StudyDesign.SYSTEMATIC_REVIEW,
        ),
        ("", "Eighty patients were randomized to drug or placebo in a double-blind design.", StudyDesign.RCT),
        ("Aspirin after surgery: a randomised controlled trial", "", StudyDesign.RCT),
        ("", "We report a 45-year-old woman with recurrent fever and rash.", StudyDesign.CASE_SERIES),
        (
            "",
            "This retrospective cohort study included 1,200 patients from a registry.",
            StudyDesign.OBSERVATIONAL,
        ),
        ("", "In this review, we discuss recent advances in gene therapy.", StudyDesign.NARRATIVE_REVIEW),
        ("", "Twenty male rats were exposed to hypoxia for two weeks.", StudyDesign.OTHER),
        ("Acupuncture for knee pain: a systematic review protocol", "", StudyDesign.OTHER),
        ("", "Leptin belongs to the adipokine family.", StudyDesign.OTHER),
    ],
)
def test_design_rules(title: str, text: str, expected: StudyDesign) -> None:
    assert grade_study_design(title, text) is expected


def test_mention_of_someone_elses_trial_is_not_an_rct() -> None:
    text = "A recent randomized controlled trial suggested benefit. We reviewed the charts of 50 patients."
    assert grade_study_design("", text) is StudyDesign.OBSERVATIONAL


def test_metadata_and_collection() -> None:
    assert (
        grade_study_design("", "Results were good.", collection="cochrane") is StudyDesign.SYSTEMATIC_REVIEW
    )
    assert (
        grade_study_design("", "Outcomes.", publication_types=["Randomized Controlled Trial"])
        is StudyDesign.RCT
    )
    assert grade_study_design("", "Outcomes were measured.", mesh_terms=["Retrospective Studies"]) is (
        StudyDesign.OBSERVATIONAL
    )
    assert grade_study_design("", "A girl presented.", section_labels=["INTRODUCTION", "CASE REPORT"]) is (
        StudyDesign.CASE_SERIES
    )


def test_evidence_badges_by_tier() -> None:
    sr = evidence_for(chunk("We searched PubMed for trials.", title="X: a meta-analysis"))
    assert (
        sr.level == 1 and sr.study_design is StudyDesign.SYSTEMATIC_REVIEW and sr.label.startswith("Level 1")
    )
    hint = evidence_for(chunk("Text.", meta={"study_design_hint": "systematic review"}))
    assert hint.study_design is StudyDesign.SYSTEMATIC_REVIEW
    g = evidence_for(
        chunk(
            "Screen adults.",
            tier=Tier.GUIDELINE,
            collection="uspstf",
            publisher="USPSTF",
            year=2021,
            meta={"grade": "B"},
        )
    )
    assert g.grade == "B" and "Grade B" in g.label and "2021" in g.label and g.level is None
    lab = evidence_for(
        chunk(
            "Give 5 mg.",
            tier=Tier.DRUG_LABEL,
            section="Dosage and Administration",
            meta={"effective_date": "2023-01-05"},
        )
    )
    assert lab.label == "FDA label · Dosage and Administration · revised 2023-01-05"
    assert evidence_rank(chunk("x", tier=Tier.GUIDELINE, meta={"grade": "A"})) < evidence_rank(
        chunk("x", tier=Tier.GUIDELINE)
    )


def test_sample_is_hand_labelled_and_split() -> None:
    items = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    assert len(items) >= 150
    assert {it["label"] for it in items} == {d.value for d in StudyDesign}
    assert {it["split"] for it in items} == {"dev", "holdout"}
    assert all(it["reason"] and it["id"] for it in items)


@pytest.mark.skipif(not (SHARED_CORPUS / "research").exists(), reason="shared corpus not available")
def test_holdout_floor_on_labelled_sample() -> None:
    from evals.grading_report import full_records, load_sample, per_class, predict

    records = full_records(SHARED_CORPUS)
    holdout = [it for it in load_sample() if it["split"] == "holdout"]
    pairs = [(it["label"], predict(it, records.get(f"{it['source']}|{it['id']}"))) for it in holdout]
    scores, accuracy = per_class(pairs)
    assert accuracy >= 0.8  # measured 0.85 when the rules were frozen
    by = {s.design: s for s in scores}
    assert by[StudyDesign.SYSTEMATIC_REVIEW.value].recall >= 0.8
    assert by[StudyDesign.RCT.value].precision >= 0.8
