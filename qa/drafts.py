"""Draft statements: the composer's and the LLM parser's common output before citation numbering.

Drafts carry chunk ids, not numbers, so sentences can be dropped (support check) or rewritten
(audience) without ever leaving a dangling citation; `assemble` numbers citations in display order
at the very end, so every [n] resolves and no reference is unused.  Numbers belong to source documents
(`medcite.types.source_key`), not passages: two chunks of one document share one number and one
reference, which lists both passages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medcite.types import TIERS, AnswerSection, Citation, Hit, Statement, Tier, source_key
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
    """Sections in tier order (lead, then bullets) with one reference per source document, numbered
    by first citation."""
    numbers: dict[str, int] = {}  # source key -> reference number
    passages: dict[str, list[Hit]] = {}  # source key -> its cited passages, in citation order

    def cite(ids: Sequence[str]) -> tuple[int, ...]:
        out = []
        for cid in ids:
            if cid not in hits:
                continue  # never number a passage that was not retrieved
            hit = hits[cid]
            key = source_key(hit.chunk)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                passages[key] = []
            if all(h.chunk_id != cid for h in passages[key]):
                passages[key].append(hit)
            out.append(numbers[key])
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
    citations = tuple(
        Citation(n=numbers[key], hit=cited[0], evidence=evidence_for(cited[0].chunk), more=tuple(cited[1:]))
        for key, cited in passages.items()
    )
    return tuple(sections), citations
