"""Issue 19: the web chat answers while the index grows (`qa.live.LiveEngine`): nothing published
yet is a clear refusal, a partial snapshot answers with a note saying how much of the corpus it
covers, and the finished index answers without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.manifest import read_corpus
from ingest.live import INGEST_TIER_ORDER
from ingest.pipeline import DOCS_PER_BATCH, run_ingest
from medcite.embedding import HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import REPO_ROOT, Settings, load_settings
from medcite.types import Answer
from qa.live import LiveEngine, noted

FIXTURE_CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus_small"
QUESTION = "What is the treatment for dermatomyositis?"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home", corpus=FIXTURE_CORPUS, index={"embedding_model": "fake"})


def _padding_docs(n: int) -> list:
    import sys

    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from ingest_factory import make_docs

    return make_docs(n)


def test_before_anything_is_published_the_question_is_refused_with_the_reason(settings: Settings) -> None:
    live = LiveEngine(settings, HashingEmbedder())
    assert live.engine is None and live.lexicon is None and live.corpus_hash == ""
    with pytest.raises(MedCiteError, match="still being built"):
        live.ask(QUESTION)


def test_partial_index_answers_with_a_note_and_the_finished_one_without(settings: Settings) -> None:
    fixture = sorted(read_corpus(FIXTURE_CORPUS).documents, key=lambda d: INGEST_TIER_ORDER.index(d.tier))
    docs = [*fixture, *_padding_docs(2 * DOCS_PER_BATCH)]
    live = LiveEngine(settings, HashingEmbedder(), check_every_s=0.0)
    during: list[Answer] = []

    def ask_now(batch: int) -> None:
        if batch == 1:
            during.append(live.ask(QUESTION))

    run_ingest(settings, HashingEmbedder(), corpus=docs, progress=False, on_batch=ask_now, publish_every_s=0)
    (partial,) = during
    assert not partial.abstained and partial.citations  # the fixture's myositis sources came first
    note = partial.notices[-1]
    assert note.startswith("Answered from ") and "% of the corpus" in note and "still indexing" in note
    first_generation = live.generation

    final = live.ask(QUESTION)
    assert not final.abstained
    assert not any(n.startswith("Answered from ") for n in final.notices)
    assert live.status() is None  # the page's status line goes too
    assert live.generation is not None and live.generation != first_generation


def test_noted_adds_once_and_changes_the_content_id(settings: Settings) -> None:
    from ingest.pipeline import run_ingest as ingest

    ingest(settings, HashingEmbedder(), corpus=FIXTURE_CORPUS, progress=False)
    answer = LiveEngine(settings, HashingEmbedder()).ask(QUESTION)
    once = noted(answer, "Answered from 40% of the corpus; research abstracts still indexing.")
    assert once.answer_id != answer.answer_id and once.notices[-1].startswith("Answered from 40%")
    assert noted(once, once.notices[-1]) == once
    assert noted(answer, None) is answer


def test_an_index_built_with_other_parameters_is_reported_not_awaited(settings: Settings) -> None:
    run_ingest(settings, HashingEmbedder(), corpus=FIXTURE_CORPUS, progress=False)
    other = settings.replace(index={"chunk_size": 500})
    live = LiveEngine(other, HashingEmbedder())
    with pytest.raises(MedCiteError, match="rebuild") as raised:
        live.ask(QUESTION)
    assert "still being built" not in str(raised.value)
    status = live.status()
    assert status is not None and status.startswith("The index cannot be used")


def test_the_finished_runs_corpus_hash_reaches_the_engine(settings: Settings) -> None:
    live = LiveEngine(settings, HashingEmbedder(), check_every_s=0.0)
    seen: list[str] = []

    def during(_: int) -> None:
        live.refresh()
        seen.append(live.corpus_hash)

    result = run_ingest(
        settings, HashingEmbedder(), corpus=FIXTURE_CORPUS, progress=False, on_batch=during, publish_every_s=0
    )
    assert seen and all(h == "" for h in seen)  # a partial first index has no corpus hash yet
    live.refresh()
    assert live.corpus_hash == result.corpus_hash  # set by the finished run without a new generation
