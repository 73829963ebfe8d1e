"""Answering about the question's focus when the sources do not cover its exact point (issue 16
item 3): the focus is the question's rarest term; found in a top passage, the engine answers what the
sources say about it and names the words they do not mention; an absent focus still abstains."""

from __future__ import annotations

from pathlib import Path

import pytest
from qa_fakes import MemoryRetriever, chunk, hit

from medcite.settings import load_settings
from medcite.types import Tier
from qa.drug_names import DrugNames, build_drug_names
from qa.engine import AnswerEngine
from qa.expansion import build_lexicon
from qa.safety import (
    focus_found,
    focus_names,
    focus_notice,
    name_terms,
    names_focus,
    question_focus,
    uncovered_words,
)
from qa.textutil import fold, term_set, tokens

SCABIES = [
    chunk(
        "Scabies is treated with permethrin cream applied to the whole body from the neck down and "
        "washed off after 8 to 14 hours; a second treatment may be needed after one week.",
        tier=Tier.PATIENT_INFO, title="Scabies", collection="medlineplus", section="Treatment",
    ),
    chunk(
        "Scabies spreads by prolonged skin-to-skin contact; itching is worst at night.",
        tier=Tier.PATIENT_INFO, title="Scabies", collection="medlineplus", section="Summary",
    ),
    chunk(
        "Head lice are treated with shampoos; combs remove the nits.",
        tier=Tier.PATIENT_INFO, title="Head Lice", collection="medlineplus", section="Treatment",
    ),
]  # fmt: skip

# IDF as a full index gives it: common words low, the disease high, a word it never saw highest.
CORPUS_IDF = {
    "oral": 2.1, "option": 2.5, "rid": 3.0, "elimin": 3.0, "appli": 3.2, "scabi": 7.9, "zorvantrelix": 11.5,
}  # fmt: skip


def idf(word: str) -> float | None:
    """Like the keyword index: the word as typed is analysed (stemmed) once, then looked up."""
    return CORPUS_IDF.get(fold(word), 1.0)


def test_the_focus_is_the_rarest_word_and_an_unknown_name_is_rarest_of_all() -> None:
    assert question_focus("What is the oral option to get rid of scabies?", idf) == "scabi"
    assert question_focus("Can I take zorvantrelix for scabies?", idf) == "zorvantrelix"
    assert question_focus("the of and", idf) is None
    # an indefinite pronoun is a function word, however rare in the corpus ("what antidepressants are
    # best for someone with a heart arrhythmia" abstained with its focus on "someone")
    rare = {"someone": 9.0, "arrhythmia": 7.0, "antidepressants": 5.0}
    q = "what antidepressants are best for someone with a heart arrhythmia"
    assert question_focus(q, lambda w: rare.get(w.lower(), 1.0)) == "arrhythmia"


def test_how_people_write_in_a_chat_box_is_no_focus(engine: AnswerEngine) -> None:
    # "my son has asthma and i dont know what inhaler to use plz help" abstained with its focus on
    # "dont"; "i donno if ..." said the library had nothing on "donno"
    rare = {"dont": 9.5, "donno": 11.5, "plz": 9.0, "doesn't": 8.0, "thx": 9.0, "scabies": 7.0}
    weight = lambda w: rare.get(w.lower(), 1.0)  # noqa: E731
    for q in (
        "my son has scabies and i dont know what cream to use plz help",
        "i donno if permethrin treats scabies",
        "doesn't scabies itch at night? thx",
        "idk if my rash is scabies lol",
    ):
        assert question_focus(q, weight, {"permethrin"} if "permethrin" in q else ()) in (
            "scabi",
            "permethrin",
        )
    engine._known_fraction = _known_to(SCABIES)  # type: ignore[method-assign]
    judgement = engine.judge(engine.retrieve("i donno if permethrin cream treats scabies"))
    assert judgement.abstain is None and judgement.focus != "donno"


def test_focus_found_and_the_uncovered_words() -> None:
    hits = [hit(c, rank=i) for i, c in enumerate(SCABIES[:2], start=1)]
    q = "What is the oral option to get rid of scabies?"
    assert focus_found("scabi", q, hits) and not focus_found("zorvantrelix", q, hits)
    assert uncovered_words(q, hits) == ["oral", "option", "rid"]
    note = focus_notice("scabies", ["oral", "option"])
    assert "scabies" in note and "'oral' or 'option'" in note
    # a long message's words are counted past the first five, not all listed
    note = focus_notice("lice", ["little", "devils", "mom", "tried", "things", "bugs", "away"])
    assert "'little', 'devils', 'mom', 'tried' or 'things' (nor 2 more of the question's words)" in note


