"""Answer -> HTML for the web chat, built from the typed `Answer` record (never by parsing text).

Pure functions, no Gradio import. Safety rule: every string that comes from the corpus, the user or
the engine passes through `html.escape` before it reaches markup, and links are emitted only for
http(s) URLs, so a hostile document (`<script>`, `<img onerror=...>`, `[x](javascript:...)`) shows
as inert text. Markdown is never interpreted: text stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from medcite.types import Answer, AnswerSection, Citation, QueryRewrite, Statement, Tier, mapping_text
from review.rules import approval_badge

TIER_BADGE: dict[Tier, str] = {
    Tier.GUIDELINE: "Guideline",
    Tier.DRUG_LABEL: "FDA label",
    Tier.RESEARCH: "Research",
    Tier.PATIENT_INFO: "Patient info",
}

# Trailing "[1]", "[3, 5]" or "[2-4]" that a composer may already have appended to a sentence; we
# re-render markers from `Statement.citations`, so the textual copy is dropped to avoid doubling.
_TRAILING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*[,;–-]\s*\d+)*\])+\s*([.!?]?)\s*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
_WORD = re.compile(r"[a-z0-9]+")
# Words too common to say which passage sentence supports a statement.
_STOP = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "of"}
    | {"on", "or", "that", "the", "this", "to", "was", "were", "with"}
)


@dataclass(frozen=True)
class Approval:
    """Who approved a stored answer through medical review, and when (`approved_at` is ISO 8601)."""

    approved_at: str
    reviewer: str

    @property
    def badge(self) -> str:
        """The badge text `review.store` puts first in an approved answer's notices."""
        return approval_badge(self.approved_at, self.reviewer)


@dataclass(frozen=True)
class Turn:
    """One exchange in the visible conversation; `answer` is None while it is still being produced."""

    question: str
    answer: Answer | None = None
    updated: str | None = None  # "last updated" shown on the answer (date the answer was produced)
    error: str | None = None
    approval: Approval | None = None  # set when the answer was served from medical review


def esc(text: object) -> str:
    """Escape any value for HTML text and attribute context."""
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """Return the URL when it is an absolute http(s) link, else None (shown as text, never linked)."""
    if not url:
        return None
    candidate = url.strip()
    # Browsers ignore ASCII control characters and whitespace inside a scheme ("java\tscript:"), so a
    # URL containing any of them is refused outright rather than normalised.
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return candidate


def anchor_id(answer: Answer, n: int) -> str:
    """Element id of reference n of this answer; unique across the answers of a conversation."""
    return f"ref-{_slug(answer.answer_id)}-{n}"


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", value)[:32] or "answer"


def strip_markers(text: str) -> str:
    """Remove trailing textual citation markers; the renderer adds linked ones from the record."""
    return _TRAILING_MARKERS.sub(lambda m: m.group(1), text).rstrip()


def render_markers(answer: Answer, numbers: Sequence[int]) -> str:
    """Linked inline citation markers, e.g. `[1, 3]`, each number jumping to its reference."""
    known = {c.n for c in answer.citations}
    links = []
    for n in numbers:
        if n in known:
            links.append(f'<a class="mc-cite" href="#{anchor_id(answer, n)}" data-ref="{n}">{n}</a>')
        else:  # an unresolved number is shown, unlinked, so the defect is visible rather than hidden
            links.append(f'<span class="mc-cite mc-cite-missing">{int(n)}</span>')
    return f'<sup class="mc-cites">[{", ".join(links)}]</sup>' if links else ""


def render_statement(answer: Answer, statement: Statement) -> str:
    flag = ' <span class="mc-flag" title="Weakly supported by the cited passage">unverified</span>'
    return (
        f"{esc(strip_markers(statement.text))}{render_markers(answer, statement.citations)}"
        f"{flag if statement.flagged else ''}"
    )


