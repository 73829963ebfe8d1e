"""End-to-end runs with a fake retriever and a scripted engine: files, aggregates, report, compare, CLI."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from eval_fakes import ScriptedEngine, WordOverlapRetriever, answer, chunk
from typer.testing import CliRunner

from evals import runner
from evals.cli import eval_app
from evals.report import compare_results
from evals.results import QuestionResult
from evals.runner import load_run, run_suite
from medcite.embedding import HashingEmbedder
from medcite.errors import MedCiteError
from medcite.settings import load_settings

CHUNKS = [
    chunk("pubmed:1", "metformin lowers glucose in type 2 diabetes", pmid="1"),
    chunk("pubmed:2", "statins lower cholesterol and cardiovascular risk", pmid="2"),
    chunk("pubmed:3", "aspirin reduces fever and pain", pmid="3"),
]
SUITE_LINES = [
    {
        "id": "a",
        "question": "does metformin lower glucose",
        "gold_pmids": ["1"],
        "reference_answer": "Metformin lowers glucose.",
        "must_have": ["Metformin lowers blood glucose."],
    },
    {
        "id": "b",
        "question": "do statins lower cholesterol",
        "gold_pmids": ["2", "9"],
        "reference_answer": "Statins lower cholesterol.",
    },
    {"id": "c", "question": "what is the capital of australia", "answerable": False},
]


def _script(q: str):  # type: ignore[no-untyped-def]
    if "capital" in q:
        return answer(q, abstained=True)
    if "metformin" in q:
        return answer(q, [("Metformin lowers glucose [1].", (1,))], cited=[CHUNKS[0]])
    return answer(q, [("Statins lower cholesterol [2].", (2,))], cited=[CHUNKS[1]])  # [2] does not resolve


@pytest.fixture()
def suite_file(tmp_path: Path) -> Path:
    p = tmp_path / "mini.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in SUITE_LINES) + "\n")
    return p


def _engine(script=_script) -> ScriptedEngine:  # type: ignore[no-untyped-def]
    return ScriptedEngine(script, WordOverlapRetriever(CHUNKS))


def _run(suite_file: Path, out: Path, engine: ScriptedEngine | None = None, **kw):  # type: ignore[no-untyped-def]
    settings = load_settings(home=out.parent / "home", index={"embedding_model": "fake"})
    return run_suite(
        suite_file,
        settings,
        out=out,
        retriever=kw.pop("retriever", WordOverlapRetriever(CHUNKS)),
        engine=engine or _engine(),
        embedder=HashingEmbedder(),
        progress=False,
        **kw,
    )


def test_run_writes_every_output_with_expected_aggregates(suite_file: Path, tmp_path: Path) -> None:
    res = _run(suite_file, tmp_path / "run")
    for name in ("metrics.json", "results.jsonl", "report.md", "report.html"):
        assert (tmp_path / "run" / name).stat().st_size > 0
    mt = res.metrics
    assert mt["n"] == 3 and mt["errors"] == 0
    # a: gold 1 at rank 1; b: gold {2, 9}, 2 at rank 1 -> recall@1 = (1 + 0.5) / 2
    assert mt["retrieval"]["recall@1"] == pytest.approx(0.75)
    assert mt["retrieval"]["mrr"] == pytest.approx(1.0)
    assert mt["retrieval"]["n"] == 2
    ans = mt["answer"]
    assert ans["abstention_on_unanswerable"] == 1.0 and ans["abstention_on_answerable"] == 0.0
    assert ans["abstention_rate"] == pytest.approx(1 / 3)
    assert ans["citation_validity"] == pytest.approx(0.5)  # one answer fully valid, one not
    assert ans["must_have_coverage"] == 1.0
    assert ans["rouge_l_f1"] == pytest.approx(1.0)
    assert ans["tier_coverage"]["research"] == 1.0 and ans["tier_coverage"]["guideline"] == 0.0
    assert set(mt["latency"]) == {"answer_p50_ms", "answer_p95_ms", "retrieval_p50_ms", "retrieval_p95_ms"}
    assert mt["settings"]["index"]["embedding_model"] == "fake" and mt["settings_hash"]
    _, results = load_run(tmp_path / "run")
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert results[1]["retrieved"][0] == "pmid:2"


def test_html_report_is_self_contained_with_png_plots(suite_file: Path, tmp_path: Path) -> None:
    _run(suite_file, tmp_path / "run")
    page = (tmp_path / "run" / "report.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 3  # recall@k, latency, score histograms
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "http://" not in page and "https://" not in page


def test_one_failing_question_is_recorded_not_fatal(suite_file: Path, tmp_path: Path) -> None:
    def flaky(q: str):  # type: ignore[no-untyped-def]
        if "statins" in q:
            raise RuntimeError("boom")
        return _script(q)

    res = _run(suite_file, tmp_path / "run", engine=_engine(flaky))
    assert res.metrics["errors"] == 1
    assert "boom" in next(str(r.error) for r in res.results if r.id == "b")


def test_retrieval_only_run_and_limit(suite_file: Path, tmp_path: Path) -> None:
    engine = _engine()
    res = _run(suite_file, tmp_path / "run", engine=engine, answers=False, limit=2)
    assert res.metrics["n"] == 2 and "answer" not in res.metrics and engine.asked == []
    assert res.metrics["retrieval"]["source"] == "engine" and len(engine.retrieved) == 2


def test_audience_reaches_the_engine(suite_file: Path, tmp_path: Path) -> None:
    engine = _engine()
    _run(suite_file, tmp_path / "run", engine=engine, audience="patient")
    assert {a for _, a in engine.asked} == {"patient"}


def test_compare_pairs_questions_by_id(suite_file: Path, tmp_path: Path) -> None:
    _run(suite_file, tmp_path / "a")

    def better(q: str):  # type: ignore[no-untyped-def]
        if "statins" in q:
            return answer(q, [("Statins lower cholesterol [1].", (1,))], cited=[CHUNKS[1]])
        return _script(q)

    _run(suite_file, tmp_path / "b", engine=_engine(better))
    rows = {r["metric"]: r for r in compare_results(load_run(tmp_path / "a")[1], load_run(tmp_path / "b")[1])}
    assert rows["citation_validity"]["diff"] == pytest.approx(0.5)  # (1 + 1)/2 - (1 + 0)/2
    assert rows["citation_validity"]["n"] == 2
    assert rows["mrr"]["diff"] == 0.0


def test_load_run_rejects_a_non_run_folder(tmp_path: Path) -> None:
    with pytest.raises(MedCiteError, match="not an eval run folder"):
        load_run(tmp_path)


def test_cli_routes_suite_name_to_run_and_compare_prints_table(
    suite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_components(settings, mode, *, answers):  # type: ignore[no-untyped-def]
        return None, WordOverlapRetriever(CHUNKS), _engine() if mode == "engine" or answers else None

    monkeypatch.setattr(runner, "build_components", fake_components)
    monkeypatch.setenv("MEDCITE_INDEX__EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path / "home"))
    cli = CliRunner()
    r1 = cli.invoke(
        eval_app, [str(suite_file), "--limit", "2", "--out", str(tmp_path / "a"), "--mode", "bm25"]
    )
    assert r1.exit_code == 0, r1.output
    assert json.loads((tmp_path / "a" / "metrics.json").read_text())["mode"] == "bm25"
    assert "bm25 baseline" in (tmp_path / "a" / "report.md").read_text()
    r2 = cli.invoke(eval_app, ["run", str(suite_file), "--out", str(tmp_path / "b")])
    assert r2.exit_code == 0, r2.output
    assert json.loads((tmp_path / "b" / "metrics.json").read_text())["retrieval_source"] == "engine"
    r3 = cli.invoke(eval_app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    assert r3.exit_code == 0, r3.output
    assert "recall@1" in r3.output and "95% CI" in r3.output
    r4 = cli.invoke(eval_app, ["list"])
    assert "bioasq" in r4.output and "out_of_scope" in r4.output


class ReversedRetriever(WordOverlapRetriever):
    """The word-overlap ranking upside down: the gold document comes last."""

    def search(self, query, k=10, filters=None):  # type: ignore[no-untyped-def]
        found = super().search(query, k=len(self.chunks), filters=filters)[::-1][:k]
        return [replace(h, rank=i + 1) for i, h in enumerate(found)]


def test_engine_mode_scores_the_engines_passages_and_baselines_the_retriever(
    suite_file: Path, tmp_path: Path
) -> None:
    # The engine retrieves with a reversed ranking, the plain retriever with the right one: engine
    # mode must report the engine's (bad) figures, a baseline mode the retriever's (good) ones.
    engine = ScriptedEngine(_script, ReversedRetriever(CHUNKS))
    eng = _run(suite_file, tmp_path / "engine", engine=engine)
    base = _run(
        suite_file, tmp_path / "bm25", engine=ScriptedEngine(_script, ReversedRetriever(CHUNKS)), mode="bm25"
    )
    assert eng.metrics["retrieval_source"] == "engine" and base.metrics["retrieval_source"] == "bm25 baseline"
    assert eng.metrics["retrieval"]["mrr"] < 1.0 == base.metrics["retrieval"]["mrr"]
    # one retrieval per question in engine mode: the answer is built from the very evidence scored
    assert all(ev is not None for ev in engine.given_evidence) and len(engine.retrieved) == 3
    assert "engine's own passages" in (tmp_path / "engine" / "report.md").read_text()


def test_results_jsonl_round_trips_the_typed_result(suite_file: Path, tmp_path: Path) -> None:
    res = _run(suite_file, tmp_path / "run")
    _, records = load_run(tmp_path / "run")
    again = [QuestionResult.from_json(r) for r in records]
    assert again == res.results
    assert records[0]["ndcg@10"] == res.results[0].retrieval["ndcg@10"]
    assert "must_have_coverage" not in records[2]  # abstention: no content scores written
    assert "words" not in records[2]
    # answer size on answers given: "Metformin lowers glucose." is 3 words, one reference, one document
    assert (records[0]["words"], records[0]["n_references"], records[0]["distinct_documents"]) == (3, 1, 1)
    assert res.metrics["answer"]["words"] == pytest.approx(3.0)


def test_independent_check_reports_the_unsupported_sentence(suite_file: Path, tmp_path: Path) -> None:
    def fabricated(q: str):  # type: ignore[no-untyped-def]
        if "metformin" in q:
            return answer(
                q, [("Metformin cures pancreatic cancer within weeks [1].", (1,))], cited=[CHUNKS[0]]
            )
        return _script(q)

    res = _run(suite_file, tmp_path / "run", engine=_engine(fabricated))
    a = next(r for r in res.results if r.id == "a")
    assert a.sentence_support == 0.0 and a.citation_validity == 1.0
    assert a.unsupported_sentences and "content words" in a.unsupported_sentences[0]["reason"]
    assert res.metrics["answer"]["fully_supported_answers"] == 0.0


def test_engine_ranking_scores_the_tier_the_gold_lives_in() -> None:
    from eval_fakes import hits

    from evals import metrics as m
    from evals.runner import engine_ranking
    from evals.suites import EvalItem
    from medcite.types import Tier
    from qa.answer_retrieval import RetrievedEvidence, flatten_by_tier

    guideline = hits([chunk(f"g{i}", "guideline text", tier=Tier.GUIDELINE) for i in range(6)])
    research = hits([chunk("p1", "abstract", pmid="1"), chunk("p2", "abstract", pmid="2")])
    by_tier = {Tier.GUIDELINE: guideline, Tier.RESEARCH: research}
    evidence = RetrievedEvidence("q", "q", "q", "clinician", by_tier, flatten_by_tier(by_tier, list(by_tier)))
    bioasq = EvalItem("1", "bioasq", "q", gold_pmids=("2",))
    ranked = engine_ranking(evidence, bioasq)
    assert [h.doc_id for h in ranked] == ["p1", "p2"] and [h.rank for h in ranked] == [1, 2]
    # gold given as document ids names no tier: every passage, in display order
    anywhere = EvalItem("2", "custom", "q", gold_doc_ids=("p2",))
    assert engine_ranking(evidence, anywhere) == evidence.hits
    assert m.rank_documents(ranked, bioasq).index("pmid:2") == 1  # second, not eighth
