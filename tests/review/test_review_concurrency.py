"""20 concurrent writers (10 threads + 10 processes) on one database: nothing lost, nothing doubled."""

from __future__ import annotations

import multiprocessing as mp
import threading
from pathlib import Path

from review_fixtures import build_answer

from review.auth import FAST_TEST_HASHER
from review.rules import ReviewError
from review.store import Store

WRITERS_PER_KIND = 10
ANSWERS_PER_WRITER = 5
FEEDBACK_PER_ANSWER = 2
CONVERSATION = "shared-conversation"
CONTESTED = build_answer().answer_id  # the one answer every writer tries to claim
REVIEWER, PASSWORD = "Dr Concurrent", "password for tests"


def _write(path: str, writer: str, token: str) -> tuple[int, int]:
    """One writer's workload; returns (contested wins, contested refusals)."""
    store = Store(Path(path), hasher=FAST_TEST_HASHER)  # each writer also runs the (no-op) migration
    for i in range(ANSWERS_PER_WRITER):
        answer = build_answer(f"Question {i} from {writer}?", salt=writer)
        store.save_answer(answer)
        for rating in (1, -1)[:FEEDBACK_PER_ANSWER]:
            store.add_feedback(answer.answer_id, rating, f"{writer} says {rating}")
        store.set_status(answer.answer_id, "Under Review", token=token)
        store.append_turn(CONVERSATION, "user", f"{writer} turn {i}", answer.answer_id)
    try:
        store.set_status(CONTESTED, "Under Review", token=token)
        return 1, 0
    except ReviewError:
        return 0, 1


def _process_main(path: str, writer: str, token: str, start: mp.synchronize.Event, out: mp.Queue) -> None:
    start.wait(30)
    try:
        out.put((writer, _write(path, writer, token), None))
    except Exception as exc:  # report, so the parent can fail with the reason
        out.put((writer, None, repr(exc)))


def test_twenty_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    store = Store(path, hasher=FAST_TEST_HASHER)
    store.add_reviewer(REVIEWER, PASSWORD)
    token = store.login(REVIEWER, PASSWORD)
    assert store.save_answer(build_answer()) == CONTESTED

    ctx = mp.get_context("fork")
    start = ctx.Event()
    out: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_process_main, args=(str(path), f"proc{n}", token, start, out))
        for n in range(WRITERS_PER_KIND)
    ]
    results: dict[str, tuple[int, int]] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def thread_main(writer: str) -> None:
        start.wait(30)
        try:
            res = _write(str(path), writer, token)
            with lock:
                results[writer] = res
        except Exception as exc:
            with lock:
                errors.append(f"{writer}: {exc!r}")

    threads = [threading.Thread(target=thread_main, args=(f"thread{n}",)) for n in range(WRITERS_PER_KIND)]
    for p in procs:
        p.start()
    for t in threads:
        t.start()
    start.set()
    for _ in procs:
        writer, res, err = out.get(timeout=120)
        if err:
            errors.append(f"{writer}: {err}")
        else:
            results[writer] = res
    for p in procs:
        p.join(30)
    for t in threads:
        t.join(120)

    assert errors == []
    writers = 2 * WRITERS_PER_KIND
    assert len(results) == writers
    n_answers = writers * ANSWERS_PER_WRITER
    assert store.count("answers") == n_answers + 1
    assert store.count("feedback") == n_answers * FEEDBACK_PER_ANSWER
    # per answer: its submission and one start-of-review; plus the contested answer's two events
    assert store.count("review_events") == 2 * n_answers + 2
    assert len(store.list_answers("Under Review", limit=1000)) == n_answers + 1
    # exactly one writer won the race for the contested answer; the rest were refused cleanly
    assert sum(w for w, _ in results.values()) == 1
    assert sum(r for _, r in results.values()) == writers - 1
    turns = store.load_conversation(CONVERSATION)
    assert [t.ordinal for t in turns] == list(range(n_answers))
    assert len({t.content for t in turns}) == n_answers
