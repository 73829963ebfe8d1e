"""Pure parts of the scale benchmark: synthetic chunks, percentiles, queries, report and plot."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
import pytest

from evals import bench_scale as bs
from medcite.stats import percentile
from medcite.types import Chunk, Tier


def _real(n: int) -> list[Chunk]:
    return [
        Chunk(
            chunk_id=f"c{i}",
            doc_id=f"d{i}",
            tier=Tier.RESEARCH,
            collection="bioasq",
            title=f"Title {i}",
            section="Abstract",
            text=f"statins lower cholesterol in adults number {i} with diabetes",
            ordinal=0,
            year=2010 + i,
        )
        for i in range(n)
    ]


def _unit(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_perturbed_vectors_keep_real_ones_and_perturb_the_rest() -> None:
    base = _unit(5)
    vecs = bs.perturbed_vectors(base, 0, 20, sigma=0.05)
    np.testing.assert_array_equal(vecs[:5], base)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    cos = np.sum(vecs[5:] * base[np.arange(5, 20) % 5], axis=1)
    assert (cos < 0.9999).all() and (cos > 0.8).all()  # near its source, never identical
    np.testing.assert_array_equal(bs.perturbed_vectors(base, 0, 20, sigma=0.05), vecs)  # deterministic
    later = bs.perturbed_vectors(base, 10, 5, sigma=0.05)
    assert later.shape == (5, 16)
    assert not np.allclose(later, vecs[10:15])  # another batch start draws other noise


def test_perturbed_text_same_words_plus_unique_ref() -> None:
    text = "systemic corticosteroids are first line for dermatomyositis in adults"
    a = bs.perturbed_text(text, 12345)
    assert a == bs.perturbed_text(text, 12345)
    words = a.split()
    assert words[-1] == "ref3039"
    assert sorted(words[:-1]) == sorted(text.split())
    assert bs.perturbed_text("one", 7) == "one ref7"


def test_synthetic_chunks_map_ids_back_to_sources() -> None:
    real = _real(3)
    first = bs.synthetic_chunk(real, 1)
    assert first.text == real[1].text and first.doc_id == "d1"
    syn = bs.synthetic_chunk(real, 7)
    assert syn.chunk_id == bs.synthetic_id(7) and bs.synthetic_index(syn.chunk_id) == 7
    assert syn.tier == real[1].tier and syn.year == real[1].year
    assert syn.doc_id != real[1].doc_id and syn.text != real[1].text


def test_percentile_is_the_one_linear_definition() -> None:
    # medcite.stats.percentile (Hyndman & Fan type 7), no longer nearest-rank: 50th of 1..100 is 50.5
    values = [float(v) for v in range(1, 101)]
    assert bs.percentile(values, 50) == 50.5
    assert bs.percentile(values, 95) == pytest.approx(95.05)
    assert bs.percentile([3.0], 95) == 3.0
    assert bs.percentile([5.0, 1.0, 3.0], 100) == 5.0
    inclusive = statistics.quantiles(values, n=100, method="inclusive")
    assert percentile(values, 95) == pytest.approx(inclusive[94]) and percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_load_queries_survives_unicode_line_separators(tmp_path: Path) -> None:
    rows = [
        {"question": "What treats dermatomyositis?", "ideal": "steroids\u2028and IVIG"},
        {"question": "Statins?"},
    ]
    (tmp_path / "bioasq_dev.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    qs = bs.load_queries(tmp_path, 10)
    assert sorted(qs) == ["Statins?", "What treats dermatomyositis?"]
    assert len(bs.load_queries(tmp_path, 1)) == 1


def _row(size: int, backend: str, scale: float) -> dict[str, object]:
    row: dict[str, object] = {"size": size, "backend": backend, "vector_build_s": 3.0, "client_rss_mb": 600.0}
    for m in bs.MODES:
        row[f"{m}_p50_ms"] = scale
        row[f"{m}_p95_ms"] = 2 * scale
    return row


def test_markdown_table_and_plot(tmp_path: Path) -> None:
    rows = [_row(10_000, "embedded", 5.0), _row(10_000, "server", 9.0), _row(100_000, "embedded", 7.0)]
    meta = {
        "machine": "test box",
        "real": 10,
        "queries": 5,
        "embed_backend": "onnx",
        "rrf_k": 60,
        "candidates": 50,
    }
    md = bs.to_markdown(rows, meta)
    lines = md.splitlines()
    assert "test box" in lines[0]
    assert lines[4].startswith("| 10,000 | embedded | 5.0 | 10.0 |")
    assert lines[5].split("|")[2].strip() == "server"
    bs.plot(rows, tmp_path / "latency.png")
    assert (tmp_path / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_parse_args_sizes_and_backends() -> None:
    a = bs.parse_args(["--sizes", "10000,100_000", "--backends", "embedded"])
    assert a.sizes == [10_000, 100_000] and a.backends == ["embedded"]
    with pytest.raises(SystemExit):
        bs.parse_args(["--backends", "cloud"])
