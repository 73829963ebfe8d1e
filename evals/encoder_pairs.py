"""Training pairs for the domain-tuned encoder (issue 18): from the corpus and the dev suites only.

Pure functions from chunks and eval items to (query, positive[, hard negative]) pairs; the I/O (the
index, the suites) and the training itself live in `evals.train_encoder`.

- BioASQ dev, training half (even positions of the questions with gold documents; the odd half is
  the validation split and never becomes a pair): question -> each gold document's passage, with a
  hard negative from BM25's top results that is not a gold document.
- MedQuAD: the page's question -> its answer passage.
- MedlinePlus: topic title -> the summary's first passage.
- Guidelines (NGC, USPSTF): guideline title and section -> the section passage.
- Drug labels: drug name and section title -> the section passage.
- Cochrane reviews: review title -> the abstract's first passage.

Where the query is the document's own title, the positive is the passage without its title (the
indexed text starts with the title, and matching a title to itself teaches nothing). PubMedQA dev is
left out on purpose: it stays a held-out check of the trained encoder (issue 18: "PubMedQA dev does
not drop"), and its questions are the titles of its abstracts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from evals.suites import EvalItem, doc_keys
from medcite.types import Chunk

# Per source, at most this many pairs (sampled with the seed); BioASQ keeps all of its pairs.
DEFAULT_CAPS: dict[str, int] = {
    "medquad": 4000,
    "medlineplus": 1100,
    "guideline": 2500,
    "drug_label": 2500,
    "cochrane": 900,
}
# Gold passages used per BioASQ training question (most questions have fewer).
BIOASQ_POSITIVES_PER_QUESTION = 6
# BM25 ranks below this are skipped when mining a negative: the unlabelled top hits are often
# relevant documents BioASQ's annotators did not list.
NEGATIVE_MIN_RANK = 3


@dataclass(frozen=True)
class Pair:
    """One training example: a query, a passage that answers it, optionally a close non-answer."""

    query: str
    positive: str
    negative: str | None
    source: str


def split_bioasq(items: Sequence[EvalItem]) -> tuple[list[EvalItem], list[EvalItem]]:
    """(training half, validation half) of the BioASQ dev questions with gold documents, by position.

    The same split `evals.tune_fusion` uses: even positions train, odd positions validate.
    """
    gold = [i for i in items if i.gold_keys]
    return gold[0::2], gold[1::2]


def chunks_by_key(chunks: Iterable[Chunk]) -> dict[str, list[Chunk]]:
    """Chunks of the research tier under each of their document keys (`doc_keys`), in order."""
    out: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        for key in doc_keys(chunk):
            out[key].append(chunk)
    return out


def bioasq_pairs(
    items: Sequence[EvalItem],
    by_key: dict[str, list[Chunk]],
    negatives: Callable[[EvalItem], Chunk | None],
) -> list[Pair]:
    """Question -> the first passage of each gold document found in the corpus, with a mined negative."""
    pairs = []
    for item in items:
        negative = negatives(item)
        seen: set[str] = set()
        for key in sorted(item.gold_keys):
            chunks = by_key.get(key) or []
            if not chunks or chunks[0].chunk_id in seen:
                continue
            seen.add(chunks[0].chunk_id)
            pairs.append(
                Pair(item.question, chunks[0].embed_text, negative.embed_text if negative else None, "bioasq")
            )
            if len(seen) >= BIOASQ_POSITIVES_PER_QUESTION:
                break
    return pairs


def first_hard_negative(item: EvalItem, ranked: Sequence[Chunk]) -> Chunk | None:
    """The best-ranked passage from rank NEGATIVE_MIN_RANK on whose document is not gold."""
    for chunk in ranked[NEGATIVE_MIN_RANK - 1 :]:
        if not doc_keys(chunk) & item.gold_keys:
            return chunk
    return None


def _source_of(chunk: Chunk) -> str | None:
    if chunk.collection in {"medquad", "medlineplus", "cochrane"}:
        return chunk.collection
    tier = chunk.tier.value
    if tier in {"guideline", "drug_label"}:
        return tier
    return None


def corpus_query(chunk: Chunk) -> str | None:
    """The query a passage answers, from its own document: its question, title or section."""
    source = _source_of(chunk)
    title = " ".join(chunk.title.split())
    section = " ".join(chunk.section.split())
    if not title or source is None:
        return None
    if source == "medquad":
        return str(chunk.meta.get("question") or title)
    if source == "drug_label":
        return f"{title} {section}".strip() if section and section != title else title
    if source == "guideline" and section and section.lower() not in {"summary", "text", title.lower()}:
        return f"{title}: {section}"
    return title


def corpus_pairs(chunks: Iterable[Chunk], caps: dict[str, int], seed: int) -> list[Pair]:
    """One pair per document (its first passage; per section for guidelines and labels), sampled
    per source down to `caps` with `seed`.  No negatives: the batch's other passages serve."""
    candidates: dict[str, dict[tuple[str, str], Pair]] = defaultdict(dict)
    for chunk in chunks:
        source = _source_of(chunk)
        if source not in caps or not chunk.text.strip():
            continue
        key = (chunk.doc_id, chunk.section if source in {"guideline", "drug_label"} else "")
        if key in candidates[source]:
            continue  # the first passage of the document (or section) only
        query = corpus_query(chunk)
        if query and len(chunk.text) >= 80:
            candidates[source][key] = Pair(query, chunk.text, None, source)
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for source in sorted(candidates):
        pool = [candidates[source][k] for k in sorted(candidates[source])]
        rng.shuffle(pool)
        pairs.extend(pool[: caps[source]])
    return pairs


def training_order(pairs: Sequence[Pair], epochs_by_source: dict[str, int], seed: int) -> list[Pair]:
    """Every pair `epochs_by_source[source]` times (default once), shuffled with `seed`."""
    out = [p for p in pairs for _ in range(epochs_by_source.get(p.source, 1))]
    random.Random(seed).shuffle(out)
    return out


def source_counts(pairs: Iterable[Pair]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for p in pairs:
        counts[p.source] += 1
    return dict(sorted(counts.items()))
