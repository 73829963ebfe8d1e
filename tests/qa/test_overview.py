"""A question that only names a drug gets its label's overview: what it is for, the dose, side
effects and who must not take it (qa/overview.py), not whichever passage scores best on the name."""

from __future__ import annotations

from pathlib import Path

import pytest
from qa_fakes import MemoryRetriever, chunk, hit

from medcite.settings import load_settings
from medcite.types import Tier
from qa.compose import _LABEL_LEAD_IN, without_label_heading
from qa.drug_names import build_drug_names
from qa.engine import AnswerEngine
from qa.overview import (
    ASKED_SECTIONS,
    asked_queries,
    asked_sections,
    merge_overview,
    overview_drug,
    overview_queries,
)
from qa.understanding import QueryUnderstanding

NAMES = build_drug_names([("Lexapro", "escitalopram oxalate"), ("Advil", "ibuprofen")])


def _label(text: str, section: str, title: str = "Lexapro (escitalopram)", doc: str = "spl:lexapro"):  # type: ignore[no-untyped-def]
    return chunk(text, tier=Tier.DRUG_LABEL, title=title, doc=doc, section=section, collection="spl")


LEXAPRO = [
    _label(
        "Antidepressants increased the risk of suicidal thoughts and behaviors in pediatric and young adult "
        "patients. Lexapro is not approved for use in pediatric patients less than 7 years of age.",
        "Boxed Warning",
    ),
    _label(
        "Lexapro is indicated for the treatment of major depressive disorder in adults and pediatric "
        "patients 12 years of age and older.",
        "Indications and Usage",
    ),
    _label("The recommended dosage of Lexapro in adults is 10 mg once daily.", "Dosage and Administration"),
    _label(
        "Escitalopram AUC was increased by 50% in elderly subjects [see Dosage and Administration (2.5)]. "
        "Lexapro dosage need not change with food.",
        "Pharmacokinetics",
    ),
    _label(
        "The most common adverse reactions with Lexapro are insomnia, nausea, sweating and fatigue.",
        "Adverse Reactions",
    ),
    _label(
        "Lexapro is contraindicated in patients taking MAOIs or pimozide.",
        "Contraindications",
    ),
    _label(
        "Ibuprofen may cause stomach bleeding; Advil is indicated for the relief of minor aches.",
        "Indications and Usage",
        title="Advil (ibuprofen)",
        doc="spl:advil",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lexapro?", ("escitalopram", "lexapro")),
        ("What is escitalopram used for?", ("escitalopram", "lexapro")),
        ("Tell me about Lexapro", ("escitalopram", "lexapro")),
        ("Does Lexapro cause weight gain?", None),  # a point, not an overview
        ("Lexapro and Advil", None),  # two drugs: an interaction question
        ("What is zorvantrelix?", None),  # no label names it
    ],
)
def test_overview_drug(text: str, expected: tuple[str, ...] | None) -> None:
    assert overview_drug(text, NAMES) == expected


def test_merge_overview_takes_each_section_from_the_drugs_own_label() -> None:
    drug = ("escitalopram", "lexapro")
    by_section = {c.section: hit(c) for c in LEXAPRO if c.title.startswith("Lexapro")}
    advil = hit(LEXAPRO[-1])
    pk = by_section["Pharmacokinetics"]
    boxed = by_section["Boxed Warning"]
    per_section = [
        [advil, by_section["Indications and Usage"]],  # another drug's label first: skipped
        [pk, by_section["Dosage and Administration"]],  # PK cites the dosage section: not it
        [by_section["Adverse Reactions"]],
        [by_section["Contraindications"]],
        [],
    ]
    merged = merge_overview([boxed, by_section["Indications and Usage"]], per_section, drug, keep=5)
    assert [h.chunk.section for h in merged] == [
        "Indications and Usage",
        "Dosage and Administration",
        "Adverse Reactions",
        "Contraindications",
        "Boxed Warning",
    ]
    assert [h.rank for h in merged] == [1, 2, 3, 4, 5]
    assert len(merge_overview([boxed], per_section, drug, keep=2)) == 2
    assert overview_queries(drug)[0] == "escitalopram indications and usage"


