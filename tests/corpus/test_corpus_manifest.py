"""read_corpus / load_manifest / corpus_hash on the small fixture corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corpus.manifest import corpus_hash, load_manifest, read_corpus
from medcite.errors import CorpusError
from medcite.types import Tier

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "corpus_small"


def test_reads_every_format_and_all_tiers() -> None:
    read = read_corpus(FIXTURE)
    docs = list(read.documents)
    assert read.report.complete
    assert {d.tier for d in docs} == set(Tier)
    assert {d.collection for d in docs} == {
        "ngc",
        "uspstf",
        "spl",
        "openfda",
        "fdarxbench",
        "pubmedqa",
        "bioasq",
        "cochrane",
        "medlineplus",
        "medquad",
    }
    assert len({d.doc_id for d in docs}) == len(docs)
    assert all(d.title.strip() and d.sections and all(s.text.strip() for s in d.sections) for d in docs)
    assert read.report.documents == len(docs)


def test_malformed_records_are_skipped_and_reported() -> None:
    read = read_corpus(FIXTURE)
    list(read.documents)
    reasons = {(i.file.rsplit("/", 1)[-1], i.location): i.reason for i in read.report.issues}
    assert "invalid JSON" in reasons[("bioasq_abstracts.jsonl.gz", "line 4")]
    assert "empty answer" in reasons[("medquad.jsonl.gz", "line 5")]
    assert "Major Recommendations" in reasons[("ngc_guideline_summaries.jsonl.gz", "line 4")]
    assert "unparseable XML" in reasons[("broken__00000000-0000-0000-0000-000000000001.xml", "")]
    assert read.report.files["research/bioasq_abstracts.jsonl.gz"].documents == 3
    assert read.report.unknown_files == ["misc/notes.csv (format 'csv')"]


def test_documents_are_lazy() -> None:
    read = read_corpus(FIXTURE)
    first = next(read.documents)
    assert first.collection == "ngc"
    assert not read.report.complete and len(read.report.files) == 1


def test_topically_related_documents_across_tiers() -> None:
    docs = list(read_corpus(FIXTURE).documents)
    derm = {d.tier for d in docs if "dermatomyositis" in d.text.lower()}
    assert derm == {Tier.GUIDELINE, Tier.RESEARCH, Tier.PATIENT_INFO}
    # No shared label discusses dermatomyositis; the label tier carries statin myopathy instead.
    statin = {d.tier for d in docs if "statin" in d.text.lower()}
    assert statin == set(Tier)
    assert any("myopathy" in d.text.lower() for d in docs if d.tier is Tier.DRUG_LABEL)
    bp = {d.tier for d in docs if "blood pressure" in d.text.lower() or "hypertension" in d.text.lower()}
    assert bp == set(Tier)


def test_missing_manifest_raises_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="MANIFEST.json") as err:
        read_corpus(tmp_path)
    assert "MEDCITE_CORPUS" in str(err.value)


def test_invalid_manifest_raises_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.json").write_text("{not json")
    with pytest.raises(CorpusError, match="not valid JSON"):
        load_manifest(tmp_path)


def test_missing_listed_file_is_an_issue_not_fatal(tmp_path: Path) -> None:
    entries = [
        {"path": "research/gone.jsonl.gz", "tier": "research", "format": "jsonl.gz"},
        {"path": "x.json", "tier": "nonsense", "format": "json"},
    ]
    (tmp_path / "MANIFEST.json").write_text(json.dumps(entries))
    read = read_corpus(tmp_path)
    assert list(read.documents) == []
    assert sorted(read.report.unknown_files) == [
        "research/gone.jsonl.gz (format 'jsonl.gz')",
        "x.json (unknown tier 'nonsense')",
    ]


def test_listed_but_absent_known_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.json").write_text(
        json.dumps([{"path": "p/medquad.jsonl.gz", "tier": "patient_info", "format": "jsonl.gz"}])
    )
    read = read_corpus(tmp_path)
    assert list(read.documents) == []
    assert [i.reason for i in read.report.issues] == ["file listed in MANIFEST.json not found"]


def test_load_manifest_entries() -> None:
    entries = load_manifest(FIXTURE)
    by_stem = {e.stem: e for e in entries}
    assert by_stem["medquad"].tier is Tier.PATIENT_INFO
    assert by_stem["lipitor_openfda"].format == "openfda_json"
    assert all(e.sha256 for e in entries)


def test_corpus_hash_stable_and_sensitive(tmp_path: Path) -> None:
    copy = tmp_path / "c"
    shutil.copytree(FIXTURE, copy)
    assert corpus_hash(copy) == corpus_hash(FIXTURE)  # independent of location and mtimes
    target = copy / "patient" / "medquad.jsonl.gz"
    target.write_bytes(target.read_bytes() + b"\n")
    assert corpus_hash(copy) != corpus_hash(FIXTURE)
