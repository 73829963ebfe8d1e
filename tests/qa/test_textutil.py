"""Sentence splitting of source passages."""

from __future__ import annotations

from qa.textutil import split_sentences


def test_structured_abstract_labels_start_sentences() -> None:
    text = (
        "Analysis of the GRAID-2 registry for dermatomyositis.RESULTS: In 22 of 23 patients rituximab "
        "was given at 5 mg/kg/day, e.g. orally. CONCLUSIONS: It was tolerated."
    )
    assert split_sentences(text) == [
        "Analysis of the GRAID-2 registry for dermatomyositis.",
        "In 22 of 23 patients rituximab was given at 5 mg/kg/day, e.g. orally.",
        "It was tolerated.",
    ]
    assert split_sentences("The RESULTS: were good.") == ["The RESULTS: were good."]  # not a label


def test_glued_labels_of_every_form_are_dropped() -> None:
    text = (
        "Both arms improved.MATERIALS AND METHODS: We enrolled 40 adults. Results: Pain fell.\n\n"
        "SIONS: Our data support it.\n\nBACKGROUND\n\nAlport syndrome is rare."
    )
    assert split_sentences(text) == [
        "Both arms improved.",
        "We enrolled 40 adults.",
        "Pain fell.",
        "Our data support it.",  # a snippet that starts inside "CONCLUSIONS:"
        "Alport syndrome is rare.",
    ]


def test_content_headings_and_mixed_case_stay_text() -> None:
    assert split_sentences("No trial reported it. PAIN: less with drug A.") == [
        "No trial reported it.",
        "PAIN: less with drug A.",
    ]
    assert split_sentences("Retapamulin: first approval.") == ["Retapamulin: first approval."]


def test_run_on_sentences_split_but_abbreviations_and_numbers_do_not() -> None:
    assert split_sentences("It was given as off-label therapy.RIX is the preferred drug.") == [
        "It was given as off-label therapy.",
        "RIX is the preferred drug.",
    ]
    assert split_sentences("Two trials enrolled 90 participants.The quality was low.") == [
        "Two trials enrolled 90 participants.",
        "The quality was low.",
    ]
    whole = (
        "Give 1.5 mg/kg/day i.v. in the U.S., e.g. with 5 pmol.L-1 vs.Placebo in C57BL/6.Yaa mice "
        "and Synechococcus sp.PCC 7002 cells."
    )
    assert split_sentences(whole) == [whole]


def test_abbreviations_defined_in_a_passage_and_spelled_out_on_first_use() -> None:
    from qa.textutil import abbreviations, expand_abbreviations

    passage = (
        "Intravenous immunoglobulin (IVIg) is possibly effective. Rituximab (RIX) was given. "
        "Seen in Alzheimer disease (AD). Blood pressure (BP) fell. Results (n=23) and stage (II)."
    )
    assert abbreviations(passage) == {
        "IVIg": "intravenous immunoglobulin",  # capitalised only because it began a sentence
        "RIX": "rituximab",
        "AD": "Alzheimer disease",  # a proper name keeps its capital
        "BP": "blood pressure",
    }
    assert expand_abbreviations("RIX and IVIg helped; BP fell.", passage) == (
        "Rituximab (RIX) and intravenous immunoglobulin (IVIg) helped; blood pressure (BP) fell."
    )
    # already spelled out, only a part of a word, or never defined: unchanged
    assert expand_abbreviations("Rituximab (RIX) helped.", passage) == "Rituximab (RIX) helped."
    assert (
        expand_abbreviations("The ADHD drug and anti-BP work.", passage) == "The ADHD drug and anti-BP work."
    )
    assert expand_abbreviations("MTX helped.", passage) == "MTX helped."


CELECOXIB_INDICATIONS = (
    "1. INDICATIONS AND USAGE Celecoxib is indicated Celecoxib is a nonsteroidal anti-inflammatory drug "
    "indicated for: • Osteoarthritis (OA) ( 1.1 ) • Rheumatoid Arthritis (RA) ( 1.2 ) • Juvenile Rheumatoid "
    "Arthritis (JRA) in patients 2 years and older ( 1.3 ) • Ankylosing Spondylitis (AS) ( 1.4 ) • Acute "
    "Pain (AP) ( 1.5 ) • Primary Dysmenorrhea (PD) ( 1.6 ) 1.1 Osteoarthritis (OA) For the management of "
    "the signs and symptoms of OA [ see Clinical Studies (14.1) ]."
)


def test_a_labels_highlights_list_of_indications_is_one_sentence() -> None:
    from qa.textutil import indication_list_sentences

    # split into sentences, the list runs on into the full section: no answer could show it
    assert not any(
        s.startswith("Celecoxib is a nonsteroidal") for s in split_sentences(CELECOXIB_INDICATIONS)
    )
    assert indication_list_sentences(CELECOXIB_INDICATIONS) == [
        "Celecoxib is a nonsteroidal anti-inflammatory drug indicated for: Osteoarthritis (OA); Rheumatoid "
        "Arthritis (RA); Juvenile Rheumatoid Arthritis (JRA) in patients 2 years and older; Ankylosing "
        "Spondylitis (AS); Acute Pain (AP); Primary Dysmenorrhea (PD)."
    ]
    # items without bullets, an item's first sentence only, and the list's limits are no item
    clozaril = (
        "INDICATIONS AND USAGE CLOZARIL is an atypical antipsychotic indicated for: Treatment-resistant "
        "schizophrenia. Efficacy was established in an active-controlled study ( 1.1 ) Reducing suicidal "
        "behavior in patients with schizophrenia ( 1.2 ) Limitations of Use: not for dementia ( 1.3 )"
    )
    assert indication_list_sentences(clozaril) == [
        "CLOZARIL is an atypical antipsychotic indicated for: Treatment-resistant schizophrenia; Reducing "
        "suicidal behavior in patients with schizophrenia."
    ]
    # a lead-in repeated by the next is not an item of the first
    assert indication_list_sentences(
        "OSPHENA is indicated for: OSPHENA is an estrogen agonist/antagonist indicated for: The treatment "
        "of dyspareunia ( 1.1 ) The treatment of vaginal dryness ( 1.2 )"
    ) == [
        "OSPHENA is an estrogen agonist/antagonist indicated for: The treatment of dyspareunia; The "
        "treatment of vaginal dryness."
    ]
    # one item, or prose, is left to sentence splitting
    assert indication_list_sentences("Lexapro is indicated for: Major depressive disorder ( 1.1 )") == []
    assert (
        indication_list_sentences("Lexapro is indicated for the treatment of major depressive disorder.")
        == []
    )
