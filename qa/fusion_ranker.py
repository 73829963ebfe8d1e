"""A learned fusion of BM25 and dense retrieval (issue 18): a linear ranker over a dozen features of
each candidate passage, in place of reciprocal-rank fusion where one was trained for the encoder.

The features are the two retrievers' scores and ranks (what RRF uses), how many of the question's
terms the passage and its title contain, and document-level evidence (the best scores of any of the
document's candidate passages, and how many there are). The weights come from a logistic regression
on the BioASQ dev *training* half (`medcite model ranker`, evals/train_ranker.py), so the validation
half the benchmark reads is never fitted. Pure logic: the index supplies a `CandidatePool`, the
caller the chunks and a tokenizer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medcite.errors import MedCiteError
from medcite.types import Candidate, CandidatePool, Chunk, SearchFilters

RANKERS_DIR = Path(__file__).resolve().parent / "rankers"
# The rank features are reciprocal ranks 1 / (RANK_K + rank), as in RRF (qa.retrievers).
RANK_K = 10

FEATURES: tuple[str, ...] = (
    "bm25_norm",  # BM25 score / the best BM25 score for the query
    "cosine",  # dense cosine similarity
    "cosine_gap",  # cosine - the best cosine for the query
    "rr_bm25",  # 1 / (RANK_K + BM25 rank)
    "rr_dense",  # 1 / (RANK_K + dense rank)
    "log_rank_bm25",
    "log_rank_dense",
    "term_coverage",  # share of the question's terms in the passage or its title
    "title_coverage",  # share of the question's terms in the title
    "doc_bm25_norm",  # best bm25_norm of any candidate passage of the same document
    "doc_cosine",  # best cosine of any candidate passage of the same document
    "doc_passages",  # log(1 + candidate passages of the same document)
)

Terms = Callable[[str], frozenset[str]]  # a text's distinct terms: index.keyword.indexed_terms


def feature_matrix(
    question_terms: frozenset[str], pool: CandidatePool, chunks: Mapping[str, Chunk], terms: Terms
) -> tuple[list[Candidate], np.ndarray]:
    """The candidates whose chunk is known, and one feature row (FEATURES order) per candidate."""
    known = [c for c in pool.candidates if c.chunk_id in chunks]
    bm25_max = pool.bm25_max if pool.bm25_max > 0 else 1.0
    doc_bm25: dict[str, float] = {}
    doc_cos: dict[str, float] = {}
    doc_n: dict[str, int] = {}
    for c in known:
        doc = chunks[c.chunk_id].doc_id
        doc_bm25[doc] = max(doc_bm25.get(doc, 0.0), c.bm25 / bm25_max)
        doc_cos[doc] = max(doc_cos.get(doc, -1.0), c.cosine)
        doc_n[doc] = doc_n.get(doc, 0) + 1
    n_terms = max(1, len(question_terms))
    rows = []
    for c in known:
        chunk = chunks[c.chunk_id]
        title = terms(chunk.title)
        body = terms(chunk.text) | title
        rows.append(
            [
                c.bm25 / bm25_max,
                c.cosine,
                c.cosine - pool.cosine_max,
                1.0 / (RANK_K + c.bm25_rank),
                1.0 / (RANK_K + c.dense_rank),
                math.log(c.bm25_rank),
                math.log(c.dense_rank),
                len(question_terms & body) / n_terms,
                len(question_terms & title) / n_terms,
                doc_bm25[chunk.doc_id],
                doc_cos[chunk.doc_id],
                math.log1p(doc_n[chunk.doc_id]),
            ]
        )
    matrix = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
    return known, matrix


@dataclass(frozen=True)
class LinearRanker:
    """score = features . weights (a logistic regression's logit without its constant)."""

    weights: tuple[float, ...]
    features: tuple[str, ...] = FEATURES
    # The tiers whose relevance it learned (tier values; empty: all). A search restricted to other
    # tiers is fused by reciprocal rank instead (qa.retrievers.LearnedHybridRetriever).
    tiers: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.features):
            raise ValueError(f"{len(self.weights)} weights for {len(self.features)} features")

    def applies_to(self, filters: SearchFilters | None) -> bool:
        """Whether a search with these filters stays within the tiers the ranker learned."""
        if not self.tiers or filters is None or not filters.tiers:
            return True
        return {t.value for t in filters.tiers} <= set(self.tiers)

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        return matrix @ np.asarray(self.weights, dtype=np.float64)

    def to_json(self) -> str:
        body = {
            "features": list(self.features),
            "weights": list(self.weights),
            "tiers": list(self.tiers),
            **self.info,
        }
        return json.dumps(body, indent=2) + "\n"

    @classmethod
    def load(cls, path: Path) -> LinearRanker:
        """A ranker file; one trained for other features is refused with the command that retrains it."""
        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
            features = tuple(body.pop("features"))
            weights = tuple(float(w) for w in body.pop("weights"))
            tiers = tuple(str(t) for t in body.pop("tiers", ()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MedCiteError(
                f"The fusion ranker {path} cannot be read ({exc}).",
                hint="Restore it with `git checkout -- qa/rankers`, or set "
                "MEDCITE_RETRIEVAL__FUSION=rrf to fuse by reciprocal rank.",
            ) from exc
        if features != FEATURES:
            raise MedCiteError(
                f"The fusion ranker {path} was trained on other features than this MedCite computes.",
                hint="Retrain it with `medcite model ranker`, or set MEDCITE_RETRIEVAL__FUSION=rrf.",
            )
        return cls(weights, features, tiers, body)


def ranker_path(model_name: str) -> Path:
    """Where the ranker trained with an encoder's vectors lives (the cosine features depend on it)."""
    return RANKERS_DIR / f"{model_name}.json"


def fit_logistic(matrix: np.ndarray, labels: np.ndarray, l2: float = 1.0, iterations: int = 25) -> np.ndarray:
    """Weights (one per column, on the raw features) of an L2-regularised logistic regression fitted by
    Newton's method on standardised columns; deterministic. The constant is fitted but dropped: it does
    not change a ranking."""
    x = np.asarray(matrix, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or len(x) != len(y) or len(x) == 0:
        raise ValueError("need one label per feature row, and at least one row")
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = l2 * np.eye(len(w))
    penalty[-1, -1] = 0.0  # the constant is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1.0 - p))[:, None]).T @ z + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return w[:-1] / std


def rank(
    ranker: LinearRanker, candidates: Sequence[Candidate], matrix: np.ndarray
) -> list[tuple[str, float]]:
    """(chunk_id, score) best first; ties keep the pool's order, so the ranking is deterministic."""
    if not candidates:
        return []
    scores = ranker.scores(matrix)
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    return [(candidates[i].chunk_id, float(scores[i])) for i in order]
