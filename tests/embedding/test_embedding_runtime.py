"""The embedding runtimes (length-sorted batching, ONNX export and runtime, factory) and the query cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from embedding.batching import LengthSortedEmbedder, encode_length_sorted, length_sorted_batches
from embedding.factory import make_fast_embedder
from embedding.packaged import MODEL_NAME, pad_batch
from embedding.query_cache import CachedQueryEmbedder
from medcite.embedding import HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import load_settings

FIXTURE_CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus_small"

TEXTS = [
    "Dermatomyositis is treated first with systemic corticosteroids.",
    "IVIG",
    "Metformin is started at 500 mg once or twice daily with meals and titrated weekly as tolerated.",
    "Statins lower LDL cholesterol.",
    "Screen adults aged 50 to 75 years for colorectal cancer (grade A).",
    "Hypertension",
    "A randomised controlled trial of 1,200 patients compared two antihypertensive regimens over 5 years.",
]


class RecordingEmbedder:
    """Counts calls; `gate` (when set) makes embed_query wait, to observe locking."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.name = "rec"
        self.dim = self.inner.dim
        self.query_calls: list[str] = []
        self.doc_batches: list[list[str]] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.doc_batches.append(list(texts))
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.query_calls.append(text)
        if self.gate is not None and text == "slow":
            self.entered.set()
            assert self.gate.wait(10)
        return self.inner.embed_query(text)


# --- length-sorted batching -------------------------------------------------------------------


def test_length_sorted_batches_cover_every_index_once_longest_first() -> None:
    lengths = [5, 1, 9, 9, 3, 7, 2]
    batches = length_sorted_batches(lengths, 3)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    assert flat[:2] == [2, 3]  # ties keep input order
    with pytest.raises(ValueError):
        length_sorted_batches(lengths, 0)


def test_encode_length_sorted_restores_input_order() -> None:
    emb = HashingEmbedder()
    seen: list[list[str]] = []

    def encode(batch: list[str]) -> np.ndarray:
        seen.append(batch)
        return emb.embed_documents(batch)

    out = encode_length_sorted(encode, TEXTS, [len(t) for t in TEXTS], 2, emb.dim)
    np.testing.assert_array_equal(out, emb.embed_documents(TEXTS))
    # Batches really were formed by length: each batch's texts are no longer than the previous batch's.
    maxima = [max(len(t) for t in b) for b in seen]
    assert maxima == sorted(maxima, reverse=True)
    assert len(seen) == 4


def test_length_sorted_embedder_matches_inner_and_batches() -> None:
    inner = RecordingEmbedder()
    wrapped = LengthSortedEmbedder(inner, batch_size=3, length=lambda ts: [len(t) for t in ts])
    out = wrapped.embed_documents(TEXTS)
    np.testing.assert_array_equal(out, HashingEmbedder().embed_documents(TEXTS))
    assert [len(b) for b in inner.doc_batches] == [3, 3, 1]
    assert wrapped.embed_documents([]).shape == (0, inner.dim)
    assert (wrapped.name, wrapped.dim) == (inner.name, inner.dim)


