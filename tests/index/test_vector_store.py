"""Chroma vector store, embedded and (when `chroma` is installed) against `chroma run`."""

from __future__ import annotations

import numpy as np
import pytest
from ingest_factory import CHUNKS, CountingEmbedder, make_docs

from index.chroma_server import copy_vectors
from index.vector_store import VectorStore, build_where, chunk_metadata
from ingest.chunker import chunk_documents
from ingest.pipeline import run_ingest
from medcite.settings import Settings
from medcite.types import SearchFilters, Tier


def test_build_where() -> None:
    assert build_where(None) is None and build_where(SearchFilters()) is None
    assert build_where(SearchFilters(tiers=(Tier.GUIDELINE,))) == {"tier": {"$in": ["guideline"]}}
    assert build_where(SearchFilters(collections=("spl",), year_min=2000, year_max=2010)) == {
        "$and": [{"collection": {"$in": ["spl"]}}, {"year": {"$gte": 2000}}, {"year": {"$lte": 2010}}]
    }


def test_metadata_drops_none() -> None:
    (c,) = chunk_documents(make_docs(1), CHUNKS)[:1]
    md = chunk_metadata(c)
    assert md["tier"] == "guideline" and md["year"] == 2000 and "section_code" not in md


def _exercise(settings: Settings) -> None:
    emb = CountingEmbedder()
    store = VectorStore(settings, emb)
    store.reset()
    chunks = chunk_documents(make_docs(8), CHUNKS)
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


def test_store_on_both_backends(backend_settings: Settings) -> None:
    _exercise(backend_settings)


def test_http_store_writes_nothing_locally(settings: Settings, chroma_url: str) -> None:
    remote = settings.replace(index={"chroma_url": chroma_url, "store": "http", "collection": "only_remote"})
    docs = make_docs(6)
    first = run_ingest(remote, CountingEmbedder(), corpus=docs, rebuild=True, progress=False)
    again = run_ingest(remote, CountingEmbedder(), corpus=docs[:4], progress=False)
    assert (again.unchanged, again.deleted) == (4, 2)
    assert VectorStore(remote, CountingEmbedder()).count() == again.chunks_total < first.chunks_total
    assert not remote.chroma_dir.exists()  # nothing written to the embedded store


def test_copy_between_backends_keeps_vectors(settings: Settings, chroma_url: str) -> None:
    emb = CountingEmbedder()
    run_ingest(settings, emb, corpus=make_docs(9), progress=False)
    local = VectorStore(settings, emb)
    remote = VectorStore(
        settings.replace(index={"chroma_url": chroma_url, "store": "http", "collection": "copy_target"}),
        emb,
    )
    remote.upsert_raw(["stale"], np.ones((1, emb.dim), dtype=np.float32), [{"doc_id": "gone"}])
    calls = emb.calls
    result = copy_vectors(local, remote, page=7)  # several pages
    assert emb.calls == calls  # nothing re-embedded
    assert result.copied == result.source_count == result.target_count == local.count()
    assert remote.ids() == local.ids()  # the stale vector is gone
    ids = sorted(local.ids())[:5]
    want, got = local.get_vectors(ids), remote.get_vectors(ids)
    assert all(np.allclose(want[i], got[i]) for i in ids)
    # Same answers from either backend, metadata filters included.
    q = emb.embed_query("asthma")
    flt = SearchFilters(tiers=(Tier.RESEARCH,))
    want_hits, got_hits = dict(local.query(q, 100, flt)), dict(remote.query(q, 100, flt))
    assert want_hits.keys() == got_hits.keys() and len(want_hits) > 0
    assert all(want_hits[c] == pytest.approx(got_hits[c], abs=1e-5) for c in want_hits)
    # And back again into a fresh embedded store.
    back = VectorStore(settings.replace(index={"collection": "copied_back"}), emb)
    assert copy_vectors(remote, back).target_count == local.count()