def test_a_long_messages_short_opening_line_names_its_focus() -> None:
    # "Body Lice. How do I get rid of these little devils? ..." (MEDIQA) abstained with its focus on
    # "devils", the rarest word of the story; "Medical Diagnosis of Asbestosis. My doctors hint ..." on
    # "medlin" (a slip for MedlinePlus)
    from qa.safety import subject_line

    lice = (
        "Body Lice. How do I get rid of these little devils? Me and my mom have tried so many things "
        "to get rid of these bugs and they just don't go away, we take two showers a day and wash "
        "everything we own."
    )
    assert subject_line(lice) == "Body Lice"
    weight = {fold(w): v for w, v in {"devils": 9.0, "lice": 7.0, "showers": 8.5, "body": 2.0}.items()}
    assert question_focus(lice, lambda w: weight.get(fold(w), 1.0)) == fold("lice")
    # a short question is not a message: its rarest word stays its focus
    short = "Body lice. How do I get rid of these little devils?"
    assert question_focus(short, lambda w: weight.get(fold(w), 1.0)) == fold("devils")
    # no subject line: an opening sentence too long for one, or the whole question one sentence
    assert subject_line("I have had body lice for three weeks now and nothing works. What else?") == ""
    assert subject_line("Body lice treatment") == ""
    # a name the message uses still comes first
    among = {fold("permethrin")}
    weight[fold("permethrin")] = 6.0
    assert question_focus(lice + " Is permethrin safe?", lambda w: weight.get(fold(w), 1.0), among) == fold(
        "permethrin"
    )


@pytest.fixture()
def engine(tmp_path: Path) -> AnswerEngine:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    lexicon = build_lexicon([["Scabies", "Sarcoptic itch"]])
    eng = AnswerEngine(MemoryRetriever(SCABIES), settings, lexicon=lexicon)
    eng.term_weight = idf  # the corpus IDF an index would supply
    return eng


def test_focus_found_below_the_threshold_answers_about_the_focus_with_a_note(engine: AnswerEngine) -> None:
    # ("get rid of" is read as "treat", a word the fixture covers; "eliminate" is not in it)
    q = "Also what is the oral option to eliminate scabies?"
    judgement = engine.judge(engine.retrieve(q))
    assert judgement.confidence < engine.settings.composer.abstain_threshold  # the point is not covered
    assert judgement.abstain is None and judgement.focus_only and judgement.focus == "scabies"
    answer = engine.ask(q)
    assert not answer.abstained and answer.citations
    assert any("The sources describe scabies" in n and "'oral'" in n for n in answer.notices)
    shown = [s.text for sec in answer.sections for s in (sec.lead, *sec.bullets)]
    assert shown and any("permethrin" in t for t in shown)


def test_an_absent_focus_still_abstains(engine: AnswerEngine) -> None:
    q = "Is zorvantrelix applied for scabies?"  # every word but the invented name is in the corpus
    answer = engine.ask(q)
    judgement = engine.judge(engine.retrieve(q))
    assert judgement.focus == "zorvantrelix" and not judgement.focus_found
    assert answer.abstained


def test_a_word_is_weighed_as_typed_not_as_its_stem() -> None:
    # Stemming a stem again can give another word ('diseas' -> 'disea'); the weighting must see
    # 'disease', which the corpus knows well, not an unknown stem with the highest IDF.
    from qa.safety import term_weights

    seen: list[str] = []

    def weight(word: str) -> float | None:
        seen.append(word)
        return 1.0

    term_weights("What are the diagnostic criteria for Tavistock-Morrow disease?", weight)
    assert "disease" in seen and "diseas" not in seen


APPROVALS = [
    chunk(
        "The FDA approval of aspartame in 1981 was followed by years of debate about its safety.",
        title="Aspartame approval history", doc="pubmed:1",
    ),
    chunk(
        "The 2021 FDA approval of CLS-TA, a triamcinolone acetonide injectable suspension for "
        "suprachoroidal use (XIPERE), gave a new option for macular edema.",
        title="Suprachoroidal injection", doc="pubmed:2",
    ),
    chunk(
        "The FDA approval of trastuzumab changed the treatment of breast cancer in 1998.",
        title="Trastuzumab approval", doc="pubmed:3",
    ),
]  # fmt: skip
APPROVAL_IDF = {"year": 2.0, "fda": 2.2, "approved": 2.4, "xipere": 10.0}


