"""Build corpus/starter/: the small corpus shipped with the repo for clones without ../shared.

Per source file of the shared corpus (same native format and file name): every record that mentions
(derm)myositis, plus a deterministic sample (records ordered by sha256 of their id, first N).
NGC records drop their `html` field (an HTML duplicate of `fields` that the reader never uses) to
stay within the size budget.  Writes MANIFEST.json with recomputed sha256 / record counts and
PROVENANCE.md (source and licence of each file, from the shared manifest and PROVENANCE.md files).

    .venv/bin/python scripts/build_starter.py [--shared ../shared/corpus] [--out corpus/starter]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOPIC = re.compile(r"myositis", re.IGNORECASE)  # matches dermatomyositis, polymyositis, myositis

# Sample size per file stem (on top of every myositis record).  PubMedQA is kept whole so the
# pubmedqa_dev eval suite runs against the starter corpus.
SAMPLE = {
    "pubmedqa_abstracts": None,  # None = all
    "bioasq_abstracts": 400,
    "cochrane_reviews": 150,
    "ngc_guideline_summaries": 50,
    "uspstf_recommendations": None,
    "medlineplus_health_topics": 300,
    "medquad": 500,
    "fdarxbench_label_sections": None,
}
SPL_KEEP = ("atorvastatin__", "humira__", "cough__", "rogaine-minoxidil__", "no-title__")
ID_KEYS = ("id", "qid", "pmid", "doi", "set_id")


def _key(record: dict[str, Any]) -> str:
    rid = "|".join(str(record.get(k, "")) for k in ID_KEYS) + str(record.get("file", ""))
    return hashlib.sha256(rid.encode()).hexdigest()


def select(records: list[dict[str, Any]], n: int | None) -> list[dict[str, Any]]:
    """Every topic record plus the first `n` others by id hash, in the source's original order."""
    if n is None:
        return records
    topical = {id(r) for r in records if TOPIC.search(json.dumps(r, ensure_ascii=False))}
    others = sorted((r for r in records if id(r) not in topical), key=_key)[:n]
    keep = topical | {id(r) for r in others}
    return [r for r in records if id(r) in keep]


def _gz_write(path: Path, text: str) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def build(shared: Path, out: Path) -> list[dict[str, Any]]:
    entries = json.loads((shared / "MANIFEST.json").read_text())
    if out.exists():
        shutil.rmtree(out)
    manifest: list[dict[str, Any]] = []
    for e in entries:
        rel, src = e["path"], shared / e["path"]
        name = rel.rsplit("/", 1)[-1]
        stem = name.split(".", 1)[0]
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if e["format"] == "spl_xml":
            if not name.startswith(SPL_KEEP):
                continue
            shutil.copyfile(src, dest)
            count = 1
        elif e["format"] == "jsonl.gz":
            with gzip.open(src, "rt", encoding="utf-8") as fh:
                recs = [json.loads(line) for line in fh if line.strip()]
            recs = select(recs, SAMPLE.get(stem, 100))
            if stem == "ngc_guideline_summaries":
                recs = [{k: v for k, v in r.items() if k != "html"} for r in recs]
            _gz_write(dest, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
            count = len(recs)
        elif e["format"] == "json.gz":
            with gzip.open(src, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
            if isinstance(data, dict) and "specificRecommendations" in data:
                data = dict(
                    data, specificRecommendations=select(data["specificRecommendations"], SAMPLE.get(stem))
                )
                count = len(data["specificRecommendations"])
            else:
                data = select(data, SAMPLE.get(stem, 100))
                count = len(data)
            _gz_write(dest, json.dumps(data, ensure_ascii=False))
        else:
            continue
        sampled = "whole file" if count == e.get("records") else f"{count} of {e.get('records')} records"
        manifest.append(
            {
                "path": rel,
                "tier": e["tier"],
                "format": e["format"],
                "records": count,
                "sha256": hashlib.sha256(dest.read_bytes()).hexdigest(),
                "source": f"{e['source']} [starter subset: {sampled}; every record mentioning myositis kept]",
                "license": e["license"],
            }
        )
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    write_provenance(shared, out, manifest)
    return manifest


def write_provenance(shared: Path, out: Path, manifest: list[dict[str, Any]]) -> None:
    lines = [
        "# Starter corpus provenance",
        "",
        "Built by `scripts/build_starter.py` from the shared MedCite corpus (`../shared/corpus`).",
        "Each file keeps its native format and name; records are a deterministic subset: every record",
        "mentioning (derm)myositis plus the first N others ordered by sha256 of their id.",
        "NGC summaries omit their `html` field (an HTML copy of `fields`).",
        "",
        "| file | tier | records | source | licence |",
        "|---|---|---|---|---|",
    ]
    for m in manifest:
        lines.append(f"| `{m['path']}` | {m['tier']} | {m['records']} | {m['source']} | {m['license']} |")
    lines += ["", "## Original provenance notes", ""]
    for prov in sorted(shared.glob("*/PROVENANCE.md")):
        lines += [f"### {prov.parent.name}/PROVENANCE.md", "", prov.read_text(encoding="utf-8").strip(), ""]
    (out / "PROVENANCE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "corpus" / "starter")
    args = ap.parse_args()
    manifest = build(args.shared, args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(
        f"{len(manifest)} files, {sum(m['records'] for m in manifest)} records, "
        f"{size / 1e6:.2f} MB in {args.out}"
    )


if __name__ == "__main__":
    main()
