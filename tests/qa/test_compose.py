"""The extractive composer: tier sections, lead naming the source, grouped cited bullets."""

from __future__ import annotations

from qa_fakes import DERMATOMYOSITIS, MemoryRetriever, chunk, hit

from medcite.settings import ComposerSettings, RetrievalSettings
from medcite.types import Tier
from qa.answer_retrieval import retrieve_by_tier
from qa.compose import attribution, compose, group_for, score_sentences, select, specificity
from qa.drafts import assemble

COMPOSER = ComposerSettings()

Q = "What is the treatment for dermatomyositis?"


def _compose(audience: str = "clinician"):
    tier_hits = retrieve_by_tier(MemoryRetriever(DERMATOMYOSITIS), Q, RetrievalSettings())
    hits = {h.chunk_id: h for hs in tier_hits.values() for h in hs}
    drafts = compose(Q, tier_hits, COMPOSER, audience)
    return drafts, assemble(drafts, hits, audience)


def test_sections_in_tier_order_with_leads_and_resolving_citations() -> None:
    drafts, (sections, citations) = _compose()
    assert [s.tier for s in sections] == [Tier.GUIDELINE, Tier.DRUG_LABEL, Tier.RESEARCH, Tier.PATIENT_INFO]
    assert [c.n for c in citations] == list(range(1, len(citations) + 1))
    numbers = {c.n for c in citations}
    for s in sections:
        for st in (s.lead, *s.bullets):
            assert st.citations and set(st.citations) <= numbers  # no sentence without a citation
    # every cited passage actually contains the sentence taken from it
    by_n = {c.n: c for c in citations}
    for d, st in zip(
        [d for d in drafts if not d.is_lead], [b for s in sections for b in s.bullets], strict=True
    ):
        assert any(d.core in by_n[n].text for n in st.citations)


def test_lead_names_most_recent_highest_quality_source() -> None:
    _, (sections, _) = _compose()
    guideline = sections[0].lead.text
    assert guideline.startswith("According to the 2016 American Academy of Neurology guideline, ")
    research = next(s for s in sections if s.tier is Tier.RESEARCH).lead.text
    assert research.startswith("According to a 2019 systematic review")  # level 1 beats the 2012 RCT


def test_clinician_prefers_specific_sentences_and_names_the_drugs() -> None:
    _, (sections, _) = _compose()
    text = " ".join(st.text for s in sections for st in (s.lead, *s.bullets))
    assert "1 mg/kg/day" in text  # pysbd kept the dose sentence whole
    assert "corticosteroid" in text.lower() and ("IVIG" in text or "methotrexate" in text.lower())
    assert specificity("Prednisone 1 mg/kg/day orally in adults daily.") == 1.0


def test_patient_order_puts_patient_information_first() -> None:
    _, (sections, _) = _compose("patient")
    assert sections[0].tier is Tier.PATIENT_INFO


def test_groups_by_keyword() -> None:
    assert group_for("Prolonged use may cause cataracts and increased risk of infection.") == "Safety"
    assert group_for("The initial dose is 60 mg per day.") == "Dosing"
    assert group_for("Sun protection is advised.") == "Supportive care"
    assert group_for("IVIG is recommended for refractory disease.") == "Key treatment components"
    assert group_for("The weather was mild.") == "Other findings"


def test_near_duplicate_sentences_merge_citations() -> None:
    a = chunk("Methotrexate is an effective steroid-sparing agent in dermatomyositis.", doc="a")
    b = chunk("Methotrexate is an effective steroid sparing agent in dermatomyositis!", doc="b")
    cands = score_sentences(
        "methotrexate dermatomyositis",
        [hit(a, 2, 1), hit(b, 1, 2)],
        "clinician",
        COMPOSER.clinician,
        COMPOSER.min_relative_score,
    )
    chosen = select(cands, COMPOSER.clinician, COMPOSER.merge_ratio)
    assert len(chosen) == 1 and {h.doc_id for h in chosen[0][1]} == {"a", "b"}


def test_off_topic_passages_contribute_nothing() -> None:
    off = chunk("Statins reduce the risk of myocardial infarction and are first-line treatment.", doc="off")
    assert compose(Q, {Tier.RESEARCH: [hit(off)]}, COMPOSER) == []


def test_attribution_phrases() -> None:
    label = chunk("x", tier=Tier.DRUG_LABEL, title="PREDNISONE tablets", section="Warnings")
    assert attribution(hit(label)) == "According to the FDA label for PREDNISONE tablets (Warnings),"
    uspstf = chunk(
        "x", tier=Tier.GUIDELINE, collection="uspstf", publisher="USPSTF", year=2022, meta={"grade": "B"}
    )
    assert attribution(hit(uspstf)) == "According to the 2022 USPSTF recommendation (grade B),"
    assert attribution(hit(chunk("x", year=2019)), "patient") == "A 2019 study found that"
    # an organisation of several words takes "the", a one-word name (a company, an acronym) none
    cff = chunk("x", tier=Tier.GUIDELINE, publisher="Cystic Fibrosis Foundation", year=2016)
    assert attribution(hit(cff), "patient") == (
        "A 2016 guideline from the Cystic Fibrosis Foundation says that"
    )
    company = chunk("x", tier=Tier.GUIDELINE, publisher="ConvaTec", year=2013)
    assert attribution(hit(company), "patient") == "A 2013 guideline from ConvaTec says that"


def test_selection_prefers_a_new_fact_over_a_repeated_one() -> None:
    from medcite.settings import ComposeLimits
    from qa.compose import Candidate, fact_keys

    c = chunk("x", tier=Tier.GUIDELINE)
    sentences = [
        ("Prednisone is the first-line treatment for dermatomyositis in adults.", 0.9),
        ("High-dose prednisone is started at diagnosis and tapered over months.", 0.85),
        ("Methotrexate is added when the disease does not respond to steroids.", 0.6),
        ("Physical therapy and exercise keep muscles strong.", 0.5),
    ]
    cands = [Candidate(s, hit(c, 1.0, i), score) for i, (s, score) in enumerate(sentences, start=1)]
    limits = ComposeLimits(bullets_per_tier=2, sentences_per_passage=5)
    plain = [s for s, _, _ in select(cands, limits, 85.0)]
    assert plain == [s for s, _ in sentences[:3]]  # by score alone: two prednisone sentences
    covering = [s for s, _, _ in select(cands, limits, 85.0, novelty_bonus=0.5, repeat_weight=0.5)]
    assert covering[0] == sentences[0][0] and sentences[1][0] not in covering
    assert {sentences[2][0], sentences[3][0]} <= set(covering)  # methotrexate and physical therapy
    assert "drug:prednisone" in fact_keys(sentences[1][0]) and "measure:exercise" in fact_keys(
        sentences[3][0]
    )


def test_an_answer_stays_within_its_word_budget_keeping_each_lead() -> None:
    from qa.compose import within_budget, word_count
    from qa.drafts import Draft

    lead = Draft(Tier.GUIDELINE, "Lead sentence with six words.", ("a",), is_lead=True, score=0.1)
    bullets = [
        Draft(Tier.GUIDELINE, "Best bullet of five words.", ("b",), score=0.9),
        Draft(Tier.GUIDELINE, "A long bullet that will not fit in what is left.", ("c",), score=0.8),
        Draft(Tier.GUIDELINE, "Small one here.", ("d",), score=0.2),
    ]
    kept = within_budget([lead, *bullets], 15)
    assert kept == [lead, bullets[0], bullets[2]] and sum(word_count(d) for d in kept) <= 15
    assert within_budget([lead, *bullets], 3) == []  # a section is shown only when its lead fits
    assert within_budget([lead, *bullets], 3, first=True) == [lead]  # ... except the answer's first


def test_composed_answers_respect_the_audience_word_limits() -> None:
    tier_hits = retrieve_by_tier(
        MemoryRetriever(DERMATOMYOSITIS), "treatment of dermatomyositis", RetrievalSettings()
    )
    composer = ComposerSettings(clinician_answer_words=40, patient_answer_words=25)
    for audience, words in (("clinician", 40), ("patient", 25)):
        drafts = compose("What is the treatment for dermatomyositis?", tier_hits, composer, audience)
        total = sum(len(d.text.split()) for d in drafts)
        assert drafts and (total <= words or len(drafts) == 1)
    unbounded = compose("What is the treatment for dermatomyositis?", tier_hits, ComposerSettings())
    assert sum(len(d.text.split()) for d in unbounded) > 40  # the limit is what cut them


