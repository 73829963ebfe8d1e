"""How much must-have coverage the retrieved evidence allows (issue 17's MedLFQA goal).

An extractive composer can only show sentences its passages hold, so the coverage an answer could
reach is bounded by the coverage of *all* the passages it is built from.  This scores, per question
with must-have statements, the same matcher (`evals.coverage.statement_coverage`) against:

- `engine`: every passage the answer engine retrieves (all tiers, as `AnswerEngine.retrieve`), with
  no length bound at all (an answer of thousands of words);
- `hybrid@K`: the top K passages of plain hybrid retrieval of the understood question.

    MEDCITE_HOME=... python -m evals.coverage_ceiling [--suite medlfqa] [--k 50] [--limit N] [--out F]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from statistics import mean
from typing import Any

from evals.suites import EvalItem


def coverage_ceiling(engine: Any, items: Sequence[EvalItem], k: int = 50) -> dict[str, Any]:
    """Mean must-have coverage of every passage `engine.retrieve` gives, and of the top `k` of
    `engine.retriever.search` for the understood question, over `items` with must-have statements."""
    from evals.coverage import statement_coverage

    items = [it for it in items if it.must_have]
    engine_cov: list[float] = []
    search_cov: list[float] = []
    words: list[int] = []
    for it in items:
        evidence = engine.retrieve(it.question)
        text = "\n".join(h.chunk.text for hits in evidence.by_tier.values() for h in hits)
        words.append(len(text.split()))
        engine_cov.append(statement_coverage(it.must_have, text).coverage or 0.0)
        top = engine.retriever.search(engine.understand(it.question).search_query, k=k)
        top_text = "\n".join(h.chunk.text for h in top)
        search_cov.append(statement_coverage(it.must_have, top_text).coverage or 0.0)
    return {
        "questions": len(items),
        "engine_passages_coverage": round(mean(engine_cov), 4) if items else None,
        "engine_passages_words_mean": round(mean(words), 1) if items else None,
        f"hybrid_top{k}_coverage": round(mean(search_cov), 4) if items else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="medlfqa")
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from evals.suites import load_suite
    from index import open_index
    from medcite.settings import load_settings
    from qa.engine import AnswerEngine

    settings = load_settings()
    engine = AnswerEngine(open_index(settings), settings)
    items = [it for it in load_suite(args.suite, settings.evals).items if it.must_have][: args.limit]
    result = {"suite": args.suite, **coverage_ceiling(engine, items, args.k)}
    print(json.dumps(result, indent=2))
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
