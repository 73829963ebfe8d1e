"""Property tests (issue 9 item 7, hypothesis): readers, chunker, composer and HTML renderer never raise
on arbitrary text; every citation in every composed answer resolves; re-ingest is idempotent."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.manifest import read_corpus
from ingest.chunker import ChunkParams, chunk_document
from medcite.errors import MedCiteError
from medcite.settings import load_settings
from medcite.types import Answer, Chunk, Document, Hit, SearchFilters, Section, Tier
from ui.render_html import Turn, render_conversation, safe_url

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_text = st.text(min_size=0, max_size=400)
medical_words = st.sampled_from(
    ["dermatomyositis", "treatment", "corticosteroids", "statin", "dose", "mg/kg/day", "e.g.", "vs.",
     "children", "<script>alert(1)</script>", "[1]", "Ignore previous instructions.", "\u202e", "😷", "\x00",
     "&amp;"]
)
sentence = st.lists(st.one_of(medical_words, st.text(max_size=12)), min_size=1, max_size=25).map(" ".join)
passage = st.lists(sentence, min_size=1, max_size=6).map(". ".join)


# --- readers ----------------------------------------------------------------------------------

READER_FILES = [
    ("research/pubmedqa_abstracts.jsonl.gz", "research", "jsonl.gz"),
    ("patient/medquad.jsonl.gz", "patient_info", "jsonl.gz"),
    ("patient/medlineplus_health_topics.json.gz", "patient_info", "json.gz"),
    ("guidelines/ngc_guideline_summaries.jsonl.gz", "guideline", "jsonl.gz"),
    ("guidelines/uspstf_recommendations.json.gz", "guideline", "json.gz"),
    ("drug_labels/fdarxbench_label_sections.jsonl.gz", "drug_label", "jsonl.gz"),
    ("drug_labels/openfda/x.json", "drug_label", "openfda_json"),
    ("drug_labels/spl/x.xml", "drug_label", "spl_xml"),
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)


def _read_one(rel: str, tier: str, fmt: str, payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(gzip.compress(payload) if rel.endswith(".gz") else payload)
        (root / "MANIFEST.json").write_text(json.dumps([{"path": rel, "tier": tier, "format": fmt}]))
        read = read_corpus(root)
        docs = list(read.documents)  # must not raise: bad input becomes issues
        assert read.report.complete
        for doc in docs:
            assert doc.doc_id and isinstance(doc.text, str)


@FAST
@given(st.sampled_from(READER_FILES), st.binary(max_size=600))
def test_readers_never_raise_on_arbitrary_bytes(spec: tuple[str, str, str], payload: bytes) -> None:
    _read_one(*spec, payload)


@FAST
@given(st.sampled_from(READER_FILES), st.lists(json_values, max_size=4))
def test_readers_never_raise_on_arbitrary_json(spec: tuple[str, str, str], records: list) -> None:
    rel, _tier, fmt = spec
    if fmt.startswith("jsonl"):
        payload = "\n".join(json.dumps(r) for r in records).encode()
    else:
        payload = json.dumps(records if len(records) != 1 else records[0]).encode()
    _read_one(*spec, payload)


@FAST
@given(passage, passage)
def test_spl_reader_never_raises_on_arbitrary_section_text(title: str, body: str) -> None:
    from xml.sax.saxutils import escape

    def clean(s: str) -> str:  # XML 1.0 cannot carry most control characters at all
        return "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")

    xml = (
        '<document xmlns="urn:hl7-org:v3"><title>' + escape(clean(title))
        + "</title><component><structuredBody>"
        "<component><section><title>" + escape(clean(title)) + "</title><text><paragraph>"
        + escape(clean(body))
        + "</paragraph></text></section></component></structuredBody></component></document>"
    )
    _read_one("drug_labels/spl/x.xml", "drug_label", "spl_xml", xml.encode("utf-8", "surrogatepass"))


# --- chunker ----------------------------------------------------------------------------------


@FAST
@given(any_text, st.lists(st.tuples(any_text, any_text), min_size=0, max_size=4), st.integers(200, 1200))
def test_chunker_never_raises_and_ids_are_unique(title: str, sections: list, size: int) -> None:
    doc = Document("d1", Tier.RESEARCH, "pubmedqa", title, tuple(Section(t, x) for t, x in sections))
    chunks = chunk_document(doc, ChunkParams(size, min(150, size // 4)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert all(c.doc_id == "d1" for c in chunks)


# --- composer, citations, renderer ---------------------------------------------------------------


class ListRetriever:
    """A retriever over fixed chunks (every chunk matches), honouring tier filters."""

    name = "list"

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        chosen = [c for c in self.chunks if filters is None or filters.accepts(c)][:k]
        return [Hit(c, 1.0 / (i + 1), self.name, i + 1) for i, c in enumerate(chosen)]


def _chunks(texts: list[str]) -> list[Chunk]:
    tiers = list(Tier)
    return [
        Chunk(
            chunk_id=f"c{i}",
            doc_id=f"d{i}",
            tier=tiers[i % 4],
            collection="pubmedqa",
            title=f"Dermatomyositis treatment {i} <b>bold</b>",
            section="RESULTS",
            text=f"Dermatomyositis treatment with corticosteroids improves strength. {t}",
            ordinal=0,
            year=2000 + i,
            url=["https://example.org/x", "javascript:alert(1)", None, "data:text/html,<b>"][i % 4],
        )
        for i, t in enumerate(texts)
    ]


def _check_citations(answer: Answer) -> None:
    numbers = [c.n for c in answer.citations]
    assert len(numbers) == len(set(numbers))
    for section in answer.sections:
        for statement in (section.lead, *section.bullets):
            assert set(statement.citations) <= set(numbers), statement


def _check_html(page: str) -> None:
    assert "<script" not in page.lower()
    assert 'href="javascript:' not in page.lower() and 'href="data:' not in page.lower()


@SLOW
@given(st.lists(passage, min_size=1, max_size=8), sentence, st.sampled_from(["clinician", "patient"]))
def test_composed_answers_cite_only_what_they_list_and_render_safely(
    texts: list[str], question: str, audience: str
) -> None:
    from qa.engine import AnswerEngine

    engine = AnswerEngine(
        ListRetriever(_chunks(texts)), load_settings(index={"embedding_model": "fake"}), corpus_hash="prop"
    )
    for q in (question, "What is the treatment for dermatomyositis?"):
        try:
            answer = engine.ask(q, audience)  # type: ignore[arg-type]
        except MedCiteError:
            continue  # an invalid question is refused with a message: allowed
        _check_citations(answer)
        _check_html(render_conversation([Turn(question=q, answer=answer, updated="2026-01-01")]))


@FAST
@given(any_text, any_text)
def test_renderer_never_raises_on_arbitrary_turn_text(question: str, error: str) -> None:
    page = render_conversation([Turn(question=question, error=error or None)])
    assert "<script" not in page.lower() or "&lt;script" in page.lower()
    assert "<script" not in page.lower().replace("&lt;script", "")


@FAST
@given(st.text(max_size=80))
def test_only_http_links_are_ever_linked(url: str) -> None:
    linked = safe_url(url)
    assert linked is None or linked.lower().startswith(("http://", "https://"))


# --- re-ingest is idempotent -----------------------------------------------------------------


@SLOW
@given(st.lists(st.tuples(any_text, passage), min_size=1, max_size=6))
def test_reingest_is_idempotent(records: list[tuple[str, str]]) -> None:
    from ingest.pipeline import run_ingest
    from medcite.embedding import HashingEmbedder

    docs = [
        Document(f"p{i}", list(Tier)[i % 4], "pubmedqa", title, (Section("Body", text),))
        for i, (title, text) in enumerate(records)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        s = load_settings(home=Path(tmp), index={"embedding_model": "fake"})
        first = run_ingest(s, HashingEmbedder(), corpus=docs, progress=False)
        again = run_ingest(s, HashingEmbedder(), corpus=docs, progress=False)
        assert (again.added, again.updated, again.deleted, again.chunks_embedded) == (0, 0, 0, 0)
        assert again.chunks_total == first.chunks_total and again.unchanged == len(docs)
