"""Support check: every displayed sentence is scored against the passage(s) it cites.

support = max over cited passages of max(token containment, embedding cosine), where containment is
the share of the sentence's content terms found in the passage. Extractive sentences score 1.0;
plain-language rewrites and LLM sentences score lower when they drift from their sources. Below
`settings.composer.support_threshold` a sentence is dropped (extractive) or flagged (LLM).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from medcite.embedding import Embedder
from medcite.types import Hit
from qa.drafts import Draft
from qa.textutil import strip_citations, term_set


def containment(sentence: str, passage: str) -> float:
    """Share of the sentence's content terms that occur in the passage (0 when it has none)."""
    terms = term_set(sentence)
    if not terms:
        return 0.0
    return len(terms & term_set(passage)) / len(terms)


def support_score(sentence: str, passages: Sequence[str], embedder: Embedder | None = None) -> float:
    """Best support any one cited passage gives the sentence, in [0, 1]."""
    sentence = strip_citations(sentence)
    if not passages:
        return 0.0
    best = max(containment(sentence, p) for p in passages)
    if embedder is not None and best < 1.0:
        q = embedder.embed_query(sentence)
        vecs = embedder.embed_documents(list(passages))
        best = max(best, float(np.max(vecs @ q)))
    return round(max(0.0, min(1.0, best)), 4)


def check_support(
    drafts: Sequence[Draft],
    hits: Mapping[str, Hit],
    threshold: float,
    *,
    mode: Literal["drop", "flag"] = "drop",
    embedder: Embedder | None = None,
) -> list[Draft]:
    """Score each draft against its cited passages; drop (or flag) those below the threshold.
    Citations to passages that were not retrieved are removed first, so every number resolves."""
    out: list[Draft] = []
    for d in drafts:
        ids = tuple(c for c in d.chunk_ids if c in hits)
        score = support_score(d.checked_text, [hits[c].chunk.text for c in ids], embedder) if ids else 0.0
        if score >= threshold and ids:
            out.append(replace(d, chunk_ids=ids, support=score, flagged=False))
        elif mode == "flag":
            out.append(replace(d, chunk_ids=ids, support=score, flagged=True))
    return out
