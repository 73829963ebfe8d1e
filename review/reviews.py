"""The review workflow on stored answers: status changes by verified reviewers, the append-only audit
trail, and the approved-answer lookup (`review.rules` holds the pure rules)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace

from medcite.types import Audience, ReviewStatus
from review.answers import no_answer
from review.codec import answer_from_dict
from review.reviewers import ReviewerRepository
from review.rules import APPROVED, ApprovedLookup, approval_badge, check_transition, normalise_question


@dataclass(frozen=True)
class ReviewEvent:
    event_id: int
    answer_id: str
    from_status: ReviewStatus | None
    to_status: ReviewStatus
    reviewer: str | None
    comment: str
    created_at: str


class ReviewRepository(ReviewerRepository):
    """The `review_events` table and the cached status on `answers` (a change needs a reviewer)."""

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
                raise no_answer(answer_id)
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
                # The row id is the one reviewers approved (answers stored before ids covered the
                # content carry another id in their payload).
                served = replace(
                    stored, answer_id=row["id"], review_status=APPROVED, notices=(badge, *stored.notices)
                )
                return ApprovedLookup("approved", row["id"], served, row["approved_at"], row["reviewer"])
        latest = rows[0]
        return ApprovedLookup("stale", latest["id"], None, latest["approved_at"], latest["reviewer"])


_EVENT_COLS = "id, answer_id, from_status, to_status, reviewer, comment, created_at"


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
