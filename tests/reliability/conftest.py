"""Fixtures for the reliability suite: one indexed fixture corpus per module, served for real."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from rel_support import FIXTURE_CORPUS, Served, indexed_settings, serve_real  # noqa: E402

from medcite.settings import Settings  # noqa: E402


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home with the fixture corpus ingested (fake embedder); rate limiting off unless a test sets it."""
    if not (FIXTURE_CORPUS / "MANIFEST.json").exists():
        pytest.skip("fixture corpus absent")
    return indexed_settings(tmp_path_factory.mktemp("rel-home"), limits={"rate_limit_per_minute": 0})


@pytest.fixture(scope="module")
def served(indexed: Settings) -> Iterator[Served]:
    with serve_real(indexed) as s:
        yield s
