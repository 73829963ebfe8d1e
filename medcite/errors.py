"""Errors by audience: a `MedCiteError` carries safe, actionable text for the CLI and UI."""

from __future__ import annotations


class MedCiteError(Exception):
    """A user-facing error: `str(err)` says what went wrong and what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class IndexMissingError(MedCiteError):
    """No index has been built under the configured home directory."""


class IndexMismatchError(MedCiteError):
    """The index on disk was built with different index-defining settings."""


class IndexBusyError(MedCiteError):
    """An ingest is writing the index right now (or publishing a snapshot of it): try again later."""


class CorpusError(MedCiteError):
    """The corpus folder or its manifest cannot be used."""
