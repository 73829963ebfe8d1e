"""Feedback, the JSONL/CSV exports, and the store_questions=False privacy mode."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from medcite.errors import MedCiteError
from medcite.settings import load_settings
from review.auth import FAST_TEST_HASHER
from review.store import REDACTED_QUESTION, Store


def test_feedback_and_exports(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    aid = store.save_answer(make_answer())
    store.add_feedback(aid, 1, "  very clear  ")
    store.add_feedback(aid, -1)
    with pytest.raises(MedCiteError, match=r"\+1 or -1"):
        store.add_feedback(aid, 5)
    with pytest.raises(MedCiteError, match="No stored answer"):
        store.add_feedback("missing", 1)
    store.set_status(aid, "Under Review", reviewer=name, password=pw)
    store.set_status(aid, "Rejected", reviewer=name, password=pw, comment='says "first-line", check, please')

    rows = [json.loads(line) for line in store.export_feedback("jsonl").splitlines()]
    assert [(r["answer_id"], r["rating"], r["comment"]) for r in rows] == [
        (aid, 1, "very clear"),
        (aid, -1, ""),
    ]
    assert rows[0]["question"] == make_answer().question

    events = list(csv.DictReader(io.StringIO(store.export_reviews("csv"))))
    assert [e["to_status"] for e in events] == ["Submitted", "Under Review", "Rejected"]
    assert events[-1]["comment"] == 'says "first-line", check, please'  # CSV quoting survives
    assert events[-1]["reviewer"] == name and events[-1]["current_status"] == "Rejected"
    jsonl = [json.loads(line) for line in store.export_reviews("jsonl").splitlines()]
    assert [e["event_id"] for e in jsonl] == [int(e["event_id"]) for e in events]
    with pytest.raises(MedCiteError, match="jsonl or csv"):
        store.export_reviews("xml")  # type: ignore[arg-type]


def test_empty_exports(store: Store) -> None:
    assert store.export_feedback("jsonl") == ""
    assert store.export_reviews("csv").splitlines()[0].startswith("event_id,answer_id,question")


def test_privacy_mode_stores_no_user_text(tmp_path: Path, make_answer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MEDCITE_SERVER__STORE_QUESTIONS", "false")
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path))
    settings = load_settings()
    assert settings.server.store_questions is False
    store = Store.from_settings(settings, hasher=FAST_TEST_HASHER)
    assert store.path == tmp_path / "medcite.sqlite"
    question = "Is my secret rash dermatomyositis?"
    answer = make_answer(question)
    aid = store.save_answer(answer)
    store.add_feedback(aid, -1, "my private comment")
    assert store.append_turn("browser-session-1", "user", question) is None
    assert store.load_conversation("browser-session-1") == []

    stored = store.get_answer(aid)
    assert stored.question == REDACTED_QUESTION and stored.rewritten_query == REDACTED_QUESTION
    assert stored.sections == answer.sections  # the answer itself is kept for review
    assert store.get_record(aid).question == REDACTED_QUESTION
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"secret rash" not in raw and b"private comment" not in raw
    assert store.count("turns") == 0 and store.count("conversations") == 0
    # a redacted answer is never served to anyone
    assert store.find_approved(question, "clinician", "corpus-v1").kind == "none"
