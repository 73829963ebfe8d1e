"""What an ingest is doing, for everyone who is not the ingest: the web chat's status line, the note
on an answer given from a partial index, and `medcite status` (issue 19 item 2).

The ingest writes `<home>/ingest_progress.json` atomically (a temporary file, then a rename) after
every catalog batch; readers never see half a file.  Readers decide whether the writer still lives
from its pid, so a killed ingest reads as "stopped", not "running" forever.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from medcite.types import TIERS, Tier

PROGRESS_FILE = "ingest_progress.json"

# How the status line and the note name each tier (plural, lower case).
TIER_NOUNS: dict[str, str] = {
    Tier.GUIDELINE.value: "guidelines",
    Tier.DRUG_LABEL.value: "drug labels",
    Tier.RESEARCH.value: "research abstracts",
    Tier.PATIENT_INFO.value: "patient information pages",
}


@dataclass(frozen=True)
class TierProgress:
    """Documents of one tier: read by this run so far, expected (from MANIFEST.json), and searchable
    in the snapshot the web chat answers from."""

    done: int = 0
    expected: int | None = None
    searchable: int = 0


@dataclass(frozen=True)
class IngestProgress:
    """One ingest run as seen from outside. `state` is running, finished, failed or interrupted."""

    state: str
    pid: int
    started_at: str
    updated_at: str
    tiers: Mapping[str, TierProgress] = field(default_factory=dict)
    chunks_embedded: int = 0
    chunks_per_s: float = 0.0
    eta_s: float | None = None
    published_generation: int | None = None  # the catalog generation the searchable snapshot holds
    error: str | None = None  # why a failed run stopped (user-facing text)

    @property
    def alive(self) -> bool:
        """Running and its process still exists (a SIGKILLed ingest leaves state "running")."""
        return self.state == "running" and pid_alive(self.pid)

    @property
    def complete(self) -> bool:
        return self.state == "finished"

    def searchable_share(self) -> float | None:
        """Searchable documents over expected documents (0..1), None when nothing is expected."""
        expected = sum(t.expected or 0 for t in self.tiers.values())
        if not expected:
            return None
        return min(1.0, sum(t.searchable for t in self.tiers.values()) / expected)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tiers"] = {k: asdict(v) for k, v in self.tiers.items()}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IngestProgress:
        tiers = {str(k): TierProgress(**v) for k, v in dict(data.get("tiers") or {}).items()}
        return cls(
            state=str(data["state"]),
            pid=int(data["pid"]),
            started_at=str(data["started_at"]),
            updated_at=str(data["updated_at"]),
            tiers=tiers,
            chunks_embedded=int(data.get("chunks_embedded") or 0),
            chunks_per_s=float(data.get("chunks_per_s") or 0.0),
            eta_s=None if data.get("eta_s") is None else float(data["eta_s"]),
            published_generation=(
                None if data.get("published_generation") is None else int(data["published_generation"])
            ),
            error=None if data.get("error") is None else str(data["error"]),
        )


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def progress_path(home: Path) -> Path:
    return Path(home) / PROGRESS_FILE


def write_progress(home: Path, progress: IngestProgress) -> None:
    """Replace the progress file atomically (readers see the old or the new file, never half)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ingest_progress.", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(progress.to_dict(), fh)
        os.replace(tmp, progress_path(home))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_progress(home: Path) -> IngestProgress | None:
    """The last progress written under `home`, or None (no ingest has written one, or unreadable)."""
    try:
        data = json.loads(progress_path(home).read_text(encoding="utf-8"))
        return IngestProgress.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def with_state(progress: IngestProgress, state: str, updated_at: str) -> IngestProgress:
    return replace(progress, state=state, updated_at=updated_at)


# --- wording ------------------------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return "about a minute"
    if seconds < 3600:
        return f"about {round(seconds / 60)} minutes"
    return f"about {seconds / 3600:.1f} hours"


def _share(share: float) -> str:
    """'41%'; 'under 1%' rather than a misleading '0%' once anything is searchable, and at most 99%
    while the run has not finished (some expected records may never become documents)."""
    if 0.0 < share < 0.005:
        return "under 1%"
    return f"{min(share, 0.99):.0%}"


def _pending_tiers(progress: IngestProgress) -> list[str]:
    """Tiers with documents still to be made searchable, in display order."""
    out = []
    for tier in TIERS:
        t = progress.tiers.get(tier.value)
        if t is not None and t.expected and t.searchable < t.expected:
            out.append(TIER_NOUNS[tier.value])
    return out


def status_line(progress: IngestProgress | None) -> str | None:
    """One line for the page and `medcite status`: documents per tier, rate and ETA; None when there
    is nothing to say (no ingest ever reported, or the last one finished)."""
    if progress is None or progress.complete:
        return None
    parts = []
    for tier in TIERS:
        t = progress.tiers.get(tier.value)
        if t is None or not t.expected:
            continue
        parts.append(f"{TIER_NOUNS[tier.value]} {min(t.searchable, t.expected):,}/{t.expected:,}")
    share = progress.searchable_share()
    done = f"{_share(share)} of the corpus searchable" if share is not None else "indexing"
    counts = f" ({', '.join(parts)})" if parts else ""
    if progress.alive:
        rate = f", {progress.chunks_per_s:.1f} passages/s" if progress.chunks_per_s else ""
        eta = f", done in {_minutes(progress.eta_s)}" if progress.eta_s is not None else ""
        return f"Indexing the corpus: {done}{counts}{rate}{eta}. Answers use what is indexed so far."
    why = f" ({progress.error})" if progress.error else ""
    return (
        f"Indexing stopped before the end{why}: {done}{counts}. Start `make run` again (or run "
        "`medcite ingest`) to finish it; nothing indexed so far is lost. Details are in the ingest "
        "log (ingest.log in the MedCite home folder)."
    )


def partial_note(progress: IngestProgress | None) -> str | None:
    """The note on an answer given from a partial index, or None when the index is complete."""
    if progress is None or progress.complete:
        return None
    share = progress.searchable_share()
    pending = _pending_tiers(progress)
    if share is None or not pending:
        return None
    still = "still indexing" if progress.alive else "not indexed yet (indexing stopped)"
    return f"Answered from {_share(share)} of the corpus; {', '.join(pending)} {still}."
