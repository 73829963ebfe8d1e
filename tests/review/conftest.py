"""Fixtures for the review store tests: a fresh store with a fast argon2 hasher and answer builders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from review_fixtures import PASSWORD, REVIEWER, build_answer

from medcite.types import Answer
from review.auth import FAST_TEST_HASHER
from review.store import Store


@pytest.fixture
def make_answer() -> Callable[..., Answer]:
    return build_answer


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "app.sqlite", hasher=FAST_TEST_HASHER)


@pytest.fixture
def reviewer(store: Store) -> tuple[str, str]:
    store.add_reviewer(REVIEWER, PASSWORD)
    return REVIEWER, PASSWORD
