"""Build the embedder the settings name: fake, torch (sentence-transformers), onnx or onnx-int8.

The one place that knows every runtime; callers ask `embedder_from_settings(settings)` (or
`make_embedder(...)` with explicit fields) and get an `Embedder` (medcite.embedding), built once
per process.  Heavy modules load only when a real model is asked for.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from embedding.packaged import INT8_SUFFIX, MODEL_NAME
from medcite.embedding import Embedder, HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import Settings, default_home

_PACKAGED_NAMES = frozenset({MODEL_NAME, f"sentence-transformers/{MODEL_NAME}"})

_CACHE: dict[tuple[str, int, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def make_fast_embedder(
    backend: str, cache_dir: Path, *, batch_size: int, threads: int | None = None
) -> Embedder:
    """The packaged MiniLM on the given backend: 'torch' (length-sorted), 'onnx' or 'onnx-int8'."""
    if backend == "torch":
        from embedding.batching import LengthSortedEmbedder
        from embedding.torch_runtime import SentenceTransformerEmbedder

        return LengthSortedEmbedder(SentenceTransformerEmbedder(MODEL_NAME, batch_size), batch_size)
    if backend in {"onnx", "onnx-int8"}:
        from embedding.onnx_export import ensure_onnx_model
        from embedding.onnx_runtime import OnnxEmbedder

        int8 = backend == "onnx-int8"
        path = ensure_onnx_model(cache_dir, int8=int8)
        name = MODEL_NAME + INT8_SUFFIX if int8 else MODEL_NAME
        # Dynamic quantisation scales each call's activations together, so a batched int8 vector
        # depends on its neighbours in the call; one text per call makes every vector a function of
        # its own text (a re-ingested chunk gets the vector a fresh build gives it, and a query the
        # same as a passage). On VNNI CPUs one text per call is also the fastest (no padding).
        return OnnxEmbedder(path, name=name, batch_size=1 if int8 else batch_size, threads=threads)
    raise MedCiteError(
        f"Unknown embedding backend {backend!r}.",
        hint="Set MEDCITE_INDEX__EMBEDDING_BACKEND to torch, onnx or onnx-int8.",
    )


def make_embedder(model_name: str, batch_size: int, *, backend: str, cache_dir: Path | None) -> Embedder:
    """Build (once per process) the embedder named in settings.

    `backend` ("torch", "onnx", "onnx-int8"; settings.index.embedding_backend) picks how the packaged
    MiniLM runs; the ONNX export is built under `cache_dir` (settings.model_cache_dir) on first use.
    """
    if model_name.endswith(INT8_SUFFIX):  # e.g. the name Chroma stored in a collection's config
        model_name, backend = model_name.removesuffix(INT8_SUFFIX), "onnx-int8"
    key = (model_name, batch_size, backend if model_name != "fake" else "")
    with _CACHE_LOCK:
        if key not in _CACHE:
            if model_name == "fake":
                _CACHE[key] = HashingEmbedder()
            elif backend != "torch" and model_name in _PACKAGED_NAMES:
                _CACHE[key] = make_fast_embedder(
                    backend, cache_dir or default_home() / "models", batch_size=batch_size
                )
            elif model_name in _PACKAGED_NAMES:
                from embedding.torch_runtime import SentenceTransformerEmbedder

                _CACHE[key] = SentenceTransformerEmbedder(MODEL_NAME, batch_size=batch_size)
            else:
                raise MedCiteError(
                    f"Unknown embedding model {model_name!r}.",
                    hint="Set MEDCITE_INDEX__EMBEDDING_MODEL to 'all-MiniLM-L6-v2' (packaged) or 'fake'.",
                )
        return _CACHE[key]


def embedder_from_settings(settings: Settings) -> Embedder:
    """The embedder the settings name (model, batch size, runtime backend, model cache)."""
    return make_embedder(
        settings.index.embedding_model,
        settings.index.embed_batch_size,
        backend=settings.index.embedding_backend,
        cache_dir=settings.model_cache_dir,
    )


@contextlib.contextmanager
def ingest_embedder(settings: Settings) -> Iterator[Embedder]:
    """The embedder an ingest encodes with: the settings' model, on every core when it can be.

    The packaged model on an ONNX backend (and the fake one, for tests) runs in
    `settings.index.encode_workers` single-threaded processes (0: one per core; embedding.pool), which
    give the same vectors as this process; torch encodes here.  The pool closes on exit.
    """
    from embedding.pool import parallel, resolve_workers

    local = embedder_from_settings(settings)
    index = settings.index
    factory: Callable[[], Embedder] | None = None
    if index.embedding_model == "fake":  # tests: the same worker path, with no model to load
        factory = HashingEmbedder
    elif index.embedding_backend != "torch" and index.embedding_model in _PACKAGED_NAMES:
        factory = functools.partial(
            make_fast_embedder,
            index.embedding_backend,
            settings.model_cache_dir,
            batch_size=index.embed_batch_size,
            threads=1,
        )
    with parallel(local, factory, resolve_workers(index.encode_workers)) as embedder:
        yield embedder
