"""The on-disk index: SQLite catalog (the truth), BM25 keyword index, Chroma vectors, the dense
matrix for filtered search, the one manifest check, and `open_index` for querying.

`ingest/` writes through these modules and `qa/` reads through them; nothing outside `index/`
opens the catalog, Chroma or the BM25 files itself.
"""

from __future__ import annotations

from index.catalog import Catalog
from index.corpus_stats import LEXICON_COLLECTION, CorpusStats, LexiconRecord, WordStats
from index.manifest import REBUILD_HINT, IndexManifest, check_manifest, manifest_differences
from index.reader import Index, index_stats, open_index, read_index_stats, read_manifest
from medcite.errors import IndexMismatchError, IndexMissingError

__all__ = [
    "LEXICON_COLLECTION",
    "REBUILD_HINT",
    "Catalog",
    "CorpusStats",
    "Index",
    "IndexManifest",
    "IndexMismatchError",
    "IndexMissingError",
    "LexiconRecord",
    "WordStats",
    "check_manifest",
    "index_stats",
    "manifest_differences",
    "open_index",
    "read_index_stats",
    "read_manifest",
]
