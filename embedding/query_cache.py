"""A thread-safe LRU cache of query vectors in front of any `Embedder` (issue 8, item 3)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from medcite.embedding import Embedder


class CachedQueryEmbedder:
    """LRU cache of query vectors (`functools.lru_cache`) in front of any embedder.

    Follow-up questions, evals and the web app's retries repeat queries; a cached query costs a dict
    lookup instead of a model call.  `lru_cache` is thread-safe and calls the model without holding a
    lock, so concurrent queries encode in parallel (two threads may both encode one new query; both
    results are identical and one is kept).  Cached vectors are shared, hence read-only.
    """

    def __init__(self, inner: Embedder, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.maxsize = maxsize
        self._cached = lru_cache(maxsize=maxsize)(self._encode)

    def _encode(self, text: str) -> np.ndarray:
        vec = np.array(self.inner.embed_query(text), dtype=np.float32)
        vec.setflags(write=False)
        return vec

    @property
    def hits(self) -> int:
        return self._cached.cache_info().hits

    @property
    def misses(self) -> int:
        return self._cached.cache_info().misses

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._cached(text)

    def __len__(self) -> int:
        return self._cached.cache_info().currsize

    def clear(self) -> None:
        """Forget every cached vector (the hit and miss counts restart too)."""
        self._cached.cache_clear()
