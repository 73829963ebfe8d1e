"""Run a suite: retrieve and answer every question, score it, write the run folder.

A run folder holds `metrics.json` (aggregates + settings + corpus hash), `results.jsonl` (one record
per question, for error analysis), `report.md` and `report.html`.  Scoring is pure (`score_item`);
this module only wires retrievers/engine to it and does the file I/O.  One failing question is
recorded with its error and counted, never the whole run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from embedding.factory import embedder_from_settings
from evals import metrics as m
from evals.coverage import statement_coverage
from evals.suites import EvalItem, Suite, load_suite
from medcite.embedding import Embedder
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Answer, Audience, Hit, SearchFilters, Tier

RETRIEVAL_DEPTH = 20  # deepest cut-off we report (recall@20)


class AnswersQuestions(Protocol):
    """The part of `qa.engine.AnswerEngine` an eval uses."""

    def ask(self, question: str, audience: Audience = "clinician") -> Answer: ...


class SearchesQuestions(Protocol):
    """The part of `qa.base.Retriever` an eval uses."""

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]: ...


@dataclass
class RunOutput:
    out_dir: Path
    metrics: dict[str, Any]
    results: list[dict[str, Any]]


# --- per question ------------------------------------------------------------------------------


def score_item(
    item: EvalItem,
    *,
    hits: Sequence[Hit] | None,
    retrieval_ms: float | None,
    answer: Answer | None,
    answer_ms: float | None,
    embedder: Embedder | None,
    support_threshold: float,
) -> dict[str, Any]:
    """The per-question record written to results.jsonl (pure apart from the embedder call)."""
    rec: dict[str, Any] = {
        "id": item.item_id,
        "question": item.question,
        "answerable": item.answerable,
        "gold": sorted(item.gold_keys),
        "retrieval_ms": retrieval_ms,
        "answer_ms": answer_ms,
    }
    if hits is not None:
        ranking = m.rank_documents(hits, item)
        rec["retrieved"] = ranking[:RETRIEVAL_DEPTH]
        if item.gold_keys:
            rec.update(m.retrieval_metrics(ranking, item.gold_keys))
    if answer is None:
        return rec
    text = m.answer_text(answer)
    rec.update(
        abstained=answer.abstained,
        emergency=answer.emergency,
        answer_text=text,
        n_citations=len(answer.citations),
        citation_validity=m.citation_validity(answer),
        support_rate=m.support_rate(answer, support_threshold),
        tiers=m.tiers_covered(answer),
        readability_fk_grade=m.readability_grade(text),
    )
    # Content quality is scored on the answers given; abstentions are counted by the abstention
    # rates instead, so one number never mixes "answered badly" with "declined".
    if answer.abstained:
        return rec
    if item.references:
        rec["rouge_l_f1"] = m.rouge_l_f1(text, item.references)
        if embedder is not None:
            rec["embedding_cosine"] = m.embedding_cosine(embedder, text, item.references)
    if item.must_have:
        cov = statement_coverage(item.must_have, text)
        rec["must_have_coverage"] = cov.coverage
        rec["must_have_matched"] = list(cov.matched)
    if item.nice_to_have:
        rec["nice_to_have_coverage"] = statement_coverage(item.nice_to_have, text).coverage
    return rec


# --- aggregates --------------------------------------------------------------------------------

RETRIEVAL_KEYS = [*(f"recall@{k}" for k in m.RECALL_KS), "mrr", f"ndcg@{m.NDCG_K}"]
ANSWER_KEYS = [
    "rouge_l_f1",
    "embedding_cosine",
    "must_have_coverage",
    "nice_to_have_coverage",
    "citation_validity",
    "support_rate",
    "readability_fk_grade",
]


def aggregate(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Suite-level metrics from per-question records; each mean is over the questions it applies to."""
    ok = [r for r in results if not r.get("error")]
    out: dict[str, Any] = {"n": len(results), "errors": len(results) - len(ok)}
    retrieval = {k: m.mean(r.get(k) for r in ok) for k in RETRIEVAL_KEYS}
    if any(v is not None for v in retrieval.values()):
        out["retrieval"] = retrieval | {"n": sum(1 for r in ok if "mrr" in r)}
    answered = [r for r in ok if "abstained" in r]
    if answered:
        ans: dict[str, Any] = {k: m.mean(r.get(k) for r in answered) for k in ANSWER_KEYS}
        ans["n"] = len(answered)
        ans["abstention_rate"] = m.mean(float(r["abstained"]) for r in answered)
        unans = [r for r in answered if not r["answerable"]]
        answerable = [r for r in answered if r["answerable"]]
        # The two ways to be wrong about abstaining, reported separately.
        ans["abstention_on_unanswerable"] = m.mean(float(r["abstained"]) for r in unans)
        ans["abstention_on_answerable"] = m.mean(float(r["abstained"]) for r in answerable)
        ans["n_unanswerable"] = len(unans)
        ans["citation_valid_answers"] = m.mean(
            float(r["citation_validity"] == 1.0) for r in answered if r.get("citation_validity") is not None
        )
        non_abstained = [r for r in answered if not r["abstained"]]
        ans["tier_coverage"] = {
            t.value: m.mean(float(t.value in r["tiers"]) for r in non_abstained) for t in Tier
        }
        out["answer"] = ans
    lat: dict[str, float | None] = {}
    for key in ("answer_ms", "retrieval_ms"):
        vals = [float(r[key]) for r in ok if r.get(key) is not None]
        if vals:
            lat[f"{key[:-3]}_p50_ms"] = m.percentile(vals, 50)
            lat[f"{key[:-3]}_p95_ms"] = m.percentile(vals, 95)
    out["latency"] = lat
    return out


# --- wiring ------------------------------------------------------------------------------------


