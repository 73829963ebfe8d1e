"""Deterministic samples of real corpus chunks for the embedding and scale benchmarks.

Chunks are made by the product's own chunker from a seeded shuffle of all documents, so the mix
of tiers and lengths follows the real corpus rather than the order of files in the manifest.
"""

from __future__ import annotations

import random
from pathlib import Path

from medcite.types import Chunk


def sample_real_chunks(
    corpus: Path, n: int, *, seed: int = 0, chunk_size: int = 900, overlap: int = 150
) -> list[Chunk]:
    """Up to `n` chunks of randomly drawn documents (seeded), chunked like ingest does."""
    from corpus.manifest import read_corpus
    from ingest.chunker import ChunkParams, chunk_document

    docs = list(read_corpus(Path(corpus)).documents)
    random.Random(seed).shuffle(docs)
    params = ChunkParams(chunk_size=chunk_size, chunk_overlap=overlap)
    out: list[Chunk] = []
    seen: set[str] = set()
    for doc in docs:
        for chunk in chunk_document(doc, params):
            # Identical passages (shared boilerplate) would make the sample smaller than it looks.
            if chunk.chunk_id not in seen:
                seen.add(chunk.chunk_id)
                out.append(chunk)
        if len(out) >= n:
            break
    return out[:n]
