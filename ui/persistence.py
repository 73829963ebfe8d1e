"""Conversations that survive a server restart (issue 7 item 8), for the web chat.  (Serving answers
approved by medical review, item 4, is `review.service.AnswerService`, shared with the CLI.)

Each browser keeps a random conversation id in its localStorage (`gr.BrowserState` under
`CONVERSATION_STORAGE_KEY`); the turns (question + answer id) live in the app store
(`review.store.Store`), so a reload after a restart re-renders the stored answers. The id is the only
key to a conversation, so it is long and random (`secrets.token_urlsafe`).

Everything here works against small protocols that `review.store.Store` satisfies; the in-memory
feedback sink used by tests does not, and then nothing is persisted. Store failures are
logged and never replace an answer on screen.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from medcite.types import Answer
from review.rules import APPROVED
from ui.render_html import Approval, Turn

log = logging.getLogger(__name__)

CONVERSATION_STORAGE_KEY = "medcite-conversation"
SECRET_FILE_NAME = "browser-state.key"
MISSING_ANSWER = "This answer is no longer stored. Ask the question again."
# Same rule as `review.conversations.CONVERSATION_ID`: anything else from the browser is ignored.
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


@runtime_checkable
class ConversationStore(Protocol):
    """What persistent conversations need (`review.store.Store` has all of it)."""

    def append_turn(
        self, conversation_id: str, role: Any, content: str, answer_id: str | None = None
    ) -> int | None: ...

    def load_conversation(self, conversation_id: str) -> list[Any]: ...

    def delete_conversation(self, conversation_id: str) -> bool: ...

    def get_answer(self, answer_id: str) -> Answer: ...

    def get_record(self, answer_id: str) -> Any: ...

    def history(self, answer_id: str) -> list[Any]: ...


def new_conversation_id() -> str:
    """A fresh, unguessable conversation id (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def valid_conversation_id(value: object) -> str | None:
    """`value` when it is a well-formed conversation id, else None (the browser's value is untrusted)."""
    return value if isinstance(value, str) and _CONVERSATION_ID.match(value) else None


def browser_state_secret(home: Path) -> str:
    """The key gr.BrowserState encrypts the conversation id with, kept in the home folder.

    It must outlive the process: Gradio's default is a new random key per start, which would make every
    browser's stored id unreadable after a restart. (Gradio sends this key to the page, so it only
    obfuscates localStorage; the id's randomness is what protects a conversation.)"""
    path = home / SECRET_FILE_NAME
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    try:  # O_EXCL: when two servers start at once, the second reads the first one's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip() or key
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def approval_from_history(events: Sequence[Any]) -> Approval | None:
    """The latest approval in an answer's review history (events with `to_status`, `created_at`,
    `reviewer`), or None."""
    for event in reversed(events):
        if event.to_status == APPROVED and event.reviewer:
            return Approval(event.created_at, event.reviewer)
    return None


class ConversationKeeper:
    """Saves the visible conversation's answered turns to the store and brings them back."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    def restore(self, conversation_id: str | None) -> list[Turn]:
        """The stored conversation as chat turns (oldest first); empty when unknown or on failure."""
        cid = valid_conversation_id(conversation_id)
        if cid is None:
            return []
        try:
            return [self._turn(q, aid) for q, aid in self._stored_pairs(cid)]
        except Exception:
            log.exception("could not restore conversation")
            return []

    def save(self, conversation_id: str | None, turns: Sequence[Turn]) -> None:
        """Make the stored conversation match the answered `turns`: append what is new, or rewrite it
        when an earlier turn changed (the audience switch re-answers the last question)."""
        cid = valid_conversation_id(conversation_id)
        if cid is None:
            return
        wanted = [(t.question, t.answer.answer_id, t.answer) for t in turns if t.answer is not None]
        try:
            stored = self._stored_pairs(cid)
            if stored != [(q, aid) for q, aid, _ in wanted[: len(stored)]]:
                self.store.delete_conversation(cid)
                stored = []
            for question, answer_id, answer in wanted[len(stored) :]:
                self.store.append_turn(cid, "user", question)
                self.store.append_turn(cid, "assistant", answer.rewritten_query, answer_id)
        except Exception:
            log.exception("could not save conversation")

    def clear(self, conversation_id: str | None) -> bool:
        """Delete the stored conversation; True when there was one."""
        cid = valid_conversation_id(conversation_id)
        if cid is None:
            return False
        try:
            return self.store.delete_conversation(cid)
        except Exception:
            log.exception("could not delete conversation")
            return False

    def _stored_pairs(self, cid: str) -> list[tuple[str, str]]:
        """(question, answer id) for each user turn followed by its answered assistant turn."""
        pairs: list[tuple[str, str]] = []
        question: str | None = None
        for turn in self.store.load_conversation(cid):
            if turn.role == "user":
                question = turn.content
            elif question is not None and turn.answer_id:
                pairs.append((question, turn.answer_id))
                question = None
        return pairs

    def _turn(self, question: str, answer_id: str) -> Turn:
        try:
            answer = self.store.get_answer(answer_id)
            created = str(self.store.get_record(answer_id).created_at)[:10]
            approved = answer.review_status == APPROVED
            approval = approval_from_history(self.store.history(answer_id)) if approved else None
        except Exception:
            log.warning("stored answer %s of a conversation is missing", answer_id)
            return Turn(question=question, error=MISSING_ANSWER)
        updated = approval.approved_at[:10] if approval is not None else created
        return Turn(question=question, answer=answer, updated=updated, approval=approval)


def keeper_for(store: object) -> ConversationKeeper | None:
    """A keeper when `store` can persist conversations, else None (the in-memory default)."""
    return ConversationKeeper(store) if isinstance(store, ConversationStore) else None


__all__ = [
    "CONVERSATION_STORAGE_KEY",
    "ConversationKeeper",
    "ConversationStore",
    "approval_from_history",
    "browser_state_secret",
    "keeper_for",
    "new_conversation_id",
    "valid_conversation_id",
]
