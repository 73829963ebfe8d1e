"""A local, memory-mapped copy of every chunk vector in BM25 order, for filtered dense search.

Chroma answers an unfiltered query from its HNSW graph in about 20 ms on the full corpus, but a
`where` filter (one tier) costs 70–260 ms there, because Chroma resolves the allowed ids in SQLite
first. The answer engine asks four tier-filtered queries per question, so the index scores the query
against this matrix instead: one (chunks x 384) product, about 12 ms for 105k chunks, masked per
filter; exact, not approximate. It is rebuilt after every BM25 build (same generation, same chunk
order) and swapped in atomically; a missing or stale matrix means "ask Chroma", never wrong results.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from index.keyword import atomic_dir
from index.vector_store import VectorStore

VECTORS = "vectors.npy"
META = "meta.json"


def build_dense_matrix(
    path: Path,
    store: VectorStore,
    chunk_ids: Sequence[str],
    generation: int,
    dim: int,
    known: Mapping[str, np.ndarray] | None = None,
) -> int:
    """Copy the store's vectors into `path` in `chunk_ids` order; returns how many were found.

    `known` (the vectors an ingest wrote in this run, exactly as it gave them to the store) spares
    reading the store back when it holds every chunk: at full size reading 148k vectors back out of
    Chroma takes ~10 s of each snapshot the web chat's ingest publishes."""
    position = {cid: i for i, cid in enumerate(chunk_ids)}
    matrix = np.zeros((len(chunk_ids), dim), dtype=np.float32)
    found = 0
    if known is not None and chunk_ids and all(cid in known for cid in chunk_ids):
        for row, cid in enumerate(chunk_ids):
            matrix[row] = known[cid]
        found = len(chunk_ids)
    elif chunk_ids:
        try:
            for ids, vectors, _meta in store.pages(5000):
                for cid, vec in zip(ids, vectors, strict=True):
                    i = position.get(cid)
                    if i is not None:
                        matrix[i] = vec
                        found += 1
        except Exception:  # noqa: BLE001 - Chroma can refuse a paged read after a killed write
            found = _fill_by_ids(matrix, store, chunk_ids)  # by id instead; raises if that fails too
    with atomic_dir(path) as tmp:
        np.save(tmp / VECTORS, matrix)
        meta = {"generation": generation, "count": len(chunk_ids), "dim": dim, "found": found}
        (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
        for name in (VECTORS, META):
            with open(tmp / name, "rb") as fh:
                os.fsync(fh.fileno())
    return found


def _fill_by_ids(matrix: np.ndarray, store: VectorStore, chunk_ids: Sequence[str], batch: int = 1000) -> int:
    matrix[:] = 0.0
    found = 0
    for start in range(0, len(chunk_ids), batch):
        part = chunk_ids[start : start + batch]
        got = store.get_vectors(part)
        for offset, cid in enumerate(part):
            vec = got.get(cid)
            if vec is not None:
                matrix[start + offset] = vec
                found += 1
    return found


def remove_dense_matrix(path: Path) -> None:
    """Delete the matrix (a stale one must not outlive a failed rebuild); filtered search then asks
    Chroma until the next build."""
    shutil.rmtree(path, ignore_errors=True)


def matrix_generation(path: Path) -> int | None:
    try:
        return int(json.loads((path / META).read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_dense_matrix(path: Path, count: int, generation: int) -> np.ndarray | None:
    """The memory-mapped matrix when it matches the keyword index (rows, generation, every vector
    present); None otherwise, and the caller asks Chroma."""
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
        if (meta["generation"], meta["count"], meta["found"]) != (generation, count, count):
            return None
        matrix = np.load(path / VECTORS, mmap_mode="r")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return matrix if matrix.shape[0] == count else None


def top_k(scores: np.ndarray, mask: np.ndarray | None, k: int) -> list[tuple[int, float]]:
    """Best k (row, score) among rows the mask allows, best first."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, len(scores))
    if k <= 0:
        return []
    rows = np.argpartition(-scores, k - 1)[:k]
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    return [(int(r), float(scores[r])) for r in rows if np.isfinite(scores[r])]
