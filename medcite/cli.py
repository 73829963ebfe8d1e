"""The `medcite` command line. Heavy imports happen inside commands so `medcite --help` is instant."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

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
    width = max(len(k) for k in eff)
    for k, v in eff.items():
        print(f"{k:<{width}}  {v}")
    print(f"{'settings_hash':<{width}}  {s.settings_hash()}")


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
