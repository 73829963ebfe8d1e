"""Conversations of the web chat, kept across restarts: ordered user and assistant turns.

Without stored questions (privacy) nothing is persisted: append is a no-op and load returns nothing.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Literal

from medcite.errors import MedCiteError
from review.db import Repository

MAX_TURN_CHARS = 100_000
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


@dataclass(frozen=True)
class Turn:
    ordinal: int
    role: Literal["user", "assistant"]
    content: str
    answer_id: str | None
    created_at: str


class ConversationRepository(Repository):
    """The `conversations` and `turns` tables."""

    def append_turn(
        self,
        conversation_id: str,
        role: Literal["user", "assistant"],
        content: str,
        answer_id: str | None = None,
    ) -> int | None:
        """Append a turn (creating the conversation on first use); returns its ordinal, or None when
        questions are not stored."""
        check_conversation_id(conversation_id)
        if role not in ("user", "assistant"):
            raise MedCiteError(f"Unknown conversation role {role!r}.")
        if not self.store_questions:
            return None
        text = content[:MAX_TURN_CHARS]
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO conversations (id, created_at, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at",
                (conversation_id, ts, ts),
            )
            ordinal = int(
                conn.execute(
                    "SELECT COALESCE(MAX(ordinal), -1) + 1 FROM turns WHERE conversation_id = ?",
                    (conversation_id,),
                ).fetchone()[0]
            )
            conn.execute(
                "INSERT INTO turns (conversation_id, ordinal, role, content, answer_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, ordinal, role, text, answer_id, ts),
            )
            return ordinal

        return self.db.write(insert)

    def load_conversation(self, conversation_id: str) -> list[Turn]:
        """Turns in order; empty for an unknown (or deleted) conversation."""
        check_conversation_id(conversation_id)
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT ordinal, role, content, answer_id, created_at FROM turns WHERE conversation_id = ?"
                " ORDER BY ordinal",
                (conversation_id,),
            ).fetchall()
        return [Turn(r["ordinal"], r["role"], r["content"], r["answer_id"], r["created_at"]) for r in rows]

    def delete_conversation(self, conversation_id: str) -> bool:
        """Delete a conversation and its turns; True when something was deleted."""
        check_conversation_id(conversation_id)

        def delete(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            return conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount > 0

        return self.db.write(delete)


def check_conversation_id(conversation_id: str) -> None:
    if not CONVERSATION_ID.match(conversation_id or ""):
        raise MedCiteError("Invalid conversation id.", hint="Use 8-128 letters, digits, '-' or '_'.")
