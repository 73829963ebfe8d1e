"""Chroma vector store, embedded (`PersistentClient` under the home) or remote (`chroma run` + `HttpClient`).

We always hand Chroma explicit vectors, and every collection handle gets `MedCiteEmbeddingFunction`:
without one Chroma falls back to its default ONNX model and tries to download it (STACK.md gotchas).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np
from tenacity import RetryError, Retrying, stop_after_delay, wait_fixed

from medcite.embedding import Embedder
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Chunk, SearchFilters

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection


def chunk_metadata(chunk: Chunk) -> dict[str, str | int | float | bool]:
    """Flat Chroma metadata for a chunk: only what `where` filters use; Chroma rejects None values."""
    md: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "tier": chunk.tier.value,
        "collection": chunk.collection,
        "year": chunk.year,
        "section_code": chunk.section_code,
    }
    return {k: v for k, v in md.items() if v is not None}


def build_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """Translate SearchFilters into a Chroma `where` clause (None when unrestricted)."""
    if filters is None or filters.is_empty:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.tiers:
        clauses.append({"tier": {"$in": [t.value for t in filters.tiers]}})
    if filters.collections:
        clauses.append({"collection": {"$in": list(filters.collections)}})
    # A chunk without a year has no "year" key, so range clauses exclude it, like SearchFilters.accepts.
    if filters.year_min is not None:
        clauses.append({"year": {"$gte": filters.year_min}})
    if filters.year_max is not None:
        clauses.append({"year": {"$lte": filters.year_max}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class LazyEmbedder:
    """An Embedder that builds the named model on first use."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim
        self._inner: Embedder | None = None

    def _model(self) -> Embedder:
        if self._inner is None:
            from embedding.factory import make_embedder

            # Only Chroma's config check builds this, and our vectors are always given, so the model
            # is not expected to run: if it ever must, plain torch needs no settings (batch 8 as the
            # default `index.embed_batch_size`).
            self._inner = make_embedder(self.name, 8, backend="torch", cache_dir=None)
        return self._inner

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._model().embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model().embed_query(text)


def _embedding_function_class() -> type:
    """Build (lazily, chromadb is a heavy import) the Chroma EmbeddingFunction wrapping our Embedder."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class MedCiteEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, embedder: Embedder) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._embedder.embed_documents(list(input)))

        @staticmethod
        def name() -> str:
            return "medcite"

        def get_config(self) -> dict[str, Any]:
            return {"model": self._embedder.name, "dim": self._embedder.dim}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> MedCiteEmbeddingFunction:
            # Chroma rebuilds the stored function just to compare configs when a collection is
            # opened; load the model only if it is actually asked to embed (`status` must stay light).
            return MedCiteEmbeddingFunction(
                LazyEmbedder(str(config.get("model", "fake")), int(config.get("dim", 0)))
            )

        def default_space(self) -> Any:
            return "cosine"

    return MedCiteEmbeddingFunction


_EF_CLASS: type | None = None


def embedding_function(embedder: Embedder) -> Any:
    global _EF_CLASS
    if _EF_CLASS is None:
        _EF_CLASS = _embedding_function_class()
    return _EF_CLASS(embedder)


def make_client(settings: Settings, *, wait_s: float = 0.0) -> ClientAPI:
    """Embedded PersistentClient by default; HttpClient when settings.index.chroma_url is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.index.store == "http" and not settings.index.chroma_url:
        raise MedCiteError(
            "store is 'http' but no Chroma server URL is set.",
            hint="Set MEDCITE_INDEX__CHROMA_URL=http://host:port (or MEDCITE_INDEX__STORE=embedded).",
        )
    if not settings.index.chroma_url:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    url = urlparse(
        settings.index.chroma_url
        if "://" in settings.index.chroma_url
        else f"http://{settings.index.chroma_url}"
    )
    host = url.hostname or "localhost"
    port = url.port or (443 if url.scheme == "https" else 8000)
    # The constructor itself contacts the server and raises (ValueError) while it is down: retry it
    # every 0.2 s for `wait_s` seconds (one attempt when 0).
    retrying = Retrying(stop=stop_after_delay(wait_s), wait=wait_fixed(0.2))
    try:
        return retrying(
            chromadb.HttpClient, host=host, port=port, ssl=url.scheme == "https", settings=chroma_settings
        )
    except RetryError as err:
        exc = err.last_attempt.exception()
        raise MedCiteError(
            f"Cannot reach the Chroma server at {settings.index.chroma_url} ({exc}).",
            hint="Start it with `chroma run --path DIR --port PORT`, or unset "
            "MEDCITE_INDEX__CHROMA_URL to use the embedded store.",
        ) from exc

