"""Plain-text/Markdown views of a stored answer for reviewers (CLI `review show` and the Review tab).

Pure functions.  Source text is untrusted (issue 9): Markdown output escapes HTML and Markdown
control characters so a passage cannot inject markup or links into the reviewer's page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcite.types import Answer
from review.answers import AnswerRecord
from review.reviews import ReviewEvent

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def escape_md(text: str) -> str:
    """Neutralise HTML and Markdown syntax in untrusted text."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _cites(ns: Sequence[int]) -> str:
    return f" [{', '.join(str(n) for n in ns)}]" if ns else ""


def answer_markdown(answer: Answer, record: AnswerRecord, events: Sequence[ReviewEvent]) -> str:
    """Everything a reviewer needs on one page: status, question, sections with citation numbers,
    each cited passage in full with its source and evidence level, and the review history."""
    e = escape_md
    out = [
        f"### {e(record.question)}",
        f"**Status:** {record.status} · **Audience:** {e(record.audience)} · "
        f"**Answer id:** {e(record.answer_id)}",
        "",
        f"Created {record.created_at[:16]} · last updated {record.updated_at[:16]} · "
        f"corpus {e(record.corpus_hash) or '?'} · settings {e(record.settings_hash) or '?'}",
        "",
    ]
    if answer.rewritten_query and answer.rewritten_query != answer.question:
        out.append(f"_Searched for:_ {e(answer.rewritten_query)}\n")
    out += [f"> {e(n)}\n" for n in answer.notices]
    if answer.abstained:
        out.append("**The engine abstained (not enough evidence).**\n")
    for section in answer.sections:
        out.append(f"#### {e(section.heading)}")
        out.append(f"{e(section.lead.text)}{_cites(section.lead.citations)}\n")
        group = None
        for b in section.bullets:
            if b.group and b.group != group:
                group = b.group
                out.append(f"**{e(group)}**\n")
            flag = " ⚠ low support" if b.flagged else ""
            out.append(f"- {e(b.text)}{_cites(b.citations)}{flag}")
        out.append("")
    out.append("#### Evidence passages")
    for c in answer.citations:
        ch = c.chunk
        source = " · ".join(x for x in (ch.publisher, str(ch.year or ""), ch.section) if x)
        out.append(f"**[{c.n}] {e(ch.title)}** — {e(ch.tier.value)} · {e(source)} · {e(c.evidence.label)}")
        for h in c.hits:  # every cited passage of the source
            head = f"_{e(h.chunk.section)}_: " if len(c.hits) > 1 and h.chunk.section else ""
            out.append(f"> {head}{e(h.chunk.text)}\n")
    if answer.disclaimer:
        out.append(f"_{e(answer.disclaimer)}_\n")
    out.append("#### Review history")
    for ev in events:
        who = e(ev.reviewer) if ev.reviewer else "engine"
        move = f"{ev.from_status} → {ev.to_status}" if ev.from_status else ev.to_status
        note = f": {e(ev.comment)}" if ev.comment else ""
        out.append(f"- {ev.created_at[:16]} · {move} · {who}{note}")
    return "\n".join(out)


def records_table(records: Sequence[AnswerRecord], width: int = 70) -> str:
    """Fixed-width text table for `medcite review list`."""
    if not records:
        return "No answers."
    lines = [f"{'ID':<18} {'STATUS':<13} {'AUDIENCE':<10} {'CREATED':<17} QUESTION"]
    for r in records:
        q = r.question if len(r.question) <= width else r.question[: width - 1] + "…"
        lines.append(f"{r.answer_id:<18} {r.status:<13} {r.audience:<10} {r.created_at[:16]:<17} {q}")
    return "\n".join(lines)
