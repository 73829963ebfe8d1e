"""Abstention calibration: Youden's J with every answerable suite weighing the same, questions the
engine never answers (noise, non-medical) counted as abstentions at any threshold, and the report
half of the unanswerable set kept out of the choice."""

from __future__ import annotations

from evals.calibrate_abstention import Judged, answer_rate, calibration_report, youden_threshold


def js(*confidences: float, always: bool = False) -> list[Judged]:
    return [Judged(c, always) for c in confidences]


def test_threshold_separates_answerable_from_unanswerable() -> None:
    pos = {"bioasq": js(0.9, 0.8, 0.7), "medicationqa": js(0.6, 0.65, 0.7)}
    neg = js(0.1, 0.2, 0.3)
    t, j = youden_threshold(pos, neg)
    assert 0.3 < t <= 0.6 and j == 1.0


def test_every_suite_weighs_the_same_whatever_its_size() -> None:
    # 20 easy researcher questions must not drown 2 hard consumer ones: the mean per-suite TPR counts.
    # Pooled, 0.9 would win (TPR 20/22, FPR 0: J 0.91); per suite, 0.35 does (TPR 1, FPR 1/3: J 0.67
    # against 0.5 at 0.9), because the consumer suite's answer rate counts as much as BioASQ's.
    pos = {"bioasq": js(*[0.9] * 20), "medicationqa": js(0.35, 0.35)}
    neg = js(0.4, 0.1, 0.1)
    t, j = youden_threshold(pos, neg)
    assert t == 0.35 and round(j, 3) == 0.667


def test_questions_never_answered_stay_abstentions_at_any_threshold() -> None:
    always = js(0.95, always=True)
    assert answer_rate(always, 0.0) == 0.0
    assert answer_rate(js(0.95), 0.0) == 1.0


def test_report_half_does_not_move_the_threshold() -> None:
    pos = {"a": js(0.8, 0.7)}
    cal = js(0.2, 0.3)
    first = calibration_report(pos, cal, js(0.1), current=0.5)
    second = calibration_report(pos, cal, js(0.9, 0.95, 0.99), current=0.5)
    assert first["threshold"] == second["threshold"]
    assert second["at_threshold"]["abstain_rate_unanswerable_report"] == 0.0
    assert first["at_current_setting"]["abstain_rate_answerable"] == {"a": 0.0}
