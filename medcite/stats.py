"""The one percentile MedCite reports (eval latencies, benchmarks, load tests, the web-chat bench).

Linear interpolation between order statistics: Hyndman & Fan (1996) type 7, numpy's default and
`statistics.quantiles(method="inclusive")`. Chosen over nearest-rank because it is what numpy,
pandas and spreadsheets print, so a figure can be re-computed from results.jsonl with any of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (q in 0..100) with linear interpolation; None for no values."""
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile q must be in 0..100, got {q}")
    if len(values) == 0:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))
