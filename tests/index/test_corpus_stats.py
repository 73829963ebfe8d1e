"""CorpusStats from an open index: IDF, known-word share, lexicon records; the engine takes them typed."""

from __future__ import annotations

import dataclasses

from ingest_factory import CountingEmbedder, make_docs

from index import CorpusStats, open_index
from ingest.pipeline import run_ingest
from medcite.settings import Settings
from medcite.types import Document, Section, Tier
from qa.engine import AnswerEngine

HEART = Document(
    doc_id="mp-heart",
    tier=Tier.PATIENT_INFO,
    collection="medlineplus",
    title="Heart Attack",
    sections=(Section("Summary", "A heart attack happens when blood flow to the heart is blocked."),),
    meta={"mesh_terms": ["Myocardial Infarction"]},
)


def test_index_corpus_stats_and_the_engine_over_it(settings: Settings) -> None:
    docs = [*make_docs(8), HEART, dataclasses.replace(HEART, doc_id="pq-1", collection="pubmedqa")]
    run_ingest(settings, CountingEmbedder(), corpus=docs, progress=False)
    index = open_index(settings, CountingEmbedder())
    try:
        stats = index.corpus_stats
        assert stats is index.corpus_stats  # built once per open index
        assert stats.lexicon_records == (("Heart Attack", {"mesh_terms": ["Myocardial Infarction"]}),)
        rare, common = stats.idf("infarction"), stats.idf("patients")
        assert rare is not None and common is not None and rare > common
        assert stats.idf("the") is None  # a stopword carries no weight
        assert stats.known_fraction("asthma patients") == 1.0
        assert stats.known_fraction("asthma qwxzv") == 0.5
        engine = AnswerEngine(index, settings)
        assert engine.corpus_stats is stats and engine.corpus_hash == index.corpus_hash
        assert engine.lexicon.entries["heart attack"] == ("myocardial infarction",)
    finally:
        index.close()


def test_empty_stats_know_nothing() -> None:
    stats = CorpusStats()
    assert stats.idf("asthma") is None and stats.known_fraction("asthma") is None
    assert stats.lexicon_records == ()


class CountingWords:
    """WordStats that counts how often the whole vocabulary is asked for."""

    def __init__(self) -> None:
        self.vocabulary_reads = 0

    def idf(self, word: str) -> float | None:
        return 1.0

    def known_fraction(self, text: str) -> float | None:
        return 1.0

    def term_frequencies(self) -> dict[str, int]:
        self.vocabulary_reads += 1
        return {"hemorrhoid": 12, "fissur": 5}

    def term_of(self, word: str) -> str:
        return word.lower().rstrip("s")


def test_vocabulary_is_read_once_however_many_words_are_checked() -> None:
    from qa.spelling import Speller

    words = CountingWords()
    stats = CorpusStats(words=words, label_records=(("LEXAPRO (escitalopram)", {}),))
    speller = Speller(stats, real_words=frozenset())
    for _ in range(50):
        speller.known("hemorrhoids")
        speller.known("fissures")
    assert words.vocabulary_reads == 1
    assert stats.frequencies()["hemorrhoid"] == 12 and stats.term_of("Fissures") == "fissure"