PREDNISONE_INDICATIONS = (
    "2. Rheumatic Disorders\n"
    "As adjunctive therapy for short-term administration (to tide the patient over an acute episode or "
    "exacerbation) in:\nPsoriatic arthritis\nRheumatoid arthritis\n"
    "3. Collagen Diseases\nDuring an exacerbation or as maintenance therapy in selected cases of:\n"
    "Systemic lupus erythematosus\nSystemic dermatomyositis (polymyositis)\nAcute rheumatic carditis\n"
    "4. Dermatologic Diseases\nPemphigus\nBullous dermatitis herpetiformis"
)


def test_a_labels_indications_list_answers_a_treatment_question() -> None:
    """Issue 17: the prednisone label lists "Systemic dermatomyositis (polymyositis)" under Collagen
    Diseases, one item per line; before, its lines were joined into one run-on the composer could not
    use, and the label section quoted another drug's adverse reactions instead."""
    from qa.compose import compose_tier
    from qa.support import check_support

    label = chunk(
        PREDNISONE_INDICATIONS,
        tier=Tier.DRUG_LABEL,
        title="PredniSONE Tablets, USP",
        section="INDICATIONS AND USAGE",
        collection="spl",
    )
    other = chunk(
        "Rare cases of dermatomyositis have been reported during treatment with statins.",
        tier=Tier.DRUG_LABEL,
        title="PRAVACHOL",
        section="ADVERSE REACTIONS",
        collection="openfda",
    )
    question = "What is the treatment for dermatomyositis?"
    drafts = compose_tier(
        question, Tier.DRUG_LABEL, [hit(label, rank=1), hit(other, rank=2)], "clinician", ComposerSettings()
    )
    lead = drafts[0]
    assert lead.is_lead and "Systemic dermatomyositis (polymyositis)" in lead.text
    assert "maintenance therapy" in lead.text and label.chunk_id in lead.chunk_ids
    assert "lupus" not in lead.text and "Pemphigus" not in " ".join(
        d.text for d in drafts
    )  # only the item asked about
    hits = {label.chunk_id: hit(label), other.chunk_id: hit(other)}
    assert check_support([lead], hits, ComposerSettings().support_threshold)  # every word from the passage


def test_a_label_lead_names_the_product_without_its_strengths() -> None:
    spl = chunk(
        "x", tier=Tier.DRUG_LABEL, title="PredniSONE Tablets, USP 1 mg, 2.5 mg, 5 mg Rx only", section="Usage"
    )
    assert attribution(hit(spl)) == "According to the FDA label for PredniSONE Tablets (Usage),"
    assert attribution(hit(spl), "patient") == "The FDA label for PredniSONE says that"


def test_a_passage_past_its_share_still_gives_a_sentence_with_a_new_fact() -> None:
    from medcite.settings import ComposeLimits
    from qa.compose import Candidate

    c = chunk("x", tier=Tier.PATIENT_INFO)
    sentences = [
        ("Prednisone is the standard treatment for dermatomyositis.", 0.9),
        ("Prednisone is given in pill form for dermatomyositis.", 0.8),
        ("Most cases of dermatomyositis respond to prednisone.", 0.7),
        ("Physical therapy helps people with dermatomyositis regain strength.", 0.5),
    ]
    cands = [Candidate(s, hit(c, 1.0, 1), score) for s, score in sentences]
    limits = ComposeLimits(bullets_per_tier=5, sentences_per_passage=2)
    chosen = [s for s, _, _ in select(cands, limits, 85.0)]
    # the third prednisone sentence repeats a fact and stays out; physical therapy is new and comes in
    assert chosen == [sentences[0][0], sentences[1][0], sentences[3][0]]


def test_a_non_drug_measure_after_a_sentence_on_the_topic_answers_a_treatment_question() -> None:
    page = chunk(
        "There is no cure for dermatomyositis, but the symptoms can be treated. Options include "
        "medication, physical therapy, exercise, heat therapy, orthotics and assistive devices, and rest.",
        tier=Tier.PATIENT_INFO,
        title="Dermatomyositis information page",
    )
    found = [c.sentence for c in score_sentences(Q, [hit(page)], "clinician", COMPOSER.clinician, 0.0)]
    assert any(s.startswith("Options include medication, physical therapy") for s in found)
    # not for a question about something else: the same sentence says nothing about the cause
    cause = [
        c.sentence
        for c in score_sentences(
            "What causes dermatomyositis?", [hit(page)], "clinician", COMPOSER.clinician, 0.0
        )
    ]
    assert not any(s.startswith("Options include") for s in cause)


def test_an_abbreviation_defined_elsewhere_in_the_passage_is_spelled_out() -> None:
    registry = chunk(
        "In 22 of the 23 patients, rituximab (RIX) was given as off-label therapy.\n\n"
        "RIX is the preferred off-label biologic drug for dermatomyositis in Germany.",
        title="Registry analysis",
    )
    found = [c.sentence for c in score_sentences(Q, [hit(registry)], "clinician", COMPOSER.clinician, 0.0)]
    assert "Rituximab (RIX) is the preferred off-label biologic drug for dermatomyositis in Germany." in found


def test_label_boilerplate_is_never_a_sentence_of_the_answer() -> None:
    from qa.compose import _usable

    limits = COMPOSER.clinician
    assert not _usable(
        "LEXAPRO and its design are trademarks of H. Lundbeck A/S, used under license.", limits
    )
    assert not _usable("Escitalopram oxalate has the following structural formula: the SSRI is oral.", limits)
    assert not _usable("Manufactured for Allergan USA, Inc. in Madison, New Jersey, in 2023.", limits)
    assert not _usable(
        "To report SUSPECTED ADVERSE REACTIONS, contact sanofi-aventis U.S. LLC at 1-800-633-1610.", limits
    )
    assert not _usable(
        "The strength of recommendation (I-III) and levels of evidence (A-D) are defined at the end of the "
        '"Major Recommendations" field.',
        limits,
    )
    assert _usable("Do not use Lexapro within 14 days of stopping an MAOI.", limits)
    # an item of a contraindication list whose lead-in is not shown
    assert not _usable(
        "Taking, or within 14 days of stopping, MAOIs, because of an increased risk of serotonin syndrome.",
        limits,
    )
    assert _usable("Taking ibuprofen with food can reduce stomach upset.", limits)
    # who a case report is about is not what it found ("A study found that we present a case ...")
    assert not _usable("We present a case of a 61-year-old man who developed low blood pressure.", limits)
    assert _usable("We report that sacubitril lowered blood pressure in 12 of 40 patients.", limits)
    # a list cut after its conjunction: the choices that follow are not shown
    assert not _usable("Offer one of the following choices first to women with OAB: Oxybutynin, or.", limits)
    assert not _usable("Avoid grapefruit juice, alcohol, and.", limits)
    assert _usable("Take it with food or milk, and drink water.", limits)


def test_a_brand_name_opening_a_label_lead_keeps_its_capital() -> None:
    from qa.compose import _lowercase_first

    passage = "Lexapro is not approved for use in children under 7. LEXAPRO tablets are film-coated."
    sentence = "Lexapro is not approved for use in children under 7."
    assert _lowercase_first(sentence, passage, "Lexapro (escitalopram)") == sentence
    # a common word opening the sentence is still lowered, and without the product name so is the brand
    assert (
        _lowercase_first("Tablets are film-coated.", passage, "Lexapro (escitalopram)")
        == "tablets are film-coated."
    )
    assert _lowercase_first(sentence, passage).startswith("lexapro")
    # a word the passage capitalises after a heading but also writes in lower case is no name
    heading = "Drug Interactions Because duloxetine is bound to protein, because of this, levels rise."
    assert _lowercase_first("Because duloxetine is bound to protein.", heading).startswith("because")
    named = "Mid-sentence Lipitor is named. Lipitor lowers cholesterol."
    assert _lowercase_first("Lipitor lowers cholesterol.", named) == "Lipitor lowers cholesterol."
    # "... Consortium guideline, Based on the highly prevalent use of simvastatin ...": the passage's
    # "Evidence Based" heading capitalises it mid-sentence, and a participle is no name all the same
    titled = "Evidence Based Dosing. Based on the prevalent use of simvastatin, testing is advised."
    assert _lowercase_first(
        "Based on the prevalent use of simvastatin, testing is advised.", titled
    ).startswith("based on")