def render_section(answer: Answer, section: AnswerSection) -> str:
    """One tier section: heading, lead sentence, bullets grouped under their group headings."""
    groups: dict[str, list[Statement]] = {}
    for bullet in section.bullets:
        groups.setdefault(bullet.group, []).append(bullet)
    parts = [
        f'<section class="mc-section mc-tier-{esc(section.tier.value)}">',
        f'<h3 class="mc-section-heading">{esc(section.heading or section.tier.heading)}</h3>',
        f'<p class="mc-lead">{render_statement(answer, section.lead)}</p>',
    ]
    for group, bullets in groups.items():
        if group:
            parts.append(f'<h4 class="mc-group">{esc(group)}</h4>')
        items = "".join(f"<li>{render_statement(answer, b)}</li>" for b in bullets)
        parts.append(f'<ul class="mc-bullets">{items}</ul>')
    parts.append("</section>")
    return "".join(parts)


def _tier_badge(tier: Tier) -> str:
    return f'<span class="mc-badge mc-badge-{esc(tier.value)}">{esc(TIER_BADGE.get(tier, tier.value))}</span>'


# First words of an evidence label that only repeat the tier badge next to it.
_TIER_WORDS = frozenset(
    {"guideline", "fda label", "fda drug label", "drug label", "label", "research", "patient information"}
    | {"patient info"}
)


def evidence_label(citation: Citation) -> str:
    """The evidence badge text without a leading tier name (the tier badge already says it)."""
    parts = [p.strip() for p in (citation.evidence.label or "").split("·")]
    if len(parts) > 1 and parts[0].lower() in _TIER_WORDS:
        parts = parts[1:]
    return " · ".join(p for p in parts if p)


def _evidence_badges(citation: Citation) -> str:
    ev = citation.evidence
    badges = []
    label = evidence_label(citation)
    if label:
        badges.append(f'<span class="mc-badge mc-badge-level">{esc(label)}</span>')
    design = ev.study_design.value if ev.study_design is not None else None
    if design and design.lower() not in (ev.label or "").lower():
        badges.append(f'<span class="mc-badge mc-badge-design">{esc(design)}</span>')
    # a one-letter grade ("A") is a substring of many labels, so look for the phrase "grade A"
    if ev.grade and f"grade {ev.grade}".lower() not in (ev.label or "").lower():
        badges.append(f'<span class="mc-badge mc-badge-grade">Grade {esc(ev.grade)}</span>')
    return "".join(badges)


def render_reference(answer: Answer, citation: Citation) -> str:
    """One References entry: tier badge, evidence badges, title, source, year, link."""
    chunk = citation.chunk
    source = chunk.publisher or chunk.collection
    when = chunk.date or (str(chunk.year) if chunk.year else "")
    url = safe_url(chunk.url)
    if url:
        link = (
            f'<a class="mc-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>'
        )
    elif chunk.url:
        link = f'<span class="mc-link-text">{esc(chunk.url)}</span>'
    else:
        link = ""
    meta = " · ".join(
        esc(p) for p in (source, when, chunk.section if chunk.section != chunk.title else "") if p
    )
    return (
        f'<li class="mc-ref" id="{anchor_id(answer, citation.n)}">'
        f'<span class="mc-ref-n">{citation.n}.</span> '
        f"{_tier_badge(chunk.tier)}{_evidence_badges(citation)} "
        f'<span class="mc-ref-title">{esc(chunk.title)}</span>'
        f"{f' <span class=mc-ref-meta>{meta}</span>' if meta else ''}"
        f"{f' {link}' if link else ''}"
        "</li>"
    )


