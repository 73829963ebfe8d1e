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