def test_label_lead_in_is_cut_not_reworded() -> None:
    assert _LABEL_LEAD_IN.sub("", "8.6 ) When stopping Lexapro, reduce the dose.") == (
        "When stopping Lexapro, reduce the dose."
    )
    assert _LABEL_LEAD_IN.sub("", "1 INDICATIONS AND USAGE Lexapro is indicated.") == "Lexapro is indicated."
    for kept in ("10 mg of atorvastatin daily.", "MAOIs such as linezolid.", "Lexapro 10 mg daily."):
        assert _LABEL_LEAD_IN.sub("", kept) == kept


def test_label_headings_run_into_a_sentence_are_cut_or_the_sentence_dropped() -> None:
    cases = {
        # a numbered section title in capitals before a product name in capitals
        "3 DOSAGE FORMS AND STRENGTHS DILANTIN-125 is available as a 125 mg oral suspension.": (
            "DILANTIN-125 is available as a 125 mg oral suspension."
        ),
        "16 HOW SUPPLIED/STORAGE AND HANDLING ULTRAM 50 mg tablets are white.": (
            "ULTRAM 50 mg tablets are white."
        ),
        # a numbered subsection heading in title case: the sentence starts at its opener
        "5.5 Risk of Digoxin Toxicity with Concomitant Use of Digitalis The inotropic effects vary.": (
            "The inotropic effects vary."
        ),
        "1.5 Pemphigus Vulgaris (PV) RITUXAN is used for adults with PV.": (
            "RITUXAN is used for adults with PV."
        ),
        "6 Discontinuing Treatment with C ELEXA Side effects may occur upon stopping CELEXA.": (
            "Side effects may occur upon stopping CELEXA."
        ),
        "5.2 The drug may cause harm.": "The drug may cause harm.",
        "14 CLINICAL STUDIES 14.1 Osteoarthritis Pain The efficacy of VIVLODEX was shown.": (
            "The efficacy of VIVLODEX was shown."
        ),
        # older labels leave the number out: the title in capitals before a capitalised word is cut
        "DESCRIPTION Valium (diazepam) is a benzodiazepine derivative.": (
            "Valium (diazepam) is a benzodiazepine derivative."
        ),
        "CONTRAINDICATIONS Tegretol should not be used in patients with bone marrow depression.": (
            "Tegretol should not be used in patients with bone marrow depression."
        ),
        "HOW SUPPLIED/STORAGE AND HANDLING Celecoxib 50 mg capsules are white.": (
            "Celecoxib 50 mg capsules are white."
        ),
        "DESCRIPTION FLUOROPLEX ® (fluorouracil) 1% Topical Cream is for dermatological use.": (
            "FLUOROPLEX ® (fluorouracil) 1% Topical Cream is for dermatological use."
        ),
        "USAGE in children is rare.": "USAGE in children is rare.",  # no title before a lower-case word
        # where the heading ends cannot be told: not shown rather than cut in the wrong place
        "5.3 Storage and Disposal Used SYNERA patches contain lidocaine.": None,
        "5.1 Hepatotoxicity Cases of severe liver injury occurred.": None,
        # a sentence that starts with a number is not a heading
        "2 Tablets are taken daily.": "2 Tablets are taken daily.",
        "10 mg of atorvastatin daily.": "10 mg of atorvastatin daily.",
    }
    for sentence, expected in cases.items():
        assert without_label_heading(sentence) == expected, sentence


@pytest.fixture()
def engine(tmp_path: Path) -> AnswerEngine:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    return AnswerEngine(MemoryRetriever(LEXAPRO), settings, understanding=QueryUnderstanding(names=NAMES))


def test_a_drug_overview_answer_gives_use_dose_side_effects_and_contraindications(
    engine: AnswerEngine,
) -> None:
    answer = engine.ask("Alright so would you tell me more about Lexapro?")
    assert not answer.abstained
    shown = " ".join(s.text for sec in answer.sections for s in (sec.lead, *sec.bullets))
    for fact in ("major depressive disorder", "10 mg once daily", "insomnia", "MAOIs"):
        assert fact in shown, fact
    assert "AUC" not in shown  # pharmacokinetics is not the overview
    assert {h.chunk.section for c in answer.citations for h in c.hits} >= {
        "Indications and Usage",
        "Dosage and Administration",
    }