def test_a_sources_own_reference_marks_are_not_shown_as_citations() -> None:
    # PubMedQA dev: "... early in life [33]." was shown with MedCite's [1], and [33] resolved to nothing
    page = chunk(
        "Cerebral hemispherectomy is becoming a standard procedure for intractable seizures in early "
        "life [33]. Six rotavirus genotypes, G1P[8], G2P[4] and G9P[8], dominate worldwide [1, 2].",
        tier=Tier.RESEARCH,
    )
    found = [
        c.sentence
        for c in score_sentences(
            "hemispherectomy seizures rotavirus genotypes", [hit(page)], "clinician", COMPOSER.clinician, 0.0
        )
    ]
    assert (
        "Cerebral hemispherectomy is becoming a standard procedure for intractable seizures in early life."
        in found
    )
    assert "Six rotavirus genotypes, G1P[8], G2P[4] and G9P[8], dominate worldwide." in found


def test_a_lead_reads_as_one_sentence_after_its_attribution() -> None:
    from qa.compose import _without_connective, attributed

    label = "The FDA label for Metoprolol says that"
    sentence = "Avoid initiation of a high-dose regimen of extended-release metoprolol in patients."
    assert attributed(label, sentence, sentence) == (
        "The FDA label for Metoprolol says to avoid initiation of a high-dose regimen of extended-release "
        "metoprolol in patients."
    )
    assert attributed(label, "Do not take 2 doses at once.", "x").startswith(
        "The FDA label for Metoprolol says not to take 2 doses"
    )
    assert attributed(
        "A 2016 guideline says that", "Gradually withdraw prednisolone after 3 weeks.", "x"
    ) == ("A 2016 guideline says to gradually withdraw prednisolone after 3 weeks.")
    assert attributed("A guideline says that", "Early treatment helps.", "x") == (
        "A guideline says that early treatment helps."
    )
    # a noun that looks like a verb stays a noun; the clinician's "According to ...," form is unchanged
    assert attributed(label, "Use of metoprolol is linked to falls.", "x") == (
        "The FDA label for Metoprolol says that use of metoprolol is linked to falls."
    )
    assert attributed("According to the FDA label,", "Avoid abrupt cessation.", "x") == (
        "According to the FDA label, avoid abrupt cessation."
    )
    # "The" names nothing, even where the passage capitalises it after a heading
    passage = "Vaccines (2016). The CF Foundation recommends PPSV23."
    assert attributed("A guideline says that", "The CF Foundation recommends PPSV23.", passage) == (
        "A guideline says that the CF Foundation recommends PPSV23."
    )
    assert _without_connective("However, not all males with KS benefit from testosterone.") == (
        "Not all males with KS benefit from testosterone."
    )
    assert _without_connective("So far no single therapy works.") == "So far no single therapy works."
    assert _without_connective("But rarely.") == "But rarely."
    assert (
        _without_connective("Also called acid reflux, GERD is common.")
        == "Also called acid reflux, GERD is common."
    )
    assert (
        _without_connective("And the dose is halved in kidney disease.")
        == "The dose is halved in kidney disease."
    )
    # a label's "Conversely, at least 14 days must elapse after stopping CELEXA ..." led an answer
    assert _without_connective("Conversely, at least 14 days must elapse after stopping it.") == (
        "At least 14 days must elapse after stopping it."
    )


def test_author_year_marks_are_cut_and_dates_kept() -> None:
    from qa.compose import without_reference_marks as cut

    assert cut("Assess and manage wound odor (Frykberg et al., 2006; Brem et al., 2006).") == (
        "Assess and manage wound odor."
    )
    assert cut("Compression heals ulcers (Smith and Jones, 2010) in most adults.") == (
        "Compression heals ulcers in most adults."
    )
    assert cut("Screening is advised (WHO, 2019).") == "Screening is advised."
    assert cut(
        "Use off-loading (Lewis & Lipp, 2012; Kerstein, 1996; Frykberg et al., 2006, Brem et al., 2006)."
    ) == ("Use off-loading.")
    for kept in (
        "XIPERE was approved (October 2021) for macular edema.",
        "Doses (Table 2, 2006 data) vary.",
        "Take 20 mg (two 10 mg tablets) daily.",
    ):
        assert cut(kept) == kept


def test_pointers_to_tables_and_figures_the_answer_cannot_show() -> None:
    # MedLFQA / MedicationQA dev answers showed "table 6 shows single-dose ... parameters" and
    # "(see Table 3 in the original guideline document; B-III)"
    page = chunk(
        "Table 6 shows single-dose and steady-state pharmacokinetic parameters for meloxicam 7.5 mg. "
        "The effect of meloxicam on clearance is shown in Table 3 for older adults. "
        "A dose of meloxicam 7.5 mg by mouth daily is appropriate for most adults with arthritis "
        "(see Table 3 in the original guideline document; B-III). "
        "Meloxicam doses above 15 mg daily (Table 2, 2006 data) raise the risk of ulcers. "
        "Avoid table salt and salty food while taking meloxicam for arthritis.",
        tier=Tier.DRUG_LABEL,
    )
    found = [
        c.sentence
        for c in score_sentences(
            "meloxicam dose arthritis", [hit(page)], "clinician", COMPOSER.clinician, 0.0
        )
    ]
    assert "A dose of meloxicam 7.5 mg by mouth daily is appropriate for most adults with arthritis." in found
    assert "Meloxicam doses above 15 mg daily raise the risk of ulcers." in found
    assert "Avoid table salt and salty food while taking meloxicam for arthritis." in found
    assert not [s for s in found if "Table" in s or "table 6" in s.lower()]


def test_a_labels_pointers_to_its_other_sections_are_cut() -> None:
    # 80 MedLFQA dev clinician answers showed "[see Warnings and Precautions (5.10)]" and the like
    from qa.compose import without_figure_asides

    assert (
        without_figure_asides(
            "Dose adjustment of ropinirole is advised with ciprofloxacin "
            "[see Warnings and Precautions (5.10)]."
        )
        == "Dose adjustment of ropinirole is advised with ciprofloxacin."
    )
    assert (
        without_figure_asides(
            "Bronchospasm has occurred (see WARNINGS (5.4) and Adverse Reactions (6.1)) in a few patients."
        )
        == "Bronchospasm has occurred in a few patients."
    )
    assert without_figure_asides("Take it with food [see Dosage and Administration ( 2.1 ) ].") == (
        "Take it with food."
    )
    # a label's capital "See" as well
    assert (
        without_figure_asides(
            "Do not use with MAOIs [See Warnings and Precautions ( 5.2), Drug Interactions ( 7.1)]."
        )
        == "Do not use with MAOIs."
    )
    assert (
        without_figure_asides("Bronchospasm has occurred (See WARNINGS) in a few.")
        == "Bronchospasm has occurred in a few."
    )
    # an aside that says something stays
    for kept in ("Use a lower dose (see your doctor first).", "Ulcers (seen in 2% of patients) occur."):
        assert without_figure_asides(kept) == kept


def test_bullets_drop_a_connective_that_points_at_a_sentence_not_shown() -> None:
    from qa.compose import compose_tier

    page = chunk(
        "Metformin is the first medicine for type 2 diabetes in most adults. "
        "However, metformin is not advised for adults with severe kidney disease and diabetes. "
        "But adults who took metformin for diabetes also lost a little weight. "
        "Metformin for diabetes rarely causes low blood sugar when taken alone.",
        tier=Tier.PATIENT_INFO,
    )
    drafts = compose_tier("metformin for diabetes", Tier.PATIENT_INFO, [hit(page)], "clinician", COMPOSER)
    texts = [d.text for d in drafts]
    assert len(drafts) >= 3 and not [t for t in texts if t.startswith(("However", "But"))]
    assert "Metformin is not advised for adults with severe kidney disease and diabetes." in texts
    assert "Adults who took metformin for diabetes also lost a little weight." in texts
    assert all(d.core == d.text for d in drafts if not d.is_lead)


def test_what_people_ask_of_a_medicine_they_hold_finds_the_label_section_that_says_it() -> None:
    """Issue 17: "what does memantine look like" was answered with an interaction study that named
    memantine; the label's HOW SUPPLIED line describing the tablet answers it."""
    from qa.compose import question_intents

    assert question_intents("what does memantine look like") == ["appearance"]
    assert question_intents("wean off tegretol?") == ["stopping"]
    assert question_intents("what are the ingredients in cephalexin") == ["ingredients"]
    assert question_intents("can rivaroxaban interact with aspirin") == ["interactions"]
    assert "interactions" in question_intents("why shouldn't i take gemfibrozil while taking lovastatin?")
    assert question_intents("what spices can be used while on warfarin") == ["interactions"]
    assert question_intents("where do i store insulin") == ["storage"]
    assert question_intents("metformin after dinner and bed time?") == ["timing"]
    # a cue starts a word: "restore" is not about storage, "design" not about signs
    assert question_intents("how to restore hair after a study design change") == []
    assert question_intents("bupropion 300mg") == ["dosing"]

    supplied = chunk(
        "Memantine tablets are supplied as 10 mg white, oval, film-coated tablets debossed with M 10.",
        tier=Tier.DRUG_LABEL,
        title="Memantine Tablets",
        section="HOW SUPPLIED",
        collection="spl",
    )
    interaction = chunk(
        "Plasma levels of quinidine increased 20-30% when memantine was added to dextromethorphan.",
        tier=Tier.DRUG_LABEL, title="Nuedexta", section="CLINICAL PHARMACOLOGY", collection="openfda",
    )  # fmt: skip
    ranked = score_sentences(
        "what does memantine look like",
        [hit(interaction, rank=1), hit(supplied, rank=2)],
        "patient",
        COMPOSER.patient,
        COMPOSER.min_relative_score,
    )
    assert ranked and "debossed" in ranked[0].sentence


