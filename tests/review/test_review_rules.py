"""Pure workflow rules: legal transitions, comments, status parsing, question normalisation."""

from __future__ import annotations

import pytest

from review.rules import (
    APPROVED,
    REJECTED,
    STATUSES,
    SUBMITTED,
    TRANSITIONS,
    UNDER_REVIEW,
    ReviewError,
    allowed_next,
    approval_badge,
    check_transition,
    normalise_question,
    parse_status,
)


def test_statuses_match_the_core_type() -> None:
    assert STATUSES == ("Submitted", "Under Review", "Approved", "Rejected")


@pytest.mark.parametrize(
    ("frm", "to", "comment"),
    [
        (SUBMITTED, UNDER_REVIEW, ""),
        (UNDER_REVIEW, APPROVED, ""),
        (UNDER_REVIEW, REJECTED, "cites a retracted trial"),
        (UNDER_REVIEW, SUBMITTED, "needs the paediatric dose"),
    ],
)
def test_legal_transitions(frm: str, to: str, comment: str) -> None:
    assert check_transition(frm, to, f"  {comment}  ") == comment  # type: ignore[arg-type]


def test_every_other_transition_is_refused() -> None:
    refused = [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in TRANSITIONS]
    assert len(refused) == 12
    for frm, to in refused:
        with pytest.raises(ReviewError, match=f"Cannot change an answer from {frm} to {to}"):
            check_transition(frm, to, "a reason")


def test_final_statuses_say_so() -> None:
    assert allowed_next(APPROVED) == ()
    with pytest.raises(ReviewError, match="Approved is final"):
        check_transition(APPROVED, UNDER_REVIEW, "reopen")
    with pytest.raises(ReviewError, match="can move to: Under Review"):
        check_transition(SUBMITTED, APPROVED, "")


@pytest.mark.parametrize("target", [REJECTED, SUBMITTED])
def test_reject_and_send_back_need_a_comment(target: str) -> None:
    with pytest.raises(ReviewError, match="needs a comment"):
        check_transition(UNDER_REVIEW, target, "   ")  # type: ignore[arg-type]


def test_overlong_comment_refused() -> None:
    with pytest.raises(ReviewError, match="too long"):
        check_transition(UNDER_REVIEW, APPROVED, "x" * 5000)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("approved", APPROVED),
        ("under_review", UNDER_REVIEW),
        ("Under-Review", UNDER_REVIEW),
        ("REJECTED", REJECTED),
    ],
)
def test_parse_status(text: str, status: str) -> None:
    assert parse_status(text) == status


def test_parse_status_unknown() -> None:
    with pytest.raises(ReviewError, match="Use one of: Submitted, Under Review, Approved, Rejected"):
        parse_status("done")


def test_normalise_question_collapses_case_space_and_punctuation() -> None:
    a = normalise_question("What is the treatment for dermatomyositis?")
    assert a == "what is the treatment for dermatomyositis"
    assert normalise_question("  WHAT is the treatment\tfor   Dermatomyositis ?!") == a
    assert normalise_question("what-is the_treatment, for dermatomyositis") == a
    assert normalise_question("What is the treatment for polymyositis?") != a
    assert normalise_question("?!...") == ""


def test_badge_text() -> None:
    assert approval_badge("2025-03-04T10:11:12.000000+00:00", "Dr A") == (
        "Approved by medical review — 2025-03-04, Dr A"
    )
