"""The named-question checks of issues 16 and 17 (evals/done_when.py): each passes on an answer that
meets it and fails on the answer the issue describes."""

from __future__ import annotations

from dataclasses import replace

from eval_fakes import WordOverlapRetriever, answer, chunk, hits

from evals import done_when as dw
from medcite.types import EvidenceLevel, StudyDesign, Tier

PREDNISONE = chunk(
    "label:prednisone",
    "Collagen Diseases: systemic dermatomyositis (polymyositis), systemic lupus erythematosus.",
    tier=Tier.DRUG_LABEL,
)
NINDS = chunk(
    "medquad:ninds-1",
    "Dermatomyositis is first treated with high doses of prednisone. Immunosuppressant drugs, such as "
    "azathioprine and methotrexate, may reduce inflammation. Physical therapy and exercise help.",
    tier=Tier.PATIENT_INFO,
)


def test_relevant_in_top_three_needs_the_focus_in_one_of_the_first_three() -> None:
    found = hits(
        [chunk("a", "Cysts of the jaw"), chunk("b", "Joint disorders"), chunk("c", "Hemorrhoids heal")]
    )
    assert dw.relevant_in_top(found, ("hemorrhoid", "fissure")).ok
    assert not dw.relevant_in_top(found[:2], ("hemorrhoid", "fissure")).ok  # today's failure
    assert not dw.relevant_in_top(found, ("hemorrhoid",), k=2).ok  # third place is out of the top 2


def test_an_abstention_or_uncited_answer_is_not_answered_with_citations() -> None:
    assert dw.answered_with_citations(answer("q", [("Scabies: ivermectin tablets.", (1,))], cited=[NINDS])).ok
    assert not dw.answered_with_citations(answer("q", abstained=True)).ok
    assert not dw.answered_with_citations(answer("q", [("Scabies: ivermectin.", ())], cited=[NINDS])).ok


def test_a_treatment_counts_only_when_named_with_a_citation_that_resolves() -> None:
    good = answer("q", [("Azathioprine and methotrexate may reduce inflammation [1].", (1,))], cited=[NINDS])
    assert dw.names_with_resolving_citation(good, "azathioprine", ("azathioprine",)).ok
    dangling = answer("q", [("Azathioprine may reduce inflammation [2].", (2,))], cited=[NINDS])
    assert not dw.names_with_resolving_citation(dangling, "azathioprine", ("azathioprine",)).ok
    assert not dw.names_with_resolving_citation(good, "rituximab", ("rituximab",)).ok


def test_the_label_section_must_cite_a_label_naming_the_condition() -> None:
    label = answer(
        "q",
        [("Prednisone is indicated in dermatomyositis [1].", (1,))],
        cited=[PREDNISONE],
        tier=Tier.DRUG_LABEL,
    )
    assert dw.label_section_lists(label, "dermatomyositis").ok
    other = chunk("label:x", "Indicated for hypertension.", tier=Tier.DRUG_LABEL)
    wrong = answer("q", [("X lowers blood pressure [1].", (1,))], cited=[other], tier=Tier.DRUG_LABEL)
    assert not dw.label_section_lists(wrong, "dermatomyositis").ok
    no_section = answer("q", [("Prednisone is used [1].", (1,))], cited=[PREDNISONE], tier=Tier.PATIENT_INFO)
    assert not dw.label_section_lists(no_section, "dermatomyositis").ok


def test_two_references_to_one_document_or_one_page_fail() -> None:
    twice = answer("q", [("a [1].", (1,)), ("b [2].", (2,))], cited=[NINDS, replace(NINDS, chunk_id="other")])
    check = dw.one_reference_per_document(twice)
    assert not check.ok and "[1]/[2]" in check.detail
    same_url = [
        replace(NINDS, url="https://ninds/x"),
        replace(NINDS, doc_id="medquad:ninds-2", url="https://ninds/x"),
    ]
    assert not dw.one_reference_per_document(answer("q", [("a [1].", (1,))], cited=same_url)).ok
    assert dw.one_reference_per_document(answer("q", [("a [1].", (1,))], cited=[NINDS, PREDNISONE])).ok


def test_a_research_reference_without_a_design_fails() -> None:
    a = answer("q", [("a [1].", (1,))], cited=[chunk("pubmed:1", "Trial.")])
    assert not dw.research_designs(a).ok
    designed = EvidenceLevel(label="RCT", study_design=StudyDesign.RCT)
    a = replace(a, citations=tuple(replace(c, evidence=designed) for c in a.citations))
    assert dw.research_designs(a).ok


def test_the_sentence_check_fails_on_an_unsupported_sentence() -> None:
    ok = answer(
        "q", [("Dermatomyositis is first treated with high doses of prednisone [1].", (1,))], cited=[NINDS]
    )
    assert dw.every_sentence_checked(ok).ok
    bad = answer("q", [("Dermatomyositis is cured by 40 mg of rituximab [1].", (1,))], cited=[NINDS])
    assert not dw.every_sentence_checked(bad).ok


def test_the_xipere_lead_must_say_2021_and_cite_its_pubmed_record() -> None:
    paper = chunk("pubmed:35868358", "The 2021 FDA approval of CLS-TA (XIPERE).")
    good = answer("q", [("XIPERE was approved by the FDA in 2021 [1].", (1,))], cited=[paper])
    assert dw.leads_with(good, "2021", dw.XIPERE_PMID).ok
    other = answer(
        "q", [("Aspartame was approved in 1981 [1].", (1,))], cited=[chunk("pubmed:1", "Aspartame 1981")]
    )
    assert not dw.leads_with(other, "2021", dw.XIPERE_PMID).ok
    assert not dw.leads_with(answer("q", abstained=True), "2021", dw.XIPERE_PMID).ok


def test_run_asks_every_named_question_and_searches_what_the_engine_searched() -> None:
    from eval_fakes import ScriptedEngine

    corpus = [chunk("p", "scabies oral ivermectin"), chunk("h", "hemorrhoids fissures heal")]
    engine = ScriptedEngine(lambda q: answer(q, abstained=True), WordOverlapRetriever(corpus))
    searched: list[str] = []
    report = dw.run(engine, lambda q: searched.append(q) or WordOverlapRetriever(corpus).search(q))
    asked = [q for q, _ in engine.asked]
    assert asked == [c.question for c in dw.CONSUMER_QUESTIONS] + [dw.DERMATOMYOSITIS, dw.XIPERE]
    assert searched == [c.question for c in dw.CONSUMER_QUESTIONS]
    assert not any(c.ok for c in report[dw.XIPERE])


def test_the_subset_keeps_documents_that_mention_a_word_in_title_or_text() -> None:
    from medcite.types import Document, Section

    doc = Document(
        doc_id="d",
        tier=Tier.RESEARCH,
        collection="c",
        title="Myositis",
        sections=(Section("", "XIPERE in 2021"),),
    )
    assert dw.mentions_any(doc, ["xipere"]) and dw.mentions_any(doc, ["MYOSITIS"])
    assert not dw.mentions_any(doc, ["dermatomyositis"])
