"""Scale benchmark (`make bench-scale`, issue 8): how query latency, build time, disk and memory grow
from 10k to 1M chunks, with Chroma embedded (`PersistentClient`) and Chroma's server (`chroma run` +
`HttpClient`) side by side.

Chunks: a few thousand real corpus chunks (made by the product's chunker) are embedded once with the
packaged MiniLM (vectors cached as .npy in the output folder); larger collections are filled with
synthetic chunks, each a copy of a real one with a perturbed vector (normalise(real + noise)) and a
text whose words are partly shuffled plus a unique reference token.  So the keyword index and the
HNSW graph see realistic term statistics and vector neighbourhoods without embedding a million texts.

The product's own index is measured: each size gets a real index home (SQLite catalog, bm25s
keyword index, the dense matrix for filtered search, Chroma vectors per backend) written through
`index/`, opened with `index.open_index` and queried through the `qa.retrievers` BM25 / dense /
hybrid (RRF) retrievers, chunks fetched from the catalog as in the product.  Two latencies per mode:
one unfiltered search (k=10), and the answer engine's per-tier retrieval (`retrieve_by_tier`: one
tier-filtered search per tier, with the engine's candidate and per-tier counts).  Dense and hybrid
latency include embedding the query: the index's query cache is cleared before each timed call, so
every query is new (inside one per-tier retrieval the later tiers reuse the vector, as the engine
does).  Each cell is built by one subprocess and queried by a fresh one, so the reported RSS is that
of a process that opened the index and answered queries (VmRSS after, VmHWM peak); for the server
backend the server's RSS is reported beside the client's.

    python -m evals.bench_scale --out bench-out/scale [--sizes 10000,100000] [--backends embedded,server]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.chroma_server import chroma_server
from medcite.settings import Settings, default_corpus, default_evals, load_settings
from medcite.stats import percentile as _percentile
from medcite.types import Chunk, Document, content_hash

DEFAULT_SIZES = (10_000, 100_000, 300_000, 1_000_000)
BACKENDS = ("embedded", "server")
MODES = ("bm25", "dense", "hybrid")
NOISE_SIGMA = 0.02  # per-dimension; |noise| ~ 0.02 * sqrt(384) = 0.39, i.e. cosine ~0.93 to its source
SHUFFLED_SWAPS = 3
DIM = 384
MODEL = "all-MiniLM-L6-v2"
BUILD_RECORD = "build.json"  # written when a cell's build finished; `--reuse` skips such builds


# --- synthetic chunks (pure) -------------------------------------------------------------------


def synthetic_id(i: int) -> str:
    """Id of the i-th chunk of a scaled collection (the first `real` ones are real chunks)."""
    return f"s{i:08d}"


def synthetic_index(chunk_id: str) -> int:
    return int(chunk_id[1:])


def perturbed_vectors(base: np.ndarray, start: int, count: int, sigma: float = NOISE_SIGMA) -> np.ndarray:
    """Vectors start..start+count-1: real vector i % len(base), plus seeded noise (none for i < len(base))."""
    idx = np.arange(start, start + count)
    vecs = base[idx % len(base)].astype(np.float32, copy=True)
    synthetic = idx >= len(base)
    if synthetic.any():
        # One generator per batch start: the same i always gets the same vector for a given batch size.
        rng = np.random.default_rng((0x5CA1E, start))
        vecs[synthetic] += rng.normal(0.0, sigma, size=(int(synthetic.sum()), base.shape[1])).astype(
            np.float32
        )
        vecs[synthetic] /= np.linalg.norm(vecs[synthetic], axis=1, keepdims=True)
    return vecs


def perturbed_text(text: str, i: int, swaps: int = SHUFFLED_SWAPS) -> str:
    """A real text with a few word pairs swapped and a unique reference token (deterministic in i)."""
    words = text.split()
    rng = random.Random(i)
    for _ in range(swaps if len(words) > 1 else 0):
        a, b = rng.randrange(len(words)), rng.randrange(len(words))
        words[a], words[b] = words[b], words[a]
    return " ".join(words) + f" ref{i:x}"


def synthetic_chunk(real: Sequence[Chunk], i: int) -> Chunk:
    """Chunk i of the scaled collection: a real chunk for i < len(real), else a perturbed copy."""
    src = real[i % len(real)]
    text = src.text if i < len(real) else perturbed_text(src.text, i)
    return Chunk(
        chunk_id=synthetic_id(i),
        doc_id=src.doc_id if i < len(real) else f"{src.doc_id}~{i}",
        tier=src.tier,
        collection=src.collection,
        title=src.title,
        section=src.section,
        text=text,
        ordinal=src.ordinal,
        publisher=src.publisher,
        year=src.year,
        date=src.date,
        url=src.url,
        section_code=src.section_code,
    )


def percentile(values: Sequence[float], p: float) -> float:
    """medcite.stats.percentile (linear interpolation) of a non-empty sample."""
    return _percentile(values, p) or 0.0


# --- process / disk measurements ---------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process in MiB, from /proc."""
    out = {"rss_mb": 0.0, "peak_rss_mb": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_mb"] = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                out["peak_rss_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def dir_size_mb(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):  # a file removed while walking
                total += os.stat(os.path.join(root, f)).st_blocks * 512  # allocated, not apparent, size
    return total / (1024 * 1024)


# --- the data every cell shares -----------------------------------------------------------------


class _VectorsOnly:
    """Embedder stand-in for building: vectors are always passed explicitly, so it is never called."""

    name = MODEL
    dim = DIM

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("the benchmark passes vectors explicitly")

    def embed_query(self, text: str) -> np.ndarray:
        raise AssertionError("the benchmark passes vectors explicitly")


@dataclass
class BaseData:
    chunks: list[Chunk]
    vectors: np.ndarray


def load_base(out: Path, corpus: Path, n_real: int, backend: str) -> BaseData:
    """Real chunks (re-chunked, deterministic) and their vectors (embedded once, cached as .npy)."""
    from evals.bench_sample import sample_real_chunks

    # Reading and chunking the whole corpus takes tens of seconds: do it once, children reuse it.
    cached = out / f"real_chunks_{n_real}_{content_hash(str(Path(corpus).resolve()))}.json"
    if cached.exists():
        chunks = [Chunk.from_dict(d) for d in json.loads(cached.read_text(encoding="utf-8"))]
    else:
        chunks = sample_real_chunks(corpus, n_real)
        cached.write_text(json.dumps([c.to_dict() for c in chunks]), encoding="utf-8")
    key = content_hash(*(c.chunk_id for c in chunks))
    npy = out / f"real_vectors_{len(chunks)}_{key}.npy"
    if npy.exists():
        vectors = np.load(npy)
    else:
        from embedding.factory import make_embedder

        t0 = time.perf_counter()
        embedder = make_embedder(MODEL, 64, backend=backend, cache_dir=out / "models")
        vectors = np.asarray(embedder.embed_documents([c.embed_text for c in chunks]), dtype=np.float32)
        print(
            f"embedded {len(chunks)} real chunks in {time.perf_counter() - t0:.0f} s ({backend})", flush=True
        )
        np.save(npy, vectors)
    return BaseData(chunks, vectors)


def load_queries(evals: Path, n: int, seed: int = 0) -> list[str]:
    """`n` distinct questions from the shared eval suites (BioASQ, PubMedQA, MedicationQA), seeded."""
    qs: list[str] = []
    for name in ("bioasq_dev.jsonl", "pubmedqa_dev.jsonl", "medicationqa.jsonl"):
        path = evals / name
        if path.exists():
            # split("\n"), not splitlines(): answers contain U+2028, which splitlines() breaks on.
            for line in path.read_text(encoding="utf-8").split("\n"):
                with_q = json.loads(line) if line.strip() else {}
                q = str(with_q.get("question") or "").strip()
                if q:
                    qs.append(q)
    qs = sorted(set(qs))
    random.Random(seed).shuffle(qs)
    if not qs:
        qs = ["treatment of dermatomyositis", "metformin dose in renal impairment", "statin side effects"]
    return qs[:n]


def cell_settings(home: Path, url: str | None) -> Settings:
    """Settings of one size's index home; `url` selects the Chroma server backend."""
    return load_settings(
        home=home, index={"embedding_model": MODEL, "chroma_url": url, "collection": "bench_scale"}
    )


# --- build ----------------------------------------------------------------------------------------


def _documents_of(chunks: Sequence[Chunk]) -> list[tuple[Document, str, list[Chunk]]]:
    """(document, fingerprint, chunks) rows for the catalog, one document per doc_id (all of its
    chunks in one row: the catalog replaces a document's chunks as a whole)."""
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    rows = []
    for doc_id, cs in by_doc.items():
        first = cs[0]
        doc = Document(
            doc_id=doc_id, tier=first.tier, collection=first.collection, title=first.title, sections=(),
            publisher=first.publisher, year=first.year, date=first.date, url=first.url,
        )  # fmt: skip
        rows.append((doc, f"bench-{doc_id}", cs))
    return rows


def build_keyword_index(base: BaseData, size: int, settings: Settings, batch: int = 5000) -> dict[str, float]:
    """The size's catalog (every chunk, through `index.catalog`) and BM25 index built from it, as
    ingest does; the manifest records the bench's model so `open_index` accepts the home."""
    from index.catalog import Catalog
    from index.writer import rebuild_keyword_index

    t0 = time.perf_counter()
    catalog = Catalog(settings.catalog_path)
    try:
        catalog.init_manifest(settings.index_params(), DIM)
        n_real = min(len(base.chunks), size)
        catalog.replace_documents(_documents_of([synthetic_chunk(base.chunks, i) for i in range(n_real)]))
        for start in range(n_real, size, batch):  # every synthetic chunk is its own document
            n = min(batch, size - start)
            catalog.replace_documents(
                _documents_of([synthetic_chunk(base.chunks, i) for i in range(start, start + n)])
            )
        catalog_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        generation = catalog.generation()
        rebuild_keyword_index(settings, catalog, generation)
        catalog.set_built(f"bench-scale-{size}", generation)
    finally:
        catalog.close()
    return {
        "catalog_build_s": catalog_s,
        "bm25_build_s": time.perf_counter() - t1,
        "bm25_disk_mb": dir_size_mb(settings.bm25_dir),
        "catalog_disk_mb": settings.catalog_path.stat().st_size / (1024 * 1024),
    }


def build_vectors(base: BaseData, size: int, settings: Settings, batch: int = 5000) -> dict[str, float]:
    from index.vector_store import VectorStore

    store = VectorStore(settings, _VectorsOnly())
    store.reset()
    t0 = time.perf_counter()
    for start in range(0, size, batch):
        n = min(batch, size - start)
        chunks = [synthetic_chunk(base.chunks, i) for i in range(start, start + n)]
        store.upsert(chunks, perturbed_vectors(base.vectors, start, n))
    secs = time.perf_counter() - t0
    count = store.count()
    if count != size:
        raise RuntimeError(f"Chroma holds {count} vectors, expected {size}")
    return {"vector_build_s": secs}


def build_dense(settings: Settings) -> dict[str, float]:
    """The dense matrix for filtered search, read back from the store as ingest does (once per size:
    both backends hold the same vectors)."""
    from index.dense_matrix import build_dense_matrix
    from index.keyword import read_sidecar
    from index.vector_store import VectorStore

    sidecar = read_sidecar(settings.bm25_dir)
    if sidecar is None:
        raise RuntimeError(f"no keyword index in {settings.bm25_dir}")
    t0 = time.perf_counter()
    store = VectorStore(settings, _VectorsOnly())
    build_dense_matrix(settings.dense_dir, store, sidecar.chunk_ids, sidecar.generation, DIM)
    return {"dense_build_s": time.perf_counter() - t0, "dense_disk_mb": dir_size_mb(settings.dense_dir)}


# --- query ---------------------------------------------------------------------------------------


def query_cell(settings: Settings, models: Path, queries: list[str], backend: str) -> dict[str, Any]:
    """Open the product's index, run every query in every mode (interleaved), unfiltered and per
    tier; return latencies + RSS."""
    from embedding.factory import make_embedder
    from index import open_index
    from qa.answer_retrieval import retrieve_by_tier
    from qa.retrievers import make_retriever

    t0 = time.perf_counter()
    embedder = make_embedder(MODEL, 64, backend=backend, cache_dir=models)
    index = open_index(settings, embedder)
    open_s = time.perf_counter() - t0
    retrievers = {m: make_retriever(index, m, settings) for m in MODES}

    def tiered(r: Any, q: str) -> int:
        by_tier = retrieve_by_tier(r, q, settings.retrieval)
        return sum(len(hs) for hs in by_tier.values())

    for q in queries[:5]:  # warm-up: first HNSW / mmap page touches, session start-up
        for r in retrievers.values():
            r.search(q + " warm-up", k=10)
            tiered(r, q + " warm-up")
    lat: dict[str, list[float]] = {m: [] for m in MODES}
    tier_lat: dict[str, list[float]] = {m: [] for m in MODES}
    for q in queries:
        for m, r in retrievers.items():  # interleaved, so load from other processes hits all modes alike
            index.clear_query_cache()
            t = time.perf_counter()
            hits = r.search(q, k=10)
            lat[m].append((time.perf_counter() - t) * 1000.0)
            if m != "bm25" and not hits:
                raise RuntimeError(f"{m} returned nothing for {q!r}")
            index.clear_query_cache()
            t = time.perf_counter()
            found = tiered(r, q)
            tier_lat[m].append((time.perf_counter() - t) * 1000.0)
            if m != "bm25" and not found:
                raise RuntimeError(f"{m} per-tier retrieval returned nothing for {q!r}")
    index.close()
    out: dict[str, Any] = {"open_s": open_s, "queries": len(queries)}
    for m in MODES:
        out[f"{m}_p50_ms"] = percentile(lat[m], 50)
        out[f"{m}_p95_ms"] = percentile(lat[m], 95)
        out[f"{m}_mean_ms"] = statistics.fmean(lat[m])
        out[f"{m}_tiers_p50_ms"] = percentile(tier_lat[m], 50)
        out[f"{m}_tiers_p95_ms"] = percentile(tier_lat[m], 95)
    out.update({f"client_{k}": v for k, v in rss_mb().items()})
    return out


# --- one cell in its own process -------------------------------------------------------------------


def run_cell(args: argparse.Namespace) -> None:
    """Subprocess entry: `--phase build|query` for one (size, backend) cell; prints one JSON line."""
    out: Path = args.out
    # One index home per size (catalog, BM25 and dense matrix shared by both backends; embedded
    # vectors under it, the server's in the cell); the cell folder holds the backend's own files.
    size_dir = out / f"n{args.size}"
    cell = size_dir / args.backend
    result: dict[str, Any] = {"size": args.size, "backend": args.backend, "phase": args.phase}
    if args.phase == "build":
        shutil.rmtree(cell, ignore_errors=True)
        cell.mkdir(parents=True)
    with _store_url(args.backend, cell) as (url, server_pid):
        settings = cell_settings(size_dir, url)
        if args.phase == "build":
            base = load_base(out, args.corpus, args.real, args.embed_backend)
            if not settings.bm25_dir.exists():
                result.update(build_keyword_index(base, args.size, settings))
            result.update(build_vectors(base, args.size, settings))
            if not settings.dense_dir.exists():
                result.update(build_dense(settings))
            result.update({f"build_{k}": v for k, v in rss_mb().items()})
            (cell / BUILD_RECORD).write_text(json.dumps(result), encoding="utf-8")
        else:
            queries = load_queries(args.evals, args.queries)
            result.update(query_cell(settings, out / "models", queries, args.embed_backend))
            if server_pid is not None:
                result.update({f"server_{k}": v for k, v in rss_mb(server_pid).items()})
    chroma = cell / "server-data" if args.backend == "server" else settings.chroma_dir
    result["chroma_disk_mb"] = dir_size_mb(chroma)
    print("RESULT " + json.dumps(result), flush=True)


@contextmanager
def _store_url(backend: str, cell: Path) -> Iterator[tuple[str | None, int | None]]:
    if backend == "embedded":
        yield None, None
        return
    data = cell / "server-data"
    with open(cell / "server.log", "ab") as log, chroma_server(data, log=log) as (url, proc):
        yield url, proc.pid


def _spawn(args: argparse.Namespace, size: int, backend: str, phase: str) -> dict[str, Any]:
    cmd = [
        sys.executable, "-m", "evals.bench_scale", "--cell", "--phase", phase, "--size", str(size),
        "--backend", backend, "--out", str(args.out), "--corpus", str(args.corpus),
        "--evals", str(args.evals),
        "--real", str(args.real), "--queries", str(args.queries), "--embed-backend", args.embed_backend,
    ]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{phase} {backend} n={size} failed:\n{proc.stderr[-3000:]}")
    line = next(ln for ln in proc.stdout.splitlines()[::-1] if ln.startswith("RESULT "))
    res: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    res[f"{phase}_wall_s"] = time.perf_counter() - t0
    return res


# --- report ----------------------------------------------------------------------------------------

COLUMNS = [
    ("size", "chunks", "{:,}"),
    ("backend", "backend", "{}"),
    ("bm25_p50_ms", "bm25 p50 ms", "{:.1f}"),
    ("bm25_p95_ms", "bm25 p95 ms", "{:.1f}"),
    ("dense_p50_ms", "dense p50 ms", "{:.1f}"),
    ("dense_p95_ms", "dense p95 ms", "{:.1f}"),
    ("hybrid_p50_ms", "hybrid p50 ms", "{:.1f}"),
    ("hybrid_p95_ms", "hybrid p95 ms", "{:.1f}"),
    ("vector_build_s", "Chroma build s", "{:.0f}"),
    ("bm25_build_s", "BM25 build s", "{:.0f}"),
    ("chroma_disk_mb", "Chroma disk MB", "{:,.0f}"),
    ("bm25_disk_mb", "BM25 disk MB", "{:,.0f}"),
    ("client_rss_mb", "RSS MB", "{:,.0f}"),
    ("server_rss_mb", "server RSS MB", "{:,.0f}"),
    ("hybrid_tiers_p50_ms", "hybrid per-tier p50 ms", "{:.1f}"),
    ("hybrid_tiers_p95_ms", "hybrid per-tier p95 ms", "{:.1f}"),
]


def to_markdown(rows: Sequence[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Scale benchmark on {meta['machine']}; {meta['real']} real chunks, rest synthetic; "
        f"{meta['queries']} queries per mode, k=10 (hybrid: {meta['candidates']} candidates per side, RRF "
        f"k={meta['rrf_k']}); query embedding ({meta['embed_backend']}) included in dense/hybrid.",
        "",
        "| " + " | ".join(c[1] for c in COLUMNS) + " |",
        "|" + "|".join("---" if c[0] == "backend" else "---:" for c in COLUMNS) + "|",
    ]
    for r in rows:
        cells = []
        for key, _title, fmt in COLUMNS:
            v = r.get(key)
            cells.append("" if v is None else fmt.format(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(rows: Sequence[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    styles = {"embedded": "-", "server": "--"}
    colors = {"bm25": "tab:blue", "dense": "tab:orange", "hybrid": "tab:green"}
    for ax, stat in zip(axes, ("p50", "p95"), strict=True):
        for backend in BACKENDS:
            sub = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["size"])
            if not sub:
                continue
            for mode in MODES:
                ax.plot(
                    [r["size"] for r in sub],
                    [r[f"{mode}_{stat}_ms"] for r in sub],
                    styles[backend],
                    marker="o",
                    color=colors[mode],
                    label=f"{mode} ({backend})",
                )
        ax.axhline(150, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("chunks")
        ax.set_ylabel(f"{stat} latency (ms)")
        ax.set_title(f"query latency {stat}")
        ax.grid(True, which="both", alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM"


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    load_base(out, args.corpus, args.real, args.embed_backend)  # embed the real chunks once, up front
    settings = load_settings()
    meta = {
        "machine": machine(),
        "real": args.real,
        "queries": args.queries,
        "embed_backend": args.embed_backend,
        "rrf_k": settings.retrieval.rrf_k,
        "candidates": settings.retrieval.candidates,
    }
    results_path = out / "results.json"
    rows: list[dict[str, Any]] = []
    if results_path.exists() and args.keep:
        rows = [r for r in json.loads(results_path.read_text())["rows"] if r["size"] not in args.sizes]
    for size in args.sizes:
        if not args.reuse:
            shutil.rmtree(out / f"n{size}", ignore_errors=True)  # the first build of a size makes its BM25
        for backend in args.backends:
            row: dict[str, Any] = {"size": size, "backend": backend}
            built = out / f"n{size}" / backend / BUILD_RECORD
            if args.reuse and built.exists():  # a finished build kept by --keep-data: query it again
                print(f"n={size:,} {backend}: reusing the build in {built.parent}", flush=True)
                row.update(json.loads(built.read_text(encoding="utf-8")))
            else:
                print(f"n={size:,} {backend}: build ...", flush=True)
                row.update(_spawn(args, size, backend, "build"))
            print(f"n={size:,} {backend}: query ...", flush=True)
            row.update(_spawn(args, size, backend, "query"))
            row.pop("phase", None)
            bm25_row = next((r for r in rows if r["size"] == size and "bm25_build_s" in r), None)
            if "bm25_build_s" not in row and bm25_row is not None:  # BM25 is built once per size
                for key in ("bm25_build_s", "bm25_disk_mb", "catalog_build_s", "catalog_disk_mb"):
                    if key in bm25_row:
                        row[key] = bm25_row[key]
            rows.append(row)
            print("  " + json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}))
            rows.sort(key=lambda r: (r["size"], r["backend"]))
            results_path.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2), encoding="utf-8")
            (out / "results.md").write_text(to_markdown(rows, meta), encoding="utf-8")
            plot(rows, out / "latency.png")
        if not args.keep_data:
            shutil.rmtree(out / f"n{size}", ignore_errors=True)
    print(to_markdown(rows, meta))
    return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="MedCite scale benchmark (issue 8)")
    p.add_argument("--out", type=Path, default=Path("bench-out/scale"))
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES), help="e.g. 10000,100000")
    p.add_argument("--backends", default=",".join(BACKENDS), help="embedded,server")
    p.add_argument("--real", type=int, default=5000, help="real chunks to embed (the rest are synthetic)")
    p.add_argument("--queries", type=int, default=100, help="distinct questions per mode")
    p.add_argument("--embed-backend", default="onnx", choices=["torch", "onnx", "onnx-int8"])
    p.add_argument("--corpus", type=Path, default=None)
    p.add_argument("--evals", type=Path, default=None)
    p.add_argument(
        "--keep", action="store_true", help="keep rows of other sizes from an earlier results.json"
    )
    p.add_argument("--keep-data", action="store_true", help="keep the built stores (disk heavy at 1M)")
    p.add_argument(
        "--reuse", action="store_true", help="query cells a --keep-data run built instead of rebuilding them"
    )
    # internal: one phase of one cell, run in a fresh process
    p.add_argument("--cell", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--backend", choices=BACKENDS, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.corpus = a.corpus or default_corpus()
    a.evals = a.evals or default_evals()
    a.sizes = [int(s.replace("_", "")) for s in str(a.sizes).split(",") if s]
    a.backends = [b for b in str(a.backends).split(",") if b]
    unknown = set(a.backends) - set(BACKENDS)
    if unknown:
        p.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return a


def main(argv: Sequence[str] | None = None) -> None:
    for k, v in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }.items():
        os.environ.setdefault(k, v)  # an entry point, not a library: make sure nothing downloads
    args = parse_args(argv)
    if args.cell:
        run_cell(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
