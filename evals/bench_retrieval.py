"""Retrieval benchmark (`make bench-retrieval`): MedCite's retrievers against the baseline a user
would build instead, on the same index and the same embedding model.

Retrievers: BM25, dense, hybrid (the default fusion: the learned ranker where one ships for the
encoder, qa.fusion_ranker), hybrid by reciprocal rank when that is not the default ("hybrid-rrf"),
hybrid + query expansion (MedlinePlus synonyms / MeSH, when
`qa.expansion` is available), the answer engine's own retrieval, and a plain LangChain
`Chroma.similarity_search` top-k over our own Chroma collection with a LangChain `Embeddings`
wrapping our Embedder.  Chunk hits are collapsed to
documents (a document counts at its best chunk) before recall@10 / nDCG@10 / MRR; latency is
wall-clock per query after one warm-up query per retriever.

    python -m evals.bench_retrieval [--suite bioasq:validation --suite pubmedqa] [--limit N]
                                    [--out DIR] [--no-langchain] [--no-engine]
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals import metrics as m
from evals.encoder_pairs import split_bioasq
from evals.suites import EvalItem, Suite, load_suite
from medcite.embedding import Embedder
from medcite.settings import Settings
from medcite.types import Hit, SearchFilters, Tier

DEPTH = 20
# BioASQ's validation half (odd positions): never trained on by the shipped encoder (issue 18).
DEFAULT_SUITES = ("bioasq:validation", "pubmedqa")
HALVES = ("train", "validation")


def load_bench_suite(name: str | Path, evals_dir: Path | None, limit: int | None = None) -> Suite:
    """A suite by name or path; `bioasq:validation` / `bioasq:train` is one half of the BioASQ dev
    questions with gold documents (evals.encoder_pairs.split_bioasq), `limit` applied to the half."""
    base, _, half = str(name).partition(":")
    if not half or Path(str(name)).exists():
        return load_suite(name, evals_dir, limit)
    if half not in HALVES:
        raise ValueError(f"unknown half {half!r} in {name!r}: use one of {', '.join(HALVES)}")
    suite = load_suite(base, evals_dir)
    items = split_bioasq(suite.items)[HALVES.index(half)]
    return Suite(f"{suite.name}:{half}", suite.path, items[:limit] if limit else items)


class EngineRetriever:
    """The passages the answer engine retrieves (`AnswerEngine.retrieve`: understanding, expansion,
    per-tier retrieval and quotas), scored on the tiers the suite's gold lives in (`tiers`), as
    `medcite eval` scores them (evals.runner.engine_ranking)."""

    name = "engine"

    def __init__(self, engine: Any, tiers: Sequence[Tier]) -> None:
        self._engine = engine
        self._tiers = tuple(tiers)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        from qa.answer_retrieval import flatten_by_tier

        evidence = self._engine.retrieve(query, "clinician")
        return list(flatten_by_tier(evidence.by_tier, self._tiers))[:k]


class ExpandedRetriever:
    """Hybrid retrieval of the query with its concepts' other names appended (qa.expansion)."""

    def __init__(self, base: Any, lexicon: Any) -> None:
        from qa.expansion import expand_query

        self.name = "hybrid+expansion"
        self._base = base
        self._lexicon = lexicon
        self._expand = expand_query

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        return self._base.search(self._expand(query, self._lexicon), k, filters)


def langchain_embeddings(embedder: Embedder) -> Any:
    """A LangChain `Embeddings` over our Embedder, so the baseline uses the very same model."""
    from langchain_core.embeddings import Embeddings

    class _Wrapped(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, v)) for v in embedder.embed_documents(texts)]

        def embed_query(self, text: str) -> list[float]:
            return list(map(float, embedder.embed_query(text)))

    return _Wrapped()


