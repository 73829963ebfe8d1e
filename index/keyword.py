"""BM25 keyword index (bm25s) over every catalogued chunk's `embed_text`.

Saved atomically: built into a temporary sibling folder, then swapped in with renames, so a
killed build leaves the previous index (or none) — never half of one.  A JSON sidecar holds the
chunk ids in index order and the catalog generation the index was built from; a mismatch with the
catalog means "stale, rebuild".
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SIDECAR = "medcite_bm25.json"
_FORMAT = 1


def _bm25s() -> Any:
    """The bm25s module, its logger quieted: bm25s sets it to DEBUG, so once anything configures the
    root logger its "Building index from tokens" reached the user's terminal at the end of an ingest."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=1)
def _shared_stemmer() -> Any:
    return _stemmer()


@functools.lru_cache(maxsize=50_000)
def indexed_terms(text: str) -> frozenset[str]:
    """The distinct terms (stems) a text is indexed under, by `tokenize`'s analyser; cached, since the
    fusion ranker (qa.fusion_ranker) reads the same passages query after query."""
    return frozenset(tokenize([text], _shared_stemmer())[0])


def tokenize(texts: Sequence[str], stemmer: Any | None = None) -> list[list[str]]:
    """Lower-case, English stopwords removed, Snowball-stemmed tokens (bm25s' default tokenizer)."""
    bm25s = _bm25s()

    out = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=stemmer or _stemmer(), return_ids=False, show_progress=False
    )
    return [list(t) for t in out]


@dataclass(frozen=True)
class Bm25Sidecar:
    chunk_ids: list[str]
    generation: int
    format: int = _FORMAT


def read_sidecar(bm25_dir: Path) -> Bm25Sidecar | None:
    try:
        data = json.loads((bm25_dir / SIDECAR).read_text(encoding="utf-8"))
        return Bm25Sidecar(
            chunk_ids=list(data["chunk_ids"]), generation=int(data["generation"]), format=data["format"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_bm25(bm25_dir: Path, items: Iterable[tuple[str, str]], generation: int) -> int:
    """Build and atomically save an index from (chunk_id, text) pairs; returns the number indexed."""
    bm25s = _bm25s()

    ids: list[str] = []
    texts: list[str] = []
    for cid, text in items:
        ids.append(cid)
        texts.append(text)
    with atomic_dir(Path(bm25_dir)) as tmp:
        if ids:
            retriever = bm25s.BM25()
            retriever.index(tokenize(texts), show_progress=False)
            retriever.save(str(tmp), show_progress=False)
        sidecar = {"format": _FORMAT, "generation": generation, "chunk_ids": ids}
        with open(tmp / SIDECAR, "w", encoding="utf-8") as fh:
            json.dump(sidecar, fh)
            fh.flush()
            os.fsync(fh.fileno())
    return len(ids)


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; on success it replaces `target` (renames), on any
    error it is removed and `target` is untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        yield tmp
        _swap_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_dir(new: Path, target: Path) -> None:
    """Replace `target` by `new` with renames (each rename is atomic on POSIX)."""
    old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


class KeywordIndex:
    """A loaded (memory-mapped) bm25s index plus its chunk ids in index order."""

    def __init__(self, bm25_dir: Path) -> None:
        sidecar = read_sidecar(Path(bm25_dir))
        if sidecar is None:
            raise FileNotFoundError(f"no BM25 index in {bm25_dir}")
        self.generation = sidecar.generation
        self.chunk_ids = sidecar.chunk_ids
        self._retriever: Any = None
        if self.chunk_ids:
            bm25s = _bm25s()
            self._retriever = bm25s.BM25.load(str(bm25_dir), mmap=True, show_progress=False)
        self._stemmer = _stemmer()

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed chunk for the query (zeros when no query term is known)."""
        n = len(self.chunk_ids)
        if self._retriever is None:
            return np.zeros(n, dtype=np.float32)
        # Stemmer objects are not thread-safe; tokenising a short query is cheap, so use a fresh one.
        tokens = tokenize([query], _stemmer())[0]
        known = [t for t in tokens if t in self._retriever.vocab_dict]
        if not known:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def idf(self, word: str) -> float | None:
        """Inverse document frequency of a word's stem(s) over the indexed chunks (the rarest stem
        when a word splits); a word the corpus never uses gets the highest value; None for a
        stopword or an empty index."""
        if self._retriever is None:
            return None
        stems = tokenize([word], _stemmer())[0]
        if not stems:
            return None
        indptr = self._retriever.scores["indptr"]
        n = float(self._retriever.scores["num_docs"])
        best = 0.0
        for stem in stems:
            tid = self._retriever.vocab_dict.get(stem)
            df = 0.0 if tid is None else float(indptr[tid + 1] - indptr[tid])
            best = max(best, math.log(1.0 + (n - df + 0.5) / (df + 0.5)))
        return best

    def term_frequencies(self) -> dict[str, int]:
        """Every indexed term (a stem) -> the number of chunks containing it: the corpus vocabulary
        the speller corrects against (issue 16). Empty for an empty index."""
        if self._retriever is None:
            return {}
        df = np.diff(np.asarray(self._retriever.scores["indptr"]))
        return {term: int(df[tid]) for term, tid in self._retriever.vocab_dict.items() if tid < len(df)}

    def term_of(self, word: str) -> str:
        """The term a word is indexed under ('' for a stopword): the same analyser as search."""
        stems = tokenize([word], _stemmer())[0]
        return stems[0] if stems else ""

    def known_fraction(self, text: str) -> float | None:
        """Share of the text's (stemmed, non-stop) words that occur in the corpus; None when unknown."""
        if self._retriever is None:
            return None
        tokens = tokenize([text], _stemmer())[0]
        if not tokens:
            return None
        return sum(t in self._retriever.vocab_dict for t in tokens) / len(tokens)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with score > 0, best first; `mask` (bool per chunk) restricts them.

        Filtering happens before the top-k cut, so k filtered results come back whenever k
        matching chunks contain a query term.
        """
        if k <= 0 or not self.chunk_ids:
            return []
        s = self.scores(query)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        positive = np.flatnonzero(s > 0)
        if positive.size == 0:
            return []
        top = positive[np.argpartition(-s[positive], k - 1)[:k]] if positive.size > k else positive
        # Ties broken by index position so results are deterministic.
        order = top[np.lexsort((top, -s[top]))]
        return [(self.chunk_ids[i], float(s[i])) for i in order]
