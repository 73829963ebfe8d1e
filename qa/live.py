"""Answering while the index grows (issue 19 items 1 and 2).

`LiveEngine` stands where the web chat expects an `AnswerEngine`. It answers from the last snapshot
the background ingest published (`index.open_index(live=True)`: the keyword index and the dense
matrix of one catalog generation, Chroma untouched), swaps in a newer snapshot when the manifest
says one was published, and notes on every answer given from a partial index how much of the
corpus it covers (`index.progress.partial_note`).  Before the first snapshot it refuses with a
message that says indexing has started.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from index.progress import IngestProgress, partial_note, read_progress, status_line
from index.reader import Index, open_index, read_manifest
from medcite.embedding import Embedder
from medcite.errors import IndexBusyError, IndexMissingError, MedCiteError
from medcite.settings import Settings
from medcite.types import Answer, Audience, SearchFilters, answer_content_id
from qa.engine import AnswerEngine

log = logging.getLogger(__name__)

# How often (seconds) the manifest and the progress file are looked at: one small SQLite read and
# one small JSON read, not per token of a streamed answer.
CHECK_EVERY_S = 2.0


def noted(answer: Answer, note: str | None) -> Answer:
    """The answer with `note` added to its notices (and its content id recomputed)."""
    if not note or note in answer.notices:
        return answer
    with_note = replace(answer, notices=(*answer.notices, note))
    return replace(with_note, answer_id=answer_content_id(with_note))


class LiveEngine:
    """An answer engine over whatever the running (or last) ingest has published."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        *,
        build: Callable[[Index, Settings], AnswerEngine] = AnswerEngine,
        check_every_s: float = CHECK_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        on_new_engine: Callable[[AnswerEngine], None] | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._build = build
        self._check_every_s = check_every_s
        self._clock = clock
        self._on_new_engine = on_new_engine
        self._lock = threading.Lock()
        self._engine: AnswerEngine | None = None
        self._generation: int | None = None
        self._published: tuple[object, ...] | None = None  # the manifest state the engine was opened at
        self._problem: MedCiteError | None = None  # why nothing can be opened (not "not yet")
        self._checked = -1e9
        self._progress: IngestProgress | None = None
        self.refresh(force=True)

    # --- what the web chat and the answer service read ----------------------------------------

    @property
    def engine(self) -> AnswerEngine | None:
        return self._engine

    @property
    def generation(self) -> int | None:
        """The catalog generation of the snapshot answering now (None before the first)."""
        return self._generation

    @property
    def lexicon(self) -> Any:
        return self._engine.lexicon if self._engine is not None else None

    @property
    def corpus_hash(self) -> str:
        return self._engine.corpus_hash if self._engine is not None else ""

    @property
    def progress(self) -> IngestProgress | None:
        return self._progress

    def status(self) -> str | None:
        """The page's status line (None when the index is complete); never raises (a timer calls it)."""
        try:
            self.refresh()
        except Exception:  # noqa: BLE001 - the status line must not break the page
            log.exception("could not read the index status")
        if self._problem is not None and self._engine is None:
            return f"The index cannot be used: {self._problem}"
        return status_line(self._progress)

    # --- answering ----------------------------------------------------------------------------

    def ask_stream(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Any = None,
        filters: SearchFilters | None = None,
    ) -> Iterator[Answer]:
        self.refresh()
        engine = self._engine
        if engine is None and self._problem is not None:
            raise self._problem
        if engine is None:
            line = status_line(self._progress)
            raise MedCiteError(
                "The index is still being built and nothing is searchable yet. " + (line or ""),
                hint="The first sources become searchable within a few minutes; ask again then.",
            )
        note = partial_note(self._progress)
        for answer in engine.ask_stream(question, audience, conversation, filters):
            yield noted(answer, note)

    def ask(
        self,
        question: str,
        audience: Audience = "clinician",
        conversation: Any = None,
        filters: SearchFilters | None = None,
    ) -> Answer:
        answers = list(self.ask_stream(question, audience, conversation, filters))
        return answers[-1]

    # --- following the ingest -----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> bool:
        """Look (at most every `check_every_s`) for a newer published snapshot and open it; returns
        whether the engine changed. A publish under way, or nothing published yet, keeps what is
        there."""
        now = self._clock()
        if not force and now - self._checked < self._check_every_s:
            return False
        with self._lock:
            if not force and now - self._checked < self._check_every_s:
                return False
            self._checked = now
            self._progress = read_progress(self.settings.home)
            published = self._published_state()
            if published is None or published == self._published:
                return False
            try:
                index = open_index(self.settings, self._embedder, live=True)
            except (IndexMissingError, IndexBusyError):
                return False  # nothing published yet, or a publish under way: look again soon
            except MedCiteError as exc:  # another model or chunking: `medcite ingest --rebuild`
                self._problem = exc
                return False
            try:
                engine = self._build(index, self.settings)
            except BaseException:
                index.close()
                raise
            self._engine, self._generation, self._published = engine, index.generation, published
            self._problem = None
        if self._on_new_engine is not None:
            self._on_new_engine(engine)
        return True

    def _published_state(self) -> tuple[object, ...] | None:
        """What the manifest says is searchable (generation, corpus hash, when), None before the first
        publish. The corpus hash is recorded when a run finishes, often without a new generation."""
        manifest = read_manifest(self.settings)
        if manifest is None or manifest.built_at is None:
            return None
        return (manifest.bm25_generation, manifest.corpus_hash, manifest.built_at)
