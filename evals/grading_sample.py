"""Deterministic, stratified choice of research records for the study-design labelled sample.

The sample (`tests/fixtures/grading_sample.jsonl`) was labelled by hand from these candidates, by
reading each record's title and abstract text, never by running the classifier. Strata are keyword
buckets so that rarer designs (meta-analyses, trials, case reports) are represented; inside a bucket
records are taken in sha1(id) order, so the choice is reproducible.

    python -m evals.grading_sample /path/to/corpus > candidates.jsonl
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BUCKETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("meta", re.compile(r"meta-analy|systematic review", re.I)),
    ("rct", re.compile(r"randomi[sz]", re.I)),
    ("case", re.compile(r"case report|year-old|case series", re.I)),
    ("cohort", re.compile(r"cohort|retrospective|prospective|case-control|cross-sectional", re.I)),
    ("review", re.compile(r"\breview", re.I)),
    ("none", re.compile(r"")),
)
PER_BUCKET = {"pubmedqa": 15, "bioasq": 10}
COCHRANE = 12


def _records(corpus: Path) -> Iterator[dict[str, Any]]:
    research = corpus / "research"
    with gzip.open(research / "pubmedqa_abstracts.jsonl.gz", "rt") as f:
        for line in f:
            d = json.loads(line)
            yield {
                "id": f"pubmed:{d['pmid']}",
                "source": "pubmedqa",
                "title": d["QUESTION"],
                "text": " ".join(d["CONTEXTS"]),
                "labels": d["LABELS"],
                "mesh": d["MESHES"],
            }
    with gzip.open(research / "bioasq_abstracts.jsonl.gz", "rt") as f:
        for line in f:
            d = json.loads(line)
            if d.get("text"):
                yield {
                    "id": f"pubmed:{d['pmid']}",
                    "source": "bioasq",
                    "title": d.get("title") or "",
                    "text": d["text"],
                    "labels": [],
                    "mesh": [],
                }
    with gzip.open(research / "cochrane_reviews.jsonl.gz", "rt") as f:
        for line in f:
            d = json.loads(line)
            yield {
                "id": d["id"],
                "source": "cochrane",
                "title": d.get("title") or "",
                "text": d["abstract"],
                "labels": [],
                "mesh": [],
            }


def _key(rec: dict[str, Any]) -> str:
    return hashlib.sha1(rec["id"].encode()).hexdigest()


def select(corpus: Path) -> list[dict[str, Any]]:
    """The candidate records, stratified by source and keyword bucket."""
    pools: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in _records(corpus):
        if rec["source"] == "cochrane":
            pools.setdefault(("cochrane", "all"), []).append(rec)
            continue
        blob = f"{rec['title']} {rec['text']}"
        bucket = next(name for name, pat in BUCKETS if pat.search(blob))
        pools.setdefault((rec["source"], bucket), []).append(rec)
    chosen: list[dict[str, Any]] = []
    for (source, bucket), recs in sorted(pools.items()):
        n = COCHRANE if source == "cochrane" else PER_BUCKET[source]
        for rec in sorted(recs, key=_key)[:n]:
            chosen.append(rec | {"bucket": bucket})
    return chosen


if __name__ == "__main__":
    for rec in select(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")):
        print(json.dumps(rec, ensure_ascii=False))