def _approval_engine(tmp_path: Path, focus_passages_only: bool) -> AnswerEngine:
    settings = load_settings(
        home=tmp_path / "home",
        index={"embedding_model": "fake"},
        composer={"focus_passages_only": focus_passages_only},
    )
    eng = AnswerEngine(MemoryRetriever(APPROVALS), settings, lexicon=build_lexicon([]))
    idf = {fold(w): v for w, v in APPROVAL_IDF.items()}
    eng.term_weight = lambda w: idf.get(fold(w), 1.0)
    return eng


def test_an_answer_is_composed_only_from_passages_that_name_the_focus(tmp_path: Path) -> None:
    q = "Which year was XIPERE approved by the FDA?"
    answer = _approval_engine(tmp_path, True).ask(q)
    assert not answer.abstained
    assert {c.chunk.doc_id for c in answer.citations} == {"pubmed:2"}
    shown = " ".join(s.text for sec in answer.sections for s in (sec.lead, *sec.bullets))
    assert "2021" in shown and "aspartame" not in shown and "trastuzumab" not in shown
    # the setting is what keeps the other approvals out
    loose = _approval_engine(tmp_path, False).ask(q)
    assert {c.chunk.doc_id for c in loose.citations} > {"pubmed:2"}


# A question that names a drug is about the drug, not about its rarest word (issue 17): asked what
# "bupropion 300mg" is good for, a CDC page about another drug at "300mg" is not the answer.
BUPROPION = [
    chunk(
        "If you travel where loiasis is common, diethylcarbamazine 300mg taken once a week can reduce "
        "your risk of infection. Ask about bupropion and other medicines you take before you travel.",
        tier=Tier.PATIENT_INFO, title="Loiasis: prevention", collection="medlineplus", section="Prevention",
    ),
    chunk(
        "Bupropion is an antidepressant that is also used to help people stop smoking.",
        tier=Tier.PATIENT_INFO, title="Depression medicines", collection="medlineplus", section="Summary",
    ),
    chunk(
        "It is good for depression and for quitting smoking. Do not take more than directed.",
        tier=Tier.PATIENT_INFO, title="Bupropion", collection="medlineplus", section="How to use",
    ),
]  # fmt: skip
BUPROPION_IDF = {"300mg": 11.0, "bupropion": 7.0, "good": 1.5, "travel": 3.0}


def test_a_named_drug_is_the_focus_over_a_rarer_word() -> None:
    names = build_drug_names([("Wellbutrin", "bupropion hydrochloride")])
    q = "wellbutrin 300mg is good for what?"
    among, others = name_terms(q, names)
    assert "wellbutrin" in among and "300mg" not in among  # a strength is not a name
    assert others["wellbutrin"] == ("bupropion",)
    weight = {fold(w): v for w, v in {**BUPROPION_IDF, "wellbutrin": 8.0}.items()}
    # the rarest word is a strength, which is no focus even without names
    assert question_focus(q, lambda w: weight.get(fold(w), 1.0)) == "wellbutrin"
    assert (
        question_focus("how 9is cyanocobalamin given", lambda w: 9.0 if w == "9is" else 5.0)
        == "cyanocobalamin"
    )
    # a number alone or a chromosome band can be what is asked ("CheckMate 227", "deletion at 6q24.2-26")
    assert question_focus("drugs tested in checkmate 227", lambda w: 9.0 if w == "227" else 5.0) == "227"
    assert (
        question_focus("deletion at 6q24.2-26 survival", lambda w: 9.0 if w[0] == "6" else 5.0) != "survival"
    )
    assert question_focus(q, lambda w: weight.get(fold(w), 1.0), among) == "wellbutrin"
    # a word no dictionary has names something too, known to the corpus or not
    assert "zorvantrelix" in name_terms("Can I take zorvantrelix for scabies?", DrugNames())[0]
    assert name_terms("What is the oral option to get rid of scabies?", DrugNames())[0] == frozenset()