def test_a_question_with_a_point_is_not_an_overview(engine: AnswerEngine) -> None:
    evidence = engine.retrieve("Does Lexapro cause insomnia?")
    assert not any(q.startswith("escitalopram indications") for q, _, _ in engine.retriever.calls)  # type: ignore[attr-defined]
    assert evidence.by_tier


ASKED = [
    *LEXAPRO,
    _label(
        "Each Lexapro tablet contains escitalopram oxalate and the inactive ingredients talc, croscarmellose "
        "sodium and magnesium stearate.",
        "Description",
    ),
    _label(
        "Lexapro tablets are white to off-white, round, film-coated tablets imprinted FL 10 on one side.",
        "How Supplied",
    ),
    _label(
        "When stopping Lexapro, reduce the dose gradually rather than stopping abruptly whenever possible.",
        "Warnings and Precautions",
    ),
    _label(
        "Lexapro (escitalopram) is an orally administered selective serotonin reuptake inhibitor (SSRI).",
        "Description",
    ),
    _label(
        "Lexapro tablets should be swallowed whole with water and may be taken with or without food.",
        "Dosage and Administration",
    ),
    _label(
        "The mean elimination half-life of escitalopram is about 27 to 32 hours.",
        "Clinical Pharmacology > Pharmacokinetics",
    ),
    _label(
        "Lexapro is available as tablets of 5 mg, 10 mg and 20 mg and as an oral solution of 1 mg/mL.",
        "Dosage Forms and Strengths",
    ),
    _label(
        "Ibuprofen tablets are brown, oval tablets; how supplied: bottles of 100 tablets.",
        "How Supplied",
        title="Advil (ibuprofen)",
        doc="spl:advil",
    ),
]


def test_asked_sections_name_the_label_section_that_says_what_was_asked() -> None:
    drug, sections = asked_sections("what does lexapro look like", NAMES, ["appearance"]) or ((), ())
    assert drug == ("escitalopram", "lexapro")
    assert [words for words, _ in sections] == [ASKED_SECTIONS["appearance"][0]]
    assert asked_queries(drug, sections)[0].startswith("escitalopram lexapro how supplied")
    assert asked_sections("what does lexapro look like", NAMES, ["cause"]) is None  # no section says it
    assert asked_sections("can advil be taken with lexapro", NAMES, ["interactions"]) is None  # two drugs


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("What does Lexapro look like?", "film-coated"),
        ("how do i wean off lexapro", "reduce the dose gradually"),
        # "is it nessasary to ween off of cymbalta", "problems when stopping metformin", "how to stop using
        # estradiol patch" did not ask about stopping at all
        ("is it necessary to ween off of lexapro?", "reduce the dose gradually"),
        ("problems when stopping lexapro?", "reduce the dose gradually"),
        ("how to safely stop lexapro", "reduce the dose gradually"),
        ("what is in the pill lexapro?", "inactive ingredients"),
        # "what strengths do valproic acid come in" was answered about the recommended dose at best
        ("what strengths does lexapro come in", "5 mg, 10 mg and 20 mg"),
        ("how many milligrams in lexapro", "5 mg, 10 mg and 20 mg"),
        # "fluoxetine what mgs are available" was answered with the drugs in its class
        ("lexapro what mgs are available", "5 mg, 10 mg and 20 mg"),
        ("what size doses of lexapro are available?", "5 mg, 10 mg and 20 mg"),
        ("what mg. does lexapro have?", "5 mg, 10 mg and 20 mg"),
        ("can i crush lexapro tablets?", "swallowed whole"),
    ],
)
def test_a_question_asking_one_thing_of_a_drug_gets_its_labels_section_on_it(
    tmp_path: Path, question: str, fact: str
) -> None:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(ASKED), settings, understanding=QueryUnderstanding(names=NAMES))
    evidence = eng.retrieve(question, "patient")
    assert any(q.startswith("escitalopram lexapro ") for q, _, _ in eng.retriever.calls)  # type: ignore[attr-defined]
    assert fact in evidence.by_tier[Tier.DRUG_LABEL][0].chunk.text  # the drug's own section leads the tier
    answer = eng.ask(question, "patient")
    shown = " ".join(s.text for sec in answer.sections for s in (sec.lead, *sec.bullets))
    assert fact in shown
    assert "brown, oval" not in shown  # another drug's tablets


