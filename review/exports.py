"""Exports of feedback and of the review audit trail, as JSON lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from medcite.errors import MedCiteError
from review.db import Repository

ExportFormat = Literal["jsonl", "csv"]


class ExportRepository(Repository):
    """Read-only joins over feedback, review events and answers."""

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
