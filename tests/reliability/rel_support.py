"""Helpers shared by the reliability tests and `python -m tests.reliability.load_report`: an index of the
fixture corpus built with the fake embedder, the real app served on loopback, and store consistency."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from medcite.settings import REPO_ROOT, Settings, load_settings  # noqa: E402

FIXTURE_CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus_small"
QUESTION = "What is the treatment for dermatomyositis?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def indexed_settings(home: Path, corpus: Path = FIXTURE_CORPUS, **overrides: Any) -> Settings:
    """Settings for `home` with the fixture corpus ingested (fake embedder)."""
    from ingest.pipeline import run_ingest
    from medcite.embedding import HashingEmbedder

    settings = load_settings(home=home, corpus=corpus, index={"embedding_model": "fake"}, **overrides)
    run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    return settings


def store_counts(settings: Settings) -> tuple[int, int, int, set[str]]:
    """(catalog chunks, Chroma vectors, BM25 ids, orphans) for the index under `settings.home`;
    orphans are ids present in one store and not in the others."""
    from index.catalog import Catalog
    from index.keyword import read_sidecar
    from index.vector_store import VectorStore
    from medcite.embedding import HashingEmbedder

    catalog = Catalog(settings.catalog_path)
    try:
        in_catalog = catalog.all_chunk_ids()
    finally:
        catalog.close()
    in_chroma = VectorStore(settings, HashingEmbedder()).ids()
    sidecar = read_sidecar(settings.bm25_dir)
    in_bm25 = set(sidecar.chunk_ids) if sidecar is not None else set()
    orphans = (in_catalog ^ in_chroma) | (in_catalog ^ in_bm25)
    return len(in_catalog), len(in_chroma), len(in_bm25), orphans


@dataclass
class Served:
    url: str
    app: Any
    store: Any


@contextmanager
def serve_real(settings: Settings) -> Iterator[Served]:
    """The real app (default engine factory, the SQLite review store) on 127.0.0.1:<free port>."""
    from review.store import open_store
    from ui.app import build_app, launch
    from ui.hardening import launch_options

    store = open_store(settings)
    app = build_app(settings, store=store)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False, **launch_options(settings, "127.0.0.1"))
    try:
        yield Served(f"http://127.0.0.1:{port}/", app, store)
    finally:
        app.close()
        time.sleep(0.1)
