"""Child processes that end with their parent (Linux `PR_SET_PDEATHSIG`): the web chat's background
ingest (ingest.background) and the ingest's encoder workers (embedding.pool)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: signal.Signals, parent_pid: int) -> bool:
    """Ask Linux to send `sig` to this process when its parent dies (set in the child itself, not
    between fork and exec); False when `parent_pid` is already gone (the caller should exit)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)
    return os.getppid() == parent_pid
