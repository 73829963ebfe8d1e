"""The named questions of the open issues, checked on an index: `python -m evals.done_when`.

Issues 16 and 17 close on a few questions as well as on suite figures: three consumer questions that
must retrieve a relevant passage in the top 3 and be answered with citations, the dermatomyositis
treatment answer (drugs, a non-drug measure, a label section, one reference per document, research
designs, every sentence checked) and the XIPERE approval year.  Each check is a pure function of
the engine's output, so the same code is tested on fixtures (tests/evals/test_done_when.py) and run
on the full index, where it writes one JSON report with every check's verdict and its evidence.

"Relevant" is decided by words the issue names (the question's focus must appear in the passage's
title or text); the printed top 3 is there for a reader to confirm it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evals.grounding import check_answer
from medcite.types import Answer, Hit, Tier


@dataclass(frozen=True)
class Check:
    """One named requirement, its verdict and what it was decided on."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ConsumerQuestion:
    """An issue 16 question and the words a relevant passage names (any one suffices)."""

    question: str
    focus: tuple[str, ...]


CONSUMER_QUESTIONS = (
    ConsumerQuestion("Do fissures and hemmroids heal on their own?", ("hemorrhoid", "fissure")),
    ConsumerQuestion(
        "Alright so I dont know much about Lexapro would you tell me more about it?",
        ("escitalopram", "lexapro"),
    ),
    ConsumerQuestion("Also what is the oral option to get rid of scabies?", ("scabies",)),
)

DERMATOMYOSITIS = "What is the treatment for dermatomyositis?"
# Issue 17: each of these must be named with a citation that resolves (any alternative counts).
DERMATOMYOSITIS_TREATMENTS: dict[str, tuple[str, ...]] = {
    "corticosteroids": ("corticosteroid", "prednisone", "glucocorticoid", "steroid"),
    "methotrexate": ("methotrexate",),
    "azathioprine": ("azathioprine",),
    "IVIG": ("ivig", "intravenous immunoglobulin", "immune globulin", "immunoglobulin"),
    "rituximab": ("rituximab",),
    "non-drug measure": ("physical therapy", "exercise", "physiotherapy", "rehabilitation"),
}
XIPERE = "Which year was XIPERE approved by the FDA?"
XIPERE_PMID = "35868358"


def _mentions(text: str, words: Sequence[str]) -> bool:
    low = text.lower()
    return any(re.search(rf"\b{re.escape(w.lower())}", low) for w in words)


def _statements(answer: Answer) -> list[tuple[str, tuple[int, ...], Tier]]:
    return [(s.text, s.citations, sec.tier) for sec in answer.sections for s in (sec.lead, *sec.bullets)]


def relevant_in_top(hits: Sequence[Hit], focus: Sequence[str], k: int = 3) -> Check:
    """A passage naming the focus among the first `k` hits."""
    top = hits[:k]
    found = [h for h in top if _mentions(f"{h.chunk.title}\n{h.chunk.text}", focus)]
    titles = "; ".join(f"{h.rank}. {h.chunk.title} ({h.chunk.tier.value})" for h in top)
    return Check(f"relevant passage in top {k}", bool(found), titles or "no hits")


def answered_with_citations(answer: Answer) -> Check:
    cited = sum(bool(c) for _, c, _ in _statements(answer))
    ok = not answer.abstained and cited > 0 and bool(answer.citations)
    return Check("answered with citations", ok, f"abstained={answer.abstained}, cited sentences={cited}")


def names_with_resolving_citation(answer: Answer, label: str, words: Sequence[str]) -> Check:
    """Some sentence names one of `words` and every citation number it shows is a reference."""
    refs = {c.n for c in answer.citations}
    hits = [t for t, cites, _ in _statements(answer) if _mentions(t, words) and cites and set(cites) <= refs]
    return Check(f"names {label} with a citation", bool(hits), hits[0][:160] if hits else "not named")


def label_section_lists(answer: Answer, condition: str) -> Check:
    """A drug-label section whose cited label passages name `condition`."""
    by_n = {c.n: c for c in answer.citations}
    for sec in answer.sections:
        if sec.tier is not Tier.DRUG_LABEL:
            continue
        cited = {n for s in (sec.lead, *sec.bullets) for n in s.citations}
        for n in sorted(cited):
            c = by_n.get(n)
            if c is not None and _mentions(c.text, (condition,)):
                return Check(f"label section citing a label that lists {condition}", True, c.chunk.title)
    has = any(sec.tier is Tier.DRUG_LABEL for sec in answer.sections)
    return Check(f"label section citing a label that lists {condition}", False, f"label section shown={has}")


def one_reference_per_document(answer: Answer) -> Check:
    """No two references share a document (nor, for web pages, a URL)."""
    keys: dict[str, int] = {}
    clash: list[str] = []
    for c in answer.citations:
        for key in {c.chunk.doc_id, *([c.chunk.url] if c.chunk.url else [])}:
            if key in keys and keys[key] != c.n:
                clash.append(f"[{keys[key]}]/[{c.n}] share {key}")
            keys.setdefault(key, c.n)
    return Check(
        "one reference per document", not clash, "; ".join(clash) or f"{len(answer.citations)} references"
    )


