"""Embedding throughput and fidelity benchmark (issue 8, item 2).

Variants, all the packaged all-MiniLM-L6-v2 on CPU with 2 threads:

- ``torch-b32`` / ``torch-b64``: sentence-transformers ``encode`` on consecutive batches in corpus
  order (the straightforward baseline: each call pads to the longest text of its batch);
- ``torch-sorted``: the same model, texts globally sorted by token length (`LengthSortedEmbedder`);
- ``onnx-fp32`` / ``onnx-int8``: the local ONNX export (`OnnxEmbedder`), length-sorted, 64 per call;
- ``onnx-fp32-b8`` / ``onnx-int8-b1``: the runtimes as `medcite ingest` uses them (8 texts per call
  for fp32, one text per call for int8, which makes int8 vectors independent of batching).

The machine is shared, so variants are interleaved round by round (A B C D E, A B C D E, ...) and
the median passages/s per variant is reported.  Fidelity: cosine between each variant's vectors and
the torch baseline's, mean and min.

    python -m evals.bench_embedding --n 2000 --rounds 3 --out bench-out/embedding
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from evals.bench_sample import sample_real_chunks
from medcite.settings import default_corpus

THREADS = 2
BATCH = 64


def _variants(onnx_dir: Path) -> dict[str, Callable[[Sequence[str]], np.ndarray]]:
    import torch

    from embedding.batching import LengthSortedEmbedder
    from embedding.onnx_export import FP32_FILE, INT8_FILE, build_onnx_model, onnx_export_is_current
    from embedding.onnx_runtime import OnnxEmbedder
    from embedding.torch_runtime import SentenceTransformerEmbedder

    torch.set_num_threads(THREADS)
    st = SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=BATCH)
    if not onnx_export_is_current(onnx_dir, int8=True):
        build_onnx_model(onnx_dir, quantize=True)
    fp32 = OnnxEmbedder(onnx_dir / FP32_FILE, batch_size=BATCH, threads=THREADS)
    int8 = OnnxEmbedder(onnx_dir / INT8_FILE, batch_size=BATCH, threads=THREADS)
    fp32_b8 = OnnxEmbedder(onnx_dir / FP32_FILE, batch_size=8, threads=THREADS)
    int8_b1 = OnnxEmbedder(onnx_dir / INT8_FILE, batch_size=1, threads=THREADS)
    sorted_torch = LengthSortedEmbedder(st, batch_size=BATCH)

    def consecutive(size: int) -> Callable[[Sequence[str]], np.ndarray]:
        def run(texts: Sequence[str]) -> np.ndarray:
            parts = [st.embed_documents(list(texts[i : i + size])) for i in range(0, len(texts), size)]
            return np.concatenate(parts)

        return run

    return {
        "torch-b32": consecutive(32),
        "torch-b64": consecutive(64),
        "torch-sorted": sorted_torch.embed_documents,
        "onnx-fp32": fp32.embed_documents,
        "onnx-int8": int8.embed_documents,
        "onnx-fp32-b8": fp32_b8.embed_documents,  # the fp32 default: 8 texts per call
        "onnx-int8-b1": int8_b1.embed_documents,  # the int8 backend: one text per call
    }


def cosine_stats(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mean and min row-wise cosine of two sets of (already L2-normalised) vectors."""
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"mean": float(cos.mean()), "min": float(cos.min())}


def run(n: int, rounds: int, out: Path, corpus: Path, only: Sequence[str] = ()) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    texts = [c.embed_text for c in sample_real_chunks(corpus, n)]
    variants = _variants(out / "onnx")
    if only:
        variants = {k: v for k, v in variants.items() if k in only}
    variants[next(iter(variants))](texts[:8])  # warm-up (first call allocates)
    rates: dict[str, list[float]] = {k: [] for k in variants}
    vectors: dict[str, np.ndarray] = {}
    for r in range(rounds):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            vecs = fn(texts)
            secs = time.perf_counter() - t0
            rates[name].append(len(texts) / secs)
            vectors.setdefault(name, vecs)
            print(f"round {r + 1} {name:13s} {len(texts) / secs:7.1f} passages/s", flush=True)
    base = vectors.get("torch-b32", next(iter(vectors.values())))
    tokens = _token_stats(texts)
    result = {
        "passages": len(texts),
        "rounds": rounds,
        "threads": THREADS,
        "tokens": tokens,
        "median_passages_per_s": {k: statistics.median(v) for k, v in rates.items()},
        "all_passages_per_s": rates,
        "cosine_vs_torch": {k: cosine_stats(base, v) for k, v in vectors.items()},
    }
    (out / "embedding.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    (out / "embedding.md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))
    return result


def _token_stats(texts: Sequence[str]) -> dict[str, float]:
    from embedding.packaged import token_lengths

    lens = token_lengths(texts)
    return {"mean": float(np.mean(lens)), "p50": float(np.median(lens)), "max": float(max(lens))}


def to_markdown(result: dict[str, object]) -> str:
    rates = result["median_passages_per_s"]
    cos = result["cosine_vs_torch"]
    assert isinstance(rates, dict) and isinstance(cos, dict)
    base = rates.get("torch-b32") or next(iter(rates.values()))
    lines = [
        f"{result['passages']} real chunks, median of {result['rounds']} interleaved rounds, "
        f"{result['threads']} threads",
        "",
        "| variant | passages/s | speed-up vs torch-b32 | cosine mean | cosine min |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rate in rates.items():
        c = cos.get(name, {})
        lines.append(
            f"| {name} | {rate:.1f} | {rate / base:.2f}x | {c.get('mean', float('nan')):.5f} "
            f"| {c.get('min', float('nan')):.5f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Embedding throughput and fidelity benchmark")
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path, default=Path("bench-out/embedding"))
    p.add_argument("--corpus", type=Path, default=None)
    p.add_argument("--only", default="", help="comma-separated variant names")
    a = p.parse_args(argv)
    only = [s for s in a.only.split(",") if s]
    run(a.n, a.rounds, a.out, a.corpus or default_corpus(), only)


if __name__ == "__main__":
    main()
