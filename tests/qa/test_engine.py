"""The answer engine end to end over an in-memory retriever, and its rendering."""

from __future__ import annotations

import pytest
from qa_fakes import DERMATOMYOSITIS, MemoryRetriever

from medcite.settings import load_settings
from medcite.types import Tier
from qa.audience import answer_text, reading_grade
from qa.conversation import Conversation
from qa.engine import AnswerEngine
from qa.expansion import lexicon_from_records
from qa.render import answer_to_json, cited_text, render_terminal
from qa.safety import ABSTAIN_NOTICE, NON_MEDICAL_NOTICE

Q = "What is the treatment for dermatomyositis?"
STEROID_SPARING = ("methotrexate", "azathioprine", "mycophenolate", "ivig", "immunoglobulin", "cyclosporine")


@pytest.fixture
def engine() -> AnswerEngine:
    lex = lexicon_from_records((c.title, c.meta) for c in DERMATOMYOSITIS)
    return AnswerEngine(
        MemoryRetriever(DERMATOMYOSITIS),
        load_settings(index={"embedding_model": "fake"}),
        lexicon=lex,
        corpus_hash="c0ffee",
    )


def test_reference_question_shape(engine: AnswerEngine) -> None:
    a = engine.ask(Q)
    assert not a.abstained and not a.emergency and a.notices == ()
    assert len({s.tier for s in a.sections}) >= 2 and len(a.citations) >= 5
    numbers = [c.n for c in a.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    for s in a.sections:
        for st in (s.lead, *s.bullets):
            assert st.citations and set(st.citations) <= set(numbers) and 0.0 < st.support <= 1.0
    assert all(c.evidence.study_design is not None for c in a.citations if c.chunk.tier is Tier.RESEARCH)
    text = answer_text(a).lower()
    assert "corticosteroid" in text and any(w in text for w in STEROID_SPARING)
    assert a.evidence_as_of == "2021" and a.corpus_hash == "c0ffee" and a.settings_hash
    assert {"rewrite_ms", "retrieve_ms", "compose_ms", "total_ms"} <= set(a.timings_ms)
    assert len(a.follow_ups) == 3 and a.review_status == "Submitted"


def test_answer_id_is_reproducible(engine: AnswerEngine) -> None:
    a, b = engine.ask(Q), engine.ask(Q)
    assert a.answer_id == b.answer_id and a.sections == b.sections
    assert engine.ask(Q, audience="patient").answer_id != a.answer_id


def test_stream_yields_fuller_answers_first_section_early(engine: AnswerEngine) -> None:
    answers = list(engine.ask_stream(Q))
    assert len(answers) >= 3
    sizes = [len(x.sections) for x in answers]
    assert sizes[0] == 1 and sizes == sorted(sizes)
    assert answers[-1].follow_ups and not answers[0].follow_ups


@pytest.mark.parametrize("question", ["What is the capital of France?", "asdkjh qwpoe"])
def test_non_medical_questions_abstain(engine: AnswerEngine, question: str) -> None:
    a = engine.ask(question)
    assert a.abstained and a.sections == () and a.citations == () and a.notices == (NON_MEDICAL_NOTICE,)


def test_uncovered_medical_question_abstains_with_closest_topics(engine: AnswerEngine) -> None:
    a = engine.ask("What is the best vaccine schedule against rotavirus diarrhea in kittens?")
    assert a.abstained and a.notices == (ABSTAIN_NOTICE,) and a.sections == ()


def test_threshold_comes_from_settings() -> None:
    strict = AnswerEngine(
        MemoryRetriever(DERMATOMYOSITIS),
        load_settings(
            index={"embedding_model": "fake"},
            composer={"abstain_threshold": 1.01, "answer_on_focus": False},
        ),
    )
    assert strict.ask(Q).abstained


def test_emergency_notice_comes_first(engine: AnswerEngine) -> None:
    a = engine.ask("I have crushing chest pain, is it a heart attack?")
    assert a.emergency and a.notices[0].startswith("This may be a medical emergency")


def test_follow_up_rewritten_with_topic(engine: AnswerEngine) -> None:
    convo = Conversation()
    convo.add(engine.ask(Q))
    a = engine.ask("what about in children?", conversation=convo)
    assert a.question == "what about in children?"
    assert "dermatomyositis" in a.rewritten_query.lower() and not a.abstained


def test_patient_answer_reads_lower_with_valid_citations(engine: AnswerEngine) -> None:
    c, p = engine.ask(Q), engine.ask(Q, audience="patient")
    assert p.sections[0].tier is Tier.PATIENT_INFO and p.disclaimer != c.disclaimer
    assert reading_grade(answer_text(p)) < reading_grade(answer_text(c))
    numbers = {x.n for x in p.citations}
    assert all(
        set(st.citations) <= numbers and st.citations for s in p.sections for st in (s.lead, *s.bullets)
    )


def test_json_shape(engine: AnswerEngine) -> None:
    d = answer_to_json(engine.ask(Q))
    assert {
        "answer_id",
        "question",
        "rewritten_query",
        "audience",
        "abstained",
        "emergency",
        "sections",
        "references",
        "disclaimer",
        "follow_ups",
        "review_status",
        "evidence_as_of",
        "corpus_hash",
        "settings_hash",
        "timings_ms",
    } <= set(d)
    sec = d["sections"][0]
    assert set(sec) == {"tier", "heading", "lead", "bullets"} and set(sec["lead"]) == {"text", "citations"}
    assert {"text", "citations", "group", "support"} <= set(sec["bullets"][0])
    ref = d["references"][0]
    assert set(ref) == {
        "n",
        "tier",
        "title",
        "source",
        "year",
        "evidence_level",
        "study_design",
        "url",
        "doc_id",
        "chunk_id",
        "passages",
    }
    import json

    json.dumps(d)  # serialisable as is


def test_terminal_rendering(engine: AnswerEngine) -> None:
    a = engine.ask(Q)
    out = render_terminal(a)
    assert "From the Guidelines" in out and "References" in out and a.disclaimer in out
    assert "[1]" in out and cited_text(a.sections[0].lead) in out
    assert "Level 1" in out  # research references carry their evidence level


def test_a_question_about_own_records_abstains_with_its_own_notice(engine: AnswerEngine) -> None:
    from qa.safety import OWN_RECORDS_NOTICE

    a = engine.ask("Did my dermatomyositis blood test results from Tuesday come back normal?")
    assert a.abstained and a.sections == () and a.citations == ()
    assert a.notices == (OWN_RECORDS_NOTICE,)
    assert engine.judge(engine.retrieve("What is the treatment for dermatomyositis?")).abstain is None