def test_an_answer_that_does_not_say_what_was_asked_of_the_medicine_says_so(tmp_path: Path) -> None:
    from qa.compose import unanswered_asks

    assert unanswered_asks("what does lexapro look like", ["Lexapro is taken once daily."], "Lexapro") == [
        "what Lexapro looks like"
    ]
    assert unanswered_asks("what does lexapro look like", ["White, round, film-coated tablets."], "x") == []
    assert unanswered_asks("is lexapro safe in pregnancy", ["Anything."], "Lexapro") == []  # not asked of it
    # "can you use fluorouracil past expiration date?": the label's line on it is the answer
    said = ["Do not use fluorouracil cream after the expiration date on the tube."]
    assert unanswered_asks("can you use fluorouracil past expiration date?", said, "fluorouracil") == []
    # "metformin after dinner and bed time?": a time of day or a meal says when, "48 hours" does not
    later = ["Restart metformin 48 hours after the imaging procedure if kidney function is stable."]
    assert unanswered_asks("metformin after dinner and bed time?", later, "metformin") == [
        "when in the day to take metformin"
    ]
    assert unanswered_asks("metformin at bed time?", ["Take metformin with meals."], "metformin") == []

    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    weights = {"lexapro": 8.0, "escitalopram": 8.0}
    for chunks, gap in ((LEXAPRO, True), (ASKED, False)):
        eng = AnswerEngine(MemoryRetriever(chunks), settings, understanding=QueryUnderstanding(names=NAMES))
        eng.term_weight = lambda w: weights.get(w.lower(), 1.0)  # an index's IDF: the focus is weighed
        answer = eng.ask("What does Lexapro look like?", "patient")
        assert not answer.abstained
        said = [n for n in answer.notices if n.startswith("None of the sources found says what")]
        assert bool(said) is gap, answer.notices


def test_a_question_word_that_says_what_is_asked_is_not_called_missing(tmp_path: Path) -> None:
    # "wean" is in no passage, but the label's "reduce the dose gradually" answers it: the focus note
    # ("the passages do not mention 'wean'") would say the opposite of the answer
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(ASKED), settings, understanding=QueryUnderstanding(names=NAMES))
    assert eng.judge(eng.retrieve("how do i wean off lexapro")).missing == ("wean",)
    answer = eng.ask("how do i wean off lexapro", "patient")
    assert not any("'wean'" in n for n in answer.notices)
    assert not any(n.startswith("None of the sources found says") for n in answer.notices)


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_when_the_sources_say_what_was_asked_the_answer_keeps_to_it(tmp_path: Path, audience: str) -> None:
    # "what color is phenytoin" was answered with its clearance in children and fetal hydantoin syndrome,
    # with the label's "orange color" fifth of twelve statements
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    weights = {"lexapro": 8.0, "escitalopram": 8.0}
    page = chunk(
        "Lexapro (escitalopram) is a medicine for depression and anxiety. People who take Lexapro may "
        "feel better after one to two weeks. Lexapro can make some people sleepy.",
        tier=Tier.PATIENT_INFO,
        title="Escitalopram",
        doc="medlineplus:escitalopram",
    )
    eng = AnswerEngine(
        MemoryRetriever([*ASKED, page]), settings, understanding=QueryUnderstanding(names=NAMES)
    )
    eng.term_weight = lambda w: weights.get(w.lower(), 1.0)
    answer = eng.ask("What does Lexapro look like?", audience)
    shown = [s.text for sec in answer.sections for s in (sec.lead, *sec.bullets)]
    assert any("film-coated" in s for s in shown)
    assert not [s for s in shown if "round" not in s and "white" not in s], shown

    # sources that do not say it: the answer gives what they say about the drug (and says what is missing)
    eng = AnswerEngine(MemoryRetriever(LEXAPRO), settings, understanding=QueryUnderstanding(names=NAMES))
    eng.term_weight = lambda w: weights.get(w.lower(), 1.0)
    answer = eng.ask("What does Lexapro look like?", audience)
    assert not answer.abstained and answer.sections


