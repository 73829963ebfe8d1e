"""Run a suite: retrieve and answer every question, score it, write the run folder.

A run folder holds `metrics.json` (aggregates + settings + corpus hash), `results.jsonl` (one record
per question, for error analysis), `report.md` and `report.html`.  Scoring is pure (`score_item`);
this module only wires retrievers/engine to it and does the file I/O.  One failing question is
recorded with its error and counted, never the whole run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from embedding.factory import embedder_from_settings
from evals import metrics as m
from evals.coverage import statement_coverage
from evals.grounding import check_answer
from evals.report import write_reports
from evals.results import QuestionResult
from evals.run_folder import load_run, write_data
from evals.suites import EvalItem, Suite, load_suite
from medcite.embedding import Embedder
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Answer, Audience, Hit, SearchFilters, Tier
from qa.answer_retrieval import flatten_by_tier

if TYPE_CHECKING:
    from qa.answer_retrieval import RetrievedEvidence

__all__ = ["QuestionResult", "load_run", "run_suite", "score_item", "aggregate", "write_run"]

RETRIEVAL_DEPTH = 20  # deepest cut-off we report (recall@20)
# Default mode: score the passages the answer engine itself retrieved (`AnswerEngine.retrieve`:
# per tier, with query expansion, de-duplication and quotas), i.e. what the answers are built from.
# The other modes score a plain retriever's unfiltered top RETRIEVAL_DEPTH, as comparison baselines.
ENGINE_MODE = "engine"
BASELINE_MODES = ("bm25", "dense", "hybrid")


class AnswersQuestions(Protocol):
    """The part of `qa.engine.AnswerEngine` an eval uses."""

    def retrieve(self, question: str, audience: Audience = "clinician") -> RetrievedEvidence: ...

    def ask(
        self, question: str, audience: Audience = "clinician", *, evidence: RetrievedEvidence | None = None
    ) -> Answer: ...


class SearchesQuestions(Protocol):
    """The part of `qa.base.Retriever` an eval uses."""

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]: ...


@dataclass
class RunOutput:
    out_dir: Path
    metrics: dict[str, Any]
    results: list[QuestionResult]


def retrieval_source(mode: str) -> str:
    """What a run's retrieval figures measure: "engine" or "<mode> baseline"."""
    return "engine" if mode == ENGINE_MODE else f"{mode} baseline"


# --- per question ------------------------------------------------------------------------------


def score_item(
    item: EvalItem,
    *,
    hits: Sequence[Hit] | None,
    retrieval_ms: float | None,
    answer: Answer | None,
    answer_ms: float | None,
    embedder: Embedder | None,
    query: str | None = None,
) -> QuestionResult:
    """The per-question result written to results.jsonl (pure apart from the embedder call)."""
    rec = QuestionResult(
        id=item.item_id,
        question=item.question,
        answerable=item.answerable,
        gold=sorted(item.gold_keys),
        retrieval_ms=retrieval_ms,
        answer_ms=answer_ms,
        query=query,
    )
    if hits is not None:
        ranking = m.rank_documents(hits, item)
        rec.retrieved = ranking[:RETRIEVAL_DEPTH]
        if item.gold_keys:
            rec.retrieval = m.retrieval_metrics(ranking, item.gold_keys)
    if answer is None:
        return rec
    text = m.answer_text(answer)
    grounding = check_answer(answer)
    rec.abstained = answer.abstained
    rec.emergency = answer.emergency
    rec.answer_text = text
    rec.n_citations = len(answer.citations)
    rec.citation_validity = grounding.citation_validity
    rec.sentence_support = grounding.sentence_support
    rec.unsupported_sentences = grounding.unsupported() if grounding.sentences else None
    rec.tiers = m.tiers_covered(answer)
    rec.readability_fk_grade = m.readability_grade(text)
    # Content quality is scored on the answers given; abstentions are counted by the abstention
    # rates instead, so one number never mixes "answered badly" with "declined".
    if answer.abstained:
        return rec
    rec.words = len(text.split())
    rec.n_references = len(answer.citations)
    rec.distinct_documents = len({h.chunk.doc_id for c in answer.citations for h in c.hits})
    if item.references:
        rec.rouge_l_f1 = m.rouge_l_f1(text, item.references)
        if embedder is not None:
            rec.embedding_cosine = m.embedding_cosine(embedder, text, item.references)
    if item.must_have:
        cov = statement_coverage(item.must_have, text)
        rec.must_have_coverage = cov.coverage
        rec.must_have_matched = list(cov.matched)
    if item.nice_to_have:
        rec.nice_to_have_coverage = statement_coverage(item.nice_to_have, text).coverage
    return rec