def supporting_sentence(passage: str, statements: Sequence[str]) -> tuple[int, int] | None:
    """Character span of the passage sentence that best supports any of the statements.

    Word-overlap (Jaccard on content words) is enough here: the extractive composer takes or
    condenses passage sentences, so the supporting sentence shares most of its words.
    """
    wanted = [_content_words(s) for s in statements]
    wanted = [w for w in wanted if w]
    if not wanted or not passage.strip():
        return None
    best: tuple[float, int, int] | None = None
    pos = 0
    for sentence in _SENTENCE_SPLIT.split(passage):
        start = passage.find(sentence, pos)
        if start < 0:
            continue
        pos = start + len(sentence)
        words = _content_words(sentence)
        if not words:
            continue
        score = max(len(words & w) / len(words | w) for w in wanted)
        if best is None or score > best[0]:
            best = (score, start, pos)
    if best is None or best[0] < 0.15:
        return None
    return best[1], best[2]


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def render_passage(answer: Answer, citation: Citation) -> str:
    """The exact cited passages of one reference (one source document may be cited by several),
    escaped, each with its supporting sentence wrapped in <mark>."""
    statements = [
        strip_markers(s.text)
        for sec in answer.sections
        for s in (sec.lead, *sec.bullets)
        if citation.n in s.citations
    ]
    parts = []
    for i, hit in enumerate(citation.hits):
        text = hit.chunk.text
        span = supporting_sentence(text, statements)
        if span is None:
            body = esc(text)
        else:
            a, b = span
            body = f"{esc(text[:a])}<mark>{esc(text[a:b])}</mark>{esc(text[b:])}"
        head = f"[{citation.n}] {esc(hit.chunk.title)}" if i == 0 else esc(hit.chunk.title)
        parts.append(
            f'<div class="mc-passage"><div class="mc-passage-head">{head}'
            f"{f' — {esc(hit.chunk.section)}' if hit.chunk.section else ''}</div>"
            f'<p class="mc-passage-text">{body}</p></div>'
        )
    return "".join(parts)


def render_review(answer: Answer, updated: str | None, approval: Approval | None = None) -> str:
    """Review status badge; an approved answer names its reviewer and date instead of the caution."""
    status = answer.review_status
    cls = {"Approved": "approved", "Under Review": "review", "Rejected": "rejected"}.get(status, "submitted")
    parts = [f'<div class="mc-review"><span class="mc-status mc-status-{cls}">{esc(status)}</span>']
    if status == "Approved" and approval is not None:
        parts.append(f'<span class="mc-approval">{esc(approval.badge)}</span>')
    if updated:
        parts.append(f'<span class="mc-updated">Last updated {esc(updated)}</span>')
    parts.append("</div>")
    if status != "Approved":
        parts.append(
            '<div class="mc-caution" role="note">This answer is pending human review: it was assembled '
            "automatically from the sources below and has not yet been checked by a clinician.</div>"
        )
    return "".join(parts)


def render_notices(answer: Answer, skip: str | None = None) -> str:
    """Emergency and abstention notices come first and look different from normal content; `skip` is
    a notice already shown elsewhere (the approval badge, shown with the review status)."""
    parts = []
    notices = tuple(n for n in answer.notices if n != skip) if skip else answer.notices
    for i, notice in enumerate(notices):
        # The engine puts the emergency notice first (issue 4 item 5); abstention notices follow.
        kind = "emergency" if answer.emergency and i == 0 else "abstain" if answer.abstained else "info"
        parts.append(f'<div class="mc-notice mc-notice-{kind}" role="alert">{esc(notice)}</div>')
    if answer.emergency and not notices:
        parts.append(
            '<div class="mc-notice mc-notice-emergency" role="alert">This may be an emergency. '
            "Call your local emergency number or go to the nearest emergency department now.</div>"
        )
    if answer.abstained:
        if not notices:
            parts.append(
                '<div class="mc-notice mc-notice-abstain" role="alert">Not enough evidence: the sources '
                "in MedCite's library do not cover this question well enough to answer it.</div>"
            )
        if answer.closest_topics:
            items = "".join(f"<li>{esc(t)}</li>" for t in answer.closest_topics)
            parts.append(f'<div class="mc-closest">Closest topics in the library:<ul>{items}</ul></div>')
    return "".join(parts)


