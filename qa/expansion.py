"""Query expansion with MedlinePlus synonyms and MeSH terms ("heart attack" ~ "myocardial infarction").

A `Lexicon` maps a normalised phrase to the other names of the same concept. It is built once at
load time from patient-information records (title + `synonyms` + `mesh_terms`), then
`expand_query` is a pure function.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from index.corpus_stats import CorpusStats
from qa.textutil import STOPWORDS, tokens

# A concept with more names than this is usually a broad umbrella topic; expanding with all of them
# drowns the query, so only the first few alternatives are appended.
MAX_ALTERNATIVES = 3
# Phrases shorter than this (e.g. "ED", "MS") are ambiguous abbreviations; never expand them.
MIN_PHRASE_CHARS = 4


def normalise(phrase: str) -> str:
    return " ".join(tokens(phrase))


@dataclass(frozen=True)
class Lexicon:
    """phrase -> alternative names (normalised, original order, no self)."""

    entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def max_words(self) -> int:
        return max((p.count(" ") + 1 for p in self.entries), default=0)

    def __len__(self) -> int:
        return len(self.entries)

    def vocabulary(self) -> frozenset[str]:
        """Every word in any phrase: used as a cheap 'is this medical?' vocabulary."""
        words: set[str] = set()
        for phrase, alts in self.entries.items():
            words.update(phrase.split())
            for alt in alts:
                words.update(alt.split())
        return frozenset(w for w in words if w not in STOPWORDS and len(w) > 2)


def build_lexicon(groups: Iterable[Sequence[str]]) -> Lexicon:
    """Each group lists the names of one topic: its preferred name first (e.g. a MedlinePlus title),
    then synonyms and MeSH headings. The preferred name expands to the others; every other name
    expands only to the preferred name, because MedlinePlus lists subtypes among a topic's
    synonyms ('Myositis': dermatomyositis, polymyositis, ...) and subtypes are not synonyms of each
    other."""
    merged: dict[str, list[str]] = {}

    def add(name: str, alt: str) -> None:
        alts = merged.setdefault(name, [])
        if alt != name and alt not in alts:
            alts.append(alt)

    for group in groups:
        names = [n for n in dict.fromkeys(normalise(g) for g in group if g) if len(n) >= MIN_PHRASE_CHARS]
        if len(names) < 2:
            continue
        head, others = names[0], names[1:]
        for other in others:
            add(head, other)
            add(other, head)
    return Lexicon({k: tuple(v) for k, v in merged.items() if v})


def lexicon_groups_from_meta(title: str, meta: Mapping[str, object]) -> list[str]:
    """The names of one MedlinePlus-style topic: its name (`focus` when the record has one, else the
    title), synonyms and MeSH headings."""
    group = [str(meta.get("focus") or title)]
    for key in ("synonyms", "mesh_terms"):
        value = meta.get(key)
        if isinstance(value, (list, tuple)):
            group.extend(str(v) for v in value)
    return group


def lexicon_from_records(records: Iterable[tuple[str, Mapping[str, object]]]) -> Lexicon:
    """Build from (title, meta) pairs of documents or chunks that carry synonyms/MeSH terms."""
    groups = []
    for title, meta in records:
        if meta.get("synonyms") or meta.get("mesh_terms"):
            groups.append(lexicon_groups_from_meta(title, meta))
    return build_lexicon(groups)


def find_phrases(query: str, lexicon: Lexicon) -> list[str]:
    """Lexicon phrases in the query, longest match first, non-overlapping."""
    words = tokens(query)
    found: list[str] = []
    i = 0
    longest = lexicon.max_words
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if phrase in lexicon.entries:
                found.append(phrase)
                i += n
                break
        else:
            i += 1
    return found


def expansions(query: str, lexicon: Lexicon, skip: Collection[str] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """(phrase, alternatives not already in the query) for each lexicon phrase in the query, but
    those in `skip`."""
    present = " " + normalise(query) + " "
    out = []
    for phrase in find_phrases(query, lexicon):
        if phrase in skip:
            continue
        alts = tuple(a for a in lexicon.entries[phrase] if f" {a} " not in present)[:MAX_ALTERNATIVES]
        if alts:
            out.append((phrase, alts))
    return out


def expand_query(query: str, lexicon: Lexicon, skip: Collection[str] = ()) -> str:
    """The query with alternative names of its medical concepts (but those in `skip`) appended."""
    return with_alternatives(query, expansions(query, lexicon, skip))


def with_alternatives(query: str, found: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    """The query with the alternatives of `expansions` appended, each once."""
    extra = [alt for _, alts in found for alt in alts]
    if not extra:
        return query
    return f"{query} {' '.join(dict.fromkeys(extra))}"


def lexicon_from_stats(stats: CorpusStats) -> Lexicon:
    """Build from the index's MedlinePlus health topics (their synonyms and MeSH headings).

    Only MedlinePlus (`index.corpus_stats.LEXICON_COLLECTION`): its synonyms are curated
    lay/technical names of one topic, whereas other sources' metadata (PubMedQA MeSH indexing,
    MedQuAD synonym lists) name related concepts. No records (no index) gives an empty lexicon.
    """
    return lexicon_from_records(stats.lexicon_records)
