"""The learned fusion ranker (issue 18): features, fitting, the ranker file, the index's candidate
pool and the learned hybrid retriever (with its RRF fallback)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from ingest_factory import fake_index, one_sentence_doc

from index import Index
from index.keyword import indexed_terms
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import RANK_CAP, Candidate, CandidatePool, Chunk, SearchFilters, Tier
from qa.fusion_ranker import (
    FEATURES,
    RANK_K,
    LinearRanker,
    feature_matrix,
    fit_logistic,
    rank,
    ranker_path,
)
from qa.retrievers import HybridRetriever, LearnedHybridRetriever, fusion_ranker, make_retriever


def _chunk(cid: str, doc: str, title: str, text: str) -> Chunk:
    return Chunk(cid, doc, Tier.RESEARCH, "bioasq", title, "Abstract", text, 0)


CHUNKS = {
    "a1": _chunk("a1", "A", "Metformin in type 2 diabetes", "Metformin lowers glucose in type 2 diabetes."),
    "a2": _chunk("a2", "A", "Metformin in type 2 diabetes", "Lactic acidosis is rare."),
    "b1": _chunk("b1", "B", "Asthma inhalers", "Inhaled steroids reduce asthma attacks."),
}
POOL = CandidatePool(
    (
        Candidate("a1", bm25=8.0, cosine=0.7, bm25_rank=1, dense_rank=2),
        Candidate("b1", bm25=2.0, cosine=0.8, bm25_rank=2, dense_rank=1),
        Candidate("a2", bm25=0.0, cosine=0.5, bm25_rank=RANK_CAP + 1, dense_rank=3),
        Candidate("zz", bm25=1.0, cosine=0.1, bm25_rank=3, dense_rank=4),  # not in the catalog
    ),
    bm25_max=8.0,
    cosine_max=0.8,
)


def column(matrix: np.ndarray, name: str) -> np.ndarray:
    return matrix[:, FEATURES.index(name)]


def test_indexed_terms_drop_stopwords_and_stem() -> None:
    assert indexed_terms("The treatments for the Diabetes?") == indexed_terms("treatment diabetes")
    assert "the" not in indexed_terms("the diabetes") and indexed_terms("") == frozenset()


def test_feature_rows_follow_the_feature_list() -> None:
    known, x = feature_matrix(indexed_terms("metformin diabetes"), POOL, CHUNKS, indexed_terms)
    assert [c.chunk_id for c in known] == ["a1", "b1", "a2"]  # the unknown chunk is dropped
    assert x.shape == (3, len(FEATURES))
    assert column(x, "bm25_norm").tolist() == pytest.approx([1.0, 0.25, 0.0])
    assert column(x, "cosine_gap").tolist() == pytest.approx([-0.1, 0.0, -0.3])
    assert column(x, "rr_bm25")[2] == pytest.approx(1 / (RANK_K + RANK_CAP + 1))
    assert column(x, "log_rank_dense").tolist() == pytest.approx([math.log(2), 0.0, math.log(3)])
    # coverage reads the passage and its title: a2's text has neither term, its title has both
    assert column(x, "term_coverage").tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert column(x, "title_coverage").tolist() == pytest.approx([1.0, 0.0, 1.0])
    # document-level evidence: a2 inherits document A's best BM25 and cosine, and counts its 2 passages
    assert column(x, "doc_bm25_norm").tolist() == pytest.approx([1.0, 0.25, 1.0])
    assert column(x, "doc_cosine").tolist() == pytest.approx([0.7, 0.8, 0.7])
    assert column(x, "doc_passages").tolist() == pytest.approx([math.log(3), math.log(2), math.log(3)])


def test_no_bm25_match_does_not_divide_by_zero() -> None:
    pool = CandidatePool((Candidate("b1", 0.0, 0.4, RANK_CAP + 1, 1),), bm25_max=0.0, cosine_max=0.4)
    _, x = feature_matrix(frozenset(), pool, CHUNKS, indexed_terms)
    assert np.isfinite(x).all() and column(x, "term_coverage")[0] == 0.0


def test_logistic_fit_learns_the_informative_feature_and_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    signal = rng.normal(size=400)
    noise = rng.normal(size=400)
    labels = (signal + 0.3 * rng.normal(size=400) > 0.5).astype(float)
    x = np.column_stack([noise, signal, signal * 10 + 3])  # the third is the second rescaled
    w = fit_logistic(x, labels)
    assert abs(w[0]) < 0.2 * (abs(w[1]) + 10 * abs(w[2]))
    scores = x @ w
    assert scores[labels == 1].mean() > scores[labels == 0].mean()
    assert np.array_equal(w, fit_logistic(x, labels))
    with pytest.raises(ValueError):
        fit_logistic(np.zeros((0, 2)), np.zeros(0))


def test_rank_orders_by_score_and_keeps_ties_in_pool_order() -> None:
    ranker = LinearRanker(tuple(1.0 if f == "cosine" else 0.0 for f in FEATURES))
    known, x = feature_matrix(frozenset(), POOL, CHUNKS, indexed_terms)
    assert [cid for cid, _ in rank(ranker, known, x)] == ["b1", "a1", "a2"]
    flat = LinearRanker((0.0,) * len(FEATURES))
    assert [cid for cid, _ in rank(flat, known, x)] == ["a1", "b1", "a2"]
    assert rank(flat, [], np.zeros((0, len(FEATURES)))) == []


def test_ranker_file_round_trip_and_refusals(tmp_path: Path) -> None:
    ranker = LinearRanker(
        tuple(float(i) for i in range(len(FEATURES))), tiers=("research",), info={"questions": 3}
    )
    path = tmp_path / "r.json"
    path.write_text(ranker.to_json())
    loaded = LinearRanker.load(path)
    assert loaded == ranker and loaded.info["questions"] == 3 and loaded.tiers == ("research",)
    body = json.loads(path.read_text())
    body["features"] = body["features"][:-1] + ["something_else"]
    path.write_text(json.dumps(body))
    with pytest.raises(MedCiteError, match="other features") as err:
        LinearRanker.load(path)
    assert "medcite model ranker" in (err.value.hint or "")
    path.write_text("{not json")
    with pytest.raises(MedCiteError, match="cannot be read"):
        LinearRanker.load(path)
    with pytest.raises(ValueError):
        LinearRanker((1.0,))


def test_the_shipped_ranker_loads_and_was_fitted_on_the_training_half() -> None:
    ranker = LinearRanker.load(ranker_path("medcite-minilm-l6-bio"))
    assert ranker.features == FEATURES and ranker.tiers == ("research",)
    assert ranker.info["embedding_model"] == "medcite-minilm-l6-bio"
    assert "training half" in ranker.info["trained_on"]
    figures = ranker.info["ndcg@10"]["validation"]
    assert figures["learned"] > figures["rrf"]  # what the file claims of itself, read by the benchmark


DOCS = [
    one_sentence_doc("d1", Tier.RESEARCH, "bioasq", "Metformin trial", "Metformin lowers glucose."),
    one_sentence_doc("d2", Tier.RESEARCH, "bioasq", "Asthma study", "Inhaled steroids for asthma."),
    one_sentence_doc("d3", Tier.GUIDELINE, "ngc", "Diabetes guideline", "Metformin first for diabetes."),
    one_sentence_doc("d4", Tier.PATIENT_INFO, "medlineplus", "Asthma", "Asthma narrows airways."),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    with fake_index(tmp_path_factory.mktemp("home"), DOCS) as idx:
        yield idx


@pytest.fixture(scope="module")
def built(index: Index) -> Settings:
    return index.settings


def test_candidate_pool_unites_both_sides_with_their_ranks(index: Index) -> None:
    pool = index.candidate_pool("metformin diabetes", 2)
    assert pool is not None
    bm25 = index.bm25_search("metformin diabetes", 10)
    dense = index.dense_search("metformin diabetes", 10)
    ids = [c.chunk_id for c in pool.candidates]
    assert ids[: min(2, len(bm25))] == [cid for cid, _ in bm25[:2]]  # BM25's top n first, in order
    assert set(ids) == {cid for cid, _ in bm25[:2]} | {cid for cid, _ in dense[:2]}
    by_id = {c.chunk_id: c for c in pool.candidates}
    for r, (cid, score) in enumerate(dense, start=1):
        if cid in by_id:
            assert by_id[cid].dense_rank == r and by_id[cid].cosine == pytest.approx(score, abs=1e-5)
    for cid, c in by_id.items():
        if cid not in {b for b, _ in bm25}:
            assert c.bm25 == 0.0 and c.bm25_rank == RANK_CAP + 1
    assert pool.bm25_max == pytest.approx(bm25[0][1]) and pool.cosine_max == pytest.approx(
        dense[0][1], abs=1e-5
    )


def test_candidate_pool_honours_filters(index: Index) -> None:
    pool = index.candidate_pool("metformin asthma", 10, SearchFilters(tiers=(Tier.RESEARCH,)))
    assert pool is not None and pool.candidates
    chunks = index.get_chunks([c.chunk_id for c in pool.candidates])
    assert {c.tier for c in chunks.values()} == {Tier.RESEARCH}
    assert sorted(c.dense_rank for c in pool.candidates) == [1, 2]  # ranks count filtered rows only


def test_learned_retriever_ranks_by_its_weights(index: Index) -> None:
    rrf = HybridRetriever(index, rrf_k=10, candidates=10)
    by_title = LinearRanker(tuple(1.0 if f == "title_coverage" else 0.0 for f in FEATURES))
    hits = LearnedHybridRetriever(index, by_title, candidates=10, fallback=rrf).search("asthma", k=3)
    assert hits[0].doc_id == "d4"  # the only title that is the question's term
    assert [h.rank for h in hits] == [1, 2, 3] and all(h.retriever == "hybrid" for h in hits)
    assert hits[0].score >= hits[1].score


def test_learned_retriever_falls_back_to_rrf_without_a_candidate_pool(index: Index) -> None:
    class NoMatrix:
        def bm25_search(self, query: str, k: int, filters: SearchFilters | None = None) -> list:
            return index.bm25_search(query, k, filters)

        def dense_search(self, query: str, k: int, filters: SearchFilters | None = None) -> list:
            return index.dense_search(query, k, filters)

        def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
            return index.get_chunks(ids)

        def candidate_pool(self, query: str, n: int, filters: SearchFilters | None = None) -> None:
            return None

    rrf = HybridRetriever(NoMatrix(), rrf_k=10, candidates=10)
    ranker = LinearRanker((1.0,) * len(FEATURES))
    learned = LearnedHybridRetriever(NoMatrix(), ranker, candidates=10, fallback=rrf)
    assert [h.chunk_id for h in learned.search("asthma", k=3)] == [
        h.chunk_id for h in rrf.search("asthma", k=3)
    ]


def test_tiers_the_ranker_did_not_learn_are_fused_by_rank(index: Index) -> None:
    rrf = HybridRetriever(index, rrf_k=10, candidates=10)
    by_title = LinearRanker(
        tuple(1.0 if f == "title_coverage" else 0.0 for f in FEATURES), tiers=("research",)
    )
    learned = LearnedHybridRetriever(index, by_title, candidates=10, fallback=rrf)
    patient = SearchFilters(tiers=(Tier.PATIENT_INFO,))
    assert [h.score for h in learned.search("asthma", 2, patient)] == [
        h.score for h in rrf.search("asthma", 2, patient)
    ]
    mixed = SearchFilters(tiers=(Tier.RESEARCH, Tier.GUIDELINE))
    assert not by_title.applies_to(mixed) and not by_title.applies_to(patient)
    research = SearchFilters(tiers=(Tier.RESEARCH,))
    assert (
        by_title.applies_to(research) and by_title.applies_to(None) and by_title.applies_to(SearchFilters())
    )
    hits = learned.search("asthma study", 2, research)
    assert hits[0].doc_id == "d2" and hits[0].score == pytest.approx(1.0)  # the ranker's own score
    assert LinearRanker(by_title.weights).applies_to(patient)  # no tiers recorded: every tier


def test_make_retriever_uses_the_ranker_of_the_configured_encoder(index: Index, built: Settings) -> None:
    assert isinstance(make_retriever(index, "hybrid", built), HybridRetriever)  # no ranker for "fake"
    trained = built.replace(index={"embedding_model": "medcite-minilm-l6-bio"})
    assert fusion_ranker(trained) is not None
    assert isinstance(make_retriever(index, "hybrid", trained), LearnedHybridRetriever)
    rrf = trained.replace(retrieval={"fusion": "rrf"})
    assert fusion_ranker(rrf) is None and isinstance(make_retriever(index, "hybrid", rrf), HybridRetriever)