def test_a_brand_names_the_focus_through_its_generic() -> None:
    names = focus_names("wellbutrin", "wellbutrin uses", None, ("bupropion",))
    assert names_focus(frozenset({"bupropion", "smoke"}), names)
    assert not names_focus(frozenset({"diethylcarbamazin"}), names)


def test_every_sentence_is_about_the_focus_drug(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(BUPROPION), settings, lexicon=build_lexicon([]))
    idf = {fold(w): v for w, v in BUPROPION_IDF.items()}
    eng.term_weight = lambda w: idf.get(fold(w), 1.0)
    q = "Bupropion 300mg is good for what?"
    judgement = eng.judge(eng.retrieve(q, "patient"))
    assert judgement.focus == "bupropion" and judgement.focus_names
    shown = " ".join(s.text for sec in eng.ask(q, "patient").sections for s in (sec.lead, *sec.bullets))
    assert "stop smoking" in shown  # names the drug
    assert "good for depression" in shown  # from the page titled with the drug
    assert "diethylcarbamazine" not in shown  # another drug's passage that also names bupropion


def test_an_invented_hyphenated_name_and_a_word_the_corpus_never_saw_stay_candidates() -> None:
    # the unanswerable suite's "first-line treatment for Fenwick-Aaldering anemia?" was answered
    # about anemia once "myopathy"/"anemia"-like words became names and the hyphenated one did not
    q = "What is the first-line treatment for Fenwick-Aaldering anemia?"
    among, _ = name_terms(q, DrugNames())
    assert fold("fenwick-aaldering") in among and fold("first-line") not in among


def _engine_over(tmp_path: Path, chunks: list, rare: str) -> AnswerEngine:
    """An engine over the chunks, with `rare` weighed as a full index weighs a drug's name."""
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(chunks), settings, lexicon=build_lexicon([]))
    eng.term_weight = lambda w: {fold(rare): 8.0}.get(fold(w), 1.0)
    return eng


def _shown(eng: AnswerEngine, question: str) -> str:
    answer = eng.ask(question, "clinician")
    return " ".join(s.text for sec in answer.sections for s in (sec.lead, *sec.bullets))


def test_in_another_drugs_label_only_sentences_naming_the_focus_are_about_it(tmp_path: Path) -> None:
    # "how to apply clonidine patch on chest" was answered with Coreg's "the dose of cyclosporine had to
    # be reduced", the sentence after the one on clonidine in Coreg's drug interactions
    coreg = chunk(
        "Concomitant use of clonidine with a beta-blocker may cause hypotension and bradycardia. In about "
        "30% of subjects, the dose of cyclosporine had to be reduced to 2 mg daily.",
        tier=Tier.DRUG_LABEL,
        title="Coreg (carvedilol)",
        collection="spl",
        section="Drug Interactions",
    )
    page = chunk(
        "Clonidine is used to treat high blood pressure. After clonidine is stopped, the dose of other "
        "medicines may need to change over 2 to 4 days.",
        tier=Tier.PATIENT_INFO, title="High blood pressure medicines", collection="medlineplus",
        section="Summary",
    )  # fmt: skip
    eng = _engine_over(tmp_path, [coreg, page], "clonidine")
    shown = _shown(eng, "how to take clonidine")
    assert "cyclosporine" not in shown  # Coreg's next sentence is about another drug
    assert "2 to 4 days" in shown  # a page's next sentence with specifics still continues it
    # what Coreg's interactions say of clonidine answers only a question on its interactions
    assert "beta-blocker" not in shown
    shown = _shown(eng, "does clonidine interact with other drugs")
    assert "clonidine with a beta-blocker" in shown and "cyclosporine" not in shown


def _known_to(chunks: list) -> object:
    vocabulary = {t for c in chunks for t in tokens(c.embed_text)}

    def known_fraction(text: str) -> float | None:
        toks = tokens(text)
        return sum(t in vocabulary for t in toks) / len(toks) if toks else None

    return known_fraction


