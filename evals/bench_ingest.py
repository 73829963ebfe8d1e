"""`make bench`: full-corpus ingest and query-latency benchmark (issue 3).

Measures, on the configured corpus and the real packaged model:
- first ingest: wall time, documents/s, chunks/s, peak RSS;
- bare model-encode rate on a fixed random sample of the same chunks (same batch size and
  length-sorted batching as ingest), extrapolated to all chunks, and the ratio ingest / encode;
- re-ingest of the unchanged corpus (time and chunks embedded);
- query latency p50/p95 for bm25, dense and hybrid over 200 dev questions (100 BioASQ + 100
  PubMedQA, file order), query embedding included (the query cache is cleared per mode).

Writes `results.json` and `results.md` under --out. `--skip-ingest` reuses an existing index.

`--subset N` adds a controlled comparison on N documents sampled from the corpus (issue 8, fast
ingest): each embedding backend ingests the same documents into a fresh home, and the same chunks are
bare-encoded (a) in corpus order, batch 32, no sorting: the straightforward baseline, and (b)
length-sorted as ingest does. Baseline ingest time = the torch ingest minus its sorted encode plus
the unsorted encode (the pipeline overhead is the same; only the batching differs).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import time
from pathlib import Path
from typing import Any

from embedding.factory import embedder_from_settings
from evals.suites import load_suite
from index import open_index
from ingest.pipeline import embed_chunks, run_ingest
from medcite.settings import load_settings
from medcite.stats import percentile as _percentile
from medcite.types import SearchFilters
from qa.retrievers import make_retriever


def percentile(values: list[float], q: float) -> float:
    """medcite.stats.percentile (linear interpolation); NaN for no values."""
    p = _percentile(values, q)
    return float("nan") if p is None else p


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine() -> str:
    import os

    return f"{platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"


def dev_questions(settings: Any, n_each: int = 100) -> list[str]:
    qs: list[str] = []
    for suite in ("bioasq", "pubmedqa"):
        loaded = load_suite(suite, settings.evals, limit=n_each)
        qs.extend(item.question for item in loaded.items)
    return qs


def query_latency(settings: Any, questions: list[str], k: int = 10) -> dict[str, dict[str, float]]:
    index = open_index(settings)
    out: dict[str, dict[str, float]] = {}
    filters = SearchFilters()
    for mode in ("bm25", "dense", "hybrid"):
        retriever = make_retriever(index, mode, settings)
        index.clear_query_cache()  # measure query embedding too
        for q in questions[:5]:  # warm-up: model, mmap pages, Chroma segments
            retriever.search(q + " warmup", k=k, filters=filters)
        times = []
        for q in questions:
            t = time.perf_counter()
            retriever.search(q, k=k, filters=filters)
            times.append((time.perf_counter() - t) * 1000)
        out[mode] = {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "n": len(times)}
    index.close()
    return out


def encode_rate(settings: Any, sample_size: int, seed: int = 13) -> dict[str, float]:
    index = open_index(settings)
    ids = sorted(index.catalog.all_chunk_ids())
    random.Random(seed).shuffle(ids)
    chunks = list(index.get_chunks(ids[:sample_size]).values())
    t = time.perf_counter()
    embed_chunks(index.embedder, chunks, settings.index.embed_batch_size)
    secs = time.perf_counter() - t
    index.close()
    return {"sample": len(chunks), "seconds": secs, "chunks_per_s": len(chunks) / secs}


def sample_documents(corpus: Path, n: int, seed: int = 13) -> list[Any]:
    """n documents drawn without replacement from the whole corpus, the same ones every run."""
    from corpus.manifest import read_corpus

    docs = list(read_corpus(corpus).documents)
    return random.Random(seed).sample(docs, min(n, len(docs)))


def _bare_encode(embedder: Any, texts: list[str], batch: int, *, sort: bool) -> float:
    order = sorted(range(len(texts)), key=lambda i: len(texts[i])) if sort else list(range(len(texts)))
    t = time.perf_counter()
    for start in range(0, len(order), batch):
        embedder.embed_documents([texts[i] for i in order[start : start + batch]])
    return time.perf_counter() - t


def subset_comparison(settings: Any, n_docs: int, backends: list[str], workdir: Path) -> dict[str, Any]:
    """Ingest the same sampled documents with each backend; bare-encode them sorted and unsorted."""
    import shutil

    from ingest.chunker import ChunkParams, chunk_document

    docs = sample_documents(settings.corpus, n_docs)
    params = ChunkParams(settings.index.chunk_size, settings.index.chunk_overlap)
    texts = [c.embed_text for d in docs for c in chunk_document(d, params)]
    out: dict[str, Any] = {"documents": len(docs), "chunks": len(texts), "backends": {}}
    for backend in backends:
        home = workdir / f"subset-{backend}"
        shutil.rmtree(home, ignore_errors=True)
        sub = settings.replace(home=home, index={"embedding_backend": backend, "chroma_url": None})
        embedder = embedder_from_settings(sub)
        embedder.embed_documents(["warm-up"])  # model load is not ingest work
        res = run_ingest(sub, embedder, corpus=docs, rebuild=True, progress=False)
        row = {
            "ingest_s": res.seconds,
            "encode_sorted_s": _bare_encode(embedder, texts, settings.index.embed_batch_size, sort=True),
        }
        if backend == "torch":
            row["encode_unsorted_b32_s"] = _bare_encode(embedder, texts, 32, sort=False)
            row["baseline_ingest_s"] = res.seconds - row["encode_sorted_s"] + row["encode_unsorted_b32_s"]
        row["ingest_over_encode"] = row["ingest_s"] / row["encode_sorted_s"]
        row["chunks_per_s"] = len(texts) / res.seconds
        out["backends"][backend] = row
        print(backend, json.dumps(row), flush=True)
        shutil.rmtree(home, ignore_errors=True)
    base = out["backends"].get("torch", {}).get("baseline_ingest_s")
    if base:
        for row in out["backends"].values():
            row["speedup_vs_baseline"] = base / row["ingest_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("bench-out/ingest"))
    ap.add_argument("--skip-ingest", action="store_true", help="Reuse the existing index.")
    ap.add_argument("--sample", type=int, default=3000, help="Chunks in the bare-encode sample.")
    ap.add_argument("--subset", type=int, default=0, help="Documents for the backend comparison (0: skip).")
    ap.add_argument("--backends", default="torch,onnx,onnx-int8", help="Backends for --subset.")
    ap.add_argument("--no-latency", action="store_true", help="Skip the query-latency part.")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    embedder = embedder_from_settings(settings)
    results: dict[str, Any] = {"machine": machine(), "corpus": str(settings.corpus), "model": embedder.name}

    if not args.skip_ingest:
        first = run_ingest(settings, embedder, rebuild=True, progress=True)
        results["first_ingest"] = {
            "seconds": first.seconds,
            "documents": first.documents_total,
            "chunks": first.chunks_total,
            "documents_per_s": first.documents_total / first.seconds,
            "chunks_per_s": first.chunks_total / first.seconds,
            "skipped_records": len(first.issues),
            "peak_rss_mb": peak_rss_mb(),
        }
        print(json.dumps(results["first_ingest"], indent=2), flush=True)
    again = run_ingest(settings, embedder, progress=False)
    results["re_ingest"] = {"seconds": again.seconds, "chunks_embedded": again.chunks_embedded}
    enc = encode_rate(settings, args.sample)
    results["bare_encode"] = enc
    if "first_ingest" in results:
        fi = results["first_ingest"]
        encode_all = fi["chunks"] / enc["chunks_per_s"]
        results["ingest_over_encode"] = fi["seconds"] / encode_all
        results["re_ingest_fraction"] = again.seconds / fi["seconds"]
    if args.subset:
        results["subset"] = subset_comparison(
            settings, args.subset, args.backends.split(","), args.out / "work"
        )
    if not args.no_latency:
        results["query_latency"] = query_latency(settings, dev_questions(settings))
    results["peak_rss_mb"] = peak_rss_mb()
    (args.out / "results.json").write_text(json.dumps(results, indent=2))
    (args.out / "results.md").write_text(to_markdown(results))
    print(to_markdown(results))


def to_markdown(r: dict[str, Any]) -> str:
    lines = [f"Machine: {r['machine']}; model {r['model']}; corpus {r['corpus']}", ""]
    if "first_ingest" in r:
        fi = r["first_ingest"]
        lines += [
            "| first ingest | documents | chunks | docs/s | chunks/s | peak RSS | ingest ÷ bare encode |",
            "|---|---|---|---|---|---|---|",
            f"| {fi['seconds'] / 60:.1f} min | {fi['documents']} | {fi['chunks']} "
            f"| {fi['documents_per_s']:.1f} | {fi['chunks_per_s']:.1f} | {fi['peak_rss_mb']:.0f} MB "
            f"| {r['ingest_over_encode']:.2f} |",
            "",
        ]
    ri = r["re_ingest"]
    frac = f" ({100 * r['re_ingest_fraction']:.1f}% of first ingest)" if "re_ingest_fraction" in r else ""
    lines.append(f"Re-ingest of the unchanged corpus: {ri['seconds']:.1f} s, ")
    lines[-1] += f"{ri['chunks_embedded']} chunks embedded{frac}."
    enc = r["bare_encode"]
    lines.append(f"Bare encode: {enc['chunks_per_s']:.1f} chunks/s on a {enc['sample']}-chunk sample.")
    if "query_latency" in r:
        lines += ["", "| mode | p50 | p95 |", "|---|---|---|"]
        for mode, v in r["query_latency"].items():
            lines.append(f"| {mode} | {v['p50_ms']:.1f} ms | {v['p95_ms']:.1f} ms |")
    if "subset" in r:
        sub = r["subset"]
        lines += [
            "",
            f"Backend comparison on {sub['documents']} sampled documents ({sub['chunks']} chunks):",
            "",
            "| backend | ingest | chunks/s | ingest ÷ bare encode | speed-up vs baseline |",
            "|---|---|---|---|---|",
        ]
        torch_row = sub["backends"].get("torch")
        if torch_row:
            base_s = torch_row["baseline_ingest_s"]
            lines.append(
                f"| baseline: torch, corpus order, batch 32 (derived) | {base_s:.1f} s "
                f"| {sub['chunks'] / base_s:.1f} | — | 1.00x |"
            )
        for name, row in sub["backends"].items():
            lines.append(
                f"| {name} (length-sorted) | {row['ingest_s']:.1f} s | {row['chunks_per_s']:.1f} "
                f"| {row['ingest_over_encode']:.2f} | {row.get('speedup_vs_baseline', float('nan')):.2f}x |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
