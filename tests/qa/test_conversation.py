"""Follow-up rewriting and suggested follow-ups."""

from __future__ import annotations

import pytest

from medcite.types import Answer, AnswerSection, Statement, Tier
from qa.conversation import Conversation, extract_topic, is_follow_up, rewrite_follow_up, suggest_follow_ups

FIRST = "What is the treatment for dermatomyositis?"


@pytest.fixture
def convo() -> Conversation:
    c = Conversation()
    c.add(FIRST, FIRST)
    return c


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("what about in children?", "What is the treatment for dermatomyositis in children?"),
        ("and in pregnancy?", "What is the treatment for dermatomyositis in pregnancy?"),
        ("side effects?", "side effects of dermatomyositis treatment?"),
        ("how long until it works?", "how long until dermatomyositis treatment works?"),
    ],
)
def test_follow_ups_rewritten_with_topic(convo: Conversation, follow_up: str, expected: str) -> None:
    assert rewrite_follow_up(follow_up, convo) == expected


def test_self_contained_questions_untouched(convo: Conversation) -> None:
    assert rewrite_follow_up("What is the treatment for gout?", convo) == "What is the treatment for gout?"
    assert rewrite_follow_up("what about in children?", None) == "what about in children?"
    assert not is_follow_up("What is the treatment for gout?")
    assert is_follow_up("Is it safe?")


def _answer(texts: list[str], groups: list[str]) -> Answer:
    lead = Statement(texts[0], (1,))
    bullets = tuple(Statement(t, (1,), g) for t, g in zip(texts[1:], groups, strict=True))
    section = AnswerSection(Tier.GUIDELINE, Tier.GUIDELINE.heading, lead, bullets)
    return Answer("id", FIRST, FIRST, "clinician", False, False, (section,), (), "d")


def test_conversation_add_accepts_answers_and_tracks_topic() -> None:
    c = Conversation()
    c.add(_answer(["x"], []))
    assert c.topic == "dermatomyositis" and c.last_rewritten == FIRST
    assert extract_topic("What are the side effects?") == ""
    # who gave it and why say nothing of the topic ("What about doctor give levetiracetam in children?")
    assert extract_topic("why did my doctor give me levetiracetam") == "levetiracetam"
    assert extract_topic("what is the purpose of lisinopril, is it good?") == "lisinopril"
    # the words of a phrase that asks something of the medicine are not its topic
    assert extract_topic("where should i store insulin glargine") == "insulin glargine"
    assert extract_topic("what strengths does valproic acid come in") == "valproic acid"
    assert extract_topic("what color is phenytoin") == "phenytoin"
    assert extract_topic("how do i wean off lexapro") == "lexapro"


def test_suggestions_come_from_answer_content() -> None:
    ans = _answer(["Methotrexate is used.", "Monitor liver enzymes with methotrexate."], ["Monitoring"])
    ups = suggest_follow_ups(ans, "dermatomyositis")
    assert len(ups) == 3 and all("methotrexate" in u for u in ups)
    plain = suggest_follow_ups(
        _answer(["Rest helps.", "Sun protection helps."], ["Supportive care"]), "lupus"
    )
    assert plain and all("lupus" in u for u in plain) and not any("dose" in u for u in plain)


def test_a_drug_the_question_named_is_not_asked_about_as_a_condition() -> None:
    # "Tell me more about Lexapro": the label's sentences may name no drug the pattern knows
    ans = _answer(["The tablets are film-coated.", "Store at room temperature."], ["Other findings"])
    ups = suggest_follow_ups(ans, "lexapro", drug="Lexapro")
    assert ups and all("Lexapro" in u for u in ups)
    assert not any("prognosis" in u or "in children" in u for u in ups)
    # without the hint the topic is taken as a condition, as before
    assert any("prognosis of lexapro" in u for u in suggest_follow_ups(ans, "lexapro"))


def test_a_topic_that_is_the_drug_and_what_is_asked_of_it_is_not_a_condition() -> None:
    ans = _answer(["The tablets are film-coated.", "Store at room temperature."], ["Other findings"])
    ups = suggest_follow_ups(ans, "safely stop fluvoxamine malate", n=6, drug="fluvoxamine")
    assert ups and not any("prognosis" in u or "safely" in u for u in ups)
    # a topic of its own beside the drug still is one
    assert any("diabetes" in u for u in suggest_follow_ups(ans, "diabetes", n=5, drug="metformin"))
