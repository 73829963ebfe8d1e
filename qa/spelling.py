"""Spelling correction against the corpus's own vocabulary (issue 16), with symspellpy.

"Do fissures and hemmroids heal on their own?" finds nothing about hemorrhoids because BM25 has no
term "hemmroid". The dictionary is what the index knows: its terms with their document frequency
(a `Vocabulary`, from the keyword index) plus the lexicon's and the label tier's drug and condition
names as written. Only a word the corpus does not know is looked up, so a corpus word is never
"corrected"; short words, numbers and all-caps abbreviations are left alone.

A real English word the corpus happens to lack ("fissures" in a small corpus) is not a misspelling
either: words of symspellpy's English frequency dictionary (82,765 words) are never corrected, so a
question is only ever changed where it had a word nobody writes.

A suggestion keeps the typed word's first letter and is never a stem cut from the typed word
(`plausible`): an unknown brand is left as typed rather than made into a neighbour ("toradol" ->
"tornado"), so the question is answered about what was asked or abstains.

Two details make consumer misspellings reachable within edit distance 2:
- doubled letters are the commonest slip ("hemmroids", "diarhea"), so the dictionary is keyed by
  words with runs of a letter collapsed ("hemorrhoids" -> "hemorhoids", 2 edits from "hemroids");
- the index stores stems ("hemorrhoid"), so the typed word's stem is looked up too, and a stem
  found is shown with the typed word's ending when that gives the same stem ("hemorrhoids").

A correction is a word people write (`Speller._as_written`): a short index stem that is no word
("presacr", the stem of "presacral", for the brand "pressair") is no correction, and a far shorter
word reached only through the typed word's stem ("quillivant" -> "quilt") is not either.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from medcite.types import Correction
from qa.textutil import STOPWORDS

# symspellpy's default: the dictionary keeps deletes of a word's first 7 letters only.
PREFIX_LENGTH = 7
# The largest correction accepted; words of SHORT_WORD letters or fewer get 1: at two edits a brand of
# six to eight letters the corpus lacks has some other word in reach ("toradol" -> "tornado", "chantix"
# -> "chaotic", "tasmar" -> "talar" on the dev suites), while a misspelt longer name keeps enough of
# itself ("amxacillin" -> "amoxicillin").
MAX_EDIT_DISTANCE = 2
SHORT_WORD = 8
# Words shorter than this are never corrected ("flu", "ibs", "dose"; a four-letter word has a dozen
# neighbours one edit away: "derm" -> "dermi", "breo" -> "brem", "inet" -> "inert").
MIN_WORD = 5
# Index terms rarer than this are not suggestions: a term in one or two passages is as likely a
# typo in the corpus as a word. (Known-ness is checked against every term, whatever its frequency.)
MIN_DOCUMENT_FREQUENCY = 3

# Endings that leave a word what it was: a correction may show the index term without them.
_INFLECTIONS = frozenset({"", "s", "es", "e", "'s", "ed", "d"})
# Letters of any alphabet: "Sjögren's" is one word, not "Sj" and "gren's" (then corrected to "green").
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['-])*[^\W\d_]|[^\W\d_]")
_RUNS = re.compile(r"(.)\1+")


def collapse(word: str) -> str:
    """The word with runs of one letter collapsed: 'hemorrhoids' -> 'hemorhoids'."""
    return _RUNS.sub(r"\1", word)


class Vocabulary(Protocol):
    """What the speller needs of an index: its terms with document frequencies and how a word is
    looked up (the keyword index's analyser; '' for a stopword). The index's `CorpusStats` is one."""

    def frequencies(self) -> Mapping[str, int]: ...

    def term_of(self, word: str) -> str: ...


@dataclass(frozen=True)
class TermVocabulary:
    """A `Vocabulary` from a term -> document frequency mapping and an analyser."""

    terms: Mapping[str, int]
    analyser: Callable[[str], str] = str.lower

    def frequencies(self) -> Mapping[str, int]:
        return self.terms

    def term_of(self, word: str) -> str:
        return self.analyser(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str], analyser: Callable[[str], str] = str.lower) -> TermVocabulary:
        """Document frequencies of analysed words over texts (tests, small in-memory corpora)."""
        df: dict[str, int] = {}
        for text in texts:
            for term in {analyser(w) for w in _WORD.findall(text)} - {""}:
                df[term] = df.get(term, 0) + 1
        return cls(df, analyser)


@lru_cache(maxsize=1)
def english_counts() -> Mapping[str, int]:
    """symspellpy's bundled English frequency dictionary: each word with its count in a web corpus."""
    text = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt").read_text("utf-8")
    pairs = (line.split(" ", 1) for line in text.splitlines() if line)
    return {word: int(count) for word, count in pairs}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The words of symspellpy's bundled English frequency dictionary (real words, never corrected)."""
    return frozenset(english_counts())


# A glued pair's parts are common words: each seen this often in the English dictionary's web corpus
# ("in" + "this", "how" + "much"; not "sym" + "toms", "tester" + "one"), of two letters at least but
# "a", and one of them a function word: two content words glued are more often a misspelling or a
# brand ("codeline" is codeine, "doseages" dosages, "solostar" a pen) than two words.
COMMON_WORD_COUNT = 10_000_000


def is_common_word(word: str) -> bool:
    """An everyday English word ("brand", "pen", "mode"): seen at least `COMMON_WORD_COUNT` times in
    the English dictionary's web corpus."""
    return english_counts().get(word.lower(), 0) >= COMMON_WORD_COUNT


def split_glued(word: str) -> str | None:
    """Two common English words typed without the space between them ("howmuch" -> "how much",
    "inthis" -> "in this", "takea" -> "take a"), or None; of several splits, the one whose rarer part
    is the most common ("in this", not "int his"). Only a word typed in lower case ("23andMe" is a
    name)."""
    if not word.islower():
        return None
    counts = english_counts()
    best: tuple[int, str] | None = None
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        parts = (left, right)
        if any(len(p) < 2 and p != "a" for p in parts) or not any(p in STOPWORDS for p in parts):
            continue
        least = min(counts.get(p, 0) for p in parts)
        if least >= COMMON_WORD_COUNT and (best is None or least > best[0]):
            best = (least, f"{left} {right}")
    return best[1] if best is not None else None


def _skip(word: str) -> bool:
    """Words never corrected: short ones, also once runs of a letter are collapsed (the dictionary is
    keyed that way: "mmmmm" is "m", within reach of anything), all-caps abbreviations (COPD; HbA1c
    has a digit anyway)."""
    return len(collapse(word.lower())) < MIN_WORD or (word.isupper() and len(word) > 1)


@dataclass
class Speller:
    """Corrects the words of a question the corpus does not know; the symspell dictionary is built on
    first need (most questions have no unknown word) and then shared by every thread."""

    vocabulary: Vocabulary
    surface_words: frozenset[str] = frozenset()  # names as written (lexicon, drug names), lower case
    real_words: frozenset[str] = field(default_factory=english_words)  # known though not in the corpus
    min_df: int = MIN_DOCUMENT_FREQUENCY
    _symspell: Any = field(default=None, init=False, repr=False)
    _by_key: dict[str, list[tuple[str, bool, int]]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def known(self, word: str) -> bool:
        """True when the corpus (or the lexicon) has the word, it is a stopword or a real English word."""
        low = word.lower()
        if low in self.surface_words or low in self.real_words:
            return True
        term = self.vocabulary.term_of(low)
        return not term or term in self.vocabulary.frequencies()

    def correct(self, text: str) -> tuple[str, tuple[Correction, ...]]:
        """The text with each unknown word replaced by its correction, and the corrections made."""
        corrections: list[Correction] = []

        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if _skip(word) or self.known(word):
                return word
            # two words typed without a space come before a misspelling: "takea" is "take a", not "taken"
            better = split_glued(word) or self.suggest(word)
            if better is None:
                return word
            corrections.append(Correction(word, better))
            return better

        out = _WORD.sub(fix, text)
        return out, tuple(corrections)

    def suggest(self, word: str) -> str | None:
        """The nearest known word within the edit distance allowed for its length, or None."""
        from symspellpy import Verbosity

        low = word.lower()
        limit = 1 if len(low) <= SHORT_WORD else MAX_EDIT_DISTANCE
        stem = self.vocabulary.term_of(low)
        symspell = self._dictionary()
        best: tuple[tuple[int, float, int, int], str] | None = None
        for probe in dict.fromkeys(p for p in (low, stem) if p):
            for item in symspell.lookup(collapse(probe), Verbosity.CLOSEST, limit):
                for term, surface, count in self._by_key.get(item.term, ()):
                    shown = term if surface else self._as_written(low, stem, term)
                    if shown is None or not plausible(low, shown, surface):
                        continue
                    # Ties in edit distance go to the word most like the typed one as a whole (so
                    # "hemmroids" is hemorrhoids, not heroin), then to names as written, then to the
                    # more frequent.
                    rank = (item.distance, -_similarity(low, shown), 0 if surface else 1, -count)
                    if best is None or rank < best[0]:
                        best = (rank, shown)
        return best[1] if best is not None else None

    def _as_written(self, typed: str, stem: str, term: str) -> str | None:
        """An index term (a stem) as a word people write, or None. A word is a name as written or an
        English word: the term with the typed word's ending ("hemorrhoids"), with Snowball's final
        "i" back to "y" ("necessari" -> "necessary") or as it is. A term of `SHORT_WORD` letters or more
        that is no such word is shown as the index has it ("ramipril", "phosphorylated": a long stem
        keeps enough of its word); a shorter one is a stem cut from some other word ("presacr",
        "calcan", "benzoat", "whatev" on the dev suites), no correction at all."""
        ending = typed[len(stem) :] if stem and typed.startswith(stem) else ""
        rebuilt = term + ending
        # the term without the typed word's ending only where that ending is an inflection: "dravenic"
        # (stem "draven") is not "driven"
        candidates = [rebuilt]
        if ending in _INFLECTIONS:
            candidates += [term[:-1] + "y", term] if term.endswith("i") else [term]
        for word in dict.fromkeys(candidates):
            written = word in self.real_words or word in self.surface_words
            if written and self.vocabulary.term_of(word) == term:
                return word
        if len(term) < SHORT_WORD:
            return None
        return rebuilt if self.vocabulary.term_of(rebuilt) == term else term

    def prepare(self) -> None:
        """Build the symspell dictionary now (seconds on the full corpus) instead of on first need."""
        self._dictionary()

    def _dictionary(self) -> Any:
        with self._lock:
            if self._symspell is None:
                self._symspell = self._build()
            return self._symspell

    def _build(self) -> Any:
        from symspellpy import SymSpell

        symspell = SymSpell(max_dictionary_edit_distance=MAX_EDIT_DISTANCE, prefix_length=PREFIX_LENGTH)
        frequencies = self.vocabulary.frequencies()
        entries: list[tuple[str, bool, int]] = [
            (t, False, n)
            for t, n in frequencies.items()
            if n >= self.min_df and len(t) >= MIN_WORD and t.isalpha()
        ]
        for word in self.surface_words:
            if len(word) >= MIN_WORD and word.isalpha():
                entries.append((word, True, max(1, frequencies.get(self.vocabulary.term_of(word), 1))))
        for term, surface, count in entries:
            key = collapse(term)
            self._by_key.setdefault(key, []).append((term, surface, count))
            symspell.create_dictionary_entry(key, count)
        return symspell


def plausible(typed: str, shown: str, surface: bool) -> bool:
    """Whether `shown` can be the word meant by `typed`: it keeps the typed word's first letter (people
    rarely mistype it, and a brand the corpus lacks is otherwise turned into whatever is near: "keflex"
    -> "reflex", "premarin" -> "remain", "desonide" -> "budesonide"), and an index stem that is only
    the typed word cut short is no word at all ("celebrex" -> "celebr", "metopol" -> "metop")."""
    if shown[:1].lower() != typed[:1].lower():
        return False
    # a word far shorter than the typed one was reached through the typed word's stem alone: "quillivant"
    # (stem "quilliv") is not "quilt"
    if len(collapse(shown.lower())) < len(collapse(typed.lower())) - MAX_EDIT_DISTANCE:
        return False
    cut_short = typed.lower().startswith(shown.lower()) and len(collapse(shown)) < len(collapse(typed))
    return surface or not cut_short


def _similarity(a: str, b: str) -> float:
    """Normalised Indel similarity (1 - edits / total length): whole-word likeness, 0..1."""
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(a, b))
