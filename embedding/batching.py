"""Length-sorted batching: encode texts in batches of similar token length (less padding, so less
wasted attention work) and restore the input order.  Works in front of any `Embedder`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from embedding.packaged import token_lengths
from medcite.embedding import Embedder


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first, ties by position).

    Longest first so the largest allocation happens at the start and a too-large batch fails fast.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def encode_length_sorted(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    lengths: Sequence[int],
    batch_size: int,
    dim: int,
) -> np.ndarray:
    """Encode `texts` in length-sorted batches with `encode`; rows come back in input order."""
    if len(texts) != len(lengths):
        raise ValueError(f"{len(texts)} texts but {len(lengths)} lengths")
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for idx in length_sorted_batches(lengths, batch_size):
        out[idx] = encode([texts[i] for i in idx])
    return out


class LengthSortedEmbedder:
    """Wrap an embedder so `embed_documents` encodes length-sorted batches (same vectors, less padding).

    `length` measures a text; the default counts tokens with the packaged model's tokenizer when
    available (padding is in tokens, not characters) and falls back to characters.
    """

    def __init__(
        self,
        inner: Embedder,
        batch_size: int,
        length: Callable[[Sequence[str]], list[int]] | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = batch_size
        self._length = length or token_lengths

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return encode_length_sorted(
            lambda batch: np.asarray(self.inner.embed_documents(batch), dtype=np.float32),
            texts,
            self._length(texts),
            self.batch_size,
            self.dim,
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)