def test_a_short_word_the_corpus_never_uses_is_no_name_when_the_question_has_one() -> None:
    from qa.safety import without_fragments

    names = build_drug_names([("Glucotrol", "glipizide")])
    kf = _known_to([chunk("Glipizide is a sulfonylurea; sulfa allergy and metoprolol succinate.")])
    # "sufa" (a typo) and "succ" (an abbreviation) are read as absent, the drug is what is asked about
    assert without_fragments("if i am allergic to sufa can i take glipizide?", kf, names) == (
        "if i am allergic to can i take glipizide?"
    )
    assert "succ" not in without_fragments("what is the imprint on glipizide succ., 5 mg", kf, names)
    for kept in (
        "if i am allergic to sulfa can i take glipizide?",  # a word the corpus uses
        "what is Qvar for with glipizide",  # written as a name
        "how many tums aday",  # nothing else named: the question is left whole
        "asdf qwer",  # keyboard noise stays noise
        "is zorvantrelix safe",  # a long unknown word is a name
    ):
        assert without_fragments(kept, kf, names) == kept


def test_a_fragment_is_not_the_focus_of_a_question_that_names_something(engine: AnswerEngine) -> None:
    kf = _known_to(SCABIES)
    engine._known_fraction = kf  # type: ignore[method-assign]
    engine.term_weight = lambda w: idf(w) if kf(w) else 11.5  # a word the corpus never saw is rarest
    q = "Is permethrin cream applied for scabies succ?"
    judgement = engine.judge(engine.retrieve(q))
    assert judgement.abstain is None and judgement.focus in ("permethrin", "scabies")
    assert not engine.ask(q).abstained
    # the same question with a long unknown name still abstains on it
    assert engine.judge(engine.retrieve("Is zorvantrelix applied for scabies?")).abstain == "unknown_name"


def test_a_brand_whose_generic_the_corpus_uses_is_no_unknown_name(engine: AnswerEngine) -> None:
    # "norvasc and depression?" abstained saying the library had nothing on norvasc: the corpus never
    # says "norvasc" but has amlodipine (searched too); the passages found just do not cover it
    from qa.understanding import QueryUnderstanding

    engine.understanding = QueryUnderstanding(names=build_drug_names([("Norvasc", "amlodipine")]))
    said = {"amlodipine"} | {w for c in SCABIES for w in tokens(c.text.lower())}
    engine._known_fraction = lambda w: 1.0 if w.lower() in said else 0.0  # type: ignore[method-assign]
    engine.term_weight = lambda w: 11.5 if w.lower() == "norvasc" else idf(w)
    q = "norvasc and scabies itching"
    judgement = engine.judge(engine.retrieve(q))
    assert judgement.focus == "norvasc" and not judgement.focus_found
    assert judgement.abstain == "low_confidence"
    # a brand whose generic the corpus never uses either is unknown
    said.discard("amlodipine")
    assert engine.judge(engine.retrieve(q)).abstain == "unknown_name"


def test_another_drugs_interaction_study_is_no_answer_on_the_focus(tmp_path: Path) -> None:
    # "wht is a normal dose daily for ativan?" was answered with Depakene's "lorazepam (1 mg BID) ...
    # 17% decrease in the plasma clearance of lorazepam": a study of valproate, not lorazepam's dose
    depakene = chunk(
        "Concomitant administration of valproate (500 mg BID) and lorazepam (1 mg BID) was accompanied "
        "by a 17% decrease in the plasma clearance of lorazepam. Lorazepam (a short half-life) is dosed "
        "2 mg every 8 hours in status epilepticus. Valproate had no effect on drugs that are substrates "
        "of CYP3A4 (e.g., lorazepam).",
        tier=Tier.DRUG_LABEL,
        title="Depakene (valproic acid)",
        collection="spl",
        section="Clinical Pharmacology",
    )
    # "is cyclobenzaprine a benzodiazepine?" was answered with Viekira Pak's pharmacokinetics table row
    # "Cyclobenzaprine 5 single dose 14 0.68."
    pk_table = chunk(
        "Lorazepam tablets 2 single dose 14 0.68.",
        tier=Tier.DRUG_LABEL,
        title="Depakene (valproic acid)",
        collection="spl",
        section="12.3 Pharmacokinetics",
    )
    # "how to stop taking amlodipine" was answered with Viekira Pak's "the dose of amlodipine should be
    # decreased by at least 50%": what another drug's interaction section says of the focus
    interactions = chunk(
        "BENZODIAZEPINES lorazepam ↑ lorazepam levels. The dose of lorazepam should be decreased by at "
        "least 50%. Reduce the lorazepam dose to 1 mg over 2 weeks. Lorazepam may be given 12 hours apart "
        "from valproate.",
        tier=Tier.DRUG_LABEL,
        title="Depakene (valproic acid)",
        collection="spl",
        section="7 DRUG INTERACTIONS",
    )
    page = chunk(
        "The usual adult dose of lorazepam for anxiety is 2 to 3 mg daily, given in divided doses.",
        tier=Tier.GUIDELINE, title="Anxiety disorders", collection="ngc", section="Recommendations",
    )  # fmt: skip
    eng = _engine_over(tmp_path, [depakene, interactions, pk_table, page], "lorazepam")

    def shown(question: str) -> str:
        return _shown(eng, question)

    dose = shown("what is the usual daily dose of lorazepam")
    assert "2 to 3 mg daily" in dose and "clearance" not in dose
    stop = shown("how to stop taking lorazepam")
    assert "50%" not in dose and "over 2 weeks" not in stop and "↑" not in stop
    assert "12 hours apart" not in shown("when should i take lorazepam")
    assert "CYP3A4" not in shown("what is lorazepam") + dose  # the enzyme the two share
    assert "0.68" not in shown("is lorazepam a benzodiazepine") + shown("lorazepam single dose")
    # what the label says of the drug's use still counts, a half-life that describes it too
    assert "every 8 hours" in dose
    # asked about the interaction, or about that label's drug too, the study is the answer
    assert "clearance" in shown("does valproate interact with lorazepam")
    assert "clearance" in shown("what should i avoid while taking lorazepam")
    assert "clearance" in shown("lorazepam dose when taking depakene")
    assert "50%" in shown("lorazepam dose when taking depakene")