class LangChainBaseline:
    """`langchain_chroma.Chroma(...).similarity_search(q, k)`: what a user would build by hand.

    MedCite's collection stores vectors and metadata but not the passage text, and LangChain drops
    results without text, so the baseline gets its own collection in the *same* Chroma client,
    filled with the same chunk ids, the very same vectors (copied, not re-embedded) and the chunk
    text — as `Chroma.add_texts` would have stored them.  Call `close()` to drop it again.
    """

    name = "langchain-chroma"

    def __init__(self, index: Any, settings: Settings, *, page: int = 2000) -> None:
        from langchain_chroma import Chroma

        from index.vector_store import embedding_function

        self._index = index
        self._client = index.vectors.client
        self.collection_name = f"{index.vectors.name}_langchain_baseline"
        ef = embedding_function(index.embedder)
        with contextlib.suppress(Exception):  # left over from an interrupted run
            self._client.delete_collection(self.collection_name)
        target = self._client.create_collection(
            self.collection_name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=ef
        )
        # MedCite's own vectors are read through the index's store (index.vector_store).
        for ids, vectors, metas in index.vectors.pages(page):
            if ids:
                chunks = index.get_chunks(ids)
                keep = [i for i, cid in enumerate(ids) if cid in chunks]
                target.add(
                    ids=[ids[i] for i in keep],
                    embeddings=[vectors[i] for i in keep],
                    metadatas=[metas[i] for i in keep],
                    documents=[chunks[ids[i]].text for i in keep],
                )
        self._store = Chroma(
            collection_name=self.collection_name,
            client=self._client,
            embedding_function=langchain_embeddings(index.embedder),
        )

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        docs = self._store.similarity_search(query, k=k)
        ids = [str(d.id) for d in docs if d.id]
        chunks = self._index.get_chunks(ids)
        found = [chunks[i] for i in ids if i in chunks]
        return [Hit(chunk=c, score=0.0, retriever=self.name, rank=r) for r, c in enumerate(found, 1)]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.delete_collection(self.collection_name)


def build_retrievers(
    index: Any, settings: Settings, *, langchain: bool = True, engine: bool = True
) -> dict[str, Any]:
    """Every retriever the benchmark compares, by display name.  The engine is scored on the research
    tier, where the gold of the default suites (BioASQ, PubMedQA) lives."""
    from qa.retrievers import make_retriever

    out: dict[str, Any] = {
        mode: make_retriever(index, mode, settings) for mode in ("bm25", "dense", "hybrid")
    }
    if settings.retrieval.fusion != "rrf":  # the default hybrid is learned: show RRF beside it
        rrf = make_retriever(index, "hybrid", settings.replace(retrieval={"fusion": "rrf"}))
        if type(rrf) is not type(out["hybrid"]):
            out["hybrid-rrf"] = rrf
    try:
        from qa.expansion import lexicon_from_stats

        lexicon = lexicon_from_stats(index.corpus_stats)
        if len(lexicon):
            out["hybrid+expansion"] = ExpandedRetriever(out["hybrid"], lexicon)
    except ImportError:
        pass  # expansion not available in this build: benchmark the rest
    if engine:
        from qa.engine import AnswerEngine

        out["engine"] = EngineRetriever(AnswerEngine(index, settings), (Tier.RESEARCH,))
    if langchain:
        out["langchain-chroma"] = LangChainBaseline(index, settings)
    return out


@dataclass
class RetrieverScore:
    retriever: str
    suite: str
    n: int
    metrics: dict[str, float | None]
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    def row(self) -> dict[str, Any]:
        return {
            "retriever": self.retriever,
            "suite": self.suite,
            "n": self.n,
            **self.metrics,
            "p50_ms": m.percentile(self.latencies_ms, 50),
            "p95_ms": m.percentile(self.latencies_ms, 95),
        }


def score_retriever(name: str, retriever: Any, items: Sequence[EvalItem], suite: str) -> RetrieverScore:
    """Run every question with gold documents through one retriever; doc-level metrics + latencies."""
    items = [i for i in items if i.gold_keys]
    if items:
        retriever.search(items[0].question, k=DEPTH)  # warm-up: model load and caches are not latency
    rankings: dict[str, list[str]] = {}
    latencies: list[float] = []
    for item in items:
        t0 = time.perf_counter()
        hits = retriever.search(item.question, k=DEPTH)
        latencies.append((time.perf_counter() - t0) * 1000)
        rankings[item.item_id] = m.rank_documents(hits, item)
    per_q = m.retrieval_metrics_batch(rankings, {i.item_id: i.gold_keys for i in items})
    keys = ["recall@10", "ndcg@10", "mrr", "recall@1", "recall@5", "recall@20"]
    agg = {k: m.mean(q.get(k) for q in per_q.values()) for k in keys}
    return RetrieverScore(name, suite, len(items), agg, latencies)


