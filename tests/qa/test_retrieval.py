"""Index opening (missing / mismatch), BM25 / dense / hybrid retrieval, filters and RRF."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from index import Index, open_index
from ingest.pipeline import run_ingest
from medcite.embedding import HashingEmbedder
from medcite.errors import IndexMismatchError, IndexMissingError
from medcite.settings import Settings, load_settings
from medcite.types import Document, SearchFilters, Section, Tier
from qa.base import Retriever
from qa.retrievers import (
    DenseRetriever,
    HybridRetriever,
    make_retriever,
    per_document,
    reciprocal_rank_fusion,
)


def _doc(i: int, tier: Tier, collection: str, year: int | None, title: str, text: str) -> Document:
    return Document(f"d{i}", tier, collection, title, (Section("Body", text),), year=year)


DOCS = [
    _doc(
        1, Tier.GUIDELINE, "uspstf", 2019, "Hypertension screening", "Screen adults for high blood pressure."
    ),
    _doc(2, Tier.DRUG_LABEL, "spl", 2021, "Lisinopril label", "Lisinopril treats hypertension in adults."),
    _doc(
        3,
        Tier.RESEARCH,
        "pubmedqa",
        2015,
        "ACE inhibitors trial",
        "Hypertension outcomes with ACE inhibitors.",
    ),
    _doc(
        4,
        Tier.PATIENT_INFO,
        "medlineplus",
        None,
        "High blood pressure",
        "Hypertension means high blood pressure.",
    ),
    _doc(
        5,
        Tier.RESEARCH,
        "bioasq",
        2010,
        "Asthma inhaler study",
        "Inhaled corticosteroids reduce asthma attacks.",
    ),
    _doc(6, Tier.GUIDELINE, "ngc", 2012, "Asthma guideline", "Asthma management with inhaled steroids."),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = load_settings(home=tmp_path_factory.mktemp("home"), index={"embedding_model": "fake"})
    run_ingest(s, HashingEmbedder(), corpus=DOCS, progress=False)
    return s


@pytest.fixture(scope="module")
def index(built: Settings) -> Index:
    idx = open_index(built)
    yield idx
    idx.close()


def test_rrf_formula_and_ties() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]], k=60)
    scores = dict(fused)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert [d for d, _ in fused] == ["b", "a", "c"]
    # equal scores keep first-appearance order; one-list items rank below items found twice
    assert [d for d, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]], k=1)] == ["x", "y"]
    assert [d for d, _ in reciprocal_rank_fusion([["p", "q"], ["r", "q"]], k=60)][0] == "q"
    assert reciprocal_rank_fusion([], k=60) == []


def test_missing_index_error(tmp_path: Path) -> None:
    s = load_settings(home=tmp_path / "empty", index={"embedding_model": "fake"})
    with pytest.raises(IndexMissingError, match=r"No index in .*empty.*Run `medcite ingest`"):
        open_index(s)


def test_mismatch_error_names_each_parameter(built: Settings) -> None:
    other = built.replace(
        index={"embedding_model": "all-MiniLM-L6-v2", "embedding_backend": "onnx", "chunk_overlap": 10}
    )
    with pytest.raises(IndexMismatchError) as err:
        open_index(other, embedder=HashingEmbedder())
    msg = str(err.value)
    assert "index built with embedding_model='fake', settings say 'all-MiniLM-L6-v2'" in msg
    assert "chunk_overlap=150" in msg and "medcite ingest --rebuild" in msg


def test_stats_shape(index: Index) -> None:
    st = index.stats()
    assert st["documents"] == 6 and st["chunks"] == st["vectors"] == st["bm25_chunks"] == 6
    # issue 3's `status --json` contract: by_tier counts documents as plain ints
    assert st["by_tier"] == {"guideline": 2, "drug_label": 1, "research": 2, "patient_info": 1}
    assert st["chunks_by_tier"] == {"guideline": 2, "drug_label": 1, "research": 2, "patient_info": 1}
    assert st["embedding_model"] == "fake" and st["corpus_hash"] == index.corpus_hash != ""


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_retrievers_rank_and_carry_chunks(index: Index, built: Settings, mode: str) -> None:
    r = make_retriever(index, mode, built)
    typed: Retriever = r  # the qa.base protocol (not runtime-checkable)
    assert typed.name == mode
    hits = r.search("asthma inhaled steroids", k=2)
    assert [h.rank for h in hits] == [1, 2]
    assert {h.doc_id for h in hits} == {"d5", "d6"}
    assert all(h.retriever == mode and h.chunk.title for h in hits)
    assert hits[0].score >= hits[1].score


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_filters_honoured_and_exact_k(index: Index, mode: str) -> None:
    r = make_retriever(index, mode, index.settings)
    hyper = r.search("hypertension", k=3, filters=SearchFilters(tiers=(Tier.RESEARCH, Tier.DRUG_LABEL)))
    assert {h.chunk.tier for h in hyper} <= {Tier.RESEARCH, Tier.DRUG_LABEL}
    assert {"d2", "d3"} <= {h.doc_id for h in hyper}
    years = r.search("hypertension blood pressure", k=10, filters=SearchFilters(year_min=2016, year_max=2020))
    assert [h.doc_id for h in years] == ["d1"]  # d4 has no year, so a year filter excludes it
    coll = r.search("asthma", k=5, filters=SearchFilters(collections=("ngc",)))
    assert [h.doc_id for h in coll] == ["d6"]


def test_bm25_filter_applies_before_top_k(index: Index) -> None:
    # Unfiltered, the two asthma documents outrank everything; filtered to patient info, the one
    # patient document must still come back although it is not in the unfiltered top 2.
    def docs(ids: list[tuple[str, float]]) -> list[str]:
        chunks = index.get_chunks([c for c, _ in ids])
        return [chunks[c].doc_id for c, _ in ids]

    query = "asthma inhaled steroids hypertension"
    assert "d4" not in docs(index.bm25_search(query, 2))
    assert docs(index.bm25_search(query, 2, SearchFilters(tiers=(Tier.PATIENT_INFO,)))) == ["d4"]
    # exactly k when k matching documents exist
    assert len(index.bm25_search(query, 2, SearchFilters(tiers=(Tier.RESEARCH,)))) == 2


def test_hybrid_fuses_both_sides(index: Index) -> None:
    bm25 = [c for c, _ in index.bm25_search("lisinopril hypertension", 6)]
    dense = [c for c, _ in index.dense_search("lisinopril hypertension", 6)]
    hits = HybridRetriever(index, rrf_k=60, candidates=6).search("lisinopril hypertension", k=6)
    expected = reciprocal_rank_fusion([bm25, dense], 60)
    assert [h.chunk_id for h in hits] == [c for c, _ in expected][:6]
    assert hits[0].score == pytest.approx(expected[0][1])


def test_concurrent_queries(index: Index) -> None:
    r = HybridRetriever(
        index, rrf_k=index.settings.retrieval.rrf_k, candidates=index.settings.retrieval.candidates
    )
    expected = [h.chunk_id for h in r.search("asthma", k=3)]
    errors: list[BaseException] = []
    results: list[list[str]] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append([h.chunk_id for h in r.search("asthma", k=3)])
        except BaseException as exc:  # noqa: BLE001 - surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 20 and all(res == expected for res in results)


class _GatedEmbedder(HashingEmbedder):
    """Blocks inside the model call for the query "slow" until released (a long encode)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()

    def embed_query(self, text: str):  # type: ignore[no-untyped-def]
        if text == "slow":
            self.entered.set()
            assert self.gate.wait(10)
        return super().embed_query(text)


