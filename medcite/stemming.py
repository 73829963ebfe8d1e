"""The one English stemmer (Snowball "english" via PyStemmer) for word matching outside BM25.

The BM25 index stems with the same algorithm (index/keyword.py), so the answer engine's term
overlaps and the fake embedder fold words the way retrieval does.  PyStemmer's `Stemmer` objects
are not thread-safe, so each thread gets its own (each keeps its own small word cache).
"""

from __future__ import annotations

import threading
from typing import Any

_LOCAL = threading.local()


def _stemmer() -> Any:
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _LOCAL.stemmer = Stemmer.Stemmer("english")
    return stemmer


def stem(word: str) -> str:
    """Stem of one lowercase word ('treatments' -> 'treatment', 'infections' -> 'infect')."""
    return str(_stemmer().stemWord(word))