class VectorStore:
    """One Chroma collection of chunk vectors keyed by chunk_id, cosine space."""

    def __init__(self, settings: Settings, embedder: Embedder, client: ClientAPI | None = None) -> None:
        self._settings = settings
        self._embedder = embedder
        self.client = client or make_client(settings)
        self.name = (
            settings.index.collection
            if len(settings.index.collection) >= 3
            else f"{settings.index.collection}___"
        )
        self._collection: Collection = self._open()
        self._max_batch = max(1, int(self.client.get_max_batch_size()))

    def _open(self) -> Collection:
        return self.client.get_or_create_collection(
            name=self.name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=embedding_function(self._embedder),
        )

    def reset(self) -> None:
        """Drop and recreate the collection (used by `ingest --rebuild`)."""
        with contextlib.suppress(Exception):  # absent collection: nothing to drop
            self.client.delete_collection(self.name)
        self._collection = self._open()

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        self.upsert_raw([c.chunk_id for c in chunks], vectors, [chunk_metadata(c) for c in chunks])

    def upsert_raw(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        """Upsert ids with their vectors and flat metadata, in batches Chroma accepts."""
        for i in range(0, len(ids), self._max_batch):
            self._collection.upsert(
                ids=list(ids[i : i + self._max_batch]),
                embeddings=np.asarray(vectors[i : i + self._max_batch], dtype=np.float32),
                metadatas=list(metadatas[i : i + self._max_batch]),
            )

    def pages(self, size: int = 2000) -> Iterator[tuple[list[str], np.ndarray, list[dict[str, Any]]]]:
        """Every (ids, vectors, metadatas) in the collection, `size` at a time (for copying)."""
        size = max(1, min(size, self._max_batch))
        offset = 0
        while True:
            got = self._collection.get(include=["embeddings", "metadatas"], limit=size, offset=offset)
            ids = list(got["ids"])
            if ids:
                vectors = np.asarray(got["embeddings"], dtype=np.float32)
                yield ids, vectors, [dict(m or {}) for m in (got["metadatas"] or [])]
            if len(ids) < size:
                return
            offset += size

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), self._max_batch):
            self._collection.delete(ids=ids[i : i + self._max_batch])

    def query(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine similarity), best first; fewer when the collection holds fewer.

        No count() first: Chroma 1.x answers an n_results above the collection size with what it
        has, and a count is one more call into Chroma (a round trip on the server) on every query.
        """
        if k <= 0:
            return []
        res = self._collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=build_where(filters),
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        # Chroma's cosine space returns distance = 1 - cosine similarity.
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=True)]

    def count(self) -> int:
        return int(self._collection.count())

    def ids(self) -> set[str]:
        out: set[str] = set()
        page = self._max_batch
        offset = 0
        while True:
            got = self._collection.get(include=[], limit=page, offset=offset)["ids"]
            out.update(got)
            if len(got) < page:
                return out
            offset += page

    def get_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        res = self._collection.get(ids=list(ids), include=["embeddings"])
        embs = res.get("embeddings")
        if embs is None:
            return {}
        return {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(res["ids"], embs, strict=True)}
