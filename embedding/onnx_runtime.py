"""The packaged all-MiniLM-L6-v2 run by onnxruntime on CPU, from the local export (`onnx_export`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embedding.batching import length_sorted_batches
from embedding.packaged import MODEL_NAME, load_tokenizer, pad_batch


class OnnxEmbedder:
    """all-MiniLM-L6-v2 run by onnxruntime on CPU; documents encoded in length-sorted batches.

    `threads` sets onnxruntime's intra-op threads (None: onnxruntime's default, all cores).
    """

    def __init__(
        self,
        model_path: Path,
        *,
        name: str = MODEL_NAME,
        batch_size: int,
        threads: int | None = None,
        model_dir: Path | None = None,
    ) -> None:
        import onnxruntime as ort

        self.name = name
        self.dim = 384
        self.batch_size = batch_size
        self._tok = load_tokenizer(model_dir)
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
        self.dim = int(self._session.get_outputs()[0].shape[1] or 384)

    def _run(self, token_ids: Sequence[Sequence[int]]) -> np.ndarray:
        ids, mask = pad_batch(token_ids)
        out = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Tokenise once, then run length-sorted batches (each padded only to its own longest text)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        token_ids = [e.ids for e in self._tok.encode_batch(list(texts))]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx in length_sorted_batches([len(t) for t in token_ids], self.batch_size):
            out[idx] = self._run([token_ids[i] for i in idx])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([self._tok.encode(text).ids])[0]
