"""Clinician vs patient: plain-language rewriting, shorter sentences, disclaimers, reading grade.

Patient text swaps jargon for everyday words (a curated list after the MedlinePlus "Understanding
medical words" glossary and the CDC Plain Language Thesaurus) and splits long sentences at clause
boundaries. The same citations stay on every piece, and the support check re-scores the rewritten
text against the cited passage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from medcite.types import Answer
from qa.drafts import Draft
from qa.readability import flesch_kincaid_grade

CLINICIAN_DISCLAIMER = (
    "For healthcare professionals: this summary is generated from the cited sources to support, not replace, "
    "clinical judgement. Verify dosing and contraindications against the full prescribing information and "
    "current guidelines before acting on it."
)
PATIENT_DISCLAIMER = (
    "This information is for education only and is not medical advice. Talk to your doctor, nurse or "
    "pharmacist "
    "before you start, stop or change any treatment. If you think you have an emergency, call 911."
)

PLAIN_WORDS: tuple[tuple[str, str], ...] = (
    ("myocardial infarction", "heart attack"),
    ("cerebrovascular accident", "stroke"),
    ("hypertension", "high blood pressure"),
    ("hypotension", "low blood pressure"),
    ("hyperglycemia", "high blood sugar"),
    ("hypoglycemia", "low blood sugar"),
    ("corticosteroids", "steroid medicines"),
    ("glucocorticoids", "steroid medicines"),
    ("corticosteroid", "steroid"),
    ("cumulative", "total"),
    ("refractory", "hard-to-treat"),
    ("immunosuppressive agents", "medicines that calm the immune system"),
    ("immunosuppressive", "immune-calming"),
    ("intravenous immunoglobulin", "antibody infusions (IVIG)"),
    ("intravenously", "through a vein"),
    ("intravenous", "through a vein"),
    ("subcutaneously", "under the skin"),
    ("subcutaneous", "under the skin"),
    ("orally", "by mouth"),
    ("administered", "given"),
    ("administration", "use"),
    ("adverse events", "side effects"),
    ("adverse effects", "side effects"),
    ("adverse reactions", "side effects"),
    ("efficacy", "how well it works"),
    ("efficacious", "effective"),
    ("contraindicated", "should not be used"),
    ("prophylaxis", "prevention"),
    ("analgesics", "pain relievers"),
    ("analgesic", "pain reliever"),
    ("antipyretic", "fever reducer"),
    ("pruritus", "itching"),
    ("edema", "swelling"),
    ("oedema", "swelling"),
    ("dyspnea", "shortness of breath"),
    ("renal", "kidney"),
    ("hepatic", "liver"),
    ("cardiac", "heart"),
    ("pulmonary", "lung"),
    ("cutaneous", "skin"),
    ("dermatologic", "skin"),
    ("malignancy", "cancer"),
    ("malignant", "cancerous"),
    ("neoplasm", "tumor"),
    ("pediatric", "children's"),
    ("paediatric", "children's"),
    ("physician", "doctor"),
    ("utilize", "use"),
    ("initiate", "start"),
    ("initiated", "started"),
    ("discontinue", "stop"),
    ("discontinued", "stopped"),
    ("approximately", "about"),
    ("subsequently", "later"),
    ("additionally", "also"),
    ("however", "but"),
    ("therefore", "so"),
    ("demonstrated", "showed"),
    ("indicated", "used"),
    ("mortality", "death rate"),
    ("morbidity", "illness"),
    ("chronic", "long-lasting"),
    ("acute", "sudden"),
    ("symptomatic", "with symptoms"),
    ("asymptomatic", "without symptoms"),
    ("etiology", "cause"),
    ("lesions", "sores"),
    ("erythema", "redness"),
    ("febrile", "with fever"),
    ("pharmacotherapy", "medicine treatment"),
    ("monotherapy", "treatment with one medicine"),
    ("first-line", "first-choice"),
)
_PLAIN = [(re.compile(rf"\b{re.escape(a)}\b", re.I), b) for a, b in PLAIN_WORDS]


def plain_language(text: str) -> str:
    """Swap jargon for everyday words, keeping the capital of a sentence-initial word."""
    for pattern, plain in _PLAIN:

        def swap(m: re.Match[str], plain: str = plain) -> str:
            return _match_case(m.group(0), plain)

        text = pattern.sub(swap, text)
    return text


def _match_case(original: str, plain: str) -> str:
    return plain[:1].upper() + plain[1:] if original[:1].isupper() else plain


_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|can|could|may|might|should|must|will|would|does|do|did|need|needs|"
    r"helps?|causes?|treats?|reduces?|improves?|includes?)\b",
    re.I,
)


def split_long(sentence: str, max_words: int) -> list[str]:
    """Split a long sentence at '; ' or a ', but/while/whereas' clause boundary into shorter
    sentences; a split is kept only when every piece is a clause of its own (has a verb), so lists
    such as 'A, B, and C' are never cut into fragments."""
    if len(sentence.split()) <= max_words:
        return [sentence]
    # ", and" is not a split point: it usually ends a list ("A, B, and C"), not a clause.
    parts = re.split(r";\s+|,\s+(?=(?:but|while|whereas)\s)", sentence)
    parts = [re.sub(r"^(?:but|while|whereas)\s+", "", p.strip()) for p in parts if p.strip()]
    if len(parts) < 2 or any(len(p.split()) < 4 or not _VERB.search(p) for p in parts):
        return [sentence]
    out = []
    for p in parts:
        p = p[:1].upper() + p[1:]
        out.append(p if p.endswith((".", "!", "?")) else p + ".")
    return out


def adapt_drafts(drafts: Sequence[Draft], audience: str, max_words: int) -> list[Draft]:
    """Patient drafts in plain language, sentences over `max_words` split; clinician drafts unchanged."""
    if audience != "patient":
        return list(drafts)
    out: list[Draft] = []
    for d in drafts:
        if d.is_lead:
            out.append(replace(d, text=plain_language(d.text), core=plain_language(d.checked_text)))
            continue
        for piece in split_long(plain_language(d.text), max_words):
            out.append(replace(d, text=piece, core=piece))
    return out


def disclaimer_for(audience: str) -> str:
    return PATIENT_DISCLAIMER if audience == "patient" else CLINICIAN_DISCLAIMER


def answer_text(answer: Answer) -> str:
    """All displayed statements of an answer as plain prose (for readability measurement)."""
    parts: list[str] = []
    for section in answer.sections:
        parts.append(section.lead.text)
        parts.extend(b.text for b in section.bullets)
    return " ".join(parts)


def reading_grade(texts: str | Iterable[str]) -> float:
    """Flesch-Kincaid grade (qa.readability, the same function the evals report), rounded to
    2 decimals; 0.0 for text without words."""
    grade = flesch_kincaid_grade(texts)
    return 0.0 if grade is None else round(grade, 2)
