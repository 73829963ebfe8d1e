"""An ingest others can watch and search while it runs (issue 19 items 1 and 2).

- `ingest_lock`: one ingest per index folder at a time (a second one is refused with a message);
  the lock is an flock, so a killed ingest never leaves it behind.
- `ProgressTracker`: counts documents per tier, chunks embedded, the rate and an ETA, and writes
  them through `index.progress` after every batch.
- `INGEST_TIER_ORDER`: the order tiers are ingested in, most useful to a first question first
  (guidelines and labels, then patient information, then the far larger research tier).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from index.progress import IngestProgress, TierProgress, read_progress, write_progress
from medcite.errors import MedCiteError
from medcite.types import Tier

INGEST_TIER_ORDER: tuple[Tier, ...] = (Tier.GUIDELINE, Tier.DRUG_LABEL, Tier.PATIENT_INFO, Tier.RESEARCH)
_RANK = {t.value: i for i, t in enumerate(INGEST_TIER_ORDER)}
LOCK_FILE = "ingest.lock"
LOCK_WAIT_S = 5.0
# Progress is written at most this often (a batch can take well under a second on small corpora).
WRITE_EVERY_S = 2.0
# Chunks per document of each tier, for the ETA of tiers not reached yet when the corpus could not be
# sampled (a list of documents; see ingest.pipeline.sample_chunks_per_doc); once a tier is being
# embedded its own ratio is used.  Measured by chunking the shared corpus with the default chunking
# (900/150): 34,795 documents, 148,168 chunks.  Tiers differ 60-fold, so one ratio for all would put
# the full-corpus ETA off by a factor of ten either way.
TYPICAL_CHUNKS_PER_DOC: dict[str, float] = {
    Tier.GUIDELINE.value: 28.4,
    Tier.DRUG_LABEL.value: 92.2,
    Tier.PATIENT_INFO.value: 2.2,
    Tier.RESEARCH.value: 1.4,
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def ingest_lock(home: Path, wait_s: float | None = None) -> Iterator[None]:
    """Hold the index folder's ingest lock, or raise MedCiteError naming the running ingest.

    Waits up to `wait_s` (default LOCK_WAIT_S) first: an ingest stopped a moment ago (its server was
    closed or killed) may still be exiting."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    fh = open(home / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole ingest
    try:
        if not _try_lock(fh.fileno(), LOCK_WAIT_S if wait_s is None else wait_s):
            running = read_progress(home)
            who = f" (pid {running.pid})" if running is not None and running.alive else ""
            raise MedCiteError(
                f"Another ingest is already running on {home}{who}.",
                hint="Wait for it to finish (`medcite status` shows its progress) or stop it first.",
            ) from None
        yield
    finally:
        fh.close()  # closing the file releases the lock


