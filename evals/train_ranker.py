"""Train the fusion ranker (issue 18): `medcite model ranker` (`make ranker`).

For every BioASQ dev question of the training half (evals.encoder_pairs.split_bioasq: the half the
shipped encoder trained on; the validation half is never fitted), the index proposes both
retrievers' top passages (`Index.candidate_pool`), each gets its features (qa.fusion_ranker) and the
label "its document is gold"; an L2 logistic regression (l2 = 1, not tuned) gives the weights.
The command then scores reciprocal-rank fusion and the learned ranker on both halves with the
retrieval benchmark's scorer, prints the figures and writes the ranker file. Deterministic: the same
index gives the same weights.

The features include the dense cosine, so a ranker belongs to one encoder: train it on an index
built with that encoder and ship it as qa/rankers/<model>.json.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from evals.bench_retrieval import load_bench_suite, score_retriever
from evals.suites import EvalItem, doc_keys
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Tier
from qa.fusion_ranker import FEATURES, LinearRanker, fit_logistic
from qa.retrievers import candidate_features

L2 = 1.0


@dataclass(frozen=True)
class TrainingSet:
    matrix: np.ndarray
    labels: np.ndarray
    questions: int
    skipped: int  # questions none of whose gold documents is among the candidates


def training_set(index: Any, items: Sequence[EvalItem], candidates: int) -> TrainingSet:
    """Feature rows and gold labels of every candidate passage of every question with gold."""
    blocks: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    skipped = 0
    for item in items:
        found = candidate_features(index, item.question, candidates)
        if found is None:
            raise MedCiteError(
                "This index has no local dense matrix, which the fusion ranker's features need.",
                hint="Rebuild it with `medcite ingest --rebuild`.",
            )
        known, matrix, chunks = found
        y = np.array([bool(doc_keys(chunks[c.chunk_id]) & item.gold_keys) for c in known], dtype=float)
        if not y.any():
            skipped += 1
            continue
        blocks.append(matrix)
        labels.append(y)
    if not blocks:
        raise MedCiteError(
            "Nothing to train the fusion ranker on: no BioASQ training question has a gold document "
            "among its candidates.",
            hint="Point MEDCITE_CORPUS at the shared corpus and MEDCITE_EVALS at its eval suites, "
            "then `medcite ingest`.",
        )
    return TrainingSet(np.vstack(blocks), np.concatenate(labels), len(blocks), skipped)


def run(settings: Settings, out: Path, *, l2: float = L2) -> dict[str, Any]:
    """Fit the ranker on the training half, score RRF and the ranker on both halves, write `out`."""
    from embedding.models import canonical_name
    from index import open_index
    from qa.retrievers import HybridRetriever, LearnedHybridRetriever

    index = open_index(settings)
    candidates = settings.retrieval.candidates
    halves = {h: load_bench_suite(f"bioasq:{h}", settings.evals) for h in ("train", "validation")}
    t0 = time.perf_counter()
    data = training_set(index, [i for i in halves["train"].items if i.gold_keys], candidates)
    weights = fit_logistic(data.matrix, data.labels, l2=l2)
    seconds = time.perf_counter() - t0
    rrf = HybridRetriever(index, rrf_k=settings.retrieval.rrf_k, candidates=candidates)
    # BioASQ's gold is PubMed abstracts: the ranker learned the research tier's relevance.
    ranker = LinearRanker(tuple(float(w) for w in weights), tiers=(Tier.RESEARCH.value,))
    learned = LearnedHybridRetriever(index, ranker, candidates=candidates, fallback=rrf)
    figures = {
        half: {
            name: score_retriever(name, r, suite.items, suite.name).metrics["ndcg@10"]
            for name, r in (("rrf", rrf), ("learned", learned))
        }
        for half, suite in halves.items()
    }
    info = {
        "embedding_model": canonical_name(settings.index.embedding_model),
        "index_embedding_model": index.manifest.embedding_model,
        "trained_on": "BioASQ dev training half (evals.encoder_pairs.split_bioasq)",
        "questions": data.questions,
        "questions_without_gold_candidate": data.skipped,
        "rows": int(len(data.labels)),
        "positives": int(data.labels.sum()),
        "l2": l2,
        "candidates": candidates,
        "fit_seconds": round(seconds, 1),
        "ndcg@10": figures,
        "command": "medcite model ranker",
    }
    ranker = replace(ranker, info=info)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ranker.to_json(), encoding="utf-8")
    return {**info, "weights": dict(zip(FEATURES, ranker.weights, strict=True)), "out": str(out)}


def summary(report: dict[str, Any]) -> str:
    f = report["ndcg@10"]
    train, val = f["train"], f["validation"]
    return (
        f"{report['questions']} training questions ({report['questions_without_gold_candidate']} without a "
        f"gold candidate), {report['rows']} passages ({report['positives']} gold), fitted in "
        f"{report['fit_seconds']:.0f} s\n"
        f"nDCG@10 training half: RRF {train['rrf']:.4f} -> learned {train['learned']:.4f}\n"
        f"nDCG@10 validation half: RRF {val['rrf']:.4f} -> learned {val['learned']:.4f}\n"
        f"written to {report['out']}\n" + json.dumps(report["weights"], indent=2)
    )
