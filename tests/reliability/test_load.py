"""Load on loopback (issue 9 item 6): 50 simulated users x 20 questions through the HTTP API, bounded in
time; zero errors, latency percentiles reported, every answer and feedback row written exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from load_report import measure

USERS, QUESTIONS = 50, 20


@pytest.mark.slow
def test_fifty_users_twenty_questions_each_nothing_lost(tmp_path: Path) -> None:
    report = measure(USERS, QUESTIONS, home=tmp_path)
    print("\n" + report.table())  # the figures for docs/RELIABILITY.md (pytest -s shows them)
    assert report.errors == []
    assert len(report.ask_latencies_ms) == len(report.feedback_latencies_ms) == USERS * QUESTIONS
    assert len(set(report.answer_ids)) == USERS * QUESTIONS  # distinct questions, distinct answers
    assert report.answers_stored == USERS * QUESTIONS  # each answer row written exactly once
    assert report.feedback_stored == USERS * QUESTIONS  # each feedback call wrote exactly one row
    pct = report.percentiles(report.ask_latencies_ms)
    assert 0 < pct["p50"] <= pct["p95"] <= pct["p99"]
