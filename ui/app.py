"""The Gradio web chat: `build_app(settings)` returns the Blocks app, `serve(settings, host, port)` runs it.

The page renders answers itself (`ui.render_html`) from the typed `Answer` record, streams them as the
engine yields progressively fuller answers, and exposes a named API endpoint `/ask` returning the
answer JSON of issue 4. The index is opened once at start-up; if it is missing or was built with
other settings, the page says which command to run instead of crashing.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from medcite.errors import IndexMismatchError, IndexMissingError, MedCiteError
from medcite.settings import Settings
from medcite.types import TIERS, Answer, Audience, SearchFilters, Tier
from review.service import AnswerService, ConversationFactory, StreamingEngine, make_conversation
from ui.feedback import FeedbackSink, InMemoryFeedbackSink
from ui.hardening import QuestionGate, launch_options
from ui.persistence import (
    CONVERSATION_STORAGE_KEY,
    browser_state_secret,
    keeper_for,
    new_conversation_id,
    valid_conversation_id,
)
from ui.render_html import TIER_BADGE, Approval, Turn, render_conversation, render_setup_error
from ui.styles import APP_CSS

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger(__name__)

AUDIENCE_CHOICES: list[tuple[str, str]] = [("Clinician", "clinician"), ("Patient or caregiver", "patient")]
MAX_FOLLOW_UPS = 3
ANY_YEAR = "Any"
FIRST_YEAR = 1950  # earliest publication year offered in the filter
# Errors name their fix as `medcite ...` in backticks (see index.reader); the page shows that command.
_COMMAND_IN_HINT = re.compile(r"`(medcite [^`]+)`")
ERROR_TEXT = "Something went wrong while answering. The details were logged; please try again."


# `StreamingEngine` (what the chat needs from `qa.engine.AnswerEngine`), `ConversationFactory` and
# `make_conversation` live with the answer service (`review.service`), which every entry point uses.
EngineFactory = Callable[[Settings], StreamingEngine]


def default_engine_factory(settings: Settings) -> StreamingEngine:
    """Open the index once and build the answer engine over it (the index first, so a missing or
    mismatched index is reported as such)."""
    from index import open_index

    index = open_index(settings)
    from qa.engine import AnswerEngine

    engine = AnswerEngine(index, settings)
    # The speller's dictionary takes seconds over the full corpus: build it while the page loads,
    # not inside the first misspelt question.
    threading.Thread(target=engine.understanding.prepare, name="medcite-speller", daemon=True).start()
    return engine


@dataclass(frozen=True)
class SetupProblem:
    """Why the app cannot answer, and the command that fixes it."""

    message: str
    command: str | None


def diagnose(exc: Exception) -> SetupProblem:
    """Map a start-up failure to a user-facing message and the command that fixes it."""
    if isinstance(exc, MedCiteError):
        named = _COMMAND_IN_HINT.search(exc.hint or "")
        if named:
            command: str | None = named.group(1)
        elif isinstance(exc, IndexMismatchError):
            command = "medcite ingest --rebuild"
        elif isinstance(exc, IndexMissingError):
            command = "medcite ingest"
        else:
            command = None
        return SetupProblem(str(exc), command)
    if isinstance(exc, ImportError):  # a partial install: say so rather than show a traceback
        return SetupProblem(f"A MedCite component is missing ({exc.name}).", "pip install -e .")
    return SetupProblem(ERROR_TEXT, None)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `ask --json` shape (issue 4 item 9), from `qa.render`."""
    from qa.render import answer_to_json

    return answer_to_json(answer)


def make_filters(
    tiers: Sequence[str] | None, year_min: str | int | None, year_max: str | int | None
) -> SearchFilters:
    """Filters from the side panel; all tiers ticked (or none) means no tier restriction."""
    chosen = tuple(Tier(t) for t in (tiers or ()) if t in {x.value for x in TIERS})
    if len(chosen) == len(TIERS):
        chosen = ()
    lo, hi = _year(year_min), _year(year_max)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo  # a reversed range is a slip of the hand, not a request for nothing
    return SearchFilters(tiers=chosen, year_min=lo, year_max=hi)


