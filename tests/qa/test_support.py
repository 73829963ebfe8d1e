"""Sentence-level support check."""

from __future__ import annotations

import pytest
from qa_fakes import chunk, hit

from medcite.embedding import HashingEmbedder
from medcite.types import Tier
from qa.drafts import Draft
from qa.support import check_support, containment, support_score, unverified_facts

P = chunk("Methotrexate reduced the cumulative corticosteroid dose in dermatomyositis.", doc="p")
Q = chunk("Sunscreen protects the skin.", doc="q")
HITS = {P.chunk_id: hit(P), Q.chunk_id: hit(Q)}


def test_containment_and_score() -> None:
    assert containment("Methotrexate reduced the corticosteroid dose.", P.text) == 1.0
    assert containment("Aspirin cures gout.", P.text) == 0.0
    assert support_score("Methotrexate reduced the corticosteroid dose [1].", [P.text]) == 1.0
    assert support_score("anything", []) == 0.0
    s = support_score("Methotrexate lowers steroid needs in myositis.", [P.text], HashingEmbedder())
    assert 0.0 <= s <= 1.0


def test_check_drops_unsupported_and_unknown_citations() -> None:
    good = Draft(P.tier, "Methotrexate reduced the corticosteroid dose.", (P.chunk_id, "missing-id"))
    bad = Draft(P.tier, "Aspirin cures gout quickly.", (P.chunk_id,))
    wrong = Draft(P.tier, "Methotrexate reduced the corticosteroid dose.", (Q.chunk_id,))
    kept = check_support([good, bad, wrong], HITS, threshold=0.5)
    assert [d.text for d in kept] == [good.text]
    assert kept[0].chunk_ids == (P.chunk_id,) and kept[0].support == 1.0


def test_flag_mode_keeps_and_flags() -> None:
    bad = Draft(P.tier, "Aspirin cures gout quickly.", (P.chunk_id,))
    (flagged,) = check_support([bad], HITS, threshold=0.5, mode="flag")
    assert flagged.flagged and flagged.support == pytest.approx(0.0)


# Issue 17 item 5: every number (with its unit) and drug name shown appears verbatim in a cited passage.
PASSAGE = [
    "Prednisone 1 mg/kg/day is given for 4 to 6 weeks; methotrexate 15 mg weekly is added; "
    "IVIG 2 g/kg over 2 to 5 days; 1,000 units of vitamin D."
]


@pytest.mark.parametrize(
    "sentence",
    [
        "Prednisone 1 mg/kg/day is given for 4 to 6 weeks.",
        "Methotrexate 15 mg weekly is added [2].",
        "IVIG 2 g/kg is given over 2 to 5 days.",
        "Take 1000 units of vitamin D.",
    ],
)
def test_facts_stated_in_the_passage_pass(sentence: str) -> None:
    assert unverified_facts(sentence, PASSAGE) == []


@pytest.mark.parametrize(
    ("sentence", "missing"),
    [
        ("Prednisone 10 mg/kg/day is given.", "10 mg/kg/day"),  # the passage says 1 mg/kg/day
        ("Methotrexate 1.5 mg weekly is added.", "1.5 mg"),  # a moved decimal point
        ("Methotrexate 15 mcg weekly is added.", "15 mcg"),  # the unit changed
        ("Prednisone is given for 46 weeks.", "46"),  # two numbers run together
        ("Prednisolone 1 mg/kg/day is given.", "prednisolone"),  # a different drug, one letter apart
        ("Azathioprine 2 mg/kg/day is added.", "azathioprine"),  # a drug the passage never names
    ],
)
def test_a_changed_number_unit_or_drug_is_caught(sentence: str, missing: str) -> None:
    assert missing in unverified_facts(sentence, PASSAGE)


def test_check_support_drops_a_sentence_whose_dose_is_not_in_its_passage() -> None:
    c = chunk(PASSAGE[0])
    hits = {c.chunk_id: hit(c)}
    good = Draft(Tier.RESEARCH, "Methotrexate 15 mg weekly is added.", (c.chunk_id,))
    bad = Draft(Tier.RESEARCH, "Methotrexate 25 mg weekly is added.", (c.chunk_id,))  # same words
    assert [d.text for d in check_support([good, bad], hits, 0.3)] == [good.text]
    flagged = check_support([bad], hits, 0.3, mode="flag")
    assert flagged[0].flagged
