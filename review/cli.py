"""`medcite review`, `medcite reviewer` and `medcite feedback` sub-commands (issue 7).

Wired into the root app by `medcite/cli.py` (`app.add_typer(review_app, name="review")` ...).
User-facing failures raise `MedCiteError`; the root `main()` prints them as one line.
Passwords come from `MEDCITE_REVIEW__REVIEWER_PASSWORD` (via settings) or a hidden prompt, never argv.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from medcite.errors import MedCiteError

review_app = typer.Typer(help="Medical review of stored answers.", no_args_is_help=True)
reviewer_app = typer.Typer(help="Reviewer accounts.", no_args_is_help=True)
feedback_app = typer.Typer(help="User feedback on answers.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")]


def _store():  # type: ignore[no-untyped-def]
    from medcite.settings import load_settings
    from review.store import open_store

    settings = load_settings()
    return settings, open_store(settings)


def _password(settings, *, confirm: bool) -> str:  # type: ignore[no-untyped-def]
    """The reviewer password from settings (MEDCITE_REVIEW__REVIEWER_PASSWORD) or a hidden prompt."""
    if settings.review.reviewer_password is not None:
        return str(settings.review.reviewer_password.get_secret_value())
    try:
        return str(typer.prompt("Reviewer password", hide_input=True, confirmation_prompt=confirm))
    except typer.Abort as exc:
        raise MedCiteError(
            "No reviewer password given.",
            hint="Type it when asked, or set MEDCITE_REVIEW__REVIEWER_PASSWORD.",
        ) from exc


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MedCiteError(f"Cannot write {output}: {exc.strerror}.") from exc
    typer.echo(f"wrote {output}", err=True)


def _fmt(fmt: str) -> str:
    if fmt not in ("jsonl", "csv"):
        raise MedCiteError(f"Unknown export format {fmt!r}.", hint="Use --format jsonl or --format csv.")
    return fmt


@review_app.command("list")
def review_list(
    status: Annotated[
        str | None, typer.Option("--status", "-s", help="Submitted, 'Under Review', ...")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most answers to list.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored answers, newest first."""
    from review.rules import parse_status
    from review.view import records_table

    _, store = _store()
    records = store.list_answers(parse_status(status) if status else None, limit=limit)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in records], indent=2, ensure_ascii=False))
    else:
        typer.echo(records_table(records))


@review_app.command("show")
def review_show(
    answer_id: Annotated[str, typer.Argument(help="Answer id (from `medcite review list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show an answer with its evidence passages and review history."""
    from review.codec import answer_to_dict
    from review.view import answer_markdown

    _, store = _store()
    record, answer, events = (
        store.get_record(answer_id),
        store.get_answer(answer_id),
        store.history(answer_id),
    )
    if as_json:
        doc = {
            "record": asdict(record),
            "answer": answer_to_dict(answer),
            "history": [asdict(e) for e in events],
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        typer.echo(answer_markdown(answer, record, events))


@review_app.command("set")
def review_set(
    answer_id: Annotated[str, typer.Argument(help="Answer id.")],
    status: Annotated[str, typer.Argument(help="Under Review, Approved, Rejected or Submitted (send back).")],
    reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="Your reviewer name.")],
    comment: Annotated[
        str, typer.Option("--comment", "-c", help="Why (required to reject or send back).")
    ] = "",
) -> None:
    """Change an answer's review status as a verified reviewer."""
    from review.rules import parse_status

    settings, store = _store()
    target = parse_status(status)
    store.get_record(answer_id)  # fail on a wrong id before asking for a password
    event = store.set_status(
        answer_id, target, comment=comment, reviewer=reviewer, password=_password(settings, confirm=False)
    )
    typer.echo(f"{answer_id}: {event.from_status} → {event.to_status} by {event.reviewer}")


@review_app.command("export")
def review_export(fmt: FormatOpt = "jsonl", output: OutputOpt = None) -> None:
    """Export the review audit trail (one row per status change)."""
    _, store = _store()
    _emit(store.export_reviews(_fmt(fmt)), output)  # type: ignore[arg-type]


@reviewer_app.command("add")
def reviewer_add(name: Annotated[str, typer.Argument(help="Reviewer name, e.g. 'Dr Jane Smith'.")]) -> None:
    """Create a reviewer (password hashed with argon2id)."""
    settings, store = _store()
    created = store.add_reviewer(name, _password(settings, confirm=True))
    typer.echo(f"reviewer {created!r} added")


@reviewer_app.command("list")
def reviewer_list() -> None:
    """List reviewer names."""
    _, store = _store()
    rows = store.list_reviewers()
    typer.echo("\n".join(f"{name}\t(added {created[:10]})" for name, created in rows) or "No reviewers.")


@feedback_app.command("export")
def feedback_export(fmt: FormatOpt = "jsonl", output: OutputOpt = None) -> None:
    """Export thumbs up/down and comments with their answers' questions."""
    _, store = _store()
    _emit(store.export_feedback(_fmt(fmt)), output)  # type: ignore[arg-type]
