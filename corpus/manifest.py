"""Read a corpus folder: MANIFEST.json lists every file with its tier, format, record count, sha256,
source and licence; each file is read by the reader for its native format.

    read = read_corpus(path)
    for doc in read.documents:      # lazy: one file at a time, one record at a time
        ...
    print(read.report.summary())    # complete once iteration has finished

Readers are chosen by the manifest `format` and, for the generic JSON formats, by the file stem
(`medquad.jsonl.gz` -> medquad reader).  Unknown files are listed in `report.unknown_files`; bad
records are skipped and listed in `report.issues`; only an unusable manifest is fatal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.readers import (
    bioasq,
    cochrane,
    fdarxbench,
    medlineplus,
    medquad,
    ngc,
    openfda,
    pubmedqa,
    spl_xml,
    uspstf,
)
from corpus.readers.base import ReadItem
from corpus.records import FileReport, ManifestEntry, ReadIssue, ReadReport
from medcite.errors import CorpusError
from medcite.types import Document, Tier

__all__ = [
    "CorpusRead",
    "FileReport",
    "ManifestEntry",
    "ReadIssue",
    "ReadReport",
    "corpus_hash",
    "load_manifest",
    "read_corpus",
    "reader_for",
]

MANIFEST_NAME = "MANIFEST.json"
FileReader = Callable[[Path, Tier, str], Iterator[ReadItem]]

# Generic JSON formats: the file stem names the source.
READERS_BY_STEM: dict[str, tuple[str, FileReader]] = {
    "pubmedqa_abstracts": (pubmedqa.COLLECTION, pubmedqa.read_file),
    "bioasq_abstracts": (bioasq.COLLECTION, bioasq.read_file),
    "cochrane_reviews": (cochrane.COLLECTION, cochrane.read_file),
    "ngc_guideline_summaries": (ngc.COLLECTION, ngc.read_file),
    "uspstf_recommendations": (uspstf.COLLECTION, uspstf.read_file),
    "medlineplus_health_topics": (medlineplus.COLLECTION, medlineplus.read_file),
    "medquad": (medquad.COLLECTION, medquad.read_file),
    "fdarxbench_label_sections": (fdarxbench.COLLECTION, fdarxbench.read_file),
}
# Formats that identify their reader on their own, whatever the file is called.
READERS_BY_FORMAT: dict[str, tuple[str, FileReader]] = {
    "spl_xml": (spl_xml.COLLECTION, spl_xml.read_file),
    "openfda_json": (openfda.COLLECTION, openfda.read_file),
}
GENERIC_FORMATS = frozenset({"jsonl.gz", "json.gz", "jsonl", "json"})
# A record this large is a broken or hostile export, not a source: the longest real document (an SPL
# label such as Humira's, ~0.4 MB of XML) is far below it. Such a record is skipped and reported
# instead of becoming tens of thousands of chunks (issue 9).
MAX_DOCUMENT_CHARS = 5_000_000


def reader_for(entry: ManifestEntry) -> tuple[str, FileReader] | None:
    """(collection, read_file) for a manifest entry, or None when no reader knows the file."""
    if entry.format in READERS_BY_FORMAT:
        return READERS_BY_FORMAT[entry.format]
    if entry.format in GENERIC_FORMATS:
        return READERS_BY_STEM.get(entry.stem)
    return None


def _manifest_path(path: Path) -> Path:
    path = Path(path)
    return path if path.name == MANIFEST_NAME else path / MANIFEST_NAME


def load_manifest(path: Path) -> list[ManifestEntry]:
    """Entries of `<path>/MANIFEST.json` (or of the MANIFEST.json given directly).

    Raises CorpusError when the manifest is missing or not a JSON list of file entries.  An entry
    with an unknown tier is kept out here and reported as an unknown file by `read_corpus`.
    """
    entries, _ = _load(path)
    return entries


def _load(path: Path) -> tuple[list[ManifestEntry], list[str]]:
    mpath = _manifest_path(path)
    if not mpath.is_file():
        raise CorpusError(
            f"No corpus manifest at {mpath}.",
            hint="Point MEDCITE_CORPUS (or --corpus) at a folder containing MANIFEST.json, "
            "or leave it unset to use the bundled starter corpus (built by scripts/build_starter.py).",
        )
    try:
        raw = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(
            f"The corpus manifest {mpath} is not valid JSON ({exc}).", hint="Fix or regenerate it."
        ) from exc
    if not isinstance(raw, list):
        raise CorpusError(
            f"The corpus manifest {mpath} must be a JSON list of file entries.", hint="Fix or regenerate it."
        )
    entries: list[ManifestEntry] = []
    rejected: list[str] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            rejected.append(f"entry {i} (no path)")
            continue
        try:
            tier = Tier(str(item.get("tier")))
        except ValueError:
            rejected.append(f"{item['path']} (unknown tier {item.get('tier')!r})")
            continue
        records = item.get("records")
        entries.append(
            ManifestEntry(
                path=item["path"],
                tier=tier,
                format=str(item.get("format") or ""),
                records=records if isinstance(records, int) else None,
                sha256=item.get("sha256") or None,
                source=str(item.get("source") or ""),
                license=str(item.get("license") or ""),
            )
        )
    return entries, rejected


@dataclass
class CorpusRead:
    """A lazy read: `documents` yields as files are read; `report` is complete when it is exhausted."""

    root: Path
    entries: list[ManifestEntry]
    documents: Iterator[Document]
    report: ReadReport


def read_corpus(path: Path, tier_order: Sequence[Tier] = ()) -> CorpusRead:
    """Read every file listed in `<path>/MANIFEST.json` as Documents (lazily).

    The manifest is loaded (and CorpusError raised) immediately; files are opened only while
    `documents` is iterated.  With `tier_order`, files are read tier by tier in that order (manifest
    order within a tier; tiers not named come last).
    """
    root = _manifest_path(path).parent
    entries, rejected = _load(root)
    if tier_order:
        rank = {t: i for i, t in enumerate(tier_order)}
        entries = sorted(entries, key=lambda e: rank.get(e.tier, len(rank)))
    report = ReadReport(unknown_files=list(rejected))
    return CorpusRead(
        root=root, entries=entries, documents=_iter_documents(root, entries, report), report=report
    )


def _iter_documents(root: Path, entries: list[ManifestEntry], report: ReadReport) -> Iterator[Document]:
    for entry in entries:
        found = reader_for(entry)
        if found is None:
            report.unknown_files.append(f"{entry.path} (format {entry.format!r})")
            continue
        collection, read_file = found
        file_report = FileReport(path=entry.path, reader=collection, expected_records=entry.records)
        report.files[entry.path] = file_report
        fpath = root / entry.path
        if not fpath.is_file():
            report.issues.append(ReadIssue(entry.path, "", "file listed in MANIFEST.json not found"))
            file_report.skipped += 1
            continue
        try:
            for item in read_file(fpath, entry.tier, entry.path):
                if isinstance(item, ReadIssue):
                    report.issues.append(item)
                    file_report.skipped += 1
                elif (size := sum(len(sec.text) for sec in item.sections)) > MAX_DOCUMENT_CHARS:
                    report.issues.append(
                        ReadIssue(
                            entry.path,
                            item.doc_id,
                            f"document too large ({size:,} characters; the limit is {MAX_DOCUMENT_CHARS:,})",
                        )
                    )
                    file_report.skipped += 1
                else:
                    file_report.documents += 1
                    report.documents_by_tier[item.tier.value] += 1
                    yield item
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            # A truncated .gz or unreadable file: keep what was read, report the rest, go on.
            report.issues.append(ReadIssue(entry.path, "", f"cannot read file: {type(exc).__name__}: {exc}"))
            file_report.skipped += 1
    report.complete = True


def corpus_hash(path: Path) -> str:
    """Cheap fingerprint of a corpus: the MANIFEST.json bytes plus, for every listed file, its size
    and its manifest sha256 (or, when the manifest gives none, its mtime).

    File contents are not re-hashed (the 22 MB NGC dump alone would cost a read on every start);
    sizes catch edits made without updating the manifest, and using the manifest's sha256 rather
    than mtimes keeps the hash equal across clones and copies of the same corpus.
    """
    mpath = _manifest_path(path)
    entries, _ = _load(mpath)
    h = hashlib.sha256(mpath.read_bytes())
    for entry in entries:
        fpath = mpath.parent / entry.path
        try:
            st = fpath.stat()
            stamp = f"{st.st_size}:{entry.sha256 or st.st_mtime_ns}"
        except OSError:
            stamp = "missing"
        h.update(f"\x1f{entry.path}\x1e{stamp}".encode())
    return h.hexdigest()[:16]
