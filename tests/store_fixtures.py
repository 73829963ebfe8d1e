"""Store fixtures shared by tests/index and tests/ingest (each conftest imports them): a temporary
MedCite home with the fake embedder.

`backend_settings` runs a test twice, against the embedded store and against `chroma run` on a free
loopback port (one server per session; each test gets its own collection). Store and pipeline
tests take it through their module's `settings` fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.chroma_server import chroma_server
from medcite.settings import Settings, load_settings


@pytest.fixture
def base_settings(tmp_path: Path) -> Settings:
    return load_settings(
        home=tmp_path / "home", index={"embedding_model": "fake"}, corpus=tmp_path / "no-corpus"
    )


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    return base_settings


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _proc):
        yield url


@pytest.fixture(params=["embedded", "server"])
def backend_settings(request: pytest.FixtureRequest, base_settings: Settings) -> Settings:
    if request.param == "embedded":
        return base_settings
    url = request.getfixturevalue("chroma_url")
    return base_settings.replace(
        index={"chroma_url": url, "store": "http", "collection": f"t{uuid.uuid4().hex[:12]}"}
    )
