"""`medcite review|reviewer|feedback` through the root CLI app, against a temporary home."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from review_fixtures import build_answer
from typer.testing import CliRunner

from medcite.cli import app, main
from medcite.settings import load_settings
from review.rules import AuthError, ReviewError
from review.store import open_store

runner = CliRunner()
PW = "cli password 123"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path))
    monkeypatch.delenv("MEDCITE_REVIEW__REVIEWER_PASSWORD", raising=False)
    monkeypatch.delenv("MEDCITE_SERVER__STORE_QUESTIONS", raising=False)
    return tmp_path


def test_reviewer_add_prompts_hidden_and_review_flow(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = runner.invoke(app, ["reviewer", "add", "Dr Cli"], input=f"{PW}\n{PW}\n")
    assert res.exit_code == 0, res.output
    assert "reviewer 'Dr Cli' added" in res.output
    assert PW not in res.output  # hidden prompt: never echoed
    assert "Dr Cli" in runner.invoke(app, ["reviewer", "list"]).output

    store = open_store(load_settings())
    answer = build_answer()
    store.save_answer(answer)
    aid = answer.answer_id

    listed = runner.invoke(app, ["review", "list", "--status", "submitted"])
    assert listed.exit_code == 0 and aid in listed.output
    assert aid not in runner.invoke(app, ["review", "list", "--status", "approved"]).output

    shown = runner.invoke(app, ["review", "show", aid])
    assert "Systemic corticosteroids are first\\-line therapy" in shown.output  # the evidence passage
    assert "Review history" in shown.output

    monkeypatch.setenv("MEDCITE_REVIEW__REVIEWER_PASSWORD", PW)  # scripted use
    res = runner.invoke(app, ["review", "set", aid, "under_review", "--reviewer", "Dr Cli"])
    assert res.exit_code == 0, res.output
    assert "Submitted → Under Review by Dr Cli" in res.output
    res = runner.invoke(app, ["review", "set", aid, "approved", "--reviewer", "Dr Cli", "--comment", "ok"])
    assert res.exit_code == 0, res.output
    doc = json.loads(runner.invoke(app, ["review", "show", aid, "--json"]).output)
    assert doc["record"]["status"] == "Approved"
    assert [h["to_status"] for h in doc["history"]] == ["Submitted", "Under Review", "Approved"]

    rows = list(
        csv.DictReader(io.StringIO(runner.invoke(app, ["review", "export", "--format", "csv"]).output))
    )
    assert [r["to_status"] for r in rows] == ["Submitted", "Under Review", "Approved"]
    out = home / "reviews.jsonl"
    assert runner.invoke(app, ["review", "export", "-f", "jsonl", "-o", str(out)]).exit_code == 0
    assert len(out.read_text().splitlines()) == 3

    store.add_feedback(aid, 1, "helpful")
    fb = runner.invoke(app, ["feedback", "export"]).output
    assert json.loads(fb.splitlines()[0])["comment"] == "helpful"


def test_refusals(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(load_settings())
    store.add_reviewer("Dr Cli", PW)
    answer = build_answer()
    store.save_answer(answer)
    res = runner.invoke(
        app, ["review", "set", answer.answer_id, "under review", "--reviewer", "Dr Cli"], input="wrong pw!\n"
    )
    assert isinstance(res.exception, AuthError)
    monkeypatch.setenv("MEDCITE_REVIEW__REVIEWER_PASSWORD", PW)
    res = runner.invoke(app, ["review", "set", answer.answer_id, "approved", "--reviewer", "Dr Cli"])
    assert isinstance(res.exception, ReviewError)
    assert store.get_record(answer.answer_id).status == "Submitted"
    res = runner.invoke(app, ["review", "set", answer.answer_id, "under review"])
    assert res.exit_code == 2 and "--reviewer" in res.output  # required option


def test_errors_are_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["medcite", "review", "export", "--format", "xml"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "error: Unknown export format 'xml'. Use --format jsonl or --format csv."
    ]
