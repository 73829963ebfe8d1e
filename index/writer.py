"""Write-side helpers the ingest pipeline uses on the index's files (the write order itself, and
the repair rules, are the pipeline's: see ingest/pipeline.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from index.catalog import Catalog
from index.keyword import build_bm25
from medcite.settings import Settings


def wipe_index(settings: Settings) -> None:
    """Remove the catalog, BM25 index and dense matrix (rebuild).  The Chroma collection is dropped
    through its client (`VectorStore.reset`) instead of deleting its folder: Chroma caches one system
    per path in-process, and a folder removed under it turns into a read-only database."""
    for p in (
        settings.catalog_path,
        Path(f"{settings.catalog_path}-wal"),
        Path(f"{settings.catalog_path}-shm"),
    ):
        p.unlink(missing_ok=True)
    shutil.rmtree(settings.bm25_dir, ignore_errors=True)
    shutil.rmtree(settings.dense_dir, ignore_errors=True)


def rebuild_keyword_index(settings: Settings, catalog: Catalog, generation: int) -> int:
    """Rebuild BM25 from every catalogued chunk's embed_text; returns the number indexed."""
    return build_bm25(
        settings.bm25_dir, ((c.chunk_id, c.embed_text) for c in catalog.iter_chunks()), generation
    )