def render_query_rewrite(rewrite: QueryRewrite) -> str:
    """'Searching for: <q>...</q>' with the spelling corrections and other names searched (issue 16)."""
    parts = [f'<div class="mc-rewritten">Searching for: <q>{esc(rewrite.text)}</q>']
    if rewrite.corrections:
        fixed = ", ".join(f"<s>{esc(c.typed)}</s> → {esc(c.corrected)}" for c in rewrite.corrections)
        parts.append(f'<span class="mc-corrections"> · spelling: {fixed}</span>')
    if rewrite.name_mappings:
        names = ", ".join(esc(mapping_text(m)) for m in rewrite.name_mappings)
        parts.append(f'<span class="mc-names"> · also searched: {names}</span>')
    parts.append("</div>")
    return "".join(parts)


def render_answer(
    answer: Answer, *, updated: str | None = None, final: bool = True, approval: Approval | None = None
) -> str:
    """The whole answer card in the order of DESIGN.md section 1."""
    parts = [f'<article class="mc-answer" data-answer-id="{esc(answer.answer_id)}">']
    parts.append(render_notices(answer, skip=approval.badge if approval is not None else None))
    parts.append(render_review(answer, updated, approval))
    if answer.query_rewrite is not None and answer.query_rewrite.changed:
        parts.append(render_query_rewrite(answer.query_rewrite))
    elif answer.rewritten_query and answer.rewritten_query.strip() != answer.question.strip():
        parts.append(f'<div class="mc-rewritten">Searching for: <q>{esc(answer.rewritten_query)}</q></div>')
    parts.extend(render_section(answer, s) for s in answer.sections)
    if answer.citations:
        refs = "".join(render_reference(answer, c) for c in sorted(answer.citations, key=lambda c: c.n))
        parts.append(f'<section class="mc-references"><h3>References</h3><ol>{refs}</ol></section>')
        passages = "".join(render_passage(answer, c) for c in sorted(answer.citations, key=lambda c: c.n))
        parts.append(
            '<details class="mc-evidence"><summary>Evidence: the exact cited passages</summary>'
            f"{passages}</details>"
        )
    if answer.evidence_as_of:
        parts.append(f'<div class="mc-asof">Evidence as of {esc(answer.evidence_as_of)}</div>')
    if not final:
        parts.append('<div class="mc-progress" aria-live="polite">Composing the answer…</div>')
    if answer.disclaimer:
        parts.append(f'<div class="mc-disclaimer">{esc(answer.disclaimer)}</div>')
    parts.append("</article>")
    return "".join(parts)


def render_turn(turn: Turn, *, final: bool = True) -> str:
    question = f'<div class="mc-question"><span class="mc-you">You asked</span> {esc(turn.question)}</div>'
    if turn.error:
        body = f'<div class="mc-notice mc-notice-error" role="alert">{esc(turn.error)}</div>'
    elif turn.answer is None:
        body = '<div class="mc-progress" aria-live="polite">Searching the library…</div>'
    else:
        body = render_answer(turn.answer, updated=turn.updated, final=final, approval=turn.approval)
    return f'<div class="mc-turn">{question}{body}</div>'


def render_conversation(turns: Sequence[Turn], *, streaming: bool = False) -> str:
    """All turns, oldest first; while streaming, the last turn is marked as still in progress."""
    if not turns:
        return (
            '<div class="mc-empty">Ask a medical question, for example <q>What is the treatment for '
            "dermatomyositis?</q> Every statement in the answer is cited to a guideline, FDA drug label, "
            "research abstract or patient information page.</div>"
        )
    last = len(turns) - 1
    body = "".join(render_turn(t, final=not (streaming and i == last)) for i, t in enumerate(turns))
    return f'<div class="mc-conversation">{body}</div>'


def render_setup_error(message: str, command: str | None) -> str:
    """The page shown instead of the chat when the index cannot be opened."""
    cmd = (
        f'<p>Run this command, then restart the app:</p><pre class="mc-cmd">{esc(command)}</pre>'
        if command
        else ""
    )
    return (
        '<div class="mc-notice mc-notice-error mc-setup" role="alert"><strong>MedCite is not ready.</strong>'
        f"<p>{esc(message)}</p>{cmd}</div>"
    )
