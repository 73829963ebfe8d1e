"""Suite adapters: each shared file's schema maps onto EvalItem; bad records are skipped and counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_fakes import chunk

from evals.suites import (
    bioasq_item,
    doc_keys,
    fdarxbench_item,
    load_suite,
    mediqa_item,
    medlfqa_item,
    suite_names,
)
from medcite.errors import MedCiteError
from medcite.settings import default_evals

SHARED = default_evals()
needs_shared = pytest.mark.skipif(
    not (SHARED / "README.md").exists(), reason="shared eval suites not present"
)


def test_bioasq_item_keeps_gold_pmids_and_first_ideal_answer() -> None:
    item = bioasq_item(
        {
            "id": "x",
            "question": "Q?",
            "ideal_answer": ["first", "second"],
            "pmids": ["1", "2"],
            "type": "summary",
        }
    )
    assert item.gold_pmids == ("1", "2")
    # one key per gold article, so a perfect ranking has recall 1 (not 0.5 from double keys)
    assert item.gold_keys == {"pmid:1", "pmid:2"}
    assert item.reference_answer == "first"
    assert item.references == ("first", "second")


def test_mediqa_references_are_answers_scored_3_or_4_best_ranked_first() -> None:
    rec = {
        "id": "m1",
        "question": "What is flu?",
        "answers": [
            {"ReferenceScore": "2", "ReferenceRank": "1", "AnswerText": "related only"},
            {"ReferenceScore": "3", "ReferenceRank": "3", "AnswerText": "correct incomplete"},
            {"ReferenceScore": "4", "ReferenceRank": "2", "AnswerText": "excellent"},
        ],
    }
    item = mediqa_item(rec)
    assert item.references == ("excellent", "correct incomplete")


def test_fdarxbench_refusal_is_unanswerable_without_gold() -> None:
    base = {"qid": "q", "question": "Q?", "answer": "A", "set_id": "S", "context": []}
    assert fdarxbench_item(base | {"question_type": "factual"}).gold_set_ids == ("S",)
    refusal = fdarxbench_item(base | {"question_type": "refusal", "answer": "Information not found!"})
    assert refusal.answerable is False
    assert refusal.gold_keys == frozenset() and refusal.reference_answer is None


def test_medlfqa_statements() -> None:
    item = medlfqa_item({"id": "l", "question": "Q?", "Must_have": ["a", "b"], "Nice_to_have": ["c"]})
    assert item.must_have == ("a", "b") and item.nice_to_have == ("c",)


def test_doc_keys_match_pmid_and_set_id() -> None:
    c = chunk("pubmedqa:7", "text", pmid="7")
    assert doc_keys(c) == {"doc:pubmedqa:7", "pmid:7"}
    assert "set_id:S" in doc_keys(chunk("label:x", "t", set_id="S"))


def test_generic_jsonl_skips_bad_lines_and_limits(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    lines = [
        json.dumps({"id": "1", "question": "Q1?", "gold_pmids": ["9"], "must_have": ["m"]}),
        "{not json",
        json.dumps({"id": "2"}),  # no question
        json.dumps({"id": "3", "question": "Q3?", "answerable": False}),
        json.dumps({"id": "4", "question": "Q4?", "answerable": "no"}),  # not a bool
    ]
    path.write_text("\n".join(lines) + "\n")
    suite = load_suite(path)
    assert [i.item_id for i in suite.items] == ["1", "3"]
    assert suite.skipped == 3 and len(suite.skip_reasons) == 3
    assert suite.items[1].answerable is False
    assert suite.name == "mine" and suite.items[0].suite == "mine"
    assert [i.item_id for i in load_suite(path, limit=1).items] == ["1"]


def test_unknown_suite_is_a_user_error() -> None:
    with pytest.raises(MedCiteError, match="Unknown suite"):
        load_suite("no-such-suite")


def test_missing_suite_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(MedCiteError, match="MEDCITE_EVALS"):
        load_suite("bioasq", evals_dir=tmp_path)


def test_out_of_scope_suite_is_all_unanswerable() -> None:
    suite = load_suite("out_of_scope")
    assert len(suite.items) >= 10
    assert all(not i.answerable for i in suite.items)
    assert len({i.item_id for i in suite.items}) == len(suite.items)


def test_unanswerable_set_is_large_split_in_halves_and_holds_out_of_scope() -> None:
    items = load_suite("unanswerable").items
    assert len(items) >= 100 and not any(i.answerable for i in items)
    assert len({i.item_id for i in items}) == len({i.question for i in items}) == len(items)
    for kind in {i.meta["kind"] for i in items}:
        splits = [i.meta["split"] for i in items if i.meta["kind"] == kind]
        # every kind is in both halves, the halves differ in size by at most one question
        assert abs(splits.count("calibration") - splits.count("report")) <= 1, kind
    assert {i.question for i in load_suite("out_of_scope").items} <= {i.question for i in items}


def test_absence_check_finds_a_name_that_is_present(tmp_path: Path) -> None:
    from evals.unanswerable import corpus_hits

    (tmp_path / "labels.jsonl").write_text('{"text": "Take Zorvantrelix daily; Hovarth Lenz dystrophy"}\n')
    assert corpus_hits(tmp_path, ["zorvantrelix", "hovarth-lenz dystrophy", "plexadrome"]) == {
        "zorvantrelix": ["labels.jsonl"],
        "hovarth lenz dystrophy": ["labels.jsonl"],
    }


# Record counts from ../shared/evals/README.md.
EXPECTED = {
    "bioasq": 1155,
    "pubmedqa": 500,
    "medicationqa": 690,
    "medlfqa": 666,
    "mediqa2019": 129,
    "fdarxbench": 100,
}


@needs_shared
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_shared_suite_loads_completely(name: str) -> None:
    suite = load_suite(name, SHARED)
    assert suite.skipped == 0, suite.skip_reasons[:3]
    assert len(suite.items) == EXPECTED[name]
    assert all(i.question.strip() for i in suite.items)


@needs_shared
def test_shared_suites_carry_their_references() -> None:
    bio = load_suite("bioasq", SHARED).items
    assert all(i.gold_pmids for i in bio) and all(i.reference_answer for i in bio)
    assert all(len(i.gold_pmids) == 1 for i in load_suite("pubmedqa", SHARED).items)
    assert all(i.must_have for i in load_suite("medlfqa", SHARED).items)
    fda = load_suite("fdarxbench", SHARED).items
    assert sum(not i.answerable for i in fda) == 5  # README: 5 refusal questions
    assert all(i.gold_set_ids for i in fda if i.answerable)
    mediqa = load_suite("mediqa2019", SHARED).items
    assert sum(1 for i in mediqa if i.reference_answer) > 100


def test_suite_names_include_every_shared_file() -> None:
    assert set(EXPECTED) | {"out_of_scope", "unanswerable"} == set(suite_names())
