"""Paired bootstrap: deterministic, centred on the mean difference, width shrinking with agreement."""

from __future__ import annotations

import pytest

from evals.stats import paired_bootstrap


def test_constant_difference_gives_zero_width_interval() -> None:
    d = paired_bootstrap([0.1, 0.5, 0.9], [0.3, 0.7, 1.1])
    assert d.diff == pytest.approx(0.2)
    assert d.ci_low == pytest.approx(0.2) and d.ci_high == pytest.approx(0.2)


def test_interval_contains_mean_difference_and_is_reproducible() -> None:
    a = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0] * 3
    b = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0] * 3
    d1, d2 = paired_bootstrap(a, b), paired_bootstrap(a, b)
    assert d1 == d2
    assert d1.ci_low <= d1.diff <= d1.ci_high
    assert d1.ci_low > 0  # B wins on 9 of 30 pairs and never loses
    assert d1.n == 30


def test_noisy_difference_interval_straddles_zero() -> None:
    a = [0.0, 1.0] * 10
    b = [1.0, 0.0] * 10
    d = paired_bootstrap(a, b)
    assert d.ci_low < 0 < d.ci_high


def test_rejects_unpaired_input() -> None:
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [1.0, 2.0])
