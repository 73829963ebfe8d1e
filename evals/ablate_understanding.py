"""Retrieval with and without question understanding (issue 16): the engine's own per-tier retrieval
scored twice on the same index, once as shipped and once with the query as the engine built it before
issue 16 (follow-up rewrite + synonym expansion only: no filler removal, spelling correction or drug
names). The researcher suites must not lose more than 0.005 nDCG@10.

    python -m evals.ablate_understanding --suites bioasq pubmedqa [--limit N]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field

from medcite.types import QueryRewrite
from qa.conversation import Conversation, rewrite_follow_up
from qa.drug_names import DrugNames
from qa.expansion import Lexicon, expand_query


@dataclass(frozen=True)
class PlainQuery:
    """The pre-issue-16 query: the follow-up rewrite, then synonym expansion; nothing else (no drug
    names either, so no drug overview)."""

    lexicon: Lexicon
    names: DrugNames = field(default_factory=DrugNames)

    def rewrite(self, question: str, conversation: Conversation | None = None) -> QueryRewrite:
        text = rewrite_follow_up(question.strip(), conversation, self.lexicon)
        return QueryRewrite(
            original=question, cleaned=question, text=text, search_query=expand_query(text, self.lexicon)
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suites", nargs="+", default=["bioasq", "pubmedqa"])
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    from evals.runner import run_suite
    from index import open_index
    from medcite.settings import load_settings
    from qa.engine import AnswerEngine

    settings = load_settings()
    index = open_index(settings)
    shipped = AnswerEngine(index, settings)
    plain = AnswerEngine(index, settings, understanding=PlainQuery(shipped.lexicon))  # type: ignore[arg-type]
    out = {}
    for suite in args.suites:
        row = {}
        for name, engine in (("with_understanding", shipped), ("without", plain)):
            run = run_suite(suite, settings, engine=engine, index=index, limit=args.limit, answers=False)
            if run.metrics.get("errors"):
                errors = sorted({r.error for r in run.results if r.error})
                raise SystemExit(f"{suite} ({name}): {run.metrics['errors']} questions failed: {errors[:3]}")
            row[name] = run.metrics["retrieval"]["ndcg@10"]
        row["difference"] = round(row["with_understanding"] - row["without"], 4)
        out[suite] = row
        print(suite, json.dumps(row), flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
