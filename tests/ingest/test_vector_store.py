"""Chroma vector store, embedded and (when `chroma` is installed) against `chroma run`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_factory import CountingEmbedder, make_docs

from ingest.chunker import chunk_documents
from ingest.pipeline import run_ingest
from ingest.vector_store import VectorStore, build_where, chunk_metadata
from medcite.settings import Settings
from medcite.types import SearchFilters, Tier

CHROMA_BIN = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))


def test_build_where() -> None:
    assert build_where(None) is None and build_where(SearchFilters()) is None
    assert build_where(SearchFilters(tiers=(Tier.GUIDELINE,))) == {"tier": {"$in": ["guideline"]}}
    assert build_where(SearchFilters(collections=("spl",), year_min=2000, year_max=2010)) == {
        "$and": [{"collection": {"$in": ["spl"]}}, {"year": {"$gte": 2000}}, {"year": {"$lte": 2010}}]
    }


def test_metadata_drops_none() -> None:
    (c,) = chunk_documents(make_docs(1))[:1]
    md = chunk_metadata(c)
    assert md["tier"] == "guideline" and md["year"] == 2000 and "section_code" not in md


def _exercise(settings: Settings) -> None:
    emb = CountingEmbedder()
    store = VectorStore(settings, emb)
    store.reset()
    chunks = chunk_documents(make_docs(8))
    store.upsert(chunks, emb.embed_documents([c.embed_text for c in chunks]))
    assert store.count() == len(chunks) and store.ids() == {c.chunk_id for c in chunks}
    target = chunks[5]
    top = store.query(emb.embed_query(target.embed_text), 3)
    assert top[0][0] == target.chunk_id and top[0][1] == pytest.approx(1.0, abs=1e-4)
    got = store.query(emb.embed_query("asthma"), 100, SearchFilters(tiers=(Tier.RESEARCH,), year_min=2001))
    by_id = {c.chunk_id: c for c in chunks}
    expected = {c.chunk_id for c in chunks if c.tier is Tier.RESEARCH and (c.year or 0) >= 2001}
    assert {cid for cid, _ in got} == expected
    store.delete([target.chunk_id])
    assert target.chunk_id not in store.ids() and store.count() == len(chunks) - 1
    assert all(by_id[cid].tier is Tier.RESEARCH for cid, _ in got)


def test_embedded_store(settings: Settings) -> None:
    _exercise(settings)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    if not Path(CHROMA_BIN).exists():
        pytest.skip("chroma CLI not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [CHROMA_BIN, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("chroma server did not start")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_http_store_and_ingest(settings: Settings, chroma_server: str) -> None:
    remote = settings.model_copy(update={"chroma_url": chroma_server, "store": "http"})
    _exercise(remote)
    docs = make_docs(6)
    first = run_ingest(remote, CountingEmbedder(), corpus=docs, rebuild=True, progress=False)
    again = run_ingest(remote, CountingEmbedder(), corpus=docs[:4], progress=False)
    assert (again.unchanged, again.deleted) == (4, 2)
    assert VectorStore(remote, CountingEmbedder()).count() == again.chunks_total < first.chunks_total
    assert not remote.chroma_dir.exists()  # nothing written to the embedded store