def test_another_products_inactive_ingredients_are_no_answer_about_them(tmp_path: Path) -> None:
    # "what is docusate sodium" was answered with alprazolam's "Inactive ingredients: colloidal silicon
    # dioxide, corn starch, docusate sodium ...": a filler of another product, not what docusate is
    alprazolam = chunk(
        "Active ingredient: alprazolam. Inactive ingredients: colloidal silicon dioxide, corn starch, "
        "docusate sodium, lactose monohydrate and magnesium stearate. Docusate sodium softens the stool "
        "when taken alone.",
        tier=Tier.DRUG_LABEL,
        title="Alprazolam tablets",
        collection="spl",
        section="Description",
    )
    page = chunk(
        "Docusate sodium is a stool softener used to relieve occasional constipation.",
        tier=Tier.PATIENT_INFO, title="Docusate", collection="medlineplus", section="Summary",
    )  # fmt: skip
    eng = _engine_over(tmp_path, [alprazolam, page], "docusate")
    shown = _shown(eng, "what is docusate sodium used for")
    assert "stool softener" in shown and "softens the stool" in shown
    assert "corn starch" not in shown
    # asked about that product, its inactive ingredients are the answer
    assert "corn starch" in _shown(eng, "what are the inactive ingredients in alprazolam tablets")


def test_a_drugs_salt_is_not_its_focus() -> None:
    # "how to safely stop fluvoxamine malate" was answered with a Genetics Home Reference sentence on
    # fumarase ("... fumarate to a molecule called malate"): the salt was the question's rarest word
    q = "how to safely stop fluvoxamine malate"
    weight = {fold(w): v for w, v in {"malate": 9.0, "fluvoxamine": 8.0, "stop": 2.0}.items()}
    among, _ = name_terms(q, DrugNames())
    assert {"fluvoxamin", "malat"} <= among  # both are words no English dictionary has
    assert question_focus(q, lambda w: weight.get(fold(w), 1.0), among) == "fluvoxamin"
    # the strength between name and salt changes nothing; a salt named on its own is the focus
    weight["hcl"] = 9.0
    assert question_focus("oxycodone 15 milligram hcl", lambda w: weight.get(fold(w), 1.0)) == "oxycodon"
    assert question_focus("what is potassium chloride", None) == "potassium"
    assert question_focus("what is malate", lambda w: weight.get(fold(w), 1.0)) == "malat"
    # an ester is a form of the drug too ("how long does it take cefuroxime axetil to work")
    assert question_focus("cefuroxime axetil to work", lambda w: 9.0 if w == "axetil" else 5.0) == "cefuroxim"
    # nor is a unit: "how many mgs of colchicine is recommended" was about "mgs"
    weight.update({"mgs": 9.5, "colchicine": 7.0})
    assert (
        question_focus("how many mgs of colchicine is recommended", lambda w: weight.get(fold(w), 1.0))
        == "colchicin"
    )


