"""Metric definitions pinned to hand-computed values."""

from __future__ import annotations

import math

import pytest
from eval_fakes import answer, chunk, hits

from evals import metrics as m
from evals.grounding import check_answer
from evals.suites import EvalItem
from medcite.embedding import HashingEmbedder
from medcite.types import Tier


def test_retrieval_metrics_match_hand_computation() -> None:
    # gold {A, B, C}; relevant documents at ranks 2 and 4.
    got = m.retrieval_metrics(["X", "A", "Y", "B", "Z"], {"A", "B", "C"})
    assert got["recall@1"] == 0.0
    assert got["recall@5"] == pytest.approx(2 / 3)
    assert got["recall@10"] == pytest.approx(2 / 3)
    assert got["mrr"] == pytest.approx(0.5)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert got["ndcg@10"] == pytest.approx(dcg / idcg)  # 0.498


def test_relevant_document_below_cutoff_does_not_count() -> None:
    ranking = [f"n{i}" for i in range(12)] + ["G"]
    got = m.retrieval_metrics(ranking, {"G"})
    assert got["recall@10"] == 0.0 and got["ndcg@10"] == 0.0
    assert got["recall@20"] == 1.0
    assert got["mrr"] == pytest.approx(1 / 13)


def test_empty_ranking_scores_zero_and_no_gold_scores_nothing() -> None:
    assert m.retrieval_metrics([], {"G"}) == dict.fromkeys(
        ["recall@1", "recall@5", "recall@10", "recall@20", "mrr", "ndcg@10"], 0.0
    )
    assert m.retrieval_metrics(["a"], set()) == {}


def test_batch_keeps_queries_apart() -> None:
    got = m.retrieval_metrics_batch({"q1": ["a", "b"], "q2": ["c"]}, {"q1": ["b"], "q2": ["c"]})
    assert got["q1"]["mrr"] == pytest.approx(0.5) and got["q2"]["mrr"] == 1.0


def test_rank_documents_collapses_chunks_and_corpus_copies_of_one_pmid() -> None:
    item = EvalItem(item_id="q", suite="t", question="?", gold_pmids=("7",))
    hs = hits(
        [
            chunk("other:1", "a"),
            chunk("pubmed:7", "b", pmid="7"),
            chunk("other:1", "c"),  # second chunk of a seen document
            chunk("pubmedqa:7", "d", pmid="7"),  # the same article from another collection
            chunk("other:2", "e"),
        ]
    )
    assert m.rank_documents(hs, item) == ["doc:other:1", "pmid:7", "doc:other:2"]


def test_perfect_ranking_of_a_suite_item_scores_one() -> None:
    from evals.suites import bioasq_item, pubmedqa_item

    for item, corpus in [
        (bioasq_item({"id": "b", "question": "?", "pmids": ["7", "8"]}), ["pubmed:7", "pubmed:8"]),
        (pubmedqa_item({"id": "p", "question": "?", "pmid": "9"}), ["pubmedqa:9"]),
    ]:
        hs = hits([chunk(d, "t", pmid=d.split(":")[1]) for d in corpus])
        got = m.retrieval_metrics(m.rank_documents(hs, item), item.gold_keys)
        assert got["recall@10"] == 1.0 and got["ndcg@10"] == pytest.approx(1.0)


def test_rouge_l_takes_best_reference() -> None:
    assert (
        m.rouge_l_f1(
            "metformin lowers blood glucose", ["unrelated words here", "metformin lowers blood glucose"]
        )
        == 1.0
    )
    assert m.rouge_l_f1("anything", []) is None
    assert m.rouge_l_f1("", ["ref"]) == 0.0
    # LCS "the cat the" has length 3 of 5 and 4 tokens: P=3/4, R=3/5 -> F1 = 2/3
    assert m.rouge_l_f1("the cat sat the", ["the cat on the mat"]) == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_embedding_cosine_uses_the_embedder() -> None:
    emb = HashingEmbedder()
    assert m.embedding_cosine(emb, "aspirin reduces fever", ["aspirin reduces fever"]) == pytest.approx(
        1.0, abs=1e-5
    )
    low = m.embedding_cosine(emb, "aspirin reduces fever", ["bicycle tyre repair kit"])
    assert low is not None and low < 0.5


def test_citation_validity_counts_unresolved_numbers() -> None:
    c1, c2 = chunk("d1", "x"), chunk("d2", "y")
    good = answer("q", [("Aspirin helps [1].", (1,)), ("Also this [1, 2].", (1, 2))], cited=[c1, c2])
    assert check_answer(good).citation_validity == 1.0
    bad = answer("q", [("Aspirin helps [3].", (3,))], cited=[c1])
    assert check_answer(bad).citation_validity == 0.0
    half = answer("q", [("A [1].", ()), ("B [2].", ())], cited=[c1])
    assert check_answer(half).citation_validity == 0.5
    assert check_answer(answer("q", [], abstained=True)).citation_validity is None


def test_answer_text_strips_citation_marks_and_tiers() -> None:
    a = answer(
        "q",
        [("Aspirin helps [1].", (1,)), ("Take with food [1, 2].", (1,))],
        cited=[chunk("d", "t")],
        tier=Tier.DRUG_LABEL,
    )
    assert m.answer_text(a) == "Aspirin helps.\nTake with food."
    assert m.tiers_covered(a) == ["drug_label"]


def test_readability_and_percentiles() -> None:
    easy = m.readability_grade("The cat sat. The dog ran. We ate.")
    hard = m.readability_grade(
        "Pharmacokinetic interactions necessitate individualized therapeutic drug monitoring "
        "in immunocompromised populations."
    )
    assert easy is not None and hard is not None and easy < hard
    assert m.readability_grade("  ") is None
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    assert m.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert m.percentile([], 50) is None
    assert m.mean([1.0, None, 3.0]) == 2.0 and m.mean([None]) is None


def test_flesch_kincaid_formula_on_a_counted_sentence() -> None:
    # 1 sentence, 4 words, syllables: the(1) cat(1) sat(1) down(1) -> 0.39*4 + 11.8*1 - 15.59
    assert m.readability_grade("The cat sat down.") == pytest.approx(0.39 * 4 + 11.8 - 15.59)


def test_the_eval_reports_the_grade_the_composer_optimises() -> None:
    # One Flesch-Kincaid (qa.readability): same words, same sentence counter, same syllables.
    from qa.audience import reading_grade

    text = "Take it with food. Long-term use needs monitoring\nDon't stop it suddenly!"
    grade = m.readability_grade(text)
    assert grade is not None and reading_grade(text) == round(grade, 2)
