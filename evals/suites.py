"""Evaluation suites: one adapter per shared suite file, plus a generic JSONL format.

Every adapter turns a source record into a typed `EvalItem`; reference fields keep their meaning
from the original dataset (see `../shared/evals/README.md`).  Bad records are skipped and counted
(`Suite.skipped`), never the whole suite.

Generic format (one JSON object per line; only `id` and `question` are required)::

    {"id": "q1", "question": "...", "reference_answer": "...", "gold_doc_ids": ["pubmed:123"],
     "gold_pmids": ["123"], "must_have": ["..."], "answerable": true}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.out_of_scope import OUT_OF_SCOPE
from evals.unanswerable import split_of, unanswerable_questions
from medcite.errors import MedCiteError
from medcite.types import Chunk, Tier

# MEDIQA 2019 Task 3: "answers scored 3 or 4 count as correct" (Ben Abacha et al., BioNLP 2019).
MEDIQA_CORRECT_SCORE = 3


@dataclass(frozen=True)
class EvalItem:
    """One evaluation question with whatever references its suite provides."""

    item_id: str
    suite: str
    question: str
    reference_answer: str | None = None
    # Extra acceptable references (MEDIQA: every answer judged correct); ROUGE/cosine take the best.
    alt_references: tuple[str, ...] = ()
    gold_doc_ids: tuple[str, ...] = ()  # MedCite doc ids, e.g. "pubmed:123"
    gold_pmids: tuple[str, ...] = ()  # matched against chunk.meta["pmid"]
    gold_set_ids: tuple[str, ...] = ()  # DailyMed set ids, matched against chunk.meta["set_id"]
    must_have: tuple[str, ...] = ()
    nice_to_have: tuple[str, ...] = ()
    answerable: bool = True  # False: the corpus cannot answer it; the right behaviour is to abstain
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def gold_keys(self) -> frozenset[str]:
        """Gold documents as namespaced keys comparable with `doc_keys(chunk)`."""
        return frozenset(
            [f"doc:{d}" for d in self.gold_doc_ids]
            + [f"pmid:{p}" for p in self.gold_pmids]
            + [f"set_id:{s}" for s in self.gold_set_ids]
        )

    @property
    def gold_tiers(self) -> tuple[Tier, ...]:
        """The tiers the gold documents live in, by the kind of gold the suite gives (PubMed ids are
        research abstracts, DailyMed set ids are labels); () when the gold names no tier."""
        tiers = ((Tier.RESEARCH,) if self.gold_pmids else ()) + (
            (Tier.DRUG_LABEL,) if self.gold_set_ids else ()
        )
        return tiers if not self.gold_doc_ids else ()

    @property
    def references(self) -> tuple[str, ...]:
        """All reference answers, the primary one first."""
        first = (self.reference_answer,) if self.reference_answer else ()
        return first + tuple(r for r in self.alt_references if r and r != self.reference_answer)


def doc_keys(chunk: Chunk) -> frozenset[str]:
    """Keys under which a retrieved chunk's document can match gold documents.

    Carrying ids (doc id, PMID, set id) rather than positions: the same PubMed article can be in
    the corpus twice (BioASQ snippets and PubMedQA abstracts), and both count as that PMID.
    """
    keys = [f"doc:{chunk.doc_id}"]
    pmid = chunk.meta.get("pmid")
    if pmid:
        keys.append(f"pmid:{pmid}")
    set_id = chunk.meta.get("set_id")
    if set_id:
        keys.append(f"set_id:{set_id}")
    return frozenset(keys)


@dataclass
class Suite:
    """A loaded suite: its items and how many source records could not be used."""

    name: str
    path: Path | None
    items: list[EvalItem]
    skipped: int = 0
    skip_reasons: list[str] = field(default_factory=list)


# --- adapters: pure functions from one source record to an EvalItem ---------------------------


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return tuple(str(v) for v in value if str(v).strip())


def _text(value: Any) -> str | None:
    """BioASQ `ideal_answer` is a list of alternative phrasings; a string elsewhere."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value).strip() or None


