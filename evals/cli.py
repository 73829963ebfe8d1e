"""`medcite eval ...`: a typer sub-app. Wire it with `app.add_typer(eval_app, name="eval")`.

`medcite eval bioasq --limit 5` works because the group treats an unknown first word as a suite
name and routes it to `run` (the same trick as click-default-group).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup


class _SuiteFirstGroup(TyperGroup):
    """Routes `eval SUITE ...` to `eval run SUITE ...` unless SUITE names a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_SuiteFirstGroup,
    help="Evaluate MedCite on a suite (`medcite eval SUITE`) or compare two runs.",
    no_args_is_help=True,
    add_completion=False,
)


@eval_app.command("run")
def run_cmd(
    suite: Annotated[str, typer.Argument(help="Suite name (see `medcite eval list`) or a JSONL path.")],
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Only the first N questions.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Run folder (default under MEDCITE_HOME/evals).")
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="engine (default: score the answer engine's own passages) or a plain-retriever "
            "baseline: bm25, dense, hybrid.",
        ),
    ] = "engine",
    audience: Annotated[str, typer.Option("--audience", help="clinician or patient.")] = "clinician",
    no_answers: Annotated[
        bool, typer.Option("--retrieval-only", help="Score retrieval only; skip answering (faster).")
    ] = False,
) -> None:
    """Run a suite and write metrics.json, results.jsonl, report.md and report.html."""
    from evals.report import flat_metrics
    from evals.runner import run_suite
    from medcite.errors import MedCiteError
    from medcite.settings import load_settings

    if audience not in ("clinician", "patient"):
        raise MedCiteError(f"Unknown audience {audience!r}.", hint="Use --audience clinician or patient.")
    settings = load_settings()
    result = run_suite(
        suite,
        settings,
        mode=mode,
        audience="patient" if audience == "patient" else "clinician",
        limit=limit,
        out=out,
        answers=not no_answers,
    )
    _print_summary(flat_metrics(result.metrics))
    typer.echo(f"report: {result.out_dir / 'report.html'}")


def _print_summary(rows: list[tuple[str, Any]]) -> None:
    from evals.report import _fmt

    width = max((len(k) for k, _ in rows), default=10)
    for k, v in rows:
        typer.echo(f"{k:<{width}}  {_fmt(v)}")


@eval_app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="Run folder A (the baseline).")],
    run_b: Annotated[Path, typer.Argument(help="Run folder B.")],
) -> None:
    """Side-by-side metrics of two runs with paired-bootstrap 95% CIs for B - A."""
    from evals.report import compare

    compare(run_a, run_b)


@eval_app.command("list")
def list_cmd() -> None:
    """List the suites `medcite eval` knows."""
    from evals.suites import SUITES, suite_names

    for name in suite_names():
        typer.echo(f"{name:<14} {SUITES[name][0] if name in SUITES else '(built in)'}")
