"""Training pairs for the domain-tuned encoder (issue 18): which questions may become pairs, what the
positives and negatives are, and that sampling is reproducible."""

from __future__ import annotations

from evals.encoder_pairs import (
    NEGATIVE_MIN_RANK,
    Pair,
    bioasq_pairs,
    chunks_by_key,
    corpus_pairs,
    corpus_query,
    first_hard_negative,
    source_counts,
    split_bioasq,
    training_order,
)
from evals.suites import EvalItem
from medcite.types import Chunk, Tier

LONG = " It is described at length so that the passage is long enough to train on."


def chunk(
    doc: str,
    tier: Tier,
    collection: str,
    title: str,
    text: str,
    *,
    section: str = "",
    ordinal: int = 0,
    **meta: str,
) -> Chunk:
    return Chunk(
        chunk_id=f"{doc}#{section}#{ordinal}",
        doc_id=doc,
        tier=tier,
        collection=collection,
        title=title,
        section=section,
        text=text,
        ordinal=ordinal,
        meta=dict(meta),
    )


def item(n: int, pmids: tuple[str, ...]) -> EvalItem:
    return EvalItem(item_id=f"q{n}", suite="bioasq", question=f"question {n}?", gold_pmids=pmids)


def test_validation_half_never_becomes_a_training_pair() -> None:
    items = [item(i, (str(i),)) for i in range(10)]
    train, val = split_bioasq(items)
    research = chunks_by_key(
        chunk(f"bioasq:{i}", Tier.RESEARCH, "bioasq", "", f"gold passage {i}", pmid=str(i)) for i in range(10)
    )
    pairs = bioasq_pairs(train, research, lambda _: None)
    assert {p.query for p in pairs} == {i.question for i in train}
    assert not {p.query for p in pairs} & {i.question for i in val}
    assert {p.positive for p in pairs} == {f"gold passage {i}" for i in range(0, 10, 2)}


def test_hard_negative_skips_the_top_ranks_and_gold_documents() -> None:
    gold = item(1, ("7",))
    ranked = [
        chunk("a", Tier.RESEARCH, "bioasq", "", "top hit, maybe unlabelled relevant", pmid="1"),
        chunk("b", Tier.RESEARCH, "bioasq", "", "second hit", pmid="2"),
        chunk("c", Tier.RESEARCH, "bioasq", "", "gold document", pmid="7"),
        chunk("d", Tier.RESEARCH, "bioasq", "", "a close non-answer", pmid="4"),
    ]
    assert NEGATIVE_MIN_RANK == 3
    assert first_hard_negative(gold, ranked).text == "a close non-answer"  # type: ignore[union-attr]
    assert first_hard_negative(gold, ranked[:3]) is None


def test_corpus_pairs_query_from_the_document_and_positive_without_its_title() -> None:
    chunks = [
        chunk(
            "medquad:1",
            Tier.PATIENT_INFO,
            "medquad",
            "What is gout?",
            "Gout is arthritis." + LONG,
            question="What is gout?",
        ),
        chunk(
            "medquad:1", Tier.PATIENT_INFO, "medquad", "What is gout?", "Second passage." + LONG, ordinal=1
        ),
        chunk(
            "label:1",
            Tier.DRUG_LABEL,
            "openfda",
            "Prednisone tablets",
            "Indicated for ..." + LONG,
            section="Indications and Usage",
        ),
        chunk("pubmedqa:1", Tier.RESEARCH, "pubmedqa", "A held-out title?", "Abstract." + LONG),
    ]
    pairs = corpus_pairs(chunks, {"medquad": 10, "drug_label": 10}, seed=1)
    assert {(p.source, p.query) for p in pairs} == {
        ("medquad", "What is gout?"),
        ("drug_label", "Prednisone tablets Indications and Usage"),
    }
    for p in pairs:
        assert p.query not in p.positive  # the title is not part of the positive
    assert corpus_query(chunks[3]) is None  # PubMedQA stays held out


def test_sampling_and_order_are_reproducible_and_capped() -> None:
    chunks = [
        chunk(f"medquad:{i}", Tier.PATIENT_INFO, "medquad", f"What is disease {i}?", f"Disease {i}." + LONG)
        for i in range(50)
    ]
    a = corpus_pairs(chunks, {"medquad": 20}, seed=3)
    assert a == corpus_pairs(list(reversed(chunks)), {"medquad": 20}, seed=3)
    assert len(a) == 20 and a != corpus_pairs(chunks, {"medquad": 20}, seed=4)
    pairs = a + [Pair("q", "p", None, "bioasq")]
    order = training_order(pairs, {"bioasq": 2}, seed=5)
    assert order == training_order(pairs, {"bioasq": 2}, seed=5)
    assert source_counts(order) == {"bioasq": 2, "medquad": 20}
