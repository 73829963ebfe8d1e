"""CI gate: a small fixed suite with the real packaged MiniLM model must stay above metric floors.

Fixture (tests/fixtures/gate/, built by build_gate_fixture.py): 50 BioASQ dev questions (fixed ids,
file order) over an index of their 78 gold abstracts + 300 seeded distractors; the 12 hand-written
out-of-scope questions (evals/out_of_scope.py) are the unanswerable set.

Floors = measured value minus a stated margin.  Measured on the dev box (2 shared CPU cores,
all-MiniLM-L6-v2, hybrid RRF, default settings), when this gate was written:
    recall@10 1.000   nDCG@10 0.983   citation validity 1.000   abstention on unanswerable 0.917 (11/12)
Margins: 0.10 on recall@10 and nDCG@10 (5 of 50 questions losing their gold document),
0.05 on citation validity (any real regression there is a bug), 0.17 on abstention (two more of
the 12 answered).  Runtime: ~2 min ingest + ~2 min questions on the busy 2-core box.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.runner import run_suite
from medcite.settings import load_settings

pytestmark = pytest.mark.integration

GATE = Path(__file__).resolve().parent.parent / "fixtures" / "gate"

FLOOR_RECALL_AT_10 = 1.00 - 0.10
FLOOR_NDCG_AT_10 = 0.983 - 0.10
FLOOR_CITATION_VALIDITY = 1.00 - 0.05
FLOOR_ABSTENTION_UNANSWERABLE = 0.917 - 0.17


@pytest.fixture(scope="module")
def gate_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from embedding.factory import embedder_from_settings
    from ingest.pipeline import run_ingest

    home = tmp_path_factory.mktemp("gate") / "home"
    settings = load_settings(home=home, corpus=GATE / "corpus", index={"embedding_model": "all-MiniLM-L6-v2"})
    result = run_ingest(settings, embedder_from_settings(settings), progress=False)
    assert result.documents_total == 378 and not result.issues
    return settings


def test_gate_retrieval_and_citations(gate_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_suite(
        GATE / "bioasq_gate.jsonl", gate_settings, mode="hybrid", out=tmp_path / "run", progress=False
    )
    mt = run.metrics
    assert mt["n"] == 50 and mt["errors"] == 0
    assert mt["retrieval"]["recall@10"] >= FLOOR_RECALL_AT_10, mt["retrieval"]
    assert mt["retrieval"]["ndcg@10"] >= FLOOR_NDCG_AT_10, mt["retrieval"]
    assert mt["answer"]["citation_validity"] >= FLOOR_CITATION_VALIDITY, mt["answer"]


def test_gate_abstains_on_unanswerable(gate_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = run_suite("out_of_scope", gate_settings, mode="hybrid", out=tmp_path / "oos", progress=False)
    ans = run.metrics["answer"]
    assert run.metrics["errors"] == 0
    assert ans["abstention_on_unanswerable"] >= FLOOR_ABSTENTION_UNANSWERABLE, [
        r["question"] for r in run.results if not r.get("abstained")
    ]