def _year(value: str | int | None) -> int | None:
    """A year from the dropdown ("Any" or blank means no bound)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


def questions_from_history(history: Sequence[Any] | None) -> list[str]:
    """Earlier user questions from an API `history`: strings, `{"question": ...}` or chat messages
    `{"role": "user", "content": str | [{"type": "text", "text": ...}]}` (Gradio's messages format)."""
    out: list[str] = []
    for item in history or ():
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict) and "question" in item:
            text = str(item["question"])
        elif isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, list):
                text = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            else:
                text = str(content or "")
        else:
            continue
        if text.strip():
            out.append(text.strip())
    return out


def check_audience(value: str | None) -> Audience:
    if value in (None, "", "clinician", "Clinician"):
        return "clinician"
    if value in ("patient", "Patient or caregiver", "caregiver"):
        return "patient"
    raise MedCiteError(f"Unknown audience {value!r}.", hint="Use 'clinician' or 'patient'.")


class ChatController:
    """The app's behaviour without Gradio: stream answers, keep turns, record feedback.

    Kept apart from the layout so it can be tested directly; Gradio handlers are thin wrappers.
    Answers come from `review.service.AnswerService` (the path the CLI uses too): with a
    `review.store.Store` as `store`, a question that opens a conversation is answered from medical
    review when an approved answer matches (issue 7 item 4), and conversations are kept in the store
    (`remember` / `restore` / `forget`, issue 7 item 8); other stores skip both.
    """

    def __init__(
        self,
        engine: StreamingEngine | None,
        problem: SetupProblem | None,
        store: FeedbackSink,
        conversation_factory: ConversationFactory = make_conversation,
        today: Callable[[], str] = lambda: date.today().isoformat(),
    ) -> None:
        self.engine = engine
        self.problem = problem
        self.store = store
        self.conversation_factory = conversation_factory
        self.today = today
        self.service = (
            AnswerService(engine, store, conversation_factory=conversation_factory)
            if engine is not None
            else None
        )
        self.keeper = keeper_for(store)

    def stream(
        self, question: str, audience: Audience, filters: SearchFilters, previous: Sequence[Turn]
    ) -> Iterator[list[Turn]]:
        """Yield the turn list as the answer to `question` grows; the last yield is final."""
        turns = [*previous, Turn(question=question)]
        yield list(turns)
        if self.service is None:
            problem = self.problem or SetupProblem(ERROR_TEXT, None)
            hint = f" Run `{problem.command}`." if problem.command else ""
            turns[-1] = Turn(question=question, error=problem.message + hint)
            yield list(turns)
            return
        # Only a first question stands alone; follow-ups are rewritten from context (the service
        # answers them afresh).
        answered = [t.answer for t in previous if t.answer is not None]
        shown: Answer | None = None
        try:
            for served in self.service.stream(question, audience, answered, filters):
                if served.answer == shown:
                    continue  # the saved final answer is the last one shown: nothing to redraw
                shown = served.answer
                if served.from_review:
                    approval = Approval(served.approved_at or "", served.reviewer or "")
                    updated = (served.approved_at or "")[:10]
                    turns[-1] = Turn(question, served.answer, updated, approval=approval)
                else:
                    turns[-1] = Turn(question=question, answer=served.answer, updated=self.today())
                yield list(turns)
        except MedCiteError as exc:
            turns[-1] = Turn(question=question, error=str(exc))
            yield list(turns)
        except Exception:
            # The question itself is not logged: MEDCITE_SERVER__STORE_QUESTIONS=false must keep it out
            # of logs too.
            log.exception("answering a question (%d characters) failed", len(question))
            turns[-1] = Turn(question=question, error=ERROR_TEXT)
            yield list(turns)

    def ask_stream_api(
        self, question: str, audience: Audience, history: Sequence[Any] | None
    ) -> Iterator[Answer]:
        """Answer through the API, progressively; `history` holds the earlier questions (oldest first),
        which set the topic that follow-ups are rewritten with."""
        if self.service is None:
            problem = self.problem or SetupProblem(ERROR_TEXT, None)
            raise MedCiteError(problem.message, hint=f"Run `{problem.command}`." if problem.command else None)
        if not question.strip():
            raise MedCiteError("The question is empty.", hint="Send a medical question as text.")
        yield from self.service.ask_stream(question.strip(), audience, questions_from_history(history))

    def ask_once(self, question: str, audience: Audience, history: Sequence[Any] | None) -> Answer:
        """The final answer of `ask_stream_api`."""
        final: Answer | None = None
        for final in self.ask_stream_api(question, audience, history):  # noqa: B007 - keep the last
            pass
        assert final is not None  # ask_stream_api raises rather than yield nothing
        return final

    def remember(self, conversation_id: str | None, turns: Sequence[Turn]) -> None:
        """Persist the conversation's answered turns (a no-op without a conversation store)."""
        if self.keeper is not None:
            self.keeper.save(conversation_id, turns)

    def restore(self, conversation_id: str | None) -> list[Turn]:
        """The stored conversation for this browser, oldest first (empty without a store)."""
        return self.keeper.restore(conversation_id) if self.keeper is not None else []

    def forget(self, conversation_id: str | None) -> None:
        """Delete the conversation from the store too (the "Clear conversation" button)."""
        if self.keeper is not None:
            self.keeper.clear(conversation_id)

    def feedback(self, answer_id: str | None, helpful: bool, comment: str) -> str:
        """Store a thumbs up/down; returns the status line shown under the buttons."""
        if not answer_id:
            return "Ask a question first; feedback is attached to an answer."
        try:
            self.store.add_feedback(answer_id, 1 if helpful else -1, (comment or "").strip())
        except MedCiteError as exc:
            return f"Feedback not recorded: {exc}"
        return "Thanks, your feedback was recorded." + ("" if helpful else " We will look at this answer.")


