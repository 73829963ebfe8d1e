"""An independent check of every displayed sentence against the passages it cites.

The engine scores its own sentences (qa/support.py: share of suffix-folded content terms found in the
passage, or embedding cosine) and drops or flags those below a threshold, so re-reading that score
can never fail. This check is computed here, from the displayed answer alone, by another method:

- every citation number the sentence shows (its citation list and any inline "[n]") resolves to a
  reference of the answer, and it shows at least one (a "dangling" number is a failure);
- content: the share of the sentence's content words (evals.coverage stop list, no stemming) found
  in the cited passages' text must reach CONTENT_COVERAGE; a word is found when a passage word
  equals it or shares a long common prefix with it (rapidfuzz `Prefix`: at least PREFIX_MIN
  letters and all but at most SUFFIX_SLACK of the longer word), which accepts inflections
  ("lowers"/"lower", "children"/"child") but never opposites that edit-distance ratios accept
  ("hypertension"/"hypotension" 87, "effective"/"ineffective" 90 in `fuzz.ratio`);
- every number (with its unit, when it has one) and every drug-like word (an INN stem such as
  -mab, -pril, -statin) appears verbatim in the cited passages: a wrong dose or a swapped drug name
  is exactly what a content-word share would forgive.

"The cited passages" of a reference include the fields the reference itself shows (tier, title,
section, source, year, grade, evidence level: `reference_text`), because a lead's attribution is
written from them; the attribution's reporting verbs ("according", "says", "found") are not content.

Patient sentences are rewritten into plain language (qa/audience.py), so some of their words are
not in the passage by design; their figure is lower than a clinician's for that reason alone. The
bracketed meanings a patient answer gives a medical term on first use (qa.audience.GLOSSARY: curated,
no drug names, no numbers) explain a word rather than state a fact of the source, so they are removed
before the check (`qa.audience.strip_glosses`, which removes exactly those strings).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Prefix

from evals.coverage import _STOP
from medcite.types import Answer, Citation
from qa.audience import strip_glosses

# Share of a sentence's content words that must be found in its cited passages. 0.7: an extractive
# sentence scores 1.0; a plain-language rewrite that swaps two of ten words still passes; a
# sentence about something else (a fabricated claim under a real citation) shares far fewer.
CONTENT_COVERAGE = 0.7
# Inflection tolerance of the word match (see the module docstring); shorter words match exactly.
PREFIX_MIN = 5
SUFFIX_SLACK = 3

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# A citation mark stands on its own: a bracket straight after a word is part of it ("G1P[8]").
_MARK = re.compile(r"(?<![\w\]])\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")
_UNITS = (
    "mg/kg/day|mg/kg|mg/m2|mg/dl|mmol/l|mcg|µg|ug|mg|kg|g|ml|l|iu|units?|mmhg|%|percent|hours?|h|days?"
    "|weeks?|months?|years?|times"
)
_QUANTITY = re.compile(rf"(?<![\w.])(\d+(?:[.,]\d+)?)\s*({_UNITS})?(?![\w/])", re.I)
# International Nonproprietary Name stems (WHO, "The use of stems in the selection of INNs"), the
# common ones; a word ending in one is treated as a drug name and must be cited verbatim.
_DRUG = re.compile(
    r"\b[a-z]{2,}(?:mab|nib|pril|sartan|olol|statin|mycin|micin|cillin|cycline|floxacin|azole|vir|"
    r"dipine|formin|gliptin|gliflozin|glitazone|prazole|tidine|parin|xaban|gatran|oxetine|triptan|"
    r"setron|dronate|lukast|afil|caine|profen|semide|thiazide|zepam|zolam|barbital|trexate|platin|"
    r"rubicin|taxel|tinib|lisib|ciclib|glutide)\b",
    re.I,
)


@dataclass(frozen=True)
class SentenceCheck:
    """The independent verdict on one displayed sentence."""

    text: str
    cited: tuple[int, ...]
    dangling: tuple[int, ...]
    coverage: float
    missing_numbers: tuple[str, ...]
    missing_names: tuple[str, ...]

    @property
    def supported(self) -> bool:
        return (
            bool(self.cited)
            and not self.dangling
            and self.coverage >= CONTENT_COVERAGE
            and not self.missing_numbers
            and not self.missing_names
        )

    def reason(self) -> str:
        """Why the sentence failed ("" when it passed), for results.jsonl."""
        if not self.cited:
            return "cites nothing"
        if self.dangling:
            return f"citation {', '.join(map(str, self.dangling))} resolves to no reference"
        if self.missing_numbers:
            return f"number not in the cited passage: {', '.join(self.missing_numbers)}"
        if self.missing_names:
            return f"drug name not in the cited passage: {', '.join(self.missing_names)}"
        if self.coverage < CONTENT_COVERAGE:
            return f"content words found in the cited passage: {self.coverage:.2f} < {CONTENT_COVERAGE}"
        return ""


@dataclass(frozen=True)
class Grounding:
    """All sentence checks of one answer and its two figures."""

    sentences: tuple[SentenceCheck, ...]

    @property
    def citation_validity(self) -> float | None:
        """Fraction of the citation numbers shown that resolve to a reference; None when none shown."""
        uses = sum(len(s.cited) for s in self.sentences)
        if not uses:
            return None
        return 1.0 - sum(len(s.dangling) for s in self.sentences) / uses

    @property
    def sentence_support(self) -> float | None:
        """Fraction of displayed sentences that pass every check; None without sentences."""
        if not self.sentences:
            return None
        return sum(s.supported for s in self.sentences) / len(self.sentences)

    def unsupported(self) -> list[dict[str, str]]:
        return [{"text": s.text, "reason": s.reason()} for s in self.sentences if not s.supported]


def shown_numbers(citations: Sequence[int], text: str) -> tuple[int, ...]:
    """The citation numbers a sentence shows: its list plus inline marks, ranges expanded, in order."""
    nums = list(citations)
    for group in _MARK.findall(text):
        for part in group.split(","):
            bounds = [int(b) for b in re.split(r"\s*[\u2013-]\s*", part.strip())]
            lo, hi = bounds[0], bounds[-1]
            nums.extend(range(lo, hi + 1) if 0 <= hi - lo < 100 else (lo, hi))
    return tuple(dict.fromkeys(nums))


# Verbs a lead attributes with ("According to ...", "... says that", "A study found that"): they
# report who said it, not what the source says, so no passage is expected to contain them.
_REPORTING = frozenset({"according", "says", "found"})


def _content_words(text: str) -> list[str]:
    return [
        w
        for w in dict.fromkeys(_WORD.findall(text.lower()))
        if w not in _STOP and w not in _REPORTING and not w.isdigit()
    ]


def _words_and_parts(text: str) -> frozenset[str]:
    """Words of a text plus the parts of hyphenated ones ("peptide-based" also gives "peptide")."""
    found = _WORD.findall(text.lower())
    return frozenset(found + [p for w in found if "-" in w for p in w.split("-") if p])


def _found(word: str, passage_words: frozenset[str]) -> bool:
    if word in passage_words:
        return True
    if len(word) < PREFIX_MIN:
        return False
    return any(
        Prefix.similarity(word, w) >= max(PREFIX_MIN, max(len(word), len(w)) - SUFFIX_SLACK)
        for w in passage_words
    )


def _unit(u: str | None) -> str:
    u = (u or "").lower()
    return {"percent": "%", "µg": "mcg", "ug": "mcg"}.get(u, u.rstrip("s") if len(u) > 2 else u)


@lru_cache(maxsize=4096)
def _quantities(text: str) -> frozenset[tuple[str, str]]:
    return frozenset((n.replace(",", "."), _unit(u)) for n, u in _QUANTITY.findall(text))


def check_sentence(text: str, cited: Sequence[int], passages: dict[int, str]) -> SentenceCheck:
    """Check one displayed sentence against `passages` (reference number -> passage text)."""
    plain = _MARK.sub(" ", text)
    dangling = tuple(n for n in cited if n not in passages)
    source = " ".join(passages[n] for n in cited if n in passages)
    source_words = _words_and_parts(source)
    words = _content_words(plain)
    coverage = sum(_found(w, source_words) for w in words) / len(words) if words else 0.0
    have = _quantities(source)
    missing_numbers = tuple(
        f"{n} {u}".strip()
        for n, u in sorted(_quantities(plain))
        if not ((n, u) in have or (not u and any(hn == n for hn, _ in have)))
    )
    names = dict.fromkeys(m.lower() for m in _DRUG.findall(plain))
    missing_names = tuple(n for n in names if n not in source_words)
    return SentenceCheck(text, tuple(cited), dangling, round(coverage, 4), missing_numbers, missing_names)


def reference_text(c: Citation) -> str:
    """What reference [n] shows a reader: its title, section, source, year and grade, then every
    passage cited under it.  A lead's attribution ("According to the 2012 American Academy of
    Neurology guideline (grade A), ...") is written from those fields, so its year is checked
    against them rather than failing as a number the passage never states."""
    ch = c.chunk
    fields = (
        ch.tier.heading,
        ch.title,
        ch.section,
        ch.publisher,
        ch.year,
        ch.meta.get("grade"),
        c.evidence.label,
    )
    return " ".join(str(f) for f in fields if f) + "\n" + c.text


def check_answer(answer: Answer) -> Grounding:
    """Check every displayed sentence (each section's lead, then its bullets) of an answer."""
    passages = {c.n: reference_text(c) for c in answer.citations}
    checks = tuple(
        check_sentence(strip_glosses(st.text), shown_numbers(st.citations, st.text), passages)
        for sec in answer.sections
        for st in (sec.lead, *sec.bullets)
    )
    return Grounding(checks)