def test_a_list_run_together_is_not_a_sentence() -> None:
    # a MedLFQA dev answer quoted a GARD symptom table: "Absent Achilles reflex - Babinski sign - ..."
    page = chunk(
        "Ataxia with tremor is rare. Signs of ataxia with tremor include absent Achilles reflex - Babinski "
        "sign - Dysarthria - Tremor - Optic atrophy. Ataxia with tremor is treated by managing each "
        "symptom - Physical therapy helps most people.",
        tier=Tier.PATIENT_INFO, title="Ataxia with tremor", collection="medquad",
    )  # fmt: skip
    found = [
        c.sentence
        for c in score_sentences("ataxia tremor signs", [hit(page)], "clinician", COMPOSER.clinician, 0.0)
    ]
    assert not [s for s in found if "Babinski" in s]
    assert any(s.startswith("Ataxia with tremor is treated") for s in found)  # one dash is a lead-in


def test_a_lead_in_joined_to_its_list_item_by_a_dash_reads_with_a_colon() -> None:
    from qa.compose import list_lead_in

    assert list_lead_in("Tablets are contraindicated in - Patients with hypersensitivity to loratadine.") == (
        "Tablets are contraindicated in: Patients with hypersensitivity to loratadine."
    )
    assert list_lead_in("Other medications - Intranasal cromolyn (OTC).") == (
        "Other medications: Intranasal cromolyn (OTC)."
    )
    # the item in lower case after the verb that takes it: the dash goes
    assert list_lead_in("Diclofenac potassium tablets are used - for relief of mild to moderate pain.") == (
        "Diclofenac potassium tablets are used for relief of mild to moderate pain."
    )
    for kept in (
        "Doses of 5 - 10 mg are usual.",  # a range
        "Terazosin is used - for example - at night.",  # an aside between two dashes
        "On day 2 - Repeat the dose.",  # a number before the dash: not a lead-in
        "A - B - C are listed here.",  # more than one dash: not one item
        "A well-known drug - with few side effects.",  # lower case after the dash: an aside
    ):
        assert list_lead_in(kept) == kept


def test_a_guideline_grade_opening_the_lead_moves_into_its_attribution() -> None:
    """MedLFQA: 'A 2014 guideline says that A: The use of ...' read the recommendation's grade as a
    word of the sentence; the grade now goes with the source and the passage sentence stays checked."""
    from qa.compose import compose_tier
    from qa.support import check_support

    text = (
        "A: If warfarin is indicated for atrial fibrillation it should be used alone without aspirin. "
        "B: Aspirin may be considered for atrial fibrillation when warfarin is not possible."
    )
    guide = chunk(text, tier=Tier.GUIDELINE, title="Atrial fibrillation", collection="ngc", publisher="NICE")
    question = "Should warfarin be used for atrial fibrillation?"
    for audience, opening in (
        ("clinician", "According to the 2015 NICE guideline (grade A), if warfarin"),
        ("patient", "A 2015 guideline from NICE (grade A) says that if warfarin"),
    ):
        lead = compose_tier(question, Tier.GUIDELINE, [hit(guide)], audience, COMPOSER)[0]
        assert lead.is_lead and lead.text.startswith(opening), lead.text
        assert lead.core.startswith("A: If warfarin")  # what the support check reads: the passage's words
        assert check_support([lead], {guide.chunk_id: hit(guide)}, COMPOSER.support_threshold)


def test_headings_left_at_a_sentence_start_are_cut() -> None:
    """Full-index answers read 'According to ... (How Supplied), How Supplied Amphetamine ...',
    'NURSING MOTHERS Nitrofurantoin has ...' and 'CONCLUSIONS Brodifacoum-laced ...'."""
    from corpus.sentences import without_leading_label
    from qa.compose import without_section_title

    assert without_section_title(
        "How Supplied Amphetamine suspension has 1.25 mg per mL.", "How Supplied"
    ) == ("Amphetamine suspension has 1.25 mg per mL.")
    assert without_section_title(
        "NURSING MOTHERS Nitrofurantoin is in milk.", "Pediatric Use; Nursing Mothers"
    ) == ("Nitrofurantoin is in milk.")
    for kept, section in (
        ("Pregnancy Category C.", "8 USE IN SPECIFIC POPULATIONS > 8.1 Pregnancy"),  # one word: the subject
        ("How supplied tablets differ.", "How Supplied"),  # no sentence follows the title
    ):
        assert without_section_title(kept, section) == kept
    assert without_leading_label("CONCLUSIONS Brodifacoum toxicity can be lethal.") == (
        "Brodifacoum toxicity can be lethal."
    )
    assert without_leading_label("MATERIALS AND METHODS We studied rats.") == "We studied rats."
    assert without_leading_label("CONCLUSIONS RIX is preferred.") == "RIX is preferred."
    for kept in ("HIV RESULTS were positive.", "RIX is preferred."):  # capitals that are not a label
        assert without_leading_label(kept) == kept


def test_an_attribution_reads_as_one_sentence() -> None:
    """'According to GARD, A new patch ...' and 'According to the 2016 The Endocrine Society guideline'."""
    from qa.compose import _lowercase_first

    assert _lowercase_first("A new patch may help.", "A new patch may help.") == "a new patch may help."
    guide = chunk(
        "Hydrocortisone can be used in pregnancy.",
        tier=Tier.GUIDELINE,
        collection="ngc",
        publisher="The Endocrine Society - Professional Association",
        year=2016,
    )
    assert attribution(hit(guide)) == "According to the 2016 Endocrine Society guideline,"
    assert attribution(hit(guide), "patient") == "A 2016 guideline from the Endocrine Society says that"


def test_guideline_labels_and_grades_do_not_open_a_bullet() -> None:
    """'Note: In this guideline ...', 'Recommendation 4: We suggest ...', a bullet 'D: Specialist
    referral ...' and MedlinePlus's 'Summary: Flu is ...' on the full index; a grade stays, at the end."""
    from qa.compose import compose_tier, graded_at_end

    assert graded_at_end("D: Specialist referral should be considered.") == (
        "Specialist referral should be considered (grade D)."
    )
    assert graded_at_end("A patient should rest.") == "A patient should rest."
    # "GCP: The GDG suggests ..." and "GPP: Only ..." opened 42 dev answers' sentences
    assert graded_at_end("GPP: Only long-acting dihydropyridines should be used.") == (
        "Only long-acting dihydropyridines should be used (good practice point)."
    )
    assert graded_at_end("GCP: The GDG suggests the pneumococcal vaccine.") == (
        "The GDG suggests the pneumococcal vaccine (good clinical practice)."
    )
    assert graded_at_end("GPS: the tracker.") == "GPS: the tracker."
    from qa.compose import with_grade

    assert with_grade("According to the 2008 Basque guideline,", "GPP") == (
        "According to the 2008 Basque guideline (good practice point),"
    )
    text = (
        "A: If warfarin is indicated for atrial fibrillation it should be used alone without aspirin. "
        "Note: In atrial fibrillation warfarin dosing follows the INR. "
        "B: Aspirin may be considered for atrial fibrillation when warfarin is not possible."
    )
    guide = chunk(text, tier=Tier.GUIDELINE, title="Atrial fibrillation", collection="ngc", publisher="NICE")
    drafts = compose_tier(
        "Should warfarin be used for atrial fibrillation?",
        Tier.GUIDELINE,
        [hit(guide)],
        "clinician",
        COMPOSER,
    )
    shown = [d.text for d in drafts[1:]]
    assert (
        "Aspirin may be considered for atrial fibrillation when warfarin is not possible (grade B)." in shown
    )
    assert "In atrial fibrillation warfarin dosing follows the INR." in shown
    assert all(d.core in text for d in drafts[1:])  # the checks read the passage's own words
    page = chunk("Summary: Flu is a respiratory infection caused by viruses.", tier=Tier.PATIENT_INFO)
    found = score_sentences("What is flu?", [hit(page)], "patient", COMPOSER.patient, 0.0)
    assert [c.sentence for c in found] == ["Flu is a respiratory infection caused by viruses."]
    # a numbered list item's number ("A 2014 guideline says that 5. It may be harmful ..."), not a dose
    listed = chunk(
        "5. It may be harmful to initiate simvastatin at 80 mg daily. 1.5 mg of simvastatin is not a dose.",
        tier=Tier.GUIDELINE,
    )
    found = score_sentences(
        "simvastatin 80 mg daily dose", [hit(listed)], "clinician", COMPOSER.clinician, 0.0
    )
    assert {c.sentence for c in found} == {
        "It may be harmful to initiate simvastatin at 80 mg daily.",
        "1.5 mg of simvastatin is not a dose.",
    }
    # a footnote number glued to the sentence it marks ("7Use caution when using gabapentin and baclofen")
    glued = chunk(
        "7Use caution when using gabapentin and baclofen in combination. 2 mg of baclofen is a dose.",
        tier=Tier.GUIDELINE,
    )
    found = score_sentences("gabapentin and baclofen", [hit(glued)], "clinician", COMPOSER.clinician, 0.0)
    assert "Use caution when using gabapentin and baclofen in combination." in {c.sentence for c in found}