# --- aggregates --------------------------------------------------------------------------------

RETRIEVAL_KEYS = [*(f"recall@{k}" for k in m.RECALL_KS), "mrr", f"ndcg@{m.NDCG_K}"]
ANSWER_KEYS = [
    "rouge_l_f1",
    "embedding_cosine",
    "must_have_coverage",
    "nice_to_have_coverage",
    "citation_validity",
    "sentence_support",
    "readability_fk_grade",
    "words",
    "n_references",
    "distinct_documents",
]


def aggregate(results: Sequence[QuestionResult], *, source: str = "engine") -> dict[str, Any]:
    """Suite-level metrics from per-question results; each mean is over the questions it applies to.
    `source` labels what the retrieval figures measure (see `retrieval_source`)."""
    ok = [r for r in results if not r.error]
    out: dict[str, Any] = {"n": len(results), "errors": len(results) - len(ok)}
    retrieval = {k: m.mean(r.retrieval.get(k) for r in ok) for k in RETRIEVAL_KEYS}
    if any(v is not None for v in retrieval.values()):
        out["retrieval"] = {"source": source} | retrieval | {"n": sum(1 for r in ok if r.retrieval)}
    answered = [r for r in ok if r.answered]
    if answered:
        ans: dict[str, Any] = {k: m.mean(r.value(k) for r in answered) for k in ANSWER_KEYS}
        ans["n"] = len(answered)
        ans["abstention_rate"] = m.mean(float(bool(r.abstained)) for r in answered)
        unans = [r for r in answered if not r.answerable]
        answerable = [r for r in answered if r.answerable]
        # The two ways to be wrong about abstaining, reported separately.
        ans["abstention_on_unanswerable"] = m.mean(float(bool(r.abstained)) for r in unans)
        ans["abstention_on_answerable"] = m.mean(float(bool(r.abstained)) for r in answerable)
        ans["n_unanswerable"] = len(unans)
        ans["citation_valid_answers"] = m.mean(
            float(r.citation_validity == 1.0) for r in answered if r.citation_validity is not None
        )
        ans["fully_supported_answers"] = m.mean(
            float(r.sentence_support == 1.0) for r in answered if r.sentence_support is not None
        )
        non_abstained = [r for r in answered if not r.abstained]
        ans["tier_coverage"] = {
            t.value: m.mean(float(t.value in (r.tiers or ())) for r in non_abstained) for t in Tier
        }
        out["answer"] = ans
    lat: dict[str, float | None] = {}
    for key in ("answer_ms", "retrieval_ms"):
        vals = [float(v) for r in ok if (v := getattr(r, key)) is not None]
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
) -> tuple[Any, SearchesQuestions | None, AnswersQuestions | None]:
    """Open the index and build what a mode needs: in engine mode the answer engine (its own
    retrieval is scored), else the plain retriever of that mode (and, to answer, an engine on it)."""
    try:
        from index import open_index
        from qa.retrievers import make_retriever
    except ImportError as exc:
        raise MedCiteError(
            f"The retrieval modules are not available ({exc.name}).",
            hint="Reinstall MedCite: `make install`.",
        ) from exc
    from qa.engine import AnswerEngine

    index = open_index(settings)
    if mode == ENGINE_MODE:
        return index, None, AnswerEngine(index, settings)
    retriever = make_retriever(index, mode, settings)  # type: ignore[arg-type]
    # The engine gets the index (embedder, lexicon, corpus hash) and the same retrieval mode.
    engine = AnswerEngine(index, settings, mode=mode) if answers else None
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
    mode: str = ENGINE_MODE,
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
    """Evaluate one suite end to end and write the run folder; injected components win over settings.

    mode "engine" scores `engine.retrieve` (what the answers are built from); a baseline mode
    ("bm25", "dense", "hybrid") scores `retriever.search(question, k=20)`."""
    loaded = suite if isinstance(suite, Suite) else load_suite(suite, settings.evals, limit)
    if isinstance(suite, Suite) and limit is not None:
        loaded = Suite(loaded.name, loaded.path, loaded.items[:limit], loaded.skipped, loaded.skip_reasons)
    engine_mode = mode == ENGINE_MODE
    needs_build = engine is None if engine_mode else retriever is None
    if needs_build:
        index, built_retriever, built_engine = build_components(
            settings, mode, answers=answers and engine is None
        )
        retriever = retriever or built_retriever
        engine = engine or built_engine
    if embedder is None:
        embedder = index.embedder if index is not None else embedder_from_settings(settings)
    started = datetime.now(UTC)
    results: list[QuestionResult] = []
    advance, stop = _progress(len(loaded.items), progress, f"{loaded.name} [{mode}]")
    try:
        for item in loaded.items:
            if engine_mode:
                assert engine is not None
                results.append(_evaluate_engine(item, engine, embedder, audience, answers=answers))
            else:
                assert retriever is not None
                results.append(
                    _evaluate_baseline(item, retriever, engine if answers else None, embedder, audience)
                )
            advance()
    finally:
        stop()
    metrics = {
        "suite": loaded.name,
        "suite_path": str(loaded.path) if loaded.path else None,
        "skipped_records": loaded.skipped,
        "mode": mode,
        "retrieval_source": retrieval_source(mode),
        "audience": audience,
        "limit": limit,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
        "corpus_hash": _corpus_hash(settings, index),
        "settings_hash": settings.settings_hash(),
        "settings": settings.effective(),
        **aggregate(results, source=retrieval_source(mode)),
    }
    out_dir = out or default_out_dir(settings, loaded.name, mode, started)
    write_run(out_dir, metrics, results)
    return RunOutput(out_dir, metrics, results)


