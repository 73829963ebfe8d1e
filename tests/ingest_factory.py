"""Small synthetic Documents and a counting fake embedder for the ingest tests (and the SIGKILL child),
and a fake-embedder index of a few one-sentence documents for the retrieval tests."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chunker import ChunkParams
from medcite.embedding import HashingEmbedder
from medcite.settings import IndexSettings
from medcite.types import Document, Section, Tier

# The chunking the default settings give.
CHUNKS = ChunkParams.of(IndexSettings())

_TOPICS = ["asthma", "diabetes", "hypertension", "migraine", "psoriasis", "gout", "anemia", "sepsis"]
_TIERS = [Tier.GUIDELINE, Tier.DRUG_LABEL, Tier.RESEARCH, Tier.PATIENT_INFO]
_COLLECTIONS = {
    Tier.GUIDELINE: "ngc",
    Tier.DRUG_LABEL: "spl",
    Tier.RESEARCH: "pubmedqa",
    Tier.PATIENT_INFO: "medquad",
}


def make_doc(i: int, *, version: int = 0, paragraphs: int = 3) -> Document:
    """Document i: deterministic, tier by i % 4, year 2000 + i % 20; `version` changes its text."""
    topic = _TOPICS[i % len(_TOPICS)]
    tier = _TIERS[i % 4]
    body = "\n\n".join(
        f"Paragraph {p} of record {i} (v{version}) about {topic} management. "
        f"Patients with {topic} should be assessed; treatment {p} reduces {topic} symptoms in adults. " * 3
        for p in range(paragraphs)
    )
    return Document(
        doc_id=f"doc-{i:04d}",
        tier=tier,
        collection=_COLLECTIONS[tier],
        title=f"{topic.title()} record {i}",
        sections=(Section("Summary", f"Short summary of {topic} record {i}."), Section("Details", body)),
        publisher="Test Org",
        year=2000 + i % 20,
        meta={"grade": "B"} if tier is Tier.GUIDELINE else {},
    )


def make_docs(n: int, start: int = 0) -> list[Document]:
    return [make_doc(i) for i in range(start, start + n)]


class CountingEmbedder(HashingEmbedder):
    """The fake embedder, counting texts embedded; optionally slow or failing after N calls."""

    def __init__(self, *, fail_after_calls: int | None = None, delay_s: float = 0.0) -> None:
        super().__init__(name="fake")
        self.texts_embedded = 0
        self.calls = 0
        self.fail_after_calls = fail_after_calls
        self.delay_s = delay_s

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail_after_calls is not None and self.calls >= self.fail_after_calls:
            raise RuntimeError("simulated crash inside the embed step")
        self.calls += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        self.texts_embedded += len(texts)
        return super().embed_documents(texts)


def one_sentence_doc(doc_id: str, tier: Tier, collection: str, title: str, text: str) -> Document:
    return Document(doc_id, tier, collection, title, (Section("Body", text),))


@contextmanager
def fake_index(home: Path, docs: Sequence[Document]) -> Iterator[Any]:
    """An open index of `docs` under `home`, built with the fake embedder (closed on exit)."""
    from index import open_index
    from ingest.pipeline import run_ingest
    from medcite.settings import load_settings

    settings = load_settings(home=home, index={"embedding_model": "fake"})
    run_ingest(settings, HashingEmbedder(), corpus=docs, progress=False)
    index = open_index(settings)
    try:
        yield index
    finally:
        index.close()
