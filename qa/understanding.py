"""Understand a question before retrieving it (issue 16): filler removed, spelling corrected against
the corpus, the conversation topic added to a follow-up, other names of its drugs and conditions
added. The result is a `QueryRewrite` (medcite/types.py) that the engine retrieves with, keeps on the
Answer and that `ask --json` and the web chat show.

    understanding = understanding_from_stats(index.corpus_stats, lexicon)  # once, at start-up
    rewrite = understanding.rewrite(question, conversation)       # per question, pure
    rewrite.search_query   # "Lexapro escitalopram" for "Alright so I dont know much about Lexapro ..."

Order matters: filler goes first, so "Thanks! And what about in children?" is still seen as a
follow-up; spelling next, so a corrected name gets its brand/generic and synonyms; the follow-up
rewrite (qa/conversation.py, unchanged) then adds the topic to a fragment that keeps its own words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from index.corpus_stats import CorpusStats
from medcite.types import NameMapping, QueryRewrite
from qa.conversation import Conversation, rewrite_follow_up
from qa.drug_dictionary import BrandDictionary, packaged_dictionary
from qa.drug_names import (
    DrugNames,
    as_typed,
    brand_candidates,
    drug_names_from_records,
    generics_given,
    salt_suffixes,
    written_in_lower_case,
)
from qa.expansion import Lexicon, expansions, with_alternatives
from qa.filler import strip_filler
from qa.spelling import Speller, english_words
from qa.textutil import tokens

# Passages that use a word, to read a brand's generic name from (the engine searches its index).
PassageSearch = Callable[[str], Sequence[str]]
# A word -> the generic names the corpus gives it as a brand (`generics_given`).
CorpusGenerics = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class QueryUnderstanding:
    """What rewriting needs of the corpus: its lexicon (MedlinePlus synonyms), drug names (label tier),
    a speller over its vocabulary (None: nothing is corrected, e.g. a retriever without an index), a
    search for passages that use a word (None: only the label tier's brands are known) and a drug
    dictionary for the brands no passage pairs with their generic (empty: none)."""

    lexicon: Lexicon = field(default_factory=Lexicon)
    names: DrugNames = field(default_factory=DrugNames)
    speller: Speller | None = None
    passages: PassageSearch | None = None
    dictionary: BrandDictionary = field(default_factory=BrandDictionary)
    _generics: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def rewrite(self, question: str, conversation: Conversation | None = None) -> QueryRewrite:
        generics = self.corpus_generics if self.passages is not None or self.dictionary else None
        return rewrite_query(question, conversation, self.lexicon, self.names, self.speller, generics)

    def corpus_generics(self, word: str) -> tuple[str, ...]:
        """The generic name of `word` as a brand, worked out once per word: the drug dictionary's,
        else the one the corpus's passages give it."""
        if word not in self._generics:
            self._generics[word] = self._generic_of(word)
        return self._generics[word]

    def _generic_of(self, word: str) -> tuple[str, ...]:
        named = self.dictionary.single_generic(word)
        if named is not None:
            # a name the corpus writes in lower case is a word or a generic of its own ("vitae",
            # "paracetamol"), not a brand, and an English word is taken for a brand only where a
            # search can tell ("valium", not "sits")
            if not self._in_corpus(named):
                return ()
            if self.passages is None:
                return () if word in english_words() else (named,)
            return () if written_in_lower_case(word, self.passages(word)) else (named,)
        # a combination's brand ("suboxone") and a brand the dictionary lacks: what the passages say
        if self.passages is None or word in english_words():
            return ()
        return tuple(generics_given(word, self.passages(word))[:1])

    def _in_corpus(self, name: str) -> bool:
        """Whether every word of a name is a term of the index (True without one to ask)."""
        if self.speller is None:
            return True
        vocabulary = self.speller.vocabulary
        terms = vocabulary.frequencies()
        return all(vocabulary.term_of(w) in terms for w in tokens(name))

    def prepare(self) -> None:
        """Build what the first misspelt question would otherwise wait for (the speller's dictionary)."""
        if self.speller is not None:
            self.speller.prepare()


def rewrite_query(
    question: str,
    conversation: Conversation | None = None,
    lexicon: Lexicon | None = None,
    names: DrugNames | None = None,
    speller: Speller | None = None,
    corpus_generics: CorpusGenerics | None = None,
) -> QueryRewrite:
    """The question understood: see the module docstring for the steps and their order."""
    lexicon = lexicon if lexicon is not None else Lexicon()
    question = question.strip()
    cleaned = strip_filler(question)
    corrected, corrections = speller.correct(cleaned) if speller is not None else (cleaned, ())
    text = rewrite_follow_up(corrected, conversation, lexicon)
    names = names if names is not None else DrugNames()
    mappings: list[NameMapping] = list(names.mappings(text))
    if corpus_generics is not None:
        mappings.extend(brand_mappings(text, names, corpus_generics))
    added = list(dict.fromkeys(m.mapped_to for m in mappings))
    with_names = " ".join([text, *added]) if added else text
    # MedlinePlus synonyms, exactly as expand_query appends them: a question with nothing to clean,
    # correct or name is searched as before issue 16. A drug's salt is no topic of its own: "enoxaparin
    # sodium" is not searched for "salt" and "dietary sodium".
    found = expansions(with_names, lexicon, salt_suffixes(with_names))
    for phrase, alts in found:
        mappings.extend(NameMapping(phrase, alt, "synonym") for alt in alts)
    search = with_alternatives(with_names, found)
    return QueryRewrite(
        original=question,
        cleaned=cleaned,
        text=text,
        search_query=search,
        corrections=corrections,
        name_mappings=tuple(dict.fromkeys(mappings)),
    )


def brand_mappings(text: str, names: DrugNames, corpus_generics: CorpusGenerics) -> list[NameMapping]:
    """A brand the label tier does not know, by its generic name ("is lasix the only diuretic":
    furosemide, from the drug dictionary; "is restoril addictive": "temazepam (Restoril, Halcion)" in
    a guideline), unless the question names the generic too."""
    present = f" {' '.join(tokens(text))} "
    return [
        NameMapping(as_typed(word, text), generic, "brand->generic")
        for word in brand_candidates(text, names)
        for generic in corpus_generics(word)
        if f" {generic} " not in present
    ]


def question_names(names: DrugNames, rewrite: QueryRewrite | None) -> DrugNames:
    """The label tier's drug names and the brands a question's rewrite read from the corpus's
    passages (`brand_mappings`), each a name of its generic for this question."""
    if rewrite is None:
        return names
    return names.with_brands(
        (m.name, m.mapped_to)
        for m in rewrite.name_mappings
        if m.kind == "brand->generic" and not names.other_names(" ".join(tokens(m.name)))
    )


def understanding_from_stats(
    stats: CorpusStats,
    lexicon: Lexicon,
    passages: PassageSearch | None = None,
    dictionary: BrandDictionary | None = None,
) -> QueryUnderstanding:
    """Built from an index's statistics: drug names from its label documents, a speller over its
    keyword vocabulary (none without one) knowing the lexicon's, the drug names' and the drug
    dictionary's words, `passages` to read other brands' generic names from (none without an index)
    and the drug dictionary (the packaged one by default)."""
    names = drug_names_from_records(stats.label_records)
    dictionary = dictionary if dictionary is not None else packaged_dictionary()
    speller = None
    if stats.words is not None and stats.frequencies():
        # a name the dictionary has is no misspelling ("lasix" is not "lasik")
        speller = Speller(
            stats,
            surface_words=lexicon.vocabulary() | names.words(),
            real_words=english_words() | dictionary.words(),
        )
    search = passages if stats.words is not None else None
    return QueryUnderstanding(lexicon, names, speller, search, dictionary)
