"""The seam between the web chat and the app store (issue 7: `review.store.Store`).

`build_app(..., store=...)` accepts any object with the two methods below — `review.store.Store`
has exactly these — and by default keeps answers and feedback in memory for the life of the process.
The chat saves every final answer (so feedback can refer to it by id) and records thumbs as +1/-1.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from medcite.errors import MedCiteError
from medcite.types import Answer


@dataclass(frozen=True)
class Feedback:
    """A reader's verdict on one answer."""

    answer_id: str
    rating: int  # +1 thumbs up, -1 thumbs down (the store's convention)
    comment: str = ""
    created: str = ""  # ISO 8601 UTC


@runtime_checkable
class FeedbackSink(Protocol):
    """Where answers and their feedback go."""

    def save_answer(self, answer: Answer) -> str:
        """Store an answer (idempotent on its id); returns the id."""
        ...

    def add_feedback(self, answer_id: str, rating: int, comment: str = "") -> int:
        """Store a +1/-1 rating with an optional comment for a saved answer; returns a feedback id."""
        ...


class InMemoryFeedbackSink:
    """Default sink: thread-safe, lost when the server stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, Answer] = {}
        self._feedback: list[Feedback] = []

    def save_answer(self, answer: Answer) -> str:
        with self._lock:
            self._answers[answer.answer_id] = answer
        return answer.answer_id

    def add_feedback(self, answer_id: str, rating: int, comment: str = "") -> int:
        if rating not in (1, -1):
            raise MedCiteError(f"Feedback rating must be +1 or -1, not {rating!r}.")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            if answer_id not in self._answers:
                raise MedCiteError(f"No answer with id {answer_id!r}.", hint="Ask the question again.")
            self._feedback.append(Feedback(answer_id, rating, comment.strip(), created))
            return len(self._feedback)

    @property
    def answers(self) -> dict[str, Answer]:
        with self._lock:
            return dict(self._answers)

    @property
    def feedback(self) -> list[Feedback]:
        with self._lock:
            return list(self._feedback)
