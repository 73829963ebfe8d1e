"""Calibrate `abstain_threshold` on the dev suites (issue 4 item 5).

Confidence is `qa.safety.retrieval_confidence`: the best share of the question's content words
(synonyms counted) found in one top passage of the tier-aware retrieval. We compute it for
answerable dev questions (BioASQ and PubMedQA dev: their gold documents are in the corpus) and for
questions the corpus cannot answer (the hand-written out-of-scope set and FDARxBench's "refusal"
items), then pick the threshold that maximises Youden's J = TPR - FPR (Youden 1950) for "answer",
breaking ties towards the lower threshold (abstaining wrongly on a covered question is the cheaper
error only when the evidence is thin; the tie rule keeps answers on).

Run on the full index: `python -m evals.calibrate_abstention --limit 150`. Prints the distributions
and the chosen threshold; writes JSON with --out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evals.suites import load_suite
from index import open_index
from medcite.settings import load_settings
from qa.answer_retrieval import retrieve_by_tier
from qa.engine import AnswerEngine
from qa.expansion import expand_query
from qa.safety import retrieval_confidence


def confidences(engine: AnswerEngine, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        query = expand_query(q, engine.lexicon)
        tier_hits = retrieve_by_tier(engine.retriever, query, engine.settings.retrieval)
        hits = [h for hs in tier_hits.values() for h in hs]
        out.append(retrieval_confidence(q, hits, engine.lexicon, weight=engine.term_weight))
    return out


def youden_threshold(pos: list[float], neg: list[float]) -> tuple[float, float]:
    """Threshold t (answer when confidence >= t) maximising TPR - FPR; returns (t, J)."""
    candidates = sorted(set(pos) | set(neg) | {0.0})
    best_t, best_j = 0.0, -1.0
    for t in candidates:
        tpr = sum(c >= t for c in pos) / len(pos)
        fpr = sum(c >= t for c in neg) / len(neg)
        if tpr - fpr > best_j + 1e-12:
            best_t, best_j = t, tpr - fpr
    return best_t, best_j


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=150, help="Answerable questions per suite.")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    settings = load_settings()
    engine = AnswerEngine(open_index(settings), settings)
    answerable = [
        i.question
        for s in ("bioasq", "pubmedqa")
        for i in load_suite(s, settings.evals, limit=args.limit).items
    ]
    unanswerable = [i.question for i in load_suite("out_of_scope", settings.evals).items]
    unanswerable += [i.question for i in load_suite("fdarxbench", settings.evals).items if not i.answerable]
    pos = confidences(engine, answerable)
    neg = confidences(engine, unanswerable)
    t, j = youden_threshold(pos, neg)
    result = {
        "answerable": len(pos),
        "unanswerable": len(neg),
        "threshold": t,
        "youden_j": j,
        "answer_rate_answerable": sum(c >= t for c in pos) / len(pos),
        "abstain_rate_unanswerable": sum(c < t for c in neg) / len(neg),
        "current_setting": settings.composer.abstain_threshold,
        "abstain_rate_answerable_at_current": sum(c < settings.composer.abstain_threshold for c in pos)
        / len(pos),
        "abstain_rate_unanswerable_at_current": sum(c < settings.composer.abstain_threshold for c in neg)
        / len(neg),
        "neg_confidences": sorted(round(c, 3) for c in neg),
        "pos_deciles": [
            round(sorted(pos)[int(q * (len(pos) - 1))], 3) for q in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)
        ],
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