def test_a_title_case_heading_run_into_its_sentence_is_cut() -> None:
    """Full-index answers read 'The FDA label for Paroxetine says that drugs Metabolized by Cytochrome
    CYP3A4 An in vivo interaction study ...' and 'MedlinePlus says that Chest Pain or Discomfort The most
    common symptom ...'."""
    from qa.compose import without_run_in_heading

    for sentence, expected in (
        ("Sickle Cell Disease The safety of ADAKVEO was studied.", "The safety of ADAKVEO was studied."),
        (
            "Imipramine and Other Tricyclic Antidepressants (TCAs) In vitro studies suggest it is weak.",
            "In vitro studies suggest it is weak.",
        ),
        (
            "Specific Populations Patients with Renal Impairment The half-life is unchanged.",
            "The half-life is unchanged.",
        ),
        (
            "Drugs Highly Bound to Plasma Protein Because duloxetine is bound, levels rise.",
            "Because duloxetine is bound, levels rise.",
        ),
        (
            "Fat Soluble Vitamin (FSV) Deficiency Advise patients that vitamin levels will be checked.",
            "Advise patients that vitamin levels will be checked.",
        ),
        (
            "Medroxyprogesterone Medroxyprogesterone reduces the plasma level.",
            "Medroxyprogesterone reduces the plasma level.",
        ),
    ):
        assert without_run_in_heading(sentence) == expected
    for kept in (
        "Hepatitis A vaccine is given in two doses.",  # 'A' names the virus
        "The CDC says In general that is fine.",  # lower case before the opener: prose, not a heading
        "Lexapro is indicated for depression. The dose is 10 mg.",
        "Women in The study had less pain.",  # a small word right before the opener
        "Use In Pregnancy Category C drugs.",  # no lower-case word after the opener
        "Aspirin. The dose is 81 mg daily.",  # a stop ends the first words
        "Patient Counseling Advise LEXAPRO users.",  # no lower-case word after the imperative
    ):
        assert without_run_in_heading(kept) == kept


def test_a_study_design_and_a_grading_legend_are_not_findings() -> None:
    from qa.compose import _lowercase_first, _usable

    limits = COMPOSER.clinician
    for design in (
        "This was a prospective randomized, single-blinded comparison between benzocaine and lidocaine.",
        "Four trials compared vaginal suppository with vaginal tablets of clotrimazole.",
        "Twenty-seven studies were included in the meta-analysis, with 928 patients.",
        "Data regarding opioid doses and pain intensity were collected after titration.",
        "The outcomes were compared between residency programs with and without fellowships.",
        "A retrospective study was conducted on 23 talar neck fractures over 13 years.",
        "Strong: The evidence is high quality and the desirable effects clearly outweigh the undesirable.",
        "The following links will lead you to the main page that describes the vaccine.",
        "Optional: The desirable effects are closely balanced with undesirable effects.",
        "These resources address the diagnosis or management of Parkinson disease: Gene Review: Overview.",
        "For more information about the BRAIN initiative, see www.nih.gov/science/brain.",
        "To critically assess the evidence that appendiceal perforation is a risk factor for infertility.",
        "Studies of appendectomy and infertility were identified by searching the MEDLINE database.",
        "A randomized, placebo-controlled pilot study of sacubitril/valsartan in dogs with cardiomegaly.",
        "A cross-sectional study of infants tested with otoacoustic emissions under a screening program.",
        "Detailed guidelines for the use of phenytoin are out of scope for this guideline.",
        "Detailed guidelines for the use of simvastatin are beyond the scope of this article.",
        "This guideline does not cover other allergies (for example food allergies).",
        "Use of biologic therapy for psoriatic arthritis is outside the scope of this guideline.",
    ):
        assert not _usable(design, limits), design
    for finding in (
        "Five studies compared heroin with oral methadone and showed that heroin helped more people.",
        "Trials show that aspirin lowers the risk of a second stroke.",
        "A variety of adverse effects were recorded with no significant differences from placebo.",
        "Prednisone is the first-line treatment and was evaluated in many trials.",
        "Mortality was higher in the group that was evaluated late.",
        "The scope of bedside ultrasound grew with training.",
        "Mutations were identified in 30% of the patients tested.",
        "A randomized trial comparing induction chemotherapy to concurrent therapy provided good results.",
        "A meta-analysis of 12 trials found that aspirin lowers the risk of stroke.",
        "A trial of prednisone in adults with myositis halved the relapse rate.",
        "This guideline covers adults with asthma and does not replace clinical judgement.",
    ):
        assert _usable(finding, limits), finding
    # a conjunction opening the lead is lowered even where the passage only capitalises it
    passage = "Drug Interactions Because duloxetine is bound to protein, levels rise."
    assert _lowercase_first("Because duloxetine is bound to protein, levels rise.", passage).startswith(
        "because"
    )


def test_a_labels_subsection_headings_run_into_a_sentence_are_cut() -> None:
    """'The FDA label for Purixan says that data Human Data Women receiving mercaptopurine ...'."""
    from qa.compose import without_label_subheading

    for sentence, expected in (
        ("Nursing Mothers Doxepin is excreted in human milk.", "Doxepin is excreted in human milk."),
        (
            "Data Human Data Women receiving it miscarry more often.",
            "Women receiving it miscarry more often.",
        ),
        (
            "Clinical Considerations Fetal/Neonatal Adverse Reactions Use of opioids in pregnancy is risky.",
            "Use of opioids in pregnancy is risky.",
        ),
        (
            "Clinical Considerations Disease-Associated Maternal and/or Embryo/Fetal Risk Women are at risk.",
            "Women are at risk.",
        ),
    ):
        assert without_label_subheading(sentence) == expected
    for kept in (
        "Pregnancy Category C.",  # a one-word heading alone may be the subject
        "Risk summary data were limited.",  # not a heading's capitals
        "Renal impairment Renal x.",
    ):
        assert without_label_subheading(kept) == kept


def _label_sentences(question: str, text: str, *, title: str, section: str) -> list[str]:
    """The clinician candidate sentences of one label passage."""
    label = chunk(text, tier=Tier.DRUG_LABEL, title=title, section=section, collection="openfda")
    return [c.sentence for c in score_sentences(question, [hit(label)], "clinician", COMPOSER.clinician, 0.0)]


def test_a_heading_before_a_section_pointer_is_cut_with_it() -> None:
    """'Drug Interactions [see Warnings and Precautions (5.6)] Tell the patient ...': the pointer is
    cut first, then the heading it separated from the sentence."""
    found = _label_sentences(
        "grapefruit juice juxtapid",
        "Drug Interactions [see Warnings and Precautions (5.6) and Drug Interactions (7) ] Tell the patient "
        "to omit grapefruit juice from the diet while on JUXTAPID.",
        title="JUXTAPID (lomitapide) capsules",
        section="Patient Counseling Information",
    )
    assert found == ["Tell the patient to omit grapefruit juice from the diet while on JUXTAPID."]


