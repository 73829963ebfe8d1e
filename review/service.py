"""`AnswerService`: the one path that serves an answer, for the CLI, the web chat and the `/ask` API.

For a question that stands alone (no earlier turns, no search filters) an answer approved by medical
review for the same normalised question and audience is served as is while the corpus is unchanged.
Otherwise the engine answers (streamed, when the caller wants it), the final answer is saved for
review under its content id, and, when an earlier version was approved under another corpus, the
fresh answer carries a note saying so.  A store that cannot look answers up (the web chat's in-memory
sink) only saves; a failing store is logged and never replaces the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

from medcite.errors import MedCiteError
from medcite.types import Answer, Audience, SearchFilters
from review.rules import ApprovedLookup

log = logging.getLogger(__name__)

# Builds the engine's conversation from earlier turns: Answers (chat) or bare questions (API).
ConversationFactory = Callable[[Sequence[Answer | str]], Any]


class StreamingEngine(Protocol):
    """What the service needs from `qa.engine.AnswerEngine`."""

    def ask_stream(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Any = None,
        filters: SearchFilters | None = None,
    ) -> Iterator[Answer]:
        """Yield progressively fuller answers; the last one is final."""
        ...


class AnswerSink(Protocol):
    """Where served answers are saved (`review.store.Store`, or the web chat's in-memory sink)."""

    def save_answer(self, answer: Answer) -> str:
        """Store an answer (once per content); returns its id."""
        ...


@runtime_checkable
class ReviewedStore(Protocol):
    """A store that can find an approved answer for a question (`Store.find_approved`)."""

    def find_approved(self, question: str, audience: Audience, corpus_hash: str) -> ApprovedLookup: ...


@dataclass(frozen=True)
class Served:
    """One answer of a stream: partial while the engine composes, then the final (saved) one.
    An answer served from medical review is final at once and names its approval."""

    answer: Answer
    final: bool
    approved_at: str | None = None
    reviewer: str | None = None

    @property
    def from_review(self) -> bool:
        return self.approved_at is not None


def make_conversation(previous: Sequence[Answer | str], lexicon: Any = None) -> Any:
    """The engine's `qa.conversation.Conversation` from earlier answers or questions (None when empty);
    `lexicon` (the engine's) lets follow-up rewriting recognise multi-word medical topics."""
    if not previous:
        return None
    from qa.conversation import Conversation

    conversation = Conversation()
    for item in previous:
        conversation.add(item, lexicon=lexicon)
    return conversation


class AnswerService:
    """Approved answer or engine, then save: `ask` (final answer), `ask_stream` (answers as they grow)
    and `stream` (the same with approval details, for the web chat)."""

    def __init__(
        self,
        engine: StreamingEngine,
        store: AnswerSink,
        *,
        corpus_hash: str | None = None,
        conversation_factory: ConversationFactory | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self._corpus_hash = corpus_hash
        if conversation_factory is None:

            def conversation_factory(previous: Sequence[Answer | str]) -> Any:
                # read at each question: a live engine's lexicon grows with the index
                return make_conversation(previous, getattr(engine, "lexicon", None))

        self.conversation_factory = conversation_factory

    @property
    def corpus_hash(self) -> str:
        """Approved answers are matched on the corpus they were built from (`qa.engine.AnswerEngine`);
        read from the engine at each question, since a live engine's index changes under it."""
        if self._corpus_hash is not None:
            return self._corpus_hash
        return str(getattr(self.engine, "corpus_hash", "") or "")

    def lookup(
        self, question: str, audience: Audience, filters: SearchFilters | None = None
    ) -> ApprovedLookup:
        """The approved-answer lookup for a question that stands alone; "none" for filtered questions
        (the approved answer was not built under those filters), for stores that cannot look up, and
        when the lookup fails (answering afresh is always safe)."""
        if filters is not None and not filters.is_empty:
            return ApprovedLookup("none")
        if not isinstance(self.store, ReviewedStore):
            return ApprovedLookup("none")
        try:
            return self.store.find_approved(question, audience, self.corpus_hash)
        except Exception:
            log.exception("approved-answer lookup failed; answering afresh")
            return ApprovedLookup("none")

    def stream(
        self,
        question: str,
        audience: Audience = "clinician",
        earlier: Sequence[Answer | str] = (),
        filters: SearchFilters | None = None,
    ) -> Iterator[Served]:
        """Serve `question`: partial answers as the engine composes them, then the final one, saved.

        `earlier` holds the conversation's earlier answers or questions (oldest first); a follow-up
        is rewritten from them and never served from review.  Raises `MedCiteError` when the engine
        does (or yields nothing)."""
        lookup = self.lookup(question, audience, filters) if not earlier else ApprovedLookup("none")
        if lookup.kind == "approved" and lookup.answer is not None:
            yield Served(lookup.answer, True, lookup.approved_at or "", lookup.reviewer or "")
            return
        note = lookup.note  # the corpus changed since an earlier version was approved: say so
        final: Answer | None = None
        conversation = self.conversation_factory(list(earlier))
        for final in self.engine.ask_stream(question, audience, conversation, filters):
            yield Served(_noted(final, note), False)
        if final is None:
            raise MedCiteError("The answer engine returned nothing.", hint="Try rephrasing the question.")
        yield Served(_noted(self._save(final), note), True)

    def ask_stream(
        self,
        question: str,
        audience: Audience = "clinician",
        earlier: Sequence[Answer | str] = (),
        filters: SearchFilters | None = None,
    ) -> Iterator[Answer]:
        """`stream` as answers: progressively fuller, the last one final (and saved)."""
        last: Answer | None = None
        for served in self.stream(question, audience, earlier, filters):
            if served.final and served.answer == last:
                return  # the saved answer is the last partial one: do not send it twice
            last = served.answer
            yield served.answer

    def ask(
        self,
        question: str,
        audience: Audience = "clinician",
        earlier: Sequence[Answer | str] = (),
        filters: SearchFilters | None = None,
    ) -> Answer:
        """The final answer of `stream` (approved, or fresh and saved)."""
        final: Answer | None = None
        for served in self.stream(question, audience, earlier, filters):
            final = served.answer
        assert final is not None  # stream raises rather than yield nothing
        return final

    def _save(self, answer: Answer) -> Answer:
        """Save the final answer so feedback and review can refer to it; returns it under the id the
        store gave it.  A store failure is logged, never shown instead of the answer."""
        try:
            answer_id = self.store.save_answer(answer)
        except Exception:
            log.exception("could not store answer %s", answer.answer_id)
            return answer
        return answer if answer_id == answer.answer_id else replace(answer, answer_id=answer_id)


def _noted(answer: Answer, note: str | None) -> Answer:
    return replace(answer, notices=(*answer.notices, note)) if note else answer


__all__ = [
    "AnswerService",
    "AnswerSink",
    "ConversationFactory",
    "ReviewedStore",
    "Served",
    "StreamingEngine",
    "make_conversation",
]
