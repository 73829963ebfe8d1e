"""The app store: answers and their review workflow, reviewers, feedback and conversations.

One SQLite file at `settings.app_db_path` (see `medcite.store_db` for connections and migrations).

Privacy (`settings.server.store_questions = False`, env `MEDCITE_SERVER__STORE_QUESTIONS=false`):
nothing the user typed is written.  Answers are still stored (so feedback and review work) but with
the question and rewritten query replaced by `REDACTED_QUESTION` and no normalised-question key, so
they are never served to other users; feedback keeps its rating but drops its comment; conversations are not
persisted (append is a no-op and load returns nothing).  Looking up approved answers still works.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher

from medcite import auth
from medcite.answer_codec import answer_from_dict, answer_to_dict
from medcite.errors import MedCiteError
from medcite.review import (
    APPROVED,
    SUBMITTED,
    ApprovedLookup,
    AuthError,
    ReviewError,
    approval_badge,
    check_audience,
    check_transition,
    normalise_question,
)
from medcite.settings import Settings
from medcite.store_db import Database, iso, utc_now
from medcite.types import Answer, Audience, ReviewStatus

REDACTED_QUESTION = "[question not stored]"
MAX_FEEDBACK_COMMENT_CHARS = 2000
MAX_TURN_CHARS = 100_000
ExportFormat = Literal["jsonl", "csv"]
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


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


@dataclass(frozen=True)
class ReviewEvent:
    event_id: int
    answer_id: str
    from_status: ReviewStatus | None
    to_status: ReviewStatus
    reviewer: str | None
    comment: str
    created_at: str


@dataclass(frozen=True)
class Turn:
    ordinal: int
    role: Literal["user", "assistant"]
    content: str
    answer_id: str | None
    created_at: str


class Store:
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

    def _ts(self) -> str:
        return iso(self._now())

    # --- answers --------------------------------------------------------------------------

    def save_answer(self, answer: Answer, *, shareable: bool | None = None) -> str:
        """Store `answer` as Submitted (idempotent on `answer.answer_id`); returns its id.

        `shareable` decides whether the answer may later be served to anyone asking the same
        question.  By default it is when the question stands alone (the engine did not rewrite it
        from conversation context); a follow-up like "and in children?" is not shareable."""
        check_audience(answer.audience)
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
        payload = json.dumps(answer_to_dict(replace(stored, review_status=SUBMITTED)), ensure_ascii=False)
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "INSERT OR IGNORE INTO answers (id, question, norm_question, audience, answer_json,"
                " corpus_hash, settings_hash, created_at, status, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.answer_id,
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
                    (answer.answer_id, SUBMITTED, ts),
                )

        self.db.write(insert)
        return answer.answer_id

    def get_record(self, answer_id: str) -> AnswerRecord:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_RECORD_COLS} FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise _no_answer(answer_id)
        return _record(row)

    def get_answer(self, answer_id: str) -> Answer:
        """The stored Answer with its current review status."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT answer_json, status FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            raise _no_answer(answer_id)
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

    def count(self, table: Literal["answers", "review_events", "feedback", "turns", "conversations"]) -> int:
        with self.db.read() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    # --- review workflow --------------------------------------------------------------------

    def set_status(
        self,
        answer_id: str,
        status: ReviewStatus,
        *,
        comment: str = "",
        reviewer: str | None = None,
        password: str | None = None,
        token: str | None = None,
    ) -> ReviewEvent:
        """Move an answer to `status` as a verified reviewer (password or session token).

        Raises `AuthError` for anonymous or wrong credentials and `ReviewError` for transitions the
        workflow does not allow.  The change and its audit event are one transaction."""
        name = self._authenticate(reviewer, password, token)
        ts = self._ts()

        def change(conn: sqlite3.Connection) -> ReviewEvent:
            row = conn.execute("SELECT status FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if row is None:
                raise _no_answer(answer_id)
            current: ReviewStatus = row["status"]
            clean = check_transition(current, status, comment)
            cur = conn.execute(
                "INSERT INTO review_events (answer_id, from_status, to_status, reviewer, comment, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (answer_id, current, status, name, clean, ts),
            )
            conn.execute(
                "UPDATE answers SET status = ?, updated_at = ? WHERE id = ?", (status, ts, answer_id)
            )
            return ReviewEvent(int(cur.lastrowid or 0), answer_id, current, status, name, clean, ts)

        return self.db.write(change)

    def history(self, answer_id: str) -> list[ReviewEvent]:
        """The answer's audit trail, oldest first (starts with its submission)."""
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {_EVENT_COLS} FROM review_events WHERE answer_id = ? ORDER BY id", (answer_id,)
            ).fetchall()
        return [_event(r) for r in rows]

    def find_approved(self, question: str, audience: Audience, corpus_hash: str) -> ApprovedLookup:
        """Look for an approved answer to the same normalised question and audience (see
        `ApprovedLookup`).  Rejected and pending answers are never returned."""
        norm = normalise_question(question)
        if not norm:
            return ApprovedLookup("none")
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT a.id, a.corpus_hash, a.answer_json, e.created_at AS approved_at, e.reviewer"
                " FROM answers a JOIN review_events e ON e.answer_id = a.id AND e.to_status = ?"
                " WHERE a.norm_question = ? AND a.audience = ? AND a.status = ?"
                " ORDER BY e.id DESC",
                (APPROVED, norm, audience, APPROVED),
            ).fetchall()
        if not rows:
            return ApprovedLookup("none")
        for row in rows:
            if row["corpus_hash"] == corpus_hash:
                badge = approval_badge(row["approved_at"], row["reviewer"])
                stored = answer_from_dict(json.loads(row["answer_json"]))
                served = replace(stored, review_status=APPROVED, notices=(badge, *stored.notices))
                return ApprovedLookup("approved", row["id"], served, row["approved_at"], row["reviewer"])
        latest = rows[0]
        return ApprovedLookup("stale", latest["id"], None, latest["approved_at"], latest["reviewer"])

    def serve(
        self, question: str, audience: Audience, corpus_hash: str, compute: Callable[[], Answer]
    ) -> Answer:
        """Serve an approved answer when one is valid, else compute, save (queue) and return a fresh
        one; a fresh answer replacing a stale approval carries the "earlier version" note.

        Only for questions that stand alone (not follow-ups rewritten from a conversation)."""
        lookup = self.find_approved(question, audience, corpus_hash)
        if lookup.kind == "approved" and lookup.answer is not None:
            return lookup.answer
        fresh = compute()
        self.save_answer(fresh)
        note = lookup.note
        return replace(fresh, notices=(*fresh.notices, note)) if note else fresh

    # --- reviewers and sessions -------------------------------------------------------------

    def add_reviewer(self, name: str, password: str) -> str:
        """Create a reviewer; the password is stored only as an argon2id hash."""
        clean = auth.check_reviewer_name(name)
        hashed = auth.hash_password(password, self.hasher)
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM reviewers WHERE name = ?", (clean,)).fetchone():
                raise AuthError(f"Reviewer {clean!r} already exists.")
            conn.execute(
                "INSERT INTO reviewers (name, password_hash, created_at) VALUES (?, ?, ?)",
                (clean, hashed, ts),
            )

        self.db.write(insert)
        return clean

    def list_reviewers(self) -> list[tuple[str, str]]:
        """(name, created_at) pairs; never the hashes."""
        with self.db.read() as conn:
            return [
                (r[0], r[1]) for r in conn.execute("SELECT name, created_at FROM reviewers ORDER BY name")
            ]

    def verify_reviewer(self, name: str | None, password: str | None) -> bool:
        if not name or not password:
            return False
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT name, password_hash FROM reviewers WHERE name = ?", (name.strip(),)
            ).fetchone()
        stored = row["password_hash"] if row else None
        ok = auth.verify_password(stored, password, self.hasher)
        if ok and row is not None and stored and auth.needs_rehash(stored, self.hasher):
            # Parameters were raised since this hash was made: upgrade it while we know the password.
            new_hash = self.hasher.hash(password)
            self.db.write(
                lambda c: c.execute(
                    "UPDATE reviewers SET password_hash = ? WHERE name = ?", (new_hash, row["name"])
                )
            )
        return ok

    def login(self, name: str, password: str) -> str:
        """Verify the reviewer and open a session; returns the raw token (stored only hashed)."""
        if not self.verify_reviewer(name, password):
            raise AuthError("Wrong reviewer name or password.")
        session = auth.new_session_token()
        now = self._now()
        created, expires = iso(now), iso(now + self.session_ttl)

        def insert(conn: sqlite3.Connection) -> None:
            canonical = _canonical_reviewer(conn, name)
            conn.execute("DELETE FROM reviewer_sessions WHERE expires_at <= ?", (created,))
            conn.execute(
                "INSERT INTO reviewer_sessions (token_hash, reviewer, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (session.token_hash, canonical, created, expires),
            )

        self.db.write(insert)
        return session.token

    def reviewer_for_token(self, token: str | None) -> str | None:
        """The signed-in reviewer's name, or None for a missing, unknown or expired token."""
        if not token:
            return None
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT reviewer FROM reviewer_sessions WHERE token_hash = ? AND expires_at > ?",
                (auth.token_hash(token), self._ts()),
            ).fetchone()
        return row["reviewer"] if row else None

    def logout(self, token: str | None) -> None:
        if token:
            self.db.write(
                lambda c: c.execute(
                    "DELETE FROM reviewer_sessions WHERE token_hash = ?", (auth.token_hash(token),)
                )
            )

    def _authenticate(self, reviewer: str | None, password: str | None, token: str | None) -> str:
        if token:
            name = self.reviewer_for_token(token)
            if name is None:
                raise AuthError("Your reviewer session has expired or is not valid.", hint="Sign in again.")
            if reviewer and reviewer.strip().casefold() != name.casefold():
                raise AuthError("The session belongs to another reviewer.", hint="Sign in as yourself.")
            return name
        if reviewer and password:
            if not self.verify_reviewer(reviewer, password):
                raise AuthError("Wrong reviewer name or password.")
            with self.db.read() as conn:
                return _canonical_reviewer(conn, reviewer)
        raise AuthError(
            "Only a signed-in reviewer can change a review status.",
            hint="Give --reviewer NAME and the password (or MEDCITE_REVIEW__REVIEWER_PASSWORD), "
            "or sign in to the Review tab.",
        )

    # --- feedback ---------------------------------------------------------------------------

    def add_feedback(self, answer_id: str, rating: int, comment: str = "") -> int:
        """Record a thumbs up (+1) or down (-1) with an optional comment; returns the feedback id."""
        if rating not in (1, -1):
            raise MedCiteError(f"Feedback rating must be +1 or -1, not {rating!r}.")
        clean = (comment or "").strip()[:MAX_FEEDBACK_COMMENT_CHARS] if self.store_questions else ""
        ts = self._ts()

        def insert(conn: sqlite3.Connection) -> int:
            if not conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone():
                raise _no_answer(answer_id)
            cur = conn.execute(
                "INSERT INTO feedback (answer_id, rating, comment, created_at) VALUES (?, ?, ?, ?)",
                (answer_id, rating, clean, ts),
            )
            return int(cur.lastrowid or 0)

        return self.db.write(insert)

    # --- exports ----------------------------------------------------------------------------

    def export_feedback(self, fmt: ExportFormat = "jsonl") -> str:
        """All feedback, oldest first, with the answer's question and audience."""
        sql = (
            "SELECT f.id AS feedback_id, f.answer_id, a.question, a.audience, f.rating, f.comment,"
            " f.created_at FROM feedback f JOIN answers a ON a.id = f.answer_id ORDER BY f.id"
        )
        return self._export(sql, fmt)

    def export_reviews(self, fmt: ExportFormat = "jsonl") -> str:
        """The full review audit trail (one row per event), oldest first, with each answer's
        question, audience, current status and corpus hash."""
        sql = (
            "SELECT e.id AS event_id, e.answer_id, a.question, a.audience, e.from_status, e.to_status,"
            " e.reviewer, e.comment, e.created_at, a.status AS current_status, a.corpus_hash"
            " FROM review_events e JOIN answers a ON a.id = e.answer_id ORDER BY e.id"
        )
        return self._export(sql, fmt)

    def _export(self, sql: str, fmt: str) -> str:
        if fmt not in ("jsonl", "csv"):
            raise MedCiteError(f"Unknown export format {fmt!r}.", hint="Use jsonl or csv.")
        with self.db.read() as conn:
            cur = conn.execute(sql)
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur]
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()

    # --- conversations ----------------------------------------------------------------------

    def append_turn(
        self,
        conversation_id: str,
        role: Literal["user", "assistant"],
        content: str,
        answer_id: str | None = None,
    ) -> int | None:
        """Append a turn (creating the conversation on first use); returns its ordinal, or None when
        questions are not stored."""
        _check_conversation_id(conversation_id)
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
        _check_conversation_id(conversation_id)
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT ordinal, role, content, answer_id, created_at FROM turns WHERE conversation_id = ?"
                " ORDER BY ordinal",
                (conversation_id,),
            ).fetchall()
        return [Turn(r["ordinal"], r["role"], r["content"], r["answer_id"], r["created_at"]) for r in rows]

    def delete_conversation(self, conversation_id: str) -> bool:
        """Delete a conversation and its turns; True when something was deleted."""
        _check_conversation_id(conversation_id)

        def delete(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            return conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount > 0

        return self.db.write(delete)


_RECORD_COLS = "id, question, audience, status, corpus_hash, settings_hash, created_at, updated_at"
_EVENT_COLS = "id, answer_id, from_status, to_status, reviewer, comment, created_at"


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


def _event(r: sqlite3.Row) -> ReviewEvent:
    return ReviewEvent(
        r["id"],
        r["answer_id"],
        r["from_status"],
        r["to_status"],
        r["reviewer"],
        r["comment"],
        r["created_at"],
    )


def _canonical_reviewer(conn: sqlite3.Connection, name: str) -> str:
    """The reviewer's name as registered (names match case-insensitively)."""
    row = conn.execute("SELECT name FROM reviewers WHERE name = ?", (name.strip(),)).fetchone()
    if row is None:
        raise AuthError("Wrong reviewer name or password.")
    return str(row[0])


def _no_answer(answer_id: str) -> ReviewError:
    return ReviewError(
        f"No stored answer with id {answer_id!r}.", hint="List answers with `medcite review list`."
    )


def _check_conversation_id(conversation_id: str) -> None:
    if not _CONVERSATION_ID.match(conversation_id or ""):
        raise MedCiteError("Invalid conversation id.", hint="Use 8-128 letters, digits, '-' or '_'.")


def open_store(settings: Settings, **kwargs: Any) -> Store:
    """The app store for these settings (migrated on open)."""
    return Store.from_settings(settings, **kwargs)
