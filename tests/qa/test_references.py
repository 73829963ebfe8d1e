"""One reference per source document (issue 17 item 2): passages of one document, or of one web page
stored as several MedQuAD documents, share one number; numbers follow first citation."""

from __future__ import annotations

import dataclasses

from qa_fakes import chunk, hit

from medcite.types import Tier, source_key
from qa.drafts import Draft, assemble


def test_chunks_of_one_document_share_one_reference() -> None:
    a1 = chunk("Prednisone is first-line therapy.", doc="ngc:1", section="Treatment", tier=Tier.GUIDELINE)
    a2 = chunk(
        "Methotrexate is added when steroids fail.", doc="ngc:1", section="Second line", tier=Tier.GUIDELINE
    )
    b = chunk("Rituximab helped refractory disease.", doc="pubmed:9")
    hits = {c.chunk_id: hit(c, 1.0, rank) for rank, c in enumerate((a1, a2, b), start=1)}
    drafts = [
        Draft(Tier.GUIDELINE, "Prednisone is first-line therapy.", (a1.chunk_id,), is_lead=True),
        Draft(Tier.GUIDELINE, "Methotrexate is added when steroids fail.", (a2.chunk_id,)),
        Draft(Tier.RESEARCH, "Rituximab helped refractory disease.", (b.chunk_id,)),
        Draft(Tier.RESEARCH, "Both agents are used.", (b.chunk_id, a1.chunk_id)),
    ]
    sections, refs = assemble(drafts, hits)
    assert [r.n for r in refs] == [1, 2]
    guideline, research = refs
    assert [h.chunk_id for h in guideline.hits] == [a1.chunk_id, a2.chunk_id]  # both passages listed
    assert [h.chunk_id for h in research.hits] == [b.chunk_id]
    numbers = [st.citations for s in sections for st in (s.lead, *s.bullets)]
    assert numbers == [(1,), (1,), (2,), (1, 2)]
    assert "Methotrexate" in guideline.text and "Prednisone" in guideline.text


def test_medquad_answers_of_one_page_are_one_source() -> None:
    url = "https://rarediseases.info.nih.gov/gard/6263/dermatomyositis"
    q1 = dataclasses.replace(
        chunk("Dermatomyositis is treated with steroids.", doc="medquad:1-1", collection="medquad"), url=url
    )
    q2 = dataclasses.replace(
        chunk("Physical therapy keeps muscles strong.", doc="medquad:1-4", collection="medquad"),
        url=url + "/",
    )
    other = dataclasses.replace(chunk("Other page.", doc="medquad:2-1", collection="medquad"), url=url + "x")
    assert source_key(q1) == source_key(q2) != source_key(other)
    hits = {c.chunk_id: hit(c, 1.0, i) for i, c in enumerate((q1, q2, other), start=1)}
    drafts = [Draft(Tier.PATIENT_INFO, c.text, (c.chunk_id,)) for c in (q2, other, q1)]
    _, refs = assemble(drafts, hits)
    assert [(r.n, [h.chunk_id for h in r.hits]) for r in refs] == [
        (1, [q2.chunk_id, q1.chunk_id]),
        (2, [other.chunk_id]),
    ]


def test_a_document_without_url_is_its_own_source() -> None:
    a = chunk("Text one.", doc="label:1", section="Indications")
    b = chunk("Text two.", doc="label:2", section="Indications")
    assert source_key(a) != source_key(b)
    assert source_key(a) == source_key(dataclasses.replace(a, chunk_id="other", section="Dosage"))