def test_a_lead_does_not_point_back_at_a_sentence_not_shown() -> None:
    from qa.compose import compose_tier, lead_source

    page = chunk(
        "Opioids are a class of drugs used to treat pain. "
        "They include strong prescription opioid pain relievers such as oxycodone, morphine and fentanyl "
        "for severe pain.",
        tier=Tier.PATIENT_INFO,
    )
    drafts = compose_tier("opioid pain relievers", Tier.PATIENT_INFO, [hit(page)], "clinician", COMPOSER)
    assert drafts[0].is_lead and drafts[0].core.startswith("Opioids are a class of drugs")
    # the sentence that points back is shown after the one it points at, as one statement
    assert drafts[0].core.endswith("for severe pain.")
    assert not any("They include" in d.text for d in drafts[1:])
    # only when another pick is as relevant: otherwise the best pick leads all the same
    h = hit(page)
    assert lead_source([("They include oxycodone.", [h], 1.0), ("Opioids treat pain.", [h], 0.9)]) == 1
    assert lead_source([("They include oxycodone.", [h], 1.0), ("Opioids treat pain.", [h], 0.5)]) == 0
    # one somewhat less relevant that stands alone leads rather than "These included 3 cases of ..."
    assert lead_source([("They include oxycodone.", [h], 1.0), ("Opioids treat pain.", [h], 0.7)]) == 1
    assert lead_source([("They include oxycodone.", [h], 1.0), ("These treat pain.", [h], 0.9)]) == 0
    assert lead_source([("This study found less pain.", [h], 1.0), ("Opioids treat pain.", [h], 0.9)]) == 0


def test_what_is_x_is_answered_first_by_a_sentence_saying_what_x_is() -> None:
    from qa.compose import asks_what_it_is, defines

    assert asks_what_it_is("What is COPD?") and asks_what_it_is("What is (are) Hemorrhoids?")
    assert asks_what_it_is("what are barbiturates")
    assert not asks_what_it_is("what can take the place of tramadol")
    copd = frozenset({"copd"})
    assert defines("Chronic obstructive pulmonary disease (COPD) is a lung disease that makes it hard.", copd)
    assert not defines("COPD is responsive to multiple treatments.", copd)  # says something of it
    assert not defines("The USPSTF advises no screening for COPD, which is a lung disease.", copd)
    page = chunk(
        "COPD makes up a large share of hospital visits in winter for older adults. "
        "COPD (chronic obstructive pulmonary disease) is a group of lung diseases that make it hard to "
        "breathe.",
        tier=Tier.PATIENT_INFO,
    )
    found = score_sentences("What is COPD?", [hit(page)], "clinician", COMPOSER.clinician, 0.0)
    assert found[0].sentence.startswith("COPD (chronic obstructive pulmonary disease) is a group")


def test_a_labels_product_codes_are_not_read_out() -> None:
    from qa.compose import without_product_codes

    assert without_product_codes(
        "Tablets come as 5 mg (white, round, debossed 5094) NDC: 70518-0305-00 PACKAGING: 21 in 1 BOX."
    ) == ("Tablets come as 5 mg (white, round, debossed 5094).")
    assert without_product_codes(
        "FLUOROPLEX 1% Topical Cream is available in 30 g tubes (NDC 16110-812-30) NOTE: Avoid freezing."
    ) == ("FLUOROPLEX 1% Topical Cream is available in 30 g tubes. NOTE: Avoid freezing.")
    assert without_product_codes(
        "MYLOTARG comes in a carton (NDC 0008-4510-01) holding one 4.5 mg vial."
    ) == ("MYLOTARG comes in a carton holding one 4.5 mg vial.")
    assert without_product_codes("NDC 68682-001-50 single use vial containing 50 mL.") is None
    # a packing line answered "is peppermint oil safe in mouthwash?" once its code was cut
    assert (
        without_product_codes("Oral Solution 5 mg/5 mL, peppermint flavor (240 mL) NDC # 0456-2101-08.")
        is None
    )
    assert without_product_codes("Lexapro is taken once daily.") == "Lexapro is taken once daily."
    label = chunk(
        "Each Reglan tablet is white and contains 10 mg metoclopramide (NDC 62559-165-01). "
        "NDC 62559-165-01 bottles of 100 tablets.",
        tier=Tier.DRUG_LABEL,
        title="Reglan (metoclopramide)",
        section="How Supplied",
    )
    found = score_sentences("what does reglan look like", [hit(label)], "clinician", COMPOSER.clinician, 0.0)
    assert [c.sentence for c in found] == ["Each Reglan tablet is white and contains 10 mg metoclopramide."]
    supplied = chunk(
        "16 HOW SUPPLIED/STORAGE AND HANDLING How Supplied Reglan tablets are white and scored "
        "(NDC 62559-165-01).",
        tier=Tier.DRUG_LABEL,
        title="Reglan (metoclopramide)",
        section="How Supplied",
    )
    found = score_sentences(
        "what does reglan look like", [hit(supplied)], "clinician", COMPOSER.clinician, 0.0
    )
    assert [c.sentence for c in found] == ["Reglan tablets are white and scored."]


def test_a_table_row_or_list_item_opening_with_a_number_is_no_sentence() -> None:
    # "how to give diazepam rectal gel" was answered "The FDA label for Valium says that 2 mg to 10 mg, 2
    # to 4 times daily Geriatric Patients, or in the presence of debilitating disease."
    from qa.compose import _usable

    limits = COMPOSER.clinician
    for row in (
        "2 mg to 10 mg, 2 to 4 times daily Geriatric Patients, or in the presence of debilitating disease.",
        "3) a vaginal contraceptive ring (which releases 120 μg etonogestrel and 15 μg ethinyl estradiol).",
        "475 Patients consulting 30 general practitioners in Lothian.",
    ):
        assert not _usable(row, limits), row
    for sentence in (
        "10 mg once daily is the recommended starting dose for adults.",
        "0.4 mg once daily taken about one-half hour following the same meal each day.",
        "Diazepam rectal gel 2.5 mg is also available with a 4.4 cm tip.",
    ):
        assert _usable(sentence, limits), sentence
    # a row run into the sentence after it ("what happens when you mix cymbalta with muscle relaxes")
    assert not _usable(
        "CYMBALTA (60 mg BID) b 20.2 -12.1 -3.3 (-4.7, -1.9) Placebo 19.9 -8.8 -- In Study 5.", limits
    )
    assert not _usable(
        "Fatigue including asthenia 66 4 39 2 Blood and Lymphatic Disorders Anemia occurred.", limits
    )
    for sentence in (
        "Take 1 tablet 2 times a day for 7 days.",
        "Doses of 5, 10 and 20 mg were studied in adults with chronic kidney disease.",
        "The rate of major bleeding fell from 12.5% to 8.1% over 3 years in older patients.",
    ):
        assert _usable(sentence, limits), sentence


def test_a_kind_named_by_a_letter_is_not_another_kind() -> None:
    """ "why is vitamin a important to the body" was answered about vitamins D, C and E: the word
    "vitamin" names them all."""
    vitamins = chunk(
        "Vitamin A helps you see in dim light and keeps your skin healthy. "
        "Vitamin D is important to your body because it helps your body absorb calcium. "
        "It is important for your bones and muscles.",
        tier=Tier.PATIENT_INFO,
        title="Vitamins",
    )
    vitamin_c = chunk(
        "It is important for your skin, bones, and connective tissue.",
        tier=Tier.PATIENT_INFO,
        title="Vitamin C",
    )
    question = "why is vitamin a important to the body"
    found = [
        c.sentence
        for c in score_sentences(question, [hit(vitamins), hit(vitamin_c)], "patient", COMPOSER.patient, 0.0)
    ]
    assert found == ["Vitamin A helps you see in dim light and keeps your skin healthy."]
    # asked about vitamin D, the same passages answer
    found = [
        c.sentence
        for c in score_sentences(
            "why is vitamin d important to the body", [hit(vitamins)], "patient", COMPOSER.patient, 0.0
        )
    ]
    assert "Vitamin D is important to your body because it helps your body absorb calcium." in found
    assert "Vitamin A helps you see in dim light and keeps your skin healthy." not in found
    # a kind and its subkinds are one: vitamin B12 answers for vitamin B
    from qa.compose import _kinds, names_another_kind

    assert not names_another_kind("Vitamin B12 keeps nerve cells healthy.", _kinds("what does vitamin b do"))
    assert names_another_kind("Hepatitis C spreads through blood.", _kinds("how is hepatitis b spread"))
    # type 1 and type 2 diabetes are not told apart: what holds for one often answers for the other
    assert not names_another_kind(
        "PPARG variants raise type 2 diabetes risk.", _kinds("PPARG and type 1 diabetes")
    )


