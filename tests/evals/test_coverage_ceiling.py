"""The must-have coverage the retrieved evidence allows (evals/coverage_ceiling.py)."""

from __future__ import annotations

from eval_fakes import WordOverlapRetriever, chunk

from evals.coverage_ceiling import coverage_ceiling
from evals.suites import EvalItem
from medcite.settings import Settings
from medcite.types import Tier
from qa.engine import AnswerEngine

CHUNKS = [
    chunk("label", "Meprobamate tablets come in 200 mg and 400 mg strengths.", tier=Tier.DRUG_LABEL),
    chunk("page", "Meprobamate is used for anxiety and can cause drowsiness.", tier=Tier.PATIENT_INFO),
]


def test_ceiling_counts_what_the_passages_hold_and_nothing_else() -> None:
    engine = AnswerEngine(WordOverlapRetriever(CHUNKS), Settings())
    item = EvalItem(
        "q1",
        "medlfqa",
        "What strengths does meprobamate come in?",
        must_have=(
            "Meprobamate comes in 200 mg and 400 mg strengths.",  # in the label passage
            "Meprobamate should be stored in bottles of 100 and 1000 at room temperature.",  # nowhere
        ),
    )
    no_statements = EvalItem("q2", "medlfqa", "What is meprobamate?")
    result = coverage_ceiling(engine, [item, no_statements], k=5)
    assert result["questions"] == 1  # only questions with must-have statements count
    assert result["engine_passages_coverage"] == 0.5
    assert result["hybrid_top5_coverage"] == 0.5
    assert result["engine_passages_words_mean"] > 0
