"""Web-chat fixtures: a MedCite app with the fake engine served on a free loopback port."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from ui_fakes import (  # noqa: E402
    FakeEngine,
    free_port,  # noqa: F401 - re-exported for fixtures
    list_conversation,
)

from medcite.settings import REPO_ROOT, Settings, load_settings  # noqa: E402
from ui.feedback import InMemoryFeedbackSink  # noqa: E402


@dataclass
class Served:
    url: str
    engine: FakeEngine
    store: InMemoryFeedbackSink


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(home=tmp_path_factory.mktemp("medcite-home"), index={"embedding_model": "fake"})


@pytest.fixture(scope="session")
def served(ui_settings: Settings) -> Iterator[Served]:
    """The app with the fake engine, in this process, on 127.0.0.1:<free port>."""
    from ui.app import build_app, launch

    engine, store = FakeEngine(), InMemoryFeedbackSink()
    app = build_app(
        ui_settings, engine_factory=lambda _s: engine, store=store, conversation_factory=list_conversation
    )
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    try:
        yield Served(f"http://127.0.0.1:{port}/", engine, store)
    finally:
        app.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Per-test screenshots go to `test-output/ui/` in the repo (git-ignored), where CI collects them;
    pytest's own temporary folders are rotated away by later runs."""
    out = REPO_ROOT / "test-output" / "ui"
    out.mkdir(parents=True, exist_ok=True)
    return out
