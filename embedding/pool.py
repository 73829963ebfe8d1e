"""Ingest's encoder on every core: the model in N single-threaded worker processes (issue 19 item 3).

On machine E one onnxruntime session with two intra-op threads encodes one text per call at ~128
chunks/s; two processes with one thread each reach ~159/s on the same texts (two Python threads
sharing a one-thread session only ~148/s), and encoding is ~85% of a full ingest.  A worker runs
the same export with the same options one text per call, so its vectors are bit-identical to the
in-process embedder's (tests/embedding): the worker count never changes an index.

`ParallelEmbedder.submit` starts encoding and returns a handle, so the ingest chunks and commits one
batch while the workers encode the next.  Workers end with the process that started them (Linux
`PR_SET_PDEATHSIG`; even a SIGKILLed ingest takes them along) and ignore Ctrl-C, which the parent
handles by closing the pool.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from medcite.embedding import Embedder
from medcite.errors import MedCiteError
from medcite.processes import die_with_parent

# Texts per task sent to a worker: small enough to keep both workers busy to the end of a batch,
# large enough that the pickling round trip (~40 KB each way) is noise beside ~100 ms of encoding.
TEXTS_PER_TASK = 16

_worker_embedder: Embedder | None = None


def _init_worker(factory: Callable[[], Embedder], parent_pid: int) -> None:
    """Run in each worker: follow the parent, leave Ctrl-C to it, build the model once."""
    global _worker_embedder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not die_with_parent(signal.SIGKILL, parent_pid):  # the parent died before the signal was armed
        os._exit(1)
    _worker_embedder = factory()


def _encode(texts: list[str]) -> np.ndarray:
    assert _worker_embedder is not None, "worker not initialised"
    return np.asarray(_worker_embedder.embed_documents(texts), dtype=np.float32)


class ParallelEmbedder:
    """An `Embedder` whose documents are encoded by `workers` processes, each built by `factory`.

    `local` (the same model in this process) gives the name, the dimension and query vectors; the
    factory must build a model that gives the same vectors (the caller's promise: the same export,
    one text per call).  Use as a context manager, or call `close()`.
    """

    def __init__(self, local: Embedder, factory: Callable[[], Embedder], workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.name = local.name
        self.dim = local.dim
        self._local = local
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),  # no fork of a process holding Chroma
            initializer=_init_worker,
            initargs=(factory, os.getpid()),
        )

    def submit(self, texts: Sequence[str]) -> Callable[[], np.ndarray]:
        """Start encoding `texts`; the returned function waits and gives the (n, dim) vectors in order."""
        parts: list[Future[np.ndarray]] = []
        try:
            for start in range(0, len(texts), TEXTS_PER_TASK):
                parts.append(self._pool.submit(_encode, list(texts[start : start + TEXTS_PER_TASK])))
        except (BrokenProcessPool, RuntimeError) as exc:
            raise _broken(exc) from exc

        def result() -> np.ndarray:
            if not parts:
                return np.zeros((0, self.dim), dtype=np.float32)
            try:
                return np.concatenate([p.result() for p in parts])
            except BrokenProcessPool as exc:
                raise _broken(exc) from exc

        return result

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.submit(texts)()

    def embed_query(self, text: str) -> np.ndarray:
        return self._local.embed_query(text)

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers. `abort` (an ingest that failed or was interrupted) terminates them first:
        a worker blocked writing a result nobody will read would otherwise hold the shutdown forever."""
        if abort:
            for proc in list((self._pool._processes or {}).values()):  # noqa: SLF001 - no public terminate before 3.14
                with contextlib.suppress(Exception):
                    proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParallelEmbedder:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(abort=exc_type is not None)


def _broken(exc: BaseException) -> MedCiteError:
    return MedCiteError(
        f"An encoder worker process stopped unexpectedly ({type(exc).__name__}: {exc}).",
        hint="Out of memory? Run `medcite ingest` again (it resumes), or set "
        "MEDCITE_INDEX__ENCODE_WORKERS=1 to encode in the ingest process itself.",
    )


def resolve_workers(setting: int) -> int:
    """The encoder process count a setting asks for: 0 means one per core (at most 8)."""
    if setting > 0:
        return setting
    return max(
        1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


@contextlib.contextmanager
def parallel(local: Embedder, factory: Callable[[], Embedder] | None, workers: int) -> Iterator[Embedder]:
    """`local` itself when one worker is asked for or no factory exists; otherwise a pool, closed on exit."""
    if factory is None or workers <= 1:
        yield local
        return
    with ParallelEmbedder(local, factory, workers) as pooled:
        yield pooled
