"""Fixtures for the ingest tests: a temporary MedCite home with the fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home", embedding_model="fake", corpus=tmp_path / "no-corpus")
