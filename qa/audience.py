"""Clinician vs patient: plain-language rewriting, shorter sentences, disclaimers, reading grade.

Patient text swaps jargon for everyday words (a curated list after the MedlinePlus "Understanding
medical words" glossary and the CDC Plain Language Thesaurus), splits long sentences at clause
boundaries and explains a medical term that has no everyday swap the first time the answer uses it,
with its plain meaning in brackets ("dermatomyositis (a disease that causes muscle weakness and a
skin rash)"). The same citations stay on every piece, and the support check re-scores the rewritten
text against the cited passage. A gloss is ours, not the passage's: it is kept out of `Draft.core`,
the text the support and verbatim checks read, and `strip_glosses` removes it for checks that read
the displayed text.
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
    # an adverb for an adverb; the adjective stands before its noun, where "IV", as patients say it,
    # still reads ("by direct IV injection", not "by direct through a vein injection")
    ("intravenously (IV)", "through a vein"),
    ("intravenously", "through a vein"),
    ("intravenous (IV)", "IV"),  # not "Rapid IV (IV) fentanyl"
    ("intravenous", "IV"),
    ("subcutaneously", "under the skin"),
    # the article before it stays right: "a subcutaneous injection" is "a shot under the skin", "an
    # intramuscular injection" "an injection into a muscle"
    ("subcutaneous injections", "shots under the skin"),
    ("subcutaneous injection", "shot under the skin"),
    ("subcutaneous", "under-the-skin"),
    ("intramuscularly", "into a muscle"),
    ("intramuscular injections", "injections into a muscle"),
    ("intramuscular injection", "injection into a muscle"),
    ("orally", "by mouth"),
    ("administered", "given"),
    ("administration", "use"),
    ("adverse events", "side effects"),
    ("adverse effects", "side effects"),
    ("adverse reactions", "side effects"),
    ("efficacy", "effect"),  # a noun for a noun: "compromised efficacy of diclofenac"
    ("efficacious", "effective"),
    ("is contraindicated", "should not be used"),
    ("are contraindicated", "should not be used"),
    ("contraindicated", "not to be used"),  # "Contraindicated in ...", "... contraindicated drugs"
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
    # everyday words for common long ones (CDC Plain Language Thesaurus)
    ("individuals", "people"),
    ("participants", "people"),
    ("associated with", "linked to"),
    ("commonly", "often"),
    ("frequently", "often"),
    ("observed", "seen"),
    ("medications", "medicines"),
    ("medication", "medicine"),
    ("excretion", "loss"),
    ("toxicity", "damage"),
    ("sufficient", "enough"),
    ("numerous", "many"),
    ("prior to", "before"),
    ("regarding", "about"),
    ("consequently", "so"),
    ("fatigue", "tiredness"),
    ("abdominal", "belly"),
    ("requires", "needs"),
    ("required", "needed"),
    ("demonstrate", "show"),
    ("demonstrates", "shows"),
    ("utilized", "used"),
    ("initial", "first"),
    # more of the same, each safe wherever the word stands (no noun/verb double duty)
    ("physicians", "doctors"),
    ("recommended", "advised"),
    ("recommends", "advises"),
    ("concentrations", "levels"),
    ("eliminated", "removed"),
    ("beneficial", "helpful"),
    ("additional", "extra"),
    ("generally", "usually"),
    ("immediately", "right away"),
    ("occasionally", "sometimes"),
    ("in combination with", "together with"),
    ("discontinuation", "stopping"),
    ("adequate", "enough"),
    ("subsequent", "later"),
    ("furthermore", "also"),
    ("moreover", "also"),
    ("nevertheless", "still"),
    ("in order to", "to"),
    ("is able to", "can"),
    ("are able to", "can"),
    # the words of drug labels a patient meets on interactions, side effects and who may take it
    # a noun for a noun: "where there is concomitant use of drugs that ..." must still read
    ("concomitant medications", "other medicines"),
    ("concomitant administration", "combined use"),
    ("concomitant", "combined"),
    ("coadministration", "combined use"),
    ("concomitantly", "at the same time"),
    ("hypersensitivity reactions", "allergic reactions"),
    ("hypersensitivity", "allergy"),
    ("gastrointestinal", "digestive"),
    ("somnolence", "sleepiness"),
    ("insomnia", "trouble sleeping"),
    ("tachycardia", "fast heartbeat"),
    ("bradycardia", "slow heartbeat"),
    ("syncope", "fainting"),
    ("thrombocytopenia", "low platelet count"),
    ("anaphylaxis", "severe allergic reaction"),
    ("the elderly", "older people"),
    ("elderly", "older"),
    ("geriatric", "older"),
    ("lactation", "breastfeeding"),
    ("nursing mothers", "breastfeeding mothers"),
    ("dosages", "doses"),
    ("dosage", "dose"),
    ("exhibited", "showed"),
    ("recommendations", "advice"),
    ("recommendation", "advice"),
)
# "(IV)" ends in ")"; a source that explains its own jargon ("adverse events (side effects)") keeps one copy
_PLAIN = [
    (re.compile(rf"\b{re.escape(a)}(?!\w)(?P<explained>\s+\({re.escape(b)}\))?", re.I), b)
    for a, b in PLAIN_WORDS
]


# Text before a word that starts a sentence or a clause after a colon.
_AT_START = re.compile(r"(?:^|[.!?:;]\s+|\(\s*|\n\s*)$")
# A capitalised word after a matched one: the match is part of a name ("Acute Myeloid Leukemia").
_NAME_GOES_ON = re.compile(r"\s+[A-Z][a-z]")


def plain_language(text: str) -> str:
    """Swap jargon for everyday words, keeping the capital of a sentence-initial word; where the source
    already gives the everyday word in brackets after it, that bracket goes. A capitalised
    word inside a sentence, or one that starts a run of capitalised words, is part of a name and stays
    ("U.S. Food and Drug Administration", "Acute Myeloid Leukemia", "Chronic Kidney Disease Foundation")."""
    for pattern, plain in _PLAIN:

        def swap(m: re.Match[str], plain: str = plain) -> str:
            word = m.group(0)[: len(m.group(0)) - len(m.group("explained") or "")]
            if word[:1].isupper() and (
                not _AT_START.search(m.string, 0, m.start()) or _NAME_GOES_ON.match(m.string, m.end())
            ):
                return m.group(0)
            return _match_case(word, plain)

        text = pattern.sub(swap, text)
    return text


def _match_case(original: str, plain: str) -> str:
    return plain[:1].upper() + plain[1:] if original[:1].isupper() else plain


# Medical terms that have no everyday swap (the name of a disease, a test) keep their name, which the
# reader will hear from their care team, and get its plain meaning in brackets the first time the
# answer uses it. Meanings after the MedlinePlus health-topic summaries and its "Understanding medical
# words" glossary, cut to a few short words: a bracket lengthens its sentence, and long sentences are
# what make text hard to read. A meaning names no drug and no number (the verbatim check's facts) and
# no other term of the list, so it can never add a fact; tests/qa/test_patient_readability.py holds it
# to that. Each entry: the term's spellings (all count as one term), then its meaning; compound terms
# come before the terms inside them ("inclusion body myositis" before "myositis").
GLOSSARY: tuple[tuple[tuple[str, ...], str], ...] = (
    (("inclusion body myositis",), "a slow muscle disease"),
    (("inflammatory myopathies", "inflammatory myopathy"), "immune muscle diseases"),
    (("interstitial lung disease",), "scarring of the lungs"),
    (("atrial fibrillation",), "a fast, uneven heartbeat"),
    (("creatine kinase",), "a muscle protein"),
    (("dermatomyositis",), "a muscle and skin disease"),
    (("polymyositis",), "a muscle disease"),
    (("myositis",), "muscle swelling"),
    (("myopathies", "myopathy"), "muscle disease"),
    (("rhabdomyolysis",), "muscle breakdown that can harm kidneys"),
    (("myalgias", "myalgia"), "muscle pain"),
    (("dysphagia",), "trouble swallowing"),
    (("calcinosis",), "calcium lumps under the skin"),
    (("autoimmune",), "the body attacking itself"),
    (("autoantibodies",), "proteins that attack the body"),
    (("biopsy",), "a small tissue sample"),
    (("electromyography",), "a test of nerves and muscles"),
    (("remission",), "when symptoms go away"),
    (("prognosis",), "the likely outcome"),
    (("idiopathic",), "of unknown cause"),
    (("atherosclerotic", "atherosclerosis"), "plaque in the arteries"),
    (("cardiovascular",), "heart and blood vessel"),
    (("arrhythmias", "arrhythmia"), "an uneven heartbeat"),
    (("lipids", "lipid"), "blood fats"),
    (("triglycerides",), "a type of blood fat"),
    (("statins", "statin"), "cholesterol medicines"),
    (("osteoporosis",), "weak, thin bones"),
    (("immunoglobulin",), "antibodies from donors"),
    (("anticoagulants", "anticoagulant"), "blood thinners"),
)
_GLOSS_TERMS = [
    (re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.I), meaning)
    for terms, meaning in GLOSSARY
]
# A term followed by its acronym ("dermatomyositis (DM)") gets its meaning inside that bracket; one
# followed by any other bracket is taken as explained by it.
_ACRONYM_AFTER = re.compile(r"\s\([A-Z][A-Za-z0-9-]{0,9}\)")
_BRACKET_AFTER = re.compile(r"\s\(")
_DEFINES = re.compile(r"\s+(?:means|refers to|is (?:a|an|the name)|are (?:a|the))\b", re.I)
_IN_BRACKETS = re.compile(r"\([^()]*\)")


def strip_glosses(text: str) -> str:
    """Text without the glossary meanings `gloss_first_use` put in it, for checks against a source."""
    for _, meaning in GLOSSARY:
        text = text.replace(f" ({meaning})", "").replace(f", {meaning})", ")")
    return text


def _inside(m: re.Match[str], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= m.start() and m.end() <= b for a, b in spans)


def gloss_first_use(drafts: Sequence[Draft]) -> list[Draft]:
    """Each glossary term explained where the drafts (in display order) first use it. Idempotent:
    earlier glosses are removed first, so after a draft is dropped the next use of its term is the
    one explained. `core` keeps the text the support check reads, without the meanings."""
    done: set[str] = set()
    out: list[Draft] = []
    for d in drafts:
        core = strip_glosses(d.checked_text)
        text = strip_glosses(d.text)
        # a lead's attribution names the source, not the topic: only its sentence is glossed
        cut = len(text) - len(core) if text.lower().endswith(core.lower()) else 0
        head, body = text[:cut], text[cut:]
        # a term inside a bracket, or inside a longer term already explained, is not explained again
        taken = [(b.start(), b.end()) for b in _IN_BRACKETS.finditer(body)]
        for pattern, meaning in _GLOSS_TERMS:
            if meaning in done:
                continue
            m = next((m for m in pattern.finditer(body) if not _inside(m, taken)), None)
            if m is None:
                continue
            done.add(meaning)
            bracket = _ACRONYM_AFTER.match(body, m.end())
            if _DEFINES.match(body, m.end()) or (not bracket and _BRACKET_AFTER.match(body, m.end())):
                taken.append((m.start(), m.end()))
                continue  # the sentence itself says what the term is ("Myositis means ...")
            at, insert = (bracket.end() - 1, f", {meaning}") if bracket else (m.end(), f" ({meaning})")
            body = body[:at] + insert + body[at:]
            taken = [(a + len(insert) if a >= at else a, b + len(insert) if b >= at else b) for a, b in taken]
            taken.append((m.start(), at + len(insert) + (1 if bracket else 0)))
        out.append(replace(d, text=head + body, core=core))
    return out


_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|can|could|may|might|should|must|will|would|does|do|did|need|needs|"
    r"helps?|causes?|treats?|reduces?|improves?|includes?|lowers?|raises?|increases?|decreases?|means?|"
    r"makes?|affects?|leads?|results?|occurs?|develops?|gets?|keeps?|takes?|works?)\b",
    re.I,
)
# Where a long sentence may be cut: "; ", or a comma before a conjunction that starts a new clause.
# "but" stays (it carries the contrast: "There is no cure. But the symptoms can be treated."); "and",
# "while" and "whereas" go, since two sentences side by side say as much.
_CLAUSE_BREAK = re.compile(r";\s+|,\s+(?=(?:but|and|while|whereas)\s)", re.I)
_DROPPED_CONJUNCTION = re.compile(r"^(?:and|while|whereas)\s+", re.I)


def split_long(sentence: str, max_words: int) -> list[str]:
    """Split a long sentence at '; ' or a ', but/and/while/whereas' clause boundary into shorter
    sentences; a split is kept only when every piece is a clause of its own (has a verb; a piece after
    the first has it before any comma and does not start with it), so lists such as 'A, B, and C, which
    ...' and shared subjects ('it lowers A, and raises B') are never cut into fragments."""
    if len(sentence.split()) <= max_words:
        return [sentence]
    parts = [p.strip() for p in _CLAUSE_BREAK.split(sentence) if p.strip()]
    parts = [_DROPPED_CONJUNCTION.sub("", p) for p in parts]
    if len(parts) < 2 or any(len(p.split()) < 4 or not _VERB.search(p) for p in parts):
        return [sentence]
    for p in parts[1:]:
        if _VERB.match(re.sub(r"^but\s+", "", p, flags=re.I)):
            return [sentence]  # "..., and may cause ..." continues the first clause's subject
        if not _VERB.search(p.split(",", 1)[0]):
            return [sentence]  # "..., and inclusion body myositis, which are ..." ends a list
    out = []
    for p in parts:
        p = p.rstrip(",")
        p = p[:1].upper() + p[1:]
        out.append(p if p.endswith((".", "!", "?")) else p + ".")
    return out


