"""The web chat over the real app store, without a browser: approved answers served with their badge
(issue 7 item 4), conversations saved and restored (item 8), and `ui.persistence` helpers."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from ui_fakes import FakeEngine, list_conversation

from medcite.types import SearchFilters, Tier
from review.auth import FAST_TEST_HASHER
from review.rules import APPROVED, UNDER_REVIEW
from review.store import Store
from ui.app import ChatController
from ui.persistence import (
    MISSING_ANSWER,
    ConversationKeeper,
    approval_from_history,
    browser_state_secret,
    keeper_for,
    new_conversation_id,
    valid_conversation_id,
)
from ui.render_html import Turn, render_answer, render_conversation

Q = "What is the treatment for dermatomyositis?"
REVIEWER, PASSWORD = "Dr Grace Hopper", "a long reviewer password"
CAUTION = "pending human review"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "app.sqlite", hasher=FAST_TEST_HASHER)
    s.add_reviewer(REVIEWER, PASSWORD)
    return s


def _controller(store: Store, engine: FakeEngine | None = None) -> ChatController:
    return ChatController(
        engine or FakeEngine(),
        None,
        store,
        conversation_factory=list_conversation,
        today=lambda: "2025-01-02",
    )


def _approve(store: Store, answer_id: str) -> None:
    store.set_status(answer_id, UNDER_REVIEW, reviewer=REVIEWER, password=PASSWORD)
    store.set_status(answer_id, APPROVED, reviewer=REVIEWER, password=PASSWORD, comment="ok")


def _ask(controller: ChatController, question: str = Q, previous: list[Turn] | None = None) -> list[Turn]:
    *_, last = controller.stream(question, "clinician", SearchFilters(), previous or [])
    return last


def test_first_question_is_computed_and_queued_then_served_approved(store: Store) -> None:
    first = _ask(_controller(store))[-1]
    assert first.answer is not None and first.approval is None
    assert store.get_record(first.answer.answer_id).status == "Submitted"
    assert CAUTION in render_conversation([first])
    _approve(store, first.answer.answer_id)

    engine = FakeEngine()  # a new chat (new controller) asking the same question, spelt differently
    turns = _ask(_controller(store, engine), "what is the treatment for  Dermatomyositis")
    served = turns[-1]
    assert engine.calls == []  # served from the store, not recomputed
    assert served.answer is not None and served.answer.answer_id == first.answer.answer_id
    assert served.answer.review_status == APPROVED
    assert served.approval is not None and served.approval.reviewer == REVIEWER
    day = served.approval.approved_at[:10]
    assert served.updated == day
    page = render_conversation(turns)
    badge = f"Approved by medical review — {day}, {REVIEWER}"
    assert 'mc-status-approved">Approved<' in page
    assert page.count(badge) == 1  # shown with the status, not repeated as a notice
    assert CAUTION not in page


def test_follow_ups_are_computed_fresh_and_saved_even_when_approved(store: Store) -> None:
    first = _ask(_controller(store))
    assert first[-1].answer is not None
    _approve(store, first[-1].answer.answer_id)
    engine = FakeEngine()
    # The approved question asked again inside a conversation is rewritten from context: not served.
    again = _ask(_controller(store, engine), Q, first)[-1]
    assert [c["question"] for c in engine.calls] == [Q]
    assert again.approval is None and again.answer is not None
    # the fresh answer says the same as the approved one, so it is the same answer (its id covers the
    # content): saved once, not duplicated into the review queue
    assert again.answer.answer_id == first[-1].answer.answer_id
    assert store.count("answers") == 1


def test_follow_up_with_new_content_is_saved_for_review(store: Store) -> None:
    first = _ask(_controller(store))
    assert first[-1].answer is not None
    _approve(store, first[-1].answer.answer_id)
    again = _ask(_controller(store), "What about in children?", first)[-1]
    assert again.approval is None and again.answer is not None
    assert again.answer.answer_id != first[-1].answer.answer_id
    assert store.get_record(again.answer.answer_id).status == "Submitted"  # saved for review


def test_filtered_question_is_not_served_from_review(store: Store) -> None:
    first = _ask(_controller(store))[-1]
    assert first.answer is not None
    _approve(store, first.answer.answer_id)
    engine = FakeEngine()
    filters = SearchFilters(tiers=(Tier.GUIDELINE,))
    *_, turns = _controller(store, engine).stream(Q, "clinician", filters, [])
    assert len(engine.calls) == 1 and turns[-1].approval is None


def test_changed_corpus_gives_a_fresh_answer_with_the_earlier_approval_noted(store: Store) -> None:
    first = _ask(_controller(store))[-1]
    assert first.answer is not None
    _approve(store, first.answer.answer_id)
    engine = FakeEngine()
    engine.corpus_hash = "a-newer-corpus"  # type: ignore[attr-defined]  # as qa.engine.AnswerEngine has
    fresh = _ask(_controller(store, engine))[-1]
    assert len(engine.calls) == 1 and fresh.answer is not None and fresh.approval is None
    assert any("earlier version of this answer was approved" in n for n in fresh.answer.notices)
    assert CAUTION in render_answer(fresh.answer)


def test_api_serves_approved_answer_only_without_history(store: Store) -> None:
    first = _ask(_controller(store))[-1]
    assert first.answer is not None
    _approve(store, first.answer.answer_id)
    engine = FakeEngine()
    controller = _controller(store, engine)
    served = controller.ask_once(Q, "clinician", [])
    assert served.review_status == APPROVED and served.notices[0].startswith("Approved by medical review")
    assert engine.calls == []
    controller.ask_once(Q, "clinician", ["What is dermatomyositis?"])
    assert len(engine.calls) == 1


def test_conversation_is_saved_restored_and_cleared(store: Store) -> None:
    controller = _controller(store)
    cid = new_conversation_id()
    turns = _ask(controller)
    turns = _ask(controller, "What about in children?", turns)
    controller.remember(cid, turns)
    controller.remember(cid, turns)  # saving twice appends nothing
    assert store.count("turns") == 4

    restored = _controller(store).restore(cid)  # a new process: only the store is shared
    assert [t.question for t in restored] == [Q, "What about in children?"]
    assert [t.answer.answer_id for t in restored if t.answer] == [
        t.answer.answer_id for t in turns if t.answer
    ]
    assert all(t.updated and t.approval is None for t in restored)

    controller.forget(cid)
    assert controller.restore(cid) == [] and store.count("turns") == 0


def test_restored_approved_answer_shows_its_approval(store: Store) -> None:
    controller = _controller(store)
    cid = new_conversation_id()
    turns = _ask(controller)
    controller.remember(cid, turns)
    assert turns[0].answer is not None
    _approve(store, turns[0].answer.answer_id)
    restored = controller.restore(cid)
    assert restored[0].approval is not None and restored[0].approval.reviewer == REVIEWER
    page = render_conversation(restored)
    assert "mc-status-approved" in page and REVIEWER in page and CAUTION not in page


def test_replaced_last_turn_rewrites_the_stored_conversation(store: Store) -> None:
    """The audience switch answers the last question again: the old answer must not come back."""
    controller = _controller(store)
    cid = new_conversation_id()
    turns = _ask(controller)
    controller.remember(cid, turns)
    *_, patient = controller.stream(Q, "patient", SearchFilters(), [])
    controller.remember(cid, patient)
    restored = controller.restore(cid)
    assert len(restored) == 1 and restored[0].answer is not None
    assert restored[0].answer.audience == "patient"


def test_unanswered_turns_and_bad_ids_are_not_saved(store: Store) -> None:
    keeper = ConversationKeeper(store)
    cid = new_conversation_id()
    keeper.save(cid, [Turn("q", error="failed")])
    assert store.count("turns") == 0
    for bad in (None, "", "short", "../../etc/passwd", "x" * 200, 42):
        keeper.save(bad, [Turn("q", error="failed")])  # type: ignore[arg-type]
        assert keeper.restore(bad) == [] and keeper.clear(bad) is False  # type: ignore[arg-type]


def test_missing_stored_answer_restores_as_an_error_turn(store: Store) -> None:
    cid = new_conversation_id()
    store.append_turn(cid, "user", Q)
    store.append_turn(cid, "assistant", Q, answer_id="no-such-answer")
    store.append_turn(cid, "user", "a question whose answer never arrived")
    restored = ConversationKeeper(store).restore(cid)
    assert [(t.question, t.error) for t in restored] == [(Q, MISSING_ANSWER)]


def test_private_mode_keeps_no_conversation_and_does_not_crash(tmp_path: Path) -> None:
    store = Store(tmp_path / "app.sqlite", store_questions=False, hasher=FAST_TEST_HASHER)
    controller = _controller(store)
    cid = new_conversation_id()
    turns = _ask(controller)
    controller.remember(cid, turns)
    assert controller.restore(cid) == [] and store.count("turns") == 0
    controller.forget(cid)


def test_in_memory_sink_has_no_conversations() -> None:
    from ui.feedback import InMemoryFeedbackSink

    assert keeper_for(InMemoryFeedbackSink()) is None
    controller = ChatController(FakeEngine(), None, InMemoryFeedbackSink(), list_conversation)
    controller.remember(new_conversation_id(), [])
    assert controller.restore(new_conversation_id()) == []


def test_conversation_ids_are_random_and_validated() -> None:
    ids = {new_conversation_id() for _ in range(50)}
    assert len(ids) == 50 and all(valid_conversation_id(i) == i for i in ids)
    assert valid_conversation_id("<script>alert(1)</script>") is None


def test_browser_state_secret_survives_restarts_and_is_private(tmp_path: Path) -> None:
    first = browser_state_secret(tmp_path)
    assert len(first) >= 32 and browser_state_secret(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "browser-state.key").stat().st_mode)
    assert mode & 0o077 == 0
    assert browser_state_secret(tmp_path / "other") != first


def test_approval_from_history_takes_the_approval_event(store: Store) -> None:
    first = _ask(_controller(store))[-1]
    assert first.answer is not None
    aid = first.answer.answer_id
    assert approval_from_history(store.history(aid)) is None
    _approve(store, aid)
    approval = approval_from_history(store.history(aid))
    assert approval is not None and approval.reviewer == REVIEWER
    assert approval.badge == f"Approved by medical review — {approval.approved_at[:10]}, {REVIEWER}"


def test_serve_uses_the_real_store_and_adds_the_review_tab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`medcite serve` (no index here, so the setup page): the app store under the home and the tab."""
    import ui.app
    from medcite.settings import load_settings

    launched: dict[str, object] = {}

    def fake_launch(app: object, host: str, port: int, **_: object) -> None:
        launched.update(app=app, host=host, port=port)

    monkeypatch.setattr(ui.app, "launch", fake_launch)
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    ui.app.serve(settings, "127.0.0.1", 7999)
    app = launched["app"]
    controller = app.medcite_controller  # type: ignore[attr-defined]
    assert isinstance(controller.store, Store) and controller.store.path == settings.app_db_path
    assert controller.keeper is not None
    assert app.medcite_review.store is controller.store  # type: ignore[attr-defined]
    tabs = [b.label for b in app.blocks.values() if type(b).__name__ == "Tab"]  # type: ignore[attr-defined]
    assert tabs == ["Ask", "Review"]
    assert (settings.home / "browser-state.key").exists()
