"""Conflict notes (issue 17 item 6): two cited sources with opposite stances on one drug are named."""

from __future__ import annotations

from qa_fakes import chunk, hit

from medcite.types import AnswerSection, Citation, EvidenceLevel, Statement, Tier
from qa.conflicts import conflict_notes, stances


def _refs(*titles: str) -> tuple[Citation, ...]:
    return tuple(
        Citation(n, hit(chunk(f"Passage {n}.", title=t)), EvidenceLevel("test"))
        for n, t in enumerate(titles, start=1)
    )


def _section(*statements: tuple[str, tuple[int, ...]]) -> AnswerSection:
    first, *rest = (Statement(text, refs) for text, refs in statements)
    return AnswerSection(Tier.GUIDELINE, Tier.GUIDELINE.heading, first, tuple(rest))


def test_opposite_stances_from_two_sources_are_noted_with_both_named() -> None:
    refs = _refs("ACR guideline on myositis", "Trial of azathioprine")
    sections = [
        _section(
            ("Azathioprine is recommended as a steroid-sparing agent.", (1,)),
            ("Azathioprine did not improve strength compared with placebo.", (2,)),
        )
    ]
    (note,) = conflict_notes(sections, refs)
    assert (
        "azathioprine" in note
        and "[1] ACR guideline on myositis" in note
        and "[2] Trial of azathioprine" in note
    )


def test_agreement_one_source_or_no_stance_gives_no_note() -> None:
    refs = _refs("A", "B")
    agree = _section(("Methotrexate is effective.", (1,)), ("Methotrexate improved strength.", (2,)))
    same_source = _section(
        ("Methotrexate is recommended.", (1,)), ("Methotrexate is not recommended in pregnancy.", (1,))
    )
    no_stance = _section(("Methotrexate is a folate antagonist.", (1,)), ("Avoid sunlight.", (2,)))
    for sec in (agree, same_source, no_stance):
        assert conflict_notes([sec], refs) == []


def test_each_clause_speaks_for_its_own_drug() -> None:
    found = stances("Prednisone is recommended first-line; rituximab should not be used in pregnancy.", (3,))
    assert {(s.drug, s.against) for s in found} == {("prednisone", False), ("rituximab", True)}
    # "not recommended" is against, although it contains "recommended"
    assert [s.against for s in stances("Corticosteroids are not recommended.", (1,))] == [True]
