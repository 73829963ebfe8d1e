"""`medcite store serve` and `medcite store copy` end to end: the server process, a copy without
re-embedding, and the same search results from either backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingest_factory import CountingEmbedder, make_docs
from typer.testing import CliRunner

from index.chroma_server import free_port, heartbeat_ok
from ingest.pipeline import run_ingest
from medcite.cli import app
from medcite.errors import MedCiteError
from medcite.settings import load_settings

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MEDCITE_INDEX__EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("MEDCITE_CORPUS", str(tmp_path / "no-corpus"))
    monkeypatch.delenv("MEDCITE_INDEX__CHROMA_URL", raising=False)
    monkeypatch.delenv("MEDCITE_INDEX__STORE", raising=False)
    return tmp_path / "home"


def _search(query: str) -> list[str]:
    res = runner.invoke(app, ["search", query, "--mode", "dense", "--k", "5", "--json"])
    assert res.exit_code == 0, res.output
    return [hit["chunk_id"] for hit in json.loads(res.output)]


def test_serve_copy_and_search_through_the_server(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emb = CountingEmbedder()
    run_ingest(load_settings(), emb, corpus=make_docs(12), progress=False)
    embedded_hits = _search("asthma inhaled corticosteroids")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen(
        [str(Path(sys.executable).with_name("medcite")), "store", "serve", "--port", str(port),
         "--path", str(tmp_path / "server-data")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        assert serve.stdout is not None
        # Chroma prints its banner first; ours comes only once the heartbeat answers.
        ready = next((line for line in serve.stdout if "ready at" in line), "")
        assert f"ready at {url}" in ready and heartbeat_ok(url)

        copied = runner.invoke(app, ["store", "copy", "--to", url])
        assert copied.exit_code == 0, copied.output
        assert "no text was re-embedded" in copied.output
        assert f"MEDCITE_INDEX__CHROMA_URL={url}" in copied.output
        again = runner.invoke(app, ["store", "copy", "--to", url])  # idempotent
        assert again.exit_code == 0, again.output

        monkeypatch.setenv("MEDCITE_INDEX__CHROMA_URL", url)
        status = json.loads(runner.invoke(app, ["status", "--json"]).output)
        assert status["store"] == "http"
        assert _search("asthma inhaled corticosteroids") == embedded_hits
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    deadline = time.monotonic() + 10
    while heartbeat_ok(url, 0.5) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not heartbeat_ok(url, 0.5)  # stopping the command stops the server it started


def test_serve_refuses_a_public_address(home: Path) -> None:
    res = runner.invoke(app, ["store", "serve", "--host", "0.0.0.0"])
    assert isinstance(res.exception, MedCiteError) and "no authentication" in str(res.exception)


def test_copy_without_an_index_says_what_to_do(home: Path) -> None:
    res = runner.invoke(app, ["store", "copy", "--to", "http://127.0.0.1:9"])
    assert isinstance(res.exception, MedCiteError) and "medcite ingest" in (res.exception.hint or "")
