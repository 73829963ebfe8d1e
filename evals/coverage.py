"""Must-have statement coverage (MedLFQA, Jeong et al. 2024): the fraction of must-have statements
matched by some sentence of the answer.

Matcher: a statement is matched by a sentence when the *content-word recall* of the statement in the
sentence reaches `MATCH_THRESHOLD`: the share of the statement's content words (lower-cased,
stop words removed, Porter-stemmed) that also occur in the sentence.  Recall, not F1, because a
must-have statement is usually one claim while an answer sentence may carry several; a sentence
that states the claim plus more should still count.  The threshold was checked by hand on the
pairs in tests/fixtures/musthave_handcheck.jsonl (agreement recorded in docs/EVALS.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

MATCH_THRESHOLD = 0.5

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")

# A short general-English list; medical words (dose, drug, take) are content on purpose.
_STOP_WORDS = (
    "a an the and or but if then than so of in on at to for from by with without into onto over under "
    "about as is are was were be been being am do does did done doing have has had having it its this "
    "that these those there here such can could may might must shall should will would not no nor only "
    "also very more most less least some any each every all both either neither other another same own i "
    "me my we our you your he him his she her they them their what which who whom whose when where why "
    "how up down out off again further once just too s t e g eg ie etc "
)
_STOP = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """Stemmed content words of a text."""
    stem = _stemmer().stem
    return frozenset(stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP)


def match_score(statement: str, sentence: str) -> float:
    """Content-word recall of `statement` in `sentence`, 0..1 (0 when the statement has no content)."""
    want = content_words(statement)
    if not want:
        return 0.0
    return len(want & content_words(sentence)) / len(want)


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (pysbd survives "mg/kg/day", "e.g.", "vs."); line breaks also split."""
    out: list[str] = []
    for line in text.splitlines():
        if line.strip():
            out.extend(s.strip() for s in _segmenter().segment(line) if s.strip())
    return out


@dataclass(frozen=True)
class Coverage:
    """Coverage of one answer: the fraction matched and, per statement, its best sentence and score."""

    coverage: float | None
    matched: tuple[bool, ...]
    best_scores: tuple[float, ...]
    best_sentences: tuple[str, ...]


def statement_coverage(
    statements: Sequence[str], answer: str, threshold: float = MATCH_THRESHOLD
) -> Coverage:
    """Fraction of `statements` matched by some sentence of `answer`; coverage None without statements."""
    if not statements:
        return Coverage(None, (), (), ())
    sentences = split_sentences(answer)
    best_scores: list[float] = []
    best_sentences: list[str] = []
    for st in statements:
        scored = [(match_score(st, s), s) for s in sentences]
        score, sent = max(scored, default=(0.0, ""))
        best_scores.append(score)
        best_sentences.append(sent)
    matched = tuple(s >= threshold for s in best_scores)
    return Coverage(sum(matched) / len(matched), matched, tuple(best_scores), tuple(best_sentences))
