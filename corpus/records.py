"""Records describing a corpus read: the manifest entries, per-file counts and skipped-record issues.

`ReadReport` is filled while `read_corpus(...).documents` is iterated, so callers (ingest, CLI) can
print "read N documents, skipped M records" at the end of a lazy run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from medcite.types import Tier


class RecordError(ValueError):
    """A single source record cannot become a Document; the reader skips it and reports why."""


@dataclass(frozen=True)
class ManifestEntry:
    """One file listed in MANIFEST.json."""

    path: str  # relative to the corpus folder, '/'-separated
    tier: Tier
    format: str  # "jsonl.gz", "json.gz", "spl_xml", "openfda_json", ...
    records: int | None = None
    sha256: str | None = None
    source: str = ""
    license: str = ""

    @property
    def stem(self) -> str:
        """File name without directory and without every suffix ('medquad.jsonl.gz' -> 'medquad')."""
        name = self.path.rsplit("/", 1)[-1]
        return name.split(".", 1)[0]


@dataclass(frozen=True)
class ReadIssue:
    """A record (or file) that was skipped. `location` is 'line 12' (JSONL), 'record 3' (JSON list
    index), 'set_id …' (grouped records) or '' when the whole file is affected."""

    file: str
    location: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.location}" if self.location else self.file
        return f"{where}: {self.reason}"


@dataclass
class FileReport:
    """Counts for one manifest file."""

    path: str
    reader: str
    documents: int = 0
    skipped: int = 0
    expected_records: int | None = None


@dataclass
class ReadReport:
    """What a corpus read produced; complete once the document iterator is exhausted."""

    files: dict[str, FileReport] = field(default_factory=dict)
    issues: list[ReadIssue] = field(default_factory=list)
    unknown_files: list[str] = field(default_factory=list)
    documents_by_tier: Counter[str] = field(default_factory=Counter)
    complete: bool = False

    @property
    def documents(self) -> int:
        return sum(self.documents_by_tier.values())

    @property
    def skipped(self) -> int:
        return len(self.issues)

    def summary(self) -> str:
        """One line for CLI / logs."""
        tiers = ", ".join(f"{t}={n}" for t, n in sorted(self.documents_by_tier.items()))
        extra = f", {len(self.unknown_files)} unknown file(s)" if self.unknown_files else ""
        return f"{self.documents} documents ({tiers}); {self.skipped} record(s) skipped{extra}"
