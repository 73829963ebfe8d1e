"""Build tests/fixtures/corpus_small/ from the shared corpus: a few topically related records per
source (dermatomyositis, statins/atorvastatin, hypertension), trimmed, in the native formats, plus
deliberately malformed examples.  Run once; the output is committed.

    .venv/bin/python scripts/build_fixture_corpus.py [--shared ../shared/corpus]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "corpus_small"
NS = "{urn:hl7-org:v3}"
MAX_CHARS = 1200

NGC_IDS = [
    "ngc-9085",
    "ngc-10477",
    "ngc-10401",
]  # IVIG incl. dermatomyositis; ACC/AHA cholesterol; hypertension
USPSTF_IDS = [302, 341, 343]
PUBMEDQA_PMIDS = ["27991408", "11340218", "26163474"]
BIOASQ_PMIDS = ["16769661", "22870499", "28526884"]
COCHRANE_PATTERNS = [r"\bstatins?\b", r"blood pressure"]
MEDLINEPLUS_IDS = ["1617", "4909", "34"]  # Myositis, Statins, High Blood Pressure
MEDQUAD_QIDS = [
    ("2_GARD_QA/0001800.xml", "0001800-1"),
    ("2_GARD_QA/0001800.xml", "0001800-4"),
    ("6_NINDS_QA/0000103.xml", "0000103-2"),
    ("4_MPlus_Health_Topics_QA/0000471.xml", "0000471-1"),
]
FDARX_DRUGS = {"Orapred", "ZYPITAMAG", "Fosinopril sodium"}
SPL_KEEP_CODES = {"34067-9", "34068-7", "34070-3", "43685-7", "48780-1"}


def trim(text: Any, n: int = MAX_CHARS) -> Any:
    if not isinstance(text, str) or len(text) <= n:
        return text
    cut = text[:n]
    end = max(cut.rfind(". "), cut.rfind(".\n"))
    return cut[: end + 1] if end > n // 2 else cut


def jsonl(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_gz(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the bytes (and sha256) reproducible.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def write_jsonl(path: Path, records: list[Any], extra_lines: list[str] = ()) -> int:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    write_gz(path, "\n".join(lines) + "\n")
    return len(lines)


def trim_spl(src: Path) -> bytes:
    tree = etree.parse(str(src))
    body = tree.find(f"{NS}component/{NS}structuredBody")
    for comp in list(body.findall(f"{NS}component")):
        sec = comp.find(f"{NS}section")
        code = (
            sec.find(f"{NS}code").get("code") if sec is not None and sec.find(f"{NS}code") is not None else ""
        )
        if code not in SPL_KEEP_CODES:
            body.remove(comp)
            continue
        for sub in sec.findall(f"{NS}component")[2:]:  # keep the first two subsections
            sec.remove(sub)
        for el in sec.iter(f"{NS}text"):
            for extra in el.findall(f"{NS}paragraph")[3:]:
                el.remove(extra)
        for tbl in list(sec.iter(f"{NS}table"))[1:]:
            tbl.getparent().remove(tbl)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def openfda_records(shared: Path) -> dict[str, Any]:
    """Two openFDA-shaped label records whose section text is taken from the shared Lipitor SPL."""
    import sys

    sys.path.insert(0, str(ROOT))
    from corpus.readers import spl_xml
    from medcite.types import Tier

    doc = spl_xml.bytes_to_document(
        next((shared / "drug_labels" / "spl").glob("lipitor-orig__*.xml")).read_bytes(), Tier.DRUG_LABEL
    )

    def text_for(code: str) -> list[str]:
        return [trim(f"{s.title}\n{s.text}", 900) for s in doc.sections if s.code == code][:2]

    lipitor = {
        "id": "7d4a7a7e-openfda-fixture-lipitor",
        "set_id": "c6e131fe-e7df-4876-83f7-9156fc4e8228",
        "version": "11",
        "effective_time": "20140113",
        "openfda": {
            "brand_name": ["LIPITOR"],
            "generic_name": ["ATORVASTATIN CALCIUM"],
            "manufacturer_name": ["Parke-Davis Div of Pfizer Inc"],
            "route": ["ORAL"],
        },
        "indications_and_usage": text_for("34067-9"),
        "dosage_and_administration": text_for("34068-7"),
        "contraindications": text_for("34070-3"),
        "warnings_and_cautions": text_for("43685-7"),
        "adverse_reactions": text_for("34084-4"),
        "indications_and_usage_table": ["<table><tr><td>ignored</td></tr></table>"],
    }
    no_text = {
        "id": "openfda-fixture-empty",
        "set_id": "00000000-0000-0000-0000-000000000000",
        "openfda": {"brand_name": ["EMPTY LABEL"]},
    }
    return {
        "meta": {"disclaimer": "fixture built from FDA SPL text", "results": {"total": 2}},
        "results": [lipitor, no_text],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "corpus")
    shared = ap.parse_args().shared
    OUT.mkdir(parents=True, exist_ok=True)
    shared_manifest = {e["path"]: e for e in json.loads((shared / "MANIFEST.json").read_text())}
    manifest: list[dict[str, Any]] = []

    def add(rel: str, tier: str, fmt: str, records: int, source_rel: str | None, note: str) -> None:
        src = shared_manifest.get(source_rel or "", {})
        manifest.append(
            {
                "path": rel,
                "tier": tier,
                "format": fmt,
                "records": records,
                "sha256": hashlib.sha256((OUT / rel).read_bytes()).hexdigest(),
                "source": f"{note}; from {src.get('source', 'hand-made')}",
                "license": src.get("license", "CC0 (test fixture)"),
            }
        )

    # guidelines
    ngc = {r["id"]: r for r in jsonl(shared / "guidelines/ngc_guideline_summaries.jsonl.gz")}
    keep_fields = {
        "Guideline Title",
        "Major Recommendations",
        "Target Population",
        "Disease/Condition(s)",
        "Interventions and Practices Considered",
        "Potential Benefits",
        "Potential Harms",
        "Rating Scheme for the Strength of the Evidence",
        "Qualifying Statements",
        "Rating Scheme for the Strength of the Recommendations",
        "Date Released",
        "Guideline Developer(s)",
        "NGC Disclaimer",
    }
    recs = []
    for gid in NGC_IDS:
        r = copy.deepcopy(ngc[gid])
        r.pop("html", None)
        r.pop("field_section", None)
        r["fields"] = {k: trim(v) for k, v in r["fields"].items() if k in keep_fields}
        recs.append(r)
    broken = copy.deepcopy(recs[-1])
    broken["id"], broken["ngc_id"] = "ngc-999999", 999999
    broken["fields"].pop("Major Recommendations")
    recs.append(broken)  # malformed: no Major Recommendations -> skipped
    n = write_jsonl(OUT / "guidelines/ngc_guideline_summaries.jsonl.gz", recs)
    add(
        "guidelines/ngc_guideline_summaries.jsonl.gz",
        "guideline",
        "jsonl.gz",
        n,
        "guidelines/ngc_guideline_summaries.jsonl.gz",
        "3 summaries trimmed + 1 without recommendations",
    )

    with gzip.open(shared / "guidelines/uspstf_recommendations.json.gz", "rt") as fh:
        us = json.load(fh)["specificRecommendations"]
    picked = [r for r in us if r["id"] in USPSTF_IDS]
    write_gz(
        OUT / "guidelines/uspstf_recommendations.json.gz", json.dumps({"specificRecommendations": picked})
    )
    add(
        "guidelines/uspstf_recommendations.json.gz",
        "guideline",
        "json.gz",
        len(picked),
        "guidelines/uspstf_recommendations.json.gz",
        "statin and blood-pressure recommendations",
    )

    # drug labels
    fx = [
        r
        for r in jsonl(shared / "drug_labels/fdarxbench_label_sections.jsonl.gz")
        if r["drug_name"] in FDARX_DRUGS
    ]
    fx = [dict(r, text=trim(r["text"], 700)) for r in fx]
    bad = dict(fx[0], text="", doc_chunk_index=99)
    n = write_jsonl(OUT / "drug_labels/fdarxbench_label_sections.jsonl.gz", fx + [bad])
    add(
        "drug_labels/fdarxbench_label_sections.jsonl.gz",
        "drug_label",
        "jsonl.gz",
        n,
        "drug_labels/fdarxbench_label_sections.jsonl.gz",
        "Orapred, Zypitamag, fosinopril passages + 1 empty",
    )
    spl_src = next((shared / "drug_labels/spl").glob("atorvastatin__*.xml"))
    rel = f"drug_labels/spl/{spl_src.name}"
    (OUT / rel).parent.mkdir(parents=True, exist_ok=True)
    (OUT / rel).write_bytes(trim_spl(spl_src))
    add(rel, "drug_label", "spl_xml", 1, f"drug_labels/spl/{spl_src.name}", "atorvastatin SPL, trimmed")
    data = (OUT / rel).read_bytes()
    broken_rel = "drug_labels/spl/broken__00000000-0000-0000-0000-000000000001.xml"
    (OUT / broken_rel).write_bytes(data[: len(data) // 3])  # truncated -> unparseable
    add(broken_rel, "drug_label", "spl_xml", 1, None, "truncated copy of the atorvastatin SPL (malformed)")
    ofda_rel = "drug_labels/openfda/lipitor_openfda.json"
    (OUT / ofda_rel).parent.mkdir(parents=True, exist_ok=True)
    (OUT / ofda_rel).write_text(json.dumps(openfda_records(shared), indent=1, ensure_ascii=False))
    add(
        ofda_rel,
        "drug_label",
        "openfda_json",
        2,
        f"drug_labels/spl/{spl_src.name}".replace(
            spl_src.name, next((shared / "drug_labels/spl").glob("lipitor-orig__*.xml")).name
        ),
        "openFDA-shaped record with Lipitor SPL text + 1 record without sections",
    )

    # research
    pq = [r for r in jsonl(shared / "research/pubmedqa_abstracts.jsonl.gz") if r["pmid"] in PUBMEDQA_PMIDS]
    n = write_jsonl(OUT / "research/pubmedqa_abstracts.jsonl.gz", pq)
    add(
        "research/pubmedqa_abstracts.jsonl.gz",
        "research",
        "jsonl.gz",
        n,
        "research/pubmedqa_abstracts.jsonl.gz",
        "dermatomyositis, statin, hypertension abstracts",
    )
    bq = [r for r in jsonl(shared / "research/bioasq_abstracts.jsonl.gz") if r["pmid"] in BIOASQ_PMIDS]
    bq = [dict(r, text=trim(r["text"]), snippets=r["snippets"][:2]) for r in bq]
    n = write_jsonl(OUT / "research/bioasq_abstracts.jsonl.gz", bq, ['{"pmid": "1", "title": "broken line'])
    add(
        "research/bioasq_abstracts.jsonl.gz",
        "research",
        "jsonl.gz",
        n,
        "research/bioasq_abstracts.jsonl.gz",
        "myositis and atorvastatin snippets + 1 invalid JSON line",
    )
    co_all = jsonl(shared / "research/cochrane_reviews.jsonl.gz")
    co = [
        next(r for r in co_all if re.search(p, r["plain_language_summary"] or "", re.I))
        for p in COCHRANE_PATTERNS
    ]
    co = [
        dict(r, abstract=trim(r["abstract"]), plain_language_summary=trim(r["plain_language_summary"]))
        for r in co
    ]
    n = write_jsonl(OUT / "research/cochrane_reviews.jsonl.gz", co)
    add(
        "research/cochrane_reviews.jsonl.gz",
        "research",
        "jsonl.gz",
        n,
        "research/cochrane_reviews.jsonl.gz",
        "statin and blood-pressure reviews",
    )

    # patient information
    with gzip.open(shared / "patient/medlineplus_health_topics.json.gz", "rt") as fh:
        ml = [dict(r, content=trim(r["content"])) for r in json.load(fh) if r["id"] in MEDLINEPLUS_IDS]
    write_gz(OUT / "patient/medlineplus_health_topics.json.gz", json.dumps(ml, ensure_ascii=False))
    add(
        "patient/medlineplus_health_topics.json.gz",
        "patient_info",
        "json.gz",
        len(ml),
        "patient/medlineplus_health_topics.json.gz",
        "Myositis, Statins, High Blood Pressure",
    )
    mq_all = jsonl(shared / "patient/medquad.jsonl.gz")
    mq = [dict(r, answer=trim(r["answer"])) for r in mq_all if (r["file"], r["qid"]) in MEDQUAD_QIDS]
    empty = dict(mq[0], qid="0001800-9", question="What is the outlook for Dermatomyositis ?", answer="  ")
    n = write_jsonl(OUT / "patient/medquad.jsonl.gz", mq + [empty])
    add(
        "patient/medquad.jsonl.gz",
        "patient_info",
        "jsonl.gz",
        n,
        "patient/medquad.jsonl.gz",
        "dermatomyositis and high blood pressure Q&A + 1 empty answer",
    )

    # an entry no reader knows: reported, not fatal
    (OUT / "misc").mkdir(exist_ok=True)
    (OUT / "misc/notes.csv").write_text("a,b\n1,2\n")
    add("misc/notes.csv", "research", "csv", 1, None, "unknown format (reported as unknown file)")

    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {len(manifest)} files, {total / 1024:.0f} KB to {OUT}")


if __name__ == "__main__":
    main()
