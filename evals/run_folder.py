"""Reading and writing a run folder's data files (metrics.json, results.jsonl).

Its own module so both the runner (writes) and the report's comparison (reads) import it, and
neither imports the other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from medcite.errors import MedCiteError


def write_data(out_dir: Path, metrics: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> None:
    """Write metrics.json and results.jsonl (one JSON record per question) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read a run folder back (metrics, per-question records)."""
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
