"""What the corpus knows about words, for reading a question: IDF, known-word share, lexicon records.

The answer engine weighs a question's terms by corpus IDF (rare words carry a question), tells
unfamiliar-but-real words from keyboard noise by the share of words the corpus uses, and expands
queries with the names of curated health topics. `Index.corpus_stats` builds this once per open index;
tests and retrievers without an index use `CorpusStats()` (no word statistics, no lexicon).

The lexicon itself (phrase normalisation, which names expand to which) is query understanding and
lives in `qa.expansion` (`lexicon_from_stats`); the index hands over the topic records it is built
from, so `index/` never depends on `qa/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

# The collection whose topics (title, synonyms, MeSH headings) make the lexicon. Only MedlinePlus:
# its synonyms are curated lay/technical names of one topic, whereas other sources' metadata
# (PubMedQA MeSH indexing, MedQuAD synonym lists) name related concepts.
LEXICON_COLLECTION = "medlineplus"

LexiconRecord = tuple[str, Mapping[str, object]]


class WordStats(Protocol):
    """Per-word corpus statistics (the keyword index implements it)."""

    def idf(self, word: str) -> float | None: ...

    def known_fraction(self, text: str) -> float | None: ...

    def term_frequencies(self) -> dict[str, int]: ...

    def term_of(self, word: str) -> str: ...


@dataclass(frozen=True)
class CorpusStats:
    """Corpus word statistics and the lexicon's source records; every lookup is None without an index."""

    words: WordStats | None = None
    lexicon_records: tuple[LexiconRecord, ...] = ()
    # (title, meta) of every drug-label document: brand and generic names (issue 16).
    label_records: tuple[LexiconRecord, ...] = ()

    def idf(self, word: str) -> float | None:
        """Inverse document frequency of the word's stem(s); None for a stopword or without an index."""
        return self.words.idf(word) if self.words is not None else None

    def known_fraction(self, text: str) -> float | None:
        """Share of the text's words the corpus uses; None when unknown (no index, no content words)."""
        return self.words.known_fraction(text) if self.words is not None else None

    @cached_property
    def _frequencies(self) -> Mapping[str, int]:
        return self.words.term_frequencies() if self.words is not None else {}

    def frequencies(self) -> Mapping[str, int]:
        """Every indexed term -> chunks containing it (empty without an index): the speller's
        dictionary (`qa.spelling.Vocabulary`), built once (it is asked for every word checked)."""
        return self._frequencies

    def term_of(self, word: str) -> str:
        """The term a word is indexed under ('' for a stopword or without an index)."""
        return self.words.term_of(word) if self.words is not None else ""
