"""Serving approved answers: same question and audience and corpus -> badge; corpus changed -> note."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from medcite.types import Answer
from review.service import AnswerService
from review.store import Store


class _Computing:
    """An engine that answers with `compute()` and counts its calls."""

    def __init__(self, compute: Callable[[], Answer], corpus_hash: str) -> None:
        self.compute = compute
        self.corpus_hash = corpus_hash

    def ask_stream(
        self, question: str, audience: Any = "clinician", conversation: Any = None, filters: Any = None
    ) -> Iterator[Answer]:
        yield self.compute()


def _serve(
    store: Store, question: str, audience: Any, corpus_hash: str, compute: Callable[[], Answer]
) -> Answer:
    return AnswerService(_Computing(compute, corpus_hash), store).ask(question, audience)


def _approve(store: Store, aid: str, reviewer: tuple[str, str]) -> None:
    name, pw = reviewer
    store.set_status(aid, "Under Review", reviewer=name, password=pw)
    store.set_status(aid, "Approved", reviewer=name, password=pw, comment="ok")


def test_nothing_approved(store: Store, make_answer) -> None:  # type: ignore[no-untyped-def]
    store.save_answer(make_answer())  # submitted only
    assert (
        store.find_approved("What is the treatment for dermatomyositis?", "clinician", "corpus-v1").kind
        == "none"
    )
    assert store.find_approved("?!", "clinician", "corpus-v1").kind == "none"


def test_approved_answer_is_served_with_badge(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer())
    _approve(store, aid, reviewer)
    hit = store.find_approved("  what is the TREATMENT for dermatomyositis", "clinician", "corpus-v1")
    assert hit.kind == "approved" and hit.answer_id == aid
    assert hit.reviewer == reviewer[0]
    assert hit.badge == f"Approved by medical review — {hit.approved_at[:10]}, {reviewer[0]}"  # type: ignore[index]
    assert hit.answer is not None
    assert hit.answer.review_status == "Approved"
    assert hit.answer.notices[0] == hit.badge
    assert hit.answer.citations == make_answer().citations
    # another audience is a different answer
    assert (
        store.find_approved("What is the treatment for dermatomyositis?", "patient", "corpus-v1").kind
        == "none"
    )


def test_corpus_change_reports_earlier_approval(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    aid = store.save_answer(make_answer())
    _approve(store, aid, reviewer)
    stale = store.find_approved("What is the treatment for dermatomyositis?", "clinician", "corpus-v2")
    assert stale.kind == "stale" and stale.answer is None and stale.badge is None
    assert stale.note is not None and "earlier version" in stale.note and reviewer[0] in stale.note

    computed = []

    def compute():  # type: ignore[no-untyped-def]
        computed.append(1)
        return make_answer(corpus_hash="corpus-v2")

    served = _serve(store, "What is the treatment for dermatomyositis?", "clinician", "corpus-v2", compute)
    assert computed == [1]
    assert served.review_status == "Submitted"
    assert served.notices[-1] == stale.note
    # the fresh answer is queued for review, without the transient note
    assert store.get_record(served.answer_id).status == "Submitted"
    assert stale.note not in store.get_answer(served.answer_id).notices
    # and the original approval still serves requests against the old corpus
    again = _serve(store, "What is the treatment for dermatomyositis?", "clinician", "corpus-v1", compute)
    assert again.answer_id == aid and again.review_status == "Approved" and computed == [1]


def test_rejected_answers_are_never_served(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    name, pw = reviewer
    aid = store.save_answer(make_answer())
    store.set_status(aid, "Under Review", reviewer=name, password=pw)
    store.set_status(aid, "Rejected", reviewer=name, password=pw, comment="wrong dose")
    assert (
        store.find_approved("What is the treatment for dermatomyositis?", "clinician", "corpus-v1").kind
        == "none"
    )
    served = _serve(
        store,
        "What is the treatment for dermatomyositis?",
        "clinician",
        "corpus-v1",
        lambda: make_answer(salt="new"),
    )
    assert served.answer_id != aid and served.review_status == "Submitted"


def test_follow_up_answers_are_not_shared(store: Store, reviewer, make_answer) -> None:  # type: ignore[no-untyped-def]
    follow = make_answer("and in children?", rewritten_query="dermatomyositis treatment in children")
    aid = store.save_answer(follow)
    _approve(store, aid, reviewer)
    assert store.find_approved("and in children?", "clinician", "corpus-v1").kind == "none"
