"""Per-class precision / recall of the study-design classifier on the hand-labelled sample.

    python -m evals.grading_report [--corpus ../shared/corpus] [--split dev|holdout|all]

The sample (`tests/fixtures/grading_sample.jsonl`, 152 research records chosen by
`evals.grading_sample`) was labelled by reading each record, not with the classifier. Records are
split dev/holdout by sha1(id) parity; rules were developed looking only at dev errors and the
holdout half is the reported measurement. The classifier sees what it sees in production: title,
full abstract text, section labels and MeSH terms (PubMedQA), and the collection (Cochrane).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.grading import grade_study_design
from medcite.settings import SHARED_CORPUS
from medcite.types import StudyDesign

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "grading_sample.jsonl"


@dataclass(frozen=True)
class ClassScore:
    design: str
    support: int
    predicted: int
    precision: float
    recall: float
    f1: float


def per_class(pairs: Sequence[tuple[str, str]]) -> tuple[list[ClassScore], float]:
    """(gold, predicted) pairs -> per-class scores and overall accuracy."""
    out = []
    for design in (d.value for d in StudyDesign):
        tp = sum(1 for g, p in pairs if g == design and p == design)
        gold = sum(1 for g, _ in pairs if g == design)
        pred = sum(1 for _, p in pairs if p == design)
        prec = tp / pred if pred else 0.0
        rec = tp / gold if gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append(ClassScore(design, gold, pred, prec, rec, f1))
    acc = sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0
    return out, acc


def load_sample(path: Path = SAMPLE) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def full_records(corpus: Path) -> dict[str, dict]:
    """Full text and metadata of the sampled records, keyed by (source, id)."""
    from evals.grading_sample import _records

    return {f"{r['source']}|{r['id']}": r for r in _records(corpus)}


def predict(item: dict, full: dict | None) -> str:
    if full is None:  # no corpus here: classify from the stored excerpt (weaker, flagged in output)
        full = {"title": item["title"], "text": item["text_start"], "labels": [], "mesh": []}
    collection = "cochrane" if item["source"] == "cochrane" else item["source"]
    return grade_study_design(
        full["title"],
        full["text"],
        section_labels=full.get("labels", []),
        mesh_terms=full.get("mesh", []),
        collection=collection,
    ).value


def table(scores: Iterable[ClassScore], acc: float, n: int, title: str) -> str:
    lines = [
        f"{title} (n={n}, accuracy {acc:.2f})",
        f"{'design':40} {'gold':>5} {'pred':>5} {'prec':>6} {'recall':>6} {'f1':>6}",
    ]
    for s in scores:
        lines.append(
            f"{s.design:40} {s.support:5d} {s.predicted:5d} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    ap.add_argument("--split", choices=["dev", "holdout", "all"], default="all")
    ap.add_argument("--errors", action="store_true", help="list misclassified items")
    args = ap.parse_args(argv)
    sample = load_sample()
    records = full_records(args.corpus) if (args.corpus / "research").exists() else {}
    if not records:
        print("! corpus not found: classifying from the stored 300-character excerpts")
    splits = ["dev", "holdout", "all"] if args.split == "all" else [args.split]
    for split in splits:
        items = [it for it in sample if split == "all" or it["split"] == split]
        pairs = []
        for it in items:
            pred = predict(it, records.get(f"{it['source']}|{it['id']}"))
            pairs.append((it["label"], pred))
            if args.errors and pred != it["label"] and split != "all":
                print(f"  [{split}] {it['id']}: gold={it['label']!r} pred={pred!r} ({it['reason']})")
        scores, acc = per_class(pairs)
        print(table(scores, acc, len(items), split))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
