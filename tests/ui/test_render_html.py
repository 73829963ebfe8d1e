"""Unit tests of the answer renderer: order of the anatomy, citation links, escaping, safe links."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from ui_fakes import DISCLAIMERS, FakeEngine

from medcite.types import Answer
from ui.render_html import (
    Turn,
    anchor_id,
    evidence_label,
    render_answer,
    render_conversation,
    render_setup_error,
    safe_url,
    strip_markers,
    supporting_sentence,
)


def _answer(
    question: str = "What is the treatment for dermatomyositis?", audience: str = "clinician"
) -> Answer:
    *_, final = FakeEngine().ask_stream(question, audience)  # type: ignore[arg-type]
    return final


class _Collector(HTMLParser):
    """Collects tags, attributes and text so tests check the DOM a browser would build."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Collector:
    c = _Collector()
    c.feed(markup)
    c.close()
    return c


def test_sections_render_in_tier_order_with_headings_and_groups() -> None:
    html = render_answer(_answer())
    positions = [
        html.index(h) for h in ("From the Guidelines", "From the FDA Drug Label", "From the Research")
    ]
    assert positions == sorted(positions)
    assert html.index("References") > positions[-1]
    assert "Key treatment components" in html and "Dosing" in html
    assert html.index(DISCLAIMERS["clinician"]) > html.index("References")


def test_citation_markers_link_to_reference_anchors_that_exist() -> None:
    answer = _answer()
    dom = _parse(render_answer(answer))
    ids = {a.get("id") for _, a in dom.tags if a.get("id")}
    hrefs = [a["href"] for t, a in dom.tags if t == "a" and "mc-cite" in (a.get("class") or "")]
    assert hrefs, "no citation markers rendered"
    for href in hrefs:
        assert href and href.startswith("#ref-") and href[1:] in ids
    assert {anchor_id(answer, c.n) for c in answer.citations} <= ids


def test_unresolved_citation_number_is_shown_unlinked() -> None:
    html = render_answer(_answer())
    assert '<span class="mc-cite mc-cite-missing">9</span>' in html


def test_textual_markers_are_not_doubled() -> None:
    assert strip_markers("Corticosteroids are first line [1].") == "Corticosteroids are first line."
    assert strip_markers("Use IVIG [2, 5] [7]") == "Use IVIG"
    assert strip_markers("Dose is 1 mg/kg [per day]") == "Dose is 1 mg/kg [per day]"
    html = render_answer(_answer())
    assert "first line [1]." not in html


def test_hostile_corpus_text_is_inert() -> None:
    html = render_answer(_answer())
    dom = _parse(html)
    tags = {t for t, _ in dom.tags}
    assert "script" not in tags and "img" not in tags
    for _, attrs in dom.tags:
        assert not any(k.startswith("on") for k in attrs), attrs
        for value in attrs.values():
            assert "javascript:" not in (value or "").lower()
    text = "".join(dom.text)
    assert "<script>window.__pwned=1</script>" in text  # visible as text
    assert "[x](javascript:alert(1))" in text


def test_only_http_links_are_linked() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("http://example.org") == "http://example.org"
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "ftp://example.org",
        "",
        None,
        "https://",
    ):
        assert safe_url(bad) is None, bad
    html = render_answer(_answer())
    dom = _parse(html)
    links = [a["href"] for t, a in dom.tags if t == "a" and "mc-link" in (a.get("class") or "")]
    assert links == ["https://example.org/guideline", "http://example.org/rct"]
    assert '<span class="mc-link-text">javascript:alert(1)</span>' in html


def test_references_carry_tier_and_evidence_badges_year_and_source() -> None:
    html = render_answer(_answer())
    refs = re.findall(r'<li class="mc-ref".*?</li>', html)
    assert len(refs) == 4
    assert "mc-badge-guideline" in refs[0] and "Grade B" in refs[0] and "2022" in refs[0]
    assert "American College of Rheumatology" in refs[0]
    assert "mc-badge-drug_label" in refs[1] and "2023-04-01" in refs[1] and "Indications and Usage" in refs[1]
    assert (
        "mc-badge-research" in refs[3] and "randomised controlled trial" in refs[3] and "Level 2" in refs[3]
    )
    # the design is not repeated when the label already names it
    assert refs[2].count("narrative review") == 1


