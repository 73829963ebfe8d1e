"""The `medcite` command line. Heavy imports happen inside commands so `medcite --help` is instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from medcite.errors import MedCiteError

app = typer.Typer(
    name="medcite",
    help="MedCite: cited, evidence-graded answers to medical questions from a local corpus.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STATE: dict[str, bool] = {"debug": False}


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    _STATE["debug"] = debug


@app.command("settings")
def settings_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the effective settings and their hash."""
    from medcite.settings import load_settings

    s = load_settings()
    eff = s.effective()
    if as_json:
        print(json.dumps({"settings": eff, "settings_hash": s.settings_hash()}, indent=2))
        return
    top = {k: v for k, v in eff.items() if not isinstance(v, dict)}
    sections = {k: v for k, v in eff.items() if isinstance(v, dict)}
    for line in _settings_lines(top):
        print(line)
    for name, values in sections.items():
        print(f"\n[{name}]")
        for line in _settings_lines(values):
            print(line)
    print(f"\nsettings_hash  {s.settings_hash()}")


def _settings_lines(values: dict[str, object], prefix: str = "") -> list[str]:
    """`name  value` lines; a nested table (composer.patient) prints as dotted names."""
    flat: dict[str, object] = {}
    for k, v in values.items():
        if isinstance(v, dict):
            flat.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            flat[k] = v
    width = max((len(k) for k in flat), default=0)
    return [f"{k:<{width}}  {v}" for k, v in flat.items()]


def _settings(**overrides: object):  # noqa: ANN202 - Settings imported lazily
    from medcite.settings import load_settings

    return load_settings(**overrides)


@app.command("ingest")
def ingest_cmd(
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder with MANIFEST.json.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Wipe the index and build it again.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    publish_every: Annotated[
        float | None,
        typer.Option(
            "--publish-every",
            min=0.0,
            help="Make what is indexed so far searchable at most every S seconds while the run goes on.",
        ),
    ] = None,
) -> None:
    """Read the corpus and (incrementally) update the vector store, BM25 index and catalog."""
    from embedding.factory import ingest_embedder
    from ingest.background import follow_parent, stop_following_parent
    from ingest.pipeline import run_ingest

    follow_parent()  # a background ingest of the web chat ends with it (no-op otherwise)

    s = _settings(corpus=corpus)
    if not (s.corpus / "MANIFEST.json").exists():
        raise MedCiteError(
            f"No MANIFEST.json in corpus folder {s.corpus}.",
            hint="Point --corpus (or MEDCITE_CORPUS) at a folder with MANIFEST.json.",
        )
    from medcite.write_failures import index_write_errors

    with index_write_errors(), ingest_embedder(s) as embedder:  # disk full, read-only, locked: one message
        result = run_ingest(s, embedder, rebuild=rebuild, progress=not quiet, publish_every_s=publish_every)
    stop_following_parent()
    print(result.summary())


