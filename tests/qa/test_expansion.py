"""Query expansion with MedlinePlus synonyms and MeSH terms."""

from __future__ import annotations

from index import CorpusStats
from qa.expansion import build_lexicon, expand_query, find_phrases, lexicon_from_records, lexicon_from_stats


def test_heart_attack_expands_to_myocardial_infarction() -> None:
    lex = lexicon_from_records(
        [("Heart Attack", {"mesh_terms": ["Myocardial Infarction"], "synonyms": ["MI"]})]
    )
    out = expand_query("What should I do after a heart attack?", lex)
    assert out.startswith("What should I do after a heart attack?")
    assert "myocardial infarction" in out
    assert " mi" not in out.lower().split("?")[1]  # two-letter abbreviations are never expansions
    # symmetric: the technical name expands to the lay name
    assert "heart attack" in expand_query("myocardial infarction statins", lex)


def test_subtypes_listed_as_synonyms_do_not_expand_to_each_other() -> None:
    lex = lexicon_from_records([("Myositis", {"synonyms": ["Dermatomyositis", "Polymyositis"]})])
    assert lex.entries["dermatomyositis"] == ("myositis",)
    assert lex.entries["myositis"] == ("dermatomyositis", "polymyositis")
    faq = lexicon_from_records([("What is (are) Gout?", {"focus": "Gout", "synonyms": ["Podagra"]})])
    assert set(faq.entries) == {"gout", "podagra"}


def test_longest_match_and_no_repeats() -> None:
    lex = build_lexicon([["type 2 diabetes", "diabetes mellitus type 2"], ["diabetes", "diabetes mellitus"]])
    assert find_phrases("treatment of type 2 diabetes", lex) == ["type 2 diabetes"]
    already = "type 2 diabetes or diabetes mellitus type 2"
    assert expand_query(already, lex) == already
    assert expand_query("what is the capital of France", lex) == "what is the capital of France"


def test_lexicon_from_stats_uses_the_index_topic_records() -> None:
    records = (("Heart Attack", {"mesh_terms": ["Myocardial Infarction"]}),)
    lex = lexicon_from_stats(CorpusStats(lexicon_records=records))
    assert lex.entries == {
        "heart attack": ("myocardial infarction",),
        "myocardial infarction": ("heart attack",),
    }
    assert len(lexicon_from_stats(CorpusStats())) == 0
