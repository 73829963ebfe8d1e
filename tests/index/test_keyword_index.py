"""BM25 index: stemming, atomic save, filtered search returning exactly k."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import index.keyword as ki
from index.keyword import KeywordIndex, build_bm25, read_sidecar

ITEMS = [
    ("a", "Metformin lowers blood glucose in type 2 diabetes"),
    ("b", "Insulin therapy for diabetic patients"),
    ("c", "Aspirin for primary prevention of cardiovascular disease"),
    ("d", "Diabetes screening in adults with overweight"),
    ("e", "The and of with"),  # only stopwords
]


def test_build_load_and_stemmed_search(tmp_path: Path) -> None:
    d = tmp_path / "bm25"
    assert build_bm25(d, ITEMS, generation=7) == 5
    idx = KeywordIndex(d)
    assert idx.generation == 7 and idx.chunk_ids == [i for i, _ in ITEMS]
    got = [c for c, _ in idx.search("diabetic screenings", 10)]  # stems: diabet, screen
    assert set(got) == {"a", "b", "d"} and got[0] == "d"
    assert idx.search("the of", 5) == []  # stopwords only: nothing scores
    assert idx.search("unknownword", 5) == []
    assert idx.known_fraction("diabetic screenings") == 1.0  # stemmed like the index
    assert idx.known_fraction("metformin asdkjh qwpoe") == pytest.approx(1 / 3)
    assert idx.known_fraction("the of") is None  # nothing to judge
    # IDF over the 5 chunks: 'diabetes' is in 3 (a, b via 'diabetic', d), 'aspirin' in 1, 'zebra' in none.
    idf = {w: idx.idf(w) for w in ("diabetes", "aspirin", "zebra")}
    assert idf["diabetes"] < idf["aspirin"] < idf["zebra"]  # type: ignore[operator]
    assert idx.idf("the") is None


def test_mask_restricts_before_top_k(tmp_path: Path) -> None:
    d = tmp_path / "bm25"
    items = [(f"x{i}", "diabetes " * (20 - i)) for i in range(20)]
    build_bm25(d, items, generation=1)
    idx = KeywordIndex(d)
    mask = np.zeros(20, dtype=bool)
    mask[[3, 11, 17, 19]] = True
    got = idx.search("diabetes", 3, mask)
    assert [c for c, _ in got] == ["x3", "x11", "x17"]
    assert len(idx.search("diabetes", 10, mask)) == 4


def test_failed_build_keeps_previous_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "bm25"
    build_bm25(d, ITEMS, generation=1)

    def boom(*_: object, **__: object) -> list[list[str]]:
        raise KeyboardInterrupt

    monkeypatch.setattr(ki, "tokenize", boom)
    with pytest.raises(KeyboardInterrupt):
        build_bm25(d, ITEMS[:2], generation=2)
    side = read_sidecar(d)
    assert side is not None and side.generation == 1 and len(side.chunk_ids) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["bm25"]  # no temp folder left behind


def test_empty_index(tmp_path: Path) -> None:
    d = tmp_path / "bm25"
    build_bm25(d, [], generation=3)
    idx = KeywordIndex(d)
    assert len(idx) == 0 and idx.search("anything", 5) == []


def test_building_prints_no_library_debug_lines(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import logging

    root = logging.getLogger()
    handler = logging.StreamHandler()  # what a `logging.warning` call anywhere installs on the root
    root.addHandler(handler)
    try:
        logging.getLogger("bm25s").setLevel(logging.DEBUG)  # as importing bm25s leaves it
        build_bm25(tmp_path / "bm25", ITEMS, generation=1)
        KeywordIndex(tmp_path / "bm25").search("diabetes", 2)
    finally:
        root.removeHandler(handler)
    assert "Building index" not in capfd.readouterr().err