def _corpus_hash(settings: Settings, index: Any) -> str:
    h = getattr(index, "corpus_hash", None) if index is not None else None
    if h:
        return str(h)
    try:
        from corpus.manifest import corpus_hash

        return str(corpus_hash(settings.corpus))
    except Exception:  # noqa: BLE001 - the hash is informative; a run must not fail for it
        return ""


def build_components(
    settings: Settings, mode: str, *, answers: bool
) -> tuple[Any, SearchesQuestions, AnswersQuestions | None]:
    """Open the index and build the retriever (and the answer engine) for a mode."""
    try:
        from index import open_index
        from qa.retrievers import make_retriever
    except ImportError as exc:
        raise MedCiteError(
            f"The retrieval modules are not available ({exc.name}).",
            hint="Reinstall MedCite: `make install`.",
        ) from exc
    index = open_index(settings)
    retriever = make_retriever(index, mode, settings)  # type: ignore[arg-type]
    engine = None
    if answers:
        from qa.engine import AnswerEngine

        # The engine gets the index (embedder, lexicon, corpus hash) and the same retrieval mode.
        engine = AnswerEngine(index, settings, mode=mode)
    return index, retriever, engine


def _progress(total: int, enabled: bool, label: str) -> tuple[Callable[[], None], Callable[[], None]]:
    if not enabled:
        return (lambda: None), (lambda: None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=False
    )
    task = prog.add_task(label, total=total)
    prog.start()
    return (lambda: prog.advance(task)), prog.stop


def run_suite(
    suite: str | Path | Suite,
    settings: Settings,
    *,
    mode: str = "hybrid",
    audience: Audience = "clinician",
    limit: int | None = None,
    out: Path | None = None,
    answers: bool = True,
    retriever: SearchesQuestions | None = None,
    engine: AnswersQuestions | None = None,
    embedder: Embedder | None = None,
    index: Any = None,
    progress: bool = True,
) -> RunOutput:
    """Evaluate one suite end to end and write the run folder; injected components win over settings."""
    loaded = suite if isinstance(suite, Suite) else load_suite(suite, settings.evals, limit)
    if isinstance(suite, Suite) and limit is not None:
        loaded = Suite(loaded.name, loaded.path, loaded.items[:limit], loaded.skipped, loaded.skip_reasons)
    if retriever is None:
        index, retriever, built_engine = build_components(settings, mode, answers=answers and engine is None)
        engine = engine or built_engine
    if embedder is None:
        embedder = getattr(index, "embedder", None) or embedder_from_settings(settings)
    if not answers:
        engine = None
    started = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    advance, stop = _progress(len(loaded.items), progress, f"{loaded.name} [{mode}]")
    try:
        for item in loaded.items:
            results.append(_evaluate(item, retriever, engine, embedder, audience, settings))
            advance()
    finally:
        stop()
    metrics = {
        "suite": loaded.name,
        "suite_path": str(loaded.path) if loaded.path else None,
        "skipped_records": loaded.skipped,
        "mode": mode,
        "audience": audience,
        "limit": limit,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
        "corpus_hash": _corpus_hash(settings, index),
        "settings_hash": settings.settings_hash(),
        "settings": settings.effective(),
        **aggregate(results),
    }
    out_dir = out or default_out_dir(settings, loaded.name, mode, started)
    write_run(out_dir, metrics, results)
    return RunOutput(out_dir, metrics, results)


def _evaluate(
    item: EvalItem,
    retriever: SearchesQuestions,
    engine: AnswersQuestions | None,
    embedder: Embedder | None,
    audience: Audience,
    settings: Settings,
) -> dict[str, Any]:
    try:
        t0 = time.perf_counter()
        hits = retriever.search(item.question, k=RETRIEVAL_DEPTH)
        retrieval_ms = (time.perf_counter() - t0) * 1000
        answer = answer_ms = None
        if engine is not None:
            t0 = time.perf_counter()
            answer = engine.ask(item.question, audience=audience)
            answer_ms = (time.perf_counter() - t0) * 1000
        return score_item(
            item,
            hits=hits,
            retrieval_ms=retrieval_ms,
            answer=answer,
            answer_ms=answer_ms,
            embedder=embedder,
            support_threshold=settings.composer.support_threshold,
        )
    except MedCiteError as exc:
        return {
            "id": item.item_id,
            "question": item.question,
            "answerable": item.answerable,
            "error": str(exc),
        }
    except Exception as exc:  # noqa: BLE001 - one bad question is recorded, never the whole run
        return {
            "id": item.item_id,
            "question": item.question,
            "answerable": item.answerable,
            "error": f"{type(exc).__name__}: {exc}",
        }


def default_out_dir(settings: Settings, suite: str, mode: str, started: datetime) -> Path:
    return settings.home / "evals" / f"{started.strftime('%Y%m%d-%H%M%S')}-{suite}-{mode}"


def write_run(out_dir: Path, metrics: dict[str, Any], results: Sequence[dict[str, Any]]) -> None:
    """Write metrics.json, results.jsonl, report.md and report.html into `out_dir`."""
    from evals.report import write_reports

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    write_reports(out_dir, metrics, results)


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read a run folder back (metrics, per-question results)."""
    run_dir = Path(run_dir)
    mpath, rpath = run_dir / "metrics.json", run_dir / "results.jsonl"
    if not mpath.exists() or not rpath.exists():
        raise MedCiteError(
            f"{run_dir} is not an eval run folder (metrics.json / results.jsonl missing).",
            hint="Pass the --out folder of a `medcite eval SUITE` run.",
        )
    metrics = json.loads(mpath.read_text(encoding="utf-8"))
    with rpath.open(encoding="utf-8") as fh:
        results = [json.loads(line) for line in fh if line.strip()]
    return metrics, results
