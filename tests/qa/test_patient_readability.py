"""Patient answers a patient can read (issue 17 item 8): medical terms explained on first use, long
sentences split, and neither a gloss nor a split changes a fact or a citation."""

from __future__ import annotations

import re

from medcite.settings import ComposerSettings
from medcite.types import Chunk, Hit, Tier
from qa.audience import GLOSSARY, adapt_drafts, gloss_first_use, reading_grade, strip_glosses
from qa.drafts import Draft, assemble
from qa.support import check_support, unverified_facts
from qa.textutil import DRUG_NAME

MAX_WORDS = ComposerSettings().patient_max_words
DM = "a muscle and skin disease"  # the glossary's meaning of "dermatomyositis"


def chunk(cid: str, text: str, tier: Tier = Tier.PATIENT_INFO) -> Chunk:
    return Chunk(
        chunk_id=cid,
        doc_id=f"doc-{cid}",
        tier=tier,
        collection="gard",
        title="Dermatomyositis",
        section="",
        text=text,
        ordinal=0,
    )


def hit(c: Chunk, rank: int = 1) -> Hit:
    return Hit(chunk=c, score=1.0, retriever="hybrid", rank=rank)


def test_a_term_is_explained_on_first_use_only() -> None:
    lead = Draft(
        Tier.PATIENT_INFO,
        "MedlinePlus says that dermatomyositis (DM) often starts with a rash.",
        ("c1",),
        is_lead=True,
        core="Dermatomyositis (DM) often starts with a rash.",
    )
    bullet = Draft(Tier.PATIENT_INFO, "Dermatomyositis and polymyositis weaken the muscles.", ("c2",))
    out = gloss_first_use([lead, bullet])
    assert out[0].text == f"MedlinePlus says that dermatomyositis (DM, {DM}) often starts with a rash."
    assert DM not in out[1].text  # already explained
    assert out[1].text == "Dermatomyositis and polymyositis (a muscle disease) weaken the muscles."
    assert gloss_first_use(out) == out  # idempotent: a second pass adds nothing
    # the support check reads `core`, which never holds a gloss
    assert [d.core for d in out] == [lead.core, bullet.text]
    # when the first use is dropped, the next use is the one explained
    assert DM in gloss_first_use(out[1:])[0].text


def test_no_gloss_inside_a_longer_term_or_a_defining_sentence() -> None:
    d = Draft(Tier.RESEARCH, "Inclusion body myositis and myositis (swollen muscles) differ.", ("c",))
    text = gloss_first_use([d])[0].text
    assert text == "Inclusion body myositis (a slow muscle disease) and myositis (swollen muscles) differ."
    defining = Draft(Tier.PATIENT_INFO, "Myositis means inflammation of the muscles.", ("c",))
    later = Draft(Tier.PATIENT_INFO, "Myositis can make it hard to climb stairs.", ("c",))
    assert [x.text for x in gloss_first_use([defining, later])] == [defining.text, later.text]


def test_glossary_meanings_add_no_facts() -> None:
    terms = [t.lower() for spellings, _ in GLOSSARY for t in spellings]
    for _, meaning in GLOSSARY:
        assert not re.search(r"\d", meaning), meaning  # no numbers
        assert not DRUG_NAME.search(meaning), meaning  # no drug names
        assert not any(re.search(rf"\b{re.escape(t)}\b", meaning, re.I) for t in terms), meaning
        assert len(meaning.split()) <= 6, meaning  # a bracket must not make the sentence hard


def test_glosses_do_not_break_the_support_and_verbatim_checks() -> None:
    passage = "Dermatomyositis is treated with prednisone 1 mg/kg/day; polymyositis is treated the same way."
    c = chunk("c1", passage)
    hits = {"c1": hit(c)}
    draft = Draft(Tier.PATIENT_INFO, passage, ("c1",), core=passage)
    glossed = adapt_drafts([draft], "patient", MAX_WORDS)
    assert any(DM in d.text for d in glossed)
    checked = check_support(glossed, hits, threshold=0.9)
    assert [d.text for d in checked] == [d.text for d in glossed]  # none dropped
    assert all(d.support == 1.0 for d in checked)  # the core is the passage's own words
    # the check is what makes this safe: a gloss read as part of the sentence would be an unsupported
    # fact (a drug name the passage does not state)
    assert unverified_facts(glossed[0].text + " (like methotrexate)", [passage]) == ["methotrexate"]
    assert strip_glosses(glossed[0].text) == glossed[0].core


def test_citations_are_unchanged_by_plain_language_splits_and_glosses() -> None:
    a = chunk("a", "Dermatomyositis has no cure, but the symptoms can be treated in most people who have it.")
    b = chunk(
        "b", "Physical therapy helps; it keeps the muscles strong and can improve how well people move."
    )
    hits = {"a": hit(a, 1), "b": hit(b, 2)}
    drafts = [
        Draft(
            Tier.PATIENT_INFO,
            f"GARD says that {a.text[0].lower()}{a.text[1:]}",
            ("a",),
            is_lead=True,
            core=a.text,
        ),
        Draft(Tier.PATIENT_INFO, b.text, ("b",), group="Supportive care", core=b.text),
    ]
    adapted = adapt_drafts(drafts, "patient", max_words=10)
    assert len(adapted) > len(drafts) or any(". " in d.text for d in adapted)  # something was split
    _, before = assemble(drafts, hits, "patient")
    sections, after = assemble(adapted, hits, "patient")
    assert [(x.n, x.hit.chunk_id) for x in after] == [(x.n, x.hit.chunk_id) for x in before]
    assert all(st.citations for s in sections for st in (s.lead, *s.bullets))
    assert sections[0].lead.text.startswith("GARD says that dermatomyositis (a muscle and skin disease) has")


