"""Evaluation metrics, pure functions of answers, rankings and references.

Each docstring names the definition it follows; docs/EVALS.md collects them.  Retrieval metrics
are computed by `ir-measures` (Macdonald & Tonellotto 2020, a wrapper over trec_eval's
definitions) on document-level rankings; the tests pin them to hand-computed values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from evals.suites import EvalItem, doc_keys
from medcite.embedding import Embedder
from medcite.stats import percentile as _percentile
from medcite.types import Answer, Hit, Tier
from qa.readability import flesch_kincaid_grade

RECALL_KS: tuple[int, ...] = (1, 5, 10, 20)
NDCG_K = 10

# --- retrieval ---------------------------------------------------------------------------------


def rank_documents(hits: Sequence[Hit], item: EvalItem) -> list[str]:
    """Collapse chunk hits (best first) to a document ranking; a document counts at its best chunk.

    A document matching a gold key is named by that gold key, so two corpus copies of one PubMed
    article (e.g. BioASQ and PubMedQA records of the same PMID) count once, as that PMID.
    """
    gold = item.gold_keys
    ranked: list[str] = []
    seen: set[str] = set()
    for hit in sorted(hits, key=lambda h: h.rank):
        keys = doc_keys(hit.chunk)
        matched = sorted(keys & gold)
        name = matched[0] if matched else f"doc:{hit.chunk.doc_id}"
        if name not in seen:
            seen.add(name)
            ranked.append(name)
    return ranked


def retrieval_metrics_batch(
    rankings: Mapping[str, Sequence[str]], gold: Mapping[str, Iterable[str]], ks: Sequence[int] = RECALL_KS
) -> dict[str, dict[str, float]]:
    """Per-query recall@k, MRR and nDCG@10 with binary relevance, for queries that have gold documents.

    - recall@k = |relevant in top k| / |relevant| (Manning, Raghavan & Schütze 2008, ch. 8).
    - MRR: reciprocal rank of the first relevant document, 0 if none (Voorhees, TREC-8 QA 1999).
    - nDCG@10 = DCG@10 / ideal DCG@10, DCG = sum rel_i / log2(i + 1) (Järvelin & Kekäläinen 2002).
    A query with no retrieved documents scores 0 on every metric.
    """
    import ir_measures
    from ir_measures import RR, R, ScoredDoc, nDCG

    measures = [R @ k for k in ks] + [RR, nDCG @ NDCG_K]
    names = {str(R @ k): f"recall@{k}" for k in ks} | {str(RR): "mrr", str(nDCG @ NDCG_K): f"ndcg@{NDCG_K}"}
    qrels = {q: {d: 1 for d in docs} for q, docs in gold.items() if docs}
    # Scores strictly decreasing with rank so trec_eval's tie-breaking (by doc id) never reorders.
    run = [
        ScoredDoc(q, d, float(len(docs) - i))
        for q, docs in rankings.items()
        if q in qrels
        for i, d in enumerate(docs)
    ]
    out: dict[str, dict[str, float]] = {q: dict.fromkeys(names.values(), 0.0) for q in qrels}
    if run:
        for m in ir_measures.iter_calc(measures, qrels, run):
            out[m.query_id][names[str(m.measure)]] = float(m.value)
    return out


def retrieval_metrics(
    ranking: Sequence[str], gold: Iterable[str], ks: Sequence[int] = RECALL_KS
) -> dict[str, float]:
    """Metrics of one ranking (see `retrieval_metrics_batch`); empty when there is no gold document."""
    return retrieval_metrics_batch({"q": ranking}, {"q": list(gold)}, ks).get("q", {})


# --- answer text -------------------------------------------------------------------------------

# "[1]", "[3, 5]", "[2-4]" (DESIGN.md section 1 shows the first two forms).
CITATION_MARK = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")


def answer_statements(answer: Answer) -> list[Any]:
    """Every displayed statement of an answer: each section's lead, then its bullets."""
    return [s for sec in answer.sections for s in (sec.lead, *sec.bullets)]


def answer_text(answer: Answer, *, strip_citations: bool = True) -> str:
    """The displayed answer prose (without notices or disclaimer), one statement per line."""
    lines = [s.text for s in answer_statements(answer)]
    text = "\n".join(lines)
    return strip_marks(text) if strip_citations else text


def strip_marks(text: str) -> str:
    return re.sub(r"\s+([.,;:])", r"\1", CITATION_MARK.sub("", text)).strip()


# Citation validity and sentence support are checked independently of the engine's own support
# score, from the displayed answer: evals/grounding.py.


def tiers_covered(answer: Answer) -> list[str]:
    """Evidence tiers with a section in the answer, in display order."""
    present = {sec.tier for sec in answer.sections}
    return [t.value for t in Tier if t in present]


@lru_cache(maxsize=1)
def _rouge() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l_f1(candidate: str, references: Sequence[str]) -> float | None:
    """ROUGE-L F1 (Lin 2004, longest common subsequence; rouge-score with Porter stemming), best over
    references; None without a reference."""
    refs = [r for r in references if r and r.strip()]
    if not refs:
        return None
    if not candidate.strip():
        return 0.0
    return max(float(_rouge().score(r, candidate)["rougeL"].fmeasure) for r in refs)


def embedding_cosine(embedder: Embedder, candidate: str, references: Sequence[str]) -> float | None:
    """Cosine similarity between the answer and reference embeddings (vectors are L2-normalised, so
    a dot product), best over references — the "semantic similarity" measure of e.g. Reimers &
    Gurevych 2019 (Sentence-BERT); None without a reference."""
    refs = [r for r in references if r and r.strip()]
    if not refs:
        return None
    if not candidate.strip():
        return 0.0
    vecs = embedder.embed_documents([candidate, *refs])
    return float(max(float(np.dot(vecs[0], v)) for v in vecs[1:]))


def readability_grade(text: str) -> float | None:
    """Flesch-Kincaid grade level (Kincaid et al. 1975), the very function the patient composer
    optimises (`qa.readability.flesch_kincaid_grade`); None for text without words."""
    return flesch_kincaid_grade(text)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile, linear interpolation (`medcite.stats.percentile`, the one definition)."""
    return _percentile(values, q)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean over the values that apply (None = not applicable), None when none apply."""
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None
