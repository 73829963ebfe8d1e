"""Bad corpus files (issue 9 item 2): truncated gzip, invalid JSON lines, malformed / huge / entity-bomb
XML, duplicated ids, empty documents, a 50 MB document, a Latin-1 file. Bad records are skipped and
reported, everything else is ingested, and nothing already indexed is lost."""

from __future__ import annotations

import gzip
import json
import shutil
import time
from pathlib import Path

import pytest
from rel_support import FIXTURE_CORPUS, store_counts

from corpus.manifest import MAX_DOCUMENT_CHARS, read_corpus
from corpus.readers import spl_xml
from ingest.pipeline import run_ingest
from medcite.embedding import HashingEmbedder
from medcite.settings import Settings, load_settings
from medcite.types import Tier

PUBMEDQA = "research/pubmedqa_abstracts.jsonl.gz"
MEDQUAD = "patient/medquad.jsonl.gz"
SPL_GOOD = "drug_labels/spl/atorvastatin__301ef8f1-6b5f-234b-e063-6294a90ad2d3.xml"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<document xmlns="urn:hl7-org:v3"><title>&lol9;</title></document>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<document xmlns="urn:hl7-org:v3"><title>&xxe;</title></document>
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, dst)
    return dst


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    return load_settings(home=tmp_path / "home", corpus=corpus, index={"embedding_model": "fake"})


def _lines(corpus: Path, rel: str) -> list[bytes]:
    return gzip.decompress((corpus / rel).read_bytes()).splitlines()


def _write_gz(corpus: Path, rel: str, lines: list[bytes]) -> None:
    (corpus / rel).write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))


def _add_to_manifest(corpus: Path, rel: str, fmt: str, tier: str = "drug_label") -> None:
    manifest = json.loads((corpus / "MANIFEST.json").read_text())
    manifest.append({"path": rel, "tier": tier, "format": fmt, "records": 1})
    (corpus / "MANIFEST.json").write_text(json.dumps(manifest))


def _read(corpus: Path) -> tuple[list, object]:
    read = read_corpus(corpus)
    return list(read.documents), read.report


def _doc_ids(corpus: Path) -> set[str]:
    return {d.doc_id for d in _read(corpus)[0]}


def _issues_for(report: object, rel: str) -> list[str]:
    return [i.reason for i in report.issues if i.file == rel]  # type: ignore[attr-defined]


# --- readers: skipped and reported, the rest read -------------------------------------------


def test_invalid_json_lines_are_skipped_and_reported(corpus: Path) -> None:
    good = _lines(corpus, PUBMEDQA)
    _write_gz(corpus, PUBMEDQA, [good[0], b"{not json", b"[1, 2]", b"\x00\x01garbage", *good[1:]])
    docs, report = _read(corpus)
    assert sum(d.collection == "pubmedqa" for d in docs) == len(good)
    reasons = _issues_for(report, PUBMEDQA)
    assert len(reasons) == 3 and any("invalid JSON" in r for r in reasons)


