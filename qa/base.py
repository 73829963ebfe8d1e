"""The retriever contract every retriever (BM25, dense, hybrid, expanded, reranked) honours."""

from __future__ import annotations

from typing import Protocol

from medcite.types import Hit, SearchFilters


class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        """Return up to k hits, best first, rank 1-based, honouring filters."""
        ...