def research_designs(answer: Answer) -> Check:
    missing = [
        c.n for c in answer.citations if c.chunk.tier is Tier.RESEARCH and c.evidence.study_design is None
    ]
    return Check("every research reference has a study design", not missing, f"without: {missing}")


def every_sentence_checked(answer: Answer) -> Check:
    """Every displayed sentence passes the independent support and verbatim check (evals.grounding)."""
    g = check_answer(answer)
    failed = [f"{s.text[:100]} ({s.reason()})" for s in g.sentences if not s.supported]
    return Check(
        "every sentence passes the support and verbatim check", not failed, "; ".join(failed) or "all pass"
    )


def leads_with(answer: Answer, text: str, pmid: str) -> Check:
    """The first sentence says `text` and cites the PubMed record `pmid`."""
    if answer.abstained or not answer.sections:
        return Check(f"leads with {text} citing PubMed {pmid}", False, "abstained")
    lead = answer.sections[0].lead
    by_n = {c.n: c for c in answer.citations}
    cites_pmid = any(pmid in by_n[n].chunk.doc_id for n in lead.citations if n in by_n)
    return Check(f"leads with {text} citing PubMed {pmid}", text in lead.text and cites_pmid, lead.text[:200])


def dermatomyositis_checks(answer: Answer) -> list[Check]:
    named = [names_with_resolving_citation(answer, k, v) for k, v in DERMATOMYOSITIS_TREATMENTS.items()]
    return [
        *named,
        label_section_lists(answer, "dermatomyositis"),
        one_reference_per_document(answer),
        research_designs(answer),
        every_sentence_checked(answer),
    ]


def run(engine: Any, search: Callable[[str], Sequence[Hit]]) -> dict[str, list[Check]]:
    """Every named question through `engine` (an AnswerEngine); `search` is the plain hybrid search
    over all tiers (`medcite search`), given the query the engine searched."""
    report: dict[str, list[Check]] = {}
    for cq in CONSUMER_QUESTIONS:
        evidence = engine.retrieve(cq.question)
        answer = engine.ask(cq.question, evidence=evidence)
        report[cq.question] = [
            relevant_in_top(search(evidence.query), cq.focus),
            answered_with_citations(answer),
        ]
    report[DERMATOMYOSITIS] = dermatomyositis_checks(engine.ask(DERMATOMYOSITIS))
    report[XIPERE] = [leads_with(engine.ask(XIPERE), "2021", XIPERE_PMID)]
    return report


def mentions_any(doc: Any, words: Sequence[str]) -> bool:
    """Whether a corpus document's title or text names one of `words` (case-insensitive)."""
    text = " ".join([doc.title, *(s.text or "" for s in doc.sections)]).lower()
    return any(w.lower() in text for w in words)


def build_subset_index(settings: Any, words: Sequence[str]) -> None:
    """Index, in `settings.home`, only the corpus documents that mention one of `words`: the checks
    on real text and the real model in minutes, where the full index takes hours on two cores."""
    from corpus.manifest import read_corpus
    from embedding.factory import embedder_from_settings
    from ingest.pipeline import run_ingest

    docs = [d for d in read_corpus(settings.corpus).documents if mentions_any(d, words)]
    print(f"{len(docs)} documents mention {', '.join(words)}; indexing them in {settings.home}")
    run_ingest(settings, embedder_from_settings(settings), corpus=docs, progress=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="Write the report as JSON here.")
    parser.add_argument(
        "--subset",
        nargs="+",
        metavar="WORD",
        help="Check on a small index of the corpus documents that mention one of these words "
        "(e.g. dermatomyositis xipere), built in --home, instead of the index in MEDCITE_HOME.",
    )
    parser.add_argument("--home", type=Path, help="Index folder for --subset (default: a temporary one).")
    args = parser.parse_args(argv)
    from index import open_index
    from medcite.settings import load_settings
    from qa.engine import AnswerEngine
    from qa.retrievers import make_retriever, per_document

    settings = load_settings()
    if args.subset:
        import tempfile

        home = args.home or Path(tempfile.mkdtemp(prefix="medcite-subset-"))
        settings = load_settings(home=home, corpus=settings.corpus)
        build_subset_index(settings, args.subset)
    index = open_index(settings)
    hybrid = make_retriever(index, "hybrid", settings)
    report = run(AnswerEngine(index, settings), lambda q: per_document(hybrid.search(q, k=15), 3, 1))
    for question, checks in report.items():
        print(question)
        for c in checks:
            print(f"  [{'ok' if c.ok else 'NO'}] {c.name}: {c.detail}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({q: [asdict(c) for c in cs] for q, cs in report.items()}, indent=2))
    return 0 if all(c.ok for cs in report.values() for c in cs) else 1


if __name__ == "__main__":
    sys.exit(main())