def test_an_everyday_word_gives_way_to_a_drug_the_question_names() -> None:
    # "what is brand name of acetaminophen" was answered about inotersen's brand name: acetaminophen is
    # no label-tier name and an English word, so the corpus's rarer word "brand" was the focus
    weight = {fold(w): v for w, v in {"brand": 8.0, "name": 2.0, "acetaminophen": 6.0, "pen": 7.5}.items()}
    idf = lambda w: weight.get(fold(w), 5.0)  # noqa: E731
    q = "what is brand name of acetaminophen"
    assert question_focus(q, idf) == "brand"
    assert question_focus(q, idf, drugs={"acetaminophen"}) == "acetaminophen"
    assert question_focus("how to use an epinephrine pen", idf, drugs={"epinephrin"}) == "epinephrin"
    # a rarer word that is not an everyday one stays the focus: a research question keeps its subject
    q = "does cocaine use change lobectomy outcomes"
    assert question_focus(q, lambda w: 9.0 if w == "lobectomy" else 5.0, drugs={"cocain"}) == "lobectomi"
    # so does a name the question asks among, and an everyday drug word never takes over
    assert question_focus(q, lambda w: 9.0 if w == "use" else 5.0, among={"lobectomi"}, drugs={"cocain"}) == (
        "lobectomi"
    )
    assert question_focus("sugar pill dose", lambda w: 9.0 if w == "pill" else 5.0, drugs={"sugar"}) == "pill"
    # of "magnesium citrate" the drug is magnesium, however rare its salt
    rare = {"tab": 9.5, "citrate": 9.0, "magnesium": 6.0}
    q = "when is the best time to take magnesium citrate tab."
    assert question_focus(q, lambda w: rare.get(w, 1.0), drugs={"magnesium", "citrat"}) == "magnesium"


ACETAMINOPHEN = [
    chunk(
        "Tegsedi is the brand name of inotersen, given as a weekly injection under the skin.",
        tier=Tier.RESEARCH, title="Inotersen", collection="pubmed",
    ),
    chunk(
        "Acetaminophen is sold under brand names such as Tylenol; do not take more than 4 grams a day.",
        tier=Tier.PATIENT_INFO, title="Acetaminophen", collection="medlineplus", section="Summary",
    ),
]  # fmt: skip


def test_the_engine_reads_the_drug_dictionary_for_the_focus(tmp_path: Path) -> None:
    from qa.drug_dictionary import BrandDictionary
    from qa.understanding import QueryUnderstanding

    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever(ACETAMINOPHEN), settings, lexicon=build_lexicon([]))
    weight = {"brand": 8.0, "name": 2.0, "acetaminophen": 6.0}
    eng.term_weight = lambda w: weight.get(fold(w), 1.0)
    q = "what is brand name of acetaminophen"
    eng.understanding = QueryUnderstanding()  # no drug dictionary: the rarest word
    assert eng.judge(eng.retrieve(q)).focus == "brand"
    dictionary = BrandDictionary.from_variants({"tylenol": ["acetaminophen"], "magtab": ["magnesium"]})
    eng.understanding = QueryUnderstanding(dictionary=dictionary)
    assert eng.judge(eng.retrieve(q)).focus == "acetaminophen"
    # and a question that names nothing else medical is a medical question (judged, without an
    # embedder's similarity, by how fully the passages cover it)
    q = "when is the best time to take magnesium"
    eng.settings = load_settings(
        home=tmp_path / "home", index={"embedding_model": "fake"}, composer={"non_medical_similarity": 0}
    )
    eng.understanding = QueryUnderstanding()
    assert eng.judge(eng.retrieve(q)).abstain == "non_medical"
    eng.understanding = QueryUnderstanding(dictionary=dictionary)
    assert eng.judge(eng.retrieve(q)).abstain != "non_medical"