@app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Exit 0 if a usable index exists, 1 otherwise.")
    ] = False,
    summary: Annotated[bool, typer.Option("--summary", help="One line.")] = False,
) -> None:
    """Show what the index holds (documents, chunks, tiers, corpus hash, model) and, while an ingest
    runs or after one stopped early, how far it is."""
    from index import read_index_stats
    from index.progress import read_progress, status_line

    s = _settings()
    progress = read_progress(s.home)
    line = status_line(progress)
    try:
        # --quiet asks for a finished index; otherwise a first ingest's partial index is shown too
        stats = read_index_stats(s, partial=not quiet)
    except MedCiteError:
        if line and not quiet:
            print(line)  # nothing searchable yet, but an ingest is under way (or stopped early)
        raise
    if quiet:
        return
    if as_json:
        ingest = {**progress.to_dict(), "alive": progress.alive} if progress else None
        print(json.dumps({**stats, "ingest": ingest}, indent=2))
        return
    if line and not summary:
        print(line)
    if stats["vectors"] < 0:
        stats["vectors"] = "(not counted: the running ingest is writing them)"
    tiers = ", ".join(f"{k} {v}" for k, v in stats["by_tier"].items())
    line = f"{stats['documents']} documents, {stats['chunks']} chunks ({tiers})"
    if summary:
        print(line)
        return
    print(f"index       {s.index_dir}")
    print(f"contents    {line}")
    print(f"model       {stats['embedding_model']}")
    print(f"corpus hash {stats['corpus_hash']}")
    for k, v in stats.items():
        if k not in {"documents", "chunks", "by_tier", "embedding_model", "corpus_hash"}:
            print(f"{k:<11} {v}")


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="What to search for.")],
    k: Annotated[int, typer.Option("--k", min=1, max=200, help="Number of hits.")] = 10,
    mode: Annotated[str, typer.Option("--mode", help="hybrid | bm25 | dense")] = "hybrid",
    tier: Annotated[list[str] | None, typer.Option("--tier", help="Restrict to a tier (repeatable).")] = None,
    year_min: Annotated[int | None, typer.Option("--year-min")] = None,
    year_max: Annotated[int | None, typer.Option("--year-max")] = None,
    per_doc: Annotated[
        int, typer.Option("--per-doc", min=0, help="Passages per document (0: no limit).")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the index and print the best passages with their citation metadata."""
    from index import open_index
    from medcite.types import SearchFilters, Tier
    from qa.retrievers import make_retriever, per_document

    if mode not in {"hybrid", "bm25", "dense"}:
        raise MedCiteError(f"Unknown mode {mode!r}.", hint="Use --mode hybrid, bm25 or dense.")
    try:
        tiers = tuple(Tier(t) for t in (tier or []))
    except ValueError as exc:
        raise MedCiteError(str(exc), hint="Tiers: guideline, drug_label, research, patient_info.") from exc
    s = _settings()
    index = open_index(s)
    retriever = make_retriever(index, mode, s)
    filters = SearchFilters(tiers=tiers, year_min=year_min, year_max=year_max)
    if per_doc:  # over-fetch, then keep the best passages of each document
        hits = per_document(retriever.search(query, k=k * 5, filters=filters), k, per_doc)
    else:
        hits = retriever.search(query, k=k, filters=filters)
    rows = [
        {
            "chunk_id": h.chunk.chunk_id,
            "doc_id": h.chunk.doc_id,
            "tier": h.chunk.tier.value,
            "title": h.chunk.title,
            "source": h.chunk.publisher or h.chunk.collection,
            "year": h.chunk.year,
            "section": h.chunk.section,
            "url": h.chunk.url,
            "score": round(h.score, 6),
            "text": h.chunk.text,
        }
        for h in hits
    ]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        print("No matching passages.")
        return
    for i, r in enumerate(rows, 1):
        year = r["year"] or "n.d."
        where = f"{r['title']} ({r['source']}, {year}) · {r['tier']} · {r['section']}"
        print(f"[{i}] {where}  score {r['score']:.4f}")
        snippet = str(r["text"]).replace("\n", " ")
        print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
        if r["url"]:
            print(f"    {r['url']}")


_AUDIENCES = ("clinician", "patient")


def _audience(value: str) -> str:
    if value not in _AUDIENCES:
        raise MedCiteError(
            f"Unknown audience {value!r}.", hint="Use --audience clinician or --audience patient."
        )
    return value


def _engine(settings: object):  # noqa: ANN202 - heavy types imported lazily
    """The answer engine over the index (the seam tests replace with a fake engine)."""
    from index import open_index
    from qa.engine import AnswerEngine

    return AnswerEngine(open_index(settings), settings)  # type: ignore[arg-type]


def _answer_service(settings: object):  # noqa: ANN202 - heavy types imported lazily
    """`review.service.AnswerService` over the engine and the review store: approved answers are
    served from the store, fresh ones saved to it (the same path as the web chat and `/ask`)."""
    from review.service import AnswerService
    from review.store import open_store

    engine = _engine(settings)  # the index first: a missing index is reported before the store opens
    return AnswerService(engine, open_store(settings))  # type: ignore[arg-type]


@app.command("ask")
def ask_cmd(
    question: Annotated[str, typer.Argument(help="The medical question.")],
    audience: Annotated[str, typer.Option("--audience", help="clinician | patient")] = "clinician",
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer one question with tiered, cited, evidence-graded sections."""
    from medcite.input_guard import check_question
    from qa.render import answer_to_json, render_terminal

    aud = _audience(audience)
    s = _settings()
    question = check_question(question, s.limits.max_question_chars)  # before the index is opened: fail fast
    answer = _answer_service(s).ask(question, aud)
    if as_json:
        print(json.dumps(answer_to_json(answer), indent=2, ensure_ascii=False))
    else:
        print(render_terminal(answer))


@app.command("chat")
def chat_cmd(
    audience: Annotated[str, typer.Option("--audience", help="clinician | patient")] = "clinician",
) -> None:
    """A terminal conversation: ask, then follow up ("what about in children?"). Empty line quits."""
    from qa.render import render_terminal

    aud = _audience(audience)
    s = _settings()
    service = _answer_service(s)
    earlier: list = []  # this conversation's answers, oldest first: follow-ups are rewritten from them
    print("MedCite chat — ask a medical question; an empty line or Ctrl-D ends the conversation.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            from medcite.input_guard import check_question

            question = check_question(question, s.limits.max_question_chars)
        except MedCiteError as err:  # a bad line is refused; the conversation goes on
            print(f"error: {err}")
            continue
        answer = service.ask(question, aud, earlier)
        if answer.rewritten_query and answer.rewritten_query != question:
            print(f"Searching for: {answer.rewritten_query}")
        print(render_terminal(answer))
        earlier.append(answer)


@app.command("serve")
def serve_cmd(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 7860).")] = None,
    ingest: Annotated[
        bool,
        typer.Option(
            "--ingest",
            help="Also bring the index up to date in the background, answering from what is indexed "
            "so far (what `make run` does).",
        ),
    ] = False,
) -> None:
    """Serve the web chat (Gradio) on 127.0.0.1:7860 by default."""
    from ui.app import serve

    serve(_settings(), host=host, port=port, ingest=ingest)


def main() -> None:
    """Entry point: user-facing errors become one line and exit code 1 (tracebacks with --debug)."""
    try:
        app()
    except MedCiteError as err:
        if _STATE["debug"]:
            raise
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


# --- review workflow, reviewers and feedback (issue 7) ---------------------------------------
from review.cli import feedback_app, review_app, reviewer_app  # noqa: E402

app.add_typer(review_app, name="review")
app.add_typer(reviewer_app, name="reviewer")
app.add_typer(feedback_app, name="feedback")

# --- Chroma server and moving the index between backends (issue 8) ---------------------------
from medcite.cli_store import store_app  # noqa: E402

app.add_typer(store_app, name="store")

# --- evaluation (issue 6) --------------------------------------------------------------------
from evals.cli import eval_app  # noqa: E402

app.add_typer(eval_app, name="eval")

# --- the retrieval encoder MedCite ships (issue 18) ------------------------------------------
from evals.model_cli import model_app  # noqa: E402

app.add_typer(model_app, name="model")