def test_evidence_panel_is_collapsed_and_highlights_supporting_sentence() -> None:
    html = render_answer(_answer())
    details = re.search(r'<details class="mc-evidence">(.*?)</details>', html, re.S)
    assert details is not None and "open" not in html[details.start() : details.start() + 40]
    assert "<mark>Methotrexate reduced cumulative steroid dose in adults with dermatomyositis.</mark>" in html
    assert "<mark>Prednisone is usually started at 1 mg/kg/day.</mark>" in html


def test_supporting_sentence_picks_best_overlap_or_none() -> None:
    passage = "Aspirin lowers fever. Prednisone is started at 1 mg/kg/day in adults. Rest helps."
    span = supporting_sentence(passage, ["Prednisone is usually started at 1 mg/kg/day."])
    assert (
        span is not None and passage[span[0] : span[1]] == "Prednisone is started at 1 mg/kg/day in adults."
    )
    assert supporting_sentence(passage, ["Quantum chromodynamics of gluons."]) is None
    assert supporting_sentence("", ["x"]) is None


def test_review_status_caution_until_approved() -> None:
    answer = _answer()
    html = render_answer(answer, updated="2025-01-02")
    assert "Submitted" in html and "pending human review" in html and "Last updated 2025-01-02" in html
    approved = render_answer(replace(answer, review_status="Approved"))
    assert "mc-status-approved" in approved and "pending human review" not in approved


def test_emergency_and_abstention_notices_come_first_and_differ() -> None:
    emergency = _answer("I have chest pain and cannot breathe")
    html = render_answer(emergency)
    assert html.index("mc-notice-emergency") < html.index("mc-review")
    abstain = render_answer(_answer("What is the capital of France?"))
    assert "mc-notice-abstain" in abstain and "mc-notice-emergency" not in abstain
    assert abstain.index("mc-notice-abstain") < abstain.index("mc-review")
    assert "Closest topics" in abstain and "Dermatomyositis" in abstain


def test_rewritten_query_shown_only_when_different() -> None:
    answer = _answer()
    assert "Searching for" not in render_answer(answer)
    html = render_answer(replace(answer, rewritten_query="treatment of dermatomyositis <b>children</b>"))
    assert "Searching for: <q>treatment of dermatomyositis &lt;b&gt;children&lt;/b&gt;</q>" in html


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_audience_disclaimer_rendered(audience: str) -> None:
    assert DISCLAIMERS[audience] in render_answer(_answer(audience=audience))


def test_conversation_marks_only_last_turn_in_progress_and_escapes_questions() -> None:
    a = _answer()
    turns = [Turn("first <i>q</i>", a), Turn("second", None)]
    html = render_conversation(turns, streaming=True)
    assert "first &lt;i&gt;q&lt;/i&gt;" in html
    assert html.count("Searching the library") == 1 and "Composing the answer" not in html
    assert "Ask a medical question" in render_conversation([])
    assert "mc-notice-error" in render_conversation([Turn("q", error="Index <missing>")])


def test_setup_error_names_command_escaped() -> None:
    html = render_setup_error("No index under /x <y>.", "medcite ingest")
    assert '<pre class="mc-cmd">medcite ingest</pre>' in html and "&lt;y&gt;" in html


def test_evidence_label_drops_a_repeated_tier_name() -> None:
    answer = _answer()
    guideline, label = answer.citations[0], answer.citations[1]
    assert evidence_label(guideline) == "ACR 2022"
    assert evidence_label(label) == "Indications and Usage"
    assert evidence_label(answer.citations[3]) == "Level 2"


def test_grade_badge_unless_the_label_already_gives_it() -> None:
    answer = _answer()
    c = answer.citations[0]
    with_a = replace(c, evidence=replace(c.evidence, label="Guideline · ACR 2022", grade="A"))
    named = replace(c, evidence=replace(c.evidence, label="USPSTF · Grade A", grade="A"))
    assert "Grade A</span>" in render_answer(replace(answer, citations=(with_a,)))
    assert render_answer(replace(answer, citations=(named,))).count("Grade A") == 1


def test_evidence_panel_lists_every_cited_passage_of_one_reference() -> None:
    answer = _answer()
    first, second, *rest = answer.citations
    merged = replace(first, more=(second.hit,))  # two passages of one source under one number
    html = render_answer(replace(answer, citations=(merged, *rest)))
    details = re.search(r'<details class="mc-evidence">(.*?)</details>', html, re.S)
    assert details is not None
    panel = details.group(1)
    assert panel.count('class="mc-passage"') == len(answer.citations)  # every passage still shown
    assert panel.count(f"[{first.n}] ") == 1 and f"[{second.n}] " not in panel
    assert second.chunk.text.split(".")[0] in panel
