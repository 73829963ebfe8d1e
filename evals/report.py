"""Run reports (Markdown + self-contained HTML with embedded PNG plots) and run comparison."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.run_folder import load_run
from evals.stats import paired_bootstrap

# Per-question numbers compared between runs (present in results.jsonl when they apply).
COMPARABLE = [
    "recall@1",
    "recall@5",
    "recall@10",
    "recall@20",
    "mrr",
    "ndcg@10",
    "rouge_l_f1",
    "embedding_cosine",
    "must_have_coverage",
    "citation_validity",
    "sentence_support",
    "abstained",
    "readability_fk_grade",
    "answer_ms",
    "retrieval_ms",
]
HISTOGRAM_KEYS = ["ndcg@10", "rouge_l_f1", "embedding_cosine", "must_have_coverage", "sentence_support"]


def run_label(metrics: Mapping[str, Any]) -> str:
    """What a run's retrieval figures measure, for titles: "engine retrieval" or "bm25 baseline"."""
    source = metrics.get("retrieval_source") or metrics.get("mode")
    return "engine retrieval" if source == "engine" else str(source)


def retrieval_note(metrics: Mapping[str, Any]) -> str:
    """One sentence on where the retrieval figures come from."""
    if run_label(metrics) == "engine retrieval":
        return (
            "retrieval figures: the answer engine's own passages (AnswerEngine.retrieve: per tier, "
            "query expansion, de-duplication, quotas), the passages the answers are built from"
        )
    return (
        f"retrieval figures: {metrics.get('mode')} baseline, a plain retriever's unfiltered top 20 "
        "(not what the engine answers from)"
    )


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def flat_metrics(metrics: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) rows of the headline metrics, in report order."""
    rows: list[tuple[str, Any]] = [("questions", metrics.get("n")), ("errors", metrics.get("errors"))]
    for section in ("retrieval", "answer", "latency"):
        for k, v in (metrics.get(section) or {}).items():
            if isinstance(v, Mapping):
                rows.extend((f"{section}.{k}.{kk}", vv) for kk, vv in v.items())
            else:
                rows.append((f"{section}.{k}", v))
    return rows


# --- plots ---------------------------------------------------------------------------------------


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot's first import
    import matplotlib.pyplot as plt

    return plt


def recall_curve_png(curves: Mapping[str, Mapping[int, float]]) -> str | None:
    """Recall@k against k, one line per retriever; base64 PNG (None without data)."""
    curves = {name: c for name, c in curves.items() if c}
    if not curves:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for name, c in curves.items():
        ks = sorted(c)
        ax.plot(ks, [c[k] for k in ks], marker="o", label=name)
    ax.set_xlabel("k (documents)")
    ax.set_ylabel("recall@k")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def latency_png(series: Mapping[str, Sequence[float]]) -> str | None:
    """Histogram of per-question latencies (ms), one series per stage."""
    series = {k: v for k, v in series.items() if v}
    if not series:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for name, vals in series.items():
        ax.hist(vals, bins=30, alpha=0.6, label=name)
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("questions")
    ax.legend()
    return _png(fig)


def score_histograms_png(results: Sequence[Mapping[str, Any]]) -> str | None:
    """One histogram per per-question score present in the results."""
    data = {k: [float(r[k]) for r in results if r.get(k) is not None] for k in HISTOGRAM_KEYS}
    data = {k: v for k, v in data.items() if v}
    if not data:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(data), figsize=(3.2 * len(data), 2.8), squeeze=False)
    for ax, (k, vals) in zip(axes[0], data.items(), strict=True):
        ax.hist(vals, bins=20, range=(0, 1), color="#4c72b0")
        ax.set_title(k)
        ax.set_xlabel("score")
    axes[0][0].set_ylabel("questions")
    return _png(fig)


def _recall_curve(metrics: Mapping[str, Any]) -> dict[int, float]:
    ret = metrics.get("retrieval") or {}
    return {
        int(k.split("@")[1]): float(v) for k, v in ret.items() if k.startswith("recall@") and v is not None
    }


# --- reports -------------------------------------------------------------------------------------


def worst_questions(results: Sequence[Mapping[str, Any]], n: int = 10) -> list[Mapping[str, Any]]:
    """Questions to look at first: errors, then lowest nDCG@10 / ROUGE-L."""

    def key(r: Mapping[str, Any]) -> tuple[int, float]:
        score = r.get("ndcg@10", r.get("rouge_l_f1"))
        return (0 if r.get("error") else 1, float(score) if score is not None else 2.0)

    return sorted(results, key=key)[:n]


def render_markdown(metrics: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    lines = [
        f"# Eval run: {metrics.get('suite')} ({run_label(metrics)}, {metrics.get('audience')})",
        "",
        f"- started {metrics.get('started')}, {metrics.get('seconds')} s, limit {metrics.get('limit')}",
        f"- corpus hash `{metrics.get('corpus_hash')}`, settings hash `{metrics.get('settings_hash')}`",
        f"- skipped source records: {metrics.get('skipped_records', 0)}",
        f"- {retrieval_note(metrics)}",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {k} | {_fmt(v)} |" for k, v in flat_metrics(metrics)),
        "",
        "## Questions to look at first",
        "",
        "| id | question | nDCG@10 | ROUGE-L | abstained | error |",
        "|---|---|---|---|---|---|",
    ]
    for r in worst_questions(results):
        q = str(r.get("question", "")).replace("|", "/")[:90]
        lines.append(
            f"| {r.get('id')} | {q} | {_fmt(r.get('ndcg@10'))} | {_fmt(r.get('rouge_l_f1'))} "
            f"| {_fmt(r.get('abstained'))} | {str(r.get('error') or '')[:60]} |"
        )
    return "\n".join(lines) + "\n"


def _img(b64: str | None, alt: str) -> str:
    return (
        f'<figure><img alt="{alt}" src="data:image/png;base64,{b64}"><figcaption>{alt}</figcaption></figure>'
        if b64
        else ""
    )


def render_html(metrics: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    """A single self-contained page: metric table, plots as data: URIs, worst questions."""
    e = html.escape
    label = run_label(metrics)
    plots = [
        _img(recall_curve_png({label: _recall_curve(metrics)}), "recall@k"),
        _img(
            latency_png(
                {
                    "answer": [float(r["answer_ms"]) for r in results if r.get("answer_ms") is not None],
                    "retrieval": [
                        float(r["retrieval_ms"]) for r in results if r.get("retrieval_ms") is not None
                    ],
                }
            ),
            "latency distribution",
        ),
        _img(score_histograms_png(results), "per-question score histograms"),
    ]
    rows = "".join(f"<tr><td>{e(k)}</td><td>{e(_fmt(v))}</td></tr>" for k, v in flat_metrics(metrics))
    worst = "".join(
        f"<tr><td>{e(str(r.get('id')))}</td><td>{e(str(r.get('question', '')))}</td>"
        f"<td>{e(_fmt(r.get('ndcg@10')))}</td><td>{e(_fmt(r.get('rouge_l_f1')))}</td>"
        f"<td>{e(_fmt(r.get('abstained')))}</td><td>{e(str(r.get('error') or ''))}</td></tr>"
        for r in worst_questions(results)
    )
    title = f"MedCite eval — {metrics.get('suite')} ({run_label(metrics)}, {metrics.get('audience')})"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
figure{{display:inline-block;margin:0 1em 1em 0}}code{{background:#f4f4f4}}</style></head>
<body><h1>{e(title)}</h1>
<p>started {e(str(metrics.get("started")))} · {e(str(metrics.get("seconds")))} s ·
corpus hash <code>{e(str(metrics.get("corpus_hash")))}</code> ·
settings hash <code>{e(str(metrics.get("settings_hash")))}</code></p>
<p>{e(retrieval_note(metrics))}</p>
<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>{rows}</table>
<h2>Plots</h2>{"".join(plots)}
<h2>Questions to look at first</h2>
<table><tr><th>id</th><th>question</th><th>nDCG@10</th><th>ROUGE-L</th><th>abstained</th><th>error</th></tr>
{worst}</table></body></html>
"""


