"""The differential gate: the default retrieval must not fall behind the BM25 baseline.

Floors alone (tests/evals/test_gate.py) let the hybrid's lead over BM25 vanish unnoticed as long as
BM25 itself clears them; this check compares the two runs on the same questions.

Margin: NDCG_MARGIN = 0.02 nDCG@10 on the 50-question gate suite. One question whose only gold
document slips from rank 1 to rank 2 costs (1 - 1/log2(3)) / 50 = 0.0074, so 0.02 forgives the rank
noise of two or three questions (ties, a re-embedded model), while a broken dense side, a broken
fusion or a scrambled ranking costs far more (tests/evals/test_differential_gate.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NDCG_MARGIN = 0.02
GATE_METRIC = "ndcg@10"


@dataclass(frozen=True)
class DifferentialCheck:
    """Default vs baseline on one retrieval metric; passed when default >= baseline - margin."""

    metric: str
    default: float
    baseline: float
    margin: float

    @property
    def passed(self) -> bool:
        return self.default >= self.baseline - self.margin

    def message(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        return (
            f"differential gate {verdict}: default {self.metric} {self.default:.3f} vs BM25 "
            f"{self.baseline:.3f} (must be >= {self.baseline - self.margin:.3f}, margin {self.margin})"
        )


def differential_check(
    default_metrics: Mapping[str, Any],
    baseline_metrics: Mapping[str, Any],
    *,
    metric: str = GATE_METRIC,
    margin: float = NDCG_MARGIN,
) -> DifferentialCheck:
    """Compare two runs' metrics.json (the default retrieval, the BM25 baseline) on `metric`."""
    d = (default_metrics.get("retrieval") or {}).get(metric)
    b = (baseline_metrics.get("retrieval") or {}).get(metric)
    if d is None or b is None:
        raise ValueError(f"both runs need retrieval.{metric} (did the suite have gold documents?)")
    return DifferentialCheck(metric, float(d), float(b), margin)
