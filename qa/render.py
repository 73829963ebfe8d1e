"""Answer rendering: the `ask --json` shape (issue 4 item 9) and a readable terminal form.

Citations are rendered from `Answer.citations`, never parsed out of text (STYLE.md 2). For a
lossless, round-trippable form (the review store) use `review.codec`.
"""

from __future__ import annotations

from typing import Any

from medcite.types import Answer, Citation, QueryRewrite, Statement


def _refs(citations: tuple[int, ...]) -> str:
    return f"[{', '.join(str(n) for n in citations)}]" if citations else ""


def cited_text(statement: Statement) -> str:
    """The sentence with its citation marks before the final full stop: 'X is used [1, 3].'"""
    text = statement.text.rstrip()
    marks = _refs(statement.citations)
    if not marks:
        return text
    if text.endswith((".", "!", "?")):
        return f"{text[:-1]} {marks}{text[-1]}"
    return f"{text} {marks}"


def reference_json(c: Citation) -> dict[str, Any]:
    ch = c.chunk
    return {
        "n": c.n,
        "tier": ch.tier.value,
        "title": ch.title,
        "source": ch.publisher or ch.collection,
        "year": ch.year,
        "evidence_level": c.evidence.label,
        "study_design": c.evidence.study_design.value if c.evidence.study_design else None,
        "url": ch.url,
        "doc_id": ch.doc_id,
        "chunk_id": ch.chunk_id,
        # every cited passage of this source (one reference per document)
        "passages": [
            {
                "chunk_id": h.chunk.chunk_id,
                "doc_id": h.chunk.doc_id,
                "title": h.chunk.title,
                "section": h.chunk.section,
            }
            for h in c.hits
        ],
    }


def query_rewrite_json(rewrite: QueryRewrite | None) -> dict[str, Any] | None:
    """How the question was searched (issue 16): cleaned text, corrections, name mappings, the query
    the retrievers saw and the line the chat shows (`searched_for`, null when nothing changed)."""
    if rewrite is None:
        return None
    return {
        "original": rewrite.original,
        "cleaned": rewrite.cleaned,
        "text": rewrite.text,
        "search_query": rewrite.search_query,
        "corrections": [{"typed": c.typed, "corrected": c.corrected} for c in rewrite.corrections],
        "name_mappings": [
            {"name": m.name, "mapped_to": m.mapped_to, "kind": m.kind} for m in rewrite.name_mappings
        ],
        "searched_for": rewrite.display if rewrite.changed else None,
    }


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """The `medcite ask --json` object. `notices` and `closest_topics` are added beside the issue's
    keys because an abstention or emergency answer says what it says only through them."""
    return {
        "answer_id": answer.answer_id,
        "question": answer.question,
        "rewritten_query": answer.rewritten_query,
        "audience": answer.audience,
        "abstained": answer.abstained,
        "emergency": answer.emergency,
        "sections": [
            {
                "tier": s.tier.value,
                "heading": s.heading,
                "lead": {"text": s.lead.text, "citations": list(s.lead.citations)},
                "bullets": [
                    {"text": b.text, "citations": list(b.citations), "group": b.group, "support": b.support}
                    | ({"flagged": True} if b.flagged else {})
                    for b in s.bullets
                ],
            }
            for s in answer.sections
        ],
        "references": [reference_json(c) for c in answer.citations],
        "disclaimer": answer.disclaimer,
        "follow_ups": list(answer.follow_ups),
        "review_status": answer.review_status,
        "evidence_as_of": answer.evidence_as_of,
        "corpus_hash": answer.corpus_hash,
        "settings_hash": answer.settings_hash,
        "timings_ms": dict(answer.timings_ms),
        "notices": list(answer.notices),
        "closest_topics": list(answer.closest_topics),
        "query_rewrite": query_rewrite_json(answer.query_rewrite),
    }


def render_terminal(answer: Answer) -> str:
    """Plain-text answer: notices, tier sections with grouped bullets, references, disclaimer."""
    lines: list[str] = [answer.question]
    if answer.query_rewrite is not None and answer.query_rewrite.changed:
        lines.append(f"({answer.query_rewrite.display})")
    elif answer.rewritten_query and answer.rewritten_query != answer.question:
        lines.append(f"(searched as: {answer.rewritten_query})")
    status = f"Review status: {answer.review_status}"
    if answer.evidence_as_of:
        status += f" · evidence as of {answer.evidence_as_of}"
    lines += [status, ""]
    for notice in answer.notices:
        lines += [f"! {notice}", ""]
    if answer.closest_topics:
        lines += ["Closest topics in the library:", *(f"  - {t}" for t in answer.closest_topics), ""]
    for section in answer.sections:
        lines += [section.heading, "-" * len(section.heading), cited_text(section.lead)]
        group = None
        for b in section.bullets:
            if b.group != group:
                group = b.group
                lines.append(f"  {group or 'Details'}:")
            flag = " (unverified)" if b.flagged else ""
            lines.append(f"    • {cited_text(b)}{flag}")
        lines.append("")
    if answer.citations:
        lines.append("References")
        for c in answer.citations:
            ch = c.chunk
            source = ch.publisher or ch.collection
            year = f", {ch.year}" if ch.year else ""
            lines.append(
                f"  [{c.n}] {ch.title} — {source}{year}. {ch.tier.heading.replace('From the ', '')}; "
                f"{c.evidence.label}.{' ' + ch.url if ch.url else ''}"
            )
            if c.more:  # one reference per source: name each cited passage of it
                cited = "; ".join(dict.fromkeys(h.chunk.section or h.chunk.title for h in c.hits))
                lines.append(f"      passages cited: {cited}")
        lines.append("")
    if answer.follow_ups:
        lines += ["You could ask next:", *(f"  - {q}" for q in answer.follow_ups), ""]
    lines.append(answer.disclaimer)
    return "\n".join(lines)