def write_reports(out_dir: Path, metrics: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> None:
    (out_dir / "report.md").write_text(render_markdown(metrics, results), encoding="utf-8")
    (out_dir / "report.html").write_text(render_html(metrics, results), encoding="utf-8")


# --- comparison ----------------------------------------------------------------------------------


def _value(r: Mapping[str, Any], key: str) -> float | None:
    v = r.get(key)
    if v is None or r.get("error"):
        return None
    return float(v)


def compare_results(
    results_a: Sequence[Mapping[str, Any]], results_b: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Per metric: means of A and B over the questions both runs scored, B - A, and its paired
    bootstrap 95% CI (evals.stats.paired_bootstrap)."""
    by_b = {r["id"]: r for r in results_b}
    rows: list[dict[str, Any]] = []
    for key in COMPARABLE:
        pairs = [
            (va, vb)
            for ra in results_a
            if (rb := by_b.get(ra["id"])) is not None
            and (va := _value(ra, key)) is not None
            and (vb := _value(rb, key)) is not None
        ]
        if not pairs:
            continue
        d = paired_bootstrap([p[0] for p in pairs], [p[1] for p in pairs])
        rows.append(
            {
                "metric": key,
                "n": d.n,
                "a": d.mean_a,
                "b": d.mean_b,
                "diff": d.diff,
                "ci_low": d.ci_low,
                "ci_high": d.ci_high,
            }
        )
    return rows


def compare(run_a: Path, run_b: Path) -> list[dict[str, Any]]:
    """Compare two run folders and print a side-by-side table (B - A with 95% CI); returns the rows."""
    from rich.console import Console
    from rich.table import Table

    ma, ra = load_run(run_a)
    mb, rb = load_run(run_b)
    rows = compare_results(ra, rb)
    table = Table(
        title=f"A = {Path(run_a).name} ({run_label(ma)})   B = {Path(run_b).name} ({run_label(mb)})"
    )
    for col in ("metric", "n", "A", "B", "B - A", "95% CI", ""):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for r in rows:
        significant = r["ci_low"] > 0 or r["ci_high"] < 0
        table.add_row(
            r["metric"],
            str(r["n"]),
            _fmt(r["a"]),
            _fmt(r["b"]),
            f"{r['diff']:+.3f}",
            f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]",
            "*" if significant else "",
        )
    console = Console()
    console.print(table)
    if ma.get("corpus_hash") != mb.get("corpus_hash"):
        console.print("note: the two runs used different corpora (corpus hash differs)")
    console.print("* the 95% interval excludes 0 (paired bootstrap, 2000 resamples, fixed seed)")
    return rows
