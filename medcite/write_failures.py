"""Turn a failed index write (disk full, read-only folder, database locked or corrupt) into a user-facing
`MedCiteError` that says what happened, that the previous index is still usable, and what to do.

    with index_write_errors():
        run_ingest(settings, embedder)

The ingest pipeline commits the SQLite catalog (the source of truth) per batch after the vectors are
written and repairs stray or missing vectors at the start of the next run, so after any such failure the
index holds the last committed state and `medcite ingest` resumes (see ingest/pipeline.py).
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from medcite.errors import MedCiteError

__all__ = ["IndexWriteError", "describe_write_failure", "index_write_errors"]

_RESUME = (
    "The index still holds everything committed before the failure and can be searched. "
    "Fix the cause, then run `medcite ingest` again: it repairs and resumes where it stopped."
)


class IndexWriteError(MedCiteError):
    """Writing the index failed part-way; the previous index is still usable."""


def describe_write_failure(exc: BaseException) -> str | None:
    """A one-line cause for errors that mean "could not write the index", else None (a bug, re-raised)."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"MedCite may not write to {exc.filename or 'the index folder'} ({exc.strerror})"
        return f"a file could not be written ({exc.strerror or exc})"
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if "full" in text:
            return "the disk is full (the catalog database could not grow)"
        if "locked" in text or "busy" in text:
            return "the catalog database is locked by another process (is another ingest running?)"
        return f"the catalog database could not be written ({exc})"
    name = type(exc).__module__.split(".")[0]
    if name == "chromadb":  # chromadb wraps its storage errors in its own exception types
        return f"the vector store could not be written ({exc})"
    return None


@contextmanager
def index_write_errors() -> Iterator[None]:
    """Re-raise storage failures as `IndexWriteError` (other exceptions pass through unchanged)."""
    try:
        yield
    except MedCiteError:
        raise
    except Exception as exc:
        cause = describe_write_failure(exc)
        if cause is None:
            raise
        raise IndexWriteError(f"Ingest stopped: {cause}.", hint=_RESUME) from exc
