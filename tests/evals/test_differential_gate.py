"""The differential gate (evals/gate.py) fails when the default retrieval falls behind BM25.

Fast tier: the real AnswerEngine's own retrieval over a small in-memory corpus, with the word-overlap
fake as the BM25 stand-in; scrambling the engine's ranking on purpose must fail the gate. The same
break on the real gate index is in test_gate.py (integration).
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from eval_fakes import WordOverlapRetriever, chunk

from evals.gate import NDCG_MARGIN, differential_check
from evals.runner import run_suite
from medcite.embedding import HashingEmbedder
from medcite.settings import load_settings
from medcite.types import Hit, SearchFilters
from qa.engine import AnswerEngine

TOPICS = [
    ("metformin", "glucose diabetes"),
    ("atorvastatin", "cholesterol statin"),
    ("warfarin", "anticoagulation bleeding"),
    ("amoxicillin", "otitis infection"),
    ("lisinopril", "hypertension blood pressure"),
    ("sertraline", "depression anxiety"),
    ("levothyroxine", "hypothyroidism thyroid"),
    ("salbutamol", "asthma bronchospasm"),
]
CHUNKS = [
    chunk(f"pubmed:{i}", f"{drug} treats {words} in adults: a trial of {drug} for {words}", pmid=str(i))
    for i, (drug, words) in enumerate(TOPICS)
] + [
    chunk(f"pubmed:x{i}", f"unrelated abstract {i} about surgery and anaesthesia", pmid=f"x{i}")
    for i in range(8)
]


class ScrambledRetriever:
    """A retriever that breaks the ranking on purpose: its base's hits, shuffled (seeded per query)."""

    name = "scrambled"

    def __init__(self, base: WordOverlapRetriever) -> None:
        self.base = base

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        found = self.base.search(query, k=len(self.base.chunks), filters=filters)
        random.Random(query).shuffle(found)
        return [replace(h, rank=i + 1, score=1.0 / (i + 1)) for i, h in enumerate(found[:k])]


class PaddedRetriever(WordOverlapRetriever):
    """Word overlap that also returns non-matching chunks (so a scramble can demote the gold one)."""

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        found = super().search(query, k=k, filters=filters)
        ids = {h.chunk_id for h in found}
        rest = [c for c in self.chunks if c.chunk_id not in ids]
        out = [h.chunk for h in found] + rest
        return [
            Hit(chunk=c, score=1.0 / (i + 1), retriever="fake", rank=i + 1) for i, c in enumerate(out[:k])
        ]


@pytest.fixture()
def suite(tmp_path: Path) -> Path:
    p = tmp_path / "gate_mini.jsonl"
    rows = [
        {"id": drug, "question": f"does {drug} treat {words.split()[0]}", "gold_pmids": [str(i)]}
        for i, (drug, words) in enumerate(TOPICS)
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return p


def _metrics(suite: Path, tmp_path: Path, name: str, *, mode: str, retriever, engine=None):  # type: ignore[no-untyped-def]
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    return run_suite(
        suite,
        settings,
        mode=mode,
        answers=False,
        retriever=retriever,
        engine=engine,
        embedder=HashingEmbedder(),
        out=tmp_path / name,
        progress=False,
    ).metrics


def test_gate_passes_for_the_engine_and_fails_when_its_ranking_is_scrambled(
    suite: Path, tmp_path: Path
) -> None:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    bm25 = _metrics(suite, tmp_path, "bm25", mode="bm25", retriever=PaddedRetriever(CHUNKS))
    good_engine = AnswerEngine(PaddedRetriever(CHUNKS), settings, embedder=HashingEmbedder())
    good = _metrics(suite, tmp_path, "engine", mode="engine", retriever=None, engine=good_engine)
    broken_engine = AnswerEngine(
        ScrambledRetriever(PaddedRetriever(CHUNKS)), settings, embedder=HashingEmbedder()
    )
    broken = _metrics(suite, tmp_path, "broken", mode="engine", retriever=None, engine=broken_engine)

    assert good["retrieval_source"] == "engine" and bm25["retrieval_source"] == "bm25 baseline"
    assert differential_check(good, bm25).passed, differential_check(good, bm25).message()
    check = differential_check(broken, bm25)
    assert not check.passed, check.message()
    assert "FAILED" in check.message() and check.margin == NDCG_MARGIN


def test_margin_is_the_boundary() -> None:
    run = {"retrieval": {"ndcg@10": 0.90}}
    assert differential_check(run, {"retrieval": {"ndcg@10": 0.90 + NDCG_MARGIN}}).passed
    assert not differential_check(run, {"retrieval": {"ndcg@10": 0.90 + NDCG_MARGIN + 0.001}}).passed
    with pytest.raises(ValueError):
        differential_check({}, run)
