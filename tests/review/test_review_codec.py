"""The store's lossless answer JSON round-trips every field, including passages and evidence."""

from __future__ import annotations

import json

from review.codec import answer_from_dict, answer_to_dict


def test_round_trip(make_answer) -> None:  # type: ignore[no-untyped-def]
    answer = make_answer()
    encoded = json.loads(json.dumps(answer_to_dict(answer)))
    decoded = answer_from_dict(encoded)
    assert decoded == answer
    assert decoded.timings_ms == answer.timings_ms
    assert decoded.citations[1].chunk.meta == {"publication_types": ["Randomized Controlled Trial"]}
    assert decoded.citations[1].evidence.study_design == answer.citations[1].evidence.study_design
    assert encoded["citations"][0]["hit"]["chunk"]["text"].startswith("Systemic corticosteroids")
    assert [h.chunk.section for h in decoded.citations[0].hits] == ["Major Recommendations", "Monitoring"]


def test_answers_stored_before_references_merged_still_decode(make_answer) -> None:  # type: ignore[no-untyped-def]
    encoded = json.loads(json.dumps(answer_to_dict(make_answer())))
    for c in encoded["citations"]:
        del c["more"]  # the codec-1 shape written before issue 17
    assert all(c.more == () for c in answer_from_dict(encoded).citations)