def _try_lock(fd: int, wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


class ProgressTracker:
    """Per-tier document counts, chunk rate and ETA of one ingest run, written to the progress file.

    `expected` holds the documents each tier should have (MANIFEST.json record counts), `searchable`
    the documents per tier in the snapshot readers search now (from the catalog at start, updated on
    every publish).  The ETA assumes each tier's remaining documents yield as many chunks as those
    embedded so far in that tier (for a tier not reached yet, `chunks_per_doc` sampled from the
    corpus, else TYPICAL_CHUNKS_PER_DOC).  `indexed` holds the documents per tier the catalog had
    when the run started (finished or not): a resumed ingest reads and skips those, so only a
    tier's documents beyond them count in full.
    """

    def __init__(
        self,
        home: Path | None,
        expected: Mapping[str, int],
        searchable: Mapping[str, int],
        published_generation: int | None,
        clock: Callable[[], float] = time.monotonic,
        *,
        tier_ordered: bool = False,
        chunks_per_doc: Mapping[str, float] | None = None,
        indexed: Mapping[str, int] | None = None,
    ) -> None:
        self.home = home
        self.tier_ordered = tier_ordered
        # per tier, for tiers not embedded yet: sampled from the corpus, else TYPICAL_CHUNKS_PER_DOC
        self.prior = {**TYPICAL_CHUNKS_PER_DOC, **(chunks_per_doc or {})}
        self.expected = dict(expected)
        self.indexed = dict(indexed or {})
        self.searchable = dict(searchable)
        self.published_generation = published_generation
        self.done: dict[str, int] = {}
        self.embedded_docs: dict[str, int] = {}
        self.embedded_chunks: dict[str, int] = {}
        self.chunks = 0
        self._clock = clock
        self._start = clock()
        self._last_write = -1e9
        self.started_at = _now()
        self.state = "running"
        self.error: str | None = None

    def documents(self, tier: str, read: int, embedded: int, chunks: int) -> None:
        """`read` documents of `tier` seen, of which `embedded` were (re-)embedded into `chunks`.

        When the corpus is read tier by tier (`tier_ordered`: a corpus folder, in INGEST_TIER_ORDER),
        a tier has all the documents it will get once a later tier starts: its expected count
        (MANIFEST.json records, which can exceed the documents they make, e.g. FDARxBench passages
        grouped by label) becomes what was read."""
        if self.tier_ordered and tier in _RANK:
            for earlier in INGEST_TIER_ORDER[: _RANK[tier]]:
                if earlier.value in self.done:
                    self.expected[earlier.value] = self.done[earlier.value]
        self.done[tier] = self.done.get(tier, 0) + read
        self.embedded_docs[tier] = self.embedded_docs.get(tier, 0) + embedded
        self.embedded_chunks[tier] = self.embedded_chunks.get(tier, 0) + chunks
        self.chunks += chunks

    def published(self, generation: int, searchable: Mapping[str, int]) -> None:
        self.published_generation = generation
        self.searchable = dict(searchable)
        self.write(force=True)

    def rate(self) -> float:
        return self.chunks / max(1e-6, self._clock() - self._start)

    def eta_s(self) -> float | None:
        """Seconds to the end at the rate so far. A tier's documents left count with its chunks per
        document; of those, the ones the index already held at start count only with the share of
        documents read so far that needed embedding (an update, or a resumed run, only reads and
        compares them), the others in full."""
        rate = self.rate()
        if rate <= 0:
            return None
        read = sum(self.done.values())
        to_embed = sum(self.embedded_docs.values()) / read if read else 1.0
        remaining = 0.0
        for tier, expected in self.expected.items():
            done = self.done.get(tier, 0)
            left = max(0, expected - done)
            n = self.embedded_docs.get(tier, 0)
            per_doc = self.embedded_chunks.get(tier, 0) / n if n else self.prior.get(tier)
            if left and per_doc is None:
                return None
            held_left = min(left, max(0, self.indexed.get(tier, 0) - (done - n)))  # indexed, not read yet
            remaining += ((left - held_left) + held_left * to_embed) * (per_doc or 0.0)
        return remaining / rate

    def snapshot(self) -> IngestProgress:
        tiers = {
            t: TierProgress(self.done.get(t, 0), self.expected.get(t), self.searchable.get(t, 0))
            for t in sorted(set(self.expected) | set(self.done) | set(self.searchable))
        }
        return IngestProgress(
            state=self.state,
            pid=os.getpid(),
            started_at=self.started_at,
            updated_at=_now(),
            tiers=tiers,
            chunks_embedded=self.chunks,
            chunks_per_s=round(self.rate(), 2),
            eta_s=None if self.state != "running" else self.eta_s(),
            published_generation=self.published_generation,
            error=self.error,
        )

    def write(self, *, force: bool = False) -> None:
        if self.home is None:
            return
        if not force and self._clock() - self._last_write < WRITE_EVERY_S:
            return
        self._last_write = self._clock()
        write_progress(self.home, self.snapshot())

    def finish(self, state: str, error: str | None = None) -> None:
        self.state = state
        self.error = error
        self.write(force=True)
