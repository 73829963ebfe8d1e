"""Status changes through the store: audit trail, illegal transitions, append-only history."""

from __future__ import annotations

import sqlite3

import pytest

from review.rules import ReviewError
from review.store import Store


def test_new_answer_is_submitted_with_an_audit_entry(store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    answer = make_answer()
    assert store.save_answer(answer) == answer.answer_id
    assert store.save_answer(answer) == answer.answer_id  # idempotent: stored once
    assert store.count("answers") == 1
    rec = store.get_record(answer.answer_id)
    assert rec.status == "Submitted"
    assert rec.question == answer.question
    assert rec.corpus_hash == "corpus-v1" and rec.settings_hash == "settings-1"
    events = store.history(answer.answer_id)
    assert [(e.from_status, e.to_status, e.reviewer) for e in events] == [(None, "Submitted", None)]
    assert store.get_answer(answer.answer_id) == answer


def test_full_review_path(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    aid = store.save_answer(make_answer())
    store.set_status(aid, "Under Review", reviewer=name, password=pw)
    store.set_status(aid, "Submitted", reviewer=name, password=pw, comment="add the IVIG dose")
    store.set_status(aid, "Under Review", reviewer=name, password=pw)
    event = store.set_status(aid, "Approved", reviewer=name, password=pw, comment="checked against ACR")
    assert event.reviewer == name and event.from_status == "Under Review"
    assert store.get_answer(aid).review_status == "Approved"
    assert [e.to_status for e in store.history(aid)] == [
        "Submitted",
        "Under Review",
        "Submitted",
        "Under Review",
        "Approved",
    ]
    assert store.history(aid)[2].comment == "add the IVIG dose"
    assert [r.answer_id for r in store.list_answers("Approved")] == [aid]
    assert store.list_answers("Submitted") == []


def test_illegal_transitions_are_refused_and_leave_no_trace(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    aid = store.save_answer(make_answer())
    with pytest.raises(ReviewError, match="Cannot change an answer from Submitted to Approved"):
        store.set_status(aid, "Approved", reviewer=name, password=pw)
    store.set_status(aid, "Under Review", reviewer=name, password=pw)
    with pytest.raises(ReviewError, match="needs a comment"):
        store.set_status(aid, "Rejected", reviewer=name, password=pw)
    store.set_status(aid, "Rejected", reviewer=name, password=pw, comment="outdated guideline")
    with pytest.raises(ReviewError, match="Rejected is final"):
        store.set_status(aid, "Under Review", reviewer=name, password=pw)
    assert [e.to_status for e in store.history(aid)] == ["Submitted", "Under Review", "Rejected"]
    assert store.get_record(aid).status == "Rejected"


def test_unknown_answer(store: Store, reviewer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    with pytest.raises(ReviewError, match="No stored answer with id 'nope'"):
        store.set_status("nope", "Under Review", reviewer=name, password=pw)
    with pytest.raises(ReviewError, match="review list"):
        store.get_answer("nope")


def test_history_cannot_be_rewritten_even_with_sql(store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer())
    conn = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE review_events SET reviewer = 'mallory'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM review_events")
    finally:
        conn.close()
    assert len(store.history(aid)) == 1
