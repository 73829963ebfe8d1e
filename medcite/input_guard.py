"""One validation for every way a question enters MedCite (CLI, HTTP API, web chat, engine).

    question = check_question(raw, settings.limits.max_question_chars)   # clean str, or MedCiteError

What is refused, each with a message that says what to do: nothing at all, text that is not valid
UTF-8 (bytes, lone surrogates from a terminal or a JSON escape), a question over the length limit,
and text without a single letter or digit (only punctuation, only emoji).  Everything else -- another
language, SQL-looking or HTML/script text, prompt-injection attempts -- is ordinary text: it is
escaped when shown and retrieved against like any question, so the engine answers or abstains.
"""

from __future__ import annotations

import unicodedata

from medcite.errors import MedCiteError

__all__ = ["InvalidQuestionError", "check_question", "clean_question"]

# Unicode categories removed before validation: controls (Cc, except whitespace), format characters
# (Cf: zero-width joiners, bidi overrides that can disguise text), unassigned/private-use code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn"})
_KEPT_CONTROLS = frozenset("\t\n\r")


class InvalidQuestionError(MedCiteError):
    """A question MedCite will not send to the answer engine; `str()` is safe to show."""


def _decode(raw: str | bytes | bytearray) -> str:
    if isinstance(raw, bytes | bytearray):
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_text() from exc
    if not isinstance(raw, str):
        raise InvalidQuestionError("The question must be text.", hint="Send a medical question as text.")
    return raw


def _not_text() -> InvalidQuestionError:
    return InvalidQuestionError(
        "The question contains data that is not readable text (invalid UTF-8 or binary bytes).",
        hint="Type or paste the question as plain text.",
    )


def clean_question(text: str) -> str:
    """Drop invisible control/format characters and collapse whitespace (pure; no validation)."""
    kept = (
        ch
        for ch in text
        if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    return " ".join("".join(kept).split())


def check_question(raw: str | bytes | bytearray | None, max_chars: int) -> str:
    """The cleaned question, or `InvalidQuestionError` with a friendly, actionable message.

    The length limit is checked on the raw text as received (before cleaning) so that a huge request
    is refused without further work, and again after cleaning for the number a user would count.
    """
    if raw is None:
        raise InvalidQuestionError("The question is empty.", hint="Type a medical question and press Ask.")
    text = _decode(raw)
    # Lone surrogates come from undecodable terminal bytes (surrogateescape) or JSON "\udc80" escapes.
    if any("\ud800" <= ch <= "\udfff" for ch in text[: max_chars * 4 + 1]):
        raise _not_text()
    if len(text) > max_chars * 4:  # far over the limit even with generous whitespace: refuse early
        raise _too_long(len(text), max_chars)
    question = clean_question(text)
    if not question:
        raise InvalidQuestionError("The question is empty.", hint="Type a medical question and press Ask.")
    if len(question) > max_chars:
        raise _too_long(len(question), max_chars)
    if not any(ch.isalnum() for ch in question):
        raise InvalidQuestionError(
            "The question has no words in it (only punctuation or symbols).",
            hint="Ask in words, e.g. 'What is the treatment for dermatomyositis?'",
        )
    return question


def _too_long(n: int, max_chars: int) -> InvalidQuestionError:
    return InvalidQuestionError(
        f"The question is too long ({n:,} characters; the limit is {max_chars:,}).",
        hint="Ask one short question at a time; follow-up questions keep the topic.",
    )
