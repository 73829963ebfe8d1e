"""Run Chroma's own server (`chroma run`) on this machine and copy an index between backends.

`medcite store serve` and `medcite store copy`, the two-backend store tests and the scale benchmark
all start the server through `chroma_server`, which binds 127.0.0.1 by default and waits for
`GET /api/v2/heartbeat` before handing back the URL.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from index.vector_store import VectorStore
from medcite.errors import MedCiteError

HEARTBEAT = "/api/v2/heartbeat"


def chroma_executable() -> str:
    """The `chroma` CLI installed with chromadb (next to this Python first, then on PATH)."""
    beside = Path(sys.executable).with_name("chroma")
    if beside.exists():
        return str(beside)
    found = shutil.which("chroma")
    if found is None:
        raise MedCiteError(
            "The `chroma` command is not installed.", hint="Run `make install` (it installs chromadb)."
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def heartbeat_ok(url: str, timeout_s: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}{HEARTBEAT}", timeout=timeout_s) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@contextmanager
def chroma_server(
    path: Path,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    log: IO[bytes] | int | None = subprocess.DEVNULL,
    timeout_s: float = 60.0,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start `chroma run --path PATH`, wait until it answers the heartbeat, stop it on exit."""
    port = port or free_port(host)
    url = f"http://{host}:{port}"
    if heartbeat_ok(url, 0.5):
        raise MedCiteError(f"Something already answers on {url}.", hint="Choose another --port.")
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [chroma_executable(), "run", "--path", str(path), "--host", host, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + timeout_s
        while not heartbeat_ok(url):
            if proc.poll() is not None:
                raise MedCiteError(
                    f"`chroma run` exited with code {proc.returncode} before answering on {url}.",
                    hint="Check that the port is free and the data folder is writable.",
                )
            if time.monotonic() > deadline:
                raise MedCiteError(f"`chroma run` did not answer on {url} within {timeout_s:.0f} s.")
            time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@dataclass(frozen=True)
class CopyResult:
    copied: int
    source_count: int
    target_count: int


def copy_vectors(
    source: VectorStore,
    target: VectorStore,
    *,
    page: int = 2000,
    on_page: Callable[[int], None] | None = None,
) -> CopyResult:
    """Copy every vector with its metadata from one collection to another, without re-embedding.

    Upserts are idempotent, so an interrupted copy is finished by running it again. Vectors in the
    target that the source lacks are deleted, so afterwards the target holds exactly the source.
    """
    copied = 0
    seen: set[str] = set()
    for ids, vectors, metadatas in source.pages(page):
        target.upsert_raw(ids, vectors, metadatas)
        seen.update(ids)
        copied += len(ids)
        if on_page is not None:
            on_page(len(ids))
    extra = sorted(target.ids() - seen)
    if extra:
        target.delete(extra)
    return CopyResult(copied=copied, source_count=source.count(), target_count=target.count())
