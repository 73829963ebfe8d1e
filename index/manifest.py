"""The index manifest: what an index was built with, and the ONE check that settings still match it.

The manifest is a one-row table (`index_manifest`) in the catalog; `Catalog.manifest()` reads it,
`Catalog.init_manifest` / `Catalog.set_built` write it. Both the ingest pipeline (before it extends
an index) and `open_index` (before it queries one) call `check_manifest`, so a mismatch reads the
same wherever it is found: it names the differing parameter and says `medcite ingest --rebuild`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medcite.errors import IndexMismatchError

REBUILD_HINT = "Run `medcite ingest --rebuild` to rebuild it with the current settings."
# An index of the packaged model's fp32 vectors (the default before the int8 runtime) stays usable.
_FP32_BACKEND_HINT = " Or keep this index: set MEDCITE_INDEX__EMBEDDING_BACKEND=onnx (its fp32 runtime)."


@dataclass(frozen=True)
class IndexManifest:
    """What an index was built with; a query with other settings must fail (STYLE.md item 4)."""

    embedding_model: str
    chunk_size: int
    chunk_overlap: int
    dim: int
    corpus_hash: str | None
    built_at: str | None
    catalog_generation: int
    bm25_generation: int | None

    def params(self) -> dict[str, Any]:
        """Comparable with Settings.index_params()."""
        return {
            "embedding_model": self.embedding_model,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
        }


def same_model(a: str, b: str) -> bool:
    """Model names equal up to the `sentence-transformers/` prefix (both spellings load one model)."""
    return a.removeprefix("sentence-transformers/") == b.removeprefix("sentence-transformers/")


def manifest_differences(
    manifest: IndexManifest, wanted: Mapping[str, Any], dim: int | None = None
) -> list[str]:
    """Human-readable differences between how the index was built and the wanted parameters
    (`Settings.index_params()`); `dim` is the embedder's vector size, when one is at hand."""
    diffs = []
    for key, built in manifest.params().items():
        same = same_model(built, wanted[key]) if key == "embedding_model" else built == wanted[key]
        if not same:
            diffs.append(f"index built with {key}={built!r}, settings say {wanted[key]!r}")
    if dim is not None and dim != manifest.dim:
        diffs.append(f"index vectors have dim={manifest.dim}, the embedder gives dim={dim}")
    return diffs


def check_manifest(manifest: IndexManifest, wanted: Mapping[str, Any], dim: int | None = None) -> None:
    """Raise IndexMismatchError naming every differing parameter (and the rebuild command)."""
    diffs = manifest_differences(manifest, wanted, dim)
    if diffs:
        int8_of_built = f"{manifest.embedding_model}+onnx-int8"
        only_int8 = len(diffs) == 1 and str(wanted["embedding_model"]) == int8_of_built
        hint = REBUILD_HINT + (_FP32_BACKEND_HINT if only_int8 else "")
        raise IndexMismatchError("; ".join(diffs) + ".", hint=hint)
