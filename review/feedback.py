"""Readers' feedback on stored answers: a thumbs up (+1) or down (-1) with an optional comment."""

from __future__ import annotations

import sqlite3

from medcite.errors import MedCiteError
from review.answers import no_answer
from review.db import Repository

MAX_FEEDBACK_COMMENT_CHARS = 2000


class FeedbackRepository(Repository):
    """The `feedback` table.  Without stored questions a comment (free text) is dropped."""

    def add_feedback(self, answer_id: str, rating: int, comment: str = "") -> int:
        """Record a thumbs up (+1) or down (-1) with an optional comment; returns the feedback id."""
        if rating not in (1, -1):
            raise MedCiteError(f"Feedback rating must be +1 or -1, not {rating!r}.")
        clean = (comment or "").strip()[:MAX_FEEDBACK_COMMENT_CHARS] if self.store_questions else ""
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> int:
            if not conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone():
                raise no_answer(answer_id)
            cur = conn.execute(
                "INSERT INTO feedback (answer_id, rating, comment, created_at) VALUES (?, ?, ?, ?)",
                (answer_id, rating, clean, ts),
            )
            return int(cur.lastrowid or 0)

        return self.db.write(insert)