# Hard sentences as the composer picks them from patient pages, guidelines and abstracts.
HARD = (
    (
        "According to MedlinePlus, polymyositis and dermatomyositis are chronic inflammatory conditions "
        "of the muscles, and they are associated with an increased risk of malignancy in adults."
    ),
    (
        "Treatment is initiated with corticosteroids administered orally, but many individuals require "
        "additional immunosuppressive agents when the disease is refractory to treatment."
    ),
    (
        "High blood pressure usually has no symptoms, but it can cause serious problems such as stroke, "
        "heart failure, heart attack and kidney failure."
    ),
    (
        "Serious adverse events from early treatment with statins were rare, and serious muscle toxicity "
        "was mostly observed in individuals with renal impairment."
    ),
)


def test_patient_grade_is_lower_on_a_fixed_set_of_hard_sentences() -> None:
    drafts = [
        Draft(Tier.RESEARCH, s, (f"c{i}",), is_lead=(i == 0), core=s.split(", ", 1)[1] if i == 0 else s)
        for i, s in enumerate(HARD)
    ]
    before = reading_grade([d.text for d in drafts])
    adapted = adapt_drafts(drafts, "patient", MAX_WORDS)
    after = reading_grade([d.text for d in adapted])
    assert before - after >= 3.0, (before, after)
    # every sentence keeps its citation, and the lead (attribution counted) was split too
    assert {d.chunk_ids for d in adapted} == {d.chunk_ids for d in drafts}
    assert adapted[0].text.count(". ") >= 1 and adapted[0].text.startswith("According to MedlinePlus, ")


# --- plain sources and plainest sentences (the patient FK grade on the full index) --------------


def test_patient_sources_are_named_in_a_few_words() -> None:
    from qa.compose import lay_product, lay_source

    assert lay_source("National Institute of Diabetes and Digestive and Kidney Diseases") == "The NIH"
    assert lay_source("Genetic and Rare Diseases Information Center (GARD)") == "GARD"
    assert lay_source("Centers for Disease Control and Prevention") == "The CDC"
    assert lay_source("MedlinePlus (NLM)") == "MedlinePlus"  # short names stay as they are
    assert lay_product("METOPROLOL SUCCINATE extended-release tablets for oral use") == "Metoprolol Succinate"
    assert lay_product("LISINOPRIL AND HYDROCHLOROTHIAZIDE TABLETS") == "Lisinopril and Hydrochlorothiazide"
    # the dosage form's preposition goes with it
    assert lay_product("AMOXICILLIN and CLAVULANATE POTASSIUM for oral suspension") == (
        "AMOXICILLIN and CLAVULANATE POTASSIUM"
    )
    assert lay_product("Lexapro (escitalopram)") == "Lexapro"


PLAIN_LABEL = "Take this medicine once a day with food."
HARD_LABEL = (
    "Concomitant administration with moderate or strong cytochrome P450 3A4 inhibitors substantially "
    "increases systemic exposure, necessitating dosage modification."
)


def _label_hits(*texts: str) -> list[Hit]:
    return [hit(chunk(f"l{i}", t, Tier.DRUG_LABEL), i + 1) for i, t in enumerate(texts)]


def test_a_patient_gets_the_plain_sentence_when_one_is_within_the_grade() -> None:
    from qa.compose import compose_tier

    composer = ComposerSettings()
    hits = _label_hits(HARD_LABEL, PLAIN_LABEL)
    assert reading_grade(HARD_LABEL) > composer.patient_max_grade >= reading_grade(PLAIN_LABEL)
    capped = compose_tier(
        "dosage of this medicine with inhibitors",
        Tier.DRUG_LABEL,
        hits,
        "patient",
        composer,
        max_grade=composer.patient_max_grade,
    )
    assert [d.core for d in capped] == [PLAIN_LABEL]
    only_hard = compose_tier(
        "dosage of this medicine with inhibitors",
        Tier.DRUG_LABEL,
        hits[:1],
        "patient",
        composer,
        max_grade=composer.patient_max_grade,
    )
    assert only_hard == []  # nothing plain enough: the engine then tries a higher grade
    clinician = compose_tier(
        "dosage of this medicine with inhibitors",
        Tier.DRUG_LABEL,
        hits[:1],
        "clinician",
        composer,
        max_grade=composer.patient_max_grade,
    )
    assert clinician  # the cap is for patients only


def test_patient_grades_end_with_no_limit() -> None:
    from qa.compose import patient_grades

    assert patient_grades(ComposerSettings(patient_max_grade=12)) == (12, 16, None)
    assert patient_grades(ComposerSettings(patient_max_grade=0)) == (None,)


def test_a_patient_lead_names_its_source_in_the_first_section_only() -> None:
    from qa.compose import compose_tier

    composer = ComposerSettings()
    text = "Dermatomyositis is treated with medicine and exercise to keep muscles strong."
    hits = [hit(chunk("g", text, Tier.GUIDELINE))]
    first = compose_tier("treatment of dermatomyositis", Tier.GUIDELINE, hits, "patient", composer)
    later = compose_tier(
        "treatment of dermatomyositis", Tier.GUIDELINE, hits, "patient", composer, first_section=False
    )
    assert first[0].text.startswith("A guideline") and first[0].text != first[0].core
    assert later[0].text == later[0].core == text
    label = _label_hits(PLAIN_LABEL)
    later_label = compose_tier(
        "how do I take this medicine", Tier.DRUG_LABEL, label, "patient", composer, first_section=False
    )
    assert later_label[0].text.startswith("The FDA label for")  # a label always names its product
