"""Support check: every displayed sentence is scored against the passage(s) it cites.

Beside the score, a verbatim check (issue 17 item 5): every number (with its unit) and every drug name
a sentence shows must appear, as written, in a passage it cites, so no trimming, rewriting or LLM
wording can change a dose, a unit or a drug.  A sentence that fails is dropped (flagged for the LLM).

support = max over cited passages of max(token containment, embedding cosine), where containment is
the share of the sentence's content terms found in the passage. Extractive sentences score 1.0;
plain-language rewrites and LLM sentences score lower when they drift from their sources. Below
`settings.composer.support_threshold` a sentence is dropped (extractive) or flagged (LLM).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from medcite.embedding import Embedder
from medcite.types import Hit
from qa.drafts import Draft
from qa.textutil import DRUG_NAME, strip_citations, term_set

# A number with an optional unit ("1 mg/kg/day", "2.5 mg", "40%", "1,000 units"); the unit is part of
# the fact, so "5 mcg" is not supported by "5 mg".
_NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)*)(?:\s?(mg|mcg|µg|ng|g|kg|ml|l|units?|iu|meq|mmol|%|mg/kg|g/kg|mg/m2)"
    r"((?:/(?:kg|day|d|m2|dose|week|wk|h|hr|hour|min|ml|l))*))?(?![\w.]*\d)",
    re.I,
)


def _numbers(text: str) -> list[str]:
    return [
        f"{n.replace(',', '')} {(u + rest).lower()}".strip().replace("units", "unit")
        for n, u, rest in _NUMBER.findall(text)
    ]


def unverified_facts(sentence: str, passages: Sequence[str]) -> list[str]:
    """Numbers (with units) and drug names in the sentence that no cited passage states as written."""
    sentence = strip_citations(sentence)
    source = " \n ".join(passages)
    have = set(_numbers(source))
    bare = {n.split(" ", 1)[0] for n in have}
    missing = [
        n for n in dict.fromkeys(_numbers(sentence)) if n not in have and not (" " not in n and n in bare)
    ]
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", source)}
    missing += [d for d in dict.fromkeys(m.lower() for m in DRUG_NAME.findall(sentence)) if d not in words]
    return missing


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
        passages = [hits[c].chunk.text for c in ids]
        score = support_score(d.checked_text, passages, embedder) if ids else 0.0
        verbatim = not unverified_facts(d.checked_text, passages)
        if score >= threshold and ids and verbatim:
            out.append(replace(d, chunk_ids=ids, support=score, flagged=False))
        elif mode == "flag":
            out.append(replace(d, chunk_ids=ids, support=score, flagged=True))
    return out
