"""The web chat's behaviour without a browser: the controller (streaming, errors, feedback), the
input helpers, start-up diagnosis, and the `/ask` API through gradio_client on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_fakes import DISCLAIMERS, FakeEngine, list_conversation

from medcite.errors import IndexMismatchError, IndexMissingError, MedCiteError
from medcite.settings import Settings
from medcite.types import Answer, SearchFilters, Tier
from ui.app import (
    ChatController,
    build_app,
    check_audience,
    diagnose,
    make_filters,
    questions_from_history,
)
from ui.feedback import InMemoryFeedbackSink

Q = "What is the treatment for dermatomyositis?"


def _controller(engine: Any = None, store: InMemoryFeedbackSink | None = None) -> ChatController:
    return ChatController(
        engine if engine is not None else FakeEngine(),
        None,
        store or InMemoryFeedbackSink(),
        conversation_factory=list_conversation,
        today=lambda: "2025-01-02",
    )


def test_stream_shows_progress_then_fuller_answers_and_saves_final() -> None:
    store = InMemoryFeedbackSink()
    snapshots = list(_controller(store=store).stream(Q, "clinician", SearchFilters(), []))
    assert snapshots[0][-1].answer is None  # "Searching..." shown before the engine answers
    sizes = [len(s[-1].answer.sections) for s in snapshots[1:] if s[-1].answer]
    assert sizes == [1, 3]
    final = snapshots[-1][-1].answer
    assert final is not None and snapshots[-1][-1].updated == "2025-01-02"
    assert list(store.answers) == [final.answer_id]


def test_follow_up_gets_conversation_and_previous_turns_are_kept() -> None:
    engine = FakeEngine()
    controller = _controller(engine)
    *_, first = controller.stream(Q, "clinician", SearchFilters(), [])
    *_, second = controller.stream("What about in children?", "clinician", SearchFilters(), first)
    assert [t.question for t in second] == [Q, "What about in children?"]
    assert engine.calls[-1]["previous"] == [first[0].answer]
    assert second[-1].answer is not None and "dermatomyositis" in second[-1].answer.rewritten_query


def test_filters_reach_the_engine() -> None:
    engine = FakeEngine()
    filters = make_filters(["guideline"], "2010", "Any")
    list(_controller(engine).stream(Q, "patient", filters, []))
    assert engine.calls[0]["filters"] == SearchFilters(tiers=(Tier.GUIDELINE,), year_min=2010)
    assert engine.calls[0]["audience"] == "patient"


class _Failing:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def ask_stream(self, *args: Any, **kwargs: Any) -> Iterator[Answer]:
        raise self.exc
        yield  # pragma: no cover - makes this a generator


def test_engine_errors_become_a_turn_error_not_a_crash() -> None:
    *_, turns = _controller(_Failing(MedCiteError("Index busy.", hint="Retry."))).stream(
        Q, "clinician", SearchFilters(), []
    )
    assert turns[-1].error == "Index busy. Retry."
    *_, turns = _controller(_Failing(RuntimeError("secret /path detail"))).stream(
        Q, "clinician", SearchFilters(), []
    )
    assert turns[-1].error and "secret" not in turns[-1].error


def test_no_engine_answers_with_the_setup_command() -> None:
    controller = ChatController(
        None, diagnose(IndexMissingError("No index.", hint="Run `medcite ingest`.")), InMemoryFeedbackSink()
    )
    *_, turns = controller.stream(Q, "clinician", SearchFilters(), [])
    assert turns[-1].error is not None and "medcite ingest" in turns[-1].error
    with pytest.raises(MedCiteError, match="medcite ingest"):
        controller.ask_once(Q, "clinician", [])


def test_feedback_is_stored_with_the_answer_id() -> None:
    store = InMemoryFeedbackSink()
    controller = _controller(store=store)
    *_, turns = controller.stream(Q, "clinician", SearchFilters(), [])
    answer_id = turns[-1].answer.answer_id
    assert "Ask a question first" in controller.feedback(None, True, "")
    assert "recorded" in controller.feedback(answer_id, True, "  clear  ")
    controller.feedback(answer_id, False, "")
    assert [(f.answer_id, f.rating, f.comment) for f in store.feedback] == [
        (answer_id, 1, "clear"),
        (answer_id, -1, ""),
    ]
    assert "not recorded" in controller.feedback("no-such-answer", True, "")


def test_make_filters() -> None:
    assert make_filters([t.value for t in Tier], None, None).is_empty
    assert make_filters([], 0, None).is_empty
    f = make_filters(["research", "bogus"], "2020", 2015)
    assert f.tiers == (Tier.RESEARCH,) and (f.year_min, f.year_max) == (2015, 2020)
    assert make_filters(None, "Any", "2019") == SearchFilters(year_max=2019)


def test_questions_from_history_accepts_strings_dicts_and_messages() -> None:
    history = [
        "first?",
        {"question": "second?"},
        {"role": "user", "content": [{"type": "text", "text": "third?"}]},
        {"role": "assistant", "content": "an answer"},
        {"role": "user", "content": "fourth?"},
        {"role": "user", "content": "  "},
        42,
    ]
    assert questions_from_history(history) == ["first?", "second?", "third?", "fourth?"]
    assert questions_from_history(None) == []


def test_check_audience() -> None:
    assert check_audience("Patient or caregiver") == "patient"
    assert check_audience(None) == "clinician"
    with pytest.raises(MedCiteError):
        check_audience("robot")


def test_diagnose_names_the_command_to_run(ui_settings: Settings) -> None:
    from index import open_index

    with pytest.raises(IndexMissingError) as missing:
        open_index(ui_settings)  # empty home: the real index code says what is wrong
    assert diagnose(missing.value).command == "medcite ingest"
    assert diagnose(IndexMismatchError("chunk_size differs.")).command == "medcite ingest --rebuild"
    assert diagnose(RuntimeError("boom")).command is None


def test_build_app_with_missing_index_shows_the_command(ui_settings: Settings) -> None:
    def failing(_s: Settings) -> FakeEngine:
        raise IndexMissingError(f"No index in {ui_settings.home}.", hint="Run `medcite ingest`.")

    app = build_app(ui_settings, engine_factory=failing)
    values = [c.get("props", {}).get("value") for c in app.config["components"]]
    assert any(isinstance(v, str) and "medcite ingest" in v for v in values)


# --- the API through gradio_client on a real server ------------------------------------------


def test_api_ask_returns_answer_json(served: Any) -> None:
    pytest.importorskip("qa.render", reason="qa.render (answer JSON, issue 4) is not available yet")
    from gradio_client import Client

    client = Client(served.url, verbose=False)
    result = client.predict(Q, "clinician", [], api_name="/ask")
    assert result["question"] == Q and result["audience"] == "clinician"
    assert [s["tier"] for s in result["sections"]] == ["guideline", "drug_label", "research"]
    assert {r["n"] for r in result["references"]} == {1, 2, 3, 4}
    assert result["disclaimer"] == DISCLAIMERS["clinician"]
    assert result["answer_id"] in served.store.answers


def test_api_follow_up_uses_history_and_audience(served: Any) -> None:
    pytest.importorskip("qa.render", reason="qa.render (answer JSON, issue 4) is not available yet")
    from gradio_client import Client

    client = Client(served.url, verbose=False)
    result = client.predict("What about in children?", "patient", [Q], api_name="/ask")
    assert "dermatomyositis" in result["rewritten_query"]
    assert result["disclaimer"] == DISCLAIMERS["patient"]


def test_api_rejects_bad_input_with_a_clear_message(served: Any) -> None:
    from gradio_client import Client

    client = Client(served.url, verbose=False)
    with pytest.raises(Exception, match="audience"):
        client.predict(Q, "robot", [], api_name="/ask")
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", "clinician", [], api_name="/ask")


def test_api_ask_stream_yields_fuller_answers(served: Any) -> None:
    pytest.importorskip("qa.render", reason="qa.render (answer JSON, issue 4) is not available yet")
    from gradio_client import Client

    job = Client(served.url, verbose=False).submit(Q, "clinician", [], api_name="/ask_stream")
    job.result(timeout=30)
    outputs = job.outputs()
    assert [len(o["sections"]) for o in outputs] == [1, 3]
    # the id covers the content: the fuller answer is another answer, and only the final one is saved
    assert outputs[0]["answer_id"] != outputs[-1]["answer_id"]


def test_only_the_ask_endpoints_are_public(served: Any) -> None:
    from gradio_client import Client

    api = Client(served.url, verbose=False).view_api(return_format="dict", print_info=False)
    # /feedback (issue 9): thumbs through the API, so load tests can count feedback rows
    assert sorted(api["named_endpoints"]) == ["/ask", "/ask_stream", "/feedback"]
    assert not api["unnamed_endpoints"]


def test_feedback_reaches_the_real_store(tmp_path: Any) -> None:
    from review.store import Store

    store = Store(tmp_path / "app.sqlite")
    controller = ChatController(FakeEngine(), None, store, conversation_factory=list_conversation)
    *_, turns = controller.stream(Q, "clinician", SearchFilters(), [])
    answer_id = turns[-1].answer.answer_id
    assert store.get_record(answer_id) is not None
    assert "recorded" in controller.feedback(answer_id, False, "missing the dose")
    assert store.count("feedback") == 1