def test_pad_batch() -> None:
    ids, mask = pad_batch([[101, 5, 102], [101, 102]])
    assert ids.tolist() == [[101, 5, 102], [101, 102, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert ids.dtype == np.int64 and mask.dtype == np.int64


# --- query cache ------------------------------------------------------------------------------


def test_query_cache_hits_misses_and_lru_eviction() -> None:
    inner = RecordingEmbedder()
    cached = CachedQueryEmbedder(inner, maxsize=2)
    a = cached.embed_query("a")
    assert cached.embed_query("a") is a
    np.testing.assert_array_equal(a, inner.inner.embed_query("a"))
    cached.embed_query("b")
    cached.embed_query("a")  # refreshes "a": "b" is now least recently used
    cached.embed_query("c")  # evicts "b"
    assert len(cached) == 2
    cached.embed_query("a")
    cached.embed_query("b")
    assert inner.query_calls == ["a", "b", "c", "b"]
    assert (cached.hits, cached.misses) == (3, 4)
    with pytest.raises(ValueError):
        a[0] = 1.0  # cached vectors are shared, so read-only
    with pytest.raises(ValueError):
        CachedQueryEmbedder(inner, maxsize=0)


def test_query_cache_passes_documents_through() -> None:
    inner = RecordingEmbedder()
    cached = CachedQueryEmbedder(inner)
    out = cached.embed_documents(TEXTS[:2])
    assert inner.doc_batches == [TEXTS[:2]]
    assert out.shape == (2, inner.dim)
    assert not inner.query_calls


def test_query_cache_does_not_hold_its_lock_while_encoding(
    completes_while_blocked: Callable[..., None],
) -> None:
    inner = RecordingEmbedder()
    inner.gate = threading.Event()
    cached = CachedQueryEmbedder(inner)
    cached.embed_query("fast")

    def others() -> None:
        # While "slow" is inside the model, a cached and a new query must both complete.
        cached.embed_query("fast")
        cached.embed_query("new")

    completes_while_blocked(lambda: cached.embed_query("slow"), inner.entered, inner.gate, others)
    assert len(cached) == 3


def test_query_cache_concurrent_queries_agree() -> None:
    inner = RecordingEmbedder()
    cached = CachedQueryEmbedder(inner, maxsize=8)
    queries = [f"q{i % 12}" for i in range(240)]
    results: dict[str, list[np.ndarray]] = {}
    lock = threading.Lock()

    def work(qs: list[str]) -> None:
        for q in qs:
            v = cached.embed_query(q)
            with lock:
                results.setdefault(q, []).append(v)

    threads = [threading.Thread(target=work, args=(queries[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ref = HashingEmbedder()
    for q, vecs in results.items():
        for v in vecs:
            np.testing.assert_array_equal(v, ref.embed_query(q))
    assert len(cached) <= 8
    assert cached.hits + cached.misses == len(queries)


# --- settings / factory -----------------------------------------------------------------------


def test_index_params_name_int8_as_another_model(tmp_path: Path) -> None:
    torch_p = load_settings(
        home=tmp_path, index={"embedding_model": "all-MiniLM-L6-v2", "embedding_backend": "torch"}
    ).index_params()
    onnx_p = load_settings(
        home=tmp_path, index={"embedding_model": "all-MiniLM-L6-v2", "embedding_backend": "onnx"}
    ).index_params()
    int8_p = load_settings(
        home=tmp_path, index={"embedding_model": "all-MiniLM-L6-v2", "embedding_backend": "onnx-int8"}
    ).index_params()
    assert onnx_p == torch_p  # same vectors: an index built by either serves the other
    assert int8_p["embedding_model"] == "all-MiniLM-L6-v2+onnx-int8"
    assert (
        load_settings(
            home=tmp_path, index={"embedding_model": "fake", "embedding_backend": "onnx-int8"}
        ).index_params()["embedding_model"]
        == "fake"
    )


def test_unknown_backend_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(MedCiteError, match="backend"):
        make_fast_embedder("tpu", tmp_path, batch_size=8)


# --- the real packaged model (integration) ----------------------------------------------------


def _fixture_texts(n: int) -> list[str]:
    from corpus.manifest import read_corpus
    from ingest.chunker import ChunkParams, chunk_document
    from medcite.settings import IndexSettings

    CHUNKS = ChunkParams.of(IndexSettings())

    out: list[str] = []
    for doc in read_corpus(FIXTURE_CORPUS).documents:
        out.extend(c.embed_text for c in chunk_document(doc, CHUNKS))
        if len(out) >= n:
            break
    return out[:n]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedding.onnx_export import build_onnx_model

    return build_onnx_model(tmp_path_factory.mktemp("onnx") / "minilm", quantize=True)


@pytest.fixture(scope="module")
def texts50() -> list[str]:
    texts = _fixture_texts(50)
    assert len(texts) == 50
    return texts


@pytest.fixture(scope="module")
def torch_vectors(texts50: list[str]) -> np.ndarray:
    from embedding.torch_runtime import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(MODEL_NAME, 64).embed_documents(texts50)


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.integration
def test_onnx_fp32_matches_sentence_transformers(
    onnx_dir: Path, texts50: list[str], torch_vectors: np.ndarray
) -> None:
    from embedding.onnx_export import FP32_FILE
    from embedding.onnx_runtime import OnnxEmbedder

    emb = OnnxEmbedder(onnx_dir / FP32_FILE, batch_size=16, threads=2)
    vecs = emb.embed_documents(texts50)
    assert vecs.shape == torch_vectors.shape and vecs.dtype == np.float32
    assert _cos(vecs, torch_vectors).min() > 0.999
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    # Order restored: each row equals that text encoded on its own (no padding at all).
    for i in (0, 17, 49):
        assert float(emb.embed_query(texts50[i]) @ vecs[i]) > 0.9999


@pytest.mark.integration
def test_onnx_int8_close_but_not_identical(
    onnx_dir: Path, texts50: list[str], torch_vectors: np.ndarray
) -> None:
    from embedding.onnx_export import INT8_FILE
    from embedding.onnx_runtime import OnnxEmbedder

    int8 = OnnxEmbedder(onnx_dir / INT8_FILE, batch_size=8, threads=2)
    cos = _cos(int8.embed_documents(texts50), torch_vectors)
    assert cos.mean() > 0.97
    assert cos.min() < 0.9999  # quantisation does move vectors: why it is another model in the manifest


@pytest.mark.integration
def test_length_sorted_torch_restores_order(texts50: list[str], torch_vectors: np.ndarray) -> None:
    from embedding.torch_runtime import SentenceTransformerEmbedder

    wrapped = LengthSortedEmbedder(SentenceTransformerEmbedder(MODEL_NAME, batch_size=8), batch_size=8)
    assert _cos(wrapped.embed_documents(texts50), torch_vectors).min() > 0.9999


@pytest.mark.integration
def test_export_is_reused_and_factory_builds_onnx(onnx_dir: Path, tmp_path: Path) -> None:
    from embedding.factory import make_embedder
    from embedding.onnx_export import FP32_FILE, INT8_FILE, ensure_onnx_model, onnx_export_is_current
    from embedding.onnx_runtime import OnnxEmbedder

    assert onnx_export_is_current(onnx_dir, int8=True)
    cache = onnx_dir.parent
    path = ensure_onnx_model(cache, int8=False)  # a fresh folder name: builds once, fp32 only
    assert not (path.parent / INT8_FILE).exists()  # the default backend does not pay for quantising
    mtime = path.stat().st_mtime_ns
    assert ensure_onnx_model(cache, int8=False).stat().st_mtime_ns == mtime  # reused, not rebuilt
    emb = make_embedder("all-MiniLM-L6-v2", 16, backend="onnx", cache_dir=cache)
    assert isinstance(emb, OnnxEmbedder) and emb.name == "all-MiniLM-L6-v2"
    int8 = make_embedder("all-MiniLM-L6-v2+onnx-int8", 16, backend="onnx-int8", cache_dir=cache)
    assert isinstance(int8, OnnxEmbedder) and int8.name == "all-MiniLM-L6-v2+onnx-int8"
    assert path.name == FP32_FILE


@pytest.mark.integration
def test_int8_backend_vector_does_not_depend_on_its_call_companions(
    onnx_dir: Path, texts50: list[str]
) -> None:
    """Batched dynamic int8 gives a text another vector beside other texts; the backend must not."""
    from embedding.factory import make_fast_embedder
    from embedding.onnx_export import INT8_FILE
    from embedding.onnx_runtime import OnnxEmbedder

    batched = OnnxEmbedder(onnx_dir / INT8_FILE, batch_size=8, threads=2)
    alone = batched.embed_documents(texts50[:1])[0]
    assert not np.array_equal(batched.embed_documents(texts50[:8])[0], alone)  # the hazard is real

    backend = make_fast_embedder("onnx-int8", onnx_dir.parent, batch_size=8, threads=2)
    first = backend.embed_documents(texts50[:1])[0]
    in_company = backend.embed_documents(texts50)
    np.testing.assert_array_equal(in_company[0], first)
    np.testing.assert_array_equal(backend.embed_query(texts50[3]), in_company[3])


@pytest.mark.integration
def test_ingest_encoder_workers_give_bit_identical_int8_vectors(onnx_dir: Path, texts50: list[str]) -> None:
    """Encoder processes (one thread each) run the export as this process does: the worker count
    never changes an index (embedding.pool)."""
    import functools

    from embedding.factory import make_fast_embedder
    from embedding.pool import ParallelEmbedder

    here = make_fast_embedder("onnx-int8", onnx_dir.parent, batch_size=8, threads=2)
    factory = functools.partial(make_fast_embedder, "onnx-int8", onnx_dir.parent, batch_size=8, threads=1)
    with ParallelEmbedder(here, factory, workers=2) as pooled:
        np.testing.assert_array_equal(pooled.embed_documents(texts50), here.embed_documents(texts50))
