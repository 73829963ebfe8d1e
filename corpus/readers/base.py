"""Thin I/O shared by the readers: open (gzipped) JSON / JSON Lines files and turn raw records into
Documents, converting any per-record failure into a `ReadIssue` so one bad record never stops a run.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, cast

from corpus.records import ReadIssue, RecordError
from medcite.types import Document, Tier

RawRecord = tuple[str, Any]  # (location, parsed record)
ReadItem = Document | ReadIssue


def open_text(path: Path) -> IO[str]:
    """Open a plain or gzip-compressed UTF-8 text file."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def open_binary(path: Path) -> IO[bytes]:
    """Open a plain or gzip-compressed file for reading bytes."""
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def iter_jsonl(path: Path, label: str) -> Iterator[RawRecord | ReadIssue]:
    """Yield ('line N', record) per non-blank line; a line that is not a JSON object becomes an issue.

    Lines are decoded one by one, so a record in another encoding (a Latin-1 line in a UTF-8 file) is
    skipped and reported on its own instead of ending the read of the whole file."""
    with open_binary(path) as fh:
        for n, raw_line in enumerate(fh, start=1):
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield ReadIssue(label, f"line {n}", f"not valid UTF-8 (wrong encoding?) at byte {exc.start}")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ReadIssue(label, f"line {n}", f"invalid JSON: {exc.msg}")
                continue
            if not isinstance(record, dict):
                yield ReadIssue(label, f"line {n}", f"expected a JSON object, got {type(record).__name__}")
                continue
            yield (f"line {n}", record)


def load_json(path: Path) -> Any:
    """Parse a whole (gzipped) JSON file; the caller turns JSON errors into a file-level issue."""
    with open_text(path) as fh:
        return json.load(fh)


def iter_list(items: Iterable[Any], label: str) -> Iterator[RawRecord | ReadIssue]:
    """Yield ('record i', item) for a JSON list; non-objects become issues."""
    for i, item in enumerate(items):
        if isinstance(item, dict):
            yield (f"record {i}", item)
        else:
            yield ReadIssue(label, f"record {i}", f"expected a JSON object, got {type(item).__name__}")


def convert(
    raw: Iterable[RawRecord | ReadIssue],
    to_document: Callable[[Mapping[str, Any], Tier], Document],
    tier: Tier,
    label: str,
) -> Iterator[ReadItem]:
    """Apply a pure record->Document function, reporting records it rejects instead of raising."""
    for item in raw:
        if isinstance(item, ReadIssue):
            yield item
            continue
        location, record = item
        try:
            yield to_document(record, tier)
        except RecordError as exc:
            yield ReadIssue(label, location, str(exc))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # Shape surprises in one record (a list where a str was expected, ...) skip that record.
            yield ReadIssue(label, location, f"malformed record: {type(exc).__name__}: {exc}")


def read_jsonl_file(
    path: Path, tier: Tier, label: str, to_document: Callable[[Mapping[str, Any], Tier], Document]
) -> Iterator[ReadItem]:
    """The whole read_file for a JSON Lines source with one Document per line."""
    return convert(iter_jsonl(path, label), to_document, tier, label)


def read_json_records_file(
    path: Path,
    tier: Tier,
    label: str,
    to_document: Callable[[Mapping[str, Any], Tier], Document],
    records_of: Callable[[Any], Any],
    expected: str,
) -> Iterator[ReadItem]:
    """The whole read_file for one JSON document holding a list of records.

    `records_of` picks the list out of the parsed JSON; anything that is not a list is reported as
    one file-level issue saying `expected` (e.g. "a JSON list of health topics").
    """
    try:
        data = load_json(path)
    except (json.JSONDecodeError, UnicodeDecodeError, OSError, EOFError) as exc:
        yield ReadIssue(label, "", f"cannot parse JSON file: {exc}")
        return
    records = records_of(data)
    if not isinstance(records, list):
        yield ReadIssue(label, "", f"expected {expected}")
        return
    yield from convert(iter_list(records, label), to_document, tier, label)


def require_text(value: object, what: str) -> str:
    """`value` as a non-empty stripped str, else RecordError naming the missing field."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"missing {what}")
    return value


def str_list(value: object) -> list[str]:
    """A list of non-empty strings from a list, a single string or None."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]
