"""`medcite model train` end to end on the gate fixture (issue 18): a few steps with the real base
model, on an index built with the fake embedder (only its catalog and BM25 are read).  The same seed
gives the same weights, bit for bit, so the shipped model's figures can be reproduced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedding.models import expected_sha256, file_sha256, verified_model_dir
from evals.train_encoder import TrainConfig, run
from medcite.embedding import HashingEmbedder
from medcite.settings import load_settings

pytestmark = pytest.mark.integration

GATE = Path(__file__).resolve().parent.parent / "fixtures" / "gate"


@pytest.fixture(scope="module")
def gate_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from ingest.pipeline import run_ingest

    tmp = tmp_path_factory.mktemp("train")
    evals = tmp / "evals"
    evals.mkdir()
    # the first 12 gate questions: 6 train, 6 validate (a small validation corpus keeps this quick)
    rows = [json.loads(line) for line in (GATE / "bioasq_gate.jsonl").read_text().splitlines()][:12]
    (evals / "bioasq_dev.jsonl").write_text(  # the gate's generic records in BioASQ's own fields
        "".join(
            json.dumps(
                {"id": r["id"], "body": r["question"], "question": r["question"], "pmids": r["gold_pmids"]}
            )
            + "\n"
            for r in rows
        )
    )
    settings = load_settings(
        home=tmp / "home", corpus=GATE / "corpus", evals=evals, index={"embedding_model": "fake"}
    )
    run_ingest(settings, HashingEmbedder(), progress=False)
    return settings, tmp


def test_training_writes_a_verified_model_and_reproduces_it(gate_index) -> None:  # type: ignore[no-untyped-def]
    settings, tmp = gate_index
    config = TrainConfig(steps=3, batch_size=4)
    first = run(settings, tmp / "a", config)
    second = run(settings, tmp / "b", config, validate_before=False)
    assert first["sha256"] == second["sha256"]  # same seed, same data: the same weights
    assert first["validation"]["after"] == second["validation"]["after"]
    assert first["examples_seen"] == 12 and first["pairs"]["bioasq"] > 0
    assert first["validation"]["questions"] == 6  # the odd half of the 12 questions
    assert 0.0 <= first["validation"]["before"] <= 1.0
    assert verified_model_dir(tmp / "a") == tmp / "a"
    assert file_sha256(tmp / "a" / "model.safetensors") == expected_sha256(tmp / "a") == first["sha256"]
    card = (tmp / "a" / "MODEL_CARD.md").read_text()
    assert first["sha256"] in card and "Apache-2.0" in card
    assert json.loads((tmp / "a" / "training.json").read_text())["steps"] == 3
    assert "before\nnot measured" in (tmp / "b" / "MODEL_CARD.md").read_text()
    other = run(settings, tmp / "c", TrainConfig(steps=3, batch_size=4, seed=14), validate_before=False)
    assert other["sha256"] != first["sha256"]


def test_training_without_data_says_what_to_do(tmp_path: Path) -> None:
    from ingest.pipeline import run_ingest
    from medcite.errors import MedCiteError

    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "bioasq_dev.jsonl").write_text("")
    settings = load_settings(
        home=tmp_path / "home",
        corpus=GATE / "corpus",
        evals=tmp_path / "evals",
        index={"embedding_model": "fake"},
    )
    run_ingest(settings, HashingEmbedder(), progress=False)
    with pytest.raises(MedCiteError, match="Nothing to train on"):
        run(settings, tmp_path / "out", TrainConfig(steps=1, batch_size=2))
