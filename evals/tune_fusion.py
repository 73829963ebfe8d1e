"""Tune the hybrid fusion on the dev suites (issue 6: "tune only on the dev suites").

Runs BM25 and dense once per question (top `--depth` chunks each), then scores fusion variants
offline at document level (nDCG@10, binary relevance): reciprocal-rank fusion with several k and
BM25 weights (Cormack et al. 2009), and a convex combination of min-max normalised scores
(Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", TOIS 2023). The BioASQ dev
questions are split by position (evals.encoder_pairs.split_bioasq): the even half trained the shipped
encoder (issue 18), so on it dense looks better than it is; the odd (validation) half is split again
into two folds by position, and a variant is chosen on one fold and read on the other, so the choice
is not fitted to the questions it is judged on; PubMedQA dev is a second check.

    python -m evals.tune_fusion --out bench-out/fusion
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals import metrics as m
from evals.encoder_pairs import split_bioasq
from evals.suites import EvalItem, load_suite
from index import Index, open_index
from medcite.settings import load_settings
from medcite.types import Hit

Ranked = list[tuple[str, float]]


def rrf(bm25: Ranked, dense: Ranked, k: int, w_bm25: float) -> Ranked:
    scores: dict[str, float] = {}
    for weight, ranking in ((w_bm25, bm25), (1.0, dense)):
        for rank, (cid, _) in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def convex(bm25: Ranked, dense: Ranked, alpha: float) -> Ranked:
    def norm(r: Ranked) -> dict[str, float]:
        if not r:
            return {}
        hi, lo = max(s for _, s in r), min(s for _, s in r)
        return {c: (s - lo) / (hi - lo) if hi > lo else 1.0 for c, s in r}

    b, d = norm(bm25), norm(dense)
    ids = set(b) | set(d)
    return sorted(
        ((c, alpha * b.get(c, 0.0) + (1 - alpha) * d.get(c, 0.0)) for c in ids), key=lambda kv: -kv[1]
    )


def ndcg(
    index: Index, items: Sequence[EvalItem], runs: dict[str, tuple[Ranked, Ranked]], fuse: Callable
) -> float:
    vals = []
    for item in items:
        bm25, dense = runs[item.item_id]
        fused = fuse(bm25, dense)[:50]
        chunks = index.get_chunks([c for c, _ in fused])
        hits = [Hit(chunks[c], s, "tune", i + 1) for i, (c, s) in enumerate(fused) if c in chunks]
        got = m.retrieval_metrics(m.rank_documents(hits, item), item.gold_keys)
        vals.append(got.get("ndcg@10", 0.0))
    return sum(vals) / len(vals) if vals else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--depth", type=int, default=100)
    ap.add_argument("--out", type=Path, default=Path("bench-out/fusion"))
    args = ap.parse_args()
    settings = load_settings()
    index = open_index(settings)
    suites = {
        name: [i for i in load_suite(name, settings.evals).items if i.gold_keys]
        for name in ("bioasq", "pubmedqa")
    }
    runs = {
        i.item_id: (
            index.bm25_search(i.question, args.depth, None),
            index.dense_search(i.question, args.depth, None),
        )
        for items in suites.values()
        for i in items
    }
    variants: dict[str, Callable] = {"bm25": lambda b, d: b, "dense": lambda b, d: d}
    for k in (5, 10, 30, 60):
        for w in (0.5, 0.75, 1.0, 1.5, 2.0):
            variants[f"rrf k={k} w_bm25={w}"] = lambda b, d, k=k, w=w: rrf(b, d, k, w)
    for a in (0.3, 0.5, 0.7):
        variants[f"convex alpha_bm25={a}"] = lambda b, d, a=a: convex(b, d, a)
    train, validation = split_bioasq(suites["bioasq"])
    parts = {
        "bioasq_train": train,
        "bioasq_val_a": validation[0::2],
        "bioasq_val_b": validation[1::2],
        "bioasq_val": validation,
        "pubmedqa": suites["pubmedqa"],
    }
    rows: list[dict[str, Any]] = []
    for name, fuse in variants.items():
        rows.append(
            {"variant": name, **{part: ndcg(index, items, runs, fuse) for part, items in parts.items()}}
        )
        print(json.dumps(rows[-1]), flush=True)
    for chosen_on, read_on in (("bioasq_val_a", "bioasq_val_b"), ("bioasq_val_b", "bioasq_val_a")):
        best = max(rows, key=lambda r: r[chosen_on])
        print(f"best on {chosen_on}: {best['variant']} -> {read_on} {best[read_on]:.4f}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fusion.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