def patient_view(sentence: str, max_words: int) -> list[str]:
    """A passage sentence as a patient reads it: plain words, split when longer than `max_words`."""
    return split_long(plain_language(sentence), max_words)


def adapt_drafts(
    drafts: Sequence[Draft], audience: str, max_words: int, shown: Sequence[Draft] = ()
) -> list[Draft]:
    """Patient drafts in plain language, sentences over `max_words` split (a lead keeps its pieces in
    one statement, after its attribution) and medical terms explained on first use, counting those
    `shown` already explains; clinician drafts unchanged."""
    if audience != "patient":
        return list(drafts)
    out: list[Draft] = []
    for d in drafts:
        if d.is_lead:
            core = plain_language(d.checked_text)
            text = plain_language(d.text)
            ends = text.lower().endswith(core.lower())
            head = text[: len(text) - len(core)] if ends else ""
            # the reader reads the attribution as part of the sentence: it counts toward the length
            pieces = split_long(core, max_words - len(head.split())) if ends else [core]
            if len(pieces) > 1:
                first = pieces[0]
                if text[len(head) : len(head) + 1].islower():  # the attribution lower-cased it
                    first = first[:1].lower() + first[1:]
                text, core = " ".join([head + first, *pieces[1:]]), " ".join(pieces)
            out.append(replace(d, text=text, core=core))
            continue
        for piece in split_long(plain_language(d.text), max_words):
            out.append(replace(d, text=piece, core=piece))
    return gloss_first_use([*shown, *out])[len(shown) :]


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