def bioasq_item(rec: Mapping[str, Any]) -> EvalItem:
    ideal = rec.get("ideal_answer")
    alts = _strs(ideal) if isinstance(ideal, list) else ()
    return EvalItem(
        item_id=str(rec["id"]),
        suite="bioasq",
        question=str(rec["question"]),
        reference_answer=_text(ideal),
        alt_references=alts[1:],
        # gold documents by PMID only: one key per document (a doc-id key as well would count every
        # gold article twice and cap recall at 0.5); `doc_keys` gives every corpus copy its PMID key
        gold_pmids=_strs(rec.get("pmids")),
        meta={"type": rec.get("type"), "exact_answer": rec.get("exact_answer"), "batch": rec.get("batch")},
    )


def pubmedqa_item(rec: Mapping[str, Any]) -> EvalItem:
    pmid = str(rec["pmid"])
    return EvalItem(
        item_id=str(rec["id"]),
        suite="pubmedqa",
        question=str(rec["question"]),
        reference_answer=_text(rec.get("long_answer")),
        gold_pmids=(pmid,),  # one key per gold document (see bioasq_item)
        meta={"final_decision": rec.get("final_decision")},
    )


def medicationqa_item(rec: Mapping[str, Any]) -> EvalItem:
    return EvalItem(
        item_id=str(rec["id"]),
        suite="medicationqa",
        question=str(rec["question"]),
        reference_answer=_text(rec.get("Answer")),
        meta={
            "focus": rec.get("Focus (Drug)"),
            "question_type": rec.get("Question Type"),
            "url": rec.get("URL"),
        },
    )


def medlfqa_item(rec: Mapping[str, Any]) -> EvalItem:
    return EvalItem(
        item_id=str(rec["id"]),
        suite="medlfqa",
        question=str(rec["question"]),
        reference_answer=_text(rec.get("Free_form_answer")),
        must_have=_strs(rec.get("Must_have")),
        nice_to_have=_strs(rec.get("Nice_to_have")),
    )


def mediqa_item(rec: Mapping[str, Any]) -> EvalItem:
    """Reference answers are the candidates judged correct (ReferenceScore >= 3), best-ranked first."""
    correct = [
        a
        for a in rec.get("answers") or []
        if int(a.get("ReferenceScore") or 0) >= MEDIQA_CORRECT_SCORE and a.get("AnswerText")
    ]
    correct.sort(key=lambda a: int(a.get("ReferenceRank") or 10**6))
    texts = tuple(str(a["AnswerText"]) for a in correct)
    return EvalItem(
        item_id=str(rec["id"]),
        suite="mediqa2019",
        question=str(rec["question"]),
        reference_answer=texts[0] if texts else None,
        alt_references=texts[1:],
        meta={"part": rec.get("part"), "n_correct": len(texts), "n_answers": len(rec.get("answers") or [])},
    )


def fdarxbench_item(rec: Mapping[str, Any]) -> EvalItem:
    """Gold document: the label (one Document per set id). "refusal" questions should abstain."""
    refusal = rec.get("question_type") == "refusal"
    gold_passages = [c.get("text", "") for c in rec.get("context") or [] if c.get("has_answer")]
    return EvalItem(
        item_id=str(rec.get("qid") or rec.get("id")),
        suite="fdarxbench",
        question=str(rec["question"]),
        reference_answer=None if refusal else _text(rec.get("answer")),
        gold_set_ids=() if refusal else _strs(rec.get("set_id")),
        answerable=not refusal,
        meta={
            "question_type": rec.get("question_type"),
            "drug_name": rec.get("drug_name"),
            "references": rec.get("references"),
            "gold_passages": gold_passages,
        },
    )


def generic_item(rec: Mapping[str, Any], suite: str = "custom") -> EvalItem:
    """The documented bring-your-own format (see the module docstring and docs/EVALS.md)."""
    answerable = rec.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError("'answerable' must be true or false")
    return EvalItem(
        item_id=str(rec["id"]),
        suite=suite,
        question=str(rec["question"]),
        reference_answer=_text(rec.get("reference_answer")),
        gold_doc_ids=_strs(rec.get("gold_doc_ids")),
        gold_pmids=_strs(rec.get("gold_pmids")),
        gold_set_ids=_strs(rec.get("gold_set_ids")),
        must_have=_strs(rec.get("must_have")),
        answerable=answerable,
    )