def test_compose_attempts_try_what_was_asked_first_then_any_sentence() -> None:
    from medcite.settings import ComposerSettings
    from qa.compose import ASKED_GAPS, asked_markers, compose_attempts

    composer = ComposerSettings()
    assert asked_markers("what color is phenytoin") == (ASKED_GAPS["appearance"][1],)
    assert asked_markers("how do i store insulin and when to take it") == (
        ASKED_GAPS["storage"][1],
        ASKED_GAPS["timing"][1],
    )
    assert asked_markers("what is the treatment for dermatomyositis") == ()
    asked = asked_markers("how do i wean off lexapro")
    assert [a for a, _ in compose_attempts("how do i wean off lexapro", composer, "clinician")] == [asked, ()]
    patient = compose_attempts("how do i wean off lexapro", composer, "patient")
    assert [a for a, _ in patient] == [asked] * 3 + [()] * 3  # each reading grade, asked first
    assert compose_attempts("what is the treatment for dermatomyositis", composer, "clinician") == [
        ((), None)
    ]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("how does valium affect the brain", True),
        ("breo inhaler how it works", True),
        ("what does metformin do", True),
        ("what is the action of ezetimibe in my body", True),
        ("how do i stop taking heparin", False),
        ("what do i do if i miss a dose", False),
        ("tranexamic acid how fast does it work", False),  # when, not how
    ],
)
def test_a_question_asking_how_a_medicine_works(question: str, asks: bool) -> None:
    from qa.compose import question_intents

    assert ("mechanism" in question_intents(question)) is asks


def test_how_a_medicine_works_is_answered_from_its_labels_pharmacology(tmp_path: Path) -> None:
    # "how does valium affect the brain" was answered "Valium 2-mg tablets contain no dye"
    chunks = [
        *ASKED,
        _label(
            "Escitalopram enhances serotonergic activity in the central nervous system by inhibiting the "
            "reuptake of serotonin at the neuronal membrane.",
            "Clinical Pharmacology > Mechanism of Action",
        ),
    ]
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(chunks), settings, understanding=QueryUnderstanding(names=NAMES))
    eng.term_weight = lambda w: {"lexapro": 8.0, "escitalopram": 8.0}.get(w.lower(), 1.0)
    answer = eng.ask("How does Lexapro work in the brain?")
    assert any(q.endswith("mechanism of action clinical pharmacology") for q, _, _ in eng.retriever.calls)  # type: ignore[attr-defined]
    label = next(sec for sec in answer.sections if sec.tier is Tier.DRUG_LABEL)
    assert "reuptake of serotonin" in label.lead.text


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("why did my doctor give me levetiracetam", True),
        ("why is pyridostigmine prescribed", True),
        ("why prozac used", True),
        ("why to take vicodin", True),
        ("why take simvastatin", True),
        ("why does it take so long to work", False),
        ("what is actonel prescribed for?", True),
        ("bupropion hcl 300mg is good for what?", True),
        ("qvar 40mcg what is it for", True),
        ("cephalexin is for what sexual diseases", True),
        ("dydrogesterone tablets 10 mg is for what purpose", True),
        ("what is diclofenac sodium topical gel used for", True),
        ("what is the medication thera tab used to treat?", True),
        ("what does xifaxan treat", True),
        ("what size syringe to use for testosterone inject", False),  # how, not what for
        ("how you use for paracetamol", False),
        ("is dicyclomine good for heartburn?", False),  # a yes or no on one use
        ("why do i feel tired on metoprolol", False),  # a side effect
    ],
)
def test_a_question_asking_what_a_medicine_is_for(question: str, asks: bool) -> None:
    from qa.compose import question_intents

    assert ("indication" in question_intents(question)) is asks
    if asks and question.startswith("why"):
        assert "cause" not in question_intents(question)  # "why" asks what for, not what causes


def test_why_still_asks_a_cause() -> None:
    from qa.compose import question_intents

    assert "cause" in question_intents("why do i get migraines")
    assert "cause" in question_intents("what causes gout")