def test_a_strength_is_an_amount_a_medicine_comes_in_not_a_blood_level_or_a_daily_dose() -> None:
    """ "what size doses of metformin are available?" was answered with "steady state plasma levels of
    metformin ... are usually <1 mcg/mL": the word "mcg" is not a strength."""
    from qa.compose import INTENT_MARKERS, says_asked
    from qa.textutil import term_set

    strengths = INTENT_MARKERS["strengths"]

    def says(sentence: str) -> bool:
        return says_asked(strengths, term_set(sentence), sentence)

    assert not says("At usual clinical doses, steady state plasma levels of metformin are usually <1 mcg/mL.")
    assert not says("The usual dose is 2 g/day or 5 mg/kg.")
    assert says("Metformin tablets come in 500 mg, 850 mg and 1,000 mg.")
    assert says("Amoxicillin oral suspension, 125 mg/5 mL.")
    assert says("Each mL of insulin glargine contains 100 units/mL.")
    # other asks keep to their words
    assert says_asked(
        INTENT_MARKERS["storage"], term_set("Store at room temperature."), "Store at room temperature."
    )


def test_a_label_list_items_number_is_not_part_of_its_sentence() -> None:
    # shown after the attribution it read "The FDA label for Streptomycin says that 3. PLAGUE: 2 grams ..."
    found = _label_sentences(
        "streptomycin dose for plague",
        "2. TULAREMIA: 1 to 2 g daily in divided doses for 7 to 14 days until the patient is afebrile "
        "for 5 to 7 days. 3. PLAGUE: 2 grams of streptomycin daily in two divided doses should be "
        "administered intramuscularly. A minimum of 10 days of therapy is recommended.",
        title="Streptomycin",
        section="Dosage and Administration",
    )
    assert any(s.startswith("PLAGUE: 2 grams of streptomycin") for s in found), found
    assert not any(s.startswith("3.") for s in found)


def test_a_highlights_list_says_what_a_medicine_is_for() -> None:
    """'what is celebrex used for' was answered with dosing and contraindications: the label's list of
    indications ran on into its full section and no sentence of it could be shown."""
    from qa.compose import compose_tier
    from qa.support import check_support

    label = chunk(
        (
            "1. INDICATIONS AND USAGE Celecoxib is indicated Celecoxib is a nonsteroidal anti-inflammatory "
            "drug indicated for: • Osteoarthritis (OA) ( 1.1 ) • Rheumatoid Arthritis (RA) ( 1.2 ) • "
            "Ankylosing Spondylitis (AS) ( 1.4 ) • Acute Pain (AP) ( 1.5 ) 1.1 Osteoarthritis (OA) For the "
            "management of the signs and symptoms of OA [ see Clinical Studies (14.1) ]."
        ),
        tier=Tier.DRUG_LABEL,
        title="Celecoxib",
        section="Indications and Usage",
        collection="spl",
    )
    drafts = compose_tier(
        "what is celecoxib used for", Tier.DRUG_LABEL, [hit(label, rank=1)], "clinician", ComposerSettings()
    )
    lead = drafts[0]
    assert "indicated for: Osteoarthritis (OA); Rheumatoid Arthritis (RA)" in lead.text
    assert "( 1.1 )" not in lead.text
    assert check_support([lead], {label.chunk_id: hit(label)}, ComposerSettings().support_threshold)


def test_a_sentence_cut_from_its_section_title_still_answers_what_the_title_says() -> None:
    """'what is contraindication of carbamazepine': the old label's "CONTRAINDICATIONS Tegretol should
    not be used ..." is shown without the title, and is still the contraindication the question asks."""
    from qa.compose import compose_tier

    label = chunk(
        "CONTRAINDICATIONS Tegretol should not be used in patients with a history of previous bone marrow "
        "depression or hypersensitivity to the drug. Tegretol tablets are white and scored.",
        tier=Tier.DRUG_LABEL,
        title="Tegretol (carbamazepine)",
        section="Contraindications",
        collection="openfda",
    )
    drafts = compose_tier(
        "what is contraindication of carbamazepine",
        Tier.DRUG_LABEL,
        [hit(label, rank=1)],
        "clinician",
        ComposerSettings(),
    )
    texts = [d.text for d in drafts]
    assert any("Tegretol should not be used in patients" in t for t in texts), texts
    assert not any("CONTRAINDICATIONS Tegretol" in t for t in texts)


def test_a_labels_section_pointers_are_not_read_out() -> None:
    from qa.compose import without_section_pointers as cut

    # "... acne vulgaris ( 1 )." and "crushed or chewed ( 2.1, 2.2 )." were shown as written
    assert cut("Dapsone gel is indicated for the treatment of acne vulgaris ( 1 ).") == (
        "Dapsone gel is indicated for the treatment of acne vulgaris."
    )
    assert cut("Depakote ER should not be crushed or chewed ( 2.1, 2.2 ).") == (
        "Depakote ER should not be crushed or chewed."
    )
    assert (
        cut("Recommended Dosage ( 2.2 ): The dosage is 45 mg.") == "Recommended Dosage: The dosage is 45 mg."
    )
    # a pointer that runs into the next heading or sentence ends its sentence
    assert cut("Use with tamsulosin can cause hypotension ( 5.2, 7.3 ) 7.1 Strong Inhibitors of CYP3A4") == (
        "Use with tamsulosin can cause hypotension. 7.1 Strong Inhibitors of CYP3A4"
    )
    assert cut("Given by a healthcare professional (2.1)For patients naive to it, start low.") == (
        "Given by a healthcare professional. For patients naive to it, start low."
    )
    # counts, numbered items and units in brackets are text
    for kept in (
        "No more than five (5) doses, or ten (10) capsules should be taken in a 24-hour period.",
        "Skipping doses may (1) decrease the effectiveness and (2) increase resistance.",
        "DTaP(5)-IPV-Hib was applied to a 400 cm(2) area × (10) =93 mL.",
    ):
        assert cut(kept) == kept


def test_a_pointer_that_runs_into_the_next_sentence_is_not_shown_with_it() -> None:
    label = chunk(
        "Concomitant use of PDE5 inhibitors with tamsulosin can cause symptomatic hypotension ( 5.2, 7.3 ) "
        "7.1 Cytochrome P450 Inhibition Strong Inhibitors of CYP3A4 Tamsulosin is extensively metabolized "
        "by CYP3A4 and CYP2D6.",
        tier=Tier.DRUG_LABEL, title="Flomax (tamsulosin)", collection="spl", section="Drug Interactions",
    )  # fmt: skip
    found = score_sentences("tamsulosin hypotension", [hit(label)], "clinician", COMPOSER.clinician, 0.0)
    shown = [c.sentence for c in found]
    assert "Concomitant use of PDE5 inhibitors with tamsulosin can cause symptomatic hypotension." in shown
    assert not any("( 5.2" in s or "Cytochrome" in s and "hypotension" in s for s in shown)


def test_what_mice_or_cells_did_ranks_below_what_patients_did() -> None:
    # "What are the treatments of Cervical Cancer?" was answered with "treatment of cervical cancer cells
    # with a ... sirtuin inhibitor severely impairs cell proliferation"
    from qa.compose import asks_about_patients, question_intents

    study = chunk(
        "Methotrexate improved muscle strength in dermatomyositis. "
        "Methotrexate improved muscle strength in mice with dermatomyositis.",
        tier=Tier.RESEARCH,
    )

    def scores(question: str) -> dict[str, float]:
        found = score_sentences(question, [hit(study)], "clinician", COMPOSER.clinician, 0.0)
        return {("mice" if "mice" in c.sentence else "patients"): c.score for c in found}

    treated = scores("What is the treatment of dermatomyositis with methotrexate?")
    assert treated["mice"] < 0.6 * treated["patients"]
    # asked how it works, or about animals, what mice did is evidence as good as any
    for question in (
        "What is the mechanism of methotrexate in dermatomyositis?",
        "Does methotrexate treat dermatomyositis in mice?",
    ):
        both = scores(question)
        assert both["mice"] > 0.9 * both["patients"], question
    for question, expected in (
        ("what is the lowest dose of hydrochlorothiazide", True),
        ("what is antibiotic?", True),
        ("is amoxicillin safe in pregnancy", False),  # a label's animal reproduction studies answer it
        ("how to use ivermectin for dog", False),
        ("Which gene is mutated in Leigh syndrome?", False),
    ):
        intents = question_intents(question)
        assert asks_about_patients(question, intents, not intents) is expected, question


