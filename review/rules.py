"""Medical review rules: statuses, legal transitions, question normalisation, approval badges.

Pure logic only; `review.store.Store` applies these rules inside its transactions.

Workflow (issue 7): every new answer is Submitted; a reviewer starts a review (Submitted -> Under
Review), then approves or rejects it, or sends it back (Under Review -> Submitted).  Approved and
Rejected are final for that stored answer: a changed answer is a new answer with its own history.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

from medcite.errors import MedCiteError
from medcite.types import Answer, Audience, ReviewStatus

STATUSES: tuple[ReviewStatus, ...] = get_args(ReviewStatus)
SUBMITTED: ReviewStatus = "Submitted"
UNDER_REVIEW: ReviewStatus = "Under Review"
APPROVED: ReviewStatus = "Approved"
REJECTED: ReviewStatus = "Rejected"

# (from, to) -> whether a comment is required.  Rejecting and sending back must say why, so the
# next reviewer (or the engine's maintainer) can act on it; approving may carry a comment.
TRANSITIONS: dict[tuple[ReviewStatus, ReviewStatus], bool] = {
    (SUBMITTED, UNDER_REVIEW): False,
    (UNDER_REVIEW, APPROVED): False,
    (UNDER_REVIEW, REJECTED): True,
    (UNDER_REVIEW, SUBMITTED): True,  # "send back"
}

MAX_COMMENT_CHARS = 4000


class ReviewError(MedCiteError):
    """A review action that the workflow does not allow (illegal transition, missing comment...)."""


class AuthError(MedCiteError):
    """Missing or wrong reviewer credentials."""


def parse_status(text: str) -> ReviewStatus:
    """Accept a status name case-insensitively, with '_', '-' or space ('under_review' works)."""
    key = re.sub(r"[\s_-]+", " ", text.strip()).lower()
    for status in STATUSES:
        if status.lower() == key:
            return status
    raise ReviewError(f"Unknown review status {text!r}.", hint=f"Use one of: {', '.join(STATUSES)}.")


def allowed_next(current: ReviewStatus) -> tuple[ReviewStatus, ...]:
    """Statuses a reviewer may move an answer to from `current`."""
    return tuple(to for (frm, to) in TRANSITIONS if frm == current)


def check_transition(current: ReviewStatus, target: ReviewStatus, comment: str) -> str:
    """Validate a status change; returns the cleaned comment or raises `ReviewError`."""
    clean = (comment or "").strip()
    if (current, target) not in TRANSITIONS:
        nxt = allowed_next(current)
        options = f"From {current} it can move to: {', '.join(nxt)}." if nxt else f"{current} is final."
        raise ReviewError(f"Cannot change an answer from {current} to {target}.", hint=options)
    if TRANSITIONS[(current, target)] and not clean:
        verb = "Rejecting" if target == REJECTED else "Sending an answer back"
        raise ReviewError(f"{verb} needs a comment.", hint="Add --comment with the reason.")
    if len(clean) > MAX_COMMENT_CHARS:
        raise ReviewError(f"Comment is too long ({len(clean)} characters; limit {MAX_COMMENT_CHARS}).")
    return clean


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_question(question: str) -> str:
    """Key under which reviewed answers are shared: NFKC, lowercase, punctuation and whitespace
    collapsed to single spaces ("What is the treatment for dermatomyositis?" == "what is the
    treatment for  Dermatomyositis")."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return _NON_WORD.sub(" ", text).strip()


def approval_badge(approved_at: str, reviewer: str) -> str:
    """Badge text shown on a served approved answer; the date is the ISO day of approval."""
    return f"Approved by medical review — {approved_at[:10]}, {reviewer}"


def earlier_approval_note(approved_at: str, reviewer: str) -> str:
    return (
        f"An earlier version of this answer was approved by medical review ({approved_at[:10]}, "
        f"{reviewer}); the sources have changed since, so this is a fresh answer pending review."
    )


LookupKind = Literal["approved", "stale", "none"]


@dataclass(frozen=True)
class ApprovedLookup:
    """Result of `Store.find_approved`.

    - kind "approved": `answer` is the stored Answer (review_status "Approved", badge first in
      `notices`); serve it as is.
    - kind "stale": an answer was approved for this question and audience but under another corpus
      hash; serve a fresh answer, show `note`, and save the fresh one (it is queued as Submitted).
    - kind "none": nothing approved; serve and save a fresh answer.
    """

    kind: LookupKind
    answer_id: str | None = None
    answer: Answer | None = None
    approved_at: str | None = None
    reviewer: str | None = None

    @property
    def badge(self) -> str | None:
        if self.kind == "approved" and self.approved_at and self.reviewer:
            return approval_badge(self.approved_at, self.reviewer)
        return None

    @property
    def note(self) -> str | None:
        if self.kind == "stale" and self.approved_at and self.reviewer:
            return earlier_approval_note(self.approved_at, self.reviewer)
        return None


AUDIENCES: tuple[Audience, ...] = get_args(Audience)


def check_audience(audience: str) -> Audience:
    if audience not in AUDIENCES:
        raise ReviewError(f"Unknown audience {audience!r}.", hint=f"Use one of: {', '.join(AUDIENCES)}.")
    return audience  # type: ignore[return-value]
