"""Shared test setup: everything offline, no telemetry, fake embedder unless a test opts in."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

BlockedCheck = Callable[[Callable[[], object], threading.Event, threading.Event, Callable[[], object]], None]


def _assert_completes_while_blocked(
    blocked: Callable[[], object],
    entered: threading.Event,
    release: threading.Event,
    others: Callable[[], object],
) -> None:
    """Run `blocked` in a thread until it signals `entered` (it is now held inside a slow call that
    waits on `release`), then `others` in a second thread: `others` must finish while `blocked` is
    still held. `release` is always set at the end, and `blocked` must then finish."""
    slow = threading.Thread(target=blocked)
    slow.start()
    try:
        assert entered.wait(10)
        done = threading.Event()

        def run_others() -> None:
            others()
            done.set()

        t = threading.Thread(target=run_others)
        t.start()
        assert done.wait(10), "a query waited on another query's model call"
        t.join()
    finally:
        release.set()
        slow.join(10)
    assert not slow.is_alive()


@pytest.fixture
def completes_while_blocked() -> BlockedCheck:
    """The check that one call held inside a slow model call does not block other calls."""
    return _assert_completes_while_blocked