def test_truncated_gzip_keeps_what_was_read_and_reports_the_file(corpus: Path) -> None:
    before = _doc_ids(corpus)
    raw = (corpus / MEDQUAD).read_bytes()
    (corpus / MEDQUAD).write_bytes(raw[: len(raw) * 2 // 3])
    docs, report = _read(corpus)
    assert any("cannot read file" in r for r in _issues_for(report, MEDQUAD))
    other = {d.doc_id for d in docs if d.collection != "medquad"}
    assert other == {d for d in before if not d.startswith("medquad")}  # every other file read in full


def test_latin1_lines_are_skipped_one_by_one(corpus: Path) -> None:
    good = _lines(corpus, PUBMEDQA)
    latin1 = good[0].decode().replace("statins", "statinés").encode("latin-1")
    _write_gz(corpus, PUBMEDQA, [latin1, *good[1:]])
    docs, report = _read(corpus)
    assert sum(d.collection == "pubmedqa" for d in docs) == len(good) - 1
    assert any("not valid UTF-8" in r for r in _issues_for(report, PUBMEDQA))


def test_latin1_whole_json_file_is_reported_not_fatal(corpus: Path) -> None:
    rel = "patient/medlineplus_health_topics.json.gz"
    text = gzip.decompress((corpus / rel).read_bytes()).decode()
    latin1 = (text[:-2] + ' "café"' + text[-2:]).encode("latin-1", "replace")
    (corpus / rel).write_bytes(gzip.compress(latin1))
    docs, report = _read(corpus)
    assert _issues_for(report, rel) and docs


@pytest.mark.parametrize(
    ("name", "xml"), [("billion-laughs", BILLION_LAUGHS), ("external-entity", EXTERNAL_ENTITY)]
)
def test_entity_attacks_are_refused_quickly(corpus: Path, name: str, xml: str) -> None:
    assert spl_xml.safe_fromstring.__module__.startswith("defusedxml")  # the hardened parser is the one used
    rel = f"drug_labels/spl/{name}.xml"
    (corpus / rel).write_text(xml)
    _add_to_manifest(corpus, rel, "spl_xml")
    start = time.monotonic()
    docs, report = _read(corpus)
    assert time.monotonic() - start < 60  # bounded: expansion would need ~3 GB and minutes
    assert _issues_for(report, rel)
    assert all("root:" not in d.text for d in docs)  # /etc/passwd never read into a document


@pytest.mark.slow  # writes and parses a ~20 MB XML file; `make test` still runs it
def test_malformed_and_huge_xml(corpus: Path) -> None:
    label = (corpus / SPL_GOOD).read_text()
    (corpus / "drug_labels/spl/garbage.xml").write_bytes(b"<document><section>\xff\xfe<<<")
    _add_to_manifest(corpus, "drug_labels/spl/garbage.xml", "spl_xml")
    # ~20 MB: the good label with one section's text repeated, still one well-formed file
    marker = "<paragraph>"
    cut = label.index(marker)
    filler = "".join(
        f"<paragraph>Extra paragraph {i} on muscle pain with statins.</paragraph>" for i in range(300_000)
    )
    (corpus / "drug_labels/spl/huge.xml").write_text(label[:cut] + filler + label[cut:])
    _add_to_manifest(corpus, "drug_labels/spl/huge.xml", "spl_xml")
    docs, report = _read(corpus)
    assert _issues_for(report, "drug_labels/spl/garbage.xml")
    huge = report.files["drug_labels/spl/huge.xml"]  # type: ignore[attr-defined]
    assert huge.documents + huge.skipped == 1  # read as a document, or (too large) skipped and reported


def test_empty_and_duplicate_records(corpus: Path, settings: Settings) -> None:
    good = _lines(corpus, PUBMEDQA)
    empty = json.dumps({"pmid": "999", "QUESTION": "", "CONTEXTS": [], "LABELS": []}).encode()
    _write_gz(corpus, PUBMEDQA, [*good, good[0], empty])
    docs, report = _read(corpus)
    assert any(i.location.endswith(str(len(good) + 2)) for i in report.issues if i.file == PUBMEDQA)
    result = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    assert any("duplicate doc_id" in str(i) for i in result.issues)
    assert result.documents_total == len({d.doc_id for d in docs})


@pytest.mark.slow  # builds and reads a 50 MB record; `make test` still runs it
def test_fifty_megabyte_document_is_skipped_and_reported_the_rest_ingested(
    corpus: Path, settings: Settings
) -> None:
    good = _lines(corpus, PUBMEDQA)
    record = json.loads(good[0])
    sentence = "Statin therapy number {} reduced LDL cholesterol in the treated adults. "
    record["pmid"] = "50000000"
    record["CONTEXTS"] = ["".join(sentence.format(i) for i in range(50_000_000 // 70))]
    big = json.dumps(record).encode()
    assert len(big) > 50_000_000
    _write_gz(corpus, PUBMEDQA, [*good, big])
    result = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    assert any("too large" in str(i) and f"{MAX_DOCUMENT_CHARS:,}" in str(i) for i in result.issues)
    assert "pubmedqa:50000000" not in {d for d in _doc_ids(corpus)}
    chunks, vectors, bm25, orphans = store_counts(settings)
    assert chunks == vectors == bm25 == result.chunks_total and not orphans
    assert result.documents_total == len(_doc_ids(corpus))


# --- ingest: nothing already indexed is lost ------------------------------------------------


def _corpus_docs_by_file(settings: Settings) -> dict[str, int]:
    from index.catalog import Catalog

    catalog = Catalog(settings.catalog_path)
    try:
        counts: dict[str, int] = {}
        for source in catalog.source_files().values():
            counts[str(source)] = counts.get(str(source), 0) + 1
        return counts
    finally:
        catalog.close()


@pytest.mark.parametrize("damage", ["truncate", "bad-lines", "latin1", "delete"])
def test_a_broken_file_never_loses_indexed_documents(corpus: Path, settings: Settings, damage: str) -> None:
    first = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    before = _corpus_docs_by_file(settings)
    assert before.get(PUBMEDQA, 0) >= 2
    good = _lines(corpus, PUBMEDQA)
    if damage == "truncate":
        raw = (corpus / PUBMEDQA).read_bytes()
        (corpus / PUBMEDQA).write_bytes(raw[: len(raw) // 2])
    elif damage == "bad-lines":
        _write_gz(corpus, PUBMEDQA, [b"{broken", *[line[: len(line) // 2] for line in good]])
    elif damage == "latin1":
        latin1 = [line.decode().replace("a", "\u00e9").encode("latin-1", "replace") for line in good]
        _write_gz(corpus, PUBMEDQA, latin1)
    else:
        (corpus / PUBMEDQA).unlink()
    result = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    assert result.deleted == 0
    assert any(PUBMEDQA in n and "kept" in n for n in result.notes)  # says what it did and why
    assert any(getattr(i, "file", None) == PUBMEDQA for i in result.issues)
    assert _corpus_docs_by_file(settings) == before
    chunks, vectors, bm25, orphans = store_counts(settings)
    assert chunks == vectors == bm25 == first.chunks_total and not orphans

    # once the file reads cleanly again, the index follows it as usual
    _write_gz(corpus, PUBMEDQA, good[:1])
    fixed = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    assert fixed.deleted == before[PUBMEDQA] - 1


def test_reader_results_are_independent_of_tier_metadata(corpus: Path) -> None:
    docs, _ = _read(corpus)
    assert {d.tier for d in docs} == set(Tier)