def engine_ranking(evidence: RetrievedEvidence, item: EvalItem) -> tuple[Hit, ...]:
    """The engine's passages as scored: where the gold lives in known tiers (BioASQ and PubMedQA in
    research, FDARxBench in labels), that tier's own ranking, the one its answer section is built
    from; else every passage in display order.  Flattening all tiers in display order would put up
    to 18 guideline, label and patient passages ahead of the research ones, scoring the layout."""
    if not item.gold_tiers:
        return evidence.hits
    return flatten_by_tier(evidence.by_tier, item.gold_tiers)


def _evaluate_engine(
    item: EvalItem, engine: AnswersQuestions, embedder: Embedder | None, audience: Audience, *, answers: bool
) -> QuestionResult:
    """Score the engine's own passages, then answer from those very passages (one retrieval)."""
    try:
        t0 = time.perf_counter()
        evidence = engine.retrieve(item.question, audience)
        retrieval_ms = (time.perf_counter() - t0) * 1000
        answer = answer_ms = None
        if answers:
            t0 = time.perf_counter()
            answer = engine.ask(item.question, audience=audience, evidence=evidence)
            # the full answer time, retrieval included, as when the engine retrieves by itself
            answer_ms = retrieval_ms + (time.perf_counter() - t0) * 1000
        return score_item(
            item,
            hits=engine_ranking(evidence, item),
            retrieval_ms=retrieval_ms,
            answer=answer,
            answer_ms=answer_ms,
            embedder=embedder,
            query=evidence.query,
        )
    except Exception as exc:  # noqa: BLE001 - one bad question is recorded, never the whole run
        return _failed(item, exc)


def _evaluate_baseline(
    item: EvalItem,
    retriever: SearchesQuestions,
    engine: AnswersQuestions | None,
    embedder: Embedder | None,
    audience: Audience,
) -> QuestionResult:
    """Score a plain retriever's top RETRIEVAL_DEPTH; answers (if any) come from the engine as usual."""
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
            query=item.question,
        )
    except Exception as exc:  # noqa: BLE001 - one bad question is recorded, never the whole run
        return _failed(item, exc)


def _failed(item: EvalItem, exc: Exception) -> QuestionResult:
    error = str(exc) if isinstance(exc, MedCiteError) else f"{type(exc).__name__}: {exc}"
    return QuestionResult(id=item.item_id, question=item.question, answerable=item.answerable, error=error)


def default_out_dir(settings: Settings, suite: str, mode: str, started: datetime) -> Path:
    return settings.home / "evals" / f"{started.strftime('%Y%m%d-%H%M%S')}-{suite}-{mode}"


def write_run(out_dir: Path, metrics: dict[str, Any], results: Sequence[QuestionResult]) -> None:
    """Write metrics.json, results.jsonl, report.md and report.html into `out_dir`."""
    records = [r.to_json() for r in results]
    write_data(out_dir, metrics, records)
    write_reports(out_dir, metrics, records)
