"""The fusion ranker's training data (evals.train_ranker): labels from gold documents, questions
without a gold candidate skipped, and a clear error when there is nothing to learn from."""

from __future__ import annotations

import numpy as np
import pytest

from evals.suites import EvalItem
from evals.train_ranker import training_set
from index import Index, open_index
from ingest.pipeline import run_ingest
from medcite.embedding import HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import load_settings
from medcite.types import Document, Section, Tier
from qa.fusion_ranker import FEATURES

DOCS = [
    Document(
        "d1", Tier.RESEARCH, "bioasq", "Metformin trial", (Section("Body", "Metformin lowers glucose."),)
    ),
    Document(
        "d2", Tier.RESEARCH, "bioasq", "Asthma study", (Section("Body", "Inhaled steroids for asthma."),)
    ),
    Document(
        "d3", Tier.GUIDELINE, "ngc", "Diabetes care", (Section("Body", "Metformin first for diabetes."),)
    ),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    s = load_settings(home=tmp_path_factory.mktemp("home"), index={"embedding_model": "fake"})
    run_ingest(s, HashingEmbedder(), corpus=DOCS, progress=False)
    idx = open_index(s)
    yield idx
    idx.close()


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
