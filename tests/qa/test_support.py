"""Sentence-level support check."""

from __future__ import annotations

import pytest
from qa_fakes import chunk, hit

from medcite.embedding import HashingEmbedder
from qa.drafts import Draft
from qa.support import check_support, containment, support_score

P = chunk("Methotrexate reduced the cumulative corticosteroid dose in dermatomyositis.", doc="p")
Q = chunk("Sunscreen protects the skin.", doc="q")
HITS = {P.chunk_id: hit(P), Q.chunk_id: hit(Q)}


def test_containment_and_score() -> None:
    assert containment("Methotrexate reduced the corticosteroid dose.", P.text) == 1.0
    assert containment("Aspirin cures gout.", P.text) == 0.0
    assert support_score("Methotrexate reduced the corticosteroid dose [1].", [P.text]) == 1.0
    assert support_score("anything", []) == 0.0
    s = support_score("Methotrexate lowers steroid needs in myositis.", [P.text], HashingEmbedder())
    assert 0.0 <= s <= 1.0


def test_check_drops_unsupported_and_unknown_citations() -> None:
    good = Draft(P.tier, "Methotrexate reduced the corticosteroid dose.", (P.chunk_id, "missing-id"))
    bad = Draft(P.tier, "Aspirin cures gout quickly.", (P.chunk_id,))
    wrong = Draft(P.tier, "Methotrexate reduced the corticosteroid dose.", (Q.chunk_id,))
    kept = check_support([good, bad, wrong], HITS, threshold=0.5)
    assert [d.text for d in kept] == [good.text]
    assert kept[0].chunk_ids == (P.chunk_id,) and kept[0].support == 1.0


def test_flag_mode_keeps_and_flags() -> None:
    bad = Draft(P.tier, "Aspirin cures gout quickly.", (P.chunk_id,))
    (flagged,) = check_support([bad], HITS, threshold=0.5, mode="flag")
    assert flagged.flagged and flagged.support == pytest.approx(0.0)
