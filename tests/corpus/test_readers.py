"""Pure record -> Document functions of each reader, on tiny inline records."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.readers import (
    bioasq,
    cochrane,
    fdarxbench,
    medlineplus,
    medquad,
    ngc,
    openfda,
    pubmedqa,
    spl_xml,
    uspstf,
)
from corpus.records import RecordError
from corpus.sentences import first_sentence
from corpus.text import fix_mojibake, iso_date, strip_html
from medcite.types import Tier

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "corpus_small"


def test_strip_html_and_mojibake() -> None:
    assert strip_html("<p>Screen <b>adults</b>&nbsp;aged 40&ndash;75</p><ul><li>every 3 years</li></ul>") == (
        "Screen adults aged 40–75\n\n- every 3 years"
    )
    assert fix_mojibake("case\u00e2\u0080\u0093control") == "case–control"
    assert fix_mojibake("caf\u00c3\u00a9 ok") == "café ok"
    assert (
        first_sentence("Restoration of LDL response.Previous studies show") == "Restoration of LDL response."
    )
    assert iso_date("20140113") == "2014-01-13" and iso_date("2009 Dec 4 (reaffirmed 2014)") == "2009-12-04"
    assert iso_date("2000 Jul") is None


def test_pubmedqa() -> None:
    doc = pubmedqa.to_document(
        {
            "pmid": "1",
            "QUESTION": "Do statins help?",
            "CONTEXTS": ["Bg text.", "Res text."],
            "LABELS": ["BACKGROUND", "RESULTS"],
            "MESHES": ["Statins"],
            "YEAR": "2011",
        },
        Tier.RESEARCH,
    )
    assert doc.doc_id == "pubmedqa:1" and doc.meta["pmid"] == "1" and doc.year == 2011
    assert [s.title for s in doc.sections] == ["Background", "Results"]
    assert doc.title == "Do statins help?" and doc.meta["mesh_terms"] == ["Statins"]
    with pytest.raises(RecordError, match="missing text"):
        pubmedqa.to_document({"pmid": "2", "CONTEXTS": []}, Tier.RESEARCH)


def test_bioasq_title_runs_into_text() -> None:
    doc = bioasq.to_document(
        {"pmid": "9", "title": "A title.Body starts here.", "text": "", "year": None}, Tier.RESEARCH
    )
    assert doc.doc_id == "pubmed:9" and doc.title == "A title." and "Body starts" in doc.sections[0].text
    assert doc.url == "https://pubmed.ncbi.nlm.nih.gov/9/"


# BioASQ record 28536935 as the corpus has it (shortened): no title, a label glued to the first
# snippet, and `text` joining two snippets with a bare space.
_GRAID = "Analysis of the data of the GRAID-2 registry for poly- and dermatomyositis."
_SNIPPET_1 = f"{_GRAID}RESULTS: In 22 of the 23 patients, rituximab (RIX) was given as off-label therapy"
_SNIPPET_2 = "RIX is the preferred off-label biologic drug for dermatomyositis in Germany."


def test_bioasq_title_stops_before_a_glued_label_and_snippets_stay_apart() -> None:
    record = {
        "pmid": "28536935",
        "title": "",
        "text": f"{_SNIPPET_1} {_SNIPPET_2}",
        "snippets": [
            {"beginSection": "abstract", "offsetInBeginSection": 1805, "text": _SNIPPET_2},
            {"beginSection": "abstract", "offsetInBeginSection": 265, "text": _SNIPPET_1},
            {"beginSection": "abstract", "offsetInBeginSection": 300, "text": "In 22 of the 23 patients"},
        ],
    }
    doc = bioasq.to_document(record, Tier.RESEARCH)
    assert doc.title == _GRAID
    assert doc.sections[0].text == f"{_SNIPPET_1}\n\n{_SNIPPET_2}"
    # Snippets that do not rebuild `text` (here: another order) leave `text` as the corpus has it.
    record["text"] = f"{_SNIPPET_2} {_SNIPPET_1}"
    assert bioasq.to_document(record, Tier.RESEARCH).sections[0].text == record["text"]


def test_first_sentence_keeps_abbreviations_and_decimals_and_is_bounded() -> None:
    title = "Aspirin vs. placebo at 1.5 mg i.v. in the U.S., e.g. in adults: a trial. Second sentence."
    assert first_sentence(title, max_chars=200) == title.removesuffix(" Second sentence.")
    assert first_sentence("Burning mouth syndrome.Burning mouth is rare.") == "Burning mouth syndrome."
    assert first_sentence("BACKGROUND: Statins lower LDL. More.") == "Statins lower LDL."
    assert first_sentence("Effects of therapy.RIX is preferred.") == "Effects of therapy."
    long = "Rituximab " + "and intravenous immunoglobulin " * 12 + "in myositis."
    assert first_sentence(long, max_chars=60) == "Rituximab and intravenous immunoglobulin and intravenous…"


def test_cochrane_derives_title() -> None:
    doc = cochrane.to_document(
        {
            "doi": "10.1002/14651858.CD1.pub2",
            "title": None,
            "abstract": "A.",
            "plain_language_summary": "Statins lower risk. More.",
        },
        Tier.RESEARCH,
    )
    assert doc.doc_id == "cochrane:CD1.pub2" and doc.title == "Statins lower risk."
    labelled = {"doi": "10.1002/14651858.CD2", "abstract": "OBJECTIVES: To assess statins.RESULTS: 9 trials."}
    assert cochrane.to_document(labelled, Tier.RESEARCH).title == "To assess statins."
    assert doc.meta["study_design_hint"] == "systematic review" and doc.url.endswith("CD1.pub2")


def test_medquad_and_medlineplus() -> None:
    doc = medquad.to_document(
        {
            "qid": "0001800-4",
            "file": "2_GARD_QA/0001800.xml",
            "collection": "2_GARD_QA",
            "question": "What are the treatments for Dermatomyositis ?",
            "answer": "Treatment includes:    - corticosteroids    - IVIG",
            "source": "GARD",
            "focus": "Dermatomyositis",
            "qtype": "treatment",
        },
        Tier.PATIENT_INFO,
    )
    assert doc.doc_id == "medquad:2:0001800-4" and doc.title.endswith("Dermatomyositis?")
    assert doc.sections[0].text == "Treatment includes:\n- corticosteroids\n- IVIG"
    assert doc.meta["focus"] == "Dermatomyositis" and "GARD" in doc.publisher
    # the last item's line break, kept only as spaces, ends the list: it does not run into the sentence
    steroids = medquad.to_document(
        {
            "qid": "0000851-1",
            "answer": "to treat    -  Asthma    -  Some kinds of cancer       Steroids are strong medicines.",
        },
        Tier.PATIENT_INFO,
    )
    assert (
        steroids.sections[0].text
        == "to treat\n- Asthma\n- Some kinds of cancer\n\nSteroids are strong medicines."
    )
    with pytest.raises(RecordError):
        medquad.to_document({"qid": "x-1", "answer": ""}, Tier.PATIENT_INFO)
    topic = medlineplus.to_document(
        {
            "id": "1617",
            "title": "Myositis",
            "content": "Myositis means <b>muscle</b> inflammation .",
            "synonyms": ["Muscle inflammation"],
        },
        Tier.PATIENT_INFO,
    )
    assert topic.sections[0].text == "Myositis means muscle inflammation." and topic.meta["synonyms"]


def test_ngc_keeps_clinical_fields_only() -> None:
    rec = {
        "id": "ngc-1",
        "ngc_id": 1,
        "title": "HTN guideline",
        "developers": ["AAN - Medical Specialty Society"],
        "date_released": "1999 Apr (revised 2009 Oct 13; reaffirmed 2013 Nov)",
        "year": 1999,
        "fields": {
            "Major Recommendations": "Treat (Level of Evidence: B).",
            "NGC Disclaimer": "boiler",
            "Potential Harms": "Not stated",
            "Disease/Condition(s)": ["Hypertension"],
        },
    }
    doc = ngc.to_document(rec, Tier.GUIDELINE)
    assert [s.title for s in doc.sections] == ["Major Recommendations", "Disease/Condition(s)"]
    assert doc.year == 2009 and doc.date == "2009-10-13" and doc.publisher == "AAN"
    assert doc.meta["grade_hints"] == ["Level of Evidence: B"]


def test_uspstf_grade_population_and_year() -> None:
    doc = uspstf.to_document(
        {
            "id": 7,
            "title": "X: Screening",
            "grade": "i",
            "sex": "female",
            "ageRange": [21, 30],
            "text": "Evidence is insufficient.<br><br>Literature scans conducted in April 2019.",
            "riskText": "<p>At risk: <span>all</span></p>",
        },
        Tier.GUIDELINE,
    )
    assert doc.meta["grade"] == "I" and doc.year == 2019 and doc.doc_id == "uspstf:7"
    assert doc.sections[1].text == "Aged 21 to 30 years, women.\nAt risk: all"


def test_fdarxbench_groups_by_set_id_in_chunk_order() -> None:
    p = [
        {
            "set_id": "s",
            "drug_name": "orapred",
            "section_title": "2 Dosage",
            "section_code": "34068-7",
            "doc_chunk_index": 2,
            "text": "second",
        },
        {
            "set_id": "s",
            "drug_name": "orapred",
            "section_title": "1 Indications",
            "section_code": "34067-9",
            "doc_chunk_index": 1,
            "text": "first",
        },
        {
            "set_id": "s",
            "drug_name": "orapred",
            "section_title": "2 Dosage",
            "section_code": "34068-7",
            "doc_chunk_index": 3,
            "text": "third",
        },
    ]
    doc = fdarxbench.label_to_document("s", p, Tier.DRUG_LABEL)
    assert doc.doc_id == "fdarxbench:s" and [s.text for s in doc.sections] == ["first", "second\nthird"]
    assert doc.sections[1].code == "34068-7" and doc.meta["drug_name"] == "orapred"


def test_openfda_record() -> None:
    doc = openfda.to_document(
        {
            "id": "i",
            "set_id": "s1",
            "version": "3",
            "effective_time": "20210902",
            "openfda": {"brand_name": ["LIPITOR"], "generic_name": ["ATORVASTATIN CALCIUM"]},
            "warnings": ["Myopathy can occur."],
            "boxed_warning": ["Boxed."],
        },
        Tier.DRUG_LABEL,
    )
    assert doc.title == "LIPITOR (atorvastatin calcium)" and doc.date == "2021-09-02" and doc.year == 2021
    assert [(s.title, s.code) for s in doc.sections] == [
        ("Boxed Warning", "34066-1"),
        ("Warnings", "34071-1"),
    ]
    docs = list(openfda.read_file(FIXTURE / "drug_labels/openfda/lipitor_openfda.json", Tier.DRUG_LABEL, "f"))
    assert docs[0].meta["set_id"] == "c6e131fe-e7df-4876-83f7-9156fc4e8228" and docs[1].reason.startswith(
        "missing"
    )


SPL = b"""<?xml version="1.0"?><document xmlns="urn:hl7-org:v3"><id root="doc1"/>
<title>These highlights do not include all the information needed to use X safely and effectively.
See full prescribing information for X.<br/>XDRUG (xgen) tablets<br/>Initial U.S. Approval: 1996</title>
<effectiveTime value="20140113"/><setId root="set1"/><versionNumber value="11"/>
<author><assignedEntity><representedOrganization><name>Acme</name></representedOrganization>
</assignedEntity></author>
<component><structuredBody>
 <component><section><code code="48780-1"/><subject><manufacturedProduct>
  <manufacturedProduct><name>XDRUG</name>
  <asEntityWithGeneric><genericMedicine><name>XGEN</name></genericMedicine></asEntityWithGeneric>
  </manufacturedProduct></manufacturedProduct></subject></section></component>
 <component><section><code code="34068-7" displayName="DOSAGE"/><title>2 DOSAGE</title>
  <excerpt><highlight><text><paragraph>highlight dup</paragraph></text></highlight></excerpt>
  <component><section><code code="42229-5"/><title>2.1 Adults</title><text><paragraph>Take
   10 mg <content styleCode="bold">once</content> daily.</paragraph>
   <list><item>with food</item><item>at night</item></list>
   <table><caption>Table 1</caption><tbody><tr><td>Dose</td><td>10 mg</td></tr></tbody></table>
  </text></section></component>
  <component><section><code code="42229-5"/><title>2.2 Renal impairment needs no change</title>
  </section></component>
 </section></component>
