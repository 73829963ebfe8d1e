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

from embedding.models import canonical_name, is_known, model_dir
from embedding.packaged import INT8_SUFFIX, MODEL_NAME
from medcite.embedding import Embedder, HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import Settings, default_home

_CACHE: dict[tuple[str, int, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def make_fast_embedder(
    backend: str,
    cache_dir: Path,
    *,
    batch_size: int,
    threads: int | None = None,
    model: str = MODEL_NAME,
) -> Embedder:
    """A known model (embedding.models) on the given backend: 'torch' (length-sorted), 'onnx' or
    'onnx-int8'."""
    model = canonical_name(model)
    folder = model_dir(model)
    if backend == "torch":
        from embedding.batching import LengthSortedEmbedder
        from embedding.torch_runtime import SentenceTransformerEmbedder

        return LengthSortedEmbedder(SentenceTransformerEmbedder(model, batch_size, folder), batch_size)
    if backend in {"onnx", "onnx-int8"}:
        from embedding.onnx_export import ensure_onnx_model
        from embedding.onnx_runtime import OnnxEmbedder

        int8 = backend == "onnx-int8"
        path = ensure_onnx_model(cache_dir, int8=int8, model_name=model, model_dir=folder)
        name = model + INT8_SUFFIX if int8 else model
        # Dynamic quantisation scales each call's activations together, so a batched int8 vector
        # depends on its neighbours in the call; one text per call makes every vector a function of
        # its own text (a re-ingested chunk gets the vector a fresh build gives it, and a query the
        # same as a passage). On VNNI CPUs one text per call is also the fastest (no padding).
        return OnnxEmbedder(
            path, name=name, batch_size=1 if int8 else batch_size, threads=threads, model_dir=folder
        )
    raise MedCiteError(
        f"Unknown embedding backend {backend!r}.",
        hint="Set MEDCITE_INDEX__EMBEDDING_BACKEND to torch, onnx or onnx-int8.",
    )


def make_embedder(model_name: str, batch_size: int, *, backend: str, cache_dir: Path | None) -> Embedder:
    """Build (once per process) the embedder named in settings.

    `backend` ("torch", "onnx", "onnx-int8"; settings.index.embedding_backend) picks how the model
    runs; the ONNX export is built under `cache_dir` (settings.model_cache_dir) on first use.
    """
    if model_name.endswith(INT8_SUFFIX):  # e.g. the name Chroma stored in a collection's config
        model_name, backend = model_name.removesuffix(INT8_SUFFIX), "onnx-int8"
    model_name = canonical_name(model_name)
    key = (model_name, batch_size, backend if model_name != "fake" else "")
    with _CACHE_LOCK:
        if key not in _CACHE:
            if model_name == "fake":
                _CACHE[key] = HashingEmbedder()
            elif backend != "torch" and is_known(model_name):
                _CACHE[key] = make_fast_embedder(
                    backend, cache_dir or default_home() / "models", batch_size=batch_size, model=model_name
                )
            elif is_known(model_name):
                from embedding.torch_runtime import SentenceTransformerEmbedder

                _CACHE[key] = SentenceTransformerEmbedder(
                    model_name, batch_size=batch_size, model_dir=model_dir(model_name)
                )
            else:
                model_dir(model_name)  # raises the "unknown model" error with the names to use
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

    A known model on an ONNX backend (and the fake one, for tests) runs in
    `settings.index.encode_workers` single-threaded processes (0: one per core; embedding.pool), which
    give the same vectors as this process; torch encodes here.  The pool closes on exit.
    """
    from embedding.pool import parallel, resolve_workers

    local = embedder_from_settings(settings)
    index = settings.index
    factory: Callable[[], Embedder] | None = None
    if index.embedding_model == "fake":  # tests: the same worker path, with no model to load
        factory = HashingEmbedder
    elif index.embedding_backend != "torch" and is_known(index.embedding_model):
        factory = functools.partial(
            make_fast_embedder,
            index.embedding_backend,
            settings.model_cache_dir,
            batch_size=index.embed_batch_size,
            threads=1,
            model=index.embedding_model,
        )
    with parallel(local, factory, resolve_workers(index.encode_workers)) as embedder:
        yield embedder