def test_a_condition_named_by_its_whole_topic_name_is_the_focus(tmp_path: Path) -> None:
    # "What causes Seasonal Affective Disorder ?" (MEDIQA) was answered with hand rubs tested "during
    # colder seasons" and sheep as "seasonal breeding species": its rarest word was the focus, alone
    from qa.safety import condition_names

    lexicon = build_lexicon([["Seasonal Affective Disorder", "Winter depression"]])
    q = "What causes Seasonal Affective Disorder ?"
    names = condition_names("season", q, lexicon)
    assert names[0] == term_set("seasonal affective disorder") and term_set("winter depression") in names
    assert condition_names("season", "seasonal flu shots", lexicon) == ()  # no topic named
    assert condition_names("caus", q, lexicon) == ()  # the topic does not hold the focus

    hand_rubs = chunk(
        "Test periods during colder seasons were significantly associated with skin reactions to hand rubs.",
        tier=Tier.GUIDELINE, title="Hand hygiene", collection="ngc", section="Recommendations",
    )  # fmt: skip
    page = chunk(
        "The exact causes of seasonal affective disorder are unknown. Less sunlight in winter may cause it.",
        tier=Tier.PATIENT_INFO, title="Seasonal Affective Disorder", collection="medlineplus",
        section="Summary",
    )  # fmt: skip
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    eng = AnswerEngine(MemoryRetriever([hand_rubs, page]), settings, lexicon=lexicon)
    eng.term_weight = lambda w: {"season": 8.0}.get(fold(w), 1.0)
    shown = _shown(eng, q)
    assert "causes of seasonal affective disorder are unknown" in shown
    assert "Less sunlight in winter" in shown  # the page on it says more than its name
    assert "hand rubs" not in shown


def test_another_products_side_effects_answer_only_a_question_on_harms(tmp_path: Path) -> None:
    # "How to diagnose Anemia?" was answered with Alecensa's "hemolytic anemia can happen in some people
    # who take ALECENSA" and another label's "Hemic and Lymphatic Systems: infrequent: anemia, ..."
    adverse = chunk(
        "Hemolytic anemia can happen in some people who take Zorbex tablets every day.",
        tier=Tier.DRUG_LABEL, title="Zorbex (zorbexin)", collection="spl", section="Patient Package Insert",
    )  # fmt: skip
    listed = chunk(
        "Hemic and Lymphatic Systems: infrequent: anemia, leukopenia, lymphadenopathy and purpura.",
        tier=Tier.DRUG_LABEL, title="Zorbex (zorbexin)", collection="spl", section="Adverse Reactions",
    )  # fmt: skip
    indicated = chunk(
        "Iron sucrose is indicated for the treatment of iron deficiency anemia in adults on dialysis.",
        tier=Tier.DRUG_LABEL, title="Venofer (iron sucrose)", collection="spl", section="Indications",
    )  # fmt: skip
    warned = chunk(
        "Check for iron deficiency anemia in adults before each Zorbex infusion.",
        tier=Tier.DRUG_LABEL, title="Zorbex (zorbexin)", collection="spl", section="5 WARNINGS",
    )  # fmt: skip
    eng = _engine_over(tmp_path, [adverse, listed, indicated, warned], "anemia")
    for question in ("How to diagnose anemia?", "What is anemia?"):
        shown = _shown(eng, question)
        assert "iron deficiency anemia" in shown
        assert "Zorbex" not in shown and "leukopenia" not in shown, question
    # asked what causes it, or about that product, its side effects are the answer
    assert "Zorbex" in _shown(eng, "What drugs can cause anemia?")
    assert "Zorbex" in _shown(eng, "What is zorbex?") + _shown(eng, "zorbex anemia")


def test_an_everyday_word_no_passage_names_gives_way_to_one_a_passage_names(engine: AnswerEngine) -> None:
    # "Hello i would like more info about Familial Mediterean Fever please as my husband suffers from
    # this." abstained with its focus on "husband", rarer in the corpus than the disease's words
    from qa.safety import focus_spoken_of

    hits = [hit(c, rank=i) for i, c in enumerate(SCABIES, start=1)]
    weight = {"husband": 9.0, "scabies": 7.0, "suffers": 5.0}
    q = "i would like more info about scabies as my husband suffers from it"
    spoken = focus_spoken_of("husband", q, lambda w: weight.get(w.lower(), 1.0), hits)
    assert spoken is not None and spoken[0] == "scabi" and spoken[1]
    # a name the library lacks is no everyday word: it stays the focus, and the answer says it is missing
    assert focus_spoken_of("zorvantrelix", "is zorvantrelix good for scabies", idf, hits) is None
    engine._known_fraction = _known_to(SCABIES)  # type: ignore[method-assign]
    engine.term_weight = lambda w: weight.get(w.lower(), idf(w))
    judgement = engine.judge(engine.retrieve(q))
    assert judgement.focus == "scabies" and judgement.focus_found and judgement.abstain is None
