"""make_client retries the Chroma HttpClient (tenacity) while the server is still starting."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.errors import MedCiteError
from medcite.settings import load_settings


def test_http_client_is_retried_while_the_server_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chromadb

    from index.vector_store import make_client

    attempts: list[int] = []
    client = object()

    def http_client(**kwargs: object) -> object:
        attempts.append(1)
        if len(attempts) < 3:
            raise ValueError("Could not connect to a Chroma server")
        return client

    monkeypatch.setattr(chromadb, "HttpClient", http_client)
    settings = load_settings(home=tmp_path, index={"chroma_url": "http://127.0.0.1:9", "store": "http"})
    assert make_client(settings, wait_s=30) is client
    assert len(attempts) == 3
    attempts.clear()
    with pytest.raises(MedCiteError, match="Cannot reach the Chroma server"):
        make_client(settings, wait_s=0)  # no wait: one attempt, then the user error
    assert len(attempts) == 1
