"""Must-have coverage: matcher behaviour and its agreement with the recorded hand judgements."""

from __future__ import annotations

import json
from pathlib import Path

from evals.coverage import MATCH_THRESHOLD, match_score, split_sentences, statement_coverage

HANDCHECK = Path(__file__).resolve().parent.parent / "fixtures" / "musthave_handcheck.jsonl"


def test_matcher_agrees_with_hand_judgements() -> None:
    pairs = [json.loads(line) for line in HANDCHECK.read_text().splitlines() if line.strip()]
    assert len(pairs) >= 40  # issue 17: at least 40 (statement, answer sentence) pairs judged by hand
    assert {p["human_match"] for p in pairs} == {True, False}  # both kinds judged
    agree = sum(
        (match_score(p["statement"], p["sentence"]) >= MATCH_THRESHOLD) == p["human_match"] for p in pairs
    )
    # Measured 21/22 when the threshold was set, 47/52 (90%) with 30 more pairs sampled near the
    # threshold; docs/EVALS.md records the disagreements.
    assert agree / len(pairs) >= 0.9


def test_match_score_is_content_word_recall() -> None:
    # statement content words: aspirin, reduc(e), fever -> 2 of 3 present
    assert match_score("Aspirin reduces the fever", "Aspirin reduces pain in adults") == 2 / 3
    assert match_score("the of and", "anything") == 0.0


def test_sentences_survive_abbreviations() -> None:
    sents = split_sentences("Give 10 mg/kg/day, e.g. twice daily. Monitor levels.")
    assert sents == ["Give 10 mg/kg/day, e.g. twice daily.", "Monitor levels."]


def test_coverage_counts_statements_matched_by_some_sentence() -> None:
    answer = "Metformin is first-line for type 2 diabetes. It can cause lactic acidosis rarely."
    cov = statement_coverage(
        [
            "Metformin is the first-line drug for type 2 diabetes.",
            "Lactic acidosis is a rare effect.",
            "Take it with meals.",
        ],
        answer,
    )
    assert cov.matched == (True, True, False)
    assert cov.coverage == 2 / 3
    assert statement_coverage([], answer).coverage is None
    assert statement_coverage(["anything at all"], "").coverage == 0.0
