"""`medcite model ...`: train the domain-tuned encoder and its fusion ranker (issue 18). Wired in
medcite.cli."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

model_app = typer.Typer(
    help="Train the retrieval encoder and fusion ranker MedCite ships "
    "(see embedding/models/*/MODEL_CARD.md).",
    no_args_is_help=True,
    add_completion=False,
)


@model_app.command("train")
def train_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for the trained model.")] = Path(
        "build/medcite-minilm-l6-bio"
    ),
    steps: Annotated[int | None, typer.Option("--steps", help="Training steps (batches).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    skip_before: Annotated[
        bool, typer.Option("--skip-before", help="Skip the base model's validation figure.")
    ] = False,
) -> None:
    """Fine-tune the packaged all-MiniLM-L6-v2 on the corpus and the BioASQ dev training half.

    Needs a built index (any embedding model: its catalog and BM25 mine the pairs). Prints the data
    counts, steps, time and the validation nDCG@10 before and after; writes the model to --out.
    """
    from dataclasses import replace

    from evals.train_encoder import TrainConfig, run
    from medcite.settings import load_settings

    config = TrainConfig()
    if steps is not None:
        config = replace(config, steps=steps)
    if seed is not None:
        config = replace(config, seed=seed)
    report = run(load_settings(), out, config, validate_before=not skip_before)
    v = report["validation"]
    before = "not measured" if v["before"] is None else f"{v['before']:.4f}"
    typer.echo(
        f"trained {report['steps']} steps ({report['examples_seen']} pairs) in "
        f"{report['train_seconds']:.0f} s; validation nDCG@10 {before} -> {v['after']:.4f}; "
        f"written to {out} (sha256 {report['sha256'][:12]}...)"
    )


@model_app.command("ranker")
def ranker_cmd(
    out: Annotated[Path | None, typer.Option("--out", help="Ranker file to write.")] = None,
) -> None:
    """Fit the fusion ranker (BM25 + dense) on the BioASQ dev training half of a built index.

    Needs an index built with the encoder the ranker is for (the default: the shipped one). Prints the
    training counts and nDCG@10 of reciprocal-rank fusion and the ranker on both BioASQ halves; ship
    the file as qa/rankers/<model>.json.
    """
    from embedding.models import canonical_name
    from evals.train_ranker import run, summary
    from medcite.settings import load_settings

    settings = load_settings()
    target = out or Path("build/rankers") / f"{canonical_name(settings.index.embedding_model)}.json"
    typer.echo(summary(run(settings, target)))