def markdown_table(rows: Sequence[dict[str, Any]], machine: str = "") -> str:
    """The README table: one row per (suite, retriever)."""

    def f(v: Any, nd: int = 3) -> str:
        return "–" if v is None else f"{v:.{nd}f}"

    lines = [
        "| suite | retriever | n | recall@10 | nDCG@10 | MRR | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['suite']} | {r['retriever']} | {r['n']} | {f(r['recall@10'])} | {f(r['ndcg@10'])} "
            f"| {f(r['mrr'])} | {f(r['p50_ms'], 1)} | {f(r['p95_ms'], 1)} |"
        )
    if machine:
        lines.append(f"\nMeasured on {machine}.")
    return "\n".join(lines) + "\n"


def machine_description() -> str:
    import os
    import platform

    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"


def run_bench(
    settings: Settings,
    suites: Sequence[str | Path] = DEFAULT_SUITES,
    *,
    limit: int | None = None,
    out: Path | None = None,
    index: Any = None,
    retrievers: dict[str, Any] | None = None,
    langchain: bool = True,
    engine: bool = True,
) -> list[dict[str, Any]]:
    """Benchmark every retriever on every suite; writes bench_retrieval.{md,json} (+ recall plot) to `out`."""
    if index is None and retrievers is None:
        from index import open_index

        index = open_index(settings)
    if retrievers is None:
        retrievers = build_retrievers(index, settings, langchain=langchain, engine=engine)
    rows: list[dict[str, Any]] = []
    curves: dict[str, dict[int, float]] = {}
    try:
        for suite_name in suites:
            suite = load_bench_suite(suite_name, settings.evals, limit)
            for name, retriever in retrievers.items():
                score = score_retriever(name, retriever, suite.items, suite.name)
                rows.append(score.row())
                curves[f"{suite.name}/{name}"] = {
                    k: float(v) for k in m.RECALL_KS if (v := score.metrics.get(f"recall@{k}")) is not None
                }
    finally:
        for retriever in retrievers.values():
            if hasattr(retriever, "close"):
                retriever.close()  # the LangChain baseline's temporary collection
    if out is not None:
        from evals.report import recall_curve_png

        out.mkdir(parents=True, exist_ok=True)
        machine = machine_description()
        meta = {
            "machine": machine,
            "corpus_hash": getattr(index, "corpus_hash", ""),
            "settings_hash": settings.settings_hash(),
            "settings": settings.effective(),
            "limit": limit,
        }
        (out / "bench_retrieval.json").write_text(json.dumps({**meta, "rows": rows}, indent=2, default=str))
        (out / "bench_retrieval.md").write_text(markdown_table(rows, machine))
        png = recall_curve_png(curves)
        if png:
            import base64

            (out / "recall_at_k.png").write_bytes(base64.b64decode(png))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    from medcite.settings import load_settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--suite", action="append", help="suite name or JSONL path (repeatable)")
    ap.add_argument("--limit", type=int, default=None, help="first N questions per suite")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default MEDCITE_HOME/bench)")
    ap.add_argument("--no-langchain", action="store_true", help="skip the LangChain baseline")
    ap.add_argument("--no-engine", action="store_true", help="skip the answer engine's retrieval")
    args = ap.parse_args(argv)
    settings = load_settings()
    out = args.out or settings.home / "bench"
    rows = run_bench(
        settings,
        args.suite or DEFAULT_SUITES,
        limit=args.limit,
        out=out,
        langchain=not args.no_langchain,
        engine=not args.no_engine,
    )
    print(markdown_table(rows, machine_description()))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