def test_a_slow_query_encode_does_not_block_other_queries(
    built: Settings, completes_while_blocked: Callable[..., None]
) -> None:
    """Issue 8: concurrent web-chat queries must not serialise on the index's query-vector cache."""
    embedder = _GatedEmbedder()
    idx = open_index(built, embedder)
    dense = DenseRetriever(idx)

    def others() -> None:
        dense.search("asthma", k=2)  # unfiltered: Chroma
        dense.search("hypertension", k=2, filters=SearchFilters(tiers=(Tier.GUIDELINE,)))  # matrix

    try:
        completes_while_blocked(lambda: dense.search("slow", k=2), embedder.entered, embedder.gate, others)
    finally:
        idx.close()


def test_unknown_mode(index: Index, built: Settings) -> None:
    from medcite.errors import MedCiteError

    with pytest.raises(MedCiteError, match="bm25, dense, hybrid"):
        make_retriever(index, "magic", built)


@pytest.mark.integration
def test_real_model_dense_retrieval(tmp_path: Path) -> None:
    from embedding.factory import make_embedder

    s = load_settings(
        home=tmp_path / "real", index={"embedding_model": "all-MiniLM-L6-v2", "embedding_backend": "torch"}
    )
    emb = make_embedder(s.index.embedding_model, 64, backend="torch", cache_dir=None)
    run_ingest(s, emb, corpus=DOCS, progress=False)
    idx = open_index(s, emb)
    try:
        assert idx.manifest.dim == 384
        hits = DenseRetriever(idx).search("inhaler for wheezing and asthma attacks", k=2)
        assert {h.doc_id for h in hits} == {"d5", "d6"}
        with pytest.raises(
            IndexMismatchError, match="embedding_model='all-MiniLM-L6-v2', settings say 'fake'"
        ):
            open_index(s.replace(index={"embedding_model": "fake"}))
    finally:
        idx.close()


