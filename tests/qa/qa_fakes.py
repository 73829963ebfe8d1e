"""Test helpers for the answer engine: chunk factory and a tiny in-memory retriever.

Imported by tests in this folder as `from qa_fakes import ...` (tests/qa has no __init__.py on
purpose: a package named `qa` would shadow the real one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from medcite.types import Chunk, Hit, SearchFilters, Tier, content_hash
from qa.textutil import content_terms


def chunk(
    text: str,
    *,
    tier: Tier = Tier.RESEARCH,
    title: str = "A study",
    doc: str | None = None,
    section: str = "Abstract",
    collection: str = "pubmedqa",
    publisher: str = "",
    year: int | None = 2015,
    meta: dict | None = None,
) -> Chunk:
    doc_id = doc or f"{collection}:{content_hash(title, text, length=8)}"
    return Chunk(
        chunk_id=content_hash(doc_id, section, text),
        doc_id=doc_id,
        tier=tier,
        collection=collection,
        title=title,
        section=section,
        text=text,
        ordinal=0,
        publisher=publisher,
        year=year,
        meta=meta or {},
    )


class MemoryRetriever:
    """IDF-weighted term-overlap retrieval over a list of chunks; honours SearchFilters.
    Records every call so tests can check what the engine asked for."""

    name = "memory"

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)
        self.calls: list[tuple[str, int, SearchFilters | None]] = []
        self._terms = [set(content_terms(c.embed_text)) for c in self.chunks]
        n = len(self.chunks)
        df: dict[str, int] = {}
        for terms in self._terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        self._idf = {t: math.log(1 + n / d) for t, d in df.items()}

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        self.calls.append((query, k, filters))
        q = set(content_terms(query))
        scored = []
        for c, terms in zip(self.chunks, self._terms, strict=True):
            if filters is not None and not filters.accepts(c):
                continue
            score = sum(self._idf[t] for t in q & terms)
            if score > 0:
                scored.append((score, c))
        scored.sort(key=lambda sc: (-sc[0], sc[1].chunk_id))
        return [Hit(c, s, self.name, i) for i, (s, c) in enumerate(scored[:k], start=1)]


def hit(c: Chunk, score: float = 1.0, rank: int = 1) -> Hit:
    return Hit(c, score, "memory", rank)


DERMATOMYOSITIS: list[Chunk] = [
    chunk(
        "Corticosteroids are the first-line treatment for dermatomyositis. Prednisone 1 mg/kg/day orally is "
        "given "
        "for 4 to 6 weeks, then tapered. Steroid-sparing agents such as methotrexate or azathioprine are "
        "added early "
        "to limit steroid toxicity. Intravenous immunoglobulin (IVIG) is recommended for refractory "
        "dermatomyositis.",
        tier=Tier.GUIDELINE,
        title="Guideline on the treatment of idiopathic inflammatory myopathies",
        collection="ngc",
        publisher="American Academy of Neurology - Medical Specialty Society",
        year=2016,
        section="Major Recommendations",
        doc="ngc-1",
    ),
    chunk(
        "Physical therapy and exercise improve muscle strength in dermatomyositis. Sun protection and "
        "sunscreen are "
        "advised for skin disease in dermatomyositis.",
        tier=Tier.GUIDELINE,
        title="Guideline on the treatment of idiopathic inflammatory myopathies",
        collection="ngc",
        publisher="American Academy of Neurology",
        year=2016,
        section="Major Recommendations",
        doc="ngc-1",
    ),
    chunk(
        "Prednisone is indicated for dermatomyositis and polymyositis. The initial dose of prednisone may "
        "vary from "
        "5 mg to 60 mg per day depending on the disease being treated. Prolonged use of corticosteroids may "
        "cause "
        "cataracts, glaucoma and increased risk of infection.",
        tier=Tier.DRUG_LABEL,
        title="PREDNISONE tablets",
        collection="spl",
        publisher="Example Pharma",
        year=2021,
        section="Indications and Usage",
        doc="spl-1",
    ),
    chunk(
        "We searched MEDLINE and EMBASE for randomised trials of IVIG in dermatomyositis. Five trials with "
        "300 "
        "patients were included. IVIG improved muscle strength in patients with refractory dermatomyositis "
        "compared "
        "with placebo.",
        title="Intravenous immunoglobulin for dermatomyositis: a systematic review and meta-analysis",
        collection="bioasq",
        publisher="PubMed",
        year=2019,
        doc="pubmed:1",
    ),
    chunk(
        "Patients with dermatomyositis were randomly assigned to methotrexate plus prednisone or prednisone "
        "alone. "
        "Methotrexate reduced the cumulative corticosteroid dose in dermatomyositis.",
        title="Methotrexate in dermatomyositis: a randomised controlled trial",
        collection="pubmedqa",
        publisher="PubMed",
        year=2012,
        doc="pubmed:2",
    ),
    chunk(
        "Dermatomyositis is a rare disease that causes muscle weakness and a skin rash. Treatment usually "
        "starts "
        "with steroid medicines to calm the immune system. Your doctor may also suggest other medicines, "
        "exercise "
        "and physical therapy.",
        tier=Tier.PATIENT_INFO,
        title="Dermatomyositis",
        collection="medlineplus",
        publisher="MedlinePlus",
        year=None,
        section="Summary",
        doc="mlp-1",
        meta={"synonyms": ["DM"], "mesh_terms": ["Dermatomyositis", "Myositis"]},
    ),
    chunk(
        "A heart attack happens when blood flow to the heart is blocked. Call 911 if you have chest pain.",
        tier=Tier.PATIENT_INFO,
        title="Heart Attack",
        collection="medlineplus",
        publisher="MedlinePlus",
        year=None,
        section="Summary",
        doc="mlp-2",
        meta={"mesh_terms": ["Myocardial Infarction"]},
    ),
    chunk(
        "Statins reduce the risk of myocardial infarction in adults with high cholesterol.",
        title="Statins for primary prevention",
        collection="pubmedqa",
        publisher="PubMed",
        year=2018,
        doc="pubmed:3",
    ),
]
