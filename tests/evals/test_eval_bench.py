"""The retrieval benchmark on the small fixture corpus (fake embedder): every retriever, incl. the
LangChain baseline over the same Chroma collection, produces comparable doc-level rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.bench_retrieval import markdown_table, run_bench
from medcite.embedding import HashingEmbedder
from medcite.settings import load_settings

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus_small"

QUESTIONS = [
    {
        "id": "s1",
        "question": "Does pretreatment with statins improve clinical outcome after stroke?",
        "gold_pmids": ["11340218"],
    },
    {
        "id": "s2",
        "question": "Do dermatomyositis and polymyositis affect similar thigh muscles?",
        "gold_pmids": ["27991408"],
    },
    {
        "id": "s3",
        "question": "Is there a connection between sublingual varices and hypertension?",
        "gold_pmids": ["26163474"],
    },
    {"id": "s4", "question": "combined use of metformin and atorvastatin", "gold_pmids": ["28526884"]},
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not (CORPUS / "MANIFEST.json").exists():
        pytest.skip("fixture corpus not present")
    from ingest.pipeline import run_ingest

    tmp = tmp_path_factory.mktemp("bench")
    settings = load_settings(home=tmp / "home", corpus=CORPUS, index={"embedding_model": "fake"})
    run_ingest(settings, HashingEmbedder(), progress=False)
    suite = tmp / "small_suite.jsonl"
    suite.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    return settings, suite, tmp


def test_bench_compares_all_retrievers_on_the_same_index(small_index) -> None:  # type: ignore[no-untyped-def]
    settings, suite, tmp = small_index
    out = tmp / "out"
    rows = run_bench(settings, [suite], out=out)
    names = {r["retriever"] for r in rows}
    assert {"bm25", "dense", "hybrid", "engine", "langchain-chroma"} <= names
    for r in rows:
        assert r["n"] == len(QUESTIONS)
        assert r["p50_ms"] is not None and r["p95_ms"] >= r["p50_ms"]
        assert 0.0 <= r["ndcg@10"] <= 1.0
    by = {r["retriever"]: r for r in rows}
    # The questions are the PubMedQA titles themselves: keyword search must find them.
    assert by["bm25"]["recall@10"] == 1.0
    # Same model, same chunks: plain top-k dense through LangChain matches our dense retriever.
    assert by["langchain-chroma"]["recall@10"] == pytest.approx(by["dense"]["recall@10"])
    assert by["langchain-chroma"]["mrr"] == pytest.approx(by["dense"]["mrr"])
    # The engine's research passages hold what its research section is built from: the titles again.
    assert by["engine"]["recall@10"] == 1.0
    assert (out / "bench_retrieval.md").read_text().count("| small_suite |") == len(rows)
    assert json.loads((out / "bench_retrieval.json").read_text())["rows"] == json.loads(json.dumps(rows))
    assert (out / "recall_at_k.png").read_bytes().startswith(b"\x89PNG")
    # The baseline's temporary collection is dropped again; the index is left as it was.
    from index.vector_store import make_client

    assert [c.name for c in make_client(settings).list_collections()] == [settings.index.collection]


def test_markdown_table_formats_missing_values() -> None:
    table = markdown_table(
        [
            {
                "suite": "s",
                "retriever": "r",
                "n": 1,
                "recall@10": None,
                "ndcg@10": 0.5,
                "mrr": 1.0,
                "p50_ms": 1.25,
                "p95_ms": 2.0,
            }
        ],
        "test machine",
    )
    assert "| s | r | 1 | – | 0.500 | 1.000 | 1.2 | 2.0 |" in table and "test machine" in table


def test_bench_suite_halves_split_bioasq_like_training(tmp_path: Path) -> None:
    from evals.bench_retrieval import load_bench_suite
    from evals.encoder_pairs import split_bioasq
    from evals.suites import load_suite

    rows = [
        {"id": f"q{i}", "question": f"question {i}?", "pmids": [str(100 + i)], "body": f"question {i}?"}
        for i in range(7)
    ]
    rows.insert(3, {"id": "nogold", "question": "no gold?", "pmids": [], "body": "no gold?"})
    (tmp_path / "bioasq_dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    train, val = split_bioasq(load_suite("bioasq", tmp_path).items)
    assert [i.item_id for i in train] == ["q0", "q2", "q4", "q6"]
    assert [i.item_id for i in val] == ["q1", "q3", "q5"]
    got = load_bench_suite("bioasq:validation", tmp_path)
    assert got.name == "bioasq:validation" and [i.item_id for i in got.items] == ["q1", "q3", "q5"]
    assert [i.item_id for i in load_bench_suite("bioasq:train", tmp_path, limit=2).items] == ["q0", "q2"]
    with pytest.raises(ValueError, match="unknown half"):
        load_bench_suite("bioasq:test", tmp_path)
