"""The encoder registry (issue 18): the shipped trained weights are checked against their sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from embedding import models
from embedding.packaged import MODEL_NAME
from medcite.errors import MedCiteError


def _model(tmp_path: Path, weights: bytes, digest: str | None = None) -> Path:
    (tmp_path / models.WEIGHTS_FILE).write_bytes(weights)
    digest = digest or hashlib.sha256(weights).hexdigest()
    (tmp_path / models.DIGEST_FILE).write_text(f"{digest}  {models.WEIGHTS_FILE}\n")
    return tmp_path


def test_matching_weights_are_accepted(tmp_path: Path) -> None:
    assert models.verified_model_dir(_model(tmp_path, b"weights")) == tmp_path


def test_damaged_weights_are_refused_with_what_to_do(tmp_path: Path) -> None:
    folder = _model(tmp_path, b"weights", digest=hashlib.sha256(b"other").hexdigest())
    with pytest.raises(MedCiteError) as err:
        models.verified_model_dir(folder)
    assert "do not match their sha256" in str(err.value)
    assert "all-MiniLM-L6-v2" in (err.value.hint or "")


def test_missing_weights_or_digest_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MedCiteError, match="missing"):
        models.verified_model_dir(tmp_path)
    (tmp_path / models.WEIGHTS_FILE).write_bytes(b"w")
    with pytest.raises(MedCiteError, match="no model.safetensors.sha256"):
        models.verified_model_dir(tmp_path)


def test_names() -> None:
    assert models.canonical_name(f"sentence-transformers/{MODEL_NAME}") == MODEL_NAME
    assert models.is_known(models.TRAINED_NAME) and models.is_known(MODEL_NAME)
    assert not models.is_known("bert-base-uncased")
    with pytest.raises(MedCiteError, match="Unknown embedding model"):
        models.model_dir("bert-base-uncased")


def test_the_shipped_encoder_matches_its_recorded_sha256() -> None:
    folder = models.SHIPPED_DIR / models.TRAINED_NAME
    assert models.file_sha256(folder / models.WEIGHTS_FILE) == models.expected_sha256(folder)
    assert models.model_dir(models.TRAINED_NAME) == folder
    assert (folder / "MODEL_CARD.md").read_text().count("sha256") >= 1
