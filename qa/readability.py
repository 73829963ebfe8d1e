"""The one readability measure: Flesch-Kincaid grade level, used by the patient composer (which
optimises it) and by the evals (which report it), so both see the same number.

grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59 (Kincaid et al. 1975).
- words: runs of letters, apostrophes and hyphens inside a word keep it one word ("don't", "long-term");
- sentences: runs of . ! ? followed by white space or the end (at least one per text);
- syllables: pyphen's en_US hyphenation points + 1 per word (textstat's own fallback).
textstat is not called: version 0.7.13 imports nltk (about 6 s) and downloads NLTK's cmudict on
first use, a network call MedCite must never make.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


@lru_cache(maxsize=1)
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def sentence_count(text: str) -> int:
    """Sentences in text (terminal punctuation runs), at least 1."""
    return max(1, len(_SENTENCE_END.findall(text.strip() + " ")))


def flesch_kincaid_grade(texts: str | Iterable[str]) -> float | None:
    """Flesch-Kincaid grade of a text (several texts are joined by spaces); None without words."""
    text = texts if isinstance(texts, str) else " ".join(texts)
    words = _WORD.findall(text)
    if not words:
        return None
    hyph = _hyphenator()
    syllables = sum(len(hyph.positions(w.lower())) + 1 for w in words)
    return 0.39 * len(words) / sentence_count(text) + 11.8 * syllables / len(words) - 15.59
