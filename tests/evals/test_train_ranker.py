"""The fusion ranker's training data (evals.train_ranker): labels from gold documents, questions
without a gold candidate skipped, and a clear error when there is nothing to learn from."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from ingest_factory import fake_index, one_sentence_doc

from evals.suites import EvalItem
from evals.train_ranker import training_set
from index import Index
from medcite.errors import MedCiteError
from medcite.types import Tier
from qa.fusion_ranker import FEATURES

DOCS = [
    one_sentence_doc("d1", Tier.RESEARCH, "bioasq", "Metformin trial", "Metformin lowers glucose."),
    one_sentence_doc("d2", Tier.RESEARCH, "bioasq", "Asthma study", "Inhaled steroids for asthma."),
    one_sentence_doc("d3", Tier.GUIDELINE, "ngc", "Diabetes care", "Metformin first for diabetes."),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    with fake_index(tmp_path_factory.mktemp("home"), DOCS) as idx:
        yield idx


def item(question: str, *gold: str) -> EvalItem:
    return EvalItem(question, "bioasq", question, gold_doc_ids=gold)


def test_rows_are_labelled_by_gold_document(index: Index) -> None:
    data = training_set(index, [item("metformin glucose", "d1"), item("asthma steroids", "d2")], 10)
    assert data.questions == 2 and data.skipped == 0
    assert data.matrix.shape == (len(data.labels), len(FEATURES))
    assert data.labels.sum() == 2  # one gold passage per question
    assert set(np.unique(data.labels)) == {0.0, 1.0}


def test_questions_without_a_gold_candidate_are_skipped(index: Index) -> None:
    data = training_set(index, [item("metformin glucose", "d1"), item("metformin", "pubmed:404")], 10)
    assert data.questions == 1 and data.skipped == 1


def test_nothing_to_learn_from_is_an_error_with_a_fix(index: Index) -> None:
    with pytest.raises(MedCiteError, match="Nothing to train the fusion ranker on") as err:
        training_set(index, [item("metformin", "pubmed:404")], 10)
    assert "medcite ingest" in (err.value.hint or "")
