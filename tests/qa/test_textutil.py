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