</structuredBody></component></document>"""


def test_spl_sections_lists_tables_and_codes() -> None:
    doc = spl_xml.bytes_to_document(SPL, Tier.DRUG_LABEL)
    assert doc.doc_id == "spl:set1" and doc.title == "XDRUG (xgen) tablets" and doc.publisher == "Acme"
    assert doc.date == "2014-01-13" and doc.meta["version"] == "11" and doc.meta["drug_name"] == "xgen"
    titles = [s.title for s in doc.sections]
    assert titles == ["2 DOSAGE > 2.1 Adults", "2 DOSAGE > 2.2 Renal impairment needs no change"]
    assert doc.sections[0].text == "Take 10 mg once daily.\n- with food\n- at night\nTable 1\nDose | 10 mg"
    assert {s.code for s in doc.sections} == {"34068-7"}  # unclassified subsections inherit
    assert "highlight dup" not in doc.text


def test_spl_titles_drop_the_highlights_boilerplate_wherever_it_starts() -> None:
    # Titles as the shared corpus's SPL files give them (clopidogrel, paroxetine, Lipitor).
    clopidogrel = (
        "CLOPIDOGREL TABLETS. These highlights do not include all the information needed to use "
        "CLOPIDOGREL TABLETS safely and effectively. See full prescribing information for CLOPIDOGREL "
        "TABLETS. CLOPIDOGREL tablets for oral use"
    )
    assert spl_xml.document_title(clopidogrel, "") == "CLOPIDOGREL tablets for oral use"
    paroxetine = (
        "HIGHLIGHTS OF PRESCRIBING INFORMATION These highlights do not include all the information needed "
        "to use PAROXETINE TABLETS safely and effectively. See full prescribing information for PAROXETINE "
        "TABLETS. PAROXETINE tablets, for oral use Initial U.S. Approval: 1992"
    )
    assert spl_xml.document_title(paroxetine, "") == "PAROXETINE tablets, for oral use"
    lipitor = "LIPITOR® (atorvastatin calcium) Tablets for oral administration"
    assert spl_xml.document_title(lipitor, "LIPITOR") == lipitor
    assert spl_xml.document_title("HIGHLIGHTS OF PRESCRIBING INFORMATION", "Paxil") == "Paxil"


def test_spl_refuses_entities_and_broken_xml() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
        b'<document xmlns="urn:hl7-org:v3">&a;</document>'
    )
    with pytest.raises(RecordError, match="refused"):
        spl_xml.bytes_to_document(bomb, Tier.DRUG_LABEL)
    with pytest.raises(RecordError, match="unparseable"):
        spl_xml.bytes_to_document(SPL[:200], Tier.DRUG_LABEL)
