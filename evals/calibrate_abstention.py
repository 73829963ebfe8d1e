"""Calibrate `composer.abstain_threshold` on the dev suites (issue 4 item 5, issue 16 item 2).

The confidence and the decision are the engine's own: every question goes through
`AnswerEngine.retrieve` (validation, follow-up rewrite, filler removal, spelling correction, drug
names, per-tier retrieval) and `AnswerEngine.judge`, exactly as `ask` does, so what is calibrated is
what ships.

Answerable questions come from researcher suites (BioASQ, PubMedQA dev: their gold documents are in
the corpus) and from consumer suites (MedicationQA, MedLFQA, MEDIQA 2019: each has a reference
answer), `--limit` per suite. Unanswerable ones are the calibration half of the `unanswerable` suite
(evals/unanswerable.py) plus FDARxBench's "refusal" items. The threshold maximises Youden's
J = TPR - FPR (Youden 1950) for "answer" where each answerable suite weighs the same (the mean of
the per-suite answer rates), ties broken towards the lower threshold. The report half of the
unanswerable set never informs the threshold: its abstain rate is reported beside the per-suite
answer rates, at the chosen threshold and at the current setting.

Run on the full index: `python -m evals.calibrate_abstention --limit 150 --out runs/calibration.json`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.suites import load_suite
from medcite.errors import MedCiteError
from qa.engine import AnswerEngine

ANSWERABLE_SUITES = ("bioasq", "pubmedqa", "medicationqa", "medlfqa", "mediqa2019")


@dataclass(frozen=True)
class Judged:
    """One question's confidence and whether the engine would abstain whatever the threshold."""

    confidence: float
    always_abstains: bool  # keyboard noise, non-medical or about own records: no threshold answers it
    focus_found: bool = False  # answered about its focus below the threshold (issue 16 item 3)


def judge_all(engine: AnswerEngine, questions: Sequence[str]) -> list[Judged]:
    out = []
    for q in questions:
        try:
            judgement = engine.judge(engine.retrieve(q))
        except MedCiteError:  # refused at the door (empty, too long): never answered
            out.append(Judged(0.0, True))
            continue
        out.append(
            Judged(
                judgement.confidence,
                judgement.abstain in ("non_medical", "own_records"),
                judgement.focus_found,
            )
        )
    return out


def answers(j: Judged, threshold: float) -> bool:
    return not j.always_abstains and (j.confidence >= threshold or j.focus_found)


def answer_rate(judged: Sequence[Judged], threshold: float) -> float:
    return sum(answers(j, threshold) for j in judged) / len(judged) if judged else 0.0


def youden_threshold(pos: Mapping[str, Sequence[Judged]], neg: Sequence[Judged]) -> tuple[float, float]:
    """Threshold t (answer when confidence >= t) maximising mean per-suite TPR - FPR; returns (t, J)."""
    candidates = sorted(
        {j.confidence for js in pos.values() for j in js} | {j.confidence for j in neg} | {0.0}
    )
    best_t, best_j = 0.0, -1.0
    for t in candidates:
        tpr = sum(answer_rate(js, t) for js in pos.values()) / len(pos)
        j = tpr - answer_rate(neg, t)
        if j > best_j + 1e-12:
            best_t, best_j = t, j
    return best_t, best_j


def calibration_report(
    pos: Mapping[str, Sequence[Judged]],
    neg_calibration: Sequence[Judged],
    neg_report: Sequence[Judged],
    current: float,
) -> dict[str, Any]:
    """The chosen threshold and the rates that matter, at it and at the current setting."""
    t, j = youden_threshold(pos, neg_calibration)

    def rates(threshold: float) -> dict[str, Any]:
        return {
            "abstain_rate_answerable": {s: round(1 - answer_rate(js, threshold), 4) for s, js in pos.items()},
            "abstain_rate_unanswerable_calibration": round(1 - answer_rate(neg_calibration, threshold), 4),
            "abstain_rate_unanswerable_report": round(1 - answer_rate(neg_report, threshold), 4),
        }

    return {
        "answerable": {s: len(js) for s, js in pos.items()},
        "unanswerable_calibration": len(neg_calibration),
        "unanswerable_report": len(neg_report),
        "threshold": round(t, 4),
        "youden_j": round(j, 4),
        "at_threshold": rates(t),
        "current_setting": current,
        "at_current_setting": rates(current),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=150, help="Answerable questions per suite.")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from index import open_index
    from medcite.settings import load_settings

    settings = load_settings()
    engine = AnswerEngine(open_index(settings), settings)
    pos = {
        s: judge_all(engine, [i.question for i in load_suite(s, settings.evals, limit=args.limit).items])
        for s in ANSWERABLE_SUITES
    }
    unanswerable = load_suite("unanswerable", settings.evals).items
    refusals = [i.question for i in load_suite("fdarxbench", settings.evals).items if not i.answerable]
    neg_cal = judge_all(
        engine, [i.question for i in unanswerable if i.meta["split"] == "calibration"] + refusals
    )
    neg_rep = judge_all(engine, [i.question for i in unanswerable if i.meta["split"] == "report"])
    result = calibration_report(pos, neg_cal, neg_rep, settings.composer.abstain_threshold)
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
