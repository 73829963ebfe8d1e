"""The independent sentence check (evals/grounding.py) fails on what the engine's own score would not
catch: fabricated content under a real citation, a dangling number, a wrong dose, a swapped drug."""

from __future__ import annotations

from eval_fakes import answer, chunk

from evals.grounding import check_answer, check_sentence, shown_numbers

PASSAGE = "Metformin 500 mg twice daily lowers blood glucose in adults with type 2 diabetes."
SOURCE = {1: PASSAGE}


def test_an_extractive_or_inflected_sentence_passes() -> None:
    assert check_sentence("Metformin lowers blood glucose [1].", (1,), SOURCE).supported
    assert check_sentence("Metformin 500 mg lowered glucose in diabetic adults.", (1,), SOURCE).supported


def test_a_fabricated_sentence_under_a_real_citation_fails() -> None:
    c = check_sentence("Metformin cures pancreatic cancer within weeks.", (1,), SOURCE)
    assert not c.supported and c.coverage < 0.7 and "content words" in c.reason()


def test_a_dangling_citation_number_fails() -> None:
    c = check_sentence("Metformin lowers blood glucose [2].", (2,), SOURCE)
    assert not c.supported and c.dangling == (2,) and "resolves to no reference" in c.reason()


def test_a_wrong_dose_or_a_swapped_drug_fails_though_most_words_match() -> None:
    dose = check_sentence("Metformin 1000 mg twice daily lowers blood glucose.", (1,), SOURCE)
    assert not dose.supported and dose.missing_numbers == ("1000 mg",)
    drug = check_sentence("Atorvastatin twice daily lowers blood glucose in adults.", (1,), SOURCE)
    assert not drug.supported and drug.missing_names == ("atorvastatin",)


def test_opposites_are_not_inflections() -> None:
    src = {1: "Lisinopril treats hypertension; it is effective."}
    assert check_sentence("Lisinopril treats hypertension.", (1,), src).supported
    assert check_sentence("Lisinopril treats hypotension.", (1,), src).coverage < 1.0
    assert check_sentence("Lisinopril is ineffective.", (1,), src).coverage < 1.0


def test_an_uncited_sentence_fails() -> None:
    assert check_sentence("Metformin lowers blood glucose.", (), SOURCE).reason() == "cites nothing"


def test_inline_marks_and_ranges_count_as_shown_numbers() -> None:
    assert shown_numbers((1,), "A [2-4] and [6, 1].") == (1, 2, 3, 4, 6)


def test_a_bracket_inside_a_word_is_not_a_citation_mark() -> None:
    # BioASQ dev: "G1P[8] was the dominant genotype" was read as citation 8 without a reference
    assert shown_numbers((1,), "G1P[8] and G2P[4] were dominant.") == (1,)


def test_answer_figures() -> None:
    a = answer(
        "q",
        [("Metformin lowers blood glucose.", (1,)), ("Metformin lowers glucose [3].", (3,))],
        cited=[chunk("pubmed:1", PASSAGE)],
    )
    g = check_answer(a)
    assert g.citation_validity == 0.5 and g.sentence_support == 0.5
    assert [u["text"] for u in g.unsupported()] == ["Metformin lowers glucose [3]."]
    assert check_answer(answer("q", abstained=True)).sentence_support is None


def test_a_leads_year_is_checked_against_the_reference_it_names() -> None:
    from dataclasses import replace

    guideline = replace(
        chunk("ngc:1", "IVIg may be considered for nonresponsive dermatomyositis."), year=2012
    )
    lead = "According to the 2012 guideline, IVIg may be considered for nonresponsive dermatomyositis."
    assert check_answer(answer("q", [(lead, (1,))], cited=[guideline])).sentence_support == 1.0
    wrong = lead.replace("2012", "2019")  # a year the reference does not carry is still a failure
    g = check_answer(answer("q", [(wrong, (1,))], cited=[guideline]))
    assert g.sentence_support == 0.0 and g.sentences[0].missing_numbers == ("2019",)
