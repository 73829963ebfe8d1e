"""The web chat's background ingest (issue 19 item 1): `medcite serve --ingest` starts the web chat
at once and runs `medcite ingest --publish-every S` as a child process, which uses the other core
while the server answers from what is already published.

The child's output goes to `<home>/ingest.log`.  It ends with its parent (`follow_parent`, Linux
`PR_SET_PDEATHSIG`: even a SIGKILLed server takes it along) and the ingest's crash rules make that
safe: the next run resumes where it stopped.  Only one ingest runs per index folder
(`ingest.live.ingest_lock`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from medcite.processes import die_with_parent
from medcite.settings import Settings

LOG_FILE = "ingest.log"
# Publish a searchable snapshot at most this often (seconds); the publisher also waits at least five
# times as long as the last publish took, so on the full corpus it is every few minutes.
PUBLISH_EVERY_S = 60.0
PARENT_ENV = "MEDCITE_PARENT_PID"  # set for the child: the pid of the server it belongs to


def follow_parent() -> None:
    """In the child ingest (`medcite ingest` with MEDCITE_PARENT_PID set): end with the server.

    Linux sends SIGTERM when the parent dies (`PR_SET_PDEATHSIG`, set here in the child itself, not
    between fork and exec); SIGTERM becomes KeyboardInterrupt, so the run records "interrupted" and
    leaves the index settled. A parent already gone before this ran means exit at once."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return
    signal.signal(signal.SIGTERM, _interrupt)
    if not die_with_parent(signal.SIGTERM, int(parent)):
        raise SystemExit("The web chat that started this ingest has stopped; not ingesting.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_following_parent() -> None:
    """After the run is recorded: a SIGTERM from the server now just ends the process (no
    KeyboardInterrupt traceback from the interpreter's teardown in ingest.log)."""
    if os.environ.get(PARENT_ENV):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def needs_ingest(settings: Settings) -> bool:
    """Whether the index under settings.home is missing, unfinished or built from another corpus
    (`make run` then indexes in the background; otherwise it just serves)."""
    from corpus.manifest import corpus_hash
    from index.reader import read_manifest

    manifest = read_manifest(settings)
    if manifest is None or manifest.built_at is None or manifest.corpus_hash is None:
        return True
    if manifest.bm25_generation != manifest.catalog_generation:
        return True
    return manifest.corpus_hash != corpus_hash(settings.corpus)


def ingest_command(publish_every_s: float = PUBLISH_EVERY_S, corpus: Path | None = None) -> list[str]:
    """The child's command line: this interpreter running the CLI's ingest."""
    cmd = [sys.executable, "-m", "medcite", "ingest", "--quiet", "--publish-every", str(publish_every_s)]
    if corpus is not None:
        cmd += ["--corpus", str(corpus)]
    return cmd


def start_background_ingest(
    settings: Settings, publish_every_s: float = PUBLISH_EVERY_S, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start the ingest child for `settings` (same home, corpus and settings through the environment)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    child_env = {**os.environ, **(env or {})}
    child_env["MEDCITE_HOME"] = str(settings.home)
    child_env["MEDCITE_CORPUS"] = str(settings.corpus)
    child_env[PARENT_ENV] = str(os.getpid())
    log = open(settings.home / LOG_FILE, "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            ingest_command(publish_every_s),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env,
        )
    finally:
        log.close()  # the child holds its own descriptor


def stop_background_ingest(proc: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """Stop the child (SIGTERM, then SIGKILL); safe at any point, the next run resumes."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)