Adapter = Callable[[Mapping[str, Any]], EvalItem]

# suite name -> (file under settings.evals, adapter)
SUITES: dict[str, tuple[str, Adapter]] = {
    "bioasq": ("bioasq_dev.jsonl", bioasq_item),
    "pubmedqa": ("pubmedqa_dev.jsonl", pubmedqa_item),
    "medicationqa": ("medicationqa.jsonl", medicationqa_item),
    "medlfqa": ("medlfqa_medicationqa.jsonl", medlfqa_item),
    "mediqa2019": ("mediqa2019_qa.jsonl", mediqa_item),
    "fdarxbench": ("fdarxbench_qa.jsonl", fdarxbench_item),
}
BUILTIN_SUITES = ("out_of_scope", "unanswerable")


def out_of_scope_items() -> list[EvalItem]:
    """The hand-written unanswerable questions (evals/out_of_scope.py) as items."""
    return [
        EvalItem(
            item_id=f"oos-{i + 1:02d}", suite="out_of_scope", question=q, answerable=False, meta={"kind": k}
        )
        for i, (k, q) in enumerate(OUT_OF_SCOPE)
    ]


def unanswerable_items() -> list[EvalItem]:
    """The larger unanswerable set (evals/unanswerable.py), each item with its kind and its split
    (calibration or report) in `meta`."""
    position: dict[str, int] = {}
    items = []
    for i, (kind, q) in enumerate(unanswerable_questions()):
        n = position[kind] = position.get(kind, -1) + 1
        meta = {"kind": kind, "split": split_of(n)}
        item_id = f"un-{i + 1:03d}"
        items.append(EvalItem(item_id, suite="unanswerable", question=q, answerable=False, meta=meta))
    return items


def suite_names() -> list[str]:
    return [*SUITES, *BUILTIN_SUITES]


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield lineno, None, f"invalid JSON ({exc.msg})"
                continue
            if not isinstance(rec, dict):
                yield lineno, None, "not a JSON object"
                continue
            yield lineno, rec, ""


def adapt_records(
    records: Iterable[tuple[int, dict[str, Any] | None, str]], adapter: Adapter, name: str, path: Path | None
) -> Suite:
    """Apply an adapter to every record, skipping and counting the ones it cannot use."""
    suite = Suite(name=name, path=path, items=[])
    for lineno, rec, err in records:
        try:
            if rec is None:
                raise ValueError(err)
            item = adapter(rec)
            if not item.question.strip():
                raise ValueError("empty question")
        except (KeyError, ValueError, TypeError) as exc:
            suite.skipped += 1
            suite.skip_reasons.append(f"line {lineno}: {exc!r}")
            continue
        suite.items.append(item)
    return suite


def load_suite(name_or_path: str | Path, evals_dir: Path | None = None, limit: int | None = None) -> Suite:
    """Load a shared suite by name (from `evals_dir`, default `settings.evals`) or a generic JSONL path.

    `limit` keeps the first N items in file order, so a limited run is reproducible.
    """
    name = str(name_or_path)
    if name in BUILTIN_SUITES:
        builtin = out_of_scope_items() if name == "out_of_scope" else unanswerable_items()
        suite = Suite(name=name, path=None, items=builtin)
    elif name in SUITES:
        if evals_dir is None:
            from medcite.settings import load_settings

            evals_dir = load_settings().evals
        filename, adapter = SUITES[name]
        path = Path(evals_dir) / filename
        if not path.exists():
            raise MedCiteError(
                f"Suite file {path} not found.",
                hint="Set MEDCITE_EVALS to the folder holding the shared suites, or pass a JSONL path.",
            )
        suite = adapt_records(_records(path), adapter, name, path)
    else:
        path = Path(name)
        if not path.is_file():
            raise MedCiteError(
                f"Unknown suite {name!r}.",
                hint=f"Use one of {', '.join(suite_names())} or a path to a JSONL file (docs/EVALS.md).",
            )
        suite_name = path.stem
        suite = adapt_records(_records(path), lambda r: generic_item(r, suite_name), suite_name, path)
    if limit is not None:
        suite.items = suite.items[: max(limit, 0)]
    return suite
