"""Emergencies, non-medical refusals and retrieval-confidence abstention."""

from __future__ import annotations

import pytest
from qa_fakes import chunk, hit

from qa.drug_names import build_drug_names
from qa.expansion import lexicon_from_records
from qa.safety import (
    asks_about_own_records,
    closest_topics,
    dictionary_drugs,
    emergency_kinds,
    emergency_notice,
    has_medical_cue,
    is_non_medical,
    looks_like_gibberish,
    retrieval_confidence,
)
from qa.textutil import fold


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("I have crushing chest pain right now", "chest pain"),
        ("my dad's face is drooping and he has slurred speech", "stroke signs"),
        ("I keep having suicidal thoughts", "suicidal thoughts"),
        ("my son took too many pills, is it an overdose?", "overdose or poisoning"),
        ("after the bee sting her throat is swelling", "anaphylaxis or trouble breathing"),
    ],
)
def test_emergencies_detected(question: str, kind: str) -> None:
    assert kind in emergency_kinds(question)


def test_non_emergencies_and_notice_text() -> None:
    assert emergency_kinds("What is the treatment for dermatomyositis?") == []
    assert emergency_kinds("Which statin lowers chest pain risk in trials of angina?")  # mentions chest pain
    assert "988" in emergency_notice(["suicidal thoughts"]) and "988" not in emergency_notice(["chest pain"])


def test_gibberish_and_non_medical() -> None:
    assert looks_like_gibberish("asdkjh qwpoe")
    assert not looks_like_gibberish("What is the treatment for dermatomyositis?")
    assert not has_medical_cue("What is the capital of France?")
    assert has_medical_cue("Is metformin safe?")  # drug-like suffix
    assert is_non_medical("What is the capital of France?", confidence=0.5)
    assert not is_non_medical("What is the treatment for dermatomyositis?", confidence=0.0)
    lex = lexicon_from_records([("Cytokine Release Syndrome", {"synonyms": ["cytokine storm"]})])
    assert has_medical_cue("What is a cytokine storm?", lex)
    # a drug class is a medical word ("what is barbiturates" was turned away as non-medical)
    assert has_medical_cue("what is barbiturates") and has_medical_cue("are opioids addictive")
    assert has_medical_cue("what is a beta blocker") and has_medical_cue("sickness caused by formaldehyde")
    assert not is_non_medical("what is barbiturates", confidence=0.5)


def test_drug_names_strengths_and_technical_terms_are_medical_cues() -> None:
    names = build_drug_names([("Xarelto", "rivaroxaban")])
    assert not has_medical_cue("how xarelto affects homeostasis")
    assert has_medical_cue("how xarelto affects homeostasis", drug_names=names)  # brand of the label tier
    assert has_medical_cue("can I take ibuprofen with rivaroxaban", drug_names=names)  # and its generic
    assert has_medical_cue("qvar 40mcg what is it for") and has_medical_cue("is 0.5 mg a lot")
    # a word the corpus uses that no English dictionary has is a technical term; an English word is not
    assert has_medical_cue("What is vcfanno?", corpus_knows=lambda w: w == "vcfanno")
    assert not has_medical_cue("What is vcfanno?", corpus_knows=lambda w: False)
    assert not has_medical_cue("What is the capital of Australia?", corpus_knows=lambda w: True)


def test_a_drug_the_dictionary_names_is_a_medical_cue() -> None:
    # "when is the best tme to take magnesium citrate tab." was refused as non-medical: no health word,
    # no label of the drug, and its meaning far from every passage
    names_drug = {"magnesium", "citrate", "lotensin", "silver"}.__contains__
    q = "when is the best tme to take magnesium citrate tab."
    drugs = dictionary_drugs(q, names_drug, 5)
    assert drugs == {fold("magnesium"), fold("citrate")}
    assert not has_medical_cue(q) and has_medical_cue(q, drugs=drugs)
    assert is_non_medical(q, 0.3, similarity=lambda: 0.2, min_similarity=0.5)
    assert not is_non_medical(q, 0.3, similarity=lambda: 0.2, min_similarity=0.5, drugs=drugs)
    assert dictionary_drugs("when is the best time to take lotensin", names_drug, 5) == {"lotensin"}
    # an everyday word says nothing medical by itself, whatever a dictionary of supplements holds
    assert dictionary_drugs("how much is silver worth", names_drug, 5) == frozenset()


def test_a_lexicon_topic_is_a_cue_its_single_words_are_not() -> None:
    lex = lexicon_from_records([("Motion Sickness", {"synonyms": ["car sickness"]})])
    assert has_medical_cue("remedies for car sickness", lex)
    assert not has_medical_cue("How does a car transmission work?", lex)


def test_without_a_cue_meaning_decides_when_it_can_be_measured() -> None:
    capital = "What is the capital of Australia?"
    # every word covered by some passage of a large corpus, but no passage is about it
    assert is_non_medical(capital, confidence=1.0, similarity=lambda: 0.33, min_similarity=0.45)
    epilepsy = "What is Epilepsy?"
    assert not is_non_medical(epilepsy, confidence=0.3, similarity=lambda: 0.69, min_similarity=0.45)
    # without a measure (no embedder, or the check off) coverage decides as before
    assert not is_non_medical(capital, confidence=1.0, similarity=lambda: None, min_similarity=0.45)
    assert not is_non_medical(capital, confidence=1.0, similarity=lambda: 0.33, min_similarity=0.0)

    def never() -> float:
        raise AssertionError("a question with a medical cue is not embedded again")

    assert not is_non_medical("Is metformin safe?", confidence=0.0, similarity=never, min_similarity=0.45)