def test_a_tier_that_says_nothing_of_what_was_asked_is_left_out_when_another_does() -> None:
    # "What are the symptoms of Ovarian Cancer?" was answered with guidelines on BRCA testing and a
    # label's indications before the page that lists the symptoms
    from qa.compose import compose_sections, tiers_that_speak

    guide = chunk(
        "BRCA1 and BRCA2 mutation testing should be offered to women with ovarian cancer.",
        tier=Tier.GUIDELINE, title="Ovarian cancer genetics", collection="ngc",
    )  # fmt: skip
    page = chunk(
        "Symptoms of ovarian cancer may include bloating, pelvic pain and feeling full quickly.",
        tier=Tier.PATIENT_INFO, title="Ovarian Cancer", collection="medlineplus",
    )  # fmt: skip
    tier_hits = {Tier.GUIDELINE: [hit(guide)], Tier.PATIENT_INFO: [hit(page)]}
    q = "What are the symptoms of ovarian cancer?"
    assert tiers_that_speak(q, tier_hits, COMPOSER) == {Tier.PATIENT_INFO}
    sections = list(compose_sections(q, tier_hits, COMPOSER, "clinician"))[-1]
    assert {d.tier for d in sections} == {Tier.PATIENT_INFO}
    # no tier says it, or the question asks nothing such: every tier is composed
    assert tiers_that_speak(
        "What are the symptoms of ovarian cancer?", {Tier.GUIDELINE: [hit(guide)]}, COMPOSER
    ) == (frozenset())
    assert tiers_that_speak("ovarian cancer", tier_hits, COMPOSER) == frozenset()
    both = list(compose_sections("ovarian cancer", tier_hits, COMPOSER, "clinician"))[-1]
    assert {d.tier for d in both} == {Tier.GUIDELINE, Tier.PATIENT_INFO}
    # a medicine's dose keeps every tier: what the others say of it (what it is for) belongs to the answer
    label = chunk(
        "Olaparib tablets: the recommended dose is 300 mg taken orally twice daily.",
        tier=Tier.DRUG_LABEL, title="Lynparza (olaparib)", collection="spl",
    )  # fmt: skip
    use = chunk(
        "Olaparib is offered to women with BRCA-mutated ovarian cancer after chemotherapy.",
        tier=Tier.GUIDELINE, title="Ovarian cancer", collection="ngc",
    )  # fmt: skip
    dose_hits = {Tier.DRUG_LABEL: [hit(label)], Tier.GUIDELINE: [hit(use)]}
    assert tiers_that_speak("what is the dose of olaparib", dose_hits, COMPOSER) == frozenset()
    # a patient's answer keeps every tier: each gives it one sentence
    patient = list(compose_sections(q, tier_hits, COMPOSER, "patient"))[-1]
    assert {d.tier for d in patient} == {Tier.GUIDELINE, Tier.PATIENT_INFO}


def test_what_is_a_condition_is_answered_by_the_tiers_that_say_what_it_is() -> None:
    # "What is COPD?" was answered with USPSTF's screening statement and a label's indication before
    # the page that says what COPD is
    from qa.compose import asks_to_define, compose_sections, tiers_that_speak

    screening = chunk(
        "The USPSTF recommends against screening for COPD in asymptomatic adults.",
        tier=Tier.GUIDELINE, title="Chronic obstructive pulmonary disease: screening", collection="uspstf",
    )  # fmt: skip
    page = chunk(
        "COPD is a lung disease that makes it hard to breathe and gets worse over time.",
        tier=Tier.PATIENT_INFO, title="COPD", collection="medlineplus",
    )  # fmt: skip
    tier_hits = {Tier.GUIDELINE: [hit(screening)], Tier.PATIENT_INFO: [hit(page)]}
    assert tiers_that_speak("What is COPD?", tier_hits, COMPOSER) == {Tier.PATIENT_INFO}
    answer = list(compose_sections("What is COPD?", tier_hits, COMPOSER, "clinician"))[-1]
    assert {d.tier for d in answer} == {Tier.PATIENT_INFO}
    # no tier defines it: every tier is composed
    assert tiers_that_speak("What is COPD?", {Tier.GUIDELINE: [hit(screening)]}, COMPOSER) == frozenset()
    # a property of something is not its definition: "what is brand name of acetaminophen"
    for question, expected in (
        ("What is COPD?", True),
        ("what is medical marijuana", True),
        ("What is (are) Hemorrhoids ?", True),
        ("what is contraindication of carbamazepine", False),
        ("what is usual infusion time for cetuximab", False),
        ("What is the function of GFRAL?", False),
        ("what is the dose of morphine", False),
    ):
        assert asks_to_define(question) is expected, question
    assert tiers_that_speak("what is contraindication of copd", tier_hits, COMPOSER) == frozenset()


def test_a_sentence_that_points_back_is_shown_with_the_sentence_it_points_at() -> None:
    # "how does valium affect the brain" was answered with "most of these effects are thought to result
    # from ..." while the sentence naming the effects was left out
    label = chunk(
        "Diazepam is a benzodiazepine that exerts anxiolytic, sedative, muscle-relaxant, anticonvulsant "
        "and amnestic effects. Most of these effects are thought to result from a facilitation of the "
        "action of gamma aminobutyric acid (GABA), an inhibitory neurotransmitter in the brain.",
        tier=Tier.DRUG_LABEL, title="Valium (diazepam)", section="Clinical Pharmacology", collection="spl",
    )  # fmt: skip
    q = "how does diazepam affect the brain"
    found = score_sentences(q, [hit(label)], "clinician", COMPOSER.clinician, 0.0)
    assert found
    assert not any(c.sentence.startswith("Most of these") for c in found)
    joined = [c.sentence for c in found if "Most of these effects" in c.sentence]
    assert joined and all(s.startswith("Diazepam is a benzodiazepine") for s in joined)
    # a patient's statements are shorter: the two do not fit in one, and the sentence is shown as before
    short = ComposerSettings().patient
    assert short.max_chars < len(label.text)
    alone = score_sentences(q, [hit(label)], "patient", short, 0.0)
    assert not any(c.sentence.startswith("Diazepam") and "Most of these" in c.sentence for c in alone)


def test_a_label_sentence_after_the_structural_formulas_caption_is_read() -> None:
    # "what is in flomax" did not get the label's "Each FLOMAX capsule ... contains ...": the caption of
    # the formula's picture ran into it, and a sentence naming the structural formula is boilerplate
    label = chunk(
        "Tamsulosin hydrochloride is (-)-(R)-5-[2-[[2-(o-Ethoxyphenoxy) ethyl]amino]propyl]-2-methoxybenzene"
        "sulfonamide, monohydrochloride. Its structural formula is: Each FLOMAX capsule for oral "
        "administration contains tamsulosin hydrochloride, USP 0.4 mg, and the following inactive "
        "ingredients: microcrystalline cellulose; talc; gelatin; iron oxide; and shellac. The structural "
        "formula is: Its empirical formula is C20H28N2O5S • HCl and its molecular weight is 444.98.",
        tier=Tier.DRUG_LABEL, title="FLOMAX (tamsulosin hydrochloride)", section="Description",
        collection="spl",
    )  # fmt: skip
    scored = score_sentences("what is in flomax", [hit(label)], "clinician", COMPOSER.clinician, 0.0)
    found = [c.sentence for c in scored]
    assert any(s.startswith("Each FLOMAX capsule for oral administration contains") for s in found)
    # what follows the caption about the formula itself is still nothing to tell a reader
    assert not any("formula" in s for s in found)


def test_a_sentence_of_a_labels_adverse_reactions_section_speaks_of_side_effects() -> None:
    # "rosuvastatin calcium what are the side effects" was answered with the label's pharmacokinetics:
    # the adverse reactions section's sentences lack the words "side effect" or "adverse"
    label = chunk(
        "Four of 130 (3%) patients treated with CRESTOR (2 treated with 10 mg and 2 treated with 20 mg) had "
        "increased CK greater than 10 x ULN, compared to 0 of 46 patients on placebo. The following adverse "
        "reactions have been identified during postapproval use of CRESTOR. Because these reactions are "
        "reported voluntarily from a population of uncertain size, it is not always possible to reliably "
        "estimate their frequency or establish a causal relationship to drug exposure.",
        tier=Tier.DRUG_LABEL, title="Crestor (rosuvastatin calcium)", section="Adverse Reactions",
        collection="spl",
    )  # fmt: skip
    q = "what are the side effects of crestor"
    found = score_sentences(q, [hit(label)], "clinician", COMPOSER.clinician, 0.0)
    assert [c.sentence[:21] for c in found] == ["Four of 130 (3%) pati"]
    assert found[0].speaks
    # the section says nothing else: asked how to store it, the sentence does not speak to that
    stored = score_sentences("how is crestor stored", [hit(label)], "clinician", COMPOSER.clinician, 0.0)
    assert stored and not any(c.speaks for c in stored)
