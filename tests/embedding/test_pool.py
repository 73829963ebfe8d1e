"""The ingest's encoder pool (embedding.pool): worker processes give the vectors this process gives,
in order, and a worker that fails or dies turns into an error that says what to do."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from ingest_factory import CountingEmbedder

from embedding.factory import ingest_embedder
from embedding.pool import TEXTS_PER_TASK, ParallelEmbedder, parallel, resolve_workers
from medcite.embedding import HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import load_settings

TEXTS = [
    f"passage {i} about metformin dose {i % 7} mg and renal function {i * 3}"
    for i in range(3 * TEXTS_PER_TASK + 5)
]


def test_workers_give_the_vectors_of_this_process_in_order() -> None:
    local = HashingEmbedder()
    with ParallelEmbedder(local, HashingEmbedder, workers=2) as pooled:
        first = pooled.submit(TEXTS)  # two batches in flight at once, as the ingest runs them
        second = pooled.submit(TEXTS[::-1])
        assert np.array_equal(first(), local.embed_documents(TEXTS))
        assert np.array_equal(second(), local.embed_documents(TEXTS[::-1]))
        assert pooled.embed_documents([]).shape == (0, local.dim)
        assert np.array_equal(pooled.embed_query("metformin"), local.embed_query("metformin"))
        assert (pooled.name, pooled.dim) == (local.name, local.dim)


def test_an_error_inside_a_worker_reaches_the_caller() -> None:
    failing = functools.partial(CountingEmbedder, fail_after_calls=0)
    with (
        ParallelEmbedder(HashingEmbedder(), failing, workers=1) as pooled,
        pytest.raises(RuntimeError, match="simulated crash"),
    ):
        pooled.embed_documents(TEXTS)


def test_a_worker_that_dies_is_reported_with_what_to_do() -> None:
    slow = functools.partial(CountingEmbedder, delay_s=0.5)
    with ParallelEmbedder(HashingEmbedder(), slow, workers=2) as pooled:
        pending = pooled.submit(TEXTS)
        deadline = time.monotonic() + 30
        while not pooled._pool._processes and time.monotonic() < deadline:  # noqa: SLF001
            time.sleep(0.05)
        os.kill(next(iter(pooled._pool._processes)), signal.SIGKILL)  # noqa: SLF001
        with pytest.raises(MedCiteError) as err:
            pending()
    assert "ENCODE_WORKERS=1" in (err.value.hint or "")


def test_one_worker_or_no_factory_encodes_in_this_process() -> None:
    local = HashingEmbedder()
    with parallel(local, HashingEmbedder, 1) as e1, parallel(local, None, 4) as e2:
        assert e1 is local and e2 is local


def test_worker_count_setting() -> None:
    assert resolve_workers(3) == 3
    assert 1 <= resolve_workers(0) <= 8


def test_ingest_embedder_pools_by_setting(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", index={"embedding_model": "fake"})
    with ingest_embedder(settings.replace(index={"encode_workers": 2})) as pooled:
        assert isinstance(pooled, ParallelEmbedder) and pooled.workers == 2
        assert np.array_equal(pooled.embed_documents(TEXTS[:3]), HashingEmbedder().embed_documents(TEXTS[:3]))
    with ingest_embedder(settings.replace(index={"encode_workers": 1})) as local:
        assert not isinstance(local, ParallelEmbedder)


_OWNER = """
import functools, sys, time
sys.path.insert(0, {tests!r})
from ingest_factory import CountingEmbedder
from embedding.pool import ParallelEmbedder
from medcite.embedding import HashingEmbedder
if __name__ == "__main__":
    pooled = ParallelEmbedder(HashingEmbedder(), functools.partial(CountingEmbedder, delay_s=0.2), workers=2)
    pending = pooled.submit(["text"] * 200)
    while len(pooled._pool._processes) < 2:
        time.sleep(0.05)
    print(*pooled._pool._processes, flush=True)
    pending()
"""


def test_workers_end_with_a_sigkilled_owner(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(_OWNER.format(tests=str(Path(__file__).resolve().parents[1])))
    owner = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert owner.stdout is not None
        workers = [int(p) for p in owner.stdout.readline().split()]
        assert len(workers) == 2
        time.sleep(0.5)  # the workers are encoding
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "an encoder worker outlived its owner"
    finally:
        if owner.poll() is None:
            owner.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
