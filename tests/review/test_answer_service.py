"""One code path serves answers: the CLI (`ask`, `chat`), the web chat's handler and the `/ask` API
handler all go through `review.service.AnswerService`, which saves fresh answers and serves an
approved one for the same question and audience while the corpus is unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from review_fixtures import PASSWORD, REVIEWER, build_answer
from typer.testing import CliRunner

from medcite.settings import Settings, load_settings
from medcite.types import Answer, Audience, SearchFilters, answer_content_id
from review.auth import FAST_TEST_HASHER
from review.service import AnswerService
from review.store import Store

Q = "What is the treatment for dermatomyositis?"
CORPUS = "corpus-v1"


class RecordingEngine:
    """Streams a partial then a final answer built from the question; records every call."""

    corpus_hash = CORPUS
    lexicon = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def ask_stream(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Any = None,
        filters: SearchFilters | None = None,
    ) -> Iterator[Answer]:
        self.calls.append((question, audience, conversation))
        rewritten = question if conversation is None else f"{question} dermatomyositis"
        final = build_answer(question, audience=audience, corpus_hash=CORPUS, rewritten_query=rewritten)
        partial = replace(final, sections=final.sections[:1], follow_ups=())
        yield replace(partial, answer_id=answer_content_id(partial))
        yield final


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path / "home"))
    return load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> RecordingEngine:
    fake = RecordingEngine()
    monkeypatch.setattr("medcite.cli._engine", lambda _settings: fake)
    return fake


@pytest.fixture
def served_by(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(question, kind) for each answer `AnswerService.stream` finished: "fresh" or "approved"."""
    seen: list[tuple[str, str]] = []
    original = AnswerService.stream

    def spy(self: AnswerService, question: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in original(self, question, *args, **kwargs):
            if item.final:
                seen.append((question, "approved" if item.from_review else "fresh"))
            yield item

    monkeypatch.setattr(AnswerService, "stream", spy)
    return seen


def _store(settings: Settings) -> Store:
    return Store.from_settings(settings, hasher=FAST_TEST_HASHER)


def _cli_ask(question: str) -> dict[str, Any]:
    from medcite.cli import app

    result = CliRunner().invoke(app, ["ask", question, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def _handlers(settings: Settings, engine: RecordingEngine) -> tuple[Any, Any]:
    """The web chat's `run` handler and the `/ask` API handler of a built app over the real store."""
    from ui.app import build_app

    app = build_app(settings, engine_factory=lambda _s: engine, store=_store(settings))
    by_name = {getattr(f.fn, "__name__", ""): f.fn for f in app.fns.values()}
    return by_name["run"], by_name["ask"]


def _chat(run: Any, question: str, previous: list[Any] | None = None) -> list[Any]:
    *_, last = run(question, "clinician", [], "Any", "Any", previous or [], None, None)
    return list(last[0])  # the turns


def test_cli_web_chat_and_api_save_and_serve_through_the_service(
    settings: Settings, engine: RecordingEngine, served_by: list[tuple[str, str]]
) -> None:
    run, ask = _handlers(settings, engine)
    # Three first questions, one per entry point: each is answered by the engine and saved.
    cli = _cli_ask("Is prednisone used in dermatomyositis?")
    chat = _chat(run, "Is methotrexate used in dermatomyositis?")[-1].answer
    api = ask(Q, "clinician", [], None)
    assert [q for q, _, _ in engine.calls] == [
        "Is prednisone used in dermatomyositis?",
        "Is methotrexate used in dermatomyositis?",
        Q,
    ]
    assert [kind for _, kind in served_by] == ["fresh"] * 3
    store = _store(settings)
    for answer_id in (cli["answer_id"], chat.answer_id, api["answer_id"]):
        assert store.get_record(answer_id).status == "Submitted"  # saved for review
    assert store.count("answers") == 3

    # A reviewer approves the /ask answer: every entry point now serves it without the engine.
    store.add_reviewer(REVIEWER, PASSWORD)
    store.set_status(api["answer_id"], "Under Review", reviewer=REVIEWER, password=PASSWORD)
    store.set_status(api["answer_id"], "Approved", reviewer=REVIEWER, password=PASSWORD)
    calls = len(engine.calls)
    from_cli = _cli_ask(Q)
    from_chat = _chat(run, Q)[-1]
    from_api = ask(Q, "clinician", [], None)
    assert len(engine.calls) == calls
    assert from_cli["answer_id"] == from_chat.answer.answer_id == from_api["answer_id"] == api["answer_id"]
    assert from_cli["review_status"] == from_api["review_status"] == "Approved"
    assert from_chat.approval is not None and from_chat.approval.reviewer == REVIEWER
    assert [kind for _, kind in served_by[3:]] == ["approved"] * 3
    assert store.count("answers") == 3  # serving saves nothing new


def test_follow_ups_are_answered_fresh_on_every_path(
    settings: Settings, engine: RecordingEngine, served_by: list[tuple[str, str]]
) -> None:
    run, ask = _handlers(settings, engine)
    first = ask(Q, "clinician", [], None)
    store = _store(settings)
    store.add_reviewer(REVIEWER, PASSWORD)
    store.set_status(first["answer_id"], "Under Review", reviewer=REVIEWER, password=PASSWORD)
    store.set_status(first["answer_id"], "Approved", reviewer=REVIEWER, password=PASSWORD)
    # The approved question, asked inside a conversation, is rewritten from context: the engine answers.
    follow = ask(Q, "clinician", ["Tell me about dermatomyositis"], None)
    turns = _chat(run, Q, _chat(run, "Tell me about dermatomyositis"))
    from medcite.cli import app

    result = CliRunner().invoke(app, ["chat"], input="Tell me about dermatomyositis\n" + Q + "\n\n")
    assert result.exit_code == 0, result.output
    asked = [q for q, _, _ in engine.calls]
    assert asked.count(Q) == 4  # the first /ask, then the follow-up on each of the three paths
    assert follow["review_status"] == "Submitted" and turns[-1].approval is None
    assert [kind for q, kind in served_by if q == Q] == ["fresh"] * 4


def test_the_final_answer_is_saved_once_and_streamed_without_repeats(tmp_path: Path) -> None:
    store = Store(tmp_path / "app.sqlite", hasher=FAST_TEST_HASHER)
    service = AnswerService(RecordingEngine(), store)
    answers = list(service.ask_stream(Q, "clinician"))
    assert [len(a.sections) for a in answers] == [1, 2]  # partial, then final; not the final twice
    assert store.get_answer(answers[-1].answer_id).sections == answers[-1].sections
    list(service.ask_stream(Q, "clinician"))
    assert store.count("answers") == 1  # the same answer again is not duplicated