def _follow_up_updates(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    import gradio as gr

    last = turns[-1].answer if turns else None
    options = list(last.follow_ups[:MAX_FOLLOW_UPS]) if last is not None else []
    options += [""] * (MAX_FOLLOW_UPS - len(options))
    return [gr.update(value=o or " ", visible=bool(o)) for o in options]


def _feedback_choices(turns: Sequence[Turn]) -> dict[str, Any]:
    import gradio as gr

    choices = [(t.question[:80], t.answer.answer_id) for t in turns if t.answer is not None]
    return gr.update(choices=choices, value=choices[-1][1] if choices else None)


def index_status_text(engine: object) -> str:
    """The status line of an index still being built (`qa.live.LiveEngine.status`), else ''."""
    status = getattr(engine, "status", None)
    line = status() if callable(status) else None
    return line or ""


# How often (seconds) the page re-reads the ingest's progress while the index is being built.
STATUS_EVERY_S = 5.0


def _index_status_component(gr: Any, engine: object) -> Any:
    """A line above the chat saying how much of the corpus is searchable while the background
    ingest runs (issue 19 item 2), refreshed every few seconds; hidden once the index is complete."""
    if not callable(getattr(engine, "status", None)):
        return None
    text = index_status_text(engine)
    line = gr.Markdown(text, visible=bool(text), elem_id="mc-index-status")
    timer = gr.Timer(STATUS_EVERY_S)

    def refresh() -> Any:
        now = index_status_text(engine)
        return gr.update(value=now, visible=bool(now))

    timer.tick(refresh, outputs=[line], show_progress="hidden", api_visibility="private")
    return line


def _conversation_component(gr: Any, settings: Settings, persistent: bool) -> Any:
    """Where the browser keeps its conversation id: localStorage (`gr.BrowserState`, with a key that
    survives restarts) when conversations are stored, else per-page server state."""
    if not persistent:
        return gr.State(None)
    return gr.BrowserState(
        None, storage_key=CONVERSATION_STORAGE_KEY, secret=browser_state_secret(settings.home)
    )


def build_app(
    settings: Settings,
    engine_factory: EngineFactory = default_engine_factory,
    store: FeedbackSink | None = None,
    conversation_factory: ConversationFactory | None = None,
    *,
    review: bool = False,
) -> gr.Blocks:
    """Build the web chat. The engine (and so the index) is created once, here.

    `review=True` (what `serve` uses) puts the chat in an "Ask" tab beside the reviewers' "Review" tab
    (`ui.review_tab`); it needs a `review.store.Store`, opened from settings when `store` is None.
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    if review and store is None:
        from review.store import open_store

        store = open_store(settings)

    try:
        engine: StreamingEngine | None = engine_factory(settings)
        problem: SetupProblem | None = None
    except Exception as exc:  # any start-up failure becomes a page, never a crash (issue 5 item 1)
        if not isinstance(exc, MedCiteError):
            log.exception("could not start the answer engine")
        engine, problem = None, diagnose(exc)
    if conversation_factory is None:

        def conversation_factory(previous: Sequence[Answer | str]) -> Any:
            # read at each question: a live engine's lexicon grows with the index
            return make_conversation(previous, getattr(engine, "lexicon", None))

    controller = ChatController(engine, problem, store or InMemoryFeedbackSink(), conversation_factory)
    gate = QuestionGate(settings)

    with gr.Blocks(title="MedCite") as app, ExitStack() as tabs, ExitStack() as chat_tab:
        gr.HTML(
            '<div id="mc-header"><h1>MedCite</h1><p>Answers to medical questions from guidelines, FDA drug '
            "labels, research and patient information, with every statement cited.</p></div>"
        )
        if problem is not None:
            gr.HTML(render_setup_error(problem.message, problem.command), elem_id="mc-setup")
        _index_status_component(gr, engine)
        if review:  # entered here and left after the layout, so the layout code keeps one shape
            tabs.enter_context(gr.Tabs(elem_id="mc-tabs"))
            chat_tab.enter_context(gr.Tab("Ask", elem_id="mc-chat-tab"))
        turns_state = gr.State([])
        conversation_id = _conversation_component(gr, settings, controller.keeper is not None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                audience = gr.Radio(
                    AUDIENCE_CHOICES,
                    value="clinician",
                    label="Which best describes you?",
                    elem_id="mc-audience",
                )
                transcript = gr.HTML(render_conversation([]), elem_id="mc-transcript")
                with gr.Row(elem_id="mc-followups"):
                    follow_buttons = [
                        gr.Button(
                            " ", visible=False, size="sm", variant="secondary", elem_classes=["mc-follow"]
                        )
                        for _ in range(MAX_FOLLOW_UPS)
                    ]
                question = gr.Textbox(
                    label="Your question",
                    placeholder="e.g. What is the treatment for dermatomyositis?",
                    elem_id="mc-question",
                    interactive=engine is not None,
                )
                with gr.Row():
                    ask_button = gr.Button(
                        "Ask", variant="primary", elem_id="mc-ask", interactive=engine is not None
                    )
                    clear_button = gr.Button("Clear conversation", elem_id="mc-clear")
                with gr.Accordion("Was this answer helpful?", open=False, elem_id="mc-feedback"):
                    target = gr.Dropdown(choices=[], label="Answer", elem_id="mc-feedback-target")
                    comment = gr.Textbox(label="Comment (optional)", lines=2, elem_id="mc-feedback-comment")
                    with gr.Row():
                        thumbs_up = gr.Button("👍 Helpful", elem_id="mc-thumbs-up")
                        thumbs_down = gr.Button("👎 Not helpful", elem_id="mc-thumbs-down")
                    feedback_status = gr.Markdown("", elem_id="mc-feedback-status")
            with gr.Column(scale=1, min_width=240, elem_id="mc-filters"):
                gr.Markdown("### Filters")
                tiers = gr.CheckboxGroup(
                    [(TIER_BADGE[t], t.value) for t in TIERS],
                    value=[t.value for t in TIERS],
                    label="Source types",
                    elem_id="mc-tiers",
                )
                years = [ANY_YEAR, *(str(y) for y in range(date.today().year, FIRST_YEAR - 1, -1))]
                with gr.Row():
                    year_min = gr.Dropdown(
                        years, value=ANY_YEAR, label="Published from", elem_id="mc-year-min"
                    )
                    year_max = gr.Dropdown(
                        years, value=ANY_YEAR, label="Published until", elem_id="mc-year-max"
                    )

        if review:
            chat_tab.close()
            from ui.review_tab import add_review_tab

            add_review_tab(app, store, settings)  # type: ignore[arg-type]  # a Store when review
            tabs.close()

        filter_inputs = [tiers, year_min, year_max]
        stream_outputs = [turns_state, transcript, question, *follow_buttons, target]

        def run(
            text: str,
            who: str,
            tier_values: list[str],
            lo: str | None,
            hi: str | None,
            previous: list[Turn],
            conversation: str | None = None,
            request: gr.Request = None,  # type: ignore[assignment]  # injected by Gradio
        ):
            text = (text or "").strip()
            if not text:
                yield (
                    previous,
                    render_conversation(previous),
                    "",
                    *_follow_up_updates(previous),
                    _feedback_choices(previous),
                )
                return
            try:  # issue 9: length limit, unreadable text and rate limit, enforced here on the server
                text = gate.admit(text, request)
            except MedCiteError as exc:
                refused = [*previous, Turn(question=text[:300], error=str(exc))]
                page = render_conversation(refused)
                yield refused, page, gr.update(), *_follow_up_updates(previous), gr.update()
                return
            filters = make_filters(tier_values, lo, hi)
            turns: list[Turn] = list(previous)
            hidden = [gr.update(visible=False)] * MAX_FOLLOW_UPS
            box: Any = ""  # clear the question box once; later yields leave what the user types next
            for turns in controller.stream(text, check_audience(who), filters, previous):
                yield turns, render_conversation(turns, streaming=True), box, *hidden, gr.update()
                box = gr.update()
            controller.remember(conversation, turns)
            yield (
                turns,
                render_conversation(turns),
                box,
                *_follow_up_updates(turns),
                _feedback_choices(turns),
            )

        def reask(
            who: str,
            tier_values: list[str],
            lo: str | None,
            hi: str | None,
            previous: list[Turn],
            conversation: str | None = None,
            request: gr.Request = None,  # type: ignore[assignment]  # injected by Gradio
        ):
            """Audience switch: answer the last question again in the new audience's language."""
            if not previous:
                yield (
                    previous,
                    render_conversation(previous),
                    gr.update(),
                    *_follow_up_updates(previous),
                    _feedback_choices(previous),
                )
                return
            last = previous[-1].question
            yield from run(last, who, tier_values, lo, hi, previous[:-1], conversation, request)

        def clear(conversation: str | None):
            controller.forget(conversation)
            return (
                [],
                render_conversation([]),
                "",
                *[gr.update(visible=False)] * MAX_FOLLOW_UPS,
                gr.update(choices=[], value=None),
            )

        def restore(conversation: str | None):
            """Page load: give this browser a conversation id and bring back its stored chat."""
            cid = valid_conversation_id(conversation) or new_conversation_id()
            turns = controller.restore(cid)
            if not turns:  # leave the page alone: a question asked meanwhile must not be wiped
                return cid, *[gr.update()] * len(stream_outputs)
            return (
                cid,
                turns,
                render_conversation(turns),
                gr.update(),
                *_follow_up_updates(turns),
                _feedback_choices(turns),
            )

        _inject_request(run)
        run_inputs = [question, audience, *filter_inputs, turns_state, conversation_id]
        question.submit(run, run_inputs, stream_outputs, api_visibility="private")
        ask_button.click(run, run_inputs, stream_outputs, api_visibility="private")
        for button in follow_buttons:
            button.click(
                run,
                [button, audience, *filter_inputs, turns_state, conversation_id],
                stream_outputs,
                api_visibility="private",
            )
        audience.change(
            reask,
            [audience, *filter_inputs, turns_state, conversation_id],
            stream_outputs,
            api_visibility="private",
        )
        clear_button.click(clear, [conversation_id], stream_outputs, api_visibility="private")
        app.load(restore, [conversation_id], [conversation_id, *stream_outputs], api_visibility="private")
        thumbs_up.click(
            lambda a, c: controller.feedback(a, True, c),
            [target, comment],
            feedback_status,
            api_visibility="private",
        )
        thumbs_down.click(
            lambda a, c: controller.feedback(a, False, c),
            [target, comment],
            feedback_status,
            api_visibility="private",
        )

        def ask(
            question: str,
            audience: str = "clinician",
            history: list | None = None,
            request: gr.Request = None,  # type: ignore[assignment]  # injected by Gradio
        ) -> dict:
            """Answer a question; `history` lists earlier questions of the conversation (oldest first).
            Returns the answer JSON of `medcite ask --json`."""
            try:
                question = gate.admit(question, request)
                return answer_json(controller.ask_once(question, check_audience(audience), history))
            except MedCiteError as exc:
                raise gr.Error(str(exc)) from exc

        def ask_stream(
            question: str,
            audience: str = "clinician",
            history: list | None = None,
            request: gr.Request = None,  # type: ignore[assignment]  # injected by Gradio
        ) -> Iterator[dict]:
            """Like `ask`, but yields progressively fuller answer JSON (one per composed section); the
            last one is final."""
            try:
                question = gate.admit(question, request)
                for answer in controller.ask_stream_api(question, check_audience(audience), history):
                    yield answer_json(answer)
            except MedCiteError as exc:
                raise gr.Error(str(exc)) from exc

        _inject_request(ask)
        _inject_request(ask_stream)
        gr.api(ask, api_name="ask")
        gr.api(ask_stream, api_name="ask_stream")

        def feedback(answer_id: str, helpful: bool = True, comment: str = "") -> str:
            """Thumbs up (`helpful` true) or down, with an optional comment, for an `answer_id` returned
            by `/ask`; one feedback row per call."""
            try:
                controller.store.add_feedback(answer_id, 1 if helpful else -1, (comment or "").strip())
            except MedCiteError as exc:
                raise gr.Error(str(exc)) from exc
            return "Thanks, your feedback was recorded."

        gr.api(feedback, api_name="feedback")
    app.medcite_controller = controller  # type: ignore[attr-defined]  # for tests and the store hook
    return app


def _inject_request(handler: Callable[..., Any]) -> None:
    """Make Gradio pass the client's `gr.Request` to `handler(..., request)`: with postponed annotations
    the string "gr.Request" cannot be resolved from this module (gradio is imported lazily), so the class
    itself is set, and Gradio then leaves the parameter out of the API signature."""
    import gradio as gr

    handler.__annotations__["request"] = gr.Request


def launch(app: gr.Blocks, host: str, port: int, *, block: bool = True, **options: Any) -> None:
    """Start the server on host:port with MedCite's CSS; never shared publicly."""
    import gradio as gr

    # System fonts: Gradio's bundled semi-bold face lacks most capitals, so bold headings mixed faces.
    theme = gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )
    app.queue(default_concurrency_limit=4).launch(
        server_name=host,
        server_port=port,
        share=False,
        theme=theme,
        css=APP_CSS,
        footer_links=["api"],
        prevent_thread_lock=not block,
        **options,  # auth, request-size middleware (ui.hardening.launch_options)
        quiet=True,
        show_error=False,
    )