def test_what_a_medicine_is_for_is_answered_from_its_labels_indications(tmp_path: Path) -> None:
    # "why did my doctor give me levetiracetam" was answered with a guideline's "data are insufficient
    # to recommend levetiracetam as TDS treatment", the drug's label unread, and a note that the
    # passages "do not mention 'doctor' or 'give'"
    guideline = chunk(
        "Data are insufficient to recommend escitalopram as treatment of tardive syndromes (Level U).",
        tier=Tier.GUIDELINE,
        title="Treatment of tardive syndromes",
        doc="ngc:tardive",
    )
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(
        MemoryRetriever([*LEXAPRO[2:], guideline, LEXAPRO[1]]),
        settings,
        understanding=QueryUnderstanding(names=NAMES),
    )
    eng.term_weight = lambda w: {"lexapro": 8.0, "escitalopram": 8.0}.get(w.lower(), 1.0)
    answer = eng.ask("Why did my doctor give me Lexapro?", "patient")
    assert any(q.endswith("indications and usage") for q, _, _ in eng.retriever.calls)  # type: ignore[attr-defined]
    first = answer.sections[0]
    assert first.tier is Tier.DRUG_LABEL and "major depressive disorder" in first.lead.text
    assert not any("'doctor'" in n or "'give'" in n for n in answer.notices), answer.notices


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("what strengths do valproic acid come in meds come in", "strengths"),
        ("what are the different strengths of dexamethasone?", "strengths"),
        ('what mg does lunesta come "in?"', "strengths"),
        ("what milligrams olanzapine come in", "strengths"),
        ("how many milligrams in tramadol", "strengths"),
        ("how often do you need a shingles vaccine", "dosing"),
        ("nitroglycerin how often", "dosing"),
        ("how to use spiriva", "dosing"),
        ("how do you take clindamycin", "dosing"),
        ("how is cyanocobalamin administered", "dosing"),
        ("how to apply clonidine patch on chest", "dosing"),
        ("how should i dilute ceftriaxone injection?", "dosing"),
        ("do i take a statin with or without food ?", "timing"),
        ("how long before a meal should lansoprazole be taken", "timing"),
        ("how long will the cyanocobalamin stay good", "storage"),
        ("how long will benzonatate last on the shelf", "storage"),
        ("what size pill is risedronate", "appearance"),
        ("how to identify clonidine tablets", "appearance"),
        ("how do you pronounce humira", "pronunciation"),
        ("what class is diazepam", "class"),
        ("what type of drug is amphetamine", "class"),
        ("is pramoxine a nsaid?", "class"),
        ("what is the classification of cromolyn", "class"),
        ('how long does chlordiazepoxide stay in "system?"', "elimination"),
        ("how long does it take to get carbidopa levodopa out of your system", "elimination"),
        ("how long morphine remains in body", "elimination"),
        ("how long does heroin stay in toxicology test", "elimination"),
        ("how does it take phentermine to clear a drug screen?", "elimination"),
        ("how dangerous is cutting nifedipine er cc tablets", "splitting"),
        ("can i crush lexapro", "splitting"),
        ("how can i split a 3mg or 4mg warfarin pill", "splitting"),
    ],
)
def test_ways_of_asking_one_thing_of_a_medicine(question: str, intent: str) -> None:
    from qa.compose import question_intents

    assert intent in question_intents(question)


@pytest.mark.parametrize(
    "question",
    [
        "what is lexapro",
        "does lexapro cause weight gain",
        "how do i stop taking lexapro",
        "is it safe to use",
        "how to cut back on alcohol with naltrexone",
    ],
)
def test_questions_that_ask_neither_strengths_nor_how_to_take(question: str) -> None:
    from qa.compose import question_intents

    assert not {"strengths", "dosing", "splitting"} & set(question_intents(question))


def test_everyday_shorthand_is_not_taken_for_a_name() -> None:
    # "what strengths do valproic acid come in meds come in" was answered about multiple epiphyseal
    # dysplasia (MED): "meds", in no dictionary, was taken for a name and, rarest, for the focus
    from qa.safety import name_terms

    among, _ = name_terms("what strengths do valproic acid come in meds come in", NAMES)
    assert "med" not in among and "meds" not in among


