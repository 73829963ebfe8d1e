"""Draft statements: the composer's and the LLM parser's common output before citation numbering.

Drafts carry chunk ids, not numbers, so sentences can be dropped (support check) or rewritten
(audience) without ever leaving a dangling citation; `assemble` numbers citations in display order
at the very end, so every [n] resolves and no reference is unused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medcite.types import TIERS, AnswerSection, Citation, Hit, Statement, Tier
from qa.grading import evidence_for


@dataclass(frozen=True)
class Draft:
    """One sentence of an answer before numbering. `core` is the passage-derived part that the
    support check compares against the cited passages (the lead's attribution is not in them)."""

    tier: Tier
    text: str
    chunk_ids: tuple[str, ...]
    group: str = ""
    score: float = 0.0
    is_lead: bool = False
    core: str = ""
    support: float = 1.0
    flagged: bool = False

    @property
    def checked_text(self) -> str:
        return self.core or self.text


def tier_order(audience: str) -> tuple[Tier, ...]:
    """Display order of sections: patients see patient information first (DESIGN.md 5)."""
    if audience == "patient":
        return (Tier.PATIENT_INFO, *(t for t in TIERS if t is not Tier.PATIENT_INFO))
    return TIERS


def assemble(
    drafts: Sequence[Draft], hits: Mapping[str, Hit], audience: str = "clinician"
) -> tuple[tuple[AnswerSection, ...], tuple[Citation, ...]]:
    """Sections in tier order (lead, then bullets) with citations numbered by first appearance."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []

    def cite(ids: Sequence[str]) -> tuple[int, ...]:
        out = []
        for cid in ids:
            if cid not in hits:
                continue  # never number a passage that was not retrieved
            if cid not in numbers:
                numbers[cid] = len(numbers) + 1
                hit = hits[cid]
                citations.append(Citation(n=numbers[cid], hit=hit, evidence=evidence_for(hit.chunk)))
            out.append(numbers[cid])
        return tuple(sorted(dict.fromkeys(out)))

    def statement(d: Draft) -> Statement:
        return Statement(
            text=d.text, citations=cite(d.chunk_ids), group=d.group, support=d.support, flagged=d.flagged
        )

    sections: list[AnswerSection] = []
    for tier in tier_order(audience):
        mine = [d for d in drafts if d.tier is tier]
        if not mine:
            continue
        leads = [d for d in mine if d.is_lead]
        lead_draft = leads[0] if leads else mine[0]
        lead = statement(lead_draft)
        bullets = tuple(statement(d) for d in mine if d is not lead_draft)
        sections.append(AnswerSection(tier=tier, heading=tier.heading, lead=lead, bullets=bullets))
    return tuple(sections), tuple(citations)
