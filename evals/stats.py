"""Paired bootstrap confidence intervals for the difference between two runs on the same questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_SEED = 20240601  # fixed so a comparison prints the same interval every time
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class PairedDiff:
    """Mean of A, mean of B, mean difference B - A and its percentile-bootstrap CI over n pairs."""

    mean_a: float
    mean_b: float
    diff: float
    ci_low: float
    ci_high: float
    n: int


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = 0.95,
) -> PairedDiff:
    """Percentile bootstrap CI of mean(b - a), resampling question pairs with replacement
    (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13)."""
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.shape != xb.shape or xa.ndim != 1 or xa.size == 0:
        raise ValueError("paired_bootstrap needs two equally long, non-empty sequences")
    d = xb - xa
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, d.size, size=(resamples, d.size))
    means = d[idx].mean(axis=1)
    tail = (1.0 - confidence) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return PairedDiff(float(xa.mean()), float(xb.mean()), float(d.mean()), float(lo), float(hi), int(d.size))
