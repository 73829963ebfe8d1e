"""The app store: answers and their review workflow, reviewers, feedback and conversations.

One SQLite file at `settings.app_db_path` (`review.db` for connections and the schema); each table
has its repository module (`review.answers`, `review.reviews`, `review.reviewers`, `review.feedback`,
`review.exports`, `review.conversations`) and `Store` is all of them over one database.

Privacy (`settings.server.store_questions = False`, env `MEDCITE_SERVER__STORE_QUESTIONS=false`):
nothing the user typed is written.  Answers are still stored (so feedback and review work) but with
the question and rewritten query replaced by `REDACTED_QUESTION` and no normalised-question key, so
they are never served to other users; feedback keeps its rating but drops its comment; conversations
are not persisted (append is a no-op and load returns nothing).  Looking up approved answers still works.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from medcite.settings import Settings
from review import auth
from review.answers import REDACTED_QUESTION, AnswerRecord, AnswerRepository
from review.conversations import MAX_TURN_CHARS, ConversationRepository, Turn
from review.db import Database, utc_now
from review.exports import ExportFormat, ExportRepository
from review.feedback import MAX_FEEDBACK_COMMENT_CHARS, FeedbackRepository
from review.reviews import ReviewEvent, ReviewRepository


class Store(AnswerRepository, ReviewRepository, FeedbackRepository, ExportRepository, ConversationRepository):
    """All persistent app state.  Thread- and process-safe: every method is its own transaction."""

    def __init__(
        self,
        path: Path,
        *,
        store_questions: bool = True,
        hasher: PasswordHasher = auth.DEFAULT_HASHER,
        session_ttl: timedelta = timedelta(seconds=auth.SESSION_TTL_SECONDS),
        now: Callable[[], datetime] = utc_now,
        busy_timeout_ms: int = 10_000,
    ) -> None:
        self.db = Database(path, busy_timeout_ms=busy_timeout_ms)
        self.store_questions = store_questions
        self.hasher = hasher
        self.session_ttl = session_ttl
        self._now = now
        self.db.migrate()

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Store:
        return cls(settings.app_db_path, store_questions=settings.server.store_questions, **kwargs)

    @property
    def path(self) -> Path:
        return self.db.path


def open_store(settings: Settings, **kwargs: Any) -> Store:
    """The app store for these settings (migrated on open)."""
    return Store.from_settings(settings, **kwargs)


__all__ = [
    "MAX_FEEDBACK_COMMENT_CHARS",
    "MAX_TURN_CHARS",
    "REDACTED_QUESTION",
    "AnswerRecord",
    "ExportFormat",
    "ReviewEvent",
    "Store",
    "Turn",
    "open_store",
]