def test_words_of_a_phrase_that_asks_are_not_called_missing() -> None:
    # "The sources describe valproic, but the passages about it do not mention 'come' or 'meds'"
    from qa.compose import says_what_is_asked

    assert says_what_is_asked("come") and says_what_is_asked("meds") and says_what_is_asked("doctor")
    assert says_what_is_asked("wean")
    assert not says_what_is_asked("valproic") and not says_what_is_asked("acid")
    question = "how long does lexapro stay in your system"  # the words of a phrase that asks
    assert says_what_is_asked("stay", question) and says_what_is_asked("system", question)
    assert not says_what_is_asked("stay", "can i stay in the sun on doxycycline")


def test_how_to_say_a_name_no_source_gives_is_said_to_be_missing(tmp_path: Path) -> None:
    # "how do you pronounce humira" was answered with what HUMIRA is made of, and nothing said the
    # sources do not give how to say it
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(LEXAPRO), settings, understanding=QueryUnderstanding(names=NAMES))
    eng.term_weight = lambda w: {"lexapro": 8.0, "escitalopram": 8.0}.get(w.lower(), 1.0)
    answer = eng.ask("how do you pronounce lexapro", "patient")
    assert "None of the sources found says how to say lexapro" in " ".join(answer.notices), answer.notices
    # ... and asking it weighs the label's sections as a question asking nothing in particular
    from qa.compose import section_weight

    for c in ASKED:
        assert section_weight(hit(c), ["pronunciation"]) == section_weight(hit(c), [])


def test_what_kind_of_medicine_it_is_is_answered_by_a_sentence_saying_what_it_is(tmp_path: Path) -> None:
    # "what is the classification of cromolyn" was answered "cromolyn is a good alternative for patients
    # who are not candidates for corticosteroids"
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(ASKED), settings, understanding=QueryUnderstanding(names=NAMES))
    eng.term_weight = lambda w: {"lexapro": 8.0, "escitalopram": 8.0}.get(w.lower(), 1.0)
    answer = eng.ask("what class of drug is lexapro", "clinician")
    label = next(sec for sec in answer.sections if sec.tier is Tier.DRUG_LABEL)
    assert "selective serotonin reuptake inhibitor" in label.lead.text


def test_how_long_a_medicine_stays_in_the_body_is_answered_from_its_pharmacokinetics(tmp_path: Path) -> None:
    # the words of the asking phrase ("long", "stay", "system") are in no passage: they are not called
    # missing, and the sentence on the half-life answers
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(ASKED), settings, understanding=QueryUnderstanding(names=NAMES))
    weights = {"lexapro": 8.0, "escitalopram": 8.0, "stay": 4.0, "system": 3.0, "long": 2.0}
    eng.term_weight = lambda w: weights.get(w.lower(), 1.0)  # as an index weighs them: not rare
    question = "how long does lexapro stay in your system"
    assert eng.judge(eng.retrieve(question)).missing == ("long", "stay", "system")
    for audience in ("clinician", "patient"):
        answer = eng.ask(question, audience)
        label = next(sec for sec in answer.sections if sec.tier is Tier.DRUG_LABEL)
        assert "elimination half-life" in label.lead.text
        assert not any("'stay'" in n or "'system'" in n for n in answer.notices), answer.notices


def test_follow_ups_ask_about_the_named_drug_not_as_a_condition(tmp_path: Path) -> None:
    # "what is metformin used for" offered "What is the prognosis of metformin?": a generic the label
    # tier knows but no pattern of drug-name endings does was taken for a condition
    page = chunk(
        "Metformin is used to treat type 2 diabetes. It helps control the amount of sugar in your blood.",
        tier=Tier.PATIENT_INFO, title="Metformin", collection="medlineplus", section="Uses",
    )  # fmt: skip
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    names = build_drug_names([], generics=["metformin"])
    eng = AnswerEngine(MemoryRetriever([page]), settings, understanding=QueryUnderstanding(names=names))
    answer = eng.ask("what is metformin used for")
    assert not answer.abstained and answer.follow_ups
    assert not any("prognosis" in u or "in children" in u for u in answer.follow_ups)
    assert all("metformin" in u for u in answer.follow_ups)