def live_engine_factory(settings: Settings) -> StreamingEngine:
    """An engine that answers from what the background ingest has published so far (`qa.live`)."""
    from qa.live import LiveEngine

    def prepare(engine: Any) -> None:
        threading.Thread(target=engine.understanding.prepare, name="medcite-speller", daemon=True).start()

    return LiveEngine(settings, on_new_engine=prepare)


def serve(
    settings: Settings, host: str | None = None, port: int | None = None, *, ingest: bool = False
) -> None:
    """`medcite serve`: build the app from settings and serve it (blocks until interrupted).

    `ingest` (what `make run` asks for): start the web chat at once and bring the index up to date in
    a background child process (`ingest.background`), answering from what it has published so far."""
    host = host or settings.server.host
    options = launch_options(settings, host)  # refuses a non-loopback host without auth, before any work
    from review.store import open_store

    child = None
    factory: EngineFactory = default_engine_factory
    if ingest:
        from ingest.background import needs_ingest, start_background_ingest, stop_background_ingest

        if not (settings.corpus / "MANIFEST.json").exists():
            print(
                f"No MANIFEST.json in corpus folder {settings.corpus}: serving the index in "
                f"{settings.home} as it is (point MEDCITE_CORPUS at a corpus to update it)."
            )
            ingest = False
        elif not needs_ingest(settings):
            print(f"The index in {settings.home} is up to date with {settings.corpus}.")
            ingest = False
    if ingest:
        _prepare_embedding_model(settings)  # exported once here, not by two processes at a time
        child = start_background_ingest(settings)
        print(f"Indexing {settings.corpus} in the background (log: {settings.home / 'ingest.log'}).")
        factory = live_engine_factory
    try:
        # The real store: answers, feedback, review and conversations persist; reviewers get the Review tab.
        app = build_app(settings, factory, store=open_store(settings), review=True)
        launch(app, host, port or settings.server.port, block=True, **options)
    finally:
        if child is not None:
            stop_background_ingest(child)


def _prepare_embedding_model(settings: Settings) -> None:
    """Build the embedder once in this process (the one-time ONNX export happens here)."""
    from embedding.factory import embedder_from_settings

    embedder_from_settings(settings)


__all__ = [
    "ChatController",
    "StreamingEngine",
    "build_app",
    "diagnose",
    "launch",
    "make_filters",
    "questions_from_history",
    "serve",
]