def test_per_document_keeps_the_best_passages_of_each_document() -> None:
    from medcite.types import Chunk, Hit

    def hit(doc: str, n: int, rank: int) -> Hit:
        chunk = Chunk(f"{doc}-{n}", doc, Tier.PATIENT_INFO, "medquad", doc, "Answer", "text", n)
        return Hit(chunk, 1.0 / rank, "hybrid", rank)

    hits = [hit("a", 1, 1), hit("a", 2, 2), hit("b", 1, 3), hit("a", 3, 4), hit("c", 1, 5), hit("b", 2, 6)]
    got = per_document(list(reversed(hits)), k=10)
    assert [h.chunk_id for h in got] == ["a-1", "b-1", "c-1"] and [h.rank for h in got] == [1, 2, 3]
    assert [h.chunk_id for h in per_document(hits, k=4, per_doc=2)] == ["a-1", "a-2", "b-1", "c-1"]
    assert [h.chunk_id for h in per_document(hits, k=2)] == ["a-1", "b-1"]


def test_filtered_dense_search_uses_the_local_matrix_and_matches_chroma(index: Index) -> None:
    assert index.dense_matrix is not None and index.dense_matrix.shape == (6, index.embedder.dim)
    for filters in (
        SearchFilters(tiers=(Tier.RESEARCH, Tier.DRUG_LABEL)),
        SearchFilters(tiers=(Tier.GUIDELINE,)),
        SearchFilters(year_min=2011),
    ):
        local = index.dense_search("hypertension in adults", 3, filters)
        chroma = index.vectors.query(index.embed_query("hypertension in adults"), 3, filters)
        assert [c for c, _ in local] == [c for c, _ in chroma]
        assert [s for _, s in local] == pytest.approx([s for _, s in chroma], abs=1e-5)


def test_stale_or_missing_matrix_falls_back_to_chroma(built: Settings) -> None:
    import json

    from index.dense_matrix import META, load_dense_matrix

    meta = json.loads((built.dense_dir / META).read_text())
    assert load_dense_matrix(built.dense_dir, meta["count"], meta["generation"] + 1) is None  # stale
    assert load_dense_matrix(built.dense_dir, meta["count"] + 1, meta["generation"]) is None
    assert load_dense_matrix(built.dense_dir.parent / "nothing", 6, meta["generation"]) is None


def test_top_k_respects_the_mask_and_short_lists() -> None:
    import numpy as np

    from index.dense_matrix import top_k

    scores = np.array([0.1, 0.9, 0.5, 0.7], dtype=np.float32)
    assert top_k(scores, None, 2) == [(1, pytest.approx(0.9)), (3, pytest.approx(0.7))]
    mask = np.array([True, False, True, False])
    assert [r for r, _ in top_k(scores, mask, 3)] == [2, 0]  # only two rows allowed
    assert top_k(scores, np.zeros(4, dtype=bool), 2) == []