def test_real_questions_are_not_noise() -> None:
    # Dev-suite questions the first detector called gibberish or non-medical.
    for q in ("famotidine 10 mg?", "tylenol pm mg?", "mst drug/?", "Describe SBGNview"):
        assert not looks_like_gibberish(q), q
    for q in ("What is the function of GFRAL?", "Does vesatolimod inhibit TLR7?", "What is COPD?"):
        assert has_medical_cue(q), q  # gene, protein and disease symbols
    # Shouting is not naming symbols; noise stays noise.
    assert not has_medical_cue("WHAT IS THE CAPITAL OF FRANCE?")
    assert looks_like_gibberish("bvcxz nmkl") and looks_like_gibberish("12345 ???")
    # The corpus vocabulary overrules the spelling heuristic both ways.
    assert not looks_like_gibberish("how strong is 360 mg diltiazem")  # 'strong': one vowel in six
    assert not looks_like_gibberish("strengths rhythm", known_fraction=1.0)
    assert looks_like_gibberish("asdkjh qwpoe", known_fraction=0.0)
    assert is_non_medical("asdkjh qwpoe", confidence=1.0, known_fraction=0.0)


def test_confidence_is_best_term_coverage() -> None:
    on = chunk("Prednisone is used to treat dermatomyositis.")
    half = chunk("Dermatomyositis is rare.")
    q = "prednisone dermatomyositis"
    assert retrieval_confidence(q, [hit(half, rank=1), hit(on, rank=2)]) == 1.0
    assert retrieval_confidence(q, [hit(half)]) == 0.5
    assert retrieval_confidence(q, []) == 0.0
    assert retrieval_confidence("the of and", [hit(on)]) == 0.0


def test_confidence_weights_rare_terms() -> None:
    passage = chunk("GFRAL is the receptor for GDF15 in the hindbrain.")
    q = "What is the function of GFRAL?"
    assert retrieval_confidence(q, [hit(passage)]) == 0.5  # 'function' is missing
    idf = {"function": 1.0, "gfral": 9.0}
    assert retrieval_confidence(q, [hit(passage)], weight=idf.get) == pytest.approx(0.9)
    # Missing the rare term is what costs: a passage on 'function' alone is weak evidence.
    other = chunk("Renal function declines with age.")
    assert retrieval_confidence(q, [hit(other)], weight=idf.get) == pytest.approx(0.1)
    # A weighting that knows none of the terms falls back to plain coverage.
    assert retrieval_confidence(q, [hit(passage)], weight=lambda _t: None) == 0.5


def test_confidence_counts_synonyms() -> None:
    lex = lexicon_from_records([("Heart Attack", {"mesh_terms": ["Myocardial Infarction"]})])
    passage = chunk("Statins reduce myocardial infarction in adults.")
    assert retrieval_confidence("heart attack statins", [hit(passage)]) == pytest.approx(1 / 3)
    assert retrieval_confidence("heart attack statins", [hit(passage)], lex) == 1.0


def test_closest_topics_distinct_titles_by_score() -> None:
    hits = [
        hit(chunk("a", title="A"), 1.0, 2),
        hit(chunk("b", title="B"), 3.0, 1),
        hit(chunk("c", title="A"), 0.5, 3),
    ]
    assert closest_topics(hits) == ("B", "A")


@pytest.mark.parametrize(
    "question",
    [
        "Did my lab results from Tuesday come back normal?",
        "When is my next appointment with the dermatologist?",
        "Has my insurance approved the CT scan?",
        "Why did my clinic call me yesterday?",
        "Can you look at the rash in the picture I sent?",
    ],
)
def test_questions_only_the_askers_records_answer(question: str) -> None:
    assert asks_about_own_records(question)


@pytest.mark.parametrize(
    "question",
    [
        "What happens if I miss my dose of Saxenda?",
        "My doctor said I might have lupus, what is that?",
        "What should my blood pressure reading be?",
        "When should I take my next dose of amoxicillin?",
        "My test results show high ALT, what does that mean?",
        "Is it normal that my period was late last month?",
    ],
)
def test_questions_about_the_askers_condition_or_drug_are_not_records(question: str) -> None:
    assert not asks_about_own_records(question)


def test_unknown_name_only_when_the_question_asks_about_nothing_else() -> None:
    from qa.safety import unknown_name

    known = {"capital", "side", "effects", "dermatomyositis"}

    def known_fraction(word: str) -> float:
        return 1.0 if word.lower() in known else 0.0

    assert unknown_name("Lexapro?", known_fraction) == "Lexapro"
    assert unknown_name("What are the side effects of Zorvantrelix?", known_fraction) == "Zorvantrelix"
    assert unknown_name("What is the capital of France?", known_fraction) is None  # another topic word
    assert unknown_name("Is Dermatomyositis inherited?", lambda w: 1.0) is None  # a name the corpus has
    # written in lower case, as patients write: a word no English dictionary has ("what is in norvasc")
    assert unknown_name("zorvantrelix?", known_fraction) == "zorvantrelix"
    assert unknown_name("what is in norvasc", known_fraction) == "norvasc"
    assert unknown_name("what is the capital of france?", known_fraction) is None  # dictionary words
    assert unknown_name("Lexapro?", lambda w: None) is None  # no corpus to ask
