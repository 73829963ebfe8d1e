"""Issue 19: SIGKILL the web chat's process while it answers from a partial index and its background
ingest (a child process) adds to it.  The ingest dies with its server, and the next run resumes
with nothing lost or duplicated: the catalog, Chroma and BM25 agree, every corpus document is in
the index once, and one more run has nothing to do."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rel_support import FIXTURE_CORPUS, QUESTION, store_counts

from corpus.manifest import read_corpus
from index.progress import pid_alive, read_progress
from ingest.pipeline import run_ingest
from medcite.embedding import HashingEmbedder
from medcite.settings import Settings, load_settings

TRIALS = 3
SYNTHETIC_PAGES = 1500  # enough that the background ingest is still running when the kill lands

# The "server": the web chat's engine path without Gradio (the same start_background_ingest and
# LiveEngine `medcite serve --ingest` uses), asking the reference question in a loop.
_SERVER = textwrap.dedent(
    """
    import sys, time
    from ingest.background import start_background_ingest
    from medcite.embedding import HashingEmbedder
    from medcite.errors import MedCiteError
    from medcite.settings import load_settings
    from qa.live import LiveEngine

    settings = load_settings(home={home!r}, corpus={corpus!r}, index={{"embedding_model": "fake"}})
    fake = {{"MEDCITE_INDEX__EMBEDDING_MODEL": "fake"}}
    child = start_background_ingest(settings, publish_every_s=0, env=fake)
    print("ingest", child.pid, flush=True)
    live = LiveEngine(settings, HashingEmbedder(), check_every_s=0.1)
    while True:
        try:
            answer = live.ask({question!r})
            print("answered", len(answer.citations), answer.notices[-1] if answer.notices else "", flush=True)
        except MedCiteError:
            print("waiting", flush=True)
        time.sleep(0.05)
    """
)


def _corpus_with_synthetic_pages(root: Path) -> Path:
    """The fixture corpus plus SYNTHETIC_PAGES patient pages (MedQuAD format), manifest updated."""
    corpus = root / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    path = corpus / "patient" / "medquad.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    for i in range(SYNTHETIC_PAGES):
        text = f"Condition {i} is managed with rest, fluids and follow-up. " * 12
        lines.append(
            json.dumps(
                {
                    "qid": f"synthetic-{i:05d}",
                    "question": f"What is condition {i}?",
                    "answer": text + "\n\n" + text.replace("rest", "exercise"),
                    "url": f"https://example.org/conditions/{i}",
                    "focus": f"Condition {i}",
                    "source": "synthetic",
                    "collection": "synthetic",
                    "qtype": "information",
                }
            )
            + "\n"
        )
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    for entry in manifest:
        if entry["path"] == "patient/medquad.jsonl.gz":
            entry["records"] = len(lines)
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (corpus / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    return corpus


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (the ingest's encoder workers, its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _serve_then_kill(
    settings: Settings, delay_s: float, timeout_s: float = 120.0
) -> tuple[str, int, list[int]]:
    """Run the server child until it has answered from a partial index, wait `delay_s`, SIGKILL it.
    Returns ('killed' | 'finished', the ingest child's pid, its encoder workers' pids at the kill)."""
    code = _SERVER.format(home=str(settings.home), corpus=str(settings.corpus), question=QUESTION)
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    ingest_pid = 0
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + timeout_s
        answered = False
        while time.monotonic() < deadline and not answered:
            line = server.stdout.readline()
            assert line, "the server child exited early"
            if line.startswith("ingest "):
                ingest_pid = int(line.split()[1])
            answered = line.startswith("answered")
        assert answered, "no answer from the partial index in time"
        time.sleep(delay_s)
        workers: list[int] = []
        while ingest_pid and time.monotonic() < deadline:  # the kill lands while encoder workers run
            workers = [w for w in _children(ingest_pid) if b"spawn_main" in _cmdline(w)]
            if workers or not pid_alive(ingest_pid):
                break
            time.sleep(0.05)
        progress = read_progress(settings.home)
        running = progress is not None and progress.alive
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        return ("killed" if running else "finished"), ingest_pid, workers
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


def _wait_gone(pid: int, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is ours (it is not: the server's)
        except ChildProcessError:
            done = 0
        if done or not pid_alive(pid) or _is_zombie(pid):
            return True
        time.sleep(0.1)
    return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return True


@pytest.mark.slow
def test_sigkill_while_serving_and_ingesting_then_the_next_run_resumes(tmp_path: Path) -> None:
    corpus = _corpus_with_synthetic_pages(tmp_path)
    expected_docs = len({d.doc_id for d in read_corpus(corpus).documents})
    settings = load_settings(home=tmp_path / "home", corpus=corpus, index={"embedding_model": "fake"})
    rng = random.Random(19)  # seeded: a failure names a reproducible kill schedule
    outcomes, workers_seen = [], 0
    for _ in range(TRIALS):
        outcome, ingest_pid, workers = _serve_then_kill(settings, rng.uniform(0.0, 1.5))
        outcomes.append(outcome)
        assert ingest_pid and _wait_gone(ingest_pid), "the background ingest outlived its server"
        assert all(_wait_gone(w) for w in workers), "an encoder worker outlived its ingest"
        workers_seen += len(workers)
        if outcome == "finished":
            break
    assert "killed" in outcomes, outcomes  # at least one kill landed mid-ingest
    assert workers_seen, "the background ingest ran no encoder workers (embedding.pool)"

    result = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    assert result.documents_total == expected_docs
    chunks, vectors, bm25, orphans = store_counts(settings)
    assert chunks == vectors == bm25 == result.chunks_total and not orphans
    again = run_ingest(settings, HashingEmbedder(), corpus=corpus, progress=False)
    assert (again.added, again.updated, again.deleted, again.chunks_embedded) == (0, 0, 0, 0)
    final = read_progress(settings.home)
    assert final is not None and final.complete
