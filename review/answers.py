"""Stored answers: save (as Submitted), read back, list and count.

An answer's id is its content (`medcite.types.answer_content_id`: the payload plus the corpus and
settings hashes), so the store derives it itself on save: a changed answer is a new row, while saving
the same answer again adds nothing.  Privacy (`store_questions=False`): the question and rewritten
query are replaced by `REDACTED_QUESTION` and no normalised-question key is kept, so the answer is
never served to anyone else.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from typing import Any, Literal

from medcite.types import Answer, ReviewStatus, answer_content_id
from review.codec import answer_from_dict, answer_to_dict
from review.db import Repository
from review.rules import SUBMITTED, ReviewError, check_audience, normalise_question

REDACTED_QUESTION = "[question not stored]"
Table = Literal["answers", "review_events", "feedback", "turns", "conversations"]


@dataclass(frozen=True)
class AnswerRecord:
    """One stored answer's row, without its decoded content."""

    answer_id: str
    question: str
    audience: str
    status: ReviewStatus
    corpus_hash: str
    settings_hash: str
    created_at: str
    updated_at: str


class AnswerRepository(Repository):
    """The `answers` table (and the submission event that opens each answer's audit trail)."""

    def save_answer(self, answer: Answer, *, shareable: bool | None = None) -> str:
        """Store `answer` as Submitted under its content id and return that id (saving the same
        answer twice stores it once; a changed answer gets a new id and row).

        `shareable` decides whether the answer may later be served to anyone asking the same
        question.  By default it is when the question stands alone (the engine did not rewrite it
        from conversation context); a follow-up like "and in children?" is not shareable."""
        check_audience(answer.audience)
        # Derived here, not trusted from the caller: an id that hashed only the inputs once kept a
        # changed answer out of the store (INSERT OR IGNORE found the old row).
        answer_id = answer_content_id(answer)
        if shareable is None:
            rewritten = answer.rewritten_query or answer.question
            shareable = normalise_question(rewritten) == normalise_question(answer.question)
        if self.store_questions:
            question = answer.question
            norm = normalise_question(question) if shareable else None
            stored = answer
        else:
            question, norm = REDACTED_QUESTION, None
            stored = replace(
                answer, question=REDACTED_QUESTION, rewritten_query=REDACTED_QUESTION, query_rewrite=None
            )
        stored = replace(stored, answer_id=answer_id, review_status=SUBMITTED)
        payload = json.dumps(answer_to_dict(stored), ensure_ascii=False)
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "INSERT OR IGNORE INTO answers (id, question, norm_question, audience, answer_json,"
                " corpus_hash, settings_hash, created_at, status, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id,
                    question,
                    norm or None,
                    answer.audience,
                    payload,
                    answer.corpus_hash,
                    answer.settings_hash,
                    ts,
                    SUBMITTED,
                    ts,
                ),
            )
            if cur.rowcount:  # the audit trail starts with the submission itself
                conn.execute(
                    "INSERT INTO review_events (answer_id, from_status, to_status, reviewer, comment,"
                    " created_at) VALUES (?, NULL, ?, NULL, '', ?)",
                    (answer_id, SUBMITTED, ts),
                )

        self.db.write(insert)
        return answer_id

    def get_record(self, answer_id: str) -> AnswerRecord:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_RECORD_COLS} FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise no_answer(answer_id)
        return _record(row)

    def get_answer(self, answer_id: str) -> Answer:
        """The stored Answer with its current review status."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT answer_json, status FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            raise no_answer(answer_id)
        return replace(answer_from_dict(json.loads(row["answer_json"])), review_status=row["status"])

    def list_answers(
        self, status: ReviewStatus | None = None, *, limit: int = 200, offset: int = 0
    ) -> list[AnswerRecord]:
        """Newest first; filtered by current status when given."""
        sql = f"SELECT {_RECORD_COLS} FROM answers"
        args: list[Any] = []
        if status:
            sql += " WHERE status = ?"
            args.append(status)
        sql += " ORDER BY created_at DESC, id LIMIT ? OFFSET ?"
        args += [int(limit), int(offset)]
        with self.db.read() as conn:
            return [_record(r) for r in conn.execute(sql, args)]

    def count(self, table: Table) -> int:
        with self.db.read() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


_RECORD_COLS = "id, question, audience, status, corpus_hash, settings_hash, created_at, updated_at"


def _record(r: sqlite3.Row) -> AnswerRecord:
    return AnswerRecord(
        r["id"],
        r["question"],
        r["audience"],
        r["status"],
        r["corpus_hash"],
        r["settings_hash"],
        r["created_at"],
        r["updated_at"] or r["created_at"],
    )


def no_answer(answer_id: str) -> ReviewError:
    return ReviewError(
        f"No stored answer with id {answer_id!r}.", hint="List answers with `medcite review list`."
    )
