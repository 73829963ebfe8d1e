"""Understand a question before retrieving it (issue 16): filler removed, spelling corrected against
the corpus, the conversation topic added to a follow-up, other names of its drugs and conditions
added. The result is a `QueryRewrite` (medcite/types.py) that the engine retrieves with, keeps on the
Answer and that `ask --json` and the web chat show.

    understanding = understanding_for_index(index, lexicon)     # once, at engine start-up
    rewrite = understanding.rewrite(question, conversation)       # per question, pure
    rewrite.search_query   # "Lexapro escitalopram" for "Alright so I dont know much about Lexapro ..."

Order matters: filler goes first, so "Thanks! And what about in children?" is still seen as a
follow-up; spelling next, so a corrected name gets its brand/generic and synonyms; the follow-up
rewrite (qa/conversation.py, unchanged) then adds the topic to a fragment that keeps its own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcite.types import NameMapping, QueryRewrite
from qa.conversation import Conversation, rewrite_follow_up
from qa.drug_names import DrugNames, drug_names_from_catalog
from qa.expansion import Lexicon, expand_query, expansions
from qa.filler import strip_filler
from qa.spelling import Speller, TermVocabulary, Vocabulary


@dataclass(frozen=True)
class QueryUnderstanding:
    """What rewriting needs of the corpus: its lexicon (MedlinePlus synonyms), drug names (label tier)
    and a speller over its vocabulary (None: nothing is corrected, e.g. a retriever without an index)."""

    lexicon: Lexicon = field(default_factory=Lexicon)
    names: DrugNames = field(default_factory=DrugNames)
    speller: Speller | None = None

    def rewrite(self, question: str, conversation: Conversation | None = None) -> QueryRewrite:
        return rewrite_query(question, conversation, self.lexicon, self.names, self.speller)


def rewrite_query(
    question: str,
    conversation: Conversation | None = None,
    lexicon: Lexicon | None = None,
    names: DrugNames | None = None,
    speller: Speller | None = None,
) -> QueryRewrite:
    """The question understood: see the module docstring for the steps and their order."""
    lexicon = lexicon if lexicon is not None else Lexicon()
    question = question.strip()
    cleaned = strip_filler(question)
    corrected, corrections = speller.correct(cleaned) if speller is not None else (cleaned, ())
    text = rewrite_follow_up(corrected, conversation, lexicon)
    mappings: list[NameMapping] = list(names.mappings(text)) if names is not None else []
    added = list(dict.fromkeys(m.mapped_to for m in mappings))
    with_names = " ".join([text, *added]) if added else text
    # MedlinePlus synonyms, exactly as expand_query appends them: a question with nothing to clean,
    # correct or name is searched as before issue 16.
    for phrase, alts in expansions(with_names, lexicon):
        mappings.extend(NameMapping(phrase, alt, "synonym") for alt in alts)
    search = expand_query(with_names, lexicon)
    return QueryRewrite(
        original=question,
        cleaned=cleaned,
        text=text,
        search_query=search,
        corrections=corrections,
        name_mappings=tuple(dict.fromkeys(mappings)),
    )


def vocabulary_from_keyword_index(keyword: object) -> Vocabulary | None:
    """The keyword index's terms and analyser as a `Vocabulary` (None without a loaded index)."""
    frequencies = getattr(keyword, "term_frequencies", None)
    term_of = getattr(keyword, "term_of", None)
    if frequencies is None or term_of is None:
        return None
    terms = frequencies()
    return TermVocabulary(terms, term_of) if terms else None


def understanding_for_index(
    index: object, lexicon: Lexicon, vocabulary: Vocabulary | None = None
) -> QueryUnderstanding:
    """Built from an open index: drug names from its catalog, a speller over its keyword vocabulary
    (or `vocabulary`, e.g. the index's CorpusStats) knowing the lexicon's and drug names' words."""
    catalog = getattr(index, "catalog", None)
    names = drug_names_from_catalog(catalog) if catalog is not None else DrugNames()
    if vocabulary is None:
        vocabulary = vocabulary_from_keyword_index(getattr(index, "keyword", None))
    speller = None
    if vocabulary is not None:
        speller = Speller(vocabulary, surface_words=lexicon.vocabulary() | names.words())
    return QueryUnderstanding(lexicon, names, speller)
