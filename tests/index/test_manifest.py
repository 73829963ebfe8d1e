"""The one index-manifest check, used by the ingest pipeline and by open_index."""

from __future__ import annotations

import pytest

from index.manifest import REBUILD_HINT, IndexManifest, check_manifest, manifest_differences
from medcite.errors import IndexMismatchError

BUILT = IndexManifest("all-MiniLM-L6-v2", 900, 150, 384, "abc", "2026-01-01", 3, 3)
WANTED = {"embedding_model": "all-MiniLM-L6-v2", "chunk_size": 900, "chunk_overlap": 150}


def test_matching_settings_pass() -> None:
    assert manifest_differences(BUILT, WANTED, 384) == []
    check_manifest(BUILT, WANTED, 384)
    # Both spellings of one model load the same weights.
    check_manifest(BUILT, {**WANTED, "embedding_model": "sentence-transformers/all-MiniLM-L6-v2"})


def test_message_names_each_differing_parameter_and_the_rebuild_command() -> None:
    with pytest.raises(IndexMismatchError) as err:
        check_manifest(BUILT, {**WANTED, "chunk_size": 500}, 256)
    msg, hint = str(err.value), err.value.hint or ""
    assert "index built with chunk_size=900, settings say 500" in msg
    assert "index vectors have dim=384, the embedder gives dim=256" in msg
    assert "chunk_overlap" not in msg
    assert "medcite ingest --rebuild" in hint and hint == REBUILD_HINT


def test_dim_is_only_checked_when_an_embedder_is_at_hand() -> None:
    assert manifest_differences(BUILT, WANTED, None) == []


def test_an_fp32_index_under_the_int8_default_can_be_rebuilt_or_kept() -> None:
    with pytest.raises(IndexMismatchError) as err:
        check_manifest(BUILT, {**WANTED, "embedding_model": "all-MiniLM-L6-v2+onnx-int8"}, 384)
    hint = err.value.hint or ""
    assert "medcite ingest --rebuild" in hint and "MEDCITE_INDEX__EMBEDDING_BACKEND=onnx" in hint
    with pytest.raises(IndexMismatchError) as other:  # another model: only the rebuild helps
        check_manifest(BUILT, {**WANTED, "embedding_model": "fake"}, 384)
    assert other.value.hint == REBUILD_HINT
